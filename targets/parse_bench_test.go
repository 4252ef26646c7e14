package targets

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
)

// perUserCSV is a per-user targets file of n rows, as a consultant
// exports it: Id, Username and TargetLicense.
func perUserCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("Id,Username,TargetLicense\n")
	lic := []string{"Customer Community", "Customer Community Plus", "Partner Community", "Salesforce"}
	for i := range n {
		fmt.Fprintf(&b, "005Wp%013d,user.%d@corp.example.com,%s\n", i, i, lic[i%len(lic)])
	}
	return b.Bytes()
}

// BenchmarkParseCSV parses a per-user targets file of 200,000 rows.
// Besides time and allocations it reports the heap the parsed set keeps
// (retained-B/row): that stays live for the whole plan.
//
//	go test ./targets -run '^$' -bench ParseCSV -benchmem
func BenchmarkParseCSV(b *testing.B) {
	const rows = 200_000
	lic := catalog(b)
	in := perUserCSV(rows)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var retained uint64
	for b.Loop() {
		before := heapAfterGC()
		s, err := ParseCSV("t.csv", bytes.NewReader(in), lic)
		if err != nil || s.NumRows() != rows {
			b.Fatalf("rows %d, err %v", s.NumRows(), err)
		}
		b.StopTimer()
		retained = heapAfterGC() - before
		runtime.KeepAlive(s)
		b.StartTimer()
	}
	b.ReportMetric(float64(retained)/rows, "retained-B/row")
}

// heapAfterGC is the live heap, after a collection.
func heapAfterGC() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
