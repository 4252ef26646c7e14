package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/licenseplan/licenseplan/internal/version"
	"github.com/licenseplan/licenseplan/org"
)

// sfCheckedVersion is the Salesforce CLI release the script was checked
// with, end to end against orgsim (README, "Export a snapshot").
const sfCheckedVersion = "@salesforce/cli 2.146.3 (Node 22)"

// sfQueryLimit is what the script sets SF_ORG_MAX_QUERY_LIMIT to: sf data
// query stops at 50,000 records without it. Ten million is more users than
// any org has; sf keeps the records in memory, so a 200,000-user User.csv
// costs it about 1 GB.
const sfQueryLimit = 10000000

func newQueryCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "query",
		Short: "Print a bash script that exports a snapshot with the Salesforce CLI",
		Long: `Query prints a bash script that exports a snapshot folder with the Salesforce
CLI (sf), one 'sf data query' per file, for 'licenseplan plan --input DIR'.
Run it in an empty folder: 'licenseplan query -o my-sandbox | bash'.

The script lifts sf's 50,000-record cap (SF_ORG_MAX_QUERY_LIMIT; without it
sf cuts a big org's User.csv and only warns on its own stderr), stops at the
first failed required file (set -euo pipefail), retries a query without the
fields some orgs lack (Account.IsPartner, IsCustomerPortal) when it fails,
skips an optional file the user cannot read with a note, and writes the
header of a file with no records (sf writes an empty line). The SOQL of
each file is in a comment above its command. It was checked with ` + sfCheckedVersion + `.

Only User.csv is required; the other files make the plan more precise
(partner status, roles, capacity, permissions). 'licenseplan snapshot'
pulls the same files through the API without the Salesforce CLI.

--json prints the script and, per file, its SOQL and command.`,
		Example: `  licenseplan query -o my-sandbox > export.sh
  mkdir snap && cd snap && bash ../export.sh
  licenseplan plan --input .`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			alias, _ := cmd.Flags().GetString("target-org")
			script := exportScript(alias)
			if s.JSON {
				var files []queryFile
				for _, q := range org.Queries {
					files = append(files, queryFile{File: q.File, Object: q.Object, Required: q.Required, SOQL: q.SOQL(), Command: q.SFCommand(alias), Note: q.Note})
				}
				s.setResult(queryResult{Script: script, Files: files})
				return nil
			}
			_, err := fmt.Fprint(s.Out, script)
			return err
		},
	}
	cmd.Flags().StringP("target-org", "o", "", "Salesforce CLI org `alias` or username to export (default: sf's target-org)")
	return cmd
}

type queryResult struct {
	Script string      `json:"script"`
	Files  []queryFile `json:"files"`
}

type queryFile struct {
	File     string `json:"file"`
	Object   string `json:"object"`
	Required bool   `json:"required"`
	SOQL     string `json:"soql"`
	Command  string `json:"command"`
	Note     string `json:"note,omitempty"`
}

// exportScript is the bash script query prints. Nothing in it but comments
// and commands: bash runs it as it is.
func exportScript(alias string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `#!/usr/bin/env bash
# Export a licenseplan snapshot with the Salesforce CLI (sf).
# Made by %s; checked with %s.
# Run it in an empty folder, then plan the folder: licenseplan plan --input .
set -euo pipefail

# sf data query stops after 50,000 records unless this is higher, and then
# only warns on stderr: a big org's User.csv would be silently incomplete.
export SF_ORG_MAX_QUERY_LIMIT="${SF_ORG_MAX_QUERY_LIMIT:-%d}"

# header FILE HEADER: sf writes an empty line for a query with no records;
# the snapshot reader wants the header.
header() {
  if [ -z "$(head -n 1 "$1")" ]; then
    printf '%%s\n' "$2" > "$1"
  fi
}
`, version.Tool(), sfCheckedVersion, sfQueryLimit)
	for _, q := range org.Queries {
		req := "optional"
		if q.Required {
			req = "required"
		}
		fmt.Fprintf(&b, "\n# %s (%s)\n", q.File, req)
		if q.Note != "" {
			for _, line := range wrap(q.Note, 76) {
				fmt.Fprintf(&b, "# %s\n", line)
			}
		}
		fmt.Fprintf(&b, "# %s\n", q.SOQL())
		cmd := q.SFCommand(alias)
		fb, hasFallback := q.Fallback()
		switch {
		case hasFallback:
			fmt.Fprintf(&b, "# Without the fields some orgs lack, if sf answers INVALID_FIELD:\n# %s\n", fb.SOQL())
			fmt.Fprintf(&b, "if ! %s; then\n", cmd)
			fmt.Fprintf(&b, "  echo \"note: %s: retrying without %s\" >&2\n", q.File, strings.Join(dropped(q, fb), ", "))
			if q.Required {
				fmt.Fprintf(&b, "  %s\n", fb.SFCommand(alias))
			} else {
				fmt.Fprintf(&b, "  %s || { echo \"note: skipped %s (optional)\" >&2; rm -f %s; }\n", fb.SFCommand(alias), q.File, org.ShellQuote(q.File))
			}
			b.WriteString("fi\n")
		case q.Required:
			fmt.Fprintf(&b, "%s\n", cmd)
		default:
			fmt.Fprintf(&b, "%s || { echo \"note: skipped %s (optional: this user may not read %s)\" >&2; rm -f %s; }\n",
				cmd, q.File, q.Object, org.ShellQuote(q.File))
		}
		fmt.Fprintf(&b, "[ ! -e %s ] || header %s %s\n", org.ShellQuote(q.File), org.ShellQuote(q.File), org.ShellQuote(q.Header()))
	}
	b.WriteString("\necho \"Snapshot written to $PWD. Next: licenseplan plan --input .\" >&2\n")
	return b.String()
}

// dropped lists the fields of q that fb lacks.
func dropped(q, fb org.Query) []string {
	var out []string
	for _, f := range q.Fields {
		if !strings.Contains(","+fb.Header()+",", ","+f+",") {
			out = append(out, f)
		}
	}
	return out
}

// wrap breaks text into lines of at most width bytes, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
