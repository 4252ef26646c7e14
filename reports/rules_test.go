package reports

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/rules"
)

// A config override puts a user's text (its ID and note) into the rules
// command's outputs; each output escapes it as the plan's writers do.
func TestRulesOutputsEscapeOverrides(t *testing.T) {
	hostileID := "=HYPERLINK(\"http://x\")\x1b[2J"
	table, err := rules.Build([]rules.Override{{From: "Customer Community", To: "Partner Community",
		Outcome: "recreate", Message: "Cannot change\x1b[31m", ID: hostileID, Note: "see\x1b]8;;http://x\x07 ticket\nline two"}})
	if err != nil {
		t.Fatal(err)
	}
	cc, _ := table.Catalog.Lookup("Customer Community")
	pc, _ := table.Catalog.Lookup("Partner Community")
	r := table.Lookup(cc, pc)
	if r.ID != hostileID {
		t.Fatalf("override not applied: rule %q", r.ID)
	}
	tests := []struct {
		name  string
		write func(w *bytes.Buffer) error
	}{
		{"rules text", func(w *bytes.Buffer) error { return RulesText(w, []*rules.Rule{r}) }},
		{"explain text", func(w *bytes.Buffer) error { return ExplainText(w, r) }},
		{"licenses text", func(w *bytes.Buffer) error { return LicensesText(w, table.Catalog.Licenses) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			if strings.ContainsAny(b.String(), "\x1b\x07") {
				t.Errorf("a control character reached the terminal:\n%q", b.String())
			}
			if tt.name != "licenses text" && !strings.Contains(b.String(), `\x1b[2J`) {
				t.Errorf("the rule ID is not shown escaped:\n%s", b.String())
			}
		})
	}
	t.Run("rules csv", func(t *testing.T) {
		var b bytes.Buffer
		if err := RulesCSV(&b, []*rules.Rule{r}); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := recs[1][3]; got != "'"+hostileID {
			t.Errorf("RuleID cell %q, want the formula neutralised", got)
		}
	})
}
