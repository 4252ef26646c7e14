package sfclient

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/licenseplan/licenseplan/org"
)

// A Bulk API 2.0 query job (Bulk API 2.0 Developer Guide: query_create_job,
// query_get_one_job, query_get_job_results; salesforce-facts.md §6):
//
//  1. POST /jobs/query creates the job with the object's SOQL, without
//     ORDER BY: ORDER BY and LIMIT turn off PK chunking, which is what
//     lets Salesforce split a job of millions of records ("Understanding
//     Bulk API 2.0 Query", SOQL Considerations).
//  2. GET /jobs/query/{id} is polled, with a growing wait, until the job
//     is JobComplete, Failed or Aborted.
//  3. GET /jobs/query/{id}/results?maxRecords=N[&locator=L] downloads
//     pages of CSV until Sforce-Locator is "null".
//
// Because the results come in no set order, each page's rows are spooled,
// re-encoded in the snapshot's own columns, beside an index of their Ids;
// after the last page the rows are written to the snapshot file ordered
// by Id, so a Bulk pull writes the very bytes a REST pull writes. The
// checks are those of a REST pull with numberRecordsProcessed in place
// of totalSize: every page holds Sforce-NumberOfRecords rows, the pages
// add up to numberRecordsProcessed, no Id comes twice.
//
// Faults: a page that does not parse, holds fewer rows than it says, or
// whose locator is refused is fetched again (call); a job that ends
// Failed, more rows than numberRecordsProcessed and a duplicate Id start
// a new job, up to bulkJobAttempts
// jobs, from an empty spool, so nothing is lost or written twice; 412
// JOB_NOT_COMPLETE goes back to polling; an Aborted job (someone aborted
// it in Setup) and 409 (results asked with another API version than the
// job's) are reported. The read-only transport refuses PATCH and DELETE,
// so jobs are neither aborted nor deleted: Salesforce deletes them after
// seven days.

// bulkJobAttempts is how many jobs an object's Bulk pull may start.
const bulkJobAttempts = 3

// bulkJob is the part of a job's info the client reads.
type bulkJob struct {
	ID           string `json:"id"`
	State        string `json:"state"`
	Processed    *int   `json:"numberRecordsProcessed"`
	ErrorMessage string `json:"errorMessage"`
	APIVersion   any    `json:"apiVersion"`
}

// errRestartJob marks a fault that a new job may mend.
type errRestartJob struct{ err error }

func (e *errRestartJob) Error() string { return e.err.Error() }
func (e *errRestartJob) Unwrap() error { return e.err }

// errNoBulk: Salesforce does not serve this object through Bulk API 2.0
// (INVALIDENTITY at create); the object is pulled with REST instead.
var errNoBulk = errors.New("not supported by Bulk API 2.0")

// bulk pulls st's object with Bulk API 2.0 query jobs into st's staged file.
func (p *puller) bulk(ctx context.Context, st *objectState) error {
	var last error
	for attempt := 1; attempt <= bulkJobAttempts; attempt++ {
		err := p.bulkJob(ctx, st)
		var rj *errRestartJob
		if !errors.As(err, &rj) {
			return err
		}
		last = rj.err
		p.noteFor(st.q.Object, fmt.Sprintf("%s: Bulk API job %d of %d did not finish (%v); started another.",
			st.q.Object, attempt, bulkJobAttempts, rj.err))
	}
	return fmt.Errorf("%w: query %s with Bulk API 2.0: %d jobs in a row failed, the last with: %v; "+
		"run again later, or pull with --api rest", ErrBadResponse, st.q.Object, bulkJobAttempts, last)
}

// bulkJob runs one job: create, poll, download into a spool, then write
// the rows to the staged file in Id order.
func (p *puller) bulkJob(ctx context.Context, st *objectState) error {
	c := p.c
	base := "services/data/v" + c.opts.APIVersion + "/jobs/query"
	q := st.q
	q.Fields, q.OrderBy = st.cols, ""
	soql := strings.TrimSuffix(q.SOQL(), " ORDER BY Id")
	body, _ := json.Marshal(map[string]string{"operation": "query", "query": soql})
	var job bulkJob
	err := c.call(ctx, "create a Bulk API query job for "+q.Object, func() error {
		_, data, err := c.api(ctx, http.MethodPost, base, body)
		if err != nil {
			return err
		}
		return decodeJob(data, &job)
	})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Code == "INVALIDENTITY" {
			return errNoBulk
		}
		return err
	}

	processed, err := p.pollJob(ctx, st, base, &job)
	if err != nil {
		return err
	}
	sp, err := p.download(ctx, st, base+"/"+job.ID+"/results", processed)
	if err != nil {
		return err
	}
	defer sp.close()
	return sp.writeSorted(st)
}

func decodeJob(data []byte, job *bulkJob) error {
	if err := json.Unmarshal(data, job); err != nil {
		return &badPage{fmt.Errorf("job info: %w", err)}
	}
	if !org.ValidID(job.ID) {
		return &badPage{fmt.Errorf("job info: id %s is not a Salesforce Id", shortValue(job.ID))}
	}
	return nil
}

// pollJob polls the job until it completes and returns its
// numberRecordsProcessed. Progress begins then, with that total.
func (p *puller) pollJob(ctx context.Context, st *objectState, base string, job *bulkJob) (int, error) {
	c := p.c
	wait := c.opts.BulkPoll.Initial
	deadline := time.Now().Add(c.opts.BulkPoll.Timeout)
	for polls := 0; ; polls++ {
		switch job.State {
		case "JobComplete":
			if job.Processed == nil || *job.Processed < 0 {
				return 0, fmt.Errorf("%w: the Bulk API job %s for %s completed without a numberRecordsProcessed; run again",
					ErrBadResponse, job.ID, st.q.Object)
			}
			return *job.Processed, nil
		case "Failed":
			return 0, &errRestartJob{fmt.Errorf("job %s failed: %s", job.ID, cleanText(job.ErrorMessage, maxMessage))}
		case "Aborted":
			return 0, fmt.Errorf("%w: the Bulk API job %s for %s was aborted (in Setup, Bulk Data Load Jobs, or by another "+
				"client) before it finished; run again", ErrBadResponse, job.ID, st.q.Object)
		case "UploadComplete", "InProgress":
		default:
			return 0, fmt.Errorf("%w: the Bulk API job %s for %s is in state %s, which a query job does not have; run again",
				ErrBadResponse, job.ID, st.q.Object, shortValue(job.State))
		}
		if polls > 0 && time.Now().After(deadline) {
			return 0, fmt.Errorf("%w: the Bulk API job %s for %s was still %s after %s (bulk-timeout); "+
				"Salesforce may be busy: run again later, raise bulk-timeout, or pull with --api rest",
				ErrBadResponse, job.ID, st.q.Object, job.State, c.opts.BulkPoll.Timeout)
		}
		if err := c.opts.Retry.Sleep(ctx, wait); err != nil {
			return 0, err
		}
		wait = min(2*wait, c.opts.BulkPoll.Max)
		id := job.ID
		err := c.call(ctx, "poll the Bulk API job for "+st.q.Object, func() error {
			_, data, err := c.api(ctx, http.MethodGet, base+"/"+id, nil)
			if err != nil {
				return err
			}
			return decodeJob(data, job)
		})
		if err != nil {
			return 0, err
		}
		if job.ID != id {
			return 0, fmt.Errorf("%w: polling Bulk API job %s answered job %s; run again", ErrBadResponse, id, job.ID)
		}
	}
}

// spool holds a job's rows, CSV-encoded in the snapshot's columns, in the
// order they came, with the Id and place of each.
type spool struct {
	f      *os.File
	size   int64
	index  []spoolRow
	sorted bool // every Id came after the one before
}

type spoolRow struct {
	id  string
	off int64
	n   int32
}

func (sp *spool) close() {
	if sp.f != nil {
		sp.f.Close()
		os.Remove(sp.f.Name())
	}
}

// download fetches every results page into a new spool and checks that
// they hold processed rows.
func (p *puller) download(ctx context.Context, st *objectState, results string, processed int) (*spool, error) {
	c := p.c
	f, err := os.CreateTemp(p.dir, "bulk-*.spool")
	if err != nil {
		return nil, fmt.Errorf("staging %s: %w", st.q.File, err)
	}
	sp := &spool{f: f, sorted: true, index: make([]spoolRow, 0, processed)}
	st.sink.restart(processed) // a job before this one may have advanced it
	locator := ""
	for pages := 0; ; pages++ {
		v := url.Values{"maxRecords": {strconv.Itoa(c.opts.BulkPageSize)}}
		if locator != "" {
			v.Set("locator", locator)
		}
		var next string
		var enc []byte
		var ids []string
		err := c.call(ctx, "download the Bulk API results of "+st.q.Object, func() error {
			hdr, data, err := c.api(ctx, http.MethodGet, results+"?"+v.Encode(), nil)
			var ae *APIError
			if errors.As(err, &ae) && strings.Contains(strings.ToUpper(ae.Code), "LOCATOR") {
				// A job's results stay for seven days, so a locator
				// refused is fetched again like a page that did not
				// parse.
				return &badPage{fmt.Errorf("%s Bulk results page %d: %w", st.q.Object, pages+1, err)}
			}
			if err != nil {
				return err
			}
			next = hdr.Get("Sforce-Locator")
			enc, ids, err = reencode(data, st, hdr.Get("Sforce-NumberOfRecords"))
			if err == nil && next == "" {
				err = errors.New("the answer has no Sforce-Locator header")
			}
			if err != nil {
				return &badPage{fmt.Errorf("%s Bulk results page %d: %w", st.q.Object, pages+1, err)}
			}
			return nil
		})
		if err != nil {
			sp.close()
			return nil, bulkDownloadError(err)
		}
		if err := sp.add(enc, ids); err != nil {
			sp.close()
			return nil, fmt.Errorf("staging %s: %w", st.q.File, err)
		}
		st.sink.advance(len(ids))
		if len(sp.index) > processed {
			sp.close()
			return nil, &errRestartJob{fmt.Errorf("received %d records but numberRecordsProcessed is %d", len(sp.index), processed)}
		}
		if next == "null" {
			break
		}
		if len(ids) == 0 && pages > 0 {
			sp.close()
			return nil, &errRestartJob{errors.New("an empty results page before the last")}
		}
		locator = next
	}
	if len(sp.index) != processed {
		sp.close()
		return nil, &errRestartJob{fmt.Errorf("received %d records but numberRecordsProcessed is %d", len(sp.index), processed)}
	}
	return sp, nil
}

// bulkDownloadError sorts a failed results request: 412 (the job is not
// complete after all) starts a new job, and 409 gets a hint.
func bulkDownloadError(err error) error {
	var ae *APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch {
	case ae.Status == http.StatusPreconditionFailed:
		return &errRestartJob{err}
	case ae.Status == http.StatusConflict:
		return fmt.Errorf("%w; the results of a Bulk API job must be requested with the API version that created it "+
			"(report this: licenseplan uses one version for both)", err)
	}
	return err
}

func (sp *spool) add(enc []byte, ids []string) error {
	if _, err := sp.f.Write(enc); err != nil {
		return err
	}
	off := sp.size
	lines := enc
	for _, id := range ids {
		n := lineLen(lines)
		if sp.sorted && len(sp.index) > 0 && id <= sp.index[len(sp.index)-1].id {
			sp.sorted = false
		}
		sp.index = append(sp.index, spoolRow{id: id, off: off, n: int32(n)})
		off += int64(n)
		lines = lines[n:]
	}
	sp.size = off
	return nil
}

// lineLen is the length of the first CSV record in b, its newline
// included; a quoted field may hold newlines.
func lineLen(b []byte) int {
	quoted := false
	for i, ch := range b {
		switch {
		case ch == '"':
			quoted = !quoted
		case ch == '\n' && !quoted:
			return i + 1
		}
	}
	return len(b)
}

// writeSorted writes the spooled rows to the staged file ordered by Id,
// failing (to start a new job) on an Id that came twice.
func (sp *spool) writeSorted(st *objectState) error {
	if !sp.sorted {
		slices.SortFunc(sp.index, func(a, b spoolRow) int { return cmp.Compare(a.id, b.id) })
	}
	for i := 1; i < len(sp.index); i++ {
		if sp.index[i].id == sp.index[i-1].id {
			return &errRestartJob{fmt.Errorf("record Id %s came twice", sp.index[i].id)}
		}
	}
	if err := st.sink.flushCSV(); err != nil {
		return err
	}
	out := st.sink.out
	if sp.sorted {
		if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("staging %s: %w", st.q.File, err)
		}
		if _, err := io.Copy(out, bufio.NewReaderSize(sp.f, 256<<10)); err != nil {
			return fmt.Errorf("staging %s: %w", st.q.File, err)
		}
	} else {
		// Rows that follow each other in Id order and in the spool (a
		// chunk of the job's results) are read with one ReadAt.
		var buf []byte
		for i := 0; i < len(sp.index); {
			start, end := sp.index[i].off, sp.index[i].off+int64(sp.index[i].n)
			j := i + 1
			for j < len(sp.index) && sp.index[j].off == end && end-start < 4<<20 {
				end += int64(sp.index[j].n)
				j++
			}
			buf = slices.Grow(buf[:0], int(end-start))[:end-start]
			if _, err := sp.f.ReadAt(buf, start); err != nil {
				return fmt.Errorf("staging %s: %w", st.q.File, err)
			}
			if _, err := out.Write(buf); err != nil {
				return fmt.Errorf("staging %s: %w", st.q.File, err)
			}
			i = j
		}
	}
	st.sink.received = len(sp.index)
	if n := len(sp.index); n > 0 {
		st.sink.lastID = sp.index[n-1].id
	}
	return nil
}

// reencode reads one results page (CSV whose header is the SOQL field
// paths, in any case and order) and returns its rows encoded in st's
// columns, with their Ids. It fails when a column is missing, a row does
// not fit, an Id is not one, or the rows are not the count in
// numberOfRecords (a page cut off in transit).
func reencode(data []byte, st *objectState, numberOfRecords string) ([]byte, []string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, nil, errors.New("the page is empty, without a header")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	from := make([]int, len(st.cols))
	for i, col := range st.cols {
		from[i] = slices.IndexFunc(header, func(h string) bool { return strings.EqualFold(h, col) })
		if from[i] < 0 {
			return nil, nil, fmt.Errorf("the header lacks the column %s", col)
		}
	}
	idCol := from[st.sink.idCol]
	var out bytes.Buffer
	out.Grow(len(data))
	w := csv.NewWriter(&out)
	row := make([]string, len(st.cols))
	var ids []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		line, _ := r.FieldPos(0)
		if !org.ValidID(rec[idCol]) {
			return nil, nil, fmt.Errorf("line %d: Id %s is not a Salesforce Id", line, shortValue(rec[idCol]))
		}
		for i, j := range from {
			row[i] = rec[j]
		}
		if err := w.Write(row); err != nil {
			return nil, nil, err
		}
		ids = append(ids, strings.Clone(rec[idCol]))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, nil, err
	}
	if n, err := strconv.Atoi(numberOfRecords); err != nil || n != len(ids) {
		return nil, nil, fmt.Errorf("%d rows, but Sforce-NumberOfRecords says %s", len(ids), shortValue(numberOfRecords))
	}
	return out.Bytes(), ids, nil
}
