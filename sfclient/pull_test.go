package sfclient

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// testClient returns a Client on f with a recording clock and fixed jitter.
func testClient(t testing.TB, auth Authenticator, opts Options) (*Client, *clock) {
	t.Helper()
	clk := &clock{}
	opts.Retry.Sleep = clk.sleep
	opts.Retry.Jitter = func() float64 { return 0.5 }
	if opts.TempDir == "" {
		opts.TempDir = t.TempDir()
	}
	c, err := New(auth, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, clk
}

func tokenAuth(f *fakeOrg) AccessToken {
	f.mu.Lock()
	defer f.mu.Unlock()
	return AccessToken{InstanceURL: f.url(), Token: f.token}
}

func ccAuth(f *fakeOrg) ClientCredentials {
	return ClientCredentials{ClientID: f.clientID, ClientSecret: f.clientSecret, LoginURL: f.url()}
}

// userRecord is a User record with every field of User.csv's query.
func userRecord(id, username, license string) map[string]any {
	rec := map[string]any{"attributes": map[string]any{"type": "User"}}
	for _, fld := range queryOf("User").Fields {
		setPath(rec, strings.Split(fld, "."), nil)
	}
	rec["Id"] = id
	rec["Username"] = username
	rec["IsActive"] = true
	setPath(rec, []string{"Profile", "UserLicense", "Name"}, license)
	nullEmptyParents(rec)
	return rec
}

func queryOf(object string) org.Query {
	for _, q := range org.Queries {
		if q.Object == object {
			return q
		}
	}
	panic(object)
}

func userID(i int) string { return fmt.Sprintf("005%012d", i) }

func addUsers(f *fakeOrg, n int) {
	recs := make([]map[string]any, n)
	for i := range n {
		recs[i] = userRecord(userID(i+1), fmt.Sprintf("u%d@example.com", i+1), "Salesforce")
	}
	f.add("User", recs...)
}

func addOrganization(f *fakeOrg, sandbox bool) {
	f.add("Organization", map[string]any{"attributes": map[string]any{"type": "Organization"},
		"Id": "00D000000000001", "Name": "Acme", "OrganizationType": "Enterprise Edition",
		"IsSandbox": sandbox, "InstanceName": "CS42"})
}

// normalize orders a snapshot's slices by key and forgets line numbers, so
// a pulled snapshot (ordered by Id) compares with one read from files in
// another order.
func normalize(s *org.Snapshot) *org.Snapshot {
	c := *s
	c.Counted = nil // a pull counts its records, a snapshot folder need not: compared on their own
	c.Users = slices.Clone(s.Users)
	for i := range c.Users {
		c.Users[i].Line = 0
	}
	slices.SortFunc(c.Users, func(a, b org.User) int { return cmp.Compare(a.ID, b.ID) })
	c.Accounts = slices.Clone(s.Accounts)
	slices.SortFunc(c.Accounts, func(a, b org.Account) int { return cmp.Compare(a.ID, b.ID) })
	c.Roles = slices.Clone(s.Roles)
	slices.SortFunc(c.Roles, func(a, b org.Role) int { return cmp.Compare(a.ID, b.ID) })
	c.Licenses = slices.Clone(s.Licenses)
	slices.SortFunc(c.Licenses, func(a, b org.UserLicense) int { return cmp.Compare(a.ID, b.ID) })
	c.Profiles = slices.Clone(s.Profiles)
	slices.SortFunc(c.Profiles, func(a, b org.Profile) int { return cmp.Compare(a.ID, b.ID) })
	c.PermissionSets = slices.Clone(s.PermissionSets)
	slices.SortFunc(c.PermissionSets, func(a, b org.PermissionSetAssignment) int {
		return cmp.Or(cmp.Compare(a.AssigneeID, b.AssigneeID), cmp.Compare(a.PermissionSetID, b.PermissionSetID))
	})
	c.ObjectPermissions = slices.Clone(s.ObjectPermissions)
	slices.SortFunc(c.ObjectPermissions, func(a, b org.ObjectPermission) int {
		return cmp.Or(cmp.Compare(a.ParentID, b.ParentID), cmp.Compare(a.SobjectType, b.SobjectType))
	})
	c.PermissionSetLicenses = slices.Clone(s.PermissionSetLicenses)
	slices.SortFunc(c.PermissionSetLicenses, func(a, b org.PermissionSetLicenseAssign) int {
		return cmp.Or(cmp.Compare(a.AssigneeID, b.AssigneeID), cmp.Compare(a.Label, b.Label))
	})
	return &c
}

func demoSnapshot(t testing.TB) *org.Snapshot {
	t.Helper()
	s, err := org.ReadSnapshot(context.Background(), demo.Snapshot(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// demoPlanJSON plans snap as `licenseplan plan` plans the demo org, and
// returns plan.json without its source.
func demoPlanJSON(t *testing.T, snap *org.Snapshot) []byte {
	t.Helper()
	table, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	own, err := targets.ParseCSV("demo targets.csv", bytes.NewReader(demo.Targets()), table.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	preset, err := targets.Preset("experience-cloud", table.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := targets.Merge(own, preset)
	if err != nil {
		t.Fatal(err)
	}
	p := planner.Build(snap, table, tg, planner.Options{Now: time.Unix(1795000000, 0).UTC()})
	p.Source = planner.Source{}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPullDemoRoundTrip(t *testing.T) {
	f := newFakeOrg(t)
	f.loadSnapshotFS(t, demo.Snapshot())
	var prog recProgress
	c, _ := testClient(t, tokenAuth(f), Options{Progress: &prog})
	res, err := c.Pull(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := demoSnapshot(t)
	got := res.Snapshot
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		for i := range min(len(got.Users), len(want.Users)) {
			if g, w := normalize(got).Users[i], normalize(want).Users[i]; g != w {
				t.Errorf("first differing user:\n got %+v\nwant %+v", g, w)
				break
			}
		}
		t.Fatalf("pulled snapshot differs from the demo snapshot: files %v vs %v, has %+v vs %+v",
			got.Files, want.Files, got.Has, want.Has)
	}
	if g, w := demoPlanJSON(t, got), demoPlanJSON(t, want); !bytes.Equal(g, w) {
		t.Errorf("plan of the pulled snapshot differs from the offline plan")
	}
	src := res.Source()
	if src.Kind != "org" || src.Path != f.url() || src.APICalls != res.APICalls || !slices.Equal(src.Files, want.Files) {
		t.Errorf("Source() = %+v", src)
	}
	// 9 queries, 1 describe; the demo org fits one page per object.
	if res.APICalls != 10 || res.APICalls != f.got("GET /services/data") {
		t.Errorf("APICalls = %d, server saw %d REST requests; want 10", res.APICalls, f.got("GET /services/data"))
	}
	if res.Usage != (Usage{Used: 10, Limit: 15000}) {
		t.Errorf("Usage = %v", res.Usage)
	}
	if len(res.Notes) != 0 {
		t.Errorf("notes: %q", res.Notes)
	}
	// Progress: one Begin/End per object, sized from totalSize.
	if len(prog.objects) != 9 || prog.objects[0] != "Organization" || prog.advanced["User"] != len(want.Users) ||
		prog.totals["User"] != len(want.Users) || prog.ended != 9 || prog.failed != 0 {
		t.Errorf("progress: objects %q totals %v advanced %v ended %d failed %d", prog.objects, prog.totals, prog.advanced, prog.ended, prog.failed)
	}
	// Every query asked for batches of 2000, and is ordered by Id.
	for i, q := range f.queries {
		if f.batch[i] != "batchSize=2000" || !strings.HasSuffix(q, " ORDER BY Id") {
			t.Errorf("query %q sent with Sforce-Query-Options %q", q, f.batch[i])
		}
	}
}

type recProgress struct {
	mu            sync.Mutex
	objects       []string
	totals        map[string]int
	advanced      map[string]int
	ended, failed int
	restarts      int // Begins of an object already begun
	cur           string
}

func (p *recProgress) Begin(object string, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.totals == nil {
		p.totals, p.advanced = map[string]int{}, map[string]int{}
	}
	if _, again := p.totals[object]; again {
		p.restarts++
	} else {
		p.objects = append(p.objects, object)
	}
	p.totals[object] = total
	p.advanced[object] = 0 // Begin again starts the count over
	p.cur = object
}

// check reports a progress that did not end each object where its total
// said, with no failures.
func (p *recProgress) check(t *testing.T) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failed != 0 || p.ended != len(p.objects) || len(p.objects) == 0 {
		t.Errorf("progress: %d objects, %d ended, %d failed", len(p.objects), p.ended, p.failed)
	}
	for _, o := range p.objects {
		if p.advanced[o] != p.totals[o] {
			t.Errorf("progress of %s: advanced %d of %d", o, p.advanced[o], p.totals[o])
		}
	}
}
func (p *recProgress) Advance(object string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advanced[object] += n
}
func (p *recProgress) End(object string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ended++
	if err != nil {
		p.failed++
	}
}

func TestPullPaging(t *testing.T) {
	for _, n := range []int{0, 1, 199, 200, 2000, 2001, 5000} {
		for _, batch := range []int{200, 2000} {
			t.Run(fmt.Sprintf("%d users, batch %d", n, batch), func(t *testing.T) {
				f := newFakeOrg(t)
				addUsers(f, n)
				c, _ := testClient(t, tokenAuth(f), Options{BatchSize: batch})
				res, err := c.Pull(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Snapshot.Users) != n {
					t.Fatalf("%d users, want %d", len(res.Snapshot.Users), n)
				}
				for i, u := range res.Snapshot.Users {
					if u.ID != userID(i+1) || u.License != "Salesforce" {
						t.Fatalf("user %d = %s %q", i, u.ID, u.License)
					}
				}
				wantPages := max(1, (n+batch-1)/batch)
				if got := f.got("GET /services/data/v64.0/query/") + 1; got != wantPages {
					t.Errorf("User took %d pages, want %d", got, wantPages)
				}
				for _, b := range f.batch {
					if b != fmt.Sprintf("batchSize=%d", batch) {
						t.Errorf("Sforce-Query-Options %q", b)
					}
				}
			})
		}
	}
}

// isQuery matches requests for the first page of object's query.
func isQuery(object string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return strings.HasSuffix(r.URL.Path, "/query") && strings.Contains(r.URL.Query().Get("q"), " FROM "+object+" ")
	}
}

func isMore(r *http.Request) bool { return strings.Contains(r.URL.Path, "/query/") }

func status(code int, hdr ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		sfErrorJSON(w, code, "SERVER_ERROR", "fake failure")
	}
}

// dropConn closes the connection without an answer.
func dropConn(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }

func truncated(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Length", "5000")
	w.WriteHeader(200)
	w.Write([]byte(`{"totalSize":2500,"done":false,"records":[{"attr`))
	w.(http.Flusher).Flush()
	panic(http.ErrAbortHandler)
}

func garbage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"totalSize":2500,"done":false,"records":[{"attributes":`))
}

func TestPullFaults(t *testing.T) {
	type check func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error)
	ok := func(t *testing.T, res *Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("Pull: %v", err)
		}
		if len(res.Snapshot.Users) != 2500 {
			t.Fatalf("%d users, want 2500", len(res.Snapshot.Users))
		}
	}
	failsWith := func(t *testing.T, err, target error, words ...string) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Fatalf("error %v, want %v", err, target)
		}
		for _, w := range words {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	}
	tests := []struct {
		name   string
		auth   func(f *fakeOrg) Authenticator
		base   http.RoundTripper
		batch  int
		faults func(f *fakeOrg)
		check  check
	}{{
		name:   "500 then success",
		faults: func(f *fakeOrg) { f.onRequest(isMore, 1, status(500)) },
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			ok(t, res, err)
			if w := clk.got(); !slices.Equal(w, []time.Duration{375 * time.Millisecond}) {
				t.Errorf("waits %v, want one backoff of 375ms (500ms, jitter 0.5)", w)
			}
		},
	}, {
		name:   "503 three times: backoff doubles",
		faults: func(f *fakeOrg) { f.onRequest(isQuery("User"), 3, status(503)) },
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			ok(t, res, err)
			if w := clk.got(); !slices.Equal(w, []time.Duration{375 * time.Millisecond, 750 * time.Millisecond, 1500 * time.Millisecond}) {
				t.Errorf("waits %v", w)
			}
		},
	}, {
		name:   "429 honours Retry-After",
		faults: func(f *fakeOrg) { f.onRequest(isMore, 2, status(429, "Retry-After", "7")) },
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			ok(t, res, err)
			if w := clk.got(); !slices.Equal(w, []time.Duration{7 * time.Second, 7 * time.Second}) {
				t.Errorf("waits %v, want 7s twice", w)
			}
		},
	}, {
		name:   "Retry-After beyond the maximum fails at once",
		faults: func(f *fakeOrg) { f.onRequest(isMore, 1, status(503, "Retry-After", "3600")) },
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			if err == nil || !strings.Contains(err.Error(), "Retry-After 1h0m0s") || len(clk.got()) != 0 {
				t.Fatalf("err %v, waits %v", err, clk.got())
			}
		},
	}, {
		name:   "500 forever gives up after 6 attempts",
		faults: func(f *fakeOrg) { f.onRequest(isMore, 100, status(500)) },
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			failsWith(t, err, ErrRetriesExhausted, "HTTP 500", "after 6 attempts", "try again later")
			if n := f.got("GET /services/data/v64.0/query/"); n != 6 {
				t.Errorf("%d attempts", n)
			}
			if w := clk.got(); len(w) != 5 || w[4] != 6*time.Second {
				t.Errorf("waits %v, want 5 ending at 6s", w)
			}
		},
	}, {
		name: "dropped connection",
		// Without keep-alive, net/http cannot retry on its own: the
		// transport's retry is what recovers.
		base:   &http.Transport{DisableKeepAlives: true},
		faults: func(f *fakeOrg) { f.onRequest(isMore, 2, dropConn) },
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			ok(t, res, err)
			if len(clk.got()) != 2 {
				t.Errorf("waits %v, want 2", clk.got())
			}
		},
	}, {
		name:   "body cut off mid-way",
		faults: func(f *fakeOrg) { f.onRequest(isQuery("User"), 1, truncated) },
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			ok(t, res, err)
			if len(clk.got()) != 1 {
				t.Errorf("waits %v, want 1", clk.got())
			}
		},
	}, {
		name:   "unparseable page is fetched again",
		faults: func(f *fakeOrg) { f.onRequest(isMore, 2, garbage) },
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			ok(t, res, err)
			if n := f.got("GET /services/data/v64.0/query/"); n != 3 {
				t.Errorf("second page fetched %d times, want 3", n)
			}
		},
	}, {
		name:   "unparseable forever fails",
		faults: func(f *fakeOrg) { f.onRequest(isMore, 100, garbage) },
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			failsWith(t, err, ErrBadResponse, "query User", "after 6 attempts")
		},
	}, {
		name: "REQUEST_LIMIT_EXCEEDED stops at once",
		faults: func(f *fakeOrg) {
			f.onRequest(isMore, 1, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Sforce-Limit-Info", "api-usage=15000/15000")
				sfErrorJSON(w, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
			})
		},
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			failsWith(t, err, ErrRequestLimit, "api-usage=15000/15000", "TotalRequests Limit exceeded", "without retrying")
			if n := f.got("GET /services/data/v64.0/query/"); n != 1 || len(clk.got()) != 0 {
				t.Errorf("limit answer retried: %d requests, waits %v", n, clk.got())
			}
		},
	}, {
		name: "REQUEST_LIMIT_EXCEEDED as 429 is not retried either",
		faults: func(f *fakeOrg) {
			f.onRequest(isQuery("User"), 1, func(w http.ResponseWriter, _ *http.Request) {
				sfErrorJSON(w, 429, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")
			})
		},
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			failsWith(t, err, ErrRequestLimit, "api-usage=")
		},
	}, {
		name: "INVALID_SESSION_ID re-authenticates once",
		auth: func(f *fakeOrg) Authenticator { return ccAuth(f) },
		faults: func(f *fakeOrg) {
			f.onRequest(isMore, 1, func(w http.ResponseWriter, r *http.Request) {
				f.expireSession()
				sfErrorJSON(w, 401, "INVALID_SESSION_ID", "Session expired or invalid")
			})
		},
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			ok(t, res, err)
			if f.tokens != 2 {
				t.Errorf("%d logins, want 2", f.tokens)
			}
		},
	}, {
		name: "INVALID_SESSION_ID right after re-authenticating fails",
		auth: func(f *fakeOrg) Authenticator { return ccAuth(f) },
		faults: func(f *fakeOrg) {
			f.onRequest(isMore, 2, func(w http.ResponseWriter, r *http.Request) {
				sfErrorJSON(w, 401, "INVALID_SESSION_ID", "Session expired or invalid")
			})
		},
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			failsWith(t, err, ErrSessionExpired, "again right after a new login")
			if f.tokens != 2 {
				t.Errorf("%d logins, want 2", f.tokens)
			}
		},
	}, {
		name: "INVALID_SESSION_ID with a static token asks for a new one",
		faults: func(f *fakeOrg) {
			f.onRequest(isMore, 1, func(w http.ResponseWriter, r *http.Request) {
				sfErrorJSON(w, 401, "INVALID_SESSION_ID", "Session expired or invalid")
			})
		},
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			failsWith(t, err, ErrSessionExpired, "SF_ACCESS_TOKEN", "get a new one")
		},
	}, {
		name: "INVALID_QUERY_LOCATOR restarts after the last Id",
		faults: func(f *fakeOrg) {
			f.onRequest(isMore, 1, func(w http.ResponseWriter, r *http.Request) {
				sfErrorJSON(w, 400, "INVALID_QUERY_LOCATOR", "invalid query locator")
			})
		},
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			ok(t, res, err)
			want := "SELECT " + strings.Join(queryOf("User").Fields, ", ") +
				" FROM User WHERE (ProfileId != null) AND Id > '" + userID(2000) + "' ORDER BY Id"
			if !slices.Contains(f.queries, want) {
				t.Errorf("no restart query %q in %q", want, f.queries)
			}
		},
	}, {
		name:  "INVALID_QUERY_LOCATOR on every locator still completes",
		batch: 200,
		faults: func(f *fakeOrg) {
			f.onRequest(isMore, 100, func(w http.ResponseWriter, r *http.Request) {
				sfErrorJSON(w, 400, "INVALID_QUERY_LOCATOR", "invalid query locator")
			})
		},
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			ok(t, res, err)
			n := 0
			for _, q := range f.queries {
				if strings.Contains(q, "FROM User WHERE (ProfileId != null) AND Id > ") {
					n++
				}
			}
			if n != 12 {
				t.Errorf("%d restarts, want 12 (2500 users in pages of 200)", n)
			}
		},
	}, {
		name: "fewer records than totalSize",
		faults: func(f *fakeOrg) {
			f.onRequest(isMore, 1, func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"totalSize":2500,"done":true,"records":[]}`))
			})
		},
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			failsWith(t, err, ErrCountMismatch, "received 2000 records but totalSize is 2500", "500 records were lost")
		},
	}, {
		name: "more records than totalSize",
		faults: func(f *fakeOrg) {
			f.onRequest(isQuery("User"), 1, func(w http.ResponseWriter, r *http.Request) {
				recs := []map[string]any{userRecord(userID(1), "a@x", "Salesforce"), userRecord(userID(2), "b@x", "Salesforce")}
				json.NewEncoder(w).Encode(map[string]any{"totalSize": 1, "done": true, "records": recs})
			})
		},
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			failsWith(t, err, ErrCountMismatch, "received 2 records but totalSize is 1")
		},
	}, {
		name: "a duplicated record",
		faults: func(f *fakeOrg) {
			f.onRequest(isMore, 1, func(w http.ResponseWriter, r *http.Request) {
				recs := []map[string]any{userRecord(userID(2000), "dup@x", "Salesforce")}
				json.NewEncoder(w).Encode(map[string]any{"totalSize": 2500, "done": true, "records": recs})
			})
		},
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			failsWith(t, err, ErrOutOfOrder, "is a duplicate", userID(2000))
		},
	}, {
		name: "totalSize changes between pages",
		faults: func(f *fakeOrg) {
			f.onRequest(isMore, 1, func(w http.ResponseWriter, r *http.Request) {
				recs := []map[string]any{userRecord(userID(2001), "x@x", "Salesforce")}
				json.NewEncoder(w).Encode(map[string]any{"totalSize": 2001, "done": true, "records": recs})
			})
		},
		check: func(t *testing.T, f *fakeOrg, res *Result, clk *clock, err error) {
			failsWith(t, err, ErrCountMismatch, "totalSize changed from 2500 to 2001")
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeOrg(t)
			addUsers(f, 2500)
			if tt.faults != nil {
				tt.faults(f)
			}
			var auth Authenticator = tokenAuth(f)
			if tt.auth != nil {
				auth = tt.auth(f)
			}
			c, clk := testClient(t, auth, Options{Base: tt.base, BatchSize: tt.batch})
			res, err := c.Pull(context.Background())
			tt.check(t, f, res, clk, err)
		})
	}
}

func TestPullRequireSandbox(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(f *fakeOrg)
		wantErr string
	}{
		{"sandbox", func(f *fakeOrg) { addOrganization(f, true) }, ""},
		{"production", func(f *fakeOrg) { addOrganization(f, false) }, "is a production org (Organization.IsSandbox = false)"},
		{"no Organization record", func(f *fakeOrg) {}, "no Organization record was read"},
		{"Organization not readable", func(f *fakeOrg) { f.denied["Organization"] = "INSUFFICIENT_ACCESS" }, "no Organization record was read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeOrg(t)
			addUsers(f, 3)
			tt.setup(f)
			c, _ := testClient(t, tokenAuth(f), Options{RequireSandbox: true})
			res, err := c.Pull(context.Background())
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if o := res.Snapshot.Organization; o == nil || !o.IsSandbox.IsTrue() || o.InstanceName != "CS42" {
					t.Errorf("organization %+v", o)
				}
				return
			}
			if !errors.Is(err, ErrNotSandbox) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err %v, want ErrNotSandbox with %q", err, tt.wantErr)
			}
			for _, q := range f.queries {
				if strings.Contains(q, "FROM User") {
					t.Errorf("users were queried before the sandbox check failed: %q", q)
				}
			}
		})
	}
}

func TestPullWithoutIsPartner(t *testing.T) {
	f := newFakeOrg(t)
	f.missing["Account.IsPartner"] = true
	f.missing["User.Account.IsPartner"] = true
	f.missing["Account.IsCustomerPortal"] = true
	u := userRecord(userID(1), "p@x", "Partner Community")
	u["AccountId"] = "001000000000001"
	u["Account"] = map[string]any{"attributes": map[string]any{"type": "Account"}, "Name": "Acme", "OwnerId": "005000000000009"}
	f.add("User", u)
	f.add("Account", map[string]any{"Id": "001000000000001", "Name": "Acme", "OwnerId": "005000000000009",
		"Owner": map[string]any{"UserRoleId": nil}})
	c, _ := testClient(t, tokenAuth(f), Options{})
	res, err := c.Pull(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := res.Snapshot
	if s.Has.AccountIsPartner || s.Users[0].AccountIsPartner.Known() || len(s.Accounts) != 1 || s.Accounts[0].IsPartner.Known() {
		t.Errorf("partner status should be unknown: has %v, user %v, accounts %+v", s.Has.AccountIsPartner, s.Users[0].AccountIsPartner, s.Accounts)
	}
	if s.Accounts[0].Name != "Acme" || s.Users[0].AccountName != "Acme" {
		t.Errorf("accounts %+v", s.Accounts)
	}
	joined := strings.Join(res.Notes, "\n")
	if !strings.Contains(joined, "Account.IsPartner does not exist in this org") || !strings.Contains(joined, "IsCustomerPortal") {
		t.Errorf("notes %q", res.Notes)
	}
	if f.got("GET /services/data/v64.0/sobjects/Account/describe") != 1 {
		t.Errorf("Account was not described")
	}
	// The plan notes it too (the planner's own note).
	table, _ := rules.Default()
	p := planner.Build(s, table, nil, planner.Options{Source: res.Source()})
	if !slices.ContainsFunc(p.Notes, func(n string) bool { return strings.Contains(n, "partner status is unknown") }) {
		t.Errorf("plan notes %q", p.Notes)
	}
}

func TestPullSkipsUnreadableOptionalObjects(t *testing.T) {
	f := newFakeOrg(t)
	addUsers(f, 2)
	f.denied["UserRole"] = "INSUFFICIENT_ACCESS"
	f.denied["PermissionSetLicenseAssign"] = "INVALID_TYPE"
	c, _ := testClient(t, tokenAuth(f), Options{})
	res, err := c.Pull(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := res.Snapshot
	if s.Has.Roles || s.Has.PermissionSetLicenses || !s.Has.Licenses {
		t.Errorf("has %+v", s.Has)
	}
	if slices.Contains(res.Files, "UserRole.csv") || !slices.Contains(res.Files, "UserLicense.csv") {
		t.Errorf("files %v", res.Files)
	}
	want := []string{
		"UserRole.csv was not pulled: the user cannot read UserRole (INSUFFICIENT_ACCESS).",
		"PermissionSetLicenseAssign.csv was not pulled: the user cannot read PermissionSetLicenseAssign (INVALID_TYPE).",
	}
	if !slices.Equal(res.Notes, want) {
		t.Errorf("notes %q, want %q", res.Notes, want)
	}

	// User is required: no access to it fails the pull.
	f.denied["User"] = "INSUFFICIENT_ACCESS"
	c, _ = testClient(t, tokenAuth(f), Options{})
	if _, err := c.Pull(context.Background()); err == nil || !strings.Contains(err.Error(), "query User") {
		t.Errorf("err %v", err)
	}
}

func TestPullBadRecords(t *testing.T) {
	tests := []struct {
		name string
		rec  map[string]any
		want string
	}{
		{"missing field", map[string]any{"Id": userID(1), "Username": "a"}, "is missing from the record"},
		{"bad Id", func() map[string]any { r := userRecord("005' OR Name != '", "a", "S"); return r }(), "is not a Salesforce Id"},
		{"object as value", func() map[string]any { r := userRecord(userID(1), "a", "S"); r["Name"] = map[string]any{}; return r }(), "not a value"},
		{"value as relationship", func() map[string]any { r := userRecord(userID(1), "a", "S"); r["Profile"] = "x"; return r }(), "not a relationship object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeOrg(t)
			f.add("User", tt.rec)
			c, _ := testClient(t, tokenAuth(f), Options{Retry: RetryPolicy{MaxRetries: 1}})
			_, err := c.Pull(context.Background())
			if !errors.Is(err, ErrBadResponse) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want ErrBadResponse with %q", err, tt.want)
			}
			users := 0
			for _, q := range f.soqls() {
				if strings.Contains(q, " FROM User ") {
					users++
				}
			}
			if users != 2 {
				t.Errorf("%d User queries, want the bad page fetched twice", users)
			}
		})
	}
}

func TestPullCancelled(t *testing.T) {
	f := newFakeOrg(t)
	addUsers(f, 10)
	ctx, cancel := context.WithCancel(context.Background())
	f.onRequest(isQuery("User"), 1, func(w http.ResponseWriter, r *http.Request) {
		cancel()
		sfErrorJSON(w, 503, "SERVER_ERROR", "x")
	})
	c, _ := testClient(t, tokenAuth(f), Options{})
	_, err := c.Pull(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// TestPullMarksProduction: the plan of a production org says so in its
// source.
func TestPullMarksProduction(t *testing.T) {
	for _, sandbox := range []bool{false, true} {
		t.Run(fmt.Sprintf("IsSandbox %v", sandbox), func(t *testing.T) {
			f := newFakeOrg(t)
			addUsers(f, 1)
			addOrganization(f, sandbox)
			c, _ := testClient(t, tokenAuth(f), Options{})
			res, err := c.Pull(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			table, _ := rules.Default()
			p := planner.Build(res.Snapshot, table, nil, planner.Options{Source: res.Source()})
			o := p.Source.Org
			if o == nil || o.ID != "00D000000000001" || o.Name != "Acme" || o.IsSandbox == nil || *o.IsSandbox != sandbox || (p.Source.Environment == org.EnvProduction) == sandbox {
				t.Fatalf("source org %+v", o)
			}
			if p.Source.Kind != "org" || p.Source.Path != f.url() || p.Source.APICalls != res.APICalls || res.APICalls == 0 {
				t.Errorf("source %+v", p.Source)
			}
		})
	}
}

// TestPullCounts: a pull vouches for its record counts, so an org of
// exactly 2,000 users (one REST page, a truncation sign in a hand export)
// is known complete.
func TestPullCounts(t *testing.T) {
	f := newFakeOrg(t)
	addOrganization(f, true)
	addUsers(f, 2000)
	c, _ := testClient(t, tokenAuth(f), Options{})
	res, err := c.Pull(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := res.Snapshot.Counted["User.csv"]; !ok || n != 2000 {
		t.Errorf("Counted[User.csv] = %d, %v; want 2000", n, ok)
	}
	if n, ok := res.Snapshot.Counted["Organization.csv"]; !ok || n != 1 {
		t.Errorf("Counted[Organization.csv] = %d, %v; want 1", n, ok)
	}
}
