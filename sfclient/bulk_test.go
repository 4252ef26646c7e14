package sfclient

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/orgsim"
)

// stagedPull pulls with opts and returns every staged snapshot file's
// bytes (what a pull writes before it reads them back), the result and
// the error.
func stagedPull(t *testing.T, auth Authenticator, opts Options) (map[string][]byte, *Result, error) {
	t.Helper()
	c, _ := testClient(t, auth, opts)
	files := map[string][]byte{}
	c.staged = func(dir string) {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Error(err)
			return
		}
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Error(err)
			}
			files[e.Name()] = b
		}
	}
	res, err := c.Pull(context.Background())
	return files, res, err
}

func sameFiles(t *testing.T, got, want map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d files, want %d", len(got), len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s missing", name)
		case !bytes.Equal(g, w):
			t.Errorf("%s differs: %d bytes, want %d", name, len(g), len(w))
		}
	}
}

// writtenSnapshot is the snapshot folder --save-snapshot writes.
func writtenSnapshot(t *testing.T, s *org.Snapshot) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	if err := org.WriteSnapshot(context.Background(), dir, s); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

// pathCounter counts the requests whose path contains each key.
type pathCounter struct {
	base http.RoundTripper
	mu   sync.Mutex
	n    map[string]int
}

func (p *pathCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	p.mu.Lock()
	if p.n == nil {
		p.n = map[string]int{}
	}
	switch {
	case strings.Contains(r.URL.Path, "/jobs/query"):
		p.n["bulk"]++
	case strings.Contains(r.URL.Path, "/query"):
		p.n["rest"]++
	}
	p.mu.Unlock()
	return p.base.RoundTrip(r)
}

func (p *pathCounter) get(k string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n[k]
}

// TestBulkPullSameBytes: REST, Bulk and auto pulls of the same org stage
// byte-identical snapshot files, and save identical snapshot folders,
// though Bulk results come in chunks out of Id order, paged small.
func TestBulkPullSameBytes(t *testing.T) {
	orgs := map[string]*org.Snapshot{
		"demo":             demoSnapshot(t),
		"generated 12,000": orggen.Generate(orggen.Options{Users: 12000, Seed: 7}),
	}
	for name, snap := range orgs {
		t.Run(name, func(t *testing.T) {
			srv, url := startOrgsim(t, snap, orgsim.Options{})
			auth := AccessToken{InstanceURL: url, Token: srv.AccessToken()}
			rest, restRes, err := stagedPull(t, auth, Options{API: APIREST})
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name string
				opts Options
				bulk bool // some object must go through Bulk
			}{
				{"bulk", Options{API: APIBulk, BulkPageSize: 700}, true},
				{"bulk, one at a time", Options{API: APIBulk, BulkPageSize: 5000, Parallel: 1}, true},
				{"auto, threshold 1000", Options{API: APIAuto, BulkThreshold: 1000, BulkPageSize: 900}, len(snap.Users) > 1000},
				{"auto, default threshold", Options{}, false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					pc := &pathCounter{base: http.DefaultTransport}
					tc.opts.Base = pc
					prog := &recProgress{}
					tc.opts.Progress = prog
					got, res, err := stagedPull(t, auth, tc.opts)
					if err != nil {
						t.Fatal(err)
					}
					sameFiles(t, got, rest)
					sameFiles(t, writtenSnapshot(t, res.Snapshot), writtenSnapshot(t, restRes.Snapshot))
					if used := pc.get("bulk") > 0; used != tc.bulk {
						t.Errorf("Bulk used: %v, want %v (%d Bulk requests)", used, tc.bulk, pc.get("bulk"))
					}
					if res.Snapshot.Counted["User.csv"] != len(snap.Users) {
						t.Errorf("Counted %v", res.Snapshot.Counted)
					}
					prog.mu.Lock()
					defer prog.mu.Unlock()
					if prog.totals["User"] != len(snap.Users) || prog.advanced["User"] != len(snap.Users) || prog.failed != 0 ||
						prog.ended != len(prog.objects) {
						t.Errorf("progress: totals %v advanced %v ended %d of %d, failed %d", prog.totals, prog.advanced,
							prog.ended, len(prog.objects), prog.failed)
					}
				})
			}
		})
	}
}

// pullFailed checks a pull's error against want: "" wants none. It
// reports whether the pull failed (as wanted), so there is nothing more to
// check.
func pullFailed(t *testing.T, err error, want string) bool {
	t.Helper()
	if want != "" {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("err %v, want %q", err, want)
		}
		return true
	}
	if err != nil {
		t.Fatal(err)
	}
	return false
}

// TestBulkFaults: orgsim's faults on Bulk jobs are survived with nothing
// lost or doubled, or end in an error that says what to do.
func TestBulkFaults(t *testing.T) {
	snap := orggen.Generate(orggen.Options{Users: 6000, Seed: 3})
	srv0, url := startOrgsim(t, snap, orgsim.Options{})
	want, _, err := stagedPull(t, AccessToken{InstanceURL: url, Token: srv0.AccessToken()}, Options{API: APIREST})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		opts  orgsim.Options
		fault orgsim.Fault
		err   string // "" : the pull succeeds with the REST bytes
	}{
		{"every second job fails", orgsim.Options{BulkFailEvery: 2}, orgsim.FaultBulkJobFailed, ""},
		{"every job fails", orgsim.Options{BulkFailEvery: 1}, orgsim.FaultBulkJobFailed, "3 jobs in a row failed"},
		{"truncated pages", orgsim.Options{TruncateEvery: 3}, orgsim.FaultTruncated, ""},
		{"locator fails mid-download", orgsim.Options{ExpireLocatorEvery: 4}, orgsim.FaultLocatorExpired, ""},
		{"dropped connections", orgsim.Options{DropEvery: 5}, orgsim.FaultDropped, ""},
		{"server errors", orgsim.Options{Seed: 2, ErrorRate: 0.15}, orgsim.FaultServiceUnavailable, ""},
		{"expired sessions", orgsim.Options{ExpireSessionEvery: 9}, orgsim.FaultSessionExpired, ""},
		{"API limit", orgsim.Options{APILimit: 12}, orgsim.FaultLimitExceeded, "request limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := startOrgsim(t, snap, tt.opts)
			cred := orgsim.DefaultCredentials()
			auth := ClientCredentials{ClientID: cred.ClientID, ClientSecret: cred.ClientSecret, LoginURL: url}
			// One object at a time: orgsim's every-Nth faults count
			// across objects, and concurrent objects would make which
			// request they hit vary from run to run.
			prog := &recProgress{}
			got, res, err := stagedPull(t, auth, Options{API: APIBulk, BulkPageSize: 1000, Parallel: 1, Progress: prog,
				Reserve: func() Reserve { r, _ := ParseReserve("0"); return r }()})
			if n := srv.Stats().FaultsInjected[tt.fault]; n == 0 {
				t.Errorf("no %s fault was injected", tt.fault)
			}
			if pullFailed(t, err, tt.err) {
				return
			}
			sameFiles(t, got, want)
			prog.check(t)
			if tt.fault == orgsim.FaultBulkJobFailed && !strings.Contains(strings.Join(res.Notes, "\n"), "started another") {
				t.Errorf("no note of the failed job: %q", res.Notes)
			}
		})
	}
}

// bulkMiddleware serves orgsim, letting fn answer a request first: fn
// returns true when it answered.
func bulkMiddleware(t *testing.T, snap *org.Snapshot, fn func(w http.ResponseWriter, r *http.Request, next http.Handler) bool) AccessToken {
	t.Helper()
	srv, err := orgsim.New(snap, orgsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fn(w, r, srv) {
			srv.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(hs.Close)
	return AccessToken{InstanceURL: hs.URL, Token: srv.AccessToken()}
}

func isResults(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/results") }
func isPoll(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/jobs/query/") && !isResults(r)
}

// recorded answers what next answers, so a test can change it.
func recorded(next http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	return rec
}

func replay(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	w.Write(body)
}

// TestBulkProtocolFaults: answers orgsim does not give by itself.
func TestBulkProtocolFaults(t *testing.T) {
	snap := orggen.Generate(orggen.Options{Users: 2500, Seed: 5})
	srv0, url := startOrgsim(t, snap, orgsim.Options{})
	want, _, err := stagedPull(t, AccessToken{InstanceURL: url, Token: srv0.AccessToken()}, Options{API: APIREST})
	if err != nil {
		t.Fatal(err)
	}
	once := func() func() bool {
		var n atomic.Int32
		return func() bool { return n.Add(1) == 1 }
	}
	tests := []struct {
		name string
		fn   func() func(w http.ResponseWriter, r *http.Request, next http.Handler) bool
		err  string // "": success with the REST bytes
		note string // a note the pull must give
	}{
		{"412 before completion, once", func() func(http.ResponseWriter, *http.Request, http.Handler) bool {
			first := once()
			return func(w http.ResponseWriter, r *http.Request, _ http.Handler) bool {
				if isResults(r) && first() {
					sfErrorJSON(w, 412, "JOB_NOT_COMPLETE", "can only download query results of successfully completed bulk job")
					return true
				}
				return false
			}
		}, "", "started another"},
		{"409 version mismatch", func() func(http.ResponseWriter, *http.Request, http.Handler) bool {
			return func(w http.ResponseWriter, r *http.Request, _ http.Handler) bool {
				if isResults(r) {
					sfErrorJSON(w, 409, "INVALIDVERSION", "InvalidVersion")
					return true
				}
				return false
			}
		}, "API version that created it", ""},
		{"job aborted", func() func(http.ResponseWriter, *http.Request, http.Handler) bool {
			return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
				if isPoll(r) && strings.Contains(r.URL.Path, "/jobs/query/") {
					rec := recorded(next, r)
					replay(w, rec, bytes.Replace(rec.Body.Bytes(), []byte(`"state":"InProgress"`), []byte(`"state":"Aborted"`), 1))
					return true
				}
				return false
			}
		}, "was aborted", ""},
		{"object not served by Bulk", func() func(http.ResponseWriter, *http.Request, http.Handler) bool {
			return func(w http.ResponseWriter, r *http.Request, _ http.Handler) bool {
				if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/jobs/query") {
					sfErrorJSON(w, 400, "INVALIDENTITY", "Entity 'User' is not supported by the Bulk API.")
					return true
				}
				return false
			}
		}, "", "it was read with REST"},
		{"a row more than the job processed, once", func() func(http.ResponseWriter, *http.Request, http.Handler) bool {
			first := once()
			return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
				if !isResults(r) || !first() {
					return false
				}
				rec := recorded(next, r)
				body := rec.Body.Bytes()
				lines := bytes.SplitAfter(body, []byte("\n"))
				body = append(append([]byte{}, body...), lines[1]...) // the first row again
				n, _ := strconv.Atoi(rec.Header().Get("Sforce-NumberOfRecords"))
				rec.Header().Set("Sforce-NumberOfRecords", strconv.Itoa(n+1))
				replay(w, rec, body)
				return true
			}
		}, "", "started another"},
		{"a missing column, always", func() func(http.ResponseWriter, *http.Request, http.Handler) bool {
			return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
				if !isResults(r) {
					return false
				}
				rec := recorded(next, r)
				replay(w, rec, bytes.Replace(rec.Body.Bytes(), []byte(`"Id"`), []byte(`"Idx"`), 1))
				return true
			}
		}, "the header lacks the column Id", ""},
		{"no Sforce-Locator, always", func() func(http.ResponseWriter, *http.Request, http.Handler) bool {
			return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
				if !isResults(r) {
					return false
				}
				rec := recorded(next, r)
				rec.Header().Del("Sforce-Locator")
				replay(w, rec, rec.Body.Bytes())
				return true
			}
		}, "no Sforce-Locator header", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := bulkMiddleware(t, snap, tt.fn())
			prog := &recProgress{}
			got, res, err := stagedPull(t, auth, Options{API: APIBulk, BulkPageSize: 1000, Retry: RetryPolicy{MaxRetries: 2}, Progress: prog})
			if pullFailed(t, err, tt.err) {
				return
			}
			sameFiles(t, got, want)
			prog.check(t)
			if tt.note != "" && !strings.Contains(strings.Join(res.Notes, "\n"), tt.note) {
				t.Errorf("notes %q lack %q", res.Notes, tt.note)
			}
		})
	}
}

// TestBulkPollBackoff: the polls of a job wait 500 ms, then twice as long
// each time up to the maximum; a job that does not complete in time
// fails with the timeout named.
func TestBulkPollBackoff(t *testing.T) {
	snap := usersSnapshot(10)
	stuck := func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
		if !isPoll(r) {
			return false
		}
		rec := recorded(next, r)
		replay(w, rec, bytes.Replace(rec.Body.Bytes(), []byte(`"state":"JobComplete"`), []byte(`"state":"InProgress"`), 1))
		return true
	}
	auth := bulkMiddleware(t, snap, stuck)
	c, clk := testClient(t, auth, Options{API: APIBulk, Parallel: 1,
		BulkPoll: BulkPoll{Initial: time.Millisecond, Max: 4 * time.Millisecond, Timeout: 30 * time.Millisecond}})
	_, err := c.Pull(context.Background())
	if !errors.Is(err, ErrBadResponse) || !strings.Contains(err.Error(), "bulk-timeout") {
		t.Fatalf("err %v", err)
	}
	waits := clk.got()
	wantStart := []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond, 4 * time.Millisecond}
	if len(waits) < len(wantStart) {
		t.Fatalf("waits %v", waits)
	}
	for i, w := range wantStart {
		if waits[i] != w {
			t.Errorf("wait %d = %v, want %v (all: %v)", i, waits[i], w, waits)
		}
	}
}

func TestParseAPIAndReserve(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{{"rest", true}, {"BULK", true}, {" auto ", true}, {"soap", false}, {"", false}} {
		if _, err := ParseAPI(tt.in); (err == nil) != tt.ok {
			t.Errorf("ParseAPI(%q): %v", tt.in, err)
		}
	}
	for _, tt := range []struct {
		in    string
		limit int
		want  int
		ok    bool
	}{
		{"10%", 100000, 10000, true}, {"0", 100000, 0, true}, {"5000", 15000, 5000, true},
		{"2.5 %", 1000, 25, true}, {"100%", 1, 0, false}, {"-1", 1, 0, false}, {"many", 1, 0, false},
	} {
		r, err := ParseReserve(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseReserve(%q): %v", tt.in, err)
			continue
		}
		if tt.ok && r.Of(tt.limit) != tt.want {
			t.Errorf("ParseReserve(%q).Of(%d) = %d, want %d", tt.in, tt.limit, r.Of(tt.limit), tt.want)
		}
	}
	if (Reserve{}).Of(1000) != 100 {
		t.Errorf("the zero Reserve keeps %d of 1000, want the default 10%%", (Reserve{}).Of(1000))
	}
}

// TestReserveStopsThePull: with the org's usage inside the reserve the
// transport sends nothing more, and says why; with no reserve the pull
// runs to the org's own limit.
func TestReserveStopsThePull(t *testing.T) {
	snap := usersSnapshot(20000) // 100 pages of 200
	for _, tt := range []struct {
		reserve string
		err     string
	}{
		{"10%", "stops with 10 left to keep the reserve of 10 (api-reserve 10%)"},
		{"3", "stops with 3 left to keep the reserve of 3"},
		{"0", "TotalRequests Limit exceeded"},
	} {
		t.Run(tt.reserve, func(t *testing.T) {
			srv, url := startOrgsim(t, snap, orgsim.Options{APILimit: 100})
			r, err := ParseReserve(tt.reserve)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := testClient(t, AccessToken{InstanceURL: url, Token: srv.AccessToken()}, Options{API: APIREST, BatchSize: 200, Reserve: r})
			_, err = c.Pull(context.Background())
			if !errors.Is(err, ErrRequestLimit) || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err %v, want ErrRequestLimit with %q", err, tt.err)
			}
		})
	}
}
