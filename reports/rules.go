package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// The rules command's outputs: the conversion table, one rule explained,
// and the license catalog. Rule data is licenseplan's own, but config
// overrides add IDs, notes and messages from a user's file, so these take
// the same escaping as the plan's writers: termSafe on a terminal, SafeCell
// in CSV. The ...Data functions return the JSON form (plain data for
// encoding/json), which the caller prints plainly or in the --json
// envelope.

// RulesText writes the conversion table list as aligned text.
func RulesText(w io.Writer, list []*rules.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FROM\tTO\tOUTCOME\tRULE\tSOURCE")
	for _, r := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", termSafe(r.From.Name), termSafe(r.To.Name), r.Outcome,
			termSafe(r.ID), termSafe(r.Source.Doc))
	}
	return tw.Flush()
}

// RulesCSV writes exactly the header From,To,Outcome,RuleID,Source and one
// row per rule of list.
func RulesCSV(w io.Writer, list []*rules.Rule) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"From", "To", "Outcome", "RuleID", "Source"})
	for _, r := range list {
		_ = cw.Write([]string{SafeCell(r.From.Name), SafeCell(r.To.Name), r.Outcome.String(), SafeCell(r.ID), SafeCell(r.Source.String())})
	}
	cw.Flush()
	return cw.Error()
}

type ruleJSON struct {
	From              string        `json:"from"`
	To                string        `json:"to"`
	Outcome           rules.Outcome `json:"outcome"`
	RuleID            string        `json:"ruleId"`
	Source            string        `json:"source"`
	Quote             string        `json:"quote,omitempty"`
	Message           string        `json:"message,omitempty"`
	Conflict          string        `json:"conflict,omitempty"`
	PartnerAccount    bool          `json:"partnerAccount"`
	FunctionalityLoss bool          `json:"functionalityLoss"`
	Irreversible      bool          `json:"irreversible"`
	Warnings          []rules.Code  `json:"warnings"`
	MayWarn           []rules.Code  `json:"mayWarn"`
}

// RulesData is the JSON form of the conversion table list.
func RulesData(list []*rules.Rule) any {
	out := make([]ruleJSON, len(list))
	for i, r := range list {
		out[i] = ruleJSON{r.From.Name, r.To.Name, r.Outcome, r.ID, r.Source.String(), r.Quote, r.Message, r.Conflict,
			r.PartnerAccount, r.FunctionalityLoss, r.Irreversible, append([]rules.Code{}, r.Warnings...), append([]rules.Code{}, r.MayWarn...)}
	}
	return out
}

// explainJSON is rules explain's JSON form.
type explainJSON struct {
	From       string        `json:"from"`
	To         string        `json:"to"`
	Outcome    rules.Outcome `json:"outcome"`
	Label      string        `json:"label"`
	RuleID     string        `json:"ruleId"`
	Provenance []fieldJSON   `json:"provenance"`
	Steps      []stepJSON    `json:"steps"`
	Warnings   []codeJSON    `json:"warnings"`
	MayWarn    []codeJSON    `json:"mayWarn"`
}

type fieldJSON struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

type stepJSON struct {
	Phase       planner.Phase  `json:"phase"`
	Action      planner.Action `json:"action"`
	Description string         `json:"description"`
	DependsOn   []int          `json:"dependsOn"`
	Reversible  bool           `json:"reversible"`
	Conditional string         `json:"conditional,omitempty"`
}

type codeJSON struct {
	Code     rules.Code `json:"code"`
	Severity string     `json:"severity"`
	Message  string     `json:"message"`
}

// ExplainData is the JSON form of rule r explained: what ExplainText says.
func ExplainData(r *rules.Rule) any {
	out := explainJSON{From: r.From.Name, To: r.To.Name, Outcome: r.Outcome, Label: r.Outcome.Label(), RuleID: r.ID,
		Provenance: []fieldJSON{}, Steps: []stepJSON{}}
	for _, f := range r.Provenance() {
		out.Provenance = append(out.Provenance, fieldJSON{f.Label, f.Value})
	}
	for _, st := range planner.Outline(r) {
		out.Steps = append(out.Steps, stepJSON{st.Phase, st.Action, st.Action.String(), append([]int{}, st.DependsOn...), st.Reversible, st.Conditional})
	}
	codes := func(cs []rules.Code) []codeJSON {
		l := []codeJSON{}
		for _, c := range cs {
			info, _ := rules.Info(c)
			l = append(l, codeJSON{c, info.Severity.String(), info.Message})
		}
		return l
	}
	out.Warnings, out.MayWarn = codes(r.Warnings), codes(r.MayWarn)
	return out
}

// ExplainText writes what licenseplan plans for a user under rule r: the
// outcome and rule, its provenance, the steps in order and the warnings.
func ExplainText(w io.Writer, r *rules.Rule) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s -> %s\n\n", termSafe(r.From.Name), termSafe(r.To.Name))
	fmt.Fprintf(&b, "Outcome:  %s (%s)\n", r.Outcome, r.Outcome.Label())
	fmt.Fprintf(&b, "Rule:     %s\n", termSafe(r.ID))
	for _, f := range r.Provenance() {
		fmt.Fprintf(&b, "%-9s %s\n", f.Label+":", termSafe(f.Value))
	}
	steps := planner.Outline(r)
	b.WriteString("\nSteps:\n")
	if len(steps) == 0 {
		b.WriteString("  none\n")
	}
	for i, st := range steps {
		fmt.Fprintf(&b, "  %d. [%s] %s", i+1, st.Phase, st.Action)
		if len(st.DependsOn) > 0 {
			fmt.Fprintf(&b, " (after %s)", joinInts(st.DependsOn, ", "))
		}
		if !st.Reversible {
			b.WriteString(" (irreversible)")
		}
		if st.Conditional != "" {
			fmt.Fprintf(&b, " - %s", termSafe(st.Conditional))
		}
		b.WriteString("\n")
	}
	writeCodes := func(title string, cs []rules.Code) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s:\n", title)
		for _, c := range cs {
			info, _ := rules.Info(c)
			fmt.Fprintf(&b, "  %-26s %-6s %s\n", c, info.Severity, info.Message)
		}
	}
	writeCodes("Warnings that always apply", r.Warnings)
	writeCodes("Warnings that apply depending on the user's data", r.MayWarn)
	_, err := io.WriteString(w, b.String())
	return err
}

// licenseJSON is one catalog license in rules licenses' JSON form.
type licenseJSON struct {
	Name         string     `json:"name"`
	UserType     string     `json:"userType"`
	Kind         rules.Kind `json:"kind"`
	RequiresRole bool       `json:"requiresRole"`
	LoginBased   bool       `json:"loginBased"`
	Key          string     `json:"key"`
	ScaleLimit   int64      `json:"scaleLimit,omitempty"`
	Group        string     `json:"group,omitempty"`
	Aliases      []string   `json:"aliases"`
	Sources      []string   `json:"sources"`
}

// LicensesData is the JSON form of the license catalog ls.
func LicensesData(ls []*rules.License) any {
	var out []licenseJSON
	for _, l := range ls {
		out = append(out, licenseJSON{l.Name, l.UserType, l.Kind, l.RequiresRole, l.LoginBased, l.Key, l.ScaleLimit, l.Group,
			append([]string{}, l.Aliases...), append([]string{}, l.Sources...)})
	}
	return out
}

// LicensesText writes the license catalog ls as aligned text.
func LicensesText(w io.Writer, ls []*rules.License) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LICENSE\tUSERTYPE\tKIND\tROLE\tLOGIN\tKEY\tSCALE LIMIT\tALIASES")
	for _, l := range ls {
		limit := ""
		if l.ScaleLimit > 0 {
			limit = strconv.FormatInt(l.ScaleLimit, 10)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", termSafe(l.Name), termSafe(l.UserType), l.Kind,
			yesNo(l.RequiresRole), yesNo(l.LoginBased), termSafe(l.Key), limit, termSafe(strings.Join(l.Aliases, "; ")))
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
