package reports

import (
	"context"
	"io"
	"testing"
)

// BenchmarkWriteXLSX writes the synthetic plan of benchUsers users (one step
// and two warnings each), like the other writers' benchmarks:
//
//	go test ./reports -run '^$' -bench 'WriteXLSX' -benchmem
func BenchmarkWriteXLSX(b *testing.B) { benchmarkWriter(b, XLSX{}) }

// BenchmarkWriteXLSXGenerated writes the plan of a generated org of
// benchUsers users with the experience-cloud preset, the plan
// `licenseplan plan` makes for such an org.
func BenchmarkWriteXLSXGenerated(b *testing.B) {
	p := xlsxGeneratedPlan(b, benchUsers)
	ctx := context.Background()
	cw := &countWriter{}
	if err := (XLSX{}).Write(ctx, cw, p); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(cw.n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := (XLSX{}).Write(ctx, io.Discard, p); err != nil {
			b.Fatal(err)
		}
	}
}
