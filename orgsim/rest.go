package orgsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/licenseplan/licenseplan/orgsim/soql"
)

// Query batch sizes: Salesforce's default and bounds for
// Sforce-Query-Options: batchSize=N.
const (
	defaultBatch = 2000
	minBatch     = 200
	maxBatch     = 2000
)

const jsonType = "application/json;charset=UTF-8"

// apiError is one element of Salesforce's REST error array.
type apiError struct {
	Message   string `json:"message"`
	ErrorCode string `json:"errorCode"`
}

// writeError answers [{"message":…,"errorCode":…}] with status.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, []apiError{{Message: msg, ErrorCode: code}})
}

// writeJSON answers v as JSON. Values are the simulator's own structs, so
// encoding cannot fail.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	writeBody(w, status, jsonType, body)
}

func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body) // a client that went away is not an error here
}

// writeQueryError answers a query error with Salesforce's status and
// message; anything else is a bug and says so.
func writeQueryError(w http.ResponseWriter, query string, err error) {
	var e *soql.Error
	if !errors.As(err, &e) {
		writeError(w, http.StatusInternalServerError, "UNKNOWN_EXCEPTION", err.Error())
		return
	}
	writeError(w, http.StatusBadRequest, e.Code, e.Message(query))
}

func (s *Server) handleVersions(w http.ResponseWriter, r *http.Request) {
	type version struct {
		Label   string `json:"label"`
		URL     string `json:"url"`
		Version string `json:"version"`
	}
	out := make([]version, 0, len(s.opts.APIVersions))
	for _, v := range s.opts.APIVersions {
		major, _ := parseVersion(v)
		out = append(out, version{Label: releaseName(major), URL: "/services/data/v" + v, Version: v})
	}
	slices.SortFunc(out, func(a, b version) int {
		x, _ := parseVersion(a.Version)
		y, _ := parseVersion(b.Version)
		return x - y
	})
	writeJSON(w, http.StatusOK, out)
}

// handleResources lists the version's resources. identity is the session
// user's identity URL, which jsforce's identity() reads from here when it
// has only an access token.
func (s *Server) handleResources(w http.ResponseWriter, r *http.Request, version string) {
	base := "/services/data/v" + version + "/"
	writeJSON(w, http.StatusOK, map[string]string{
		"identity": s.identityURL(r), "limits": base + "limits", "query": base + "query",
		"queryAll": base + "queryAll", "sobjects": base + "sobjects",
	})
}

func (s *Server) handleLimits(w http.ResponseWriter) {
	type limit struct {
		Max       int `json:"Max"`
		Remaining int `json:"Remaining"`
	}
	s.mu.Lock()
	used := s.used
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]limit{
		"DailyApiRequests":     {Max: s.opts.APILimit, Remaining: max(s.opts.APILimit-used, 0)},
		"DailyBulkApiBatches":  {Max: 15000, Remaining: 15000},
		"DailyBulkV2QueryJobs": {Max: 10000, Remaining: 10000},
		"DataStorageMB":        {Max: 1024, Remaining: 1024},
		"FileStorageMB":        {Max: 1024, Remaining: 1024},
	})
}

// batchSize reads Sforce-Query-Options: batchSize=N, clamped to 200..2000;
// def when the header is absent or unreadable.
func batchSize(r *http.Request, def int) int {
	for _, opt := range strings.Split(r.Header.Get("Sforce-Query-Options"), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(opt), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "batchSize") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return def
		}
		return min(max(n, minBatch), maxBatch)
	}
	return def
}

// cursor is an open query: its rows, fetched page by page through
// nextRecordsUrl /services/data/vXX.X/query/<id>-<offset>.
type cursor struct {
	id    string
	q     *query
	rows  []int32
	batch int
}

func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request, version, kind string) {
	text := r.URL.Query().Get("q")
	if strings.TrimSpace(text) == "" {
		writeError(w, http.StatusBadRequest, codeMalformedQuery, "A query string has to be specified")
		return
	}
	parsed, err := soql.Parse(text)
	if err != nil {
		writeQueryError(w, text, err)
		return
	}
	q, err := s.current().compile(text, parsed)
	if err != nil {
		writeQueryError(w, text, err)
		return
	}
	if r.URL.Query().Get("columns") == "true" {
		writeJSON(w, http.StatusOK, columnsOf(q))
		return
	}
	rows := q.run()
	if q.count {
		s.writePage(w, version, kind, q, nil, len(rows), 0, 0)
		return
	}
	batch := batchSize(r, defaultBatch)
	var cur *cursor
	if len(rows) > batch {
		cur = s.openCursor(q, rows, batch)
	}
	s.writePage(w, version, kind, q, cur, len(rows), 0, batch, rows...)
}

// openCursor registers a cursor, closing the oldest past MaxCursors.
func (s *Server) openCursor(q *query, rows []int32, batch int) *cursor {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextCur++
	c := &cursor{id: synthID("01g", s.nextCur), q: q, rows: rows, batch: batch}
	s.cursors[c.id] = c
	s.cursorQ = append(s.cursorQ, c.id)
	for len(s.cursorQ) > s.opts.MaxCursors {
		delete(s.cursors, s.cursorQ[0])
		s.cursorQ = s.cursorQ[1:]
	}
	return c
}

func (s *Server) closeCursorLocked(id string) {
	delete(s.cursors, id)
	if i := slices.Index(s.cursorQ, id); i >= 0 {
		s.cursorQ = slices.Delete(s.cursorQ, i, i+1)
	}
}

func writeInvalidLocator(w http.ResponseWriter) {
	writeError(w, http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
}

func (s *Server) handleQueryMore(w http.ResponseWriter, r *http.Request, version, kind, locator string) {
	id, offText, ok := strings.Cut(locator, "-")
	off, err := strconv.Atoi(offText)
	s.mu.Lock()
	c := s.cursors[id]
	if !ok || err != nil || c == nil || off < 0 || off >= len(c.rows) {
		s.mu.Unlock()
		writeInvalidLocator(w)
		return
	}
	s.moreSeq++
	if n := s.opts.ExpireLocatorEvery; n > 0 && s.moreSeq%n == 0 {
		s.closeCursorLocked(id)
		s.stats.FaultsInjected[FaultLocatorExpired]++
		s.mu.Unlock()
		writeInvalidLocator(w)
		return
	}
	s.mu.Unlock()
	s.writePage(w, version, kind, c.q, c, len(c.rows), off, batchSize(r, c.batch), c.rows...)
}

// bufPool holds page buffers: a page of 2,000 users is about a megabyte.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// writePage answers one page of a query: rows[off:off+batch] of the
// total, with nextRecordsUrl when more remain.
func (s *Server) writePage(w http.ResponseWriter, version, kind string, q *query, c *cursor, total, off, batch int, rows ...int32) {
	bp := bufPool.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= 8<<20 {
			bufPool.Put(bp)
		}
	}()
	end := min(off+batch, len(rows))
	b := append((*bp)[:0], `{"totalSize":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	if end < len(rows) {
		b = append(b, `,"done":false,"nextRecordsUrl":"/services/data/v`...)
		b = append(b, version...)
		b = append(b, '/')
		b = append(b, kind...)
		b = append(b, '/')
		b = append(b, c.id...)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(end), 10)
		b = append(b, '"')
	} else {
		b = append(b, `,"done":true`...)
	}
	b = append(b, `,"records":[`...)
	enc := recordEncoder{version: version}
	for i := off; i < end; i++ {
		if i > off {
			b = append(b, ',')
		}
		b = enc.record(b, q.table, rows[i], &q.sel)
	}
	b = append(b, "]}"...)
	*bp = b

	s.mu.Lock()
	s.pageSeq++
	truncate := s.opts.TruncateEvery > 0 && s.pageSeq%s.opts.TruncateEvery == 0
	if truncate {
		s.stats.FaultsInjected[FaultTruncated]++
	}
	s.mu.Unlock()
	if truncate {
		b = b[:len(b)/2]
	}
	writeBody(w, http.StatusOK, jsonType, b)
}

// recordEncoder appends records as Salesforce's JSON: attributes first,
// then the selected fields in order, parent relationships as nested
// records (null when absent).
type recordEncoder struct{ version string }

func (e recordEncoder) record(b []byte, t *table, row int32, n *selNode) []byte {
	b = append(b, `{"attributes":{"type":"`...)
	b = append(b, t.name...)
	b = append(b, `","url":"/services/data/v`...)
	b = append(b, e.version...)
	b = append(b, "/sobjects/"...)
	b = append(b, t.name...)
	b = append(b, '/')
	b = appendEscaped(b, t.id(row))
	b = append(b, `"}`...)
	for _, ch := range n.children {
		b = append(b, ',', '"')
		if ch.rel {
			b = append(b, ch.f.relName...)
			b = append(b, '"', ':')
			if p := ch.f.parent(row); p >= 0 {
				b = e.record(b, ch.f.target, p, ch)
			} else {
				b = append(b, "null"...)
			}
			continue
		}
		b = append(b, ch.f.name...)
		b = append(b, '"', ':')
		b = appendValue(b, ch.f.get(row))
	}
	return append(b, '}')
}
