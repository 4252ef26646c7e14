package orgsim

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orgsim/soql"
)

var update = flag.Bool("update", false, "rewrite golden files")

const testVersion = "54.0" // simpleforce's DefaultAPIVersion

func demoSnapshot(t testing.TB) *org.Snapshot {
	t.Helper()
	snap, err := org.ReadSnapshot(context.Background(), demo.Snapshot(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func newServer(t testing.TB, snap *org.Snapshot, opts Options) *Server {
	t.Helper()
	s, err := New(snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// response is a recorded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding %d response: %v\n%s", r.status, err, r.body)
	}
}

// apiErr decodes a Salesforce error array and returns its only element.
func (r response) apiErr(t testing.TB) apiError {
	t.Helper()
	var errs []apiError
	r.json(t, &errs)
	if len(errs) != 1 {
		t.Fatalf("want one error, got %d: %s", len(errs), r.body)
	}
	return errs[0]
}

// serve sends a request straight to the handler (host example.com, so
// bodies are deterministic).
func serve(s *Server, method, target, token string, body io.Reader, header ...string) response {
	req := httptest.NewRequest(method, "http://example.com"+target, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func queryPath(soql string) string {
	return "/services/data/v" + testVersion + "/query?q=" + url.QueryEscape(soql)
}

// page is a decoded query page.
type page struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

// queryAll runs a query through the handler and follows nextRecordsUrl,
// checking on the way that every page agrees on totalSize.
func queryAll(t testing.TB, s *Server, token, soql string, header ...string) (records []map[string]any, pages []page) {
	t.Helper()
	target := queryPath(soql)
	for {
		r := serve(s, http.MethodGet, target, token, nil, header...)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", target, r.status, r.body)
		}
		var p page
		r.json(t, &p)
		if len(pages) > 0 && p.TotalSize != pages[0].TotalSize {
			t.Fatalf("totalSize changed from %d to %d", pages[0].TotalSize, p.TotalSize)
		}
		pages = append(pages, p)
		records = append(records, p.Records...)
		if p.Done {
			if p.NextRecordsURL != "" {
				t.Fatalf("done page with nextRecordsUrl %q", p.NextRecordsURL)
			}
			return records, pages
		}
		if p.NextRecordsURL == "" {
			t.Fatal("page not done, without nextRecordsUrl")
		}
		target = p.NextRecordsURL
	}
}

// flatten reads a field path from a record as the snapshot CSV writes it:
// null as "", booleans as true/false, numbers as written.
func flatten(t testing.TB, rec map[string]any, path string) string {
	t.Helper()
	var cur any = rec
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			if cur == nil {
				return ""
			}
			t.Fatalf("path %s: %T is not an object", path, cur)
		}
		v, ok := m[part]
		if !ok {
			t.Fatalf("path %s: record has no key %q: %v", path, part, m)
		}
		cur = v
	}
	switch v := cur.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return v.String()
	}
	t.Fatalf("path %s: unexpected value %T %v", path, cur, cur)
	return ""
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./orgsim -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

var tokenRE = regexp.MustCompile(`00D[0-9A-Za-z]{12}![0-9A-Za-z._]+`)

// indent pretty-prints a JSON body for golden files and masks tokens.
func indent(t testing.TB, body []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	out.WriteByte('\n')
	return tokenRE.ReplaceAll(out.Bytes(), []byte("TOKEN"))
}

// usersSnapshot is a minimal snapshot of n users with increasing Ids.
func usersSnapshot(n int) *org.Snapshot {
	s := &org.Snapshot{Users: make([]org.User, n)}
	for i := range s.Users {
		s.Users[i] = org.User{
			ID: synthID("005", i+1), Username: fmt.Sprintf("user%d@example.com", i+1),
			ProfileID: "00eSM0000000001AAA", ProfileName: "Standard User", License: "Salesforce",
			IsActive: org.True,
		}
	}
	return s
}

// httpClient queries a running simulator over HTTP with a plain net/http
// client, as any Salesforce client would.
type httpClient struct {
	t     testing.TB
	base  string
	token string
	batch string // Sforce-Query-Options value, or ""
	hc    *http.Client
}

func (c *httpClient) get(target string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+target, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if c.batch != "" {
		req.Header.Set("Sforce-Query-Options", c.batch)
	}
	hc := c.hc
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		c.t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("GET %s: reading the body: %v", target, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

// queryAll runs soql and follows nextRecordsUrl to the end.
func (c *httpClient) queryAll(soql string) []map[string]any {
	c.t.Helper()
	var records []map[string]any
	target := queryPath(soql)
	total := -1
	for {
		r := c.get(target)
		if r.status != http.StatusOK {
			c.t.Fatalf("GET %s: %d %s", target, r.status, r.body)
		}
		var p page
		r.json(c.t, &p)
		if total >= 0 && p.TotalSize != total {
			c.t.Fatalf("totalSize changed from %d to %d", total, p.TotalSize)
		}
		total = p.TotalSize
		records = append(records, p.Records...)
		if p.Done {
			break
		}
		target = p.NextRecordsURL
	}
	if len(records) != total {
		c.t.Fatalf("%d records for totalSize %d", len(records), total)
	}
	return records
}

func parseAndCompile(s *Server, text string) (*query, error) {
	q, err := soql.Parse(text)
	if err != nil {
		return nil, err
	}
	return s.current().compile(text, q)
}
