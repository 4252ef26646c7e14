package sfclient

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/simpleforce/simpleforce"
)

// recorder is a loopback server that records what reaches it.
type recorder struct {
	mu   sync.Mutex
	reqs []string
	hdrs []http.Header
	body []string
	srv  *httptest.Server
	next func(w http.ResponseWriter, r *http.Request)
}

func newRecorder(t *testing.T) *recorder {
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, r.Method+" "+r.URL.Path)
		rec.hdrs = append(rec.hdrs, r.Header.Clone())
		rec.body = append(rec.body, string(b))
		next := rec.next
		rec.mu.Unlock()
		w.Header().Set("Sforce-Limit-Info", "api-usage=41/15000")
		if next != nil {
			next(w, r)
			return
		}
		w.Write([]byte(`{"totalSize":0,"done":true,"records":[]}`))
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func testTransport(t *testing.T, clk *clock) *Transport {
	t.Helper()
	tr, err := NewTransport(TransportOptions{Retry: RetryPolicy{Sleep: clk.sleep, Jitter: func() float64 { return 0 }}})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTransportReadOnly(t *testing.T) {
	rec := newRecorder(t)
	tr := testTransport(t, &clock{})
	tests := []struct {
		method, path string
		allowed      bool
	}{
		{"GET", "/services/data/v64.0/query", true},
		{"HEAD", "/services/data/v64.0/limits", true},
		{"POST", "/services/oauth2/token", true},
		{"POST", "/services/Soap/u/64.0", true},
		{"POST", "/services/data/v64.0/sobjects/Account", false},
		{"PATCH", "/services/data/v64.0/sobjects/User/005000000000001", false},
		{"DELETE", "/services/data/v64.0/sobjects/User/005000000000001", false},
		{"PUT", "/services/data/v64.0/sobjects/User/005000000000001", false},
		{"POST", "//services//data/v64.0/composite", false},
		// Bulk API 2.0: creating a query job is the one allowed POST
		// under /jobs/; loading data, aborting or deleting is not.
		{"POST", "/services/data/v64.0/jobs/query", true},
		{"POST", "/services/data/v64.0/jobs/ingest", false},
		{"POST", "/services/data/v64.0/jobs/query/750000000000001", false},
		{"PATCH", "/services/data/v64.0/jobs/query/750000000000001", false},
		{"DELETE", "/services/data/v64.0/jobs/query/750000000000001", false},
		{"POST", "/services/data/v64.0/jobs/query/../ingest", false},
		{"POST", "/services/data/v64.0/jobs/query/../../sobjects/Account", false},
		{"GET", "/services/data/v64.0/jobs/query/750000000000001/results", true},
		{"POST", "/services/Soap/m/64.0", false},
		{"POST", "/services/oauth2/revoke", false},
		{"POST", "//services/oauth2/token/../../data/v64.0/sobjects/Account", false},
		{"POST", "/services/Soap/u/../../data/v64.0/sobjects/Account", false},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec.mu.Lock()
			before := len(rec.reqs)
			rec.mu.Unlock()
			req, _ := http.NewRequest(tt.method, rec.srv.URL, strings.NewReader("{}"))
			req.URL.Path = tt.path
			resp, err := tr.RoundTrip(req)
			if resp != nil {
				resp.Body.Close()
			}
			rec.mu.Lock()
			sent := len(rec.reqs) - before
			rec.mu.Unlock()
			if tt.allowed {
				if err != nil || sent != 1 {
					t.Fatalf("err %v, sent %d", err, sent)
				}
				return
			}
			if !errors.Is(err, ErrReadOnly) || sent != 0 {
				t.Fatalf("err %v, %d requests reached the server; want ErrReadOnly and none", err, sent)
			}
		})
	}
}

// TestSimpleforceWritesRefused drives simpleforce's own write calls through
// the transport: none reaches the org.
func TestSimpleforceWritesRefused(t *testing.T) {
	rec := newRecorder(t)
	tr := testTransport(t, &clock{})
	sc := simpleforce.NewClient(rec.srv.URL, simpleforce.DefaultClientID, "64.0")
	sc.SetHttpClient(tr.httpClient(context.Background()))
	sc.SetSidLoc("00Dx!tok", rec.srv.URL)
	if got := sc.SObject("Account").Set("Name", "x").Create(); got != nil {
		t.Errorf("Create returned %v", got)
	}
	sc.SObject("Account").Set("Id", "001000000000001").Set("Name", "y").Update()
	if err := sc.SObject("Account").Delete("001000000000001"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Delete: %v", err)
	}
	if _, err := sc.ApexREST(http.MethodPost, "services/apexrest/anything", strings.NewReader("{}")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("ApexREST POST: %v", err)
	}
	if len(rec.reqs) != 0 {
		t.Errorf("requests reached the org: %q", rec.reqs)
	}
}

func TestTransportHeadersAndCounting(t *testing.T) {
	rec := newRecorder(t)
	tr, err := NewTransport(TransportOptions{BatchSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	hc := tr.httpClient(context.Background())
	for _, p := range []string{"/services/data/v64.0/query?q=SELECT+Id+FROM+User", "/services/data/v64.0/query/01g-2000",
		"/services/data/v64.0/sobjects/Account/describe"} {
		resp, err := hc.Get(rec.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := hc.PostForm(rec.srv.URL+"/services/oauth2/token", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := []string{"batchSize=500", "batchSize=500", "", ""}
	for i, w := range want {
		if got := rec.hdrs[i].Get("Sforce-Query-Options"); got != w {
			t.Errorf("request %s: Sforce-Query-Options %q, want %q", rec.reqs[i], got, w)
		}
	}
	if tr.APICalls() != 3 {
		t.Errorf("APICalls %d, want 3 (logins do not count)", tr.APICalls())
	}
	if tr.Usage() != (Usage{41, 15000}) {
		t.Errorf("Usage %v", tr.Usage())
	}
	if _, err := NewTransport(TransportOptions{BatchSize: 100}); !errors.Is(err, ErrConfig) {
		t.Errorf("batch size 100: %v", err)
	}
}

// TestTransportRetriesPOSTBody: a token request, or the creation of a Bulk
// query job (a read), that gets a 503 is sent again with the same body.
func TestTransportRetriesPOSTBody(t *testing.T) {
	for _, tc := range []struct{ path, body string }{
		{"/services/oauth2/token", "grant_type=client_credentials&client_id=a"},
		{"/services/data/v64.0/jobs/query", `{"operation":"query","query":"SELECT Id FROM User"}`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			rec := newRecorder(t)
			n := 0
			rec.next = func(w http.ResponseWriter, r *http.Request) {
				n++
				if n == 1 {
					w.WriteHeader(503)
					return
				}
				w.Write([]byte(`{}`))
			}
			clk := &clock{}
			tr := testTransport(t, clk)
			// An io.Reader that is not a *strings.Reader: http.NewRequest
			// sets no GetBody, so the transport must buffer it.
			body := io.MultiReader(strings.NewReader(tc.body))
			req, _ := http.NewRequest("POST", rec.srv.URL+tc.path, body)
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if len(rec.body) != 2 || rec.body[0] != rec.body[1] || rec.body[1] != tc.body {
				t.Errorf("bodies %q", rec.body)
			}
			if w := clk.got(); len(w) != 1 || w[0] != 250*time.Millisecond {
				t.Errorf("waits %v, want one of 250ms (jitter 0)", w)
			}
		})
	}
}

func TestTransportErrorBodies(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		code     string
		msg      string
		attempts int
	}{
		{"REST array", 400, `[{"message":"unexpected token: FROM","errorCode":"MALFORMED_QUERY"}]`, "MALFORMED_QUERY", "unexpected token: FROM", 1},
		{"empty array", 400, `[]`, "", "[]", 1},
		{"null", 404, `null`, "", "null", 1},
		{"OAuth", 400, `{"error":"invalid_grant","error_description":"authentication failure"}`, "invalid_grant", "authentication failure", 1},
		{"SOAP fault", 500, `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: Invalid username</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`, "INVALID_LOGIN", "INVALID_LOGIN: Invalid username", 1},
		{"SOAP SERVER_UNAVAILABLE", 500, `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>sf:SERVER_UNAVAILABLE</faultcode><faultstring>down</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`, "SERVER_UNAVAILABLE", "down", 6},
		{"HTML", 502, "<html><body>Bad\x07Gateway</body></html>", "", "<html><body>Bad Gateway</body></html>", 6},
		{"long", 400, strings.Repeat("x", 1000), "", strings.Repeat("x", maxMessage) + "…", 1},
		{"not UTF-8", 400, "bad \xff byte", "", "bad \uFFFD byte", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t)
			rec.next = func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}
			tr := testTransport(t, &clock{})
			req, _ := http.NewRequest("GET", rec.srv.URL+"/services/data/v64.0/query", nil)
			_, err := tr.RoundTrip(req)
			if len(rec.reqs) != tt.attempts {
				t.Errorf("%d requests sent, want %d", len(rec.reqs), tt.attempts)
			}
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err %v, want *APIError", err)
			}
			if ae.Status != tt.status || ae.Code != tt.code || ae.Message != tt.msg || ae.Attempts != tt.attempts {
				t.Errorf("got %+v", ae)
			}
			if errors.Is(err, ErrRetriesExhausted) != (tt.attempts > 1) {
				t.Errorf("errors.Is(ErrRetriesExhausted) wrong for %v", err)
			}
		})
	}
}

func TestParseLimitInfo(t *testing.T) {
	tests := []struct {
		in   string
		want Usage
		ok   bool
	}{
		{"api-usage=10018/100000", Usage{10018, 100000}, true},
		{"api-usage=17/250, per-app-api-usage=17/250(appName=sample)", Usage{17, 250}, true},
		{"per-app-api-usage=17/250(appName=sample), api-usage=3/9", Usage{3, 9}, true},
		{"api-usage=x/100", Usage{}, false},
		{"api-usage=5", Usage{}, false},
		{"api-usage=5/0", Usage{}, false},
		{"", Usage{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseLimitInfo(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %v %v, want %v %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"Sun, 22 Nov 2026 09:00:30 GMT", 30 * time.Second, true},
		{"Sun, 22 Nov 2026 08:00:00 GMT", 0, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := retryAfter(tt.in, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %v %v, want %v %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{BaseDelay: time.Second, MaxDelay: 10 * time.Second, Jitter: func() float64 { return 0.999999 }}.withDefaults()
	lo := RetryPolicy{BaseDelay: time.Second, MaxDelay: 10 * time.Second, Jitter: func() float64 { return 0 }}.withDefaults()
	for n, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		if got := p.backoff(n); got > want || got < want-time.Millisecond {
			t.Errorf("backoff(%d) with jitter ~1 = %v, want ~%v", n, got, want)
		}
		if got := lo.backoff(n); got != want/2 {
			t.Errorf("backoff(%d) with jitter 0 = %v, want %v", n, got, want/2)
		}
	}
	if p.backoff(1000) != p.backoff(100) {
		t.Error("backoff does not stay capped")
	}
}

func TestRedactor(t *testing.T) {
	r := NewRedactor("p&ss w", "", "tok")
	tests := []struct{ in, want string }{
		{"password p&ss w here", "password [REDACTED] here"},
		{"escaped p%26ss+w and p&amp;ss w", "escaped [REDACTED] and [REDACTED]"},
		{"values tok,tok", "values [REDACTED],[REDACTED]"},
		{"nothing", "nothing"},
	}
	for _, tt := range tests {
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	base := context.Canceled
	err := r.Error(errors.Join(errors.New("tok leaked"), base))
	if err.Error() != "[REDACTED] leaked\ncontext canceled" || !errors.Is(err, context.Canceled) {
		t.Errorf("Error: %q", err)
	}
	if e := errors.New("clean"); r.Error(e) != e {
		t.Error("a clean error was wrapped")
	}
	var buf bytes.Buffer
	w := r.Writer(&buf)
	if n, err := w.Write([]byte("log tok line\n")); n != 13 || err != nil || buf.String() != "log [REDACTED] line\n" {
		t.Errorf("Writer: %d %v %q", n, err, buf.String())
	}
}
