package apply

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/licenseplan/licenseplan/reports"
	"io"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/licenseplan/licenseplan/sfclient"
)

// The journal is a JSON Lines file: one Entry per line, appended and
// fsynced before the next batch is sent, so that a run killed at any point
// leaves a record of everything it sent. Its first entry is a "start" with
// the plan fingerprint; a resumed run appends a new "start" with Resume
// set.
//
// Entry types:
//
//	start     a run began: fingerprint, org, instance, time
//	send      a batch is about to be sent: op, object, the step seq and
//	          the request body of every record
//	result    its answer: per record the Id, success and errors; or
//	          Unknown with the error when no answer said what happened
//	step      a step's end state: done, already (the org had it),
//	          failed, skipped (and why), with the new user's Id
//	end       the run ended: complete, or incomplete and why
//	verify    the verification that followed (AppendVerification)
type Entry struct {
	Type string    `json:"type"`
	Time time.Time `json:"time"`
	// start
	Fingerprint string `json:"fingerprint,omitempty"`
	OrgID       string `json:"orgId,omitempty"`
	Instance    string `json:"instance,omitempty"`
	Resume      bool   `json:"resume,omitempty"`
	// send and result
	Batch   int              `json:"batch,omitempty"`
	Op      string           `json:"op,omitempty"`
	Object  string           `json:"object,omitempty"`
	Seqs    []int            `json:"seqs,omitempty"`
	Records []map[string]any `json:"records,omitempty"`
	Results []RecordOutcome  `json:"results,omitempty"`
	Unknown bool             `json:"unknown,omitempty"`
	// step
	UserID    string `json:"userId,omitempty"`
	Seq       int    `json:"seq,omitempty"`
	Status    Status `json:"status,omitempty"`
	NewUserID string `json:"newUserId,omitempty"`
	// result (Unknown), step (failed, skipped) and end
	Reason string `json:"reason,omitempty"`
	// verify: the verification apply ran at the end
	Verification *Verification `json:"verification,omitempty"`
}

// RecordOutcome is Salesforce's answer for one record of a batch.
type RecordOutcome struct {
	Seq     int                    `json:"seq"`
	ID      string                 `json:"id,omitempty"`
	Success bool                   `json:"success"`
	Errors  []sfclient.RecordError `json:"errors,omitempty"`
}

// Journal appends entries to a file.
type Journal struct {
	f    *os.File
	path string
	now  func() time.Time
}

// CreateJournal starts a new journal at path. It fails when path exists:
// a journal is never overwritten (resume it, or move it away).
func CreateJournal(path string, now func() time.Time) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, journalExists(path)
		}
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return &Journal{f: f, path: path, now: now}, nil
}

func journalExists(path string) error {
	return fmt.Errorf("%w: journal %s exists: a run of apply began already; "+
		"continue it with --resume, or move the journal away to start over", ErrJournal, path)
}

// OpenJournal reads the journal at path and opens it to append.
func OpenJournal(path string, now func() time.Time) (*Journal, []Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("%w: --resume: journal %s does not exist: run apply without --resume to start", ErrJournal, path)
		}
		return nil, nil, fmt.Errorf("journal %s: %w", path, err)
	}
	entries, err := ReadJournal(bytes.NewReader(data), path)
	if err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return &Journal{f: f, path: path, now: now}, entries, nil
}

// ReadJournal reads a journal's entries. A last line cut off (a run killed
// while writing it) is ignored; any other line that does not parse is an
// error naming the file and line.
func ReadJournal(r io.Reader, name string) ([]Entry, error) {
	var out []Entry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	var pending error
	for line := 1; sc.Scan(); line++ {
		if pending != nil {
			return nil, pending
		}
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(b, &e); err != nil || e.Type == "" {
			if err == nil {
				err = errors.New("no type")
			}
			pending = fmt.Errorf("%w: %s line %d: not a journal entry: %v", ErrJournal, name, line, err)
			continue
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrJournal, name, err)
	}
	if len(out) == 0 || out[0].Type != "start" {
		return nil, fmt.Errorf("%w: %s does not begin with a start entry", ErrJournal, name)
	}
	return out, nil
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Append writes e (its Time set now) and fsyncs the file.
func (j *Journal) Append(e Entry) error {
	e.Time = j.now().UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	b = append(b, '\n')
	if _, err := j.f.Write(b); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal %s: fsync: %w", j.path, err)
	}
	return nil
}

// Close closes the file.
func (j *Journal) Close() error { return j.f.Close() }

// AppendVerification adds v to the journal at path, as apply does after
// its run, so that `licenseplan report --journal` can show it.
func AppendVerification(path string, v *Verification, now func() time.Time) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	j := &Journal{f: f, path: path, now: now}
	err = j.Append(Entry{Type: "verify", Verification: v})
	if cerr := j.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("journal %s: %w", path, cerr)
	}
	return err
}

// ExecutionOf summarises a journal for the reports: the runs, each step's
// last status, the steps that did not complete, and the last
// verification.
func ExecutionOf(path string, entries []Entry) *reports.Execution {
	e := &reports.Execution{Journal: path, Steps: map[string]int{}}
	last := map[int]Entry{}
	for i, x := range entries {
		if i == 0 {
			e.Started = x.Time
		}
		e.Ended = x.Time
		switch x.Type {
		case "start":
			e.Runs++
		case "send":
			e.Writes += len(x.Records)
		case "result":
			if x.Unknown {
				e.Unknown++
			}
		case "step":
			last[x.Seq] = x
		case "end":
			e.Complete = x.Status == "complete"
		case "verify":
			if v := x.Verification; v != nil {
				ev := &reports.ExecutionVerify{Time: x.Time, Users: v.Users, Accounts: v.Accounts, Passed: v.Passed, Unverified: len(v.Unverified)}
				for _, m := range v.Mismatches {
					ev.Mismatches = append(ev.Mismatches, m.String())
				}
				e.Verify = ev
			}
		}
	}
	for _, seq := range slices.Sorted(maps.Keys(last)) {
		x := last[seq]
		e.Steps[string(x.Status)]++
		if x.Status == Failed || x.Status == Skipped || x.Status == NotRun {
			e.Problems = append(e.Problems, reports.ExecutionStep{Seq: seq, Status: string(x.Status), Reason: x.Reason})
		}
	}
	return e
}
