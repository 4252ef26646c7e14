package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/licenseplan/licenseplan/plandiff"
	"github.com/licenseplan/licenseplan/reports"
)

func newDiffCmd(s *Streams) *cobra.Command {
	var format string
	var detailed bool
	cmd := &cobra.Command{
		Use:   "diff OLD.json NEW.json",
		Short: "Compare two saved plans: users added, removed or changed, warnings new or resolved",
		Long: `Diff compares two plan.json files that 'licenseplan plan' wrote, for
example the plan a change board approved and a plan made today, and says
what moved: users added or removed, users whose outcome or target changed,
and warnings (each user's, and the plan's) that are new or resolved. It
reads nothing but the two files, and checks each one's fingerprint first,
as 'licenseplan report' does.

Users are matched by Id. The output is text (the default), Markdown for a
ticket or change request (--format md), or JSON (--format json, or the
root --json flag for the Salesforce CLI's envelope).

Exit status: 0 on success, 1 on error; with --detailed-exitcode, 2 when the
plans differ. '-' reads one of the plans from stdin.`,
		Example: `  # What changed since the approved plan
  licenseplan plan -o my-sandbox --out ./today
  licenseplan diff approved/plan.json today/plan.json

  # As Markdown for the change request
  licenseplan diff approved/plan.json today/plan.json --format md > diff.md

  # In CI: fail the job when the plan moved
  licenseplan diff approved/plan.json today/plan.json --detailed-exitcode`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd.Context(), s, args[0], args[1], format, detailed)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "text", "output `format`: "+strings.Join(reports.DiffFormats, ", "))
	f.BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when the plans differ (0 when they do not)")
	return cmd
}

func runDiff(ctx context.Context, s *Streams, oldPath, newPath, format string, detailed bool) error {
	format = strings.ToLower(strings.TrimSpace(format))
	if !slices.Contains(reports.DiffFormats, format) {
		return flagErrorf("--format %q: want one of %s", format, strings.Join(reports.DiffFormats, ", "))
	}
	if oldPath == "-" && newPath == "-" {
		return flagErrorf("only one of the plans can be read from stdin (-)")
	}
	old, err := readPlan(oldPath, s.In)
	if err != nil {
		return err
	}
	cur, err := readPlan(newPath, s.In)
	if err != nil {
		return err
	}
	d := plandiff.Compare(old, cur)
	if s.JSON {
		s.setResult(reports.DiffJSON(d))
	} else if err := reports.WriteDiff(ctx, s.Out, d, format); err != nil {
		return fmt.Errorf("writing the diff to stdout: %w", err)
	}
	if detailed && !d.Empty() {
		return errChanges
	}
	return nil
}
