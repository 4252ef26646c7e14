package main

import (
	"context"
	"fmt"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orgsim"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/sfclient"
)

// demoSourcePath names the demo input in the plan. The simulator's port
// changes from run to run, so it is not in the plan: the same demo run
// always gives the same plan.json and fingerprint.
const demoSourcePath = "built-in demo org, served by orgsim over loopback"

// pullDemo plans the built-in demo org the way a real org is planned: it
// serves the demo snapshot with orgsim on a loopback port in this process
// and pulls it through sfclient over HTTP, so the default run exercises
// the live client, its paging and its checks. Nothing leaves the machine.
func pullDemo(ctx context.Context, s *Streams, cfg *Config) (*org.Snapshot, planner.Source, error) {
	snap, err := org.ReadSnapshot(ctx, demo.Snapshot(), "demo")
	if err != nil {
		return nil, planner.Source{}, fmt.Errorf("built-in demo org: %w", err)
	}
	srv, err := orgsim.New(snap, orgsim.Options{})
	if err != nil {
		return nil, planner.Source{}, fmt.Errorf("built-in demo org: starting the org simulator: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	url, err := srv.Start(ctx, "127.0.0.1:0")
	if err != nil {
		return nil, planner.Source{}, fmt.Errorf("built-in demo org: starting the org simulator: %w", err)
	}
	defer srv.Close()
	pulled, src, err := pullOrg(ctx, s, cfg, sfclient.AccessToken{InstanceURL: url, Token: srv.AccessToken()})
	if err != nil {
		return nil, planner.Source{}, fmt.Errorf("built-in demo org through orgsim: %w", err)
	}
	src.Kind, src.Path = "demo", demoSourcePath
	return pulled, src, nil
}
