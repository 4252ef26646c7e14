// Package demoplan plans the built-in demo org as `licenseplan plan` does
// by default (the demo's own targets, then the experience-cloud preset),
// with a fixed clock, for tests of the packages that take a plan.
package demoplan

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/reports"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// Now is the plans' GeneratedAt.
var Now = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// Snapshot reads the demo snapshot.
func Snapshot(ctx context.Context) (*org.Snapshot, error) {
	return org.ReadSnapshot(ctx, demo.Snapshot(), "demo")
}

// Build plans snap (the demo snapshot, or one changed from it) with the
// demo's targets and the preset, and sets the fingerprint. opts.Now
// defaults to Now.
func Build(ctx context.Context, snap *org.Snapshot, opts planner.Options) (*planner.Plan, error) {
	tb, err := rules.Default()
	if err != nil {
		return nil, err
	}
	own, err := targets.ParseCSV("demo targets.csv", bytes.NewReader(demo.Targets()), tb.Catalog)
	if err != nil {
		return nil, fmt.Errorf("demo targets: %w", err)
	}
	preset, err := targets.Preset("experience-cloud", tb.Catalog)
	if err != nil {
		return nil, err
	}
	tg, err := targets.Merge(own, preset)
	if err != nil {
		return nil, err
	}
	if opts.Now.IsZero() {
		opts.Now = Now
	}
	p := planner.Build(snap, tb, tg, opts)
	if err := reports.SetFingerprint(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// Plan is Build of the demo snapshot, as the demo source.
func Plan(ctx context.Context) (*planner.Plan, error) {
	return PlanWith(ctx, planner.Options{})
}

// PlanWith is Plan with options (Source is the demo's).
func PlanWith(ctx context.Context, opts planner.Options) (*planner.Plan, error) {
	snap, err := Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	opts.Source = planner.Source{Kind: "demo"}
	return Build(ctx, snap, opts)
}

// RoundTrip writes p as plan.json and reads it back, as apply, report and
// diff get a plan.
func RoundTrip(ctx context.Context, p *planner.Plan) (*planner.Plan, error) {
	var buf bytes.Buffer
	if err := (reports.JSON{}).Write(ctx, &buf, p); err != nil {
		return nil, err
	}
	return reports.ReadJSON(&buf)
}
