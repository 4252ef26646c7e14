package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
)

func newSnapshotCmd(s *Streams) *cobra.Command {
	var demoFlag bool
	var outDir string
	cmd := &cobra.Command{
		Use:   "snapshot --out DIR",
		Short: "Pull an org into a snapshot folder, without planning",
		Long: `Snapshot pulls an org read-only, as plan does, and writes it as a snapshot
folder of CSV files (the format 'licenseplan plan --input' reads), without
planning. Plan it later, offline and as often as needed, with
'licenseplan plan --input DIR'; or keep it as the record of what the org
looked like when a plan was approved.

The org is chosen as plan chooses it: -o/--target-org ALIAS (or
SF_TARGET_ORG, or another login; see 'licenseplan plan --help'), else the
Salesforce CLI's default org, else, only when nothing is configured, the
built-in demo org. Files of an earlier snapshot in DIR that this pull does
not fill are removed, so a folder never mixes two pulls; the files are
written with mode 600, as they hold user data.`,
		Example: `  licenseplan snapshot -o my-sandbox --out ./snap
  licenseplan snapshot -o big-sandbox --api bulk --out ./snap
  licenseplan plan --input ./snap --targets targets.csv --out ./plan`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loginConfig(cmd, s)
			if err != nil {
				return err
			}
			return runSnapshot(cmd.Context(), s, cfg, outDir, demoFlag)
		},
	}
	f := cmd.Flags()
	f.String("config", "", "config `file` for the login settings (YAML; also LICENSEPLAN_CONFIG)")
	f.StringVarP(&outDir, "out", "d", "", "snapshot `folder` to write (required)")
	f.BoolVar(&demoFlag, "demo", false, "snapshot the built-in demo org")
	f.BoolP("quiet", "q", false, "print no notes on stderr")
	addLiveFlags(f)
	_ = f.MarkHidden("save-snapshot") // snapshot writes a snapshot anyway
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

// snapshotResult is snapshot's --json result.
type snapshotResult struct {
	OutDir string         `json:"outDir"`
	Files  []string       `json:"files"`
	Users  int            `json:"users"`
	Source planner.Source `json:"source"`
}

func runSnapshot(ctx context.Context, s *Streams, cfg *Config, outDir string, demoFlag bool) error {
	if cfg.Live.SaveSnapshot != "" {
		return flagErrorf("snapshot writes its snapshot to --out; --save-snapshot is for plan")
	}
	cfg.Input = "" // a config file's input is plan's; snapshot always pulls
	if strings.TrimSpace(outDir) == "" {
		return flagErrorf("--out is empty: give the folder to write the snapshot into")
	}
	in, err := cfg.resolveInput(ctx, s, demoFlag)
	if err != nil {
		return err
	}
	if err := checkWritableDir(outDir, "--out"); err != nil {
		return err
	}
	announceInput(s, cfg, in)
	snap, src, err := loadPlanInput(ctx, s, cfg, in)
	if err != nil {
		return err
	}
	src.Login = in.sourceLogin()
	if err := org.WriteSnapshot(ctx, outDir, snap); err != nil {
		return fmt.Errorf("writing the snapshot to %s: %w", outDir, err)
	}
	if s.JSON {
		s.setResult(snapshotResult{OutDir: outDir, Files: nonNil(snap.Files), Users: len(snap.Users), Source: src})
		return nil
	}
	if !cfg.Quiet {
		fmt.Fprintf(s.ErrOut, "Wrote a snapshot of %d users (%s) to %s: plan it with licenseplan plan --input %s\n",
			len(snap.Users), strings.Join(snap.Files, ", "), outDir, outDir)
	}
	return nil
}
