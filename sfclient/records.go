package sfclient

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/licenseplan/licenseplan/org"
)

// queryPage is one answer of the query resource (salesforce-facts.md §6).
// licenseplan decodes it itself rather than with simpleforce's Query, which
// panics on a null record (it writes its client into every record's map).
type queryPage struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

// query fetches one page: next is SOQL, or a nextRecordsUrl (a
// /services/data/ path) to follow. A body that does not decode is a
// *json.SyntaxError or *json.UnmarshalTypeError, which call fetches again.
func (c *Client) query(next string) (*queryPage, error) {
	path := "services/data/v" + c.opts.APIVersion + "/query?q=" + url.QueryEscape(next)
	if strings.HasPrefix(next, "/services/data/") {
		path = strings.TrimPrefix(next, "/")
	}
	data, err := c.sf.ApexREST(http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	var page queryPage
	if err := json.Unmarshal(data, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// fieldPath is a SOQL field path split at its dots: Profile.UserLicense.Name.
type fieldPath []string

func splitPaths(fields []string) []fieldPath {
	out := make([]fieldPath, len(fields))
	for i, f := range fields {
		out[i] = strings.Split(f, ".")
	}
	return out
}

// lookup finds key in a record, exactly or else ignoring case: Salesforce
// answers with the field names of the describe, which a query may spell in
// another case.
func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// cell flattens the value at path p of rec into a CSV cell: a string as it
// is, a boolean as true/false, a number in decimal, null (the value or any
// parent relationship on the way) as blank. A selected field missing from
// the record, or a value that is an object where a field was asked for, is
// an error: the answer does not match the query.
func cell(rec map[string]any, p fieldPath) (string, error) {
	var cur any = rec
	for i, key := range p {
		m, ok := cur.(map[string]any)
		if !ok {
			if cur == nil {
				return "", nil // a null parent relationship
			}
			return "", fmt.Errorf("field %s: %s is not a relationship object", strings.Join(p, "."), strings.Join(p[:i], "."))
		}
		v, ok := lookup(m, key)
		if !ok {
			return "", fmt.Errorf("field %s is missing from the record", strings.Join(p, "."))
		}
		cur = v
	}
	switch v := cur.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return strconv.FormatInt(int64(v), 10), nil
		}
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("field %s: a %T, not a value", strings.Join(p, "."), cur)
}

// rows flattens a page's records into CSV rows, in field order. idCol is
// the index of Id in the fields. It fails on the first record that does not
// fit, so a bad page is retried whole and nothing of it is written.
func rows(recs []map[string]any, paths []fieldPath, idCol int) ([][]string, error) {
	out := make([][]string, len(recs))
	for i, r := range recs {
		if r == nil {
			return nil, fmt.Errorf("record %d is null", i+1)
		}
		row := make([]string, len(paths))
		for j, p := range paths {
			v, err := cell(r, p)
			if err != nil {
				return nil, fmt.Errorf("record %d: %w", i+1, err)
			}
			row[j] = v
		}
		if !org.ValidID(row[idCol]) {
			return nil, fmt.Errorf("record %d: Id %s is not a Salesforce Id", i+1, shortValue(row[idCol]))
		}
		out[i] = row
	}
	return out, nil
}

// Query runs a SOQL query that selects fields (paths such as
// "Profile.Name"; Id among them) and returns every record as a row of
// those fields' values, in the org's order, following nextRecordsUrl to the
// end. It is for small reads (apply's ownership transfer); Pull reads the
// snapshot. The row count is checked against totalSize.
func (c *Client) Query(ctx context.Context, soql string, fields []string) ([][]string, error) {
	out, err := c.queryRows(ctx, soql, fields)
	return out, c.red.Error(err)
}

func (c *Client) queryRows(ctx context.Context, soql string, fields []string) ([][]string, error) {
	if c.sf == nil {
		if err := c.login(ctx); err != nil {
			return nil, err
		}
	}
	idCol := slices.IndexFunc(fields, func(f string) bool { return strings.EqualFold(f, "Id") })
	if idCol < 0 {
		return nil, fmt.Errorf("query %s: the fields must include Id", shortValue(soql))
	}
	paths := splitPaths(fields)
	var out [][]string
	total := -1
	for next := soql; ; {
		var page *queryPage
		var recs [][]string
		err := c.call(ctx, "query", func() error {
			var err error
			if page, err = c.query(next); err != nil {
				return err
			}
			if recs, err = rows(page.Records, paths, idCol); err != nil {
				return &badPage{err}
			}
			if !page.Done && !strings.HasPrefix(page.NextRecordsURL, "/services/data/") {
				return &badPage{fmt.Errorf("done is false but nextRecordsUrl %s is not a /services/data/ path", shortValue(page.NextRecordsURL))}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if total < 0 {
			total = page.TotalSize
		}
		out = append(out, recs...)
		if page.Done {
			break
		}
		next = page.NextRecordsURL
	}
	if len(out) != total {
		return nil, fmt.Errorf("%w: query %s: %d records, totalSize %d; run again", ErrCountMismatch, shortValue(soql), len(out), total)
	}
	return out, nil
}
