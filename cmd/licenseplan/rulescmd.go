package main

import (
	"github.com/spf13/cobra"

	"github.com/licenseplan/licenseplan/reports"
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

Sources: the Salesforce Help article "Experience Cloud Licenses Eligible
for Upgrades"
(https://help.salesforce.com/s/articleView?id=platform.networks_license_upgrade_eligible.htm),
file 000_7706ceabebc363c0.txt, and "License change matrix (observed
Salesforce results)", file 001_008dcf5304a02f12.txt (an 18 x 18 matrix of
license changes and Salesforce's answers). Where they disagree, the Help
article wins and the rule says so. 'rules explain' cites each rule's
document by title, with its address and file.`,
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
				s.setResult(reports.RulesData(list))
				return nil
			}
			switch format {
			case "text":
				return reports.RulesText(s.Out, list)
			case "csv":
				return reports.RulesCSV(s.Out, list)
			case "json":
				return writeJSON(s.Out, reports.RulesData(list))
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
				return emit(s, reports.ExplainData(r))
			}
			return reports.ExplainText(s.Out, r)
		},
	}
	cmd.Flags().StringP("format", "f", "text", "output format: text or json")
	return cmd
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
				return emit(s, reports.LicensesData(table.Catalog.Licenses))
			}
			return reports.LicensesText(s.Out, table.Catalog.Licenses)
		},
	}
	cmd.Flags().StringP("format", "f", "text", "output format: text or json")
	return cmd
}
