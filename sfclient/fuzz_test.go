package sfclient

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	orgpkg "github.com/licenseplan/licenseplan/org"
)

// Fuzz targets for every decoder of what Salesforce (or something posing
// as it) answers: query pages, the OAuth token answer, the SOAP login
// answer, error bodies, and the Salesforce CLI's config answers. The
// properties: no panic, a bad answer is an error (never a short snapshot),
// and no secret reaches an error message. .ci/run runs each for a few
// seconds; `go test ./sfclient -run '^$' -fuzz FuzzQueryPage` runs one for
// longer.

// Every iteration shares one HTTP transport (Options.Base): a transport
// each would leave thousands of idle connections open and stall the fuzzer.

// fuzzBody is the answer a fuzz iteration serves in place of the org's.
type fuzzBody struct {
	mu          sync.Mutex
	status      int
	contentType string
	body        []byte
}

func (b *fuzzBody) set(status int, contentType string, body []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.status, b.contentType, b.body = status, contentType, body
}

func (b *fuzzBody) serve(w http.ResponseWriter, _ *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	w.Header().Set("Content-Type", b.contentType)
	w.WriteHeader(b.status)
	w.Write(b.body)
}

// statusOf maps a fuzzed byte to a status Salesforce answers with.
func statusOf(s uint8) int {
	return []int{200, 200, 400, 401, 403, 404, 500, 503}[s%8]
}

// pullWithin pulls, and fails when the pull takes more than 10 seconds: an
// answer must never make a pull hang.
func pullWithin(t *testing.T, c *Client, answer []byte) (*Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := c.Pull(ctx)
	if ctx.Err() != nil {
		t.Fatalf("the pull hung on the answer %q", answer)
	}
	return res, err
}

// checkSecrets fails when any secret appears in err's text.
func checkSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("the error shows the secret %q: %v", s, err)
		}
	}
}

// FuzzQueryPage serves the fuzzed body as the first page of the User query
// and pulls. A pull that succeeds must hold exactly the records the page
// announced.
func FuzzQueryPage(f *testing.F) {
	good, _ := json.Marshal(map[string]any{"totalSize": 1, "done": true,
		"records": []any{userRecord(userID(1), "a@example.com", "Salesforce")}})
	f.Add(uint8(0), good)
	f.Add(uint8(0), []byte(`{"totalSize":0,"done":true,"records":[]}`))
	f.Add(uint8(0), []byte(`{"totalSize":2,"done":true,"records":[null]}`))
	f.Add(uint8(0), []byte(`{"totalSize":1,"done":false,"nextRecordsUrl":"https://evil.example/x","records":[{}]}`))
	f.Add(uint8(0), []byte(`{"totalSize":-1,"done":true,"records":[]}`))
	f.Add(uint8(2), []byte(`[{"message":"bad","errorCode":"MALFORMED_QUERY"}]`))
	f.Add(uint8(6), []byte(`<html>oops</html>`))
	f.Add(uint8(0), []byte(`{"totalSize":1e400,"done":true}`))

	org := newFakeOrg(f)
	org.limit = math.MaxInt // thousands of pulls: the API limit must not become the only answer
	addOrganization(org, true)
	body := &fuzzBody{}
	org.onRequest(isQuery("User"), 1<<30, body.serve)
	token := tokenAuth(org)
	f.Fuzz(func(t *testing.T, status uint8, page []byte) {
		body.set(statusOf(status), "application/json", page)
		c, _ := testClient(t, token, Options{Retry: RetryPolicy{MaxRetries: -1}, Base: org.srv.Client().Transport})
		res, err := pullWithin(t, c, page)
		checkSecrets(t, err, token.Token)
		if err != nil {
			return
		}
		var doc struct {
			TotalSize int               `json:"totalSize"`
			Done      bool              `json:"done"`
			Records   []json.RawMessage `json:"records"`
		}
		if json.Unmarshal(page, &doc) != nil {
			t.Fatalf("a page that is not JSON was accepted: %q", page)
		}
		if !doc.Done {
			return // the next page came from the fake org, which has no User cursor
		}
		if n := len(res.Snapshot.Users); n != len(doc.Records) || n != doc.TotalSize {
			t.Fatalf("pulled %d users from a page of %d records with totalSize %d: %q",
				n, len(doc.Records), doc.TotalSize, page)
		}
		for _, u := range res.Snapshot.Users {
			if !orgpkg.ValidID(u.ID) {
				t.Fatalf("user Id %q is not a Salesforce Id", u.ID)
			}
		}
	})
}

// FuzzTokenAnswer serves the fuzzed body as the OAuth token endpoint's
// answer to a client-credentials login.
func FuzzTokenAnswer(f *testing.F) {
	f.Add(uint8(0), true, []byte(`{"access_token":"00Dx!tok","instance_url":"http://127.0.0.1:1","token_type":"Bearer"}`))
	f.Add(uint8(0), true, []byte(`{"access_token":"00Dx!tok","instance_url":"http://evil.example","token_type":"Bearer"}`))
	f.Add(uint8(0), true, []byte(`{"access_token":"","instance_url":""}`))
	f.Add(uint8(2), true, []byte(`{"error":"invalid_client","error_description":"secret cc-secret-123 is wrong"}`))
	f.Add(uint8(0), false, []byte(`access_token=x&instance_url=javascript:alert(1)`))
	f.Add(uint8(6), true, []byte("\x00\xff"))

	org := newFakeOrg(f)
	body := &fuzzBody{}
	org.onRequest(func(r *http.Request) bool { return r.URL.Path == "/services/oauth2/token" }, 1<<30, body.serve)
	auth := ccAuth(org)
	f.Fuzz(func(t *testing.T, status uint8, asJSON bool, answer []byte) {
		ct := "application/x-www-form-urlencoded"
		if asJSON {
			ct = "application/json"
		}
		body.set(statusOf(status), ct, answer)
		c, _ := testClient(t, auth, Options{Retry: RetryPolicy{MaxRetries: -1}, Base: org.srv.Client().Transport})
		_, err := pullWithin(t, c, answer)
		if err == nil {
			t.Fatalf("a pull succeeded on a token answer the org did not issue: %q", answer)
		}
		checkSecrets(t, err, auth.ClientSecret)
		checkText(t, err.Error())
	})
}

// FuzzSOAPLogin serves the fuzzed body as the SOAP login answer.
func FuzzSOAPLogin(f *testing.F) {
	f.Add(uint8(0), []byte(`<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><loginResponse><result><serverUrl>http://127.0.0.1:1/services/Soap/u/64.0/00D</serverUrl><sessionId>00Dx!sid</sessionId></result></loginResponse></soapenv:Body></soapenv:Envelope>`))
	f.Add(uint8(0), []byte(`<Envelope><Body><loginResponse><result><serverUrl>ftp://x</serverUrl><sessionId></sessionId></result></loginResponse></Body></Envelope>`))
	f.Add(uint8(6), []byte(`<Envelope><Body><Fault><faultcode>sf:INVALID_LOGIN</faultcode><faultstring>p&amp;ss&lt;w&gt;rd SECTOKEN42</faultstring></Fault></Body></Envelope>`))
	f.Add(uint8(0), []byte(`<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;&a;</x>`))

	org := newFakeOrg(f)
	body := &fuzzBody{}
	org.onRequest(func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/services/Soap/u/") }, 1<<30, body.serve)
	auth := Password{Username: org.username, Password: org.password, SecurityToken: org.secToken, LoginURL: org.url()}
	f.Fuzz(func(t *testing.T, status uint8, answer []byte) {
		body.set(statusOf(status), "text/xml", answer)
		c, _ := testClient(t, auth, Options{Retry: RetryPolicy{MaxRetries: -1}, Base: org.srv.Client().Transport})
		_, err := pullWithin(t, c, answer)
		if err == nil {
			t.Fatalf("a pull succeeded on a login answer the org did not issue: %q", answer)
		}
		checkSecrets(t, err, auth.Password, auth.SecurityToken)
		checkText(t, err.Error())
	})
}

// checkText fails on control characters or broken UTF-8 in a message, which
// would garble a terminal. Newlines are allowed between sentences.
func checkText(t *testing.T, msg string) {
	t.Helper()
	if !utf8.ValidString(msg) {
		t.Fatalf("message is not UTF-8: %q", msg)
	}
	for _, r := range msg {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			t.Fatalf("message holds control character %U: %q", r, msg)
		}
	}
}

// FuzzParseErrorBody: whatever the body, the code and message are short,
// valid UTF-8 and free of control characters.
func FuzzParseErrorBody(f *testing.F) {
	for _, s := range []string{
		`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`,
		`{"error":"invalid_grant","error_description":"authentication failure"}`,
		`{"errorCode":"X","message":"y"}`,
		`<soapenv:Envelope><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_LOGIN</faultcode><faultstring>bad</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
		"\x1b[31mred\x1b[0m", "", "[]", "{}", "<",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		code, msg, _ := parseErrorBody(body)
		if n := utf8.RuneCountInString(code); n > 81 {
			t.Errorf("code of %d runes", n)
		}
		if n := utf8.RuneCountInString(msg); n > maxMessage+1 {
			t.Errorf("message of %d runes", n)
		}
		for _, s := range []string{code, msg} {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
				t.Errorf("unsafe text %q", s)
			}
		}
	})
}

// FuzzSFConfig feeds `sf config get target-org --json` answers and sf's
// config files. An alias that comes back is text sf could have written,
// and errors are safe to print.
func FuzzSFConfig(f *testing.F) {
	for _, s := range []string{
		`{"status":0,"result":[{"name":"target-org","value":"orgsim","path":"/h/.sf/config.json","location":"Global"}]}`,
		`{"status":0,"result":[{"name":"target-org","success":true}]}`,
		`{"status":1,"message":"\u001b[2Jboom"}`,
		`{"status":0,"result":[{"name":"target-org","value":{"a":1}}]}`,
		`{"target-org":"x","defaultusername":"y"}`,
		`null`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		alias, origin, err := parseConfigGet(data)
		if err != nil {
			checkText(t, err.Error())
			if alias != "" || origin != "" {
				t.Errorf("an error with an answer: %q %q", alias, origin)
			}
			return
		}
		if alias != "" && origin == "" {
			t.Errorf("alias %q without its origin", alias)
		}
	})
}

// TestFuzzSeedsFail pins the seeds above that must fail, so a decoder that
// starts accepting them is caught by go test alone, without -fuzz.
func TestFuzzSeedsFail(t *testing.T) {
	org := newFakeOrg(t)
	addOrganization(org, true)
	org.onRequest(isQuery("User"), 1, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"totalSize":2,"done":true,"records":[null]}`))
	})
	c, _ := testClient(t, tokenAuth(org), Options{Retry: RetryPolicy{MaxRetries: -1}})
	if _, err := c.Pull(context.Background()); !errors.Is(err, ErrBadResponse) {
		t.Errorf("a null record: %v, want ErrBadResponse", err)
	}
}
