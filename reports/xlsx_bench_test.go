package reports

import (
	"testing"
)

// BenchmarkWriteXLSX writes the synthetic plan of benchUsers users (one step
// and two warnings each), like the other writers' benchmarks:
//
//	go test ./reports -run '^$' -bench 'WriteXLSX' -benchmem
func BenchmarkWriteXLSX(b *testing.B) { benchmarkWriter(b, XLSX{}) }

// BenchmarkWriteXLSXLinked writes the synthetic plan as a plan of a live
// org: each step's Record Link is a hyperlink, up to a worksheet's limit.
func BenchmarkWriteXLSXLinked(b *testing.B) {
	p := syntheticPlan(benchUsers)
	p.Source.Kind, p.Source.Path = "org", "https://acme.my.salesforce.com"
	benchmarkWrite(b, XLSX{}, p)
}

// BenchmarkWriteXLSXGenerated writes the plan of a generated org of
// benchUsers users with the experience-cloud preset, the plan
// `licenseplan plan` makes for such an org.
func BenchmarkWriteXLSXGenerated(b *testing.B) {
	benchmarkWrite(b, XLSX{}, xlsxGeneratedPlan(b, benchUsers))
}
