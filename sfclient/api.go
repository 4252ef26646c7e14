package sfclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Which calls go where. simpleforce (the design card's Salesforce client)
// sends the calls that are few and small: the SOAP login, the describe of
// Account and apply's sObject Collections writes. The pull's hot path, the
// REST query pages and the Bulk API 2.0 jobs, goes through api below:
// simpleforce's Query decodes every record into a map[string]any (about
// 40% of a REST pull's CPU), returns no response headers (a Bulk results
// page needs Sforce-Locator) and keeps its HTTP client in a field that is
// not safe to change while other objects are pulled concurrently. Both
// paths end in the same Transport, which keeps them read only, retried
// and counted.

// session returns the current session and its generation, which grows at
// every login; call uses it to log in once when several concurrent calls
// see the same expired session.
func (c *Client) currentSession() (Session, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session, c.gen
}

// api sends one request to path (relative to the instance URL, such as
// "services/data/v64.0/jobs/query") with the session's bearer token and
// returns the answer's headers and body. body, when not nil, is sent as
// JSON. Statuses of 400 and above come back as the Transport's *APIError.
// It is safe for concurrent use.
func (c *Client) api(ctx context.Context, method, path string, body []byte) (http.Header, []byte, error) {
	s, _ := c.currentSession()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.InstanceURL+"/"+strings.TrimPrefix(path, "/"), rd)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", method, shortValue(path), err)
	}
	req.Header.Set("Authorization", "Bearer "+s.AccessToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.tr.httpClient(ctx).Do(req)
	if err != nil {
		return nil, nil, plainCause(err)
	}
	defer resp.Body.Close()
	data, err := readBody(resp.Body) // the Transport buffered it
	if err != nil {
		return nil, nil, err
	}
	return resp.Header, data, nil
}

// apex sends one request with simpleforce, through the Transport. It is
// for the sequential calls only (see above).
func (c *Client) apex(ctx context.Context, method, path string, body io.Reader) ([]byte, error) {
	c.mu.Lock()
	sf := c.sf
	sf.SetHttpClient(c.tr.httpClient(ctx))
	c.mu.Unlock()
	return sf.ApexREST(method, path, body)
}
