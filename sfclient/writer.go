package sfclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/licenseplan/licenseplan/org"
)

// MaxCollection is the most records one sObject Collections request
// takes ("up to 200 records", REST API Developer Guide, "sObject
// Collections": resources_composite_sobjects_collections.htm).
const MaxCollection = 200

// Writer writes records to an org. It is the only type in licenseplan
// that can change an org, and `licenseplan apply` is the only command that
// makes one: a Client, which `plan` uses, cannot send a write at all (its
// transport refuses it before anything is sent).
//
// A Writer sends exactly two kinds of request besides logins and reads:
// POST (insert) and PATCH (update) to /composite/sobjects, the sObject
// Collections resource, always with allOrNone=false, so each record
// succeeds or fails by itself and the answer lists one result per record in
// request order. A write is never sent twice by the transport: when its
// outcome is unknown (the connection dropped, a timeout, a 5xx), Insert and
// Update fail with ErrOutcomeUnknown and the caller must read the org
// before deciding to send it again.
type Writer struct {
	c *Client
}

// NewWriter returns a Writer that logs in with auth. It sends nothing yet.
func NewWriter(auth Authenticator, opts Options) (*Writer, error) {
	c, err := New(auth, opts)
	if err != nil {
		return nil, err
	}
	c.tr.writes = true
	return &Writer{c: c}, nil
}

// Connect authenticates.
func (w *Writer) Connect(ctx context.Context) error { return w.c.Connect(ctx) }

// InstanceURL is the org's instance URL, once connected.
func (w *Writer) InstanceURL() string { return w.c.InstanceURL() }

// APICalls counts the REST API calls the Writer has sent.
func (w *Writer) APICalls() int { return w.c.APICalls() }

// Record is one record to write: its sObject type and its fields. An
// update carries "Id" among the fields. Values are strings, booleans or
// nil (null).
type Record struct {
	Object string
	Fields map[string]any
}

// RecordResult is Salesforce's answer for one record of a collection.
type RecordResult struct {
	ID      string        `json:"id"`
	Success bool          `json:"success"`
	Errors  []RecordError `json:"errors"`
}

// RecordError is one error of a record ("statusCode", "message",
// "fields", as in the SOAP API's Error).
type RecordError struct {
	StatusCode string   `json:"statusCode"`
	Message    string   `json:"message"`
	Fields     []string `json:"fields"`
}

func (e RecordError) String() string {
	if e.StatusCode == "" {
		return e.Message
	}
	return e.StatusCode + ": " + e.Message
}

// Insert creates records (POST /composite/sobjects).
func (w *Writer) Insert(ctx context.Context, recs []Record) ([]RecordResult, error) {
	res, err := w.collection(ctx, http.MethodPost, recs)
	return res, w.c.red.Error(err)
}

// Update updates records by Id (PATCH /composite/sobjects).
func (w *Writer) Update(ctx context.Context, recs []Record) ([]RecordResult, error) {
	for i, r := range recs {
		id, _ := r.Fields["Id"].(string)
		if !org.ValidID(id) {
			return nil, fmt.Errorf("update record %d (%s): Id %s is not a Salesforce Id", i+1, r.Object, shortValue(id))
		}
	}
	res, err := w.collection(ctx, http.MethodPatch, recs)
	return res, w.c.red.Error(err)
}

type collectionRequest struct {
	AllOrNone bool             `json:"allOrNone"`
	Records   []map[string]any `json:"records"`
}

func (w *Writer) collection(ctx context.Context, method string, recs []Record) ([]RecordResult, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	if len(recs) > MaxCollection {
		return nil, fmt.Errorf("%w: %d records in one collection; Salesforce takes at most %d", ErrConfig, len(recs), MaxCollection)
	}
	body := collectionRequest{Records: make([]map[string]any, len(recs))}
	for i, r := range recs {
		if r.Object == "" {
			return nil, fmt.Errorf("record %d has no sObject type", i+1)
		}
		m := make(map[string]any, len(r.Fields)+1)
		for k, v := range r.Fields {
			m[k] = v
		}
		m["attributes"] = map[string]string{"type": r.Object}
		body.Records[i] = m
	}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encoding the records: %w", err)
	}
	c := w.c
	if c.sf == nil {
		if err := c.login(ctx); err != nil {
			return nil, err
		}
	}
	what := fmt.Sprintf("%s %d %s records", map[string]string{http.MethodPost: "insert", http.MethodPatch: "update"}[method], len(recs), recs[0].Object)
	path := "services/data/v" + c.opts.APIVersion + "/composite/sobjects"
	var out []RecordResult
	err = c.call(ctx, what, func() error {
		answer, err := c.apex(ctx, method, path, bytes.NewReader(data))
		if err != nil {
			return err
		}
		// An answer that does not decode is not fetched again: the
		// write may have committed.
		if err := json.Unmarshal(answer, &out); err != nil {
			return fmt.Errorf("%w: %s: the answer did not decode (%v)", ErrOutcomeUnknown, what, err.Error())
		}
		if len(out) != len(recs) {
			return fmt.Errorf("%w: %s: the answer has %d results for %d records", ErrOutcomeUnknown, what, len(out), len(recs))
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrOutcomeUnknown) {
			return nil, fmt.Errorf("%w (read the records before writing them again)", err)
		}
		return nil, err
	}
	for i := range out {
		for j := range out[i].Errors {
			out[i].Errors[j].Message = c.red.Redact(cleanText(out[i].Errors[j].Message, maxMessage))
		}
	}
	return out, nil
}
