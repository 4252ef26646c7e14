package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

func newRulesCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Print the conversion table: the outcome of every license pair",
		Long: `Rules prints the conversion table: for every ordered pair of catalog
licenses, the outcome (no_change, change_in_place, disable_reenable,
recreate), the stable rule ID and the source it comes from. Overrides from
the config file are applied.

Sources: 000_7706ceabebc363c0.txt (Salesforce Help, "Experience Cloud
Licenses Eligible for Upgrades") and 001_008dcf5304a02f12.txt (an 18 x 18
matrix of license changes and Salesforce's answers). Where they disagree,
000 wins and the rule says so.`,
		Example: `  licenseplan rules
  licenseplan rules --format csv > rules.csv
  licenseplan rules --from "Customer Community"
  licenseplan rules explain "Customer Community Login" "Partner Community"
  licenseplan rules licenses`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			table, err := rulesTable(cmd, s)
			if err != nil {
				return err
			}
			format, _ := cmd.Flags().GetString("format")
			from, _ := cmd.Flags().GetString("from")
			list := table.All()
			if from != "" {
				l, ok := table.Catalog.Lookup(from)
				if !ok {
					return flagErrorf("--from: unknown license %q%s", from, table.Catalog.Suggest(from))
				}
				list = list[l.Index*len(table.Catalog.Licenses) : (l.Index+1)*len(table.Catalog.Licenses)]
			}
			if s.JSON {
				if cmd.Flags().Changed("format") {
					return flagErrorf("--json and --format each choose the output: keep one")
				}
				s.setResult(rulesList(list))
				return nil
			}
			switch format {
			case "text":
				return rulesText(s.Out, list)
			case "csv":
				return rulesCSV(s.Out, list)
			case "json":
				return rulesJSON(s.Out, list)
			}
			return flagErrorf("--format %q: want text, csv or json", format)
		},
	}
	cmd.PersistentFlags().String("config", "", "config `file` whose rules.overrides apply (also LICENSEPLAN_CONFIG)")
	cmd.Flags().StringP("format", "f", "text", "output format: text, csv or json")
	cmd.Flags().String("from", "", "only pairs from this `license`")
	cmd.AddCommand(newExplainCmd(s), newLicensesCmd(s))
	return cmd
}

func rulesTable(cmd *cobra.Command, s *Streams) (*rules.Table, error) {
	cfg, err := loadConfig(cmd, s)
	if err != nil {
		return nil, err
	}
	return cfg.ruleTable()
}

func rulesText(w io.Writer, list []*rules.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FROM\tTO\tOUTCOME\tRULE\tSOURCE")
	for _, r := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.From.Name, r.To.Name, r.Outcome, r.ID, r.Source.Doc)
	}
	return tw.Flush()
}

// rulesCSV writes exactly the header From,To,Outcome,RuleID,Source and one
// row per ordered pair.
func rulesCSV(w io.Writer, list []*rules.Rule) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"From", "To", "Outcome", "RuleID", "Source"})
	for _, r := range list {
		_ = cw.Write([]string{r.From.Name, r.To.Name, r.Outcome.String(), r.ID, r.Source.String()})
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

func rulesList(list []*rules.Rule) []ruleJSON {
	out := make([]ruleJSON, len(list))
	for i, r := range list {
		out[i] = ruleJSON{r.From.Name, r.To.Name, r.Outcome, r.ID, r.Source.String(), r.Quote, r.Message, r.Conflict,
			r.PartnerAccount, r.FunctionalityLoss, r.Irreversible, append([]rules.Code{}, r.Warnings...), append([]rules.Code{}, r.MayWarn...)}
	}
	return out
}

func rulesJSON(w io.Writer, list []*rules.Rule) error { return writeJSON(w, rulesList(list)) }

// outputFormat reads a text-or-json --format, and --json: it returns
// whether to print JSON (plain, or in the envelope with --json).
func outputFormat(cmd *cobra.Command, s *Streams) (jsonOut bool, err error) {
	format, _ := cmd.Flags().GetString("format")
	switch {
	case s.JSON && cmd.Flags().Changed("format"):
		return false, flagErrorf("--json and --format each choose the output: keep one")
	case format != "text" && format != "json":
		return false, flagErrorf("--format %q: want text or json", format)
	}
	return format == "json", nil
}

// emit prints v as plain JSON, or hands it to the --json envelope.
func emit(s *Streams, v any) error {
	if s.JSON {
		s.setResult(v)
		return nil
	}
	return writeJSON(s.Out, v)
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

func explainData(r *rules.Rule) explainJSON {
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

func newExplainCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "explain FROM TO",
		Short: "Explain one license change: outcome, steps, warnings and sources",
		Long: `Explain prints what licenseplan plans for a user moving from license FROM
to license TO: the outcome and rule, the source and its exact words, any
conflict between the source documents, the steps in order, and the warnings
that always apply and those that apply depending on the user's data.
License names ignore case and accept aliases.`,
		Example: `  licenseplan rules explain "Customer Community Plus" "Customer Community"
  licenseplan rules explain "gold partner" "partner community login"
  licenseplan rules explain "Customer Community" "Partner Community" --format json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			jsonOut, err := outputFormat(cmd, s)
			if err != nil {
				return err
			}
			table, err := rulesTable(cmd, s)
			if err != nil {
				return err
			}
			var ls [2]*rules.License
			for i, name := range args {
				l, ok := table.Catalog.Lookup(name)
				if !ok {
					return flagErrorf("unknown license %q%s", name, table.Catalog.Suggest(name))
				}
				ls[i] = l
			}
			r := table.Lookup(ls[0], ls[1])
			if jsonOut || s.JSON {
				return emit(s, explainData(r))
			}
			return explain(s.Out, r)
		},
	}
	cmd.Flags().StringP("format", "f", "text", "output format: text or json")
	return cmd
}

func explain(w io.Writer, r *rules.Rule) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s -> %s\n\n", r.From.Name, r.To.Name)
	fmt.Fprintf(&b, "Outcome:  %s (%s)\n", r.Outcome, r.Outcome.Label())
	fmt.Fprintf(&b, "Rule:     %s\n", r.ID)
	for _, f := range r.Provenance() {
		fmt.Fprintf(&b, "%-9s %s\n", f.Label+":", f.Value)
	}
	steps := planner.Outline(r)
	b.WriteString("\nSteps:\n")
	if len(steps) == 0 {
		b.WriteString("  none\n")
	}
	for i, st := range steps {
		fmt.Fprintf(&b, "  %d. [%s] %s", i+1, st.Phase, st.Action)
		if len(st.DependsOn) > 0 {
			fmt.Fprintf(&b, " (after %s)", joinSeqs(st.DependsOn))
		}
		if !st.Reversible {
			b.WriteString(" (irreversible)")
		}
		if st.Conditional != "" {
			fmt.Fprintf(&b, " - %s", st.Conditional)
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

func joinSeqs(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}

func newLicensesCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "licenses",
		Short: "List the license catalog",
		Long: `Licenses lists every license the rules know, from both source documents:
its UserType family, whether it is a customer, partner or internal license,
whether it requires a role, whether it is login-based, its
LicenseDefinitionKey where a source documents one, its user scale limit and
the aliases that match it (ignoring case). An org license that matches none
of these is reported as UNKNOWN_LICENSE in a plan.`,
		Example: `  licenseplan rules licenses
  licenseplan rules licenses | grep -i partner
  licenseplan rules licenses --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			jsonOut, err := outputFormat(cmd, s)
			if err != nil {
				return err
			}
			table, err := rulesTable(cmd, s)
			if err != nil {
				return err
			}
			if jsonOut || s.JSON {
				var ls []licenseJSON
				for _, l := range table.Catalog.Licenses {
					ls = append(ls, licenseJSON{l.Name, l.UserType, l.Kind, l.RequiresRole, l.LoginBased, l.Key, l.ScaleLimit, l.Group,
						append([]string{}, l.Aliases...), append([]string{}, l.Sources...)})
				}
				return emit(s, ls)
			}
			tw := tabwriter.NewWriter(s.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "LICENSE\tUSERTYPE\tKIND\tROLE\tLOGIN\tKEY\tSCALE LIMIT\tALIASES")
			for _, l := range table.Catalog.Licenses {
				limit := ""
				if l.ScaleLimit > 0 {
					limit = fmt.Sprint(l.ScaleLimit)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Name, l.UserType, l.Kind, yesNo(l.RequiresRole), yesNo(l.LoginBased), l.Key, limit, strings.Join(l.Aliases, "; "))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringP("format", "f", "text", "output format: text or json")
	return cmd
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
