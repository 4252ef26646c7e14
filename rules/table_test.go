package rules

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// read001 parses the 001 document itself (not the transcription in data/),
// so a transcription error fails the test. The header row is shifted one
// column: the first value after the FROM name is the "Chatter External"
// column.
func read001(t *testing.T) (cols []string, rows map[string][]string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", Doc001))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	cells := func(line string) []string {
		parts := strings.Split(line, "|")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts
	}
	hdr := cells(lines[2]) // "1 | FROM | TO | Chatter External | ..."
	if hdr[1] != "FROM" || hdr[2] != "TO" {
		t.Fatalf("unexpected header %q", lines[2])
	}
	for _, c := range hdr[3:] {
		if c != "" {
			cols = append(cols, c)
		}
	}
	rows = map[string][]string{}
	for _, line := range lines[3:] {
		c := cells(line)
		rows[c[1]] = c[2 : 2+len(cols)]
	}
	if len(cols) != 18 || len(rows) != 18 {
		t.Fatalf("001 is %d x %d, want 18 x 18", len(rows), len(cols))
	}
	return cols, rows
}

// want000 is 000's table written out by hand, license by license, with the
// "vice versa" sentences. Rows cover named and login variants.
var (
	partnerPortal = []string{"Partner", "Gold Partner", "Silver Partner", "Bronze Partner"}
	cpm           = []string{"Customer Portal Manager Custom", "Customer Portal Manager Standard", "Overage Customer Portal Manager Custom", "Overage Customer Portal Manager Standard"}
	highVolume    = []string{"External Identity", "High Volume Customer Portal", "Overage High Volume Customer Portal", "Overage Authenticated Website", "Authenticated Website"}
	cc            = []string{"Customer Community", "Customer Community Login"}
	ccPlus        = []string{"Customer Community Plus", "Customer Community Plus Login"}
	pc            = []string{"Partner Community", "Partner Community Login"}
	// The External Apps row covers the login variant as the Customer
	// Community row does ("Named User or Login Based").
	externalApps   = []string{"External Apps", "External Apps Login"}
	helpTableCells = []struct {
		from, to      []string
		want          Outcome
		loss, partner bool
		idPrefix      string
	}{
		{partnerPortal, cc, DisableReenable, true, false, "H000.PARTNER-PORTAL.CC"},
		{partnerPortal, ccPlus, DisableReenable, true, false, "H000.PARTNER-PORTAL.CCPLUS"},
		{partnerPortal, pc, ChangeInPlace, false, true, "H000.PARTNER-PORTAL.PC"},
		{cpm, cc, DisableReenable, true, false, "H000.CPM.CC"},
		{cpm, ccPlus, ChangeInPlace, false, false, "H000.CPM.CCPLUS"},
		{ccPlus, cpm, ChangeInPlace, false, false, "H000.CCPLUS.CPM"},
		{cpm, pc, DisableReenable, false, true, "H000.CPM.PC"},
		{highVolume, cc, ChangeInPlace, false, false, "H000.HIGH-VOLUME.CC"},
		{highVolume, ccPlus, ChangeInPlace, false, false, "H000.HIGH-VOLUME.CCPLUS"},
		{highVolume, pc, ChangeInPlace, false, true, "H000.HIGH-VOLUME.PC"},
		{cc, cc, ChangeInPlace, false, false, "H000.CC.CC"},
		{cc, ccPlus, ChangeInPlace, false, false, "H000.CC.CCPLUS"},
		{cc, pc, ChangeInPlace, false, true, "H000.CC.PC"},
		{ccPlus, cc, DisableReenable, true, false, "H000.CCPLUS.CC"},
		{ccPlus, ccPlus, ChangeInPlace, false, false, "H000.CCPLUS.CCPLUS"},
		{ccPlus, pc, DisableReenable, false, true, "H000.CCPLUS.PC"},
		{pc, cc, DisableReenable, true, false, "H000.PC.CC"},
		{pc, ccPlus, DisableReenable, true, false, "H000.PC.CCPLUS"},
		{pc, pc, ChangeInPlace, false, true, "H000.PC.PC"},
		{externalApps, cc, ChangeInPlace, false, false, "H000.EXTERNAL-APPS.CC"},
		{externalApps, ccPlus, ChangeInPlace, false, false, "H000.EXTERNAL-APPS.CCPLUS"},
		{externalApps, pc, ChangeInPlace, false, true, "H000.EXTERNAL-APPS.PC"},
	}
)

func mustTable(t *testing.T) *Table {
	t.Helper()
	tb, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func lookup(t *testing.T, tb *Table, from, to string) *Rule {
	t.Helper()
	f, ok := tb.Catalog.Lookup(from)
	if !ok {
		t.Fatalf("license %q not in catalog", from)
	}
	g, ok := tb.Catalog.Lookup(to)
	if !ok {
		t.Fatalf("license %q not in catalog", to)
	}
	return tb.Lookup(f, g)
}

// in000 reports whether 000's table (as written out above) covers the pair
// and what it says.
func in000(from, to string) (Outcome, bool) {
	if from == to {
		return 0, false
	}
	for _, c := range helpTableCells {
		if contains(c.from, from) && contains(c.to, to) {
			return c.want, true
		}
	}
	return 0, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestEvery001Cell(t *testing.T) {
	tb := mustTable(t)
	cols, rows := read001(t)
	n := 0
	for from, vals := range rows {
		for i, to := range cols {
			cell := vals[i]
			t.Run(from+" -> "+to, func(t *testing.T) {
				n++
				r := lookup(t, tb, from, to)
				want := Recreate
				switch cell {
				case "Yes":
					want = ChangeInPlace
				case "No Change":
					want = NoChange
					if from != to {
						t.Fatalf("No Change off the diagonal")
					}
				}
				if w, ok := in000(from, to); ok {
					if w != want && !strings.Contains(r.Conflict, Title001) {
						t.Errorf("000 says %s, 001 says %q: want the conflict explained, got %q", w, cell, r.Conflict)
					}
					want = w
				} else {
					if !strings.HasPrefix(r.ID, "M001.") && r.ID != "SAME" {
						t.Errorf("rule ID %s, want M001.* or SAME", r.ID)
					}
					if r.Quote != cell {
						t.Errorf("quote %q, want the cell %q", r.Quote, cell)
					}
					if want == Recreate && r.Message != cell {
						t.Errorf("message %q, want the Salesforce message %q", r.Message, cell)
					}
				}
				if r.Outcome != want {
					t.Errorf("outcome %s, want %s (001 cell %q)", r.Outcome, want, cell)
				}
			})
		}
	}
	if n != 324 {
		t.Errorf("checked %d cells, want 324", n)
	}
}

func TestEvery000Cell(t *testing.T) {
	tb := mustTable(t)
	for _, c := range helpTableCells {
		for _, from := range c.from {
			for _, to := range c.to {
				if from == to {
					continue
				}
				t.Run(from+" -> "+to, func(t *testing.T) {
					r := lookup(t, tb, from, to)
					if r.Outcome != c.want {
						t.Errorf("outcome %s, want %s", r.Outcome, c.want)
					}
					if r.ID != c.idPrefix {
						t.Errorf("rule %s, want %s", r.ID, c.idPrefix)
					}
					if r.Source.Doc != Doc000 {
						t.Errorf("source %s, want %s", r.Source, Doc000)
					}
					if r.FunctionalityLoss != c.loss {
						t.Errorf("functionality loss %v, want %v", r.FunctionalityLoss, c.loss)
					}
					if r.PartnerAccount != c.partner {
						t.Errorf("partner account %v, want %v", r.PartnerAccount, c.partner)
					}
					if c.loss && !contains(codes(r.Warnings), string(FunctionalityLoss)) {
						t.Errorf("warnings %v lack FUNCTIONALITY_LOSS", r.Warnings)
					}
					if !strings.Contains(string(helpDoc(t)), firstSentence(r.Quote)) {
						t.Errorf("quote %q is not in 000", r.Quote)
					}
				})
			}
		}
	}
}

func codes(cs []Code) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

func helpDoc(t *testing.T) []byte {
	data, err := os.ReadFile(filepath.Join("testdata", Doc000))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Join(bytes.Fields(data), []byte(" "))
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

func TestEveryPairResolves(t *testing.T) {
	tb := mustTable(t)
	n := len(tb.Catalog.Licenses)
	if len(tb.All()) != n*n {
		t.Fatalf("%d rules for %d licenses", len(tb.All()), n)
	}
	_, rows := read001(t)
	for _, r := range tb.All() {
		_, covered001 := rows[r.From.Name]
		if covered001 {
			cols, _ := read001(t)
			covered001 = contains(cols, r.To.Name)
		}
		_, covered000 := in000(r.From.Name, r.To.Name)
		switch {
		case r.From == r.To:
			if r.Outcome != NoChange || r.ID != "SAME" {
				t.Errorf("%s -> itself: %s %s", r.From.Name, r.Outcome, r.ID)
			}
		case r.From.Kind == Guest || r.To.Kind == Guest:
			// A guest user has no path at all, whatever 000's last
			// paragraph says of other license types.
			if r.Outcome != NoPath || r.ID != "GUEST" || !slices.Equal(r.Warnings, []Code{GuestUser}) || len(r.MayWarn) != 0 {
				t.Errorf("%s -> %s: got %s %s %v %v, want no_path GUEST with GUEST_USER alone", r.From.Name, r.To.Name, r.Outcome, r.ID, r.Warnings, r.MayWarn)
			}
		case !covered001 && !covered000:
			if r.Outcome != Recreate || r.ID != "UNCOVERED" || !strings.Contains(r.Note, "rules.overrides") {
				t.Errorf("%s -> %s is covered by neither document: got %s %s, want recreate UNCOVERED", r.From.Name, r.To.Name, r.Outcome, r.ID)
			}
		}
		if r.ID == "" || r.Source.Doc == "" {
			t.Errorf("%s -> %s: empty rule ID or source", r.From.Name, r.To.Name)
		}
	}
}

func TestConflictsName000AsWinner(t *testing.T) {
	tb := mustTable(t)
	tests := []struct{ from, to string }{
		{"Customer Community Login", "Partner Community"},
		{"High Volume Customer Portal", "Partner Community"},
		{"Gold Partner", "Customer Community"},
		{"Customer Portal Manager Custom", "Customer Community"},
	}
	for _, tt := range tests {
		t.Run(tt.from+" -> "+tt.to, func(t *testing.T) {
			r := lookup(t, tb, tt.from, tt.to)
			for _, want := range []string{Title000, "The Salesforce Help article wins", Title001, "You can only reassign"} {
				if !strings.Contains(r.Conflict, want) {
					t.Errorf("conflict %q lacks %q", r.Conflict, want)
				}
			}
			if !strings.Contains(r.Explanation(), "Conflict:") {
				t.Errorf("explanation hides the conflict: %q", r.Explanation())
			}
		})
	}
	if r := lookup(t, tb, "Gold Partner", "Partner Community"); r.Conflict != "" || !strings.Contains(r.Also, Title001) {
		t.Errorf("Gold Partner -> Partner Community: both documents agree; got conflict %q also %q", r.Conflict, r.Also)
	}
}

func TestDerivedWarnings(t *testing.T) {
	tb := mustTable(t)
	tests := []struct {
		from, to     string
		always       []Code
		never        []Code
		irreversible bool
		upgrade      bool
	}{
		{"Customer Community", "Customer Community Plus", []Code{Irreversible, GroupMembership, SharingRecalculation, ScaleLimit, SelfRegistrationSlower, SiteMembership}, []Code{NewUserRecord}, true, true},
		{"Customer Community", "Customer Community Login", []Code{SiteMembership}, []Code{Irreversible, ScaleLimit, GroupMembership}, false, false},
		{"High Volume Customer Portal", "Partner Community", []Code{Irreversible, GroupMembership, SiteMembership}, []Code{ScaleLimit, SelfRegistrationSlower}, true, true},
		{"Gold Partner", "Partner Community", []Code{SiteMembership}, []Code{Irreversible, GroupMembership}, false, false},
		{"Customer Community Plus", "Customer Community", []Code{NewUserRecord, FunctionalityLoss, SiteMembership}, []Code{Irreversible, NoConversionPath}, false, false},
		{"Chatter Free", "Customer Community", []Code{NoConversionPath, NewUserRecord, SiteMembership}, []Code{Irreversible}, false, false},
		{"Salesforce", "Salesforce Platform", nil, []Code{SiteMembership, Irreversible, NewUserRecord}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.from+" -> "+tt.to, func(t *testing.T) {
			r := lookup(t, tb, tt.from, tt.to)
			got := codes(r.Warnings)
			for _, c := range tt.always {
				if !contains(got, string(c)) {
					t.Errorf("warnings %v lack %s", got, c)
				}
			}
			for _, c := range tt.never {
				if contains(got, string(c)) {
					t.Errorf("warnings %v include %s", got, c)
				}
			}
			if r.Irreversible != tt.irreversible || r.Upgrade != tt.upgrade {
				t.Errorf("irreversible=%v upgrade=%v, want %v %v", r.Irreversible, r.Upgrade, tt.irreversible, tt.upgrade)
			}
		})
	}
}

// The checked-in copies of the source documents must match shared/seeds when
// that folder is beside the checkout.
func TestSeedCopiesMatch(t *testing.T) {
	for _, doc := range []string{Doc000, Doc001} {
		t.Run(doc, func(t *testing.T) {
			orig, err := os.ReadFile(filepath.Join("..", "..", "shared", "seeds", doc))
			if os.IsNotExist(err) {
				t.Skip("shared/seeds is not beside this checkout")
			}
			if err != nil {
				t.Fatal(err)
			}
			cp, err := os.ReadFile(filepath.Join("testdata", doc))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(orig, cp) {
				t.Errorf("rules/testdata/%s differs from shared/seeds/%s", doc, doc)
			}
		})
	}
}
