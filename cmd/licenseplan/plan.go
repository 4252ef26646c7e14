package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/internal/atomicfile"
	"github.com/licenseplan/licenseplan/internal/readgc"
	"github.com/licenseplan/licenseplan/internal/suggest"
	"github.com/licenseplan/licenseplan/internal/version"
	"github.com/licenseplan/licenseplan/load"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/reports"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

const defaultOutDir = "licenseplan-out"

// binaryFormats are the formats that are not text: plan refuses to write
// them to a terminal.
var binaryFormats = map[string]bool{"xlsx": true}

func newPlanCmd(s *Streams) *cobra.Command {
	var demoFlag bool
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Plan the license migration of an org's users",
		Long: `Plan reads an org's users, resolves each user's target license against the
rule set and prints an ordered plan: prepare (enable partner accounts),
convert (change licenses in place), recreate (disable and re-enable, or
deactivate and create) and follow-up (transfer records, reassign permission
sets), with warnings and the rule and source behind every step. It never
writes to an org.

An input that looks cut off (a file of exactly 50,000 or 2,000 rows, the
Salesforce CLI's and the REST page's limits, or more seats in use in
UserLicense.csv than active users in User.csv) gets a high SNAPSHOT_INCOMPLETE
warning; --strict makes it an error.

Which org: resolved as the Salesforce CLI resolves one, and said on stderr
and in the plan's source.login:
  1. --input DIR reads a snapshot folder offline ('licenseplan query' or
     'licenseplan snapshot' makes one).
  2. -o/--target-org ALIAS (then LICENSEPLAN_TARGET_ORG, SF_TARGET_ORG, the
     config file) logs in through the Salesforce CLI; or SF_ACCESS_TOKEN with
     --instance-url; or --client-id with --jwt-key-file (and --username) or
     SF_CLIENT_SECRET (and --login-url); or SF_USERNAME with SF_PASSWORD.
     Secrets come only from the environment or the config file, never flags.
     A login missing a setting, or given a setting it would ignore, is an
     error: licenseplan never falls back to another org.
  3. The Salesforce CLI's default org (sf config get target-org).
  4. Only when nothing at all is configured, or with --demo: the built-in
     demo org, served by the org simulator inside this process over loopback.
     stderr says so, and every report carries a DEMO banner.

Targets: --targets FILE gives per-user targets (CSV: Id or Username,
TargetLicense, TargetProfile) or selectors (YAML: match/to); an unknown
license in it is an error. Without --targets the built-in preset
experience-cloud (legacy portal licenses to Experience Cloud) applies; with
--targets only the file applies, unless --preset NAME is given too, which
adds the preset after the file. --preset none turns the preset off.
Per-user rows win over selectors; the first selector that matches wins. The
demo org adds its own per-user targets so every outcome shows up. The
summary says how many users each targets file or preset matched.

Output: with no --format and no --out, a summary goes to stdout and every
file (plan.json, plan.csv, plan.xlsx, report.html, report.md, and the load
files in load/) to ./licenseplan-out/. The load files are CSV files for
Data Loader or 'sf data update bulk' / 'sf data import bulk', numbered in
the order they run, with a README.md that gives the command for each and
what to check between them (--format load alone writes only them). --format F alone writes only that format to stdout
(xlsx only when stdout is not a terminal). -d/--out DIR writes the files to
DIR, all of them or those --format lists (--format json,html), and the
summary to stdout. --json prints the summary as JSON in the Salesforce CLI's
envelope instead. 'licenseplan report' re-renders a saved plan.json later.

Sign-off: page 1 of report.html ends with a sign-off block, and report.md
has the same fields. --change-id,
--window, --backout and --approver (repeat it, one line per approver) fill
it in, as do the config keys change-id, window, backout and approvers; what
is not given is left as a blank field to fill in by hand.

Everything is checked before the org is pulled: the config, the targets
file, the preset, --format and that the output folders can be written.

Exit status: 0 on success, 1 on error; with --detailed-exitcode, 2 when the
plan has changes. GeneratedAt honours SOURCE_DATE_EPOCH for reproducible
output.`,
		Example: `  # The built-in demo org with the experience-cloud preset
  licenseplan plan

  # A sandbox through a Salesforce CLI alias; refuse production; keep the pull
  licenseplan plan -o my-sandbox --require-sandbox --save-snapshot ./snap --out ./plan

  # A large org: Bulk API 2.0 for every object, keeping 20% of the daily API limit
  licenseplan plan -o big-sandbox --api bulk --api-reserve 20% --out ./plan

  # A snapshot, JSON only, to stdout
  licenseplan plan --input ./snapshot --format json > plan.json

  # Per-user targets only; only the spreadsheet and the HTML report, into ./plan
  licenseplan plan --input ./snapshot --targets targets.csv --format xlsx,html --out ./plan

  # Per-user targets, then the preset for everyone else
  licenseplan plan --input ./snapshot --targets targets.csv --preset experience-cloud

  # Selectors only, and fail a pipeline step when there is work to do
  licenseplan plan --input ./snapshot --targets targets.yaml --preset none --detailed-exitcode

  # The change board's report, with the change record filled in
  licenseplan plan -o my-sandbox --out ./plan --change-id CHG0012345 \
    --window "2027-01-09 20:00-23:00 UTC" --backout https://wiki.example/CHG0012345 \
    --approver "Ada Lovelace (CRM owner)" --approver "Grace Hopper (security)"

  # The summary as JSON, for a script
  licenseplan plan -o my-sandbox --out ./plan --json

  # An org simulator started in another terminal with 'licenseplan orgsim serve'
  SF_INSTANCE_URL=http://127.0.0.1:8642 SF_ACCESS_TOKEN='00D...' licenseplan plan`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loginConfig(cmd, s)
			if err != nil {
				return err
			}
			return runPlan(cmd.Context(), s, cfg, demoFlag)
		},
	}
	f := cmd.Flags()
	f.String("config", "", "config `file` (YAML; also LICENSEPLAN_CONFIG)")
	f.StringP("input", "i", "", "snapshot `folder` of CSV files, read offline")
	f.BoolVar(&demoFlag, "demo", false, "plan the built-in demo org (the default only when no org is configured)")
	f.StringP("targets", "t", "", "targets `file`: .csv per-user rows or .yaml selectors")
	f.String("preset", "", "built-in targets `preset`: experience-cloud (the default without --targets) or none; with --targets it applies after the file only when named")
	f.StringP("out", "d", "", "write plan.json, plan.csv, plan.xlsx, report.html and report.md (or the --format list) into `folder`")
	f.StringP("format", "f", "", "`formats`: without --out one of text, json, csv, md, html, xlsx to stdout; with --out a comma-separated list of files to write")
	f.Bool("include-inactive", false, "plan inactive users instead of skipping them")
	f.Bool("detailed-exitcode", false, "exit 2 when the plan has changes, 0 when it has none")
	f.BoolP("quiet", "q", false, "print no notes on stderr")
	f.Bool("strict", false, "fail, writing nothing, when the input looks incomplete (SNAPSHOT_INCOMPLETE)")
	addSignOffFlags(f)
	addLiveFlags(f)
	return cmd
}

// errIncomplete is --strict's error for an input that looks incomplete.
var errIncomplete = errors.New("the input looks incomplete")

// strictCheck is --strict: a SNAPSHOT_INCOMPLETE warning stops the run
// before any file is written.
func strictCheck(p *planner.Overview) error {
	var msgs []string
	for _, w := range p.Warnings {
		if w.Code == rules.SnapshotIncomplete {
			msgs = append(msgs, w.Message)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("--strict: %w (%s): %s", errIncomplete, rules.SnapshotIncomplete, strings.Join(msgs, "; "))
}

// planOutput is what plan writes where: files into dir (none when dir is
// ""), and one format to stdout.
type planOutput struct {
	dir    string
	files  []string // formats whose files go into dir
	stdout string   // the format written to stdout ("" with --json)
}

// planOutputs checks --format and --out against each other, before anything
// is read.
func planOutputs(s *Streams, cfg *Config) (planOutput, error) {
	list, err := parseFormats(cfg.Format, append(reports.Formats(), loadFormat))
	if err != nil {
		return planOutput{}, err
	}
	if s.JSON && len(list) > 0 && cfg.Out == "" {
		return planOutput{}, flagErrorf("--json prints the summary in an envelope, --format %s prints the plan: keep one "+
			"(--format json is the plan itself; with --out, --format chooses the files)", cfg.Format)
	}
	stdout := "text"
	if s.JSON {
		stdout = ""
	}
	switch {
	case cfg.Out == "" && len(list) == 0:
		return planOutput{dir: defaultOutDir, files: fileFormats(), stdout: stdout}, nil
	case cfg.Out == "" && len(list) > 1:
		return planOutput{}, flagErrorf("--format %s: several formats need --out DIR to write them as files (one format can go to stdout)", cfg.Format)
	case cfg.Out == "" && list[0] == loadFormat:
		return planOutput{}, flagErrorf("--format load writes a folder of files: give --out DIR (they go to DIR/load/)")
	case cfg.Out == "":
		if binaryFormats[list[0]] && s.OutTTY {
			return planOutput{}, flagErrorf("--format %s is a binary file and stdout is a terminal: redirect it (> plan.%s) or use --out DIR", list[0], list[0])
		}
		return planOutput{stdout: list[0]}, nil
	case len(list) == 0:
		return planOutput{dir: cfg.Out, files: fileFormats(), stdout: stdout}, nil
	}
	var files []string
	for _, f := range list {
		if _, ok := outputName(f); !ok {
			return planOutput{}, flagErrorf("--format %s: %s has no file (it is the summary on stdout); with --out, list file formats: %s",
				cfg.Format, f, strings.Join(fileFormats(), ", "))
		}
		files = append(files, f)
	}
	return planOutput{dir: cfg.Out, files: files, stdout: stdout}, nil
}

// parseFormats parses a comma-separated format list against valid, in the
// order given and without repeats. An empty list is nil.
func parseFormats(list string, valid []string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var out []string
	for _, f := range strings.Split(list, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		if !slices.Contains(valid, f) {
			hint := ""
			if near, ok := suggest.Nearest(f, valid); ok {
				hint = fmt.Sprintf(" (did you mean %s?)", near)
			}
			return nil, flagErrorf("--format %q%s: want one or more of %s, separated by commas", f, hint, strings.Join(valid, ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, flagErrorf("--format %q names no format: want one or more of %s, separated by commas", list, strings.Join(valid, ", "))
	}
	return out, nil
}

// planResult is plan's --json result: what a script needs to know without
// reading plan.json.
type planResult struct {
	Fingerprint string              `json:"fingerprint,omitempty"`
	OutDir      string              `json:"outDir,omitempty"`
	Files       []string            `json:"files"`
	Source      any                 `json:"source"` // reports.SourceJSON: plan.json's shape
	Targets     []planner.TargetUse `json:"targets"`
	Summary     planner.Summary     `json:"summary"`
	Warnings    []planner.Warning   `json:"warnings"`
}

func runPlan(ctx context.Context, s *Streams, cfg *Config, demoFlag bool) error {
	// Everything the user gave is checked before the org is pulled: a typo
	// must not cost a 200,000-user pull.
	out, err := planOutputs(s, cfg)
	if err != nil {
		return err
	}
	table, err := cfg.ruleTable()
	if err != nil {
		return err
	}
	ownerRoles, err := cfg.ownerRoles()
	if err != nil {
		return err
	}
	in, err := cfg.resolveInput(ctx, s, demoFlag)
	if err != nil {
		return err
	}
	// A targets file is parsed while a snapshot folder is read (below):
	// the read leaves most of a core idle, and a million per-user rows take
	// about a second. Before a pull or the demo it is parsed first, so a
	// typo in it costs no API call.
	var tg *targets.Set
	if cfg.Input == "" {
		if tg, err = loadTargets(cfg, table, in.demo); err != nil {
			return err
		}
	}
	if out.dir != "" {
		if err := checkWritableDir(out.dir, "--out"); err != nil {
			return err
		}
	}
	if err := checkSaveSnapshot(cfg); err != nil {
		return err
	}
	announceInput(s, cfg, in)

	if (out.dir != "" || out.stdout != "text") && cfg.Input != "" {
		// Planning holds the snapshot and writing holds the plan: keep
		// the heap near what reading needs (internal/readgc). Only the
		// terminal summary alone builds no plan.
		defer readgc.ForRun(ctx, cfg.Input, s.Getenv, targetsMemory(cfg))()
	}
	var snap *org.Snapshot
	var src planner.Source
	if cfg.Input == "" {
		snap, src, err = loadPlanInput(ctx, s, cfg, in)
	} else {
		snap, src, tg, err = readWithTargets(ctx, s, cfg, in, table)
	}
	if err != nil {
		return err
	}
	src.Targets = tg.Describe
	src.Login = in.sourceLogin()
	src.Tool = version.Tool()
	now, err := generatedAt(s)
	if err != nil {
		return err
	}
	// The terminal summary alone needs only the plan's overview, so the
	// users' steps are not laid out (most of a large plan's memory).
	opts := planner.Options{IncludeInactive: cfg.IncludeInactive, Now: now, Source: src, OwnerRoles: ownerRoles}
	var plan *planner.Plan
	var ov *planner.Overview
	if out.dir == "" && out.stdout == "text" {
		ov = planner.Summarize(snap, table, tg, opts)
	} else {
		plan = planner.Build(snap, table, tg, opts)
		ov = &plan.Overview
		// The fingerprint costs one JSON encoding of the plan, so it is
		// computed only when a written format shows it (the terminal
		// summary does not), and while plan.json is written when it is
		// one of the files (writeFiles) or the one output
		// (writeJSONStdout).
		jsonOnly := out.dir == "" && out.stdout == "json"
		jsonFile := out.dir != "" && slices.Contains(out.files, "json")
		if !jsonOnly && !jsonFile {
			if err := reports.SetFingerprint(ctx, plan); err != nil {
				return err
			}
		}
	}
	if cfg.Strict {
		if err := strictCheck(ov); err != nil {
			return err
		}
	}
	var files []string
	if out.dir != "" {
		if files, err = writeFiles(ctx, out.dir, plan, sortedByFile(out.files), reportExtras{signOff: cfg.signOff()}); err != nil {
			return err
		}
	}
	switch {
	case plan == nil:
		if err := (reports.Text{Color: s.ColorOut()}).WriteOverview(ctx, s.Out, ov); err != nil {
			return fmt.Errorf("writing text to stdout: %w", err)
		}
	case out.stdout == "json" && plan.Fingerprint == "":
		if err := writeJSONStdout(ctx, s, plan); err != nil {
			return err
		}
	case out.stdout != "":
		if err := writeFormat(ctx, s, out.stdout, plan, cfg.signOff()); err != nil {
			return err
		}
	}
	if len(files) > 0 && s.human() && !cfg.Quiet {
		fmt.Fprintf(s.ErrOut, "Wrote %s to %s\n", strings.Join(files, ", "), out.dir)
	}
	for _, n := range ov.Notes {
		s.note(cfg.Quiet, "%s", n)
	}
	if s.JSON {
		r := planResult{OutDir: out.dir, Files: nonNil(files), Source: reports.SourceJSON(ov.Source), Targets: ov.Targets, Summary: ov.Summary, Warnings: ov.Warnings}
		if plan != nil {
			r.Fingerprint = plan.Fingerprint
		}
		s.setResult(r)
	}
	if cfg.DetailedExitcode && ov.HasChanges() {
		return errChanges
	}
	return nil
}

// announceInput says on stderr which org is read and why. The demo notice,
// when nothing was configured, is printed even with --quiet: a plan of the
// wrong org is the worst result, and this is the one line that says so.
func announceInput(s *Streams, cfg *Config, in input) {
	switch {
	case in.implicit:
		fmt.Fprintln(s.ErrOut, demoNotice)
		if s.JSON {
			s.warnings = append(s.warnings, demoNotice)
		}
	case in.auth != nil && s.human() && !cfg.Quiet:
		fmt.Fprintf(s.ErrOut, "Org: %s (from %s)\n", in.auth.Method(), in.from)
	}
}

// sortedByFile orders formats by their file names (plan.* then report.*),
// with the load folder last.
func sortedByFile(formats []string) []string {
	out := slices.Clone(formats)
	slices.SortFunc(out, func(a, b string) int {
		switch {
		case a == loadFormat && b != loadFormat:
			return 1
		case b == loadFormat && a != loadFormat:
			return -1
		}
		fa, _ := outputName(a)
		fb, _ := outputName(b)
		return strings.Compare(fa, fb)
	})
	return out
}

// readInput reads the snapshot folder --input.
func readInput(ctx context.Context, s *Streams, cfg *Config) (*org.Snapshot, planner.Source, error) {
	st, err := os.Stat(cfg.Input)
	if err != nil {
		return nil, planner.Source{}, fmt.Errorf("input folder: %w (give --input the folder that holds User.csv)", err)
	}
	if !st.IsDir() {
		return nil, planner.Source{}, fmt.Errorf("input %s is not a folder: give --input the folder that holds User.csv", cfg.Input)
	}
	defer readgc.ForReading(ctx, cfg.Input, s.Getenv, targetsMemory(cfg))()
	snap, err := org.ReadSnapshot(ctx, os.DirFS(cfg.Input), cfg.Input)
	if err != nil {
		return nil, planner.Source{}, err
	}
	return snap, planner.Source{Kind: "snapshot", Path: cfg.Input, Files: snap.Files}, nil
}

// readWithTargets reads the snapshot folder --input and, meanwhile, the
// targets (loadTargets). An error in the targets stops the read and is the
// one returned: it is what the user is to fix first.
func readWithTargets(ctx context.Context, s *Streams, cfg *Config, in input, table *rules.Table) (*org.Snapshot, planner.Source, *targets.Set, error) {
	readCtx, stop := context.WithCancel(ctx)
	defer stop()
	var tg *targets.Set
	var tgErr error
	parsed := make(chan struct{})
	go func() {
		defer close(parsed)
		if tg, tgErr = loadTargets(cfg, table, in.demo); tgErr != nil {
			stop()
		}
	}()
	snap, src, err := loadPlanInput(readCtx, s, cfg, in)
	<-parsed
	switch {
	case tgErr != nil:
		return nil, src, nil, tgErr
	case err != nil:
		return nil, src, nil, err
	}
	return snap, src, tg, nil
}

// targetsMemory is about what parsing --targets keeps while the snapshot
// is read, for readgc's limit: a per-user CSV takes about twice its size
// once parsed (a million rows, 89 MB, took 184 MB); selectors are small.
// Three times its size, for the garbage too, was no faster and peaked 90 MB
// higher (1.29 GB against 1.20 GB at a million users).
func targetsMemory(cfg *Config) int64 {
	if cfg.Input == "" || !strings.EqualFold(filepath.Ext(cfg.Targets), ".csv") {
		return 0
	}
	st, err := os.Stat(cfg.Targets)
	if err != nil {
		return 0
	}
	return 2 * st.Size()
}

// loadTargets combines --targets, the demo's own targets and the preset.
//
// The preset applies by default (experience-cloud) only when no --targets
// is given: a targets file says what its author wants, and a preset added
// behind it would convert users the file never named. An explicit
// --preset NAME with --targets combines them (the file's rows and
// selectors first); --preset none turns the preset off. The built-in demo
// org, without --targets, keeps its own per-user targets plus the default
// preset.
func loadTargets(cfg *Config, table *rules.Table, demoInput bool) (*targets.Set, error) {
	cat := table.Catalog
	var sets []*targets.Set
	if cfg.Targets != "" {
		t, err := readTargetsFile(cfg.Targets, cat)
		if err != nil {
			return nil, err
		}
		sets = append(sets, t)
	} else if demoInput {
		t, err := targets.ParseCSV("demo targets.csv", bytes.NewReader(demo.Targets()), cat)
		if err != nil {
			return nil, fmt.Errorf("built-in demo targets: %w", err)
		}
		sets = append(sets, t)
	}
	preset := cfg.Preset
	if preset == "" && cfg.Targets == "" {
		preset = "experience-cloud"
	}
	if preset != "" && preset != "none" {
		p, err := targets.Preset(preset, cat)
		if err != nil {
			return nil, flagErrorf("--preset: %w", err)
		}
		sets = append(sets, p)
	}
	return targets.Merge(sets...)
}

// readTargetsFile reads a targets file: a CSV is streamed (no row may exceed
// targets.MaxCSVRow), a YAML file is read only up to targets.MaxYAMLBytes
// and one byte more, so a huge file is refused without reading it all.
func readTargetsFile(path string, cat targets.Licenses) (*targets.Set, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".csv" && ext != ".yaml" && ext != ".yml" {
		return nil, flagErrorf("targets file %s: want a .csv (per-user rows) or .yaml (selectors) file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("targets file: %w", err)
	}
	defer f.Close()
	if ext == ".csv" {
		return targets.ParseCSV(path, f, cat)
	}
	data, err := io.ReadAll(io.LimitReader(f, targets.MaxYAMLBytes+1))
	if err != nil {
		return nil, fmt.Errorf("targets file: %w", err)
	}
	return targets.ParseYAML(path, data, cat)
}

// generatedAt is now, or SOURCE_DATE_EPOCH when set (reproducible output).
func generatedAt(s *Streams) (time.Time, error) {
	if v := s.Getenv("SOURCE_DATE_EPOCH"); v != "" {
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: want seconds since 1970-01-01 UTC", v)
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	return time.Now().UTC().Truncate(time.Second), nil
}

func writeFormat(ctx context.Context, s *Streams, format string, p *planner.Plan, so reports.SignOff) error {
	var w reports.Writer
	switch format {
	case "text":
		w = reports.Text{Color: s.ColorOut()}
	case "html":
		w = reports.HTML{SignOff: so}
	case "md":
		w = reports.Markdown{SignOff: so}
	default:
		var err error
		if w, err = reports.ForFormat(format); err != nil {
			return err
		}
	}
	if err := w.Write(ctx, s.Out, p); err != nil {
		return fmt.Errorf("writing %s to stdout: %w", format, err)
	}
	return nil
}

// writeJSONStdout writes plan.json for p, which has no fingerprint yet,
// to stdout, and sets p.Fingerprint. plan.json's header holds the
// fingerprint of everything after it, and a pipe cannot be rewritten the
// way a file is (reports.JSON.WriteFingerprint); so the plan is encoded
// once into a temporary file (mode 0600, removed before return), then
// copied, instead of being encoded twice: once for the hash, once to
// write. For a million users the second encoding cost about 5 s and a
// copy well under one (README "Performance"). If the temporary file
// cannot be written (no space, say), nothing has reached stdout yet and
// the plan is encoded twice after all.
func writeJSONStdout(ctx context.Context, s *Streams, p *planner.Plan) error {
	fp, err := spoolJSON(ctx, s.Out, p)
	if err == nil {
		p.Fingerprint = fp
		return nil
	}
	if ctx.Err() != nil || errors.Is(err, errStdout) {
		return err
	}
	if err := reports.SetFingerprint(ctx, p); err != nil {
		return err
	}
	return writeFormat(ctx, s, "json", p, reports.SignOff{})
}

// errStdout marks a failure to write stdout itself: spoolJSON's caller
// must not write the plan a second time after it.
var errStdout = errors.New("stdout")

// spoolJSON writes plan.json for p through a temporary file to out and
// returns its fingerprint.
func spoolJSON(ctx context.Context, out io.Writer, p *planner.Plan) (string, error) {
	f, err := os.CreateTemp("", "licenseplan-plan-*.json")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	fp, err := reports.JSON{}.WriteFingerprint(ctx, f, p)
	if err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	if _, err := io.Copy(out, f); err != nil {
		return "", fmt.Errorf("writing json to %w: %w", errStdout, err)
	}
	return fp, nil
}

// loadFormat is the --format name of the load files (package load): a
// folder, load/, rather than one file.
const loadFormat = "load"

// outputName is the name format is written as inside the output folder:
// the report's file name, or "load/" for the load files.
func outputName(format string) (string, bool) {
	if format == loadFormat {
		return loadFormat + "/", true
	}
	return reports.FileName(format)
}

// fileFormats returns the formats written into an output folder, sorted.
func fileFormats() []string {
	fs := []string{loadFormat}
	for _, f := range reports.Formats() {
		if _, ok := reports.FileName(f); ok {
			fs = append(fs, f)
		}
	}
	slices.Sort(fs)
	return fs
}

// reportExtras is what the HTML and Markdown reports show besides the
// plan: what apply did (exec, from report --journal; nil for none) and
// the sign-off fields.
type reportExtras struct {
	exec    *reports.Execution
	signOff reports.SignOff
}

// writeFiles writes each of formats into dir and returns their names, in
// that order. Each file is written to a temporary name and renamed, so a
// failed run never leaves a half-written plan behind.
//
// The writers are independent and run at the same time, but for the
// fingerprint: when p has none yet and plan.json is among the files, it is
// computed while plan.json is written (reports.JSON.WriteFingerprint).
// The formats that do not show it (plan.csv) are written alongside;
// plan.xlsx too, waiting for it only at its page headers
// (reports.XLSX.FingerprintLater); the others start as soon as plan.json
// has it, beside plan.xlsx's rows, which take longest. The files are the
// bytes they are when written one by one (TestWriteFilesConcurrently). The first error in
// formats' order is returned, and stops the other writers.
func writeFiles(ctx context.Context, dir string, p *planner.Plan, formats []string, x reportExtras) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output folder %s: %w", dir, pathError(err))
	}
	written := make([]string, len(formats))
	for i, format := range formats {
		name, ok := outputName(format)
		if !ok {
			return nil, fmt.Errorf("format %q has no output file", format)
		}
		written[i] = name
	}
	var fp *fingerprintFuture
	if p.Fingerprint == "" && slices.Contains(formats, "json") {
		fp = newFingerprintFuture()
	}
	got, err := writeConcurrently(ctx, dir, p, formats, x, fp)
	if err != nil {
		return nil, err
	}
	if got != "" {
		p.Fingerprint = got
	}
	return written, nil
}

// fingerprintFuture is the fingerprint plan.json computes as it is
// written, for a writer that runs beside it.
type fingerprintFuture struct {
	done  chan struct{}
	value string
	err   error
}

func newFingerprintFuture() *fingerprintFuture {
	return &fingerprintFuture{done: make(chan struct{})}
}

func (f *fingerprintFuture) set(v string, err error) {
	if err == nil && v == "" {
		err = errors.New("plan.json gave no fingerprint")
	}
	f.value, f.err = v, err
	close(f.done)
}

// get waits for the fingerprint, or for ctx to end.
func (f *fingerprintFuture) get(ctx context.Context) (string, error) {
	select {
	case <-f.done:
		if f.err != nil {
			return "", fmt.Errorf("plan.json was not written: %w", f.err)
		}
		return f.value, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// showsFingerprint reports whether format shows the plan's fingerprint:
// the load folder's README.md does.
func showsFingerprint(format string) bool {
	return format == loadFormat || reports.ShowsFingerprint(format)
}

// writeConcurrently writes formats into dir, each in its own goroutine,
// and returns the fingerprint plan.json computed, if it did (p has none).
// The first error in formats' order is returned; a writer's error stops
// the others, whose context.Canceled is not the one to report.
func writeConcurrently(ctx context.Context, dir string, p *planner.Plan, formats []string, x reportExtras, fp *fingerprintFuture) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(formats))
	var fingerprint string
	var wg sync.WaitGroup
	for i, format := range formats {
		wg.Go(func() {
			var got string
			got, errs[i] = writeOutput(ctx, dir, p, format, x, fp)
			if errs[i] != nil {
				cancel()
			}
			if format == "json" {
				fingerprint = got
			}
		})
	}
	wg.Wait()
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || errors.Is(first, context.Canceled) && !errors.Is(err, context.Canceled)) {
			first = err
		}
	}
	return fingerprint, first
}

// writeOutput writes format into dir. plan.json of a plan with no
// fingerprint yet is written with the fingerprint computed as it is
// written, and returned; p is not changed.
func writeOutput(ctx context.Context, dir string, p *planner.Plan, format string, x reportExtras, fp *fingerprintFuture) (string, error) {
	if fp != nil && p.Fingerprint == "" && format != "json" && format != "xlsx" && showsFingerprint(format) {
		// This format shows the fingerprint from its first page: it
		// starts once plan.json has it, on a copy of the plan that has
		// it (the other writers read p meanwhile).
		v, err := fp.get(ctx)
		if err != nil {
			return "", err
		}
		q := *p
		q.Fingerprint = v
		p = &q
	}
	if format == loadFormat {
		return "", load.WriteDir(ctx, filepath.Join(dir, loadFormat), p, load.Build(p))
	}
	name, _ := outputName(format)
	path := filepath.Join(dir, name)
	if format == "json" && p.Fingerprint == "" {
		var got string
		err := atomicfile.WriteFile(ctx, path, 0o644, func(f *atomicfile.File) error {
			var err error
			got, err = reports.JSON{}.WriteFingerprint(ctx, f, p)
			return err
		})
		if fp != nil {
			fp.set(got, err)
		}
		return got, err
	}
	w, err := reports.ForFormat(format)
	if err != nil {
		return "", err
	}
	switch format {
	case "xlsx":
		if fp != nil && p.Fingerprint == "" {
			w = reports.XLSX{FingerprintLater: func() (string, error) { return fp.get(ctx) }}
		}
	case "html":
		w = reports.HTML{Execution: x.exec, SignOff: x.signOff}
	case "md":
		w = reports.Markdown{Execution: x.exec, SignOff: x.signOff}
	}
	return "", atomicfile.Write(ctx, path, 0o644, func(f io.Writer) error { return w.Write(ctx, f, p) })
}

// addSignOffFlags adds the flags of the sign-off block (plan and report):
// each binds the config key of its name (--approver: approvers).
func addSignOffFlags(f *pflag.FlagSet) {
	f.String("change-id", "", "change request `id` for the sign-off block of report.html (config change-id)")
	f.String("window", "", "implementation `window` for the sign-off, such as \"2027-01-09 20:00-23:00 UTC\" (config window)")
	f.String("backout", "", "where the backout plan is: a `document`, ticket or URL (config backout)")
	f.StringArray("approver", nil, "an approver's `name` or role, one signature line each; repeat it (config approvers)")
}
