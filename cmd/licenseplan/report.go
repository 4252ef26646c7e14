package main

import (
	"context"
	"fmt"
	"github.com/licenseplan/licenseplan/apply"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/reports"
)

func newReportCmd(s *Streams) *cobra.Command {
	var planFile, formatList, outDir, journal string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "report --plan plan.json",
		Short: "Render a saved plan.json as reports, without touching any org",
		Long: `Report renders a plan that 'licenseplan plan' saved as plan.json into the
report formats, so a change board re-renders exactly what it approved. It
reads nothing but the plan file: no org, no snapshot, no rules.

The plan's fingerprint (a SHA-256 of its content) is checked first: a
plan.json edited after it was written is refused, because its reports would
no longer describe the plan that was approved. Re-run 'licenseplan plan'
instead of editing the file.

--format takes a comma-separated list of file formats; the default is every
report format except json. --out defaults to the folder that holds the plan
file, so the reports land next to it. '--plan -' reads the plan from stdin
(then --out is required).

--journal FILE adds a section on what 'licenseplan apply' did to
report.html and report.md: the runs, each step's last status, the steps
that did not complete and the verification at the end. The journal must
belong to the plan (its fingerprint).

Sign-off: --change-id, --window, --backout and --approver (repeat it) fill
in the sign-off block on page 1 of report.html and in report.md, as do the config keys
change-id, window, backout and approvers (--config FILE or
LICENSEPLAN_CONFIG); what is not given is left blank to fill in by hand.
They are not part of the plan, so the fingerprint does not change.`,
		Example: `  # Re-render every report next to an approved plan
  licenseplan report --plan approved/plan.json

  # Only the HTML report and the spreadsheet, into another folder
  licenseplan report --plan plan.json --format html,xlsx --out ./board

  # After a rehearsal: the reports with what apply did and the verification
  licenseplan report --plan ./plan/plan.json --journal ./plan/apply-journal.jsonl --format html,md

  # For the change board: the approved plan with its change record
  licenseplan report --plan approved/plan.json --format html --change-id CHG0012345 \
    --window "2027-01-09 20:00-23:00 UTC" --approver "Ada Lovelace" --approver "Grace Hopper"

  # From a pipeline
  licenseplan plan --format json | licenseplan report --plan - --format md --out .`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, s)
			if err != nil {
				return err
			}
			return runReport(cmd.Context(), s, reportArgs{planFile, formatList, outDir, cmd.Flags().Changed("format"), quiet, journal, cfg.signOff()})
		},
	}
	f := cmd.Flags()
	f.StringVarP(&planFile, "plan", "p", "", "plan.json `file` written by 'licenseplan plan' (- for stdin)")
	f.StringVarP(&formatList, "format", "f", "", "comma-separated `formats` to write: "+strings.Join(fileFormats(), ", ")+" (default: all but json)")
	f.StringVarP(&outDir, "out", "d", "", "output `folder` (default: the plan file's folder)")
	f.BoolVarP(&quiet, "quiet", "q", false, "print nothing on stderr")
	f.StringVar(&journal, "journal", "", "apply's journal `file`: report.html and report.md get a section on what apply did")
	f.String("config", "", "config `file` for the sign-off keys (YAML; also LICENSEPLAN_CONFIG)")
	addSignOffFlags(f)
	_ = cmd.MarkFlagRequired("plan")
	return cmd
}

// reportFormats parses --format into file formats, in the order given and
// without repeats; the default is every file format but json.
func reportFormats(list string, given bool) ([]string, error) {
	valid := fileFormats()
	if !given {
		return slices.DeleteFunc(valid, func(f string) bool { return f == "json" }), nil
	}
	out, err := parseFormats(list, valid)
	if err == nil && len(out) == 0 {
		err = flagErrorf("--format is empty: want a comma-separated list of %s", strings.Join(valid, ", "))
	}
	return out, err
}

// reportResult is report's --json result.
type reportResult struct {
	Fingerprint string   `json:"fingerprint"`
	OutDir      string   `json:"outDir"`
	Files       []string `json:"files"`
}

type reportArgs struct {
	planFile, formatList, outDir string
	formatGiven, quiet           bool
	journal                      string
	signOff                      reports.SignOff
}

func runReport(ctx context.Context, s *Streams, a reportArgs) error {
	planFile, outDir := a.planFile, a.outDir
	formats, err := reportFormats(a.formatList, a.formatGiven)
	if err != nil {
		return err
	}
	if planFile == "-" && outDir == "" {
		return flagErrorf("--plan - reads stdin: give --out for the reports")
	}
	if outDir == "" {
		outDir = filepath.Dir(planFile)
	}
	p, err := readPlan(planFile, s.In)
	if err != nil {
		return err
	}
	if err := checkWritableDir(outDir, "--out"); err != nil {
		return err
	}
	var exec *reports.Execution
	if a.journal != "" {
		if exec, err = readExecution(a.journal, p); err != nil {
			return err
		}
	}
	written, err := writeFiles(ctx, outDir, p, formats, reportExtras{exec: exec, signOff: a.signOff})
	if err != nil {
		return err
	}
	if s.JSON {
		s.setResult(reportResult{Fingerprint: p.Fingerprint, OutDir: outDir, Files: written})
		return nil
	}
	if !a.quiet {
		fmt.Fprintf(s.ErrOut, "Wrote %s to %s (plan %s)\n", strings.Join(written, ", "), outDir, reports.ShortFingerprint(p.Fingerprint))
	}
	return nil
}

// readPlan reads and checks a plan.json from a file or, for "-", stdin.
func readPlan(path string, stdin io.Reader) (*planner.Plan, error) {
	name := path
	r := stdin
	if path == "-" {
		name = "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("plan file: %w (give --plan the plan.json that 'licenseplan plan' wrote)", err)
		}
		defer f.Close()
		r = f
	}
	p, err := reports.ReadJSON(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

// readExecution reads apply's journal for the reports; it must belong to
// p.
func readExecution(path string, p *planner.Plan) (*reports.Execution, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--journal: %w", err)
	}
	defer f.Close()
	entries, err := apply.ReadJournal(f, path)
	if err != nil {
		return nil, fmt.Errorf("--journal: %w", err)
	}
	if fp := entries[0].Fingerprint; fp != p.Fingerprint {
		return nil, fmt.Errorf("--journal %s records plan %s, not this plan (%s): give the journal of this plan", path, fp, p.Fingerprint)
	}
	return apply.ExecutionOf(path, entries), nil
}
