package targets

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// BenchmarkParseYAMLLimit parses the costliest inputs the size limit
// allows; -benchmem shows the memory each costs (the budget MaxYAMLBytes
// sets).
func BenchmarkParseYAMLLimit(b *testing.B) {
	lic := catalog(b)
	fill := func(prefix, unit, suffix string) []byte {
		n := (MaxYAMLBytes - len(prefix) - len(suffix)) / len(unit)
		return []byte(prefix + strings.Repeat(unit, n) + suffix)
	}
	for _, c := range []struct {
		name string
		in   []byte
	}{
		{"flow list of 1 MiB", fill("[", "a,", "a]")},
		{"block list of 1 MiB", fill("", "- a\n", "")},
		{"list of mappings of 1 MiB", fill("[", "{a: b},", "a]")},
		{"selectors up to the limit", fill("", "- {to: {license: Partner}}\n", "")},
		{"alias fan-out", []byte(hostileCaseIn(b, "alias fan-out beyond the value budget"))},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseYAML("b.yaml", c.in, lic); err == nil {
					b.Fatal("no error")
				}
			}
		})
	}
}

func hostileCaseIn(tb testing.TB, name string) string {
	for _, c := range hostileYAML() {
		if c.name == name {
			return c.in
		}
	}
	tb.Fatalf("no hostile case %q", name)
	return ""
}

// BenchmarkFindRows finds the rows of 1,000,000 users in a per-user file
// in their order and shuffled, on one goroutine and on two (FindRows):
//
//	go test ./targets -run '^$' -bench FindRows -benchmem
func BenchmarkFindRows(b *testing.B) {
	const n = 1_000_000
	var sb strings.Builder
	sb.WriteString("Id,TargetLicense\n")
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("005X%011d", i)
		sb.WriteString(ids[i] + ",Customer Community\n")
	}
	s, err := ParseCSV("t.csv", strings.NewReader(sb.String()), catalog(b))
	if err != nil {
		b.Fatal(err)
	}
	shuffled := slices.Clone(ids)
	rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, order := range []struct {
		name string
		ids  []string
	}{{"in order", ids}, {"shuffled", shuffled}} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/%d", order.name, workers), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rows := s.FindRows(n, func(i int) (string, string) { return order.ids[i], "" }, workers)
					if rows[n-1] < 0 {
						b.Fatal("not found")
					}
				}
			})
		}
	}
}
