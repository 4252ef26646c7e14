package sfclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func testWriter(t *testing.T, url string) *Writer {
	t.Helper()
	w, err := NewWriter(AccessToken{InstanceURL: url, Token: "00Dx!tok"},
		Options{Retry: RetryPolicy{Sleep: (&clock{}).sleep, Jitter: func() float64 { return 0 }}})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestWriterTransport: a Writer's transport sends sObject Collections
// writes and nothing else that writes; a Client's still refuses them.
func TestWriterTransport(t *testing.T) {
	rec := newRecorder(t)
	w := testWriter(t, rec.srv.URL)
	c, err := New(AccessToken{InstanceURL: rec.srv.URL, Token: "00Dx!tok"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		method, path   string
		writer, client bool // allowed
	}{
		{"POST", "/services/data/v64.0/composite/sobjects", true, false},
		{"PATCH", "/services/data/v64.0/composite/sobjects", true, false},
		{"PATCH", "//services//data/v64.0/composite/sobjects", true, false},
		{"DELETE", "/services/data/v64.0/composite/sobjects", false, false},
		{"POST", "/services/data/v64.0/composite", false, false},
		{"POST", "/services/data/v64.0/composite/sobjects/User", false, false},
		{"PATCH", "/services/data/v64.0/sobjects/User/005000000000001", false, false},
		{"POST", "/services/data/v64.0/composite/sobjects/../../sobjects/Account", false, false},
		{"POST", "/services/data/v64.0/jobs/ingest", false, false},
		{"GET", "/services/data/v64.0/query", true, true},
	} {
		for _, side := range []struct {
			name    string
			tr      *Transport
			allowed bool
		}{{"writer", w.c.tr, tt.writer}, {"client", c.tr, tt.client}} {
			t.Run(side.name+" "+tt.method+" "+tt.path, func(t *testing.T) {
				rec.mu.Lock()
				before := len(rec.reqs)
				rec.mu.Unlock()
				req, _ := http.NewRequest(tt.method, rec.srv.URL, strings.NewReader("{}"))
				req.URL.Path = tt.path
				resp, err := side.tr.RoundTrip(req)
				if resp != nil {
					resp.Body.Close()
				}
				rec.mu.Lock()
				sent := len(rec.reqs) - before
				rec.mu.Unlock()
				if side.allowed != (err == nil && sent == 1) {
					t.Fatalf("err %v, sent %d; want allowed=%v", err, sent, side.allowed)
				}
				if !side.allowed && !errors.Is(err, ErrReadOnly) {
					t.Fatalf("err %v, want ErrReadOnly", err)
				}
			})
		}
	}
}

func TestWriterCollections(t *testing.T) {
	rec := newRecorder(t)
	rec.next = func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`[{"id":"005000000000001AAA","success":true,"errors":[]},` +
			`{"success":false,"errors":[{"statusCode":"DUPLICATE_USERNAME","message":"Duplicate Username. 00Dx!tok","fields":["Username"]}]}]`))
	}
	wr := testWriter(t, rec.srv.URL)
	res, err := wr.Insert(context.Background(), []Record{
		{Object: "User", Fields: map[string]any{"ContactId": "003000000000001AAA", "Username": "a@b.c"}},
		{Object: "User", Fields: map[string]any{"ContactId": "003000000000002AAA", "Username": "d@e.f"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || !res[0].Success || res[0].ID != "005000000000001AAA" || res[1].Success ||
		res[1].Errors[0].StatusCode != "DUPLICATE_USERNAME" || res[1].Errors[0].Fields[0] != "Username" {
		t.Fatalf("results %+v", res)
	}
	if strings.Contains(res[1].Errors[0].Message, "00Dx!tok") {
		t.Errorf("a secret in a record error: %q", res[1].Errors[0].Message)
	}
	if rec.reqs[0] != "POST /services/data/v64.0/composite/sobjects" {
		t.Errorf("request %s", rec.reqs[0])
	}
	var body struct {
		AllOrNone *bool            `json:"allOrNone"`
		Records   []map[string]any `json:"records"`
	}
	if err := json.Unmarshal([]byte(rec.body[0]), &body); err != nil {
		t.Fatal(err)
	}
	if body.AllOrNone == nil || *body.AllOrNone || len(body.Records) != 2 ||
		body.Records[0]["attributes"].(map[string]any)["type"] != "User" || body.Records[1]["Username"] != "d@e.f" {
		t.Errorf("body %s", rec.body[0])
	}
}

// TestWriterNeverResends: a write whose answer is lost or a 5xx is sent
// once and fails with ErrOutcomeUnknown; a 429 (refused unprocessed) is
// sent again.
func TestWriterNeverResends(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answer  func(n int, w http.ResponseWriter)
		sends   int
		unknown bool
	}{
		{"dropped", func(_ int, w http.ResponseWriter) { dropConn(w, nil) }, 1, true},
		{"503", func(_ int, w http.ResponseWriter) { sfErrorJSON(w, 503, "SERVER_UNAVAILABLE", "down") }, 1, true},
		{"500", func(_ int, w http.ResponseWriter) { sfErrorJSON(w, 500, "UNKNOWN_EXCEPTION", "oops") }, 1, true},
		{"not JSON", func(_ int, w http.ResponseWriter) { w.Write([]byte("<html>")) }, 1, true},
		{"too few results", func(_ int, w http.ResponseWriter) { w.Write([]byte("[]")) }, 1, true},
		{"429 then ok", func(n int, w http.ResponseWriter) {
			if n == 1 {
				w.Header().Set("Retry-After", "1")
				sfErrorJSON(w, 429, "REQUEST_LIMIT_EXCEEDED_RATE", "slow down")
				return
			}
			w.Write([]byte(`[{"id":"001000000000001AAA","success":true,"errors":[]}]`))
		}, 2, false},
		{"400 is final", func(_ int, w http.ResponseWriter) { sfErrorJSON(w, 400, "JSON_PARSER_ERROR", "bad") }, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t)
			n := 0
			rec.next = func(w http.ResponseWriter, r *http.Request) { n++; tc.answer(n, w) }
			wr := testWriter(t, rec.srv.URL)
			_, err := wr.Update(context.Background(), []Record{{Object: "Account", Fields: map[string]any{"Id": "001000000000001AAA", "IsPartner": true}}})
			rec.mu.Lock() // the handler of a dropped request may still be running
			sent := len(rec.reqs)
			rec.mu.Unlock()
			if sent != tc.sends {
				t.Errorf("sent %d times, want %d", sent, tc.sends)
			}
			if got := errors.Is(err, ErrOutcomeUnknown); got != tc.unknown {
				t.Errorf("err %v: unknown=%v, want %v", err, got, tc.unknown)
			}
			if tc.name == "429 then ok" && err != nil {
				t.Errorf("err %v", err)
			}
		})
	}
}

func TestWriterRefusesBadInput(t *testing.T) {
	rec := newRecorder(t)
	wr := testWriter(t, rec.srv.URL)
	ctx := context.Background()
	many := make([]Record, MaxCollection+1)
	for i := range many {
		many[i] = Record{Object: "User", Fields: map[string]any{"Id": "005000000000001AAA"}}
	}
	if _, err := wr.Update(ctx, many); !errors.Is(err, ErrConfig) {
		t.Errorf("201 records: %v", err)
	}
	if _, err := wr.Update(ctx, []Record{{Object: "User", Fields: map[string]any{"Id": "x' OR 1=1"}}}); err == nil {
		t.Error("an update with a bad Id was accepted")
	}
	if len(rec.reqs) != 0 {
		t.Errorf("requests sent: %q", rec.reqs)
	}
}

func TestClientQuery(t *testing.T) {
	f := newFakeOrg(t)
	for i := range 2500 {
		f.add("Case", map[string]any{"Id": fmt.Sprintf("500%012dAAA", i), "OwnerId": "005000000000001AAA"})
	}
	f.denied["Lead"] = "INVALID_TYPE"
	c, err := New(AccessToken{InstanceURL: f.url(), Token: f.token}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rows, err := c.Query(ctx, "SELECT Id, OwnerId FROM Case ORDER BY Id", []string{"Id", "OwnerId"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2500 || rows[0][0] != "500000000000000AAA" || rows[2499][1] != "005000000000001AAA" {
		t.Fatalf("%d rows, first %v", len(rows), rows[0])
	}
	var ae *APIError
	if _, err := c.Query(ctx, "SELECT Id FROM Lead", []string{"Id"}); !errors.As(err, &ae) || ae.Code != "INVALID_TYPE" {
		t.Errorf("Lead: %v, want INVALID_TYPE", err)
	}
	if _, err := c.Query(ctx, "SELECT OwnerId FROM Case", []string{"OwnerId"}); err == nil {
		t.Error("a query without Id was accepted")
	}
}
