package sfclient

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// queryPage is one answer of the query resource (salesforce-facts.md §6),
// without its records, which decodePage turns into rows.
type queryPage struct {
	TotalSize      int
	Done           bool
	NextRecordsURL string
	Records        int // how many records the page held
}

// query fetches one page and decodes its records into rows of paths: next
// is SOQL, or a nextRecordsUrl (a /services/data/ path) to follow. A body
// that does not decode is a badPage, which call fetches again.
func (c *Client) query(ctx context.Context, next string, paths []fieldPath, idCol int) (*queryPage, [][]string, error) {
	path := "services/data/v" + c.opts.APIVersion + "/query?q=" + url.QueryEscape(next)
	if strings.HasPrefix(next, "/services/data/") {
		path = strings.TrimPrefix(next, "/")
	}
	_, data, err := c.api(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, nil, err
	}
	page, rows, err := decodePage(data, paths, idCol)
	if err != nil {
		return nil, nil, &badPage{err}
	}
	return page, rows, nil
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
			if page, recs, err = c.query(ctx, next, paths, idCol); err != nil {
				return err
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
