package sfclient

import (
	"context"
	"crypto/rsa"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// fakeOrg is a small Salesforce stand-in for tests, speaking the documented
// JSON shapes (salesforce-facts.md §6): query with totalSize, done,
// nextRecordsUrl and nested parent records; describe; the OAuth token
// endpoint (JWT bearer and client credentials) and SOAP login; error arrays.
// It does not parse SOQL: it reads the object after FROM, an "Id > 'X'"
// restart condition, and the select list (to reject fields the org lacks).
type fakeOrg struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	objects  map[string][]map[string]any // object -> records sorted by Id
	missing  map[string]bool             // "Account.IsPartner"-style fields the org lacks (object.field)
	denied   map[string]string           // object -> error code (INSUFFICIENT_ACCESS, INVALID_TYPE)
	token    string                      // the valid access token
	tokens   int                         // tokens issued
	cursors  map[string]cursor
	nCursor  int
	requests []string // "METHOD path" of every request
	queries  []string // every SOQL received
	batch    []string // Sforce-Query-Options of every query request
	used     int
	limit    int

	// faults are applied in order to matching requests.
	faults []*fault

	// credentials
	clientID, clientSecret string
	username, password     string
	secToken               string
	jwtKey                 *rsa.PublicKey
}

type cursor struct {
	object string
	recs   []map[string]any
	batch  int
}

// fault answers a matching request instead of the org, times times.
type fault struct {
	match func(r *http.Request) bool
	times int
	do    func(w http.ResponseWriter, r *http.Request)
}

func newFakeOrg(t testing.TB) *fakeOrg {
	f := &fakeOrg{t: t, objects: map[string][]map[string]any{}, missing: map[string]bool{},
		denied: map[string]string{}, cursors: map[string]cursor{}, token: "00Dfake!initial-token", limit: 15000,
		clientID: "3MVG9fake", clientSecret: "cc-secret-123", username: "admin@example.com",
		password: "p&ss<w>rd", secToken: "SECTOKEN42"}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOrg) url() string { return f.srv.URL }

// add stores records of object, sorted by Id.
func (f *fakeOrg) add(object string, recs ...map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[object] = append(f.objects[object], recs...)
	slices.SortFunc(f.objects[object], func(a, b map[string]any) int { return strings.Compare(a["Id"].(string), b["Id"].(string)) })
}

func (f *fakeOrg) onRequest(match func(r *http.Request) bool, times int, do func(w http.ResponseWriter, r *http.Request)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &fault{match: match, times: times, do: do})
}

func (f *fakeOrg) expireSession() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.token = fmt.Sprintf("00Dfake!rotated-%d", f.tokens)
}

// soqls returns every SOQL received so far.
func (f *fakeOrg) soqls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.queries)
}

func (f *fakeOrg) got(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func sfErrorJSON(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode([]map[string]string{{"message": msg, "errorCode": code}})
}

var (
	fromRE  = regexp.MustCompile(`(?i)\bFROM\s+(\w+)`)
	afterRE = regexp.MustCompile(`Id > '(\w+)'`)
	selRE   = regexp.MustCompile(`(?i)^SELECT\s+(.*?)\s+FROM\b`)
)

func (f *fakeOrg) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	var flt *fault
	for _, x := range f.faults {
		if x.times > 0 && x.match(r) {
			x.times--
			flt = x
			break
		}
	}
	f.mu.Unlock()
	if flt != nil {
		flt.do(w, r)
		return
	}
	path := cleanPath(r.URL.Path)
	switch {
	case r.Method == http.MethodPost && path == "/services/oauth2/token":
		f.oauth(w, r)
		return
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/services/Soap/u/"):
		f.soap(w, r)
		return
	}
	f.mu.Lock()
	valid := r.Header.Get("Authorization") == "Bearer "+f.token
	f.used++
	w.Header().Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/%d", f.used, f.limit))
	over := f.used > f.limit
	f.mu.Unlock()
	if !valid {
		sfErrorJSON(w, 401, "INVALID_SESSION_ID", "Session expired or invalid")
		return
	}
	if over {
		sfErrorJSON(w, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
		return
	}
	if r.Method != http.MethodGet {
		sfErrorJSON(w, 405, "METHOD_NOT_ALLOWED", "HTTP Method '"+r.Method+"' not allowed")
		return
	}
	rest, ok := strings.CutPrefix(path, "/services/data/v")
	if !ok {
		sfErrorJSON(w, 404, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	_, rest, _ = strings.Cut(rest, "/")
	switch {
	case rest == "query":
		f.query(w, r)
	case strings.HasPrefix(rest, "query/"):
		f.more(w, strings.TrimPrefix(rest, "query/"))
	case strings.HasPrefix(rest, "sobjects/") && strings.HasSuffix(rest, "/describe"):
		f.describe(w, strings.TrimSuffix(strings.TrimPrefix(rest, "sobjects/"), "/describe"))
	default:
		sfErrorJSON(w, 404, "NOT_FOUND", "The requested resource does not exist")
	}
}

func (f *fakeOrg) query(w http.ResponseWriter, r *http.Request) {
	soql := r.URL.Query().Get("q")
	f.mu.Lock()
	f.queries = append(f.queries, soql)
	f.batch = append(f.batch, r.Header.Get("Sforce-Query-Options"))
	f.mu.Unlock()
	m := fromRE.FindStringSubmatch(soql)
	if m == nil {
		sfErrorJSON(w, 400, "MALFORMED_QUERY", "unexpected token")
		return
	}
	object := m[1]
	f.mu.Lock()
	defer f.mu.Unlock()
	if code, ok := f.denied[object]; ok {
		sfErrorJSON(w, 400, code, "sObject type '"+object+"' is not supported.")
		return
	}
	if sel := selRE.FindStringSubmatch(soql); sel != nil {
		for fld := range strings.SplitSeq(sel[1], ",") {
			fld = strings.TrimSpace(fld)
			if f.missing[object+"."+fld] {
				sfErrorJSON(w, 400, "INVALID_FIELD", "No such column '"+fld+"' on entity '"+object+"'.")
				return
			}
		}
	}
	recs := f.objects[object]
	if a := afterRE.FindStringSubmatch(soql); a != nil {
		i, _ := slices.BinarySearchFunc(recs, a[1], func(rec map[string]any, id string) int {
			return strings.Compare(rec["Id"].(string), id)
		})
		for i < len(recs) && recs[i]["Id"].(string) <= a[1] {
			i++
		}
		recs = recs[i:]
	}
	batch := 2000
	if v, ok := strings.CutPrefix(r.Header.Get("Sforce-Query-Options"), "batchSize="); ok {
		if n, err := strconv.Atoi(v); err == nil && n >= 200 && n <= 2000 {
			batch = n
		}
	}
	f.nCursor++
	loc := fmt.Sprintf("01gFAKE%011d", f.nCursor)
	f.cursors[loc] = cursor{object: object, recs: recs, batch: batch}
	f.page(w, loc, 0, batch)
}

// page answers records [off, off+batch) of a cursor; the caller holds mu.
func (f *fakeOrg) page(w http.ResponseWriter, loc string, off, batch int) {
	c := f.cursors[loc]
	end := min(off+batch, len(c.recs))
	out := map[string]any{"totalSize": len(c.recs), "done": end == len(c.recs), "records": c.recs[off:end]}
	if end < len(c.recs) {
		out["nextRecordsUrl"] = fmt.Sprintf("/services/data/v64.0/query/%s-%d", loc, end)
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(out); err != nil {
		f.t.Errorf("fake org: %v", err)
	}
}

func (f *fakeOrg) more(w http.ResponseWriter, id string) {
	loc, offs, ok := strings.Cut(id, "-")
	off, err := strconv.Atoi(offs)
	f.mu.Lock()
	defer f.mu.Unlock()
	c, known := f.cursors[loc]
	if !ok || err != nil || !known || off < 0 || off > len(c.recs) {
		sfErrorJSON(w, 400, "INVALID_QUERY_LOCATOR", "invalid query locator")
		return
	}
	f.page(w, loc, off, c.batch)
}

func (f *fakeOrg) describe(w http.ResponseWriter, object string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if code, ok := f.denied[object]; ok {
		sfErrorJSON(w, 404, code, "The requested resource does not exist")
		return
	}
	var fields []map[string]any
	for _, name := range []string{"Id", "Name", "IsPartner", "IsCustomerPortal", "OwnerId"} {
		if !f.missing[object+"."+name] {
			fields = append(fields, map[string]any{"name": name, "type": "string"})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"name": object, "fields": fields})
}

// issue hands out a new token; the caller holds mu.
func (f *fakeOrg) issue() string {
	f.tokens++
	f.token = fmt.Sprintf("00Dfake!token-%d", f.tokens)
	return f.token
}

func (f *fakeOrg) oauth(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", 400)
		return
	}
	fail := func(code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		if r.PostForm.Get("client_id") != f.clientID || r.PostForm.Get("client_secret") != f.clientSecret {
			fail("invalid_client", "invalid client credentials")
			return
		}
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		claims := gojwt.MapClaims{}
		_, err := gojwt.ParseWithClaims(r.PostForm.Get("assertion"), claims, func(*gojwt.Token) (any, error) { return f.jwtKey, nil },
			gojwt.WithValidMethods([]string{"RS256"}), gojwt.WithIssuer(f.clientID), gojwt.WithSubject(f.username),
			gojwt.WithAudience(f.url()), gojwt.WithExpirationRequired())
		if err != nil {
			fail("invalid_grant", "invalid assertion")
			return
		}
		exp, _ := claims.GetExpirationTime()
		if exp == nil || time.Until(exp.Time) > 3*time.Minute+5*time.Second {
			fail("invalid_grant", "expiration too far ahead")
			return
		}
	default:
		fail("unsupported_grant_type", "grant type not supported")
		return
	}
	f.mu.Lock()
	tok := f.issue()
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"access_token": tok, "instance_url": f.url(),
		"id": f.url() + "/id/00Dfake/005fake", "token_type": "Bearer", "issued_at": "1795000000000", "signature": "c2ln"})
}

func (f *fakeOrg) soap(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var env struct {
		Username string `xml:"Body>login>username"`
		Password string `xml:"Body>login>password"`
	}
	w.Header().Set("Content-Type", "text/xml")
	if r.Header.Get("SOAPAction") != "login" || xml.Unmarshal(body, &env) != nil ||
		env.Username != f.username || env.Password != f.password+f.secToken {
		w.WriteHeader(500)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: Invalid username, password, security token; or user locked out.</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`)
		return
	}
	f.mu.Lock()
	tok := f.issue()
	f.mu.Unlock()
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com"><soapenv:Body><loginResponse><result><passwordExpired>false</passwordExpired><sandbox>true</sandbox><serverUrl>%s/services/Soap/u/64.0/00Dfake</serverUrl><sessionId>%s</sessionId><userId>005fake</userId><userInfo><userName>%s</userName></userInfo></result></loginResponse></soapenv:Body></soapenv:Envelope>`,
		f.url(), tok, f.username)
}

// loadSnapshotFS turns the CSV files of a snapshot folder into records:
// relationship columns become nested objects with their own attributes
// (null when every column under them is blank), blank cells null,
// booleans JSON booleans, license counts numbers. Files without an Id
// column get generated Ids.
func (f *fakeOrg) loadSnapshotFS(t *testing.T, fsys fs.FS) {
	t.Helper()
	objects := map[string]string{}
	for _, name := range []string{"User", "Account", "UserRole", "UserLicense", "Profile", "PermissionSetAssignment",
		"ObjectPermissions", "PermissionSetLicenseAssign", "Organization"} {
		objects[name+".csv"] = name
	}
	bools := map[string]bool{"IsActive": true, "IsPartner": true, "IsCustomerPortal": true, "IsPortalEnabled": true,
		"IsOwnedByProfile": true, "PermissionsViewAllRecords": true, "PermissionsModifyAllRecords": true, "IsSandbox": true}
	nums := map[string]bool{"TotalLicenses": true, "UsedLicenses": true}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		object, ok := objects[e.Name()]
		if !ok {
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
		if err != nil || len(rows) == 0 {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		header := rows[0]
		var recs []map[string]any
		for i, row := range rows[1:] {
			rec := map[string]any{"attributes": map[string]any{"type": object}}
			for j, h := range header {
				var v any
				last := h[strings.LastIndexByte(h, '.')+1:]
				switch {
				case row[j] == "":
					v = nil
				case bools[last]:
					v = strings.EqualFold(row[j], "true")
				case nums[last]:
					n, _ := strconv.Atoi(row[j])
					v = float64(n)
				default:
					v = row[j]
				}
				setPath(rec, strings.Split(h, "."), v)
			}
			if _, ok := rec["Id"]; !ok {
				rec["Id"] = fmt.Sprintf("0Fk%012d", i+1)
			}
			nullEmptyParents(rec)
			recs = append(recs, rec)
		}
		f.add(object, recs...)
	}
}

func setPath(rec map[string]any, p []string, v any) {
	for _, k := range p[:len(p)-1] {
		next, ok := rec[k].(map[string]any)
		if !ok {
			next = map[string]any{"attributes": map[string]any{"type": k}}
			rec[k] = next
		}
		rec = next
	}
	rec[p[len(p)-1]] = v
}

// nullEmptyParents makes a parent whose fields are all null a JSON null,
// as Salesforce answers for a missing parent.
func nullEmptyParents(rec map[string]any) bool {
	empty := true
	for k, v := range rec {
		if k == "attributes" {
			continue
		}
		if m, ok := v.(map[string]any); ok {
			if nullEmptyParents(m) {
				rec[k] = nil
			} else {
				empty = false
			}
			continue
		}
		if v != nil {
			empty = false
		}
	}
	return empty
}

// clock records the waits instead of sleeping.
type clock struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (c *clock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *clock) got() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}
