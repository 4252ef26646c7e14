package sfclient

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/simpleforce/simpleforce"
	"golang.org/x/sync/errgroup"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
)

// DefaultAPIVersion is the REST API version used when none is given: the
// last version that still has SOAP login(), so every login method works.
const DefaultAPIVersion = "64.0"

// Progress receives a pull's progress, per object. Objects are pulled
// concurrently (Options.Parallel), so its methods are called from several
// goroutines at once; for one object they come in order: Begin, Advance,
// End.
type Progress interface {
	// Begin starts an object, with the records it will have: the
	// totalSize of its first page, or a Bulk job's
	// numberRecordsProcessed. It is called again for the same object when
	// its records start over (a new Bulk job after one that failed while
	// its results were read): the count restarts at 0, with the new total.
	Begin(object string, total int)
	// Advance reports n more records of the object received.
	Advance(object string, n int)
	// End finishes the object; err is nil when all its records arrived.
	End(object string, err error)
}

// Options configure a Client. The zero value works.
type Options struct {
	// APIVersion is the REST API version, like "64.0" (default
	// DefaultAPIVersion).
	APIVersion string
	// Base sends the HTTP requests (default: a clone of
	// http.DefaultTransport). Tests point it at loopback servers.
	Base http.RoundTripper
	// Retry is the transport's retry policy; its Sleep also paces the
	// retries of pages that do not parse.
	Retry RetryPolicy
	// BatchSize is the Sforce-Query-Options batch size (default 2000).
	BatchSize int
	// RequireSandbox makes Pull fail before it pulls any user when the org
	// is not known to be a sandbox.
	RequireSandbox bool
	// Progress, if set, receives per-object progress.
	Progress Progress
	// TempDir is where the pulled CSV files are staged (default
	// os.TempDir()); they are removed when Pull returns.
	TempDir string
	// Redactor, if set, is the one the Client adds its secrets to (so the
	// caller can redact its debug log with it); default: a new one.
	Redactor *Redactor

	// API is how Pull reads the objects (default APIAuto).
	API API
	// BulkThreshold: with APIAuto, an object of more records than this
	// is read with a Bulk API 2.0 job (default DefaultBulkThreshold).
	BulkThreshold int
	// BulkPageSize is the maxRecords of each Bulk results page (default
	// 50,000).
	BulkPageSize int
	// BulkPoll paces the polls of a Bulk job.
	BulkPoll BulkPoll
	// Parallel is how many objects are pulled at once (default 4).
	Parallel int
	// Reserve is the part of the org's daily API limit a pull leaves
	// unused (see Reserve); default DefaultReserve.
	Reserve Reserve
	// BeforeRead, if set, is called with the staging folder before the
	// pulled files are read into the snapshot, and the function it
	// returns after. The CLI sets the garbage collector's policy for
	// reading a snapshot folder there (internal/readgc), which a library
	// must not set for its caller.
	BeforeRead func(ctx context.Context, dir string) (after func())
}

// API says how Pull reads the objects.
type API string

const (
	// APIREST reads every object with REST query pages of up to 2,000.
	APIREST API = "rest"
	// APIBulk reads every object but Organization with Bulk API 2.0 jobs.
	APIBulk API = "bulk"
	// APIAuto reads an object with Bulk API 2.0 when it has more than
	// BulkThreshold records, and with REST otherwise.
	APIAuto API = "auto"
)

// ParseAPI reads "rest", "bulk" or "auto".
func ParseAPI(s string) (API, error) {
	switch a := API(strings.ToLower(strings.TrimSpace(s))); a {
	case APIREST, APIBulk, APIAuto:
		return a, nil
	}
	return "", fmt.Errorf("%w: API %s: want rest, bulk or auto", ErrConfig, shortValue(s))
}

// DefaultBulkThreshold is the record count above which APIAuto uses Bulk
// API 2.0: at 2,000 records a page, 50,000 records are 25 REST calls, and
// a Bulk job costs about 5 (create, 2 or 3 polls, 1 results page) but
// waits for Salesforce to run it.
const DefaultBulkThreshold = 50000

// BulkPoll paces the polls of a Bulk API 2.0 job: the first after
// Initial, each wait twice the one before up to Max, and the job fails
// when it has not completed within Timeout.
type BulkPoll struct {
	Initial, Max, Timeout time.Duration
}

func (b BulkPoll) withDefaults() BulkPoll {
	if b.Initial <= 0 {
		b.Initial = 500 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 10 * time.Second
	}
	if b.Timeout <= 0 {
		b.Timeout = time.Hour
	}
	return b
}

// Client pulls one org. Make it with New.
type Client struct {
	auth  Authenticator
	opts  Options
	tr    *Transport
	red   *Redactor
	notes []string

	// mu guards the session, which a login replaces while other objects
	// are being pulled.
	mu      sync.Mutex
	sf      *simpleforce.Client
	session Session
	gen     int        // logins so far
	okGen   int        // the latest generation a call succeeded with
	loginMu sync.Mutex // one relogin at a time

	// staged, set by tests, sees the staging folder before it is removed.
	staged func(dir string)
}

var versionRE = regexp.MustCompile(`^[1-9][0-9]\.0$`)

// New returns a Client that logs in with auth. It sends nothing yet.
func New(auth Authenticator, opts Options) (*Client, error) {
	if auth == nil {
		return nil, fmt.Errorf("%w: no authenticator", ErrConfig)
	}
	if opts.APIVersion == "" {
		opts.APIVersion = DefaultAPIVersion
	}
	opts.APIVersion = strings.TrimPrefix(opts.APIVersion, "v")
	if !versionRE.MatchString(opts.APIVersion) {
		return nil, fmt.Errorf("%w: API version %s: want a version such as %s", ErrConfig, shortValue(opts.APIVersion), DefaultAPIVersion)
	}
	red := opts.Redactor
	if red == nil {
		red = NewRedactor()
	}
	red.Add(auth.Secrets()...)
	tr, err := NewTransport(TransportOptions{Base: opts.Base, Retry: opts.Retry, BatchSize: opts.BatchSize, Redactor: red,
		Reserve: opts.Reserve})
	if err != nil {
		return nil, err
	}
	opts.Retry = opts.Retry.withDefaults()
	if opts.API == "" {
		opts.API = APIAuto
	}
	if _, err := ParseAPI(string(opts.API)); err != nil {
		return nil, err
	}
	if opts.BulkThreshold <= 0 {
		opts.BulkThreshold = DefaultBulkThreshold
	}
	if opts.BulkPageSize <= 0 {
		opts.BulkPageSize = 50000
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	opts.BulkPoll = opts.BulkPoll.withDefaults()
	return &Client{auth: auth, opts: opts, tr: tr, red: red}, nil
}

// APICalls counts the REST API calls sent so far (see Transport.APICalls).
func (c *Client) APICalls() int { return c.tr.APICalls() }

// Usage is the org's API usage from the last Sforce-Limit-Info header.
func (c *Client) Usage() Usage { return c.tr.Usage() }

// InstanceURL is the org's instance URL, once connected.
func (c *Client) InstanceURL() string { s, _ := c.currentSession(); return s.InstanceURL }

// Connect authenticates. Pull connects by itself when needed.
func (c *Client) Connect(ctx context.Context) error {
	return c.red.Error(c.login(ctx))
}

func (c *Client) login(ctx context.Context) error {
	s, err := c.auth.Authenticate(ctx, c.tr.httpClient(ctx), c.opts.APIVersion)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !errors.Is(err, ErrAuth) && !errors.Is(err, ErrConfig) {
			err = fmt.Errorf("%w: %s: %w", ErrAuth, c.auth.Method(), err)
		}
		return err
	}
	c.red.Add(s.AccessToken)
	sf := simpleforce.NewClient(s.InstanceURL, simpleforce.DefaultClientID, c.opts.APIVersion)
	sf.SetSidLoc(s.AccessToken, s.InstanceURL)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sf == nil {
		if n, ok := c.auth.(Noticer); ok {
			c.notes = append(c.notes, n.Notice())
		}
	}
	c.session = s
	c.sf = sf
	c.gen++
	return nil
}

// Result is what Pull returns.
type Result struct {
	Snapshot    *org.Snapshot
	InstanceURL string
	// Method is how the client logged in (no secrets).
	Method string
	// Files are the snapshot files pulled, in snapshot order.
	Files []string
	// APICalls counts the REST API calls the pull used.
	APICalls int
	// Usage is the org's API usage after the pull.
	Usage Usage
	// Notes are for the user: objects skipped for lack of access, fields the
	// org does not have, the SOAP login notice. They are not plan notes:
	// the planner notes missing files and columns itself.
	Notes []string
}

// Source is the plan source of the pull: Kind "org", the instance URL, the
// files pulled and the API calls used. planner.Build fills Org from the
// snapshot's Organization.
func (r *Result) Source() planner.Source {
	return planner.Source{Kind: "org", Path: r.InstanceURL, Files: slices.Clone(r.Files), APICalls: r.APICalls}
}

// Pull reads every snapshot file of org.Queries from the org: Organization
// first (so RequireSandbox fails before any user is read), then a describe
// of Account (Account.IsPartner exists only in orgs with partner licenses),
// then each file's query ordered by Id. Optional objects the user cannot
// read (INSUFFICIENT_ACCESS, INVALID_TYPE) are skipped with a note. The
// records are checked (count equals totalSize, Ids strictly increase) and
// then read with org.ReadSnapshot, which validates them like an offline
// snapshot.
func (c *Client) Pull(ctx context.Context) (*Result, error) {
	res, err := c.pull(ctx)
	return res, c.red.Error(err)
}

func (c *Client) pull(ctx context.Context) (*Result, error) {
	if c.sf == nil {
		if err := c.login(ctx); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp(c.opts.TempDir, "licenseplan-pull-")
	if err != nil {
		return nil, fmt.Errorf("staging folder for the pulled records: %w", err)
	}
	defer os.RemoveAll(dir)
	if c.staged != nil {
		defer c.staged(dir)
	}

	queries := map[string]org.Query{}
	for _, q := range org.Queries {
		queries[q.Object] = q
	}
	p := &puller{c: c, dir: dir}

	// Organization first: whether this is production decides whether to go
	// on.
	orgQ := queries["Organization"]
	if err := p.object(ctx, orgQ, orgQ.Fields); err != nil {
		return nil, err
	}
	if c.opts.RequireSandbox {
		if err := org.RequireSandbox(p.org); err != nil {
			return nil, fmt.Errorf("%w; --require-sandbox stopped at %s before reading any user", err, c.session.InstanceURL)
		}
	}

	accountFields, err := p.describeAccount(ctx)
	if err != nil {
		return nil, err
	}
	type job struct {
		q      org.Query
		fields []string
	}
	var jobs []job
	for _, q := range org.Queries {
		fields := q.Fields
		switch q.Object {
		case "Organization":
			continue
		case "Account":
			if accountFields == nil {
				continue // not readable; noted
			}
			fields = slices.DeleteFunc(slices.Clone(fields), func(f string) bool {
				return isOptionalAccountField(f) && !accountFields[strings.ToLower(f)]
			})
		case "User":
			if accountFields == nil || !accountFields["ispartner"] {
				fields = slices.DeleteFunc(slices.Clone(fields), func(f string) bool { return strings.EqualFold(f, "Account.IsPartner") })
			}
		}
		jobs = append(jobs, job{q, fields})
	}
	// The objects are independent: pull up to Parallel at once. The
	// first failure cancels the others.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Parallel)
	for _, j := range jobs {
		g.Go(func() error { return p.object(gctx, j.q, j.fields) })
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}

	if c.opts.BeforeRead != nil {
		defer c.opts.BeforeRead(ctx, dir)()
	}
	snap, err := org.ReadSnapshot(ctx, os.DirFS(dir), "org")
	if err != nil {
		return nil, fmt.Errorf("the records pulled from %s did not pass the snapshot checks: %w", c.session.InstanceURL, err)
	}
	snap.Counted = p.counted
	return &Result{
		Snapshot:    snap,
		InstanceURL: c.session.InstanceURL,
		Method:      c.auth.Method(),
		Files:       slices.Clone(snap.Files),
		APICalls:    c.tr.APICalls(),
		Usage:       c.tr.Usage(),
		Notes:       append(slices.Clone(c.notes), p.allNotes()...),
	}, nil
}

// isOptionalAccountField: Account fields that exist only with some
// features, and are dropped from the query when the describe lacks them.
func isOptionalAccountField(f string) bool {
	return strings.EqualFold(f, "IsPartner") || strings.EqualFold(f, "IsCustomerPortal")
}

// puller is one Pull's state. Objects are pulled concurrently: mu guards
// what they add.
type puller struct {
	c     *Client
	dir   string
	notes []string          // from the sequential start of the pull
	org   *org.Organization // the Organization record, for RequireSandbox

	mu sync.Mutex
	// objNotes are the notes of each object, kept apart so that the notes
	// come in snapshot order however the objects finish.
	objNotes map[string][]string
	// counted is the records of each file pulled, each equal to its
	// query's totalSize; it becomes the snapshot's Counted.
	counted map[string]int
}

// noteFor adds a note about object.
func (p *puller) noteFor(object, note string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.objNotes == nil {
		p.objNotes = map[string][]string{}
	}
	p.objNotes[object] = append(p.objNotes[object], note)
}

// allNotes are the pull's notes: the start's, then each object's in
// snapshot order.
func (p *puller) allNotes() []string {
	out := slices.Clone(p.notes)
	for _, q := range org.Queries {
		out = append(out, p.objNotes[q.Object]...)
	}
	return out
}

// restartSOQL is q's SOQL over cols, ordered by Id, and when afterID is set
// limited to the records after it (afterID is checked by validID).
func restartSOQL(q org.Query, cols []string, afterID string) string {
	q.Fields = cols
	q.OrderBy = "Id"
	if afterID != "" {
		cond := "Id > '" + afterID + "'"
		if q.Where != "" {
			cond = "(" + q.Where + ") AND " + cond
		}
		q.Where = cond
	}
	return q.SOQL()
}

// describeAccount returns the lower-case names of Account's fields, or nil
// when Account cannot be described (then Account.csv is skipped).
func (p *puller) describeAccount(ctx context.Context) (map[string]bool, error) {
	c := p.c
	path := fmt.Sprintf("services/data/v%s/sobjects/Account/describe", c.opts.APIVersion)
	var names map[string]bool
	err := c.call(ctx, "describe Account", func() error {
		data, err := c.apex(ctx, http.MethodGet, path, nil)
		if err != nil {
			return err
		}
		var d struct {
			Fields []struct {
				Name string `json:"name"`
			} `json:"fields"`
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return &badPage{fmt.Errorf("describe answer: %w", err)}
		}
		if len(d.Fields) == 0 {
			return &badPage{errors.New("describe answer lists no fields")}
		}
		names = make(map[string]bool, len(d.Fields))
		for _, f := range d.Fields {
			names[strings.ToLower(f.Name)] = true
		}
		return nil
	})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && noAccess(ae.Code) {
			p.notes = append(p.notes, fmt.Sprintf("Account could not be described (%s): Account.csv was not pulled "+
				"and partner status is unknown.", ae.Code))
			return nil, nil
		}
		return nil, err
	}
	if !names["ispartner"] {
		p.notes = append(p.notes, "Account.IsPartner does not exist in this org (it exists only with partner licenses): "+
			"it was left out of the Account and User queries, and partner status is unknown.")
	}
	if !names["iscustomerportal"] {
		p.notes = append(p.notes, "Account.IsCustomerPortal does not exist in this org (it exists only with Customer Portal "+
			"or Digital Experiences): it was left out of the Account query.")
	}
	return names, nil
}

func noAccess(code string) bool {
	return strings.HasPrefix(code, "INSUFFICIENT_ACCESS") || code == "INVALID_TYPE" || code == "NOT_FOUND"
}

// maxRelogins is how many times one call logs in again after
// INVALID_SESSION_ID before it gives up.
const maxRelogins = 3

// relogin logs in again after a call with the session of generation gen
// was refused, unless another call has already done so.
func (c *Client) relogin(ctx context.Context, gen int) (bool, error) {
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	if _, now := c.currentSession(); now != gen {
		return false, nil
	}
	return true, c.login(ctx)
}

// worked records that a call with the session of generation gen got an
// answer.
func (c *Client) worked(gen int) {
	c.mu.Lock()
	c.okGen = max(c.okGen, gen)
	c.mu.Unlock()
}

func (c *Client) hasWorked(gen int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.okGen >= gen
}

// badPage marks an answer that did not parse: it is fetched again.
type badPage struct{ err error }

func (e *badPage) Error() string { return e.err.Error() }
func (e *badPage) Unwrap() error { return e.err }

// call runs one API call: it re-authenticates once and repeats the call on
// INVALID_SESSION_ID, fetches an answer that does not parse again (up to
// the retry policy's MaxRetries), and turns REQUEST_LIMIT_EXCEEDED into a
// final error that names the usage.
func (c *Client) call(ctx context.Context, what string, fn func() error) error {
	relogins, mine := 0, -1 // mine: the session generation this call logged in
	for bad := 0; ; {
		_, gen := c.currentSession()
		err := fn()
		if err == nil {
			c.worked(gen)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ae *APIError
		var bp *badPage
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &ae) && ae.Code == "INVALID_SESSION_ID":
			// A session from this call's own login that no call could
			// use means the user cannot use the API. Concurrent calls
			// share the session, so one may also see a session expire
			// that worked, or that another call's login has replaced;
			// up to maxRelogins logins per call.
			if (gen == mine && !c.hasWorked(gen)) || relogins >= maxRelogins {
				return fmt.Errorf("%w: %s: Salesforce rejected the session again right after a new login (%s); "+
					"check that the user may use the API", ErrSessionExpired, what, ae.Message)
			}
			if _, static := c.auth.(AccessToken); static {
				return fmt.Errorf("%w: %s: the access token from SF_ACCESS_TOKEN expired or was revoked (%s); "+
					"get a new one (for example: sf org display --target-org ALIAS --json)", ErrSessionExpired, what, ae.Message)
			}
			did, err := c.relogin(ctx, gen)
			if err != nil {
				return fmt.Errorf("%s: the session expired and logging in again failed: %w", what, err)
			}
			if did {
				relogins++
				_, mine = c.currentSession()
			}
			continue
		case errors.As(err, &ae) && ae.Code == "REQUEST_LIMIT_EXCEEDED":
			return fmt.Errorf("%w: %s: the org's API request limit is used up (%s, from Sforce-Limit-Info; "+
				"Salesforce said: %s); stopped at once without retrying: wait for the 24-hour usage to drop, "+
				"or ask the admin for a higher limit", ErrRequestLimit, what, c.tr.Usage(), ae.Message)
		case errors.As(err, &bp), errors.As(err, &se), errors.As(err, &te):
			if bad >= c.opts.Retry.MaxRetries {
				return fmt.Errorf("%w: %s: %v (after %d attempts); run again, and report it if it persists",
					ErrBadResponse, what, err, bad+1)
			}
			if err := c.opts.Retry.Sleep(ctx, c.opts.Retry.backoff(bad)); err != nil {
				return err
			}
			bad++
			continue
		}
		return callError(what, err)
	}
}

// callError describes a failed call without net/http's "Get URL:" prefix
// (the URL holds the whole SOQL).
func callError(what string, err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		hint := ""
		switch {
		case errors.Is(ae, ErrRetriesExhausted):
			hint = "; Salesforce kept failing: try again later (status.salesforce.com shows incidents)"
		case ae.Status == http.StatusUnauthorized:
			hint = "; log in again"
		case ae.Code == "INVALID_FIELD":
			hint = "; the org or API version lacks a field (try a newer --api-version, or check field-level security)"
		case ae.Status == http.StatusNotFound:
			hint = "; check the instance URL and --api-version"
		}
		return fmt.Errorf("%s: %w%s", what, ae, hint)
	}
	var te *TransportError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: %w; check the network and the instance URL", what, te)
	}
	if errors.Is(err, ErrReadOnly) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, plainCause(err))
}

// object pulls one snapshot file: q's SOQL with fields, ordered by Id. An
// optional object the user cannot read is skipped with a note.
func (p *puller) object(ctx context.Context, q org.Query, fields []string) error {
	c := p.c
	cols := slices.Clone(fields)
	idCol := slices.IndexFunc(cols, func(f string) bool { return strings.EqualFold(f, "Id") })
	if idCol < 0 {
		// Every query is ordered by Id, and a restart needs the last one;
		// the reader ignores the extra column.
		cols = append(cols, "Id")
		idCol = len(cols) - 1
	}
	paths := splitPaths(cols)

	path := filepath.Join(p.dir, q.File)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("staging %s: %w", q.File, err)
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	cw := csv.NewWriter(bw)
	closeAll := func() error {
		cw.Flush()
		err := cw.Error()
		if e := bw.Flush(); err == nil {
			err = e
		}
		if e := f.Close(); err == nil {
			err = e
		}
		return err
	}
	if err := cw.Write(cols); err != nil {
		closeAll()
		return fmt.Errorf("staging %s: %w", q.File, err)
	}

	st := &objectState{q: q, cols: cols, paths: paths,
		sink: recordSink{q: q, cw: cw, out: bw, idCol: idCol, progress: c.opts.Progress}}
	err = p.read(ctx, st)
	if st.sink.progress != nil && st.sink.begun {
		st.sink.progress.End(q.Object, err)
	}
	if cerr := closeAll(); err == nil && cerr != nil {
		err = fmt.Errorf("staging %s: %w", q.File, cerr)
	}
	if err != nil {
		var ae *APIError
		if !q.Required && st.sink.received == 0 && errors.As(err, &ae) && noAccess(ae.Code) {
			os.Remove(path)
			p.noteFor(q.Object, fmt.Sprintf("%s was not pulled: the user cannot read %s (%s).", q.File, q.Object, ae.Code))
			return nil
		}
		return err
	}
	p.mu.Lock()
	if p.counted == nil {
		p.counted = map[string]int{}
	}
	p.counted[q.File] = st.sink.received // the sink checked it equals totalSize
	p.mu.Unlock()
	if q.Object == "Organization" && len(st.sink.first) > 0 {
		p.org = organizationRecord(cols, st.sink.first)
	}
	return nil
}

// organizationRecord is the fields of the first Organization record (its
// columns cols and values vals) that RequireSandbox reads. An IsSandbox that
// does not parse stays unknown, which RequireSandbox refuses.
func organizationRecord(cols, vals []string) *org.Organization {
	o := &org.Organization{}
	for i, col := range cols {
		switch strings.ToLower(col) {
		case "id":
			o.ID = vals[i]
		case "name":
			o.Name = vals[i]
		case "issandbox":
			o.IsSandbox, _ = org.ParseTri(vals[i])
		}
	}
	return o
}

// read reads st's object with the API the options pick: REST pages, or
// a Bulk API 2.0 job (always with APIBulk, with APIAuto when the first
// REST page's totalSize, the count COUNT() would give, is above
// BulkThreshold). Organization, one record read before anything else, is
// always read with REST. An object Bulk API 2.0 does not serve is read
// with REST, with a note.
func (p *puller) read(ctx context.Context, st *objectState) error {
	api := p.c.opts.API
	if st.q.Object == "Organization" {
		api = APIREST
	}
	if api == APIAuto {
		st.bulkAbove = p.c.opts.BulkThreshold
	}
	err := errUseBulk
	if api != APIBulk {
		err = p.pages(ctx, st)
	}
	if !errors.Is(err, errUseBulk) {
		return err
	}
	err = p.bulk(ctx, st)
	if errors.Is(err, errNoBulk) {
		p.noteFor(st.q.Object, fmt.Sprintf("%s: Bulk API 2.0 does not serve %s in this org (INVALIDENTITY); it was read with REST.",
			st.q.File, st.q.Object))
		st.bulkAbove = 0
		return p.pages(ctx, st)
	}
	return err
}

// errUseBulk: pages stopped at the first page because the object is above
// the Bulk threshold.
var errUseBulk = errors.New("above the Bulk API threshold")

// objectState is one object's query: its columns, how to read them from a
// record, and the sink its rows go to.
type objectState struct {
	q     org.Query
	cols  []string
	paths []fieldPath
	sink  recordSink
	// bulkAbove, when above 0, makes pages stop with errUseBulk when the
	// first page's totalSize is above it.
	bulkAbove int
}

// pages runs the object's query and follows nextRecordsUrl to the end,
// writing each page's rows once the whole page has been checked: fetch
// gets and checks a page, the cursor knows which page comes next, and the
// sink writes and counts the rows.
func (p *puller) pages(ctx context.Context, st *objectState) error {
	cur := newPageCursor(st.q, st.cols)
	for !cur.done {
		page, rowsOut, err := p.fetch(ctx, st, cur.next)
		if err != nil {
			if cur.restart(err, st.sink.lastID) {
				continue
			}
			return err
		}
		if cur.fresh && st.bulkAbove > 0 && st.sink.received == 0 && page.TotalSize > st.bulkAbove {
			return errUseBulk
		}
		fresh, err := cur.take(page)
		if err != nil {
			return err
		}
		if fresh {
			st.sink.expect(page.TotalSize)
		}
		if err := st.sink.write(rowsOut); err != nil {
			return err
		}
	}
	return st.sink.finish()
}

// fetch requests one page of st's object, next being a SOQL query or a
// nextRecordsUrl locator, and decodes its records into rows of st's
// columns. An answer that does not decode or breaks the paging rules is a
// badPage, which call fetches again.
func (p *puller) fetch(ctx context.Context, st *objectState, next string) (*queryPage, [][]string, error) {
	var page *queryPage
	var out [][]string
	err := p.c.call(ctx, "query "+st.q.Object, func() error {
		var err error
		if page, out, err = p.c.query(ctx, next, st.paths, st.sink.idCol); err != nil {
			if bp := (*badPage)(nil); errors.As(err, &bp) {
				return &badPage{fmt.Errorf("%s answer: %w", st.q.Object, bp.err)}
			}
			return err
		}
		return checkPage(page, st)
	})
	if err != nil {
		return nil, nil, err
	}
	return page, out, nil
}

// checkPage returns a badPage when the page breaks the paging rules.
func checkPage(page *queryPage, st *objectState) error {
	obj := st.q.Object
	if !page.Done && !strings.HasPrefix(page.NextRecordsURL, "/services/data/") {
		return &badPage{fmt.Errorf("%s answer: done is false but nextRecordsUrl %s is not a /services/data/ path",
			obj, shortValue(page.NextRecordsURL))}
	}
	if !page.Done && page.Records == 0 {
		return &badPage{fmt.Errorf("%s answer: an empty page before the end", obj)}
	}
	if page.TotalSize < 0 {
		return &badPage{fmt.Errorf("%s answer: totalSize %d", obj, page.TotalSize)}
	}
	return nil
}

// pageCursor is where an object's query stands: the next page to request
// and the totalSize the current query promised.
type pageCursor struct {
	q     org.Query
	cols  []string
	next  string // a SOQL query, or a nextRecordsUrl locator
	fresh bool   // next is a SOQL query, not a locator
	total int    // totalSize of the query the current locator belongs to
	done  bool   // the last page was taken
}

// newPageCursor starts at q's first page: its SOQL over cols, ordered by
// Id.
func newPageCursor(q org.Query, cols []string) *pageCursor {
	return &pageCursor{q: q, cols: cols, next: restartSOQL(q, cols, ""), fresh: true}
}

// restart reports whether err, from requesting cur.next, is a query
// locator that expired (INVALID_QUERY_LOCATOR); if so the cursor moves to
// a new query for the records after lastID. A query's first page is never
// a locator, and it holds records unless it is the last, so every restart
// makes progress.
func (cur *pageCursor) restart(err error, lastID string) bool {
	var ae *APIError
	if cur.fresh || !errors.As(err, &ae) || ae.Code != "INVALID_QUERY_LOCATOR" {
		return false
	}
	cur.next, cur.fresh = restartSOQL(cur.q, cur.cols, lastID), true
	return true
}

// take moves the cursor past page, the answer to cur.next: to its
// nextRecordsUrl, or to done. It reports whether page was the first of a
// query (so its totalSize starts a new count), and fails when a locator's
// page changes the totalSize of its query.
func (cur *pageCursor) take(page *queryPage) (fresh bool, err error) {
	fresh = cur.fresh
	if fresh {
		cur.total = page.TotalSize
	} else if page.TotalSize != cur.total {
		return false, fmt.Errorf("%w: query %s: totalSize changed from %d to %d between pages; run again",
			ErrCountMismatch, cur.q.Object, cur.total, page.TotalSize)
	}
	if page.Done {
		cur.done = true
	} else {
		cur.next, cur.fresh = page.NextRecordsURL, false
	}
	return fresh, nil
}

// recordSink writes an object's checked rows to its staged CSV file and
// counts them against the totalSize the org promised. It sends no
// request: pages checks the context with each fetch.
type recordSink struct {
	q        org.Query
	cw       *csv.Writer
	out      *bufio.Writer // under cw
	idCol    int
	progress Progress // nil: none
	begun    bool     // the first page arrived, and progress began
	received int
	expected int      // totalSize, adjusted at each restart
	lastID   string   // last Id received
	first    []string // the first row (the Organization record)
}

// expect takes the totalSize of a query's first page: total more records
// are to come after those already received.
func (s *recordSink) expect(total int) {
	s.begin(total)
	s.expected = s.received + total
}

// begin starts the progress of the object, once.
func (s *recordSink) begin(total int) {
	if !s.begun {
		s.restart(total)
	}
	s.expected = total
}

// restart starts the progress of the object over, with total records to
// come (a Bulk job's download).
func (s *recordSink) restart(total int) {
	s.begun = true
	if s.progress != nil {
		s.progress.Begin(s.q.Object, total)
	}
	s.expected = total
}

func (s *recordSink) advance(n int) {
	if n > 0 && s.progress != nil {
		s.progress.Advance(s.q.Object, n)
	}
}

// flushCSV flushes the rows written so far (the header) to out, which a
// Bulk pull then writes encoded rows to.
func (s *recordSink) flushCSV() error {
	s.cw.Flush()
	if err := s.cw.Error(); err != nil {
		return fmt.Errorf("staging %s: %w", s.q.File, err)
	}
	return nil
}

// write writes one page's rows, which must continue the strictly
// increasing Ids of the rows before them, and fails when more records
// arrived than the query counted.
func (s *recordSink) write(rows [][]string) error {
	what := "query " + s.q.Object
	for _, row := range rows {
		id := row[s.idCol]
		if id <= s.lastID {
			kind := "out of order"
			if id == s.lastID {
				kind = "a duplicate"
			}
			return fmt.Errorf("%w: %s: record Id %s after %s is %s (the query is ordered by Id); "+
				"nothing was written: run again", ErrOutOfOrder, what, id, s.lastID, kind)
		}
		s.lastID = id
		if s.first == nil {
			s.first = row
		}
		if err := s.cw.Write(row); err != nil {
			return fmt.Errorf("staging %s: %w", s.q.File, err)
		}
	}
	s.received += len(rows)
	s.advance(len(rows))
	if s.received > s.expected {
		return fmt.Errorf("%w: %s: received %d records but totalSize is %d: the org answered more than it counted; run again",
			ErrCountMismatch, what, s.received, s.expected)
	}
	return nil
}

// finish checks, after the last page, that every record counted arrived.
func (s *recordSink) finish() error {
	if s.received != s.expected {
		return fmt.Errorf("%w: query %s: received %d records but totalSize is %d: %d records were lost; run again",
			ErrCountMismatch, s.q.Object, s.received, s.expected, s.expected-s.received)
	}
	return nil
}
