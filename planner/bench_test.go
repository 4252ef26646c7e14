package planner

import (
	"flag"
	"testing"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

var benchUsers = flag.Int("benchusers", 1_000_000, "users in the generated org for BenchmarkBuild")

// benchTargets: the experience-cloud preset plus selectors that upgrade,
// downgrade and move users to partner licenses, so every outcome and most
// warnings occur.
func benchTargets(b testing.TB) *targets.Set {
	tb := table(b)
	canon := tb.Catalog
	sel, err := targets.ParseYAML("bench.yaml", []byte(`
- match: {license: Customer Community, partnerAccount: true}
  to: {license: Partner Community}
- match: {license: Customer Community}
  to: {license: Customer Community Plus}
- match: {license: Customer Community Plus}
  to: {license: Customer Community}
- match: {license: Chatter Free}
  to: {license: Customer Community}
`), canon)
	if err != nil {
		b.Fatal(err)
	}
	preset, err := targets.Preset("experience-cloud", canon)
	if err != nil {
		b.Fatal(err)
	}
	s, err := targets.Merge(sel, preset)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkBuild plans a generated org from memory. Run on one core:
//
//	go test ./planner -run '^$' -bench Build -benchmem -cpu 1
func BenchmarkBuild(b *testing.B) {
	benchmarkBuild(b, func(snap *org.Snapshot, tb *rules.Table, tg *targets.Set) *Overview {
		return &Build(snap, tb, tg, Options{Now: now}).Overview
	})
}

// BenchmarkSummarize plans the same org for the terminal summary.
func BenchmarkSummarize(b *testing.B) {
	benchmarkBuild(b, func(snap *org.Snapshot, tb *rules.Table, tg *targets.Set) *Overview {
		return Summarize(snap, tb, tg, Options{Now: now})
	})
}

func benchmarkBuild(b *testing.B, plan func(*org.Snapshot, *rules.Table, *targets.Set) *Overview) {
	snap := orggen.Generate(orggen.Options{Users: *benchUsers, Seed: 1})
	tb, tg := table(b), benchTargets(b)
	b.ReportAllocs()
	b.ResetTimer()
	var p *Overview
	for b.Loop() {
		p = plan(snap, tb, tg)
	}
	b.ReportMetric(float64(*benchUsers)*float64(b.N)/b.Elapsed().Seconds(), "users/s")
	if p.Summary.Users != *benchUsers || p.Summary.Count(0) == *benchUsers {
		b.Fatalf("plan %+v", p.Summary)
	}
}
