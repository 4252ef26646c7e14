package sfclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/orgsim"
)

// Integration tests: sfclient against orgsim, the local simulator that
// speaks Salesforce's REST, OAuth and SOAP login protocols over loopback.

func startOrgsim(t testing.TB, snap *org.Snapshot, opts orgsim.Options) (*orgsim.Server, string) {
	t.Helper()
	srv, err := orgsim.New(snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, hs.URL
}

// simAuth returns every login method for an orgsim server at url, with
// the simulator's default credentials.
func simAuth(t *testing.T, srv *orgsim.Server, url string) map[string]Authenticator {
	key, _ := testKey(t)
	cred := orgsim.DefaultCredentials()
	return map[string]Authenticator{
		"access token": AccessToken{InstanceURL: url, Token: srv.AccessToken()},
		"sf CLI": SFCLI{Alias: "sim", Run: func(context.Context, string, ...string) ([]byte, error) {
			return fmt.Appendf(nil, `{"status":0,"result":{"accessToken":%q,"instanceUrl":%q}}`, srv.AccessToken(), url), nil
		}},
		"JWT bearer":         JWTBearer{ClientID: cred.ClientID, Username: cred.Username, LoginURL: url, PrivateKey: key},
		"client credentials": ClientCredentials{ClientID: cred.ClientID, ClientSecret: cred.ClientSecret, LoginURL: url},
		"SOAP password":      Password{LoginURL: url, Username: cred.Username, Password: cred.Password, SecurityToken: cred.SecurityToken},
	}
}

// TestOrgsimRoundTrip: the demo org served by orgsim and pulled by
// sfclient, with every login method, equals the demo snapshot, and plans
// the same as the offline demo.
func TestOrgsimRoundTrip(t *testing.T) {
	want := demoSnapshot(t)
	_, pub := testKey(t)
	srv, url := startOrgsim(t, want, orgsim.Options{JWTPublicKey: pub})
	wantPlan := demoPlanJSON(t, want)
	for name, auth := range simAuth(t, srv, url) {
		t.Run(name, func(t *testing.T) {
			c, _ := testClient(t, auth, Options{})
			res, err := c.Pull(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := res.Snapshot
			diffSnap(t, got, want)
			if n := got.Counted["User.csv"]; n != len(want.Users) {
				t.Errorf("Counted[User.csv] = %d, want %d", n, len(want.Users))
			}
			if !bytes.Equal(demoPlanJSON(t, got), wantPlan) {
				t.Error("the plan of the pulled demo differs from the offline plan")
			}
			if res.APICalls != 10 {
				t.Errorf("%d API calls, want 10 (9 queries and a describe)", res.APICalls)
			}
			if !res.Usage.Known() || res.InstanceURL != url {
				t.Errorf("usage %v, instance %s", res.Usage, res.InstanceURL)
			}
		})
	}
}

// usersSnapshot is an org of n users and nothing else.
func usersSnapshot(n int) *org.Snapshot {
	s := &org.Snapshot{Files: []string{"User.csv"}}
	for i := range n {
		s.Users = append(s.Users, org.User{ID: userID(i + 1), Username: fmt.Sprintf("u%d@example.com", i+1),
			ProfileID: "00e000000000001", ProfileName: "Standard User", License: "Salesforce", IsActive: org.True})
	}
	return s
}

func TestOrgsimPaging(t *testing.T) {
	for _, n := range []int{0, 1, 199, 200, 2000, 2001, 5000} {
		for _, batch := range []int{200, 2000} {
			t.Run(fmt.Sprintf("%d users, batch %d", n, batch), func(t *testing.T) {
				srv, url := startOrgsim(t, usersSnapshot(n), orgsim.Options{})
				c, _ := testClient(t, AccessToken{InstanceURL: url, Token: srv.AccessToken()}, Options{BatchSize: batch})
				res, err := c.Pull(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Snapshot.Users) != n {
					t.Fatalf("%d users, want %d", len(res.Snapshot.Users), n)
				}
				for i, u := range res.Snapshot.Users {
					if u.ID != userID(i+1) {
						t.Fatalf("user %d is %s", i, u.ID)
					}
				}
				// User is the only object with more than one page.
				if got, want := srv.Stats().Endpoints["query_more"], max(0, (n+batch-1)/batch-1); got != want {
					t.Errorf("%d next pages, want %d", got, want)
				}
			})
		}
	}
}

// TestOrgsimFaults pulls a generated org through every fault the simulator
// injects: the result equals a pull without faults, so nothing was lost or
// duplicated, or the run fails with the right error.
func TestOrgsimFaults(t *testing.T) {
	snap := orggen.Generate(orggen.Options{Users: 3000, Seed: 7})
	_, pub := testKey(t)
	srv, url := startOrgsim(t, snap, orgsim.Options{})
	c, _ := testClient(t, AccessToken{InstanceURL: url, Token: srv.AccessToken()}, Options{})
	clean, err := c.Pull(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(clean.Snapshot.Users) != 3000 {
		t.Fatalf("%d users", len(clean.Snapshot.Users))
	}
	cred := orgsim.DefaultCredentials()
	cc := func(url string) Authenticator {
		return ClientCredentials{ClientID: cred.ClientID, ClientSecret: cred.ClientSecret, LoginURL: url}
	}
	tests := []struct {
		name   string
		opts   orgsim.Options
		auth   func(srv *orgsim.Server, url string) Authenticator
		batch  int
		faults []orgsim.Fault
		err    error
		words  []string
	}{
		{name: "500 and 503", opts: orgsim.Options{Seed: 1, ErrorRate: 0.2},
			faults: []orgsim.Fault{orgsim.FaultServerError, orgsim.FaultServiceUnavailable}},
		{name: "429 with Retry-After", opts: orgsim.Options{Seed: 2, RateLimitRate: 0.2, RetryAfter: 3 * time.Second},
			faults: []orgsim.Fault{orgsim.FaultRateLimited}},
		{name: "dropped connections", opts: orgsim.Options{DropEvery: 4}, faults: []orgsim.Fault{orgsim.FaultDropped}},
		{name: "truncated bodies", opts: orgsim.Options{TruncateEvery: 3}, faults: []orgsim.Fault{orgsim.FaultTruncated}},
		{name: "expired locators", opts: orgsim.Options{ExpireLocatorEvery: 2}, batch: 200,
			faults: []orgsim.Fault{orgsim.FaultLocatorExpired}},
		{name: "expired sessions, client credentials", opts: orgsim.Options{ExpireSessionEvery: 5}, batch: 200,
			auth: func(_ *orgsim.Server, url string) Authenticator { return cc(url) }, faults: []orgsim.Fault{orgsim.FaultSessionExpired}},
		{name: "expired sessions, SOAP login", opts: orgsim.Options{ExpireSessionEvery: 5}, batch: 200,
			auth: func(_ *orgsim.Server, url string) Authenticator {
				return Password{LoginURL: url, Username: cred.Username, Password: cred.Password, SecurityToken: cred.SecurityToken}
			}, faults: []orgsim.Fault{orgsim.FaultSessionExpired}},
		{name: "everything at once, JWT", batch: 200,
			opts: orgsim.Options{Seed: 3, ErrorRate: 0.1, RateLimitRate: 0.1, ExpireSessionEvery: 11, ExpireLocatorEvery: 3,
				TruncateEvery: 4, DropEvery: 9, JWTPublicKey: pub},
			auth: func(_ *orgsim.Server, url string) Authenticator {
				key, _ := testKey(t)
				return JWTBearer{ClientID: cred.ClientID, Username: cred.Username, LoginURL: url, PrivateKey: key}
			},
			faults: []orgsim.Fault{orgsim.FaultServerError, orgsim.FaultRateLimited, orgsim.FaultSessionExpired,
				orgsim.FaultLocatorExpired, orgsim.FaultTruncated, orgsim.FaultDropped}},
		{name: "expired session with a static token", opts: orgsim.Options{ExpireSessionEvery: 5},
			err: ErrSessionExpired, words: []string{"SF_ACCESS_TOKEN"}},
		{name: "every request expires the session", opts: orgsim.Options{ExpireSessionEvery: 1},
			auth: func(_ *orgsim.Server, url string) Authenticator { return cc(url) },
			err:  ErrSessionExpired, words: []string{"again right after a new login"}},
		{name: "API limit", opts: orgsim.Options{APILimit: 5},
			err: ErrRequestLimit, words: []string{"api-usage=5/5", "TotalRequests Limit exceeded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := startOrgsim(t, snap, tt.opts)
			var auth Authenticator = AccessToken{InstanceURL: url, Token: srv.AccessToken()}
			if tt.auth != nil {
				auth = tt.auth(srv, url)
			}
			c, clk := testClient(t, auth, Options{BatchSize: tt.batch})
			res, err := c.Pull(context.Background())
			st := srv.Stats()
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err %v, want %v", err, tt.err)
				}
				for _, w := range tt.words {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Pull: %v (faults %v)", err, st.FaultsInjected)
			}
			for _, f := range tt.faults {
				if st.FaultsInjected[f] == 0 {
					t.Errorf("no %s fault was injected: %v", f, st.FaultsInjected)
				}
			}
			diffSnap(t, res.Snapshot, clean.Snapshot)
			// Dropped requests got no answer, so the client does not count
			// them; every other admitted request it does.
			if want := st.APIRequests - st.FaultsInjected[orgsim.FaultDropped]; res.APICalls < want {
				t.Errorf("client counted %d API calls, the simulator answered %d", res.APICalls, want)
			}
			if tt.opts.RetryAfter > 0 && !containsDur(clk.got(), tt.opts.RetryAfter) {
				t.Errorf("waits %v never honoured Retry-After %v", clk.got(), tt.opts.RetryAfter)
			}
		})
	}
}

// diffSnap fails t when got and want differ (ignoring order and line
// numbers), naming the first difference.
func diffSnap(t *testing.T, got, want *org.Snapshot) {
	t.Helper()
	g, w := reflect.ValueOf(*normalize(got)), reflect.ValueOf(*normalize(want))
	for i := range g.NumField() {
		name := g.Type().Field(i).Name
		gf, wf := g.Field(i), w.Field(i)
		if reflect.DeepEqual(gf.Interface(), wf.Interface()) {
			continue
		}
		if gf.Kind() == reflect.Slice {
			for j := range min(gf.Len(), wf.Len()) {
				if !reflect.DeepEqual(gf.Index(j).Interface(), wf.Index(j).Interface()) {
					t.Fatalf("%s[%d] differs:\n got %+v\nwant %+v", name, j, gf.Index(j).Interface(), wf.Index(j).Interface())
				}
			}
			t.Fatalf("%s: %d vs %d elements", name, gf.Len(), wf.Len())
		}
		t.Fatalf("%s differs:\n got %+v\nwant %+v", name, gf.Interface(), wf.Interface())
	}
}

func containsDur(ds []time.Duration, d time.Duration) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// TestOrgsimBadCredentials: every method's refusal is ErrAuth and names no
// secret.
func TestOrgsimBadCredentials(t *testing.T) {
	const bad = "wr0ng-S3cret"
	key, pub := testKey(t)
	other, _ := testOtherKey(t)
	_, url := startOrgsim(t, usersSnapshot(1), orgsim.Options{JWTPublicKey: pub})
	cred := orgsim.DefaultCredentials()
	tests := map[string]struct {
		auth  Authenticator
		words []string
	}{
		"client credentials": {ClientCredentials{ClientID: cred.ClientID, ClientSecret: bad, LoginURL: url}, []string{"invalid_client"}},
		"JWT wrong key":      {JWTBearer{ClientID: cred.ClientID, Username: cred.Username, LoginURL: url, PrivateKey: other}, []string{"invalid_grant"}},
		"JWT wrong user":     {JWTBearer{ClientID: cred.ClientID, Username: "nobody@x", LoginURL: url, PrivateKey: key}, []string{"hasn't approved"}},
		"SOAP":               {Password{LoginURL: url, Username: cred.Username, Password: bad, SecurityToken: bad}, []string{"INVALID_LOGIN"}},
		"access token":       {AccessToken{InstanceURL: url, Token: "00D000000000001!" + bad}, []string{"expired or was revoked", "get a new one"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c, _ := testClient(t, tt.auth, Options{})
			_, err := c.Pull(context.Background())
			if !errors.Is(err, ErrAuth) && !errors.Is(err, ErrSessionExpired) {
				t.Fatalf("err %v", err)
			}
			for _, w := range tt.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), bad) {
				t.Errorf("error shows the secret: %q", err)
			}
		})
	}
}

var (
	otherOnce sync.Once
	otherPEM  []byte
)

// testOtherKey is a second RSA key, which orgsim does not trust.
func testOtherKey(t *testing.T) ([]byte, error) {
	t.Helper()
	var err error
	otherOnce.Do(func() {
		var k *rsa.PrivateKey
		if k, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return
		}
		der, _ := x509.MarshalPKCS8PrivateKey(k)
		otherPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	})
	if err != nil {
		t.Fatal(err)
	}
	return otherPEM, nil
}

// BenchmarkPullOrgsim pulls a generated 200,000-user org (every snapshot
// object, not only users) from orgsim over loopback HTTP and reports users
// and records per second and the peak live heap above the baseline: the
// pull's pages, its staged CSV buffers and the snapshot it reads back, plus
// what the in-process simulator allocates while it serves.
//
//	go test ./sfclient -run '^$' -bench PullOrgsim -benchtime 1x -benchmem
//
// BenchmarkPullOrgsim pulls a 200,000-user generated org from orgsim
// with 150 ms of latency on every answer, as a real org over the
// internet has at least, by REST, Bulk and auto:
//
//	go test ./sfclient -run '^$' -bench PullOrgsim -benchtime 2x
func BenchmarkPullOrgsim(b *testing.B) {
	snap := orggen.Generate(orggen.Options{Users: 200000, Seed: 1})
	srv, url := startOrgsim(b, snap, orgsim.Options{Latency: 150 * time.Millisecond})
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"rest", Options{API: APIREST}},
		{"rest, one object at a time", Options{API: APIREST, Parallel: 1}},
		{"bulk", Options{API: APIBulk}},
		{"auto", Options{API: APIAuto}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			tc.opts.TempDir = b.TempDir()
			c, err := New(AccessToken{InstanceURL: url, Token: srv.AccessToken()}, tc.opts)
			if err != nil {
				b.Fatal(err)
			}
			benchPull(b, c, len(snap.Users))
		})
	}
}

func benchPull(b *testing.B, c *Client, want int) {
	runtime.GC()
	base := liveHeap()
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				peak = max(peak, liveHeap())
			}
		}
	}()
	b.ResetTimer()
	users, records, calls := 0, 0, 0
	for b.Loop() {
		before := c.APICalls()
		res, err := c.Pull(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		calls += res.APICalls - before
		s := res.Snapshot
		users += len(s.Users)
		records += len(s.Users) + len(s.Accounts) + len(s.Roles) + len(s.Licenses) + len(s.Profiles) +
			len(s.PermissionSets) + len(s.ObjectPermissions) + len(s.PermissionSetLicenses) + 1
	}
	b.StopTimer()
	close(stop)
	<-done
	if users != want*b.N {
		b.Fatalf("%d users pulled", users)
	}
	b.ReportMetric(float64(users)/b.Elapsed().Seconds(), "users/s")
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
	b.ReportMetric(float64(peak-min(base, peak))/(1<<20), "peak-heap-MB")
}

// liveHeap is the bytes of live and not yet swept heap objects.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
