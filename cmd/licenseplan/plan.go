package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/internal/atomicfile"
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
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Plan the license migration of an org's users",
		Long: `Plan reads an org's users, resolves each user's target license against the
rule set and prints an ordered plan: prepare (enable partner accounts),
convert (change licenses in place), recreate (disable and re-enable, or
deactivate and create) and follow-up (transfer records, reassign permission
sets), with warnings and the rule and source behind every step.

Input: --input DIR reads a snapshot folder (see 'licenseplan query' to export
one with the Salesforce CLI). Without any input the built-in demo org is
served by the org simulator (orgsim) inside this process and pulled over
loopback HTTP, the same way a real org is. A live org is pulled read-only instead with --target-org ALIAS, or
SF_ACCESS_TOKEN with --instance-url, or --client-id with --jwt-key-file or
SF_CLIENT_SECRET, or SF_USERNAME with SF_PASSWORD (secrets only from the
environment or the config file, never flags).

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
file (plan.json, plan.csv, plan.xlsx, report.html, report.md) to
./licenseplan-out/. --format F alone writes only that format to stdout
(xlsx only when stdout is not a terminal). --out DIR writes every file to
DIR (and the summary, or --format F, to stdout). 'licenseplan report'
re-renders a saved plan.json later.

Exit status: 0 on success, 1 on error; with --detailed-exitcode, 2 when the
plan has changes. GeneratedAt honours SOURCE_DATE_EPOCH for reproducible
output.`,
		Example: `  # The built-in demo org with the experience-cloud preset
  licenseplan plan

  # A snapshot, JSON only, to stdout
  licenseplan plan --input ./snapshot --format json > plan.json

  # Per-user targets only, files into ./plan
  licenseplan plan --input ./snapshot --targets targets.csv --out ./plan

  # Per-user targets, then the preset for everyone else
  licenseplan plan --input ./snapshot --targets targets.csv --preset experience-cloud

  # Selectors only, and fail a pipeline step when there is work to do
  licenseplan plan --input ./snapshot --targets targets.yaml --preset none --detailed-exitcode

  # A sandbox through a Salesforce CLI alias; refuse production; keep the pull
  licenseplan plan --target-org my-sandbox --require-sandbox --save-snapshot ./snap --out ./plan

  # An org simulator started in another terminal with 'licenseplan orgsim serve'
  SF_INSTANCE_URL=http://127.0.0.1:8642 SF_ACCESS_TOKEN='00D...' licenseplan plan`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, s)
			if err != nil {
				return err
			}
			return runPlan(cmd.Context(), s, cfg)
		},
	}
	f := cmd.Flags()
	f.String("config", "", "config `file` (YAML; also LICENSEPLAN_CONFIG)")
	f.StringP("input", "i", "", "snapshot `folder` of CSV files (default: the built-in demo org)")
	f.StringP("targets", "t", "", "targets `file`: .csv per-user rows or .yaml selectors")
	f.String("preset", "", "built-in targets `preset`: experience-cloud (the default without --targets) or none; with --targets it applies after the file only when named")
	f.StringP("out", "o", "", "write plan.json, plan.csv, plan.xlsx, report.html and report.md into `folder`")
	f.StringP("format", "f", "", "write this format to stdout: text, json, csv, md, html or xlsx")
	f.Bool("include-inactive", false, "plan inactive users instead of skipping them")
	f.Bool("detailed-exitcode", false, "exit 2 when the plan has changes, 0 when it has none")
	f.BoolP("quiet", "q", false, "print no notes on stderr")
	addLiveFlags(f)
	return cmd
}

func runPlan(ctx context.Context, s *Streams, cfg *Config) error {
	if cfg.Format != "" && !slices.Contains(reports.Formats(), cfg.Format) {
		return flagErrorf("--format %q: want one of %s", cfg.Format, strings.Join(reports.Formats(), ", "))
	}
	if binaryFormats[cfg.Format] && s.OutTTY {
		return flagErrorf("--format %s is a binary file and stdout is a terminal: redirect it (> plan.%s) or use --out DIR", cfg.Format, cfg.Format)
	}
	table, err := cfg.ruleTable()
	if err != nil {
		return err
	}
	snap, src, err := loadPlanInput(ctx, s, cfg)
	if err != nil {
		return err
	}
	tg, err := loadTargets(cfg, table)
	if err != nil {
		return err
	}
	src.Targets = tg.Describe
	now, err := generatedAt(s)
	if err != nil {
		return err
	}
	// The terminal summary alone needs only the plan's aggregates, so the
	// users and steps are not written out (most of a large plan's memory).
	summaryOnly := cfg.Out == "" && cfg.Format == "text"
	plan := planner.Build(snap, table, tg, planner.Options{IncludeInactive: cfg.IncludeInactive, Now: now, Source: src, SummaryOnly: summaryOnly})
	// The fingerprint costs one JSON encoding of the plan, so it is computed
	// only when a written format shows it (the terminal summary does not).
	if cfg.Out != "" || cfg.Format != "text" {
		if err := reports.SetFingerprint(ctx, plan); err != nil {
			return err
		}
	}

	if cfg.Out == "" && cfg.Format != "" {
		if err := writeFormat(ctx, s, cfg.Format, plan); err != nil {
			return err
		}
	} else {
		dir := cfg.Out
		if dir == "" {
			dir = defaultOutDir
		}
		files, err := writeFiles(ctx, dir, plan, nil)
		if err != nil {
			return err
		}
		format := cfg.Format
		if format == "" {
			format = "text"
		}
		if err := writeFormat(ctx, s, format, plan); err != nil {
			return err
		}
		if !cfg.Quiet {
			fmt.Fprintf(s.ErrOut, "Wrote %s to %s\n", strings.Join(files, ", "), dir)
		}
	}
	if !cfg.Quiet {
		for _, n := range plan.Notes {
			fmt.Fprintf(s.ErrOut, "note: %s\n", n)
		}
	}
	if cfg.DetailedExitcode && hasChanges(plan) {
		return errChanges
	}
	return nil
}

func hasChanges(p *planner.Plan) bool {
	for _, o := range rules.Outcomes {
		if o.IsChange() && p.Summary.Count(o) > 0 {
			return true
		}
	}
	return false
}

// loadInput reads the snapshot folder, or pulls the built-in demo org
// through the in-process org simulator (pullDemo).
func loadInput(ctx context.Context, s *Streams, cfg *Config) (*org.Snapshot, planner.Source, error) {
	if cfg.Input == "" {
		return pullDemo(ctx, s, cfg)
	}
	st, err := os.Stat(cfg.Input)
	if err != nil {
		return nil, planner.Source{}, fmt.Errorf("input folder: %w (give --input the folder that holds User.csv)", err)
	}
	if !st.IsDir() {
		return nil, planner.Source{}, fmt.Errorf("input %s is not a folder: give --input the folder that holds User.csv", cfg.Input)
	}
	defer gcForReading(s, cfg.Input)()
	snap, err := org.ReadSnapshot(ctx, os.DirFS(cfg.Input), cfg.Input)
	if err != nil {
		return nil, planner.Source{}, err
	}
	return snap, planner.Source{Kind: "snapshot", Path: cfg.Input, Files: snap.Files}, nil
}

// gcForReading sets the garbage collector for reading the snapshot folder
// dir and returns the function that restores it. The reader fills slices
// sized up front (a million users take 256 MB); a collection that starts
// before they are filled reads their untouched pages, which makes every
// later write to them a copy-on-write page fault, about 0.3 s for a
// million users. So while reading, the collector is off with a soft memory
// limit of twice the folder's size instead (a snapshot takes about 1.3
// times its files' size in memory): it runs only near that limit. For a
// million users (392 MB of CSV) peak RSS is about 870 MB, against 780 MB
// with the default setting. A GOGC or GOMEMLIMIT in the environment is left
// alone.
func gcForReading(s *Streams, dir string) (restore func()) {
	if s.Getenv("GOGC") != "" || s.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return func() {}
	}
	var size int64
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			size += info.Size()
		}
	}
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(max(2*size, 64<<20))
	return func() {
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(percent)
	}
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
func loadTargets(cfg *Config, table *rules.Table) (*targets.Set, error) {
	cat := table.Catalog
	var sets []*targets.Set
	if cfg.Targets != "" {
		t, err := readTargetsFile(cfg.Targets, cat)
		if err != nil {
			return nil, err
		}
		sets = append(sets, t)
	} else if cfg.isDemoInput() {
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

func writeFormat(ctx context.Context, s *Streams, format string, p *planner.Plan) error {
	var w reports.Writer
	if format == "text" {
		w = reports.Text{Color: s.ColorOut()}
	} else {
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

// fileFormats returns the formats that have an output file, sorted.
func fileFormats() []string {
	var fs []string
	for _, f := range reports.Formats() {
		if _, ok := reports.FileName(f); ok {
			fs = append(fs, f)
		}
	}
	return fs
}

// writeFiles writes each of formats (every format with a file when formats
// is nil) into dir. Each file is written to a temporary name and renamed, so
// a failed run never leaves a half-written plan behind.
func writeFiles(ctx context.Context, dir string, p *planner.Plan, formats []string) ([]string, error) {
	if formats == nil {
		// Every file, in file-name order: plan.* then report.*.
		formats = fileFormats()
		slices.SortFunc(formats, func(a, b string) int {
			fa, _ := reports.FileName(a)
			fb, _ := reports.FileName(b)
			return strings.Compare(fa, fb)
		})
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	var written []string
	for _, format := range formats {
		name, ok := reports.FileName(format)
		if !ok {
			return nil, fmt.Errorf("format %q has no output file", format)
		}
		w, err := reports.ForFormat(format)
		if err != nil {
			return nil, err
		}
		if err := atomicfile.Write(ctx, filepath.Join(dir, name), 0o644, func(f io.Writer) error { return w.Write(ctx, f, p) }); err != nil {
			return nil, err
		}
		written = append(written, name)
	}
	return written, nil
}
