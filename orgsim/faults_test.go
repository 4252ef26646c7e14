package orgsim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

const oneUser = "SELECT Id FROM User ORDER BY Id LIMIT 1"

// statuses sends n one-record queries and returns the status codes.
func statuses(t *testing.T, s *Server, n int) []int {
	t.Helper()
	tok := s.AccessToken()
	out := make([]int, n)
	for i := range out {
		out[i] = serve(s, http.MethodGet, queryPath(oneUser), tok, nil).status
	}
	return out
}

func TestFaultsAreDeterministic(t *testing.T) {
	opts := Options{Seed: 42, ErrorRate: 0.3, RateLimitRate: 0.2}
	a := statuses(t, newServer(t, usersSnapshot(3), opts), 300)
	b := statuses(t, newServer(t, usersSnapshot(3), opts), 300)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("the same seed gave different faults")
	}
	opts.Seed = 43
	if c := statuses(t, newServer(t, usersSnapshot(3), opts), 300); fmt.Sprint(a) == fmt.Sprint(c) {
		t.Error("another seed gave the same faults")
	}
	count := map[int]int{}
	for _, st := range a {
		count[st]++
	}
	// 30% errors, then 20% of the rest rate-limited: about 90, 42 and 168.
	errs, limited, ok := count[500]+count[503], count[429], count[200]
	if errs < 60 || errs > 120 || limited < 20 || limited > 70 || ok < 130 || count[500] == 0 || count[503] == 0 {
		t.Errorf("statuses %v: not near 30%% 500/503 and 14%% 429", count)
	}
	if len(count) != 4 {
		t.Errorf("unexpected statuses: %v", count)
	}
}

func TestFaultResponses(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		status     []int // acceptable statuses
		code       string
		retryAfter string // "" when the header must be absent
		fault      []Fault
	}{
		{"errors", Options{ErrorRate: 1}, []int{500, 503}, "", "", []Fault{FaultServerError, FaultServiceUnavailable}},
		{"429, Retry-After 0", Options{RateLimitRate: 1}, []int{429}, "TOO_MANY_REQUESTS", "0", []Fault{FaultRateLimited}},
		{"429, sub-second rounds up", Options{RateLimitRate: 1, RetryAfter: 1500 * time.Millisecond}, []int{429}, "TOO_MANY_REQUESTS", "2", []Fault{FaultRateLimited}},
		{"429, one second", Options{RateLimitRate: 1, RetryAfter: DefaultRetryAfter}, []int{429}, "TOO_MANY_REQUESTS", "1", []Fault{FaultRateLimited}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, usersSnapshot(3), tc.opts)
			tok := s.AccessToken()
			seen := map[int]bool{}
			for range 40 {
				r := serve(s, http.MethodGet, queryPath(oneUser), tok, nil)
				seen[r.status] = true
				e := r.apiErr(t)
				want := tc.code
				if want == "" {
					want = map[int]string{500: "SERVER_ERROR", 503: "SERVICE_UNAVAILABLE"}[r.status]
				}
				if !containsInt(tc.status, r.status) || e.ErrorCode != want {
					t.Fatalf("%d %s, want one of %v with %s", r.status, e.ErrorCode, tc.status, want)
				}
				if got := r.header.Get("Retry-After"); got != tc.retryAfter {
					t.Fatalf("Retry-After %q, want %q", got, tc.retryAfter)
				}
			}
			if len(seen) != len(tc.status) {
				t.Errorf("saw statuses %v, want all of %v", seen, tc.status)
			}
			st := s.Stats()
			total := 0
			for _, f := range tc.fault {
				total += st.FaultsInjected[f]
			}
			if total != 40 || st.APIRequests != 40 {
				t.Errorf("stats %+v: want 40 API requests, all faulted", st)
			}
		})
	}
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestFaultsSkipAuthEndpoints(t *testing.T) {
	s := newServer(t, usersSnapshot(3), Options{ErrorRate: 1, RateLimitRate: 1, DropEvery: 1, ExpireSessionEvery: 1})
	d := DefaultCredentials()
	form := url.Values{"grant_type": {"password"}, "client_id": {d.ClientID}, "client_secret": {d.ClientSecret},
		"username": {d.Username}, "password": {d.Password + d.SecurityToken}}
	r := serve(s, http.MethodPost, "/services/oauth2/token", "", strings.NewReader(form.Encode()),
		"Content-Type", "application/x-www-form-urlencoded")
	if r.status != 200 {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	var tok tokenResponse
	r.json(t, &tok)
	for _, p := range []string{"/services/oauth2/userinfo", "/services/data"} {
		if r := serve(s, http.MethodGet, p, tok.AccessToken, nil); r.status != 200 {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	if st := s.Stats(); st.APIRequests != 0 || len(st.FaultsInjected) != 0 {
		t.Errorf("stats %+v: auth endpoints must not count or fault", st)
	}
}

func TestSessionExpiry(t *testing.T) {
	s := newServer(t, usersSnapshot(3), Options{ExpireSessionEvery: 3})
	tok := s.AccessToken()
	want := []int{200, 200, 401, 401}
	for i, w := range want {
		r := serve(s, http.MethodGet, queryPath(oneUser), tok, nil)
		if r.status != w {
			t.Fatalf("request %d: %d, want %d", i+1, r.status, w)
		}
		if w == 401 {
			if e := r.apiErr(t); e.ErrorCode != "INVALID_SESSION_ID" || e.Message != "Session expired or invalid" {
				t.Errorf("request %d: %+v", i+1, e)
			}
		}
	}
	fresh := s.AccessToken()
	if fresh == tok {
		t.Fatal("AccessToken returned the expired token")
	}
	// Requests 4 (expired token, not admitted), then 3 and 4 of the new
	// session's count: the 6th admitted request expires it again.
	for i, w := range []int{200, 200, 401} {
		if r := serve(s, http.MethodGet, queryPath(oneUser), fresh, nil); r.status != w {
			t.Fatalf("new token, request %d: %d, want %d", i+1, r.status, w)
		}
	}
	if st := s.Stats(); st.FaultsInjected[FaultSessionExpired] != 2 || st.APIRequests != 6 {
		t.Errorf("stats %+v: want 2 expiries in 6 API requests", st)
	}
}

func TestLocatorExpiry(t *testing.T) {
	s := newServer(t, usersSnapshot(1000), Options{ExpireLocatorEvery: 2})
	tok := s.AccessToken()
	r := serve(s, http.MethodGet, queryPath("SELECT Id FROM User"), tok, nil, "Sforce-Query-Options", "batchSize=200")
	var p page
	r.json(t, &p)
	next := p.NextRecordsURL
	r = serve(s, http.MethodGet, next, tok, nil, "Sforce-Query-Options", "batchSize=200")
	if r.status != 200 {
		t.Fatalf("first query-more: %d %s", r.status, r.body)
	}
	r.json(t, &p)
	for i := range 2 { // the second query-more expires; the locator is gone for good
		r = serve(s, http.MethodGet, p.NextRecordsURL, tok, nil)
		if r.status != 400 || r.apiErr(t).ErrorCode != "INVALID_QUERY_LOCATOR" {
			t.Fatalf("attempt %d: %d %s, want 400 INVALID_QUERY_LOCATOR", i+1, r.status, r.body)
		}
	}
	if n := s.Stats().FaultsInjected[FaultLocatorExpired]; n != 1 {
		t.Errorf("%d locator faults, want 1", n)
	}
}

func TestTruncatedPages(t *testing.T) {
	s := newServer(t, usersSnapshot(600), Options{TruncateEvery: 2})
	tok := s.AccessToken()
	h := []string{"Sforce-Query-Options", "batchSize=200"}
	first := serve(s, http.MethodGet, queryPath("SELECT Id, Username FROM User ORDER BY Id"), tok, nil, h...)
	var p page
	first.json(t, &p)
	cut := serve(s, http.MethodGet, p.NextRecordsURL, tok, nil, h...) // the 2nd page: cut
	again := serve(s, http.MethodGet, p.NextRecordsURL, tok, nil, h...)
	if cut.status != 200 || again.status != 200 {
		t.Fatalf("statuses %d, %d", cut.status, again.status)
	}
	if json.Valid(cut.body) {
		t.Fatal("truncated page is valid JSON")
	}
	if cl, _ := strconv.Atoi(cut.header.Get("Content-Length")); cl != len(cut.body) || len(cut.body) != len(again.body)/2 {
		t.Errorf("truncated body %d bytes (Content-Length %d), full %d", len(cut.body), cl, len(again.body))
	}
	if string(again.body[:len(cut.body)]) != string(cut.body) {
		t.Error("the truncated body is not the first half of the page")
	}
	var p2 page
	again.json(t, &p2)
	if len(p2.Records) != 200 || p2.Records[0]["Username"] != "user201@example.com" {
		t.Errorf("refetched page: %d records, first %v", len(p2.Records), p2.Records[0]["Username"])
	}
	if n := s.Stats().FaultsInjected[FaultTruncated]; n != 1 {
		t.Errorf("%d truncations, want 1", n)
	}
}

func TestDroppedConnections(t *testing.T) {
	s := newServer(t, usersSnapshot(3), Options{DropEvery: 2})
	hs := httptest.NewServer(s)
	defer hs.Close()
	// No keep-alive: net/http would otherwise retry a GET that failed on
	// a reused connection, hiding the drop.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	tok := s.AccessToken()
	for i, wantErr := range []bool{false, true, false, true} {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+queryPath(oneUser), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := hc.Do(req)
		if resp != nil {
			resp.Body.Close()
		}
		if (err != nil) != wantErr {
			t.Fatalf("request %d: err = %v, want error %v", i+1, err, wantErr)
		}
		if err == nil && resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
	}
	if n := s.Stats().FaultsInjected[FaultDropped]; n != 2 {
		t.Errorf("%d drops, want 2", n)
	}
}

func TestAPILimit(t *testing.T) {
	s := newServer(t, usersSnapshot(3), Options{APILimit: 3})
	tok := s.AccessToken()
	for i := 1; i <= 5; i++ {
		r := serve(s, http.MethodGet, queryPath(oneUser), tok, nil)
		used := min(i, 3)
		if got, want := r.header.Get("Sforce-Limit-Info"), fmt.Sprintf("api-usage=%d/3", used); got != want {
			t.Errorf("request %d: Sforce-Limit-Info %q, want %q", i, got, want)
		}
		if i <= 3 {
			if r.status != 200 {
				t.Fatalf("request %d: %d %s", i, r.status, r.body)
			}
			continue
		}
		if e := r.apiErr(t); r.status != 403 || e.ErrorCode != "REQUEST_LIMIT_EXCEEDED" || e.Message != "TotalRequests Limit exceeded." {
			t.Errorf("request %d: %d %+v, want 403 REQUEST_LIMIT_EXCEEDED", i, r.status, e)
		}
	}
	// Other endpoints still answer, and say how much is used.
	r := serve(s, http.MethodGet, "/services/data", "", nil)
	if r.status != 200 || r.header.Get("Sforce-Limit-Info") != "api-usage=3/3" {
		t.Errorf("versions: %d %q", r.status, r.header.Get("Sforce-Limit-Info"))
	}
	if st := s.Stats(); st.APIRequests != 3 || st.FaultsInjected[FaultLimitExceeded] != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestLimitsEndpoint(t *testing.T) {
	s := newServer(t, usersSnapshot(3), Options{APILimit: 50})
	tok := s.AccessToken()
	serve(s, http.MethodGet, queryPath(oneUser), tok, nil)
	r := serve(s, http.MethodGet, "/services/data/v54.0/limits", tok, nil)
	var lim map[string]struct{ Max, Remaining int }
	r.json(t, &lim)
	if got := lim["DailyApiRequests"]; got.Max != 50 || got.Remaining != 48 {
		t.Errorf("DailyApiRequests %+v, want Max 50 Remaining 48", got)
	}
}

func TestLatency(t *testing.T) {
	const latency = 30 * time.Millisecond
	s := newServer(t, usersSnapshot(3), Options{Latency: latency})
	start := time.Now()
	r := serve(s, http.MethodGet, "/services/data", "", nil)
	if elapsed := time.Since(start); r.status != 200 || elapsed < latency {
		t.Errorf("%d after %v; want 200 after at least %v", r.status, elapsed, latency)
	}
	// A client that gives up is not answered.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodGet, "http://example.com/services/data", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Body.Len() != 0 {
		t.Errorf("cancelled request answered: %s", rec.Body)
	}
}

func TestStats(t *testing.T) {
	s := newServer(t, usersSnapshot(3), Options{})
	tok := s.AccessToken()
	serve(s, http.MethodGet, queryPath(oneUser), tok, nil)
	serve(s, http.MethodGet, queryPath(oneUser), "bad-token", nil)
	serve(s, http.MethodGet, "/services/data/v54.0/sobjects/User/describe", tok, nil)
	serve(s, http.MethodGet, "/services/data", "", nil)
	serve(s, http.MethodGet, "/nothing/here", "", nil)
	st := s.Stats()
	want := map[string]int{"query": 2, "describe": 1, "versions": 1, "not_found": 1}
	if st.Requests != 5 || st.APIRequests != 2 || fmt.Sprint(st.Endpoints) != fmt.Sprint(want) {
		t.Errorf("stats %+v; want 5 requests, 2 API requests, endpoints %v", st, want)
	}
	st.Endpoints["query"] = 99 // a copy
	if s.Stats().Endpoints["query"] != 2 {
		t.Error("Stats returned the live map")
	}
}
