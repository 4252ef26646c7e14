package orgsim

import (
	"crypto/rsa"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Options configures a Server. The zero value serves the org without faults
// and accepts the DefaultCredentials.
type Options struct {
	// Seed makes fault injection deterministic: the same Seed and the same
	// requests in the same order give the same faults.
	Seed int64
	// Latency is added to every response.
	Latency time.Duration
	// ErrorRate is the fraction of API requests answered 500
	// (SERVER_ERROR) or 503 (SERVICE_UNAVAILABLE), half each.
	ErrorRate float64
	// RateLimitRate is the fraction of API requests answered 429 with a
	// Retry-After header.
	RateLimitRate float64
	// RetryAfter is the wait the 429 answers ask for. The header carries
	// whole seconds, rounded up; zero sends "0", so tests need not wait.
	// (licenseplan orgsim serve defaults to DefaultRetryAfter.)
	RetryAfter time.Duration
	// ExpireSessionEvery makes every Nth API request expire the session it
	// uses: that request and every later one with the same token get 401
	// INVALID_SESSION_ID. A new login or token works.
	ExpireSessionEvery int
	// ExpireLocatorEvery makes every Nth query-more request answer 400
	// INVALID_QUERY_LOCATOR, and the locator is gone; likewise every Nth
	// Bulk results request with a locator answers 400 INVALIDLOCATOR.
	ExpireLocatorEvery int
	// TruncateEvery cuts every Nth query response body (REST page or
	// Bulk results page) in half (the
	// status is 200 and Content-Length matches the half), so the client
	// must notice that the page does not parse and fetch it again.
	TruncateEvery int
	// BulkFailEvery makes every Nth Bulk API 2.0 query job end Failed
	// with an errorMessage instead of JobComplete (0: never).
	BulkFailEvery int
	// DropEvery closes the connection without a response on every Nth API
	// request.
	DropEvery int
	// APILimit is the daily API request limit (DefaultAPILimit when 0).
	// Every response carries Sforce-Limit-Info: api-usage=USED/LIMIT;
	// once USED reaches the limit, API requests get 403
	// REQUEST_LIMIT_EXCEEDED.
	APILimit int
	// LostResponseEvery makes every Nth write request commit and then
	// close the connection without an answer, so the client cannot know
	// that it succeeded.
	LostResponseEvery int
	// WriteErrorRate is the fraction of write requests answered 503
	// SERVICE_UNAVAILABLE before anything is written (ErrorRate applies to
	// every API request; this to writes alone).
	WriteErrorRate float64
	// LockErrorRate is the fraction of written records refused with
	// UNABLE_TO_LOCK_ROW, without being written.
	LockErrorRate float64
	// ExtraSeats adds this many seats to every license whose count is
	// known, as if they were bought (the demo org is short of seats).
	ExtraSeats int
	// MaxCursors is how many query cursors (locators) stay open; opening
	// another closes the oldest, as Salesforce does. Default 10.
	MaxCursors int

	// Credentials the simulator accepts; empty fields take the values of
	// DefaultCredentials. Username also picks the API user: the snapshot
	// user with that username, or else a System Administrator of the
	// simulator's own that queries do not list.
	Username, Password, SecurityToken string
	ClientID, ClientSecret            string
	// JWTPublicKey verifies the JWT bearer grant's RS256 assertions; when
	// nil, every JWT grant is refused with invalid_grant.
	JWTPublicKey *rsa.PublicKey

	// APIVersions are the API versions served, as "NN.0" strings
	// (default "31.0" to "68.0").
	APIVersions []string
}

// Defaults of Options.
const (
	DefaultAPILimit   = 100000
	DefaultRetryAfter = time.Second
	DefaultMaxCursors = 10
	// LatestAPIVersion is the newest API version served by default
	// (Winter '27).
	LatestAPIVersion = "68.0"
	oldestAPIVersion = 31
	// soapLoginRemovedIn is the first API version without SOAP login().
	soapLoginRemovedIn = 65
)

// DefaultCredentials returns the credentials a Server accepts when Options
// leaves them empty. They are the simulator's own, not secrets: anyone who
// can reach the loopback port may use them.
func DefaultCredentials() Options {
	return Options{
		Username:      "admin@orgsim.example.com",
		Password:      "orgsim-password",
		SecurityToken: "ORGSIMTOKEN",
		ClientID:      "3MVG9orgsim.local.simulator.client.id",
		ClientSecret:  "orgsim-client-secret",
	}
}

// withDefaults fills in the defaults and checks the options.
func (o Options) withDefaults() (Options, error) {
	d := DefaultCredentials()
	for _, p := range []struct {
		v   *string
		def string
	}{
		{&o.Username, d.Username}, {&o.Password, d.Password}, {&o.SecurityToken, d.SecurityToken},
		{&o.ClientID, d.ClientID}, {&o.ClientSecret, d.ClientSecret},
	} {
		if *p.v == "" {
			*p.v = p.def
		}
	}
	if o.APILimit == 0 {
		o.APILimit = DefaultAPILimit
	}
	if o.MaxCursors == 0 {
		o.MaxCursors = DefaultMaxCursors
	}
	switch {
	case o.ErrorRate < 0 || o.ErrorRate > 1:
		return o, fmt.Errorf("orgsim: ErrorRate %v is outside 0..1", o.ErrorRate)
	case o.WriteErrorRate < 0 || o.WriteErrorRate > 1:
		return o, fmt.Errorf("orgsim: WriteErrorRate %v is outside 0..1", o.WriteErrorRate)
	case o.LockErrorRate < 0 || o.LockErrorRate > 1:
		return o, fmt.Errorf("orgsim: LockErrorRate %v is outside 0..1", o.LockErrorRate)
	case o.LostResponseEvery < 0 || o.ExtraSeats < 0:
		return o, fmt.Errorf("orgsim: LostResponseEvery and ExtraSeats must not be negative")
	case o.RateLimitRate < 0 || o.RateLimitRate > 1:
		return o, fmt.Errorf("orgsim: RateLimitRate %v is outside 0..1", o.RateLimitRate)
	case o.APILimit < 0:
		return o, fmt.Errorf("orgsim: APILimit %d is negative", o.APILimit)
	case o.MaxCursors < 0:
		return o, fmt.Errorf("orgsim: MaxCursors %d is negative", o.MaxCursors)
	case o.Latency < 0 || o.RetryAfter < 0:
		return o, fmt.Errorf("orgsim: Latency and RetryAfter must not be negative")
	case o.ExpireSessionEvery < 0 || o.ExpireLocatorEvery < 0 || o.TruncateEvery < 0 || o.BulkFailEvery < 0 || o.DropEvery < 0:
		return o, fmt.Errorf("orgsim: the Every options must not be negative")
	}
	if len(o.APIVersions) == 0 {
		latest, _ := parseVersion(LatestAPIVersion)
		for v := oldestAPIVersion; v <= latest; v++ {
			o.APIVersions = append(o.APIVersions, strconv.Itoa(v)+".0")
		}
	} else {
		o.APIVersions = append([]string(nil), o.APIVersions...)
		for _, v := range o.APIVersions {
			if _, ok := parseVersion(v); !ok {
				return o, fmt.Errorf("orgsim: API version %q: want a version such as %q", v, LatestAPIVersion)
			}
		}
	}
	return o, nil
}

// parseVersion reads "54.0" (or "v54.0") and returns 54.
func parseVersion(v string) (int, bool) {
	v = strings.TrimPrefix(v, "v")
	major, ok := strings.CutSuffix(v, ".0")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(major)
	if err != nil || n <= 0 || n > 999 || strconv.Itoa(n) != major {
		return 0, false
	}
	return n, true
}

// releaseName returns the release of an API version: 65.0 is Winter '26,
// 66.0 Spring '26, 67.0 Summer '26, and so on, three a year.
func releaseName(major int) string {
	k := major - 65
	year := 26 + floorDiv(k, 3)
	season := [...]string{"Winter", "Spring", "Summer"}[k-3*floorDiv(k, 3)]
	return fmt.Sprintf("%s '%02d", season, (year%100+100)%100)
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Fault is a kind of injected fault, as Stats counts them.
type Fault string

const (
	FaultServerError        Fault = "server_error"        // 500 SERVER_ERROR
	FaultServiceUnavailable Fault = "service_unavailable" // 503 SERVICE_UNAVAILABLE
	FaultRateLimited        Fault = "rate_limited"        // 429 with Retry-After
	FaultSessionExpired     Fault = "session_expired"     // 401 INVALID_SESSION_ID
	FaultLocatorExpired     Fault = "locator_expired"     // 400 INVALID_QUERY_LOCATOR
	FaultTruncated          Fault = "truncated"           // half a query body
	FaultBulkJobFailed      Fault = "bulk_job_failed"     // a Bulk query job ended Failed
	FaultDropped            Fault = "dropped"             // connection closed, no response
	FaultLimitExceeded      Fault = "limit_exceeded"      // 403 REQUEST_LIMIT_EXCEEDED
	FaultLostResponse       Fault = "lost_response"       // a write committed, its answer lost
	FaultLockError          Fault = "lock_error"          // a record refused with UNABLE_TO_LOCK_ROW
	FaultWriteError         Fault = "write_error"         // a write refused with 503 before it was written
)

// Stats counts what a Server has answered.
type Stats struct {
	// Requests is every HTTP request received.
	Requests int
	// APIRequests is the authenticated requests under /services/data/vXX.X
	// that counted against the API limit.
	APIRequests int
	// Endpoints counts requests per endpoint: "token", "soap_login",
	// "userinfo", "identity", "versions", "resources", "query",
	// "query_more", "describe", "describe_global", "sobject", "limits",
	// "not_found".
	Endpoints map[string]int
	// FaultsInjected counts the injected faults by kind. Requests refused
	// because the API limit was reached count as FaultLimitExceeded.
	FaultsInjected map[Fault]int
	// Writes counts the records writes tried (each record of a
	// collection).
	Writes int
}
