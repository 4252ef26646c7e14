package planner

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// demoInput is the built-in demo org with its own targets and the
// experience-cloud preset, as `licenseplan plan` plans it.
func demoInput(t *testing.T) (*org.Snapshot, *targets.Set) {
	t.Helper()
	snap, err := org.ReadSnapshot(context.Background(), demo.Snapshot(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	tb := table(t)
	own, err := targets.ParseCSV("demo targets.csv", bytes.NewReader(demo.Targets()), tb.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	preset, err := targets.Preset("experience-cloud", tb.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := targets.Merge(own, preset)
	if err != nil {
		t.Fatal(err)
	}
	return snap, tg
}

// aggregates is every part of a plan that a summary-only plan keeps.
type aggregates struct {
	Source   Source
	Summary  Summary
	Accounts []AccountPlan
	Licenses []LicenseCapacity
	Rules    []RuleUse
	Warnings []Warning
	Notes    []string
}

func aggregatesOf(p *Overview) aggregates {
	return aggregates{p.Source, p.Summary, p.Accounts, p.Licenses, p.Rules, p.Warnings, p.Notes}
}

// recount computes the summary's user and step counts again from the
// users and steps of a full plan, the slow way.
func recount(p *Plan) Summary {
	// A user's record does not say where its target came from, so the
	// users without one are what the per-source counts leave over.
	noTarget := p.Users.Len()
	for _, tu := range p.Targets {
		noTarget -= tu.Users
	}
	s := Summary{Users: p.Users.Len(), Steps: p.Steps.Len(), NoTarget: noTarget, Outcomes: map[string]int{}, Warnings: map[string]int{}}
	for _, o := range rules.Outcomes {
		s.Outcomes[o.String()] = 0
	}
	for _, up := range p.Users.All() {
		s.Outcomes[up.Outcome.String()]++
		for _, w := range up.Warnings {
			s.Warnings[string(w.Code)]++
			if w.Code == rules.Irreversible {
				s.IrreversibleChanges++
			}
		}
		if up.Outcome == rules.DisableReenable || up.Outcome == rules.Recreate {
			s.NewUserRecords++
		}
	}
	for _, w := range p.Warnings {
		s.Warnings[string(w.Code)]++
	}
	for _, a := range p.Accounts {
		if a.EnablePartnerStep > 0 {
			s.PartnerAccountsToEnable++
		}
		s.RolesCreated += len(a.RolesCreated)
	}
	for _, lc := range p.Licenses {
		if lc.Shortfall > 0 {
			s.LicensesShort++
		}
	}
	return s
}

// Summarize gives exactly the aggregates of the full plan, and the
// full plan's counts agree with its own users and steps.
func TestSummarizeMatchesFullPlan(t *testing.T) {
	type input struct {
		snap *org.Snapshot
		tg   *targets.Set
		opts Options
	}
	missing := fixture()
	missing.Has = org.Presence{}
	missing.Accounts, missing.Roles, missing.Licenses = nil, nil, nil
	tests := []struct {
		name  string
		input func(t *testing.T) input
	}{
		{"fixture", func(t *testing.T) input { return input{fixture(), fixtureTargets(t), Options{}} }},
		{"fixture with inactive users", func(t *testing.T) input {
			return input{fixture(), fixtureTargets(t), Options{IncludeInactive: true}}
		}},
		{"fixture without optional files", func(t *testing.T) input { return input{missing, fixtureTargets(t), Options{}} }},
		{"fixture without targets", func(t *testing.T) input { return input{fixture(), nil, Options{}} }},
		{"demo", func(t *testing.T) input {
			snap, tg := demoInput(t)
			return input{snap, tg, Options{}}
		}},
		{"generated seed 1", func(t *testing.T) input {
			return input{orggen.Generate(orggen.Options{Users: 20_000, Seed: 1}), benchTargets(t), Options{}}
		}},
		{"generated seed 2 with inactive users", func(t *testing.T) input {
			return input{orggen.Generate(orggen.Options{Users: 20_000, Seed: 2}), benchTargets(t), Options{IncludeInactive: true}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.input(t)
			opts := in.opts
			opts.Now = now
			full := Build(in.snap, table(t), in.tg, opts)
			sum := Summarize(in.snap, table(t), in.tg, opts)

			want, err := json.Marshal(aggregatesOf(&full.Overview))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(aggregatesOf(sum))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("summary-only aggregates differ from the full plan's:\n got %.600s\nwant %.600s", got, want)
			}
			re, err := json.Marshal(recount(full))
			if err != nil {
				t.Fatal(err)
			}
			s, _ := json.Marshal(full.Summary)
			if !bytes.Equal(s, re) {
				t.Errorf("summary differs from a recount of the plan's users and steps:\n got %s\nwant %s", s, re)
			}
			if full.Summary.Users != len(in.snap.Users) || full.Summary.Users == 0 {
				t.Errorf("summary counts %d users, input has %d", full.Summary.Users, len(in.snap.Users))
			}
		})
	}
}
