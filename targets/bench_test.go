package targets

import (
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
