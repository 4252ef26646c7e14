package orgsim

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/licenseplan/licenseplan/orgsim/soql"
)

// Bulk API 2.0 query jobs (query_create_job, query_get_job_info,
// query_get_job_results and bulk_api_2_job_states in the Bulk API 2.0
// Developer Guide; ../shared/notes/salesforce-facts.md section 6):
//   - POST /services/data/vXX.X/jobs/query {"operation":"query","query":…}
//     creates a job in state UploadComplete; a query that does not compile
//     fails at once with 400 and the REST query's error code.
//   - GET /jobs/query/{id} reports the job; here each poll moves it one
//     state on: UploadComplete → InProgress → JobComplete (or Failed, when
//     Options.BulkFailEvery picks the job), so tests are deterministic.
//     A query without ORDER BY answers its rows in chunks of Ids, not in
//     Id order (chunkOrder).
//   - GET /jobs/query/{id}/results?locator=&maxRecords= answers CSV whose
//     header is the SOQL field paths, null as an empty field, with
//     Sforce-Locator ("null" on the last page) and Sforce-NumberOfRecords.
//     Before JobComplete it answers 412 JOB_NOT_COMPLETE; from another API
//     version than the create call, 409. A locator can be fetched again as
//     long as the job exists. Values are quoted, as in the guide's sample
//     ("Id","Name"); null is written as an empty, unquoted field. The
//     guide does not show a null; a real client reads nulls back as
//     empty cells (forcedotcom/SFDX-Data-Move-Utility 5.7.1 release
//     notes: "Empty cells returned by Bulk Query are now normalized ...
//     so null Date and DateTime values are sent ... as real null
//     values"), which is what orgsim writes. Still to check on a real
//     org: whether a null is "" or an empty unquoted field.
//     Source: developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/
//     api_asynch/query_get_job_results.htm.
//   - PATCH /jobs/query/{id} {"state":"Aborted"} aborts; DELETE deletes.

// Bulk job states.
const (
	jobUploadComplete = "UploadComplete"
	jobInProgress     = "InProgress"
	jobComplete       = "JobComplete"
	jobFailed         = "Failed"
	jobAborted        = "Aborted"
)

// bulkJob is one query job.
type bulkJob struct {
	ID              string  `json:"id"`
	Operation       string  `json:"operation"`
	Object          string  `json:"object"`
	CreatedDate     string  `json:"createdDate"`
	State           string  `json:"state"`
	ConcurrencyMode string  `json:"concurrencyMode"`
	ContentType     string  `json:"contentType"`
	APIVersion      float64 `json:"apiVersion"`
	LineEnding      string  `json:"lineEnding"`
	ColumnDelimiter string  `json:"columnDelimiter"`
	Processed       int     `json:"numberRecordsProcessed"`
	ErrorMessage    string  `json:"errorMessage,omitempty"`

	version string
	q       *query
	rows    []int32
	fail    bool // ends Failed instead of JobComplete
}

// handleBulkQuery serves /jobs/query and /jobs/query/{id}[/results]; rest
// is the path after vXX.X, starting with "jobs", "query".
func (s *Server) handleBulkQuery(w http.ResponseWriter, r *http.Request, version string, rest []string) {
	switch {
	case len(rest) == 2 && r.Method == http.MethodPost:
		s.createBulkJob(w, r, version)
	case len(rest) == 3 && r.Method == http.MethodGet:
		s.withJob(w, rest[2], func(j *bulkJob) { s.pollBulkJob(w, j) })
	case len(rest) == 3 && r.Method == http.MethodPatch:
		s.withJob(w, rest[2], func(j *bulkJob) { s.abortBulkJob(w, r, j) })
	case len(rest) == 3 && r.Method == http.MethodDelete:
		s.withJob(w, rest[2], func(j *bulkJob) {
			s.mu.Lock()
			delete(s.jobs, j.ID)
			s.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		})
	case len(rest) == 4 && rest[3] == "results" && r.Method == http.MethodGet:
		s.withJob(w, rest[2], func(j *bulkJob) { s.bulkResults(w, r, version, j) })
	default:
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
}

func (s *Server) withJob(w http.ResponseWriter, id string, fn func(*bulkJob)) {
	s.mu.Lock()
	j := s.jobs[id]
	s.mu.Unlock()
	if j == nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	fn(j)
}

func (s *Server) createBulkJob(w http.ResponseWriter, r *http.Request, version string) {
	var req struct {
		Operation       string `json:"operation"`
		Query           string `json:"query"`
		ContentType     string `json:"contentType"`
		ColumnDelimiter string `json:"columnDelimiter"`
		LineEnding      string `json:"lineEnding"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || json.Unmarshal(body, &req) != nil {
		writeError(w, http.StatusBadRequest, "JSON_PARSER_ERROR", "The request body is not valid JSON.")
		return
	}
	if req.Operation != "query" && req.Operation != "queryAll" {
		writeError(w, http.StatusBadRequest, "INVALIDJOB", "InvalidJob : operation must be query or queryAll")
		return
	}
	if (req.ContentType != "" && req.ContentType != "CSV") ||
		(req.ColumnDelimiter != "" && req.ColumnDelimiter != "COMMA") ||
		(req.LineEnding != "" && req.LineEnding != "LF") {
		writeError(w, http.StatusBadRequest, "INVALIDJOB", "InvalidJob : orgsim serves CSV with COMMA and LF only")
		return
	}
	if strings.TrimSpace(req.Query) == "" {
		writeError(w, http.StatusBadRequest, codeMalformedQuery, "A query string has to be specified")
		return
	}
	parsed, err := soql.Parse(req.Query)
	if err != nil {
		writeQueryError(w, req.Query, err)
		return
	}
	q, err := s.current().compile(req.Query, parsed)
	if err != nil {
		writeQueryError(w, req.Query, err)
		return
	}
	if q.count {
		writeError(w, http.StatusBadRequest, "API_ERROR", "Aggregate queries are not supported by Bulk API 2.0 query")
		return
	}
	major, _ := parseVersion(version)
	s.mu.Lock()
	s.nextJob++
	n := s.nextJob
	j := &bulkJob{ID: synthID("750", n), Operation: req.Operation, Object: q.table.name,
		CreatedDate: time.Date(2026, 1, 1, 0, 0, n, 0, time.UTC).Format("2006-01-02T15:04:05.000+0000"),
		State:       jobUploadComplete, ConcurrencyMode: "Parallel", ContentType: "CSV", APIVersion: float64(major),
		LineEnding: "LF", ColumnDelimiter: "COMMA", version: version, q: q,
		fail: s.opts.BulkFailEvery > 0 && n%s.opts.BulkFailEvery == 0}
	s.jobs[j.ID] = j
	out := *j
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// pollBulkJob answers the job's info, moving it one state on.
func (s *Server) pollBulkJob(w http.ResponseWriter, j *bulkJob) {
	s.mu.Lock()
	switch j.State {
	case jobUploadComplete:
		j.State = jobInProgress
	case jobInProgress:
		if j.fail {
			j.State = jobFailed
			j.ErrorMessage = "InternalServerError : the job failed (fault injected by orgsim)"
			s.stats.FaultsInjected[FaultBulkJobFailed]++
			break
		}
		j.rows = j.q.run()
		if len(j.q.order) == 0 {
			j.rows = chunkOrder(j.rows)
		}
		j.Processed = len(j.rows)
		j.State = jobComplete
	}
	out := *j
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) abortBulkJob(w http.ResponseWriter, r *http.Request, j *bulkJob) {
	var req struct {
		State string `json:"state"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if json.Unmarshal(body, &req) != nil || req.State != jobAborted {
		writeError(w, http.StatusBadRequest, "INVALIDJOBSTATE", "InvalidJobState : a query job can only be set to Aborted")
		return
	}
	s.mu.Lock()
	if j.State == jobComplete || j.State == jobFailed || j.State == jobAborted {
		st := j.State
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "INVALIDJOBSTATE", "InvalidJobState : the job is already "+st)
		return
	}
	j.State = jobAborted
	out := *j
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// bulkResults answers one page of a completed job's CSV. The locator is
// opaque to clients; here it is the offset of the page's first row.
func (s *Server) bulkResults(w http.ResponseWriter, r *http.Request, version string, j *bulkJob) {
	s.mu.Lock()
	state, rows := j.State, j.rows
	s.mu.Unlock()
	if version != j.version {
		writeError(w, http.StatusConflict, "INVALIDVERSION",
			"InvalidVersion : the results must be requested with the API version of the job ("+j.version+")")
		return
	}
	if state != jobComplete {
		writeError(w, http.StatusPreconditionFailed, "JOB_NOT_COMPLETE", "can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: "+state)
		return
	}
	off := 0
	if l := r.URL.Query().Get("locator"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 || n > len(rows) {
			writeError(w, http.StatusBadRequest, "INVALIDLOCATOR", "InvalidLocator : the locator is not valid for this job")
			return
		}
		off = n
	}
	max := len(rows)
	if m := r.URL.Query().Get("maxRecords"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n <= 0 {
			writeError(w, http.StatusBadRequest, "INVALIDMAXRECORDS", "maxRecords must be a positive integer")
			return
		}
		max = n
	}
	end := min(off+max, len(rows))
	b := appendCSVHeader(nil, j.q.paths)
	for _, row := range rows[off:end] {
		b = appendCSVRow(b, j.q.paths, row)
	}
	loc := "null"
	if end < len(rows) {
		loc = strconv.Itoa(end)
	}
	// The REST faults for pages apply to results pages too: a locator
	// that fails (ExpireLocatorEvery counts results requests with a
	// locator) and a body cut in half (TruncateEvery).
	s.mu.Lock()
	expire, truncate := false, false
	if off > 0 {
		s.moreSeq++
		expire = s.opts.ExpireLocatorEvery > 0 && s.moreSeq%s.opts.ExpireLocatorEvery == 0
		if expire {
			s.stats.FaultsInjected[FaultLocatorExpired]++
		}
	}
	if !expire {
		s.pageSeq++
		truncate = s.opts.TruncateEvery > 0 && s.pageSeq%s.opts.TruncateEvery == 0
		if truncate {
			s.stats.FaultsInjected[FaultTruncated]++
		}
	}
	s.mu.Unlock()
	if expire {
		writeError(w, http.StatusBadRequest, "INVALIDLOCATOR", "InvalidLocator : the locator is not valid for this job")
		return
	}
	if truncate {
		b = b[:len(b)/2]
	}
	w.Header().Set("Sforce-Locator", loc)
	w.Header().Set("Sforce-NumberOfRecords", strconv.Itoa(end-off))
	writeBody(w, http.StatusOK, "text/csv", b)
}

// bulkChunk is the rows of one simulated PK chunk.
const bulkChunk = 1000

// chunkOrder gives a query without ORDER BY the order of a PK-chunked
// job: Salesforce splits a large query job into chunks of Id ranges that
// run in parallel ("Understanding Bulk API 2.0 Query", Chunking Query
// Jobs), so nothing promises Id order. Here the chunks of bulkChunk rows
// come last first, Ids ascending within each, so a client that relied
// on Id order would fail every test of more than one chunk.
func chunkOrder(rows []int32) []int32 {
	out := make([]int32, 0, len(rows))
	for end := len(rows); end > 0; end -= bulkChunk {
		out = append(out, rows[max(0, end-bulkChunk):end]...)
	}
	return out
}

func appendCSVHeader(b []byte, paths []*path) []byte {
	for i, p := range paths {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, p.text)
	}
	return append(b, '\n')
}

// appendCSVRow appends one record: null as an empty field, booleans as
// true/false.
func appendCSVRow(b []byte, paths []*path, row int32) []byte {
	for i, p := range paths {
		if i > 0 {
			b = append(b, ',')
		}
		v := p.eval(row)
		switch v.kind {
		case vString:
			b = appendCSVField(b, v.s)
		case vBool:
			b = appendCSVField(b, strconv.FormatBool(v.b))
		case vInt:
			b = appendCSVField(b, strconv.FormatInt(v.n, 10))
		}
	}
	return append(b, '\n')
}

// appendCSVField appends s quoted, its quotes doubled.
func appendCSVField(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}
