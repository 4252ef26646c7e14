package orgsim

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
)

// The User export query of org.Queries.
var userSOQL = org.Queries[0].SOQL()

var (
	bigOnce sync.Once
	bigSnap *org.Snapshot
)

// bigOrg is a generated org of 200,000 users, built once per test binary.
func bigOrg() *org.Snapshot {
	bigOnce.Do(func() { bigSnap = orggen.Generate(orggen.Options{Users: 200_000, Seed: 1}) })
	return bigSnap
}

// headWriter is a ResponseWriter that keeps only the start of the body,
// where nextRecordsUrl is, and counts the rest.
type headWriter struct {
	h    http.Header
	head []byte
	n    int
}

func (w *headWriter) Header() http.Header { return w.h }
func (w *headWriter) WriteHeader(int)     {}
func (w *headWriter) Write(b []byte) (int, error) {
	if len(w.head) < 256 {
		w.head = append(w.head, b[:min(len(b), 256-len(w.head))]...)
	}
	w.n += len(b)
	return len(b), nil
}

// nextURL cuts nextRecordsUrl out of the start of a page.
func nextURL(head []byte) string {
	const key = `"nextRecordsUrl":"`
	i := bytes.Index(head, []byte(key))
	if i < 0 {
		return ""
	}
	rest := head[i+len(key):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// BenchmarkServeUserPages serves every page of the User export query of a
// 200,000-user org straight through ServeHTTP (no network): the cost of
// running the query and encoding 100 pages of 2,000 users.
//
//	go test ./orgsim -run '^$' -bench ServeUserPages -benchmem -cpu 1
func BenchmarkServeUserPages(b *testing.B) {
	s := newServer(b, bigOrg(), Options{})
	tok := s.AccessToken()
	users := len(bigOrg().Users)
	b.ReportAllocs()
	bytesOut := 0
	for b.Loop() {
		target, got := queryPath(userSOQL), 0
		for target != "" {
			req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1"+target, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			w := &headWriter{h: http.Header{}}
			s.ServeHTTP(w, req)
			bytesOut += w.n
			target = nextURL(w.head)
			got++
		}
		if got != users/defaultBatch {
			b.Fatalf("%d pages, want %d", got, users/defaultBatch)
		}
	}
	b.ReportMetric(float64(users)*float64(b.N)/b.Elapsed().Seconds(), "users/s")
	b.ReportMetric(float64(bytesOut)/float64(b.N)/float64(users), "B/user")
}

// BenchmarkUserPagesHTTP pulls the same pages over loopback HTTP with a
// net/http client that reads and discards the bodies.
//
//	go test ./orgsim -run '^$' -bench UserPagesHTTP -benchmem -cpu 1
func BenchmarkUserPagesHTTP(b *testing.B) {
	s := newServer(b, bigOrg(), Options{})
	hs := httptest.NewServer(s)
	defer hs.Close()
	tok := s.AccessToken()
	users := len(bigOrg().Users)
	buf := make([]byte, 256)
	b.ReportAllocs()
	for b.Loop() {
		target := queryPath(userSOQL)
		for target != "" {
			req, _ := http.NewRequest(http.MethodGet, hs.URL+target, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.ReadFull(resp.Body, buf)
			target = nextURL(buf[:n])
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	b.ReportMetric(float64(users)*float64(b.N)/b.Elapsed().Seconds(), "users/s")
}

// BenchmarkQueryUsers runs the User export query (filter and order) without
// encoding any page.
func BenchmarkQueryUsers(b *testing.B) {
	s := newServer(b, bigOrg(), Options{})
	p, err := parseAndCompile(s, userSOQL)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if rows := p.run(); len(rows) != len(bigOrg().Users) {
			b.Fatalf("%d rows", len(rows))
		}
	}
}

// BenchmarkNew builds the in-memory org of 200,000 users.
func BenchmarkNew(b *testing.B) {
	snap := bigOrg()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(snap, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
