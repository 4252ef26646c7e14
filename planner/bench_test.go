package planner

import (
	"bytes"
	"flag"
	"math/rand/v2"
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

// BenchmarkSummarizeTargets plans a generated org of 200,000 users for the
// terminal summary twice, from the same targets given two ways: selectors
// (the experience-cloud preset, then one selector per license keeping it)
// and a per-user CSV row for every user (issue 13: per-user targets may
// add at most 30%), also with the rows shuffled. Each op parses its targets file and plans, as plan
// does after reading the snapshot; compare per-user against selectors in
// the same run:
//
//	go test ./planner -run '^$' -bench SummarizeTargets -benchmem -count 3
func BenchmarkSummarizeTargets(b *testing.B) {
	snap := orggen.Generate(orggen.Options{Users: 200_000, Seed: 1})
	tb := table(b)
	csvText, yamlText := equivalentTargets(b, snap, tb.Catalog)
	// The same rows in another order than the users': each lookup lands
	// somewhere else in memory.
	lines := bytes.SplitAfter(csvText, []byte("\n"))
	body := lines[1:]
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })
	shuffledText := bytes.Join(lines, nil)
	for _, c := range []struct {
		name  string
		parse func() (*targets.Set, error)
	}{
		{"selectors", func() (*targets.Set, error) { return targets.ParseYAML("t.yaml", yamlText, tb.Catalog) }},
		{"per-user", func() (*targets.Set, error) { return targets.ParseCSV("t.csv", bytes.NewReader(csvText), tb.Catalog) }},
		{"per-user shuffled", func() (*targets.Set, error) {
			return targets.ParseCSV("t.csv", bytes.NewReader(shuffledText), tb.Catalog)
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var o *Overview
			for b.Loop() {
				s, err := c.parse()
				if err != nil {
					b.Fatal(err)
				}
				tg, err := targets.Merge(s)
				if err != nil {
					b.Fatal(err)
				}
				o = Summarize(snap, tb, tg, Options{Now: now})
			}
			// Both ways give every user a target, and the same plan.
			if o.Summary.NoTarget != 0 || o.Summary.Count(rules.ChangeInPlace) == 0 || len(o.Targets) != 1 || o.Targets[0].Users != len(snap.Users) {
				b.Fatalf("summary %+v, targets %+v", o.Summary, o.Targets)
			}
		})
	}
}

// equivalentTargets returns a per-user targets CSV and a selectors YAML
// file that give every user of snap the same target, as snapgen
// -targets-csv and -targets-yaml write them.
func equivalentTargets(b *testing.B, snap *org.Snapshot, cat *rules.Catalog) (csvText, yamlText []byte) {
	csvText, yamlText, _, err := orggen.EquivalentTargets(snap, cat)
	if err != nil {
		b.Fatal(err)
	}
	return csvText, yamlText
}
