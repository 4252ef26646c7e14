package orgsim

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/licenseplan/licenseplan/org"
)

// Server is a simulated Salesforce org serving one snapshot over HTTP. It
// is safe for concurrent use. Use it as an http.Handler (for example with
// httptest.NewServer) or call Start.
type Server struct {
	opts Options
	// dmu guards model and data: data is the tables of the model, nil
	// after a write until the next read rebuilds them (writes.go).
	dmu   sync.Mutex
	model *model
	data  *orgData
	// orgID15 prefixes access tokens, as Salesforce's do.
	orgID15 string

	mu       sync.Mutex
	rng      *rand.Rand
	sessions map[string]bool // token -> valid
	primary  string          // the token AccessToken hands out
	apiSeq   int             // API requests admitted, in arrival order
	used     int             // API usage against the limit
	moreSeq  int             // query-more requests that found their cursor
	pageSeq  int             // query pages about to be sent
	cursors  map[string]*cursor
	cursorQ  []string // open cursors, oldest first
	nextCur  int
	jobs     map[string]*bulkJob // Bulk API 2.0 query jobs (bulk.go)
	nextJob  int
	writeSeq int // write requests that committed
	stats    Stats

	srv  *http.Server
	done chan struct{}
}

// New builds a Server for snap. snap is not modified (writes change a copy
// of the Server's own), but the Server reads it for as long as it runs, so
// the caller must not change it meanwhile.
func New(snap *org.Snapshot, opts Options) (*Server, error) {
	if snap == nil {
		return nil, errors.New("orgsim: New: nil snapshot")
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	m, err := newModel(snap, o.ExtraSeats)
	if err != nil {
		return nil, err
	}
	seed := uint64(o.Seed)
	s := &Server{
		opts:     o,
		model:    m,
		rng:      rand.New(rand.NewPCG(seed, seed^0x5a17_0c0d_e5ee_d5ed)),
		sessions: map[string]bool{},
		cursors:  map[string]*cursor{},
		jobs:     map[string]*bulkJob{},
		stats:    Stats{Endpoints: map[string]int{}, FaultsInjected: map[Fault]int{}},
	}
	s.orgID15 = tokenOrgID(s.current().org.ID)
	return s, nil
}

// tokenOrgID returns the 15-character org Id that starts access tokens;
// clients such as the Salesforce CLI check that tokens start with one.
func tokenOrgID(id string) string {
	if len(id) >= 15 && strings.HasPrefix(id, "00D") {
		ok := true
		for i := 0; i < 15; i++ {
			if !isWordChar(id[i]) {
				ok = false
			}
		}
		if ok {
			return id[:15]
		}
	}
	return synthID("00D", 1)[:15]
}

func isWordChar(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// Start listens on addr, which must be a loopback address such as
// "127.0.0.1:0", and serves until ctx is done or Close is called. It
// returns the instance URL, http://127.0.0.1:PORT.
func (s *Server) Start(ctx context.Context, addr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("orgsim: listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("orgsim: listen address %q is not loopback; use 127.0.0.1:PORT "+
			"(the simulator serves org data without TLS and must not be reachable from other machines)", addr)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("orgsim: listening on %s: %w", addr, err)
	}
	s.mu.Lock()
	if s.srv != nil {
		s.mu.Unlock()
		ln.Close()
		return "", errors.New("orgsim: Start called twice")
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.done = make(chan struct{})
	srv, done := s.srv, s.done
	s.mu.Unlock()
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = srv.Close()
		case <-done:
		}
	}()
	return "http://" + ln.Addr().String(), nil
}

// Close stops a server started with Start and waits for it to finish. It
// is a no-op for a Server used only as an http.Handler.
func (s *Server) Close() error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Close()
	<-done
	return err
}

// AccessToken returns a valid access token for the org, shaped like
// Salesforce's (00D…!…). It returns the same token until that token
// expires (Options.ExpireSessionEvery), then a new one.
func (s *Server) AccessToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.primary == "" || !s.sessions[s.primary] {
		s.primary = s.newSessionLocked()
	}
	return s.primary
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Endpoints = maps.Clone(s.stats.Endpoints)
	st.FaultsInjected = maps.Clone(s.stats.FaultsInjected)
	return st
}

func (s *Server) count(endpoint string) {
	s.mu.Lock()
	s.stats.Endpoints[endpoint]++
	s.mu.Unlock()
}

// cleanPath collapses repeated slashes and drops a trailing one, so that
// "//services/data/" and "/services//data" both read "/services/data".
func cleanPath(p string) string {
	if !strings.Contains(p, "//") && (len(p) <= 1 || !strings.HasSuffix(p, "/")) {
		return p
	}
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && b.Len() > 0 && strings.HasSuffix(b.String(), "/") {
			continue
		}
		b.WriteByte(p[i])
	}
	out := b.String()
	if len(out) > 1 {
		out = strings.TrimSuffix(out, "/")
	}
	return out
}

// ServeHTTP answers one request of the Salesforce REST, OAuth or SOAP
// login protocol.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.Requests++
	s.mu.Unlock()
	if s.opts.Latency > 0 {
		t := time.NewTimer(s.opts.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	s.setLimitHeader(w)
	p := cleanPath(r.URL.Path)
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	switch {
	case p == "/services/oauth2/token":
		s.count("token")
		s.handleToken(w, r)
	case p == "/services/oauth2/userinfo":
		s.count("userinfo")
		s.handleUserinfo(w, r)
	case len(parts) == 3 && parts[0] == "id":
		s.count("identity")
		s.handleIdentity(w, r, parts[1], parts[2])
	case len(parts) >= 4 && parts[0] == "services" && parts[1] == "Soap" && parts[2] == "u":
		s.count("soap_login")
		s.handleSOAP(w, r, parts[3])
	case p == "/services/data":
		s.count("versions")
		s.handleVersions(w, r)
	case len(parts) >= 3 && parts[0] == "services" && parts[1] == "data":
		s.handleData(w, r, parts[2], parts[3:])
	default:
		s.count("not_found")
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
}

func (s *Server) setLimitHeader(w http.ResponseWriter) {
	s.mu.Lock()
	used := s.used
	s.mu.Unlock()
	w.Header().Set("Sforce-Limit-Info", "api-usage="+strconv.Itoa(used)+"/"+strconv.Itoa(s.opts.APILimit))
}

// handleData serves /services/data/vXX.X/...: it authenticates, admits the
// request against the API limit and the injected faults, and routes it.
func (s *Server) handleData(w http.ResponseWriter, r *http.Request, ver string, rest []string) {
	_, ok := parseVersion(ver)
	version := strings.TrimPrefix(ver, "v")
	if !ok || !strings.HasPrefix(ver, "v") || !slices.Contains(s.opts.APIVersions, version) {
		s.count("not_found")
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	s.count(endpointOf(rest))
	token, ok := s.authenticate(r)
	if !ok {
		writeInvalidSession(w)
		return
	}
	if !s.admit(w, r, token) {
		return
	}
	if len(rest) >= 2 && rest[0] == "jobs" && rest[1] == "query" {
		s.handleBulkQuery(w, r, version, rest)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.handleWrite(w, r, rest)
		return
	}
	switch {
	case len(rest) == 0:
		s.handleResources(w, r, version)
	case len(rest) == 1 && (rest[0] == "query" || rest[0] == "queryAll"):
		s.handleQuery(w, r, version, rest[0])
	case len(rest) == 2 && (rest[0] == "query" || rest[0] == "queryAll"):
		s.handleQueryMore(w, r, version, rest[0], rest[1])
	case len(rest) == 1 && rest[0] == "sobjects":
		s.handleDescribeGlobal(w, version)
	case len(rest) == 2 && rest[0] == "sobjects":
		s.handleObjectInfo(w, version, rest[1])
	case len(rest) == 3 && rest[0] == "sobjects" && rest[2] == "describe":
		s.handleDescribe(w, version, rest[1])
	case len(rest) == 3 && rest[0] == "sobjects":
		s.handleRetrieve(w, r, version, rest[1], rest[2])
	case len(rest) == 1 && rest[0] == "limits":
		s.handleLimits(w)
	default:
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
}

// endpointOf names the endpoint of a /services/data/vXX.X/... path for
// Stats.
func endpointOf(rest []string) string {
	switch {
	case len(rest) == 0:
		return "resources"
	case len(rest) == 1 && (rest[0] == "query" || rest[0] == "queryAll"):
		return "query"
	case len(rest) == 2 && (rest[0] == "query" || rest[0] == "queryAll"):
		return "query_more"
	case len(rest) == 1 && rest[0] == "sobjects":
		return "describe_global"
	case len(rest) == 3 && rest[0] == "sobjects" && rest[2] == "describe":
		return "describe"
	case len(rest) == 2 && rest[0] == "composite" && rest[1] == "sobjects":
		return "composite_sobjects"
	case len(rest) >= 2 && rest[0] == "sobjects":
		return "sobject"
	case len(rest) == 1 && rest[0] == "limits":
		return "limits"
	case len(rest) >= 2 && rest[0] == "jobs" && rest[1] == "query":
		return "bulk_query"
	}
	return "not_found"
}

// authenticate returns the request's access token when it is a valid
// session: "Authorization: Bearer TOKEN" (or "OAuth TOKEN").
func (s *Server) authenticate(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !(strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "OAuth")) {
		return "", false
	}
	token = strings.TrimSpace(token)
	s.mu.Lock()
	valid := s.sessions[token]
	s.mu.Unlock()
	return token, valid
}

func writeInvalidSession(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Token`)
	writeError(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
}

// admit counts an authenticated API request against the limit and decides,
// deterministically from the seed and the request's place in arrival
// order, whether it gets a fault. It writes the fault's response and
// returns false, or returns true to let the request through.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, token string) bool {
	o := &s.opts
	s.mu.Lock()
	if s.used >= o.APILimit {
		s.stats.FaultsInjected[FaultLimitExceeded]++
		s.mu.Unlock()
		writeError(w, http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
		return false
	}
	s.used++
	s.stats.APIRequests++
	s.apiSeq++
	n := s.apiSeq
	// Three draws per request, always, so one option's faults do not shift
	// another's.
	uErr, uKind, uRate := s.rng.Float64(), s.rng.Float64(), s.rng.Float64()
	var fault Fault
	switch {
	case o.DropEvery > 0 && n%o.DropEvery == 0:
		fault = FaultDropped
	case o.ExpireSessionEvery > 0 && n%o.ExpireSessionEvery == 0:
		fault = FaultSessionExpired
		delete(s.sessions, token)
	case uErr < o.ErrorRate:
		fault = FaultServerError
		if uKind >= 0.5 {
			fault = FaultServiceUnavailable
		}
	case uRate < o.RateLimitRate:
		fault = FaultRateLimited
	}
	if fault != "" {
		s.stats.FaultsInjected[fault]++
	}
	used := s.used
	s.mu.Unlock()
	w.Header().Set("Sforce-Limit-Info", "api-usage="+strconv.Itoa(used)+"/"+strconv.Itoa(o.APILimit))
	switch fault {
	case "":
		return true
	case FaultDropped:
		dropConnection(w)
	case FaultSessionExpired:
		writeInvalidSession(w)
	case FaultServerError:
		writeError(w, http.StatusInternalServerError, "SERVER_ERROR",
			"An unexpected error occurred (fault injected by orgsim). Retry the request.")
	case FaultServiceUnavailable:
		writeError(w, http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE",
			"The service is temporarily unavailable (fault injected by orgsim). Retry the request.")
	case FaultRateLimited:
		secs := int64((o.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
		writeError(w, http.StatusTooManyRequests, "TOO_MANY_REQUESTS",
			fmt.Sprintf("Too many requests (fault injected by orgsim); retry after %d seconds.", secs))
	}
	return false
}

// dropConnection closes the client connection without a response.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
		return
	}
	// Not hijackable (HTTP/2, or a test recorder): abort the handler,
	// which makes net/http reset the stream or close the connection.
	panic(http.ErrAbortHandler)
}
