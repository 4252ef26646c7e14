package reports

import (
	"context"
	"io"
	"testing"

	"github.com/licenseplan/licenseplan/planner"
)

// benchUsers is the size of the synthetic plan the benchmarks write.
const benchUsers = 100_000

func benchmarkWriter(b *testing.B, w Writer) { benchmarkWrite(b, w, syntheticPlan(benchUsers)) }

// benchmarkWrite writes p with w, reporting the bytes of one write.
func benchmarkWrite(b *testing.B, w Writer, p *planner.Plan) {
	ctx := context.Background()
	cw := &countWriter{}
	if err := w.Write(ctx, cw, p); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(cw.n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := w.Write(ctx, io.Discard, p); err != nil {
			b.Fatal(err)
		}
	}
}

// countWriter counts the bytes written to it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func BenchmarkWriteCSV(b *testing.B)      { benchmarkWriter(b, CSV{}) }
func BenchmarkWriteJSON(b *testing.B)     { benchmarkWriter(b, JSON{}) }
func BenchmarkWriteMarkdown(b *testing.B) { benchmarkWriter(b, Markdown{}) }
func BenchmarkWriteText(b *testing.B)     { benchmarkWriter(b, Text{}) }
