package sfclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	pathpkg "path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// RetryPolicy says how the transport retries.
type RetryPolicy struct {
	// MaxRetries is how many times a failed request is sent again (default
	// 5; negative: never).
	MaxRetries int
	// BaseDelay is the first backoff (default 500ms); it doubles each
	// retry up to MaxDelay (default 30s). The wait is drawn from
	// [d/2, d) (jitter).
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After the transport waits for
	// (default 5m); a longer one fails the request at once.
	MaxRetryAfter time.Duration
	// Sleep waits d or until ctx is done (default: a timer). Tests inject a
	// fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1) (default math/rand/v2).
	Jitter func() float64
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxRetries == 0 {
		p.MaxRetries = 5
	}
	if p.MaxRetries < 0 {
		p.MaxRetries = 0
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 5 * time.Minute
	}
	if p.Sleep == nil {
		p.Sleep = sleepCtx
	}
	if p.Jitter == nil {
		p.Jitter = rand.Float64
	}
	return p
}

// backoff is the wait before retry number n (0-based).
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseDelay
	for i := 0; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	return d/2 + time.Duration(p.Jitter()*float64(d/2))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Usage is the API usage from the last Sforce-Limit-Info header
// ("api-usage=USED/LIMIT"). Limit is 0 when no header was seen.
type Usage struct {
	Used, Limit int
}

// Known reports whether a Sforce-Limit-Info header was seen.
func (u Usage) Known() bool { return u.Limit > 0 }

func (u Usage) String() string {
	if !u.Known() {
		return "api-usage unknown (no Sforce-Limit-Info header)"
	}
	return fmt.Sprintf("api-usage=%d/%d", u.Used, u.Limit)
}

// parseLimitInfo reads "api-usage=18/15000" out of a Sforce-Limit-Info
// value, which may list other parts ("per-app-api-usage=…") after commas.
func parseLimitInfo(v string) (Usage, bool) {
	for part := range strings.SplitSeq(v, ",") {
		part = strings.TrimSpace(part)
		rest, ok := strings.CutPrefix(part, "api-usage=")
		if !ok {
			continue
		}
		used, limit, ok := strings.Cut(rest, "/")
		if !ok {
			return Usage{}, false
		}
		u, err1 := strconv.Atoi(strings.TrimSpace(used))
		l, err2 := strconv.Atoi(strings.TrimSpace(limit))
		if err1 != nil || err2 != nil || u < 0 || l <= 0 {
			return Usage{}, false
		}
		return Usage{Used: u, Limit: l}, true
	}
	return Usage{}, false
}

// maxBody bounds a response body the transport buffers. A query page of
// 2,000 records is a few megabytes.
const maxBody = 256 << 20

// Transport is the read-only, retrying, counting http.RoundTripper under
// every request a Client sends. Use NewTransport; the zero value is not
// usable. It is safe for concurrent use.
//
// RoundTrip buffers each answer's body (so a body cut off mid-way is
// retried like a dropped connection) and returns an *APIError, not a
// response, for every status of 400 and above.
type Transport struct {
	base      http.RoundTripper
	policy    RetryPolicy
	batchSize int
	timeout   time.Duration
	redactor  *Redactor
	reserve   Reserve
	// writes lets the transport send sObject Collections writes. Only
	// NewWriter sets it: NewTransport, and every Client, are read only.
	writes bool

	calls atomic.Int64
	mu    sync.Mutex
	usage Usage
}

// TransportOptions configure NewTransport.
type TransportOptions struct {
	// Base sends the requests (default: a clone of http.DefaultTransport).
	Base http.RoundTripper
	// Retry is the retry policy.
	Retry RetryPolicy
	// BatchSize goes into Sforce-Query-Options (default 2000; Salesforce
	// accepts 200 to 2000).
	BatchSize int
	// AttemptTimeout bounds each attempt, body included (default 2m).
	AttemptTimeout time.Duration
	// Redactor cleans server text kept in errors (nil: none).
	Redactor *Redactor
	// Reserve is the part of the daily API limit left unused.
	Reserve Reserve
}

// NewTransport returns a Transport.
func NewTransport(o TransportOptions) (*Transport, error) {
	if o.BatchSize == 0 {
		o.BatchSize = 2000
	}
	if o.BatchSize < 200 || o.BatchSize > 2000 {
		return nil, fmt.Errorf("%w: batch size %d: Salesforce accepts 200 to 2000", ErrConfig, o.BatchSize)
	}
	if o.Base == nil {
		o.Base = http.DefaultTransport.(*http.Transport).Clone()
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 2 * time.Minute
	}
	return &Transport{base: o.Base, policy: o.Retry.withDefaults(), batchSize: o.BatchSize,
		timeout: o.AttemptTimeout, redactor: o.Redactor, reserve: o.Reserve}, nil
}

// APICalls counts the requests to /services/data that got an answer,
// retries included: what Salesforce counts against the org's API limit.
// Logins (OAuth token and SOAP login requests) are not counted.
func (t *Transport) APICalls() int { return int(t.calls.Load()) }

// Usage returns the API usage from the last Sforce-Limit-Info header.
func (t *Transport) Usage() Usage {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.usage
}

// allowed reports whether a request may be sent: reads anywhere, the POSTs
// of the two login endpoints, and POST /services/data/vNN.N/jobs/query,
// which creates a Bulk API 2.0 query job: it reads records and changes none
// (Bulk API 2.0 Developer Guide, query_create_job). Nothing else under
// /jobs/ is allowed: not /jobs/ingest (which loads data), nor PATCH or
// DELETE of a job. A transport of a Writer also sends
// POST and PATCH to the sObject Collections resource
// (/services/data/vNN.N/composite/sobjects), and nothing else that writes.
func (t *Transport) allowed(method, path string) bool {
	p := pathpkg.Clean(cleanPath(path))
	switch method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
		if p == "/services/oauth2/token" || strings.HasPrefix(p, "/services/Soap/u/") || bulkQueryPath.MatchString(p) {
			return true
		}
	}
	if t.writes && (method == http.MethodPost || method == http.MethodPatch) {
		return collectionsPath.MatchString(p)
	}
	return false
}

// collectionsPath is the sObject Collections resource.
var collectionsPath = regexp.MustCompile(`^/services/data/v[0-9]+\.[0-9]/composite/sobjects$`)

// bulkQueryPath is the Bulk API 2.0 query job resource.
var bulkQueryPath = regexp.MustCompile(`^/services/data/v[0-9]+\.[0-9]/jobs/query$`)

// isWrite reports whether a request changes the org (anything but a read,
// a login or the creation of a Bulk query job). A Bulk query job changes no
// record, so its creation is retried like a read: at worst a retry leaves
// one more job, which Salesforce deletes after seven days.
func isWrite(method, path string) bool {
	p := cleanPath(path)
	if method == http.MethodPost && bulkQueryPath.MatchString(pathpkg.Clean(p)) {
		return false
	}
	return (method == http.MethodPost || method == http.MethodPatch) && strings.HasPrefix(p, "/services/data/")
}

// cleanPath folds doubled slashes, so "//services/data" is checked like
// "/services/data".
func cleanPath(p string) string {
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	return p
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	path := req.URL.Path
	if !t.allowed(req.Method, path) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("%w: %s %s (licenseplan only reads from the org)", ErrReadOnly, req.Method, path)
	}
	ctx := req.Context()
	rest := strings.HasPrefix(cleanPath(path), "/services/data")
	query := rest && strings.Contains(cleanPath(path), "/query")
	// A write is sent once: after a dropped connection, a timeout or a 5xx
	// answer nobody knows whether Salesforce committed it, and sending it
	// again could make a second user. Such a write fails with
	// ErrOutcomeUnknown and its caller reads the org before going on. Only
	// answers that say the request was refused unprocessed (429) are
	// retried.
	write := isWrite(req.Method, path)
	if req.Body != nil && req.GetBody == nil {
		// Without GetBody the request cannot be sent twice; buffer it.
		data, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s %s: reading request body: %w", req.Method, path, err)
		}
		req = req.Clone(ctx)
		req.Body = io.NopCloser(bytes.NewReader(data))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}

	for attempt := 1; ; attempt++ {
		if rest {
			if err := t.checkReserve(); err != nil {
				return nil, err
			}
		}
		r := req.Clone(ctx)
		if attempt > 1 && req.GetBody != nil {
			b, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("%s %s: rewinding request body: %w", req.Method, path, err)
			}
			r.Body = b
		}
		if query {
			r.Header.Set("Sforce-Query-Options", "batchSize="+strconv.Itoa(t.batchSize))
		}
		resp, body, err := t.attempt(r, rest)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if write {
				return nil, &TransportError{Method: req.Method, Path: path, Attempts: attempt, Err: err, Unknown: true}
			}
			if !retryableErr(err) || attempt > t.policy.MaxRetries {
				return nil, &TransportError{Method: req.Method, Path: path, Attempts: attempt, Err: err}
			}
			if err := t.policy.Sleep(ctx, t.policy.backoff(attempt-1)); err != nil {
				return nil, err
			}
			continue
		}
		if resp.StatusCode < 400 {
			resp.Body = &bufferedBody{Reader: bytes.NewReader(body), data: body}
			resp.ContentLength = int64(len(body))
			return resp, nil
		}
		code, msg, soap := parseErrorBody(body)
		apiErr := &APIError{Method: req.Method, Path: path, Status: resp.StatusCode,
			Code: code, Message: t.redactor.Redact(msg), Attempts: attempt}
		// SOAP answers every fault with HTTP 500; only SERVER_UNAVAILABLE
		// is worth another try (retrying INVALID_LOGIN could lock the user
		// out).
		final := code == "REQUEST_LIMIT_EXCEEDED" || (soap && code != "SERVER_UNAVAILABLE")
		if write && resp.StatusCode >= 500 {
			apiErr.Unknown = true
			return nil, apiErr
		}
		if !retryableStatus(resp.StatusCode) || final || attempt > t.policy.MaxRetries {
			return nil, apiErr
		}
		wait := t.policy.backoff(attempt - 1)
		if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			if ra > t.policy.MaxRetryAfter {
				apiErr.Message = strings.TrimSpace(apiErr.Message + fmt.Sprintf(
					" (Retry-After %s is longer than the %s this run waits; try again later)",
					ra, t.policy.MaxRetryAfter))
				return nil, apiErr
			}
			wait = ra
		}
		if err := t.policy.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// attempt sends r once and reads the whole body.
func (t *Transport) attempt(r *http.Request, rest bool) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(r.Context(), t.timeout)
	defer cancel()
	resp, err := t.base.RoundTrip(r.WithContext(ctx))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if rest {
		t.calls.Add(1)
	}
	if v := resp.Header.Get("Sforce-Limit-Info"); v != "" {
		if u, ok := parseLimitInfo(v); ok {
			// Concurrent answers arrive in any order: keep the highest
			// usage seen, which is the latest (usage only falls as the
			// 24-hour window rolls, far slower than a run).
			t.mu.Lock()
			if u.Limit != t.usage.Limit || u.Used > t.usage.Used {
				t.usage = u
			}
			t.mu.Unlock()
		}
	}
	// Read into a buffer of the announced size: a Bulk results page is
	// tens of megabytes, and growing a buffer to that by doubling costs
	// more than decoding it.
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= maxBody {
		buf.Grow(int(n) + bytes.MinRead)
	}
	_, err = buf.ReadFrom(io.LimitReader(resp.Body, maxBody+1))
	body := buf.Bytes()
	if err != nil {
		return nil, nil, fmt.Errorf("reading the answer: %w", err)
	}
	if len(body) > maxBody {
		return nil, nil, fmt.Errorf("answer larger than %d MB", maxBody>>20)
	}
	return resp, body, nil
}

func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || code >= 500
}

// retryableErr recognises dropped connections and timeouts.
func retryableErr(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	return false
}

// retryAfter parses a Retry-After value: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// bufferedBody is the body of an answer the transport read whole; its
// reader (api) can take the bytes without copying them.
type bufferedBody struct {
	*bytes.Reader
	data []byte
}

func (*bufferedBody) Close() error { return nil }

// readBody returns the whole body of an answer from the Transport.
func readBody(r io.Reader) ([]byte, error) {
	if b, ok := r.(*bufferedBody); ok {
		return b.data, nil
	}
	return io.ReadAll(r)
}

// boundTransport sends every request with ctx: simpleforce builds its
// requests without a context.
type boundTransport struct {
	ctx context.Context
	t   *Transport
}

func (b boundTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return b.t.RoundTrip(req.WithContext(b.ctx))
}

// httpClient returns an http.Client whose requests carry ctx.
func (t *Transport) httpClient(ctx context.Context) *http.Client {
	return &http.Client{Transport: boundTransport{ctx: ctx, t: t}}
}

// Reserve is the part of the org's daily API request limit a run leaves
// for the org's other integrations: the transport sends no request once
// the usage from the last Sforce-Limit-Info header is within the reserve
// of the limit. It is a number of calls or a percentage of the limit. The
// zero value is DefaultReserve; ParseReserve("0") is no reserve.
//
// Requests pulled concurrently can each pass the check before the answers
// that count them come back, so a run can pass the reserve by up to
// Options.Parallel - 1 calls.
type Reserve struct {
	calls   int
	percent float64
	set     bool
}

// DefaultReserve keeps 10% of the daily limit.
const DefaultReserve = "10%"

// ParseReserve reads a reserve: "5000" calls or "10%" of the limit.
func ParseReserve(s string) (Reserve, error) {
	v := strings.TrimSpace(s)
	bad := fmt.Errorf("%w: API reserve %s: want a number of calls (5000) or a percentage of the daily limit (10%%)", ErrConfig, shortValue(s))
	if p, ok := strings.CutSuffix(v, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f < 0 || f >= 100 {
			return Reserve{}, bad
		}
		return Reserve{percent: f, set: true}, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return Reserve{}, bad
	}
	return Reserve{calls: n, set: true}, nil
}

func (r Reserve) withDefault() Reserve {
	if !r.set {
		r, _ = ParseReserve(DefaultReserve)
	}
	return r
}

// Of is the reserve's calls for a daily limit.
func (r Reserve) Of(limit int) int {
	r = r.withDefault()
	if r.percent > 0 {
		return int(float64(limit) * r.percent / 100)
	}
	return r.calls
}

func (r Reserve) String() string {
	r = r.withDefault()
	if r.percent > 0 {
		return strconv.FormatFloat(r.percent, 'f', -1, 64) + "%"
	}
	return strconv.Itoa(r.calls)
}

// checkReserve refuses a request once the org's usage is within the
// reserve of its limit.
func (t *Transport) checkReserve() error {
	u := t.Usage()
	if !u.Known() {
		return nil
	}
	keep := t.reserve.Of(u.Limit)
	if left := u.Limit - u.Used; keep > 0 && left <= keep {
		return fmt.Errorf("%w: the org has used %d of its %d daily API requests (Sforce-Limit-Info), and licenseplan "+
			"stops with %d left to keep the reserve of %d (api-reserve %s) for the org's other integrations; "+
			"wait for the 24-hour usage to drop, or lower api-reserve", ErrRequestLimit, u.Used, u.Limit, max(left, 0), keep, t.reserve)
	}
	return nil
}
