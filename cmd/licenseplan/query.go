package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/licenseplan/licenseplan/org"
)

func newQueryCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "query",
		Short: "Print the SOQL and Salesforce CLI commands that export a snapshot",
		Long: `Query prints, for every file of a snapshot folder, the SOQL that produces it
and the 'sf data query' command line that exports it as CSV, so you can
build a snapshot with the Salesforce CLI and plan it offline with
'licenseplan plan --input DIR'. Only User.csv is required; the other files
make the plan more precise (partner status, roles, capacity, permissions).`,
		Example: `  licenseplan query --target-org my-sandbox
  # then, in an empty folder, run the printed commands and:
  licenseplan plan --input .`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			alias, _ := cmd.Flags().GetString("target-org")
			var b strings.Builder
			for _, q := range org.Queries {
				req := "optional"
				if q.Required {
					req = "required"
				}
				fmt.Fprintf(&b, "# %s (%s)\n", q.File, req)
				if q.Note != "" {
					fmt.Fprintf(&b, "# %s\n", q.Note)
				}
				fmt.Fprintf(&b, "%s\n%s\n\n", q.SOQL(), q.SFCommand(alias))
			}
			_, err := fmt.Fprint(s.Out, b.String())
			return err
		},
	}
	cmd.Flags().String("target-org", "ORG_ALIAS", "Salesforce CLI org `alias` to put in the commands")
	return cmd
}
