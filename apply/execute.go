package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/licenseplan/licenseplan/load"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/sfclient"
)

// errStop stops the run after the current batch (LICENSE_LIMIT_EXCEEDED,
// an outcome that stays unknown); r.stopped says why.
var errStop = errors.New("stopped")

// maxUnknown is how many times a batch whose outcome stayed unknown is
// reconciled and sent again before the run stops.
const maxUnknown = 3

// rec is one record to write, for one step.
type rec struct {
	seq    int
	object string
	fields map[string]any
	// applied reports, after the org was read again (r.st), whether the
	// write is in the org already (and the new record's Id for an
	// insert).
	applied func(ctx context.Context) (id string, ok bool, err error)
	// ok and fail end the record.
	ok   func(id string, already bool)
	fail func(reason string)
}

// execute writes the load files in order, then the follow-up steps.
func (r *runner) execute(ctx context.Context) error {
	for _, f := range r.set.Files {
		if len(f.Rows) == 0 || f.Grants {
			continue
		}
		if err := r.runFile(ctx, f); err != nil {
			return r.halt(err)
		}
	}
	if err := r.followUp(ctx); err != nil {
		return r.halt(err)
	}
	return nil
}

// halt marks every step still pending as not run.
func (r *runner) halt(err error) error {
	reason := r.stopped
	if reason == "" {
		reason = "the run stopped: " + err.Error()
		r.stopped = reason
	}
	for _, seq := range r.order {
		if r.steps[seq].Status == Pending {
			r.steps[seq].Status, r.steps[seq].Reason = NotRun, reason
		}
	}
	if errors.Is(err, errStop) {
		return nil // the report says why; Run turns it into ErrIncomplete
	}
	return err
}

// runFile writes one load file's pending rows.
func (r *runner) runFile(ctx context.Context, f *load.File) error {
	var recs []*rec
	for _, seq := range f.Seqs {
		it := r.items[seq]
		if it == nil || r.steps[seq].Status != Pending {
			continue
		}
		if why := r.blocked(it.step); why != "" {
			r.finish(seq, Skipped, why, "")
			continue
		}
		if id, ok := r.inOrg(it); ok {
			r.finish(seq, Already, "", id)
			continue
		}
		recs = append(recs, r.itemRec(it))
	}
	return r.send(ctx, f.Name, f.Operation, recs)
}

// itemRec is the record of a load-file row.
func (r *runner) itemRec(it *item) *rec {
	seq := it.step.Seq
	return &rec{seq: seq, object: it.file.Object, fields: it.fields,
		applied: func(context.Context) (string, bool, error) {
			id, ok := r.inOrg(it)
			return id, ok, nil
		},
		ok: func(id string, already bool) {
			s := Done
			if already {
				s = Already
			}
			if it.step.Action != planner.CreateUser {
				id = ""
			}
			r.finish(seq, s, "", id)
		},
		fail: func(reason string) { r.finish(seq, Failed, reason, "") },
	}
}

// inOrg reports whether the org already has what item writes; for a
// create, the Id of the user that has it.
func (r *runner) inOrg(it *item) (string, bool) {
	st := r.st
	switch it.step.Action {
	case planner.EnablePartnerAccount:
		return "", st.accountIsPartner(it.step.AccountID).IsTrue()
	case planner.AssignOwnerRole:
		u := st.users[it.step.OwnerID]
		want, _ := it.fields["UserRoleId"].(string)
		return "", u != nil && sameID(u.RoleID, want)
	case planner.ChangeLicense, planner.ChangeProfile:
		u := st.users[it.step.UserID]
		want, _ := it.fields["ProfileId"].(string)
		return "", u != nil && sameID(u.ProfileID, want)
	case planner.DisableUser:
		u := st.users[it.step.UserID]
		return "", u != nil && disabled(u)
	case planner.CreateUser:
		contact, _ := it.fields["ContactId"].(string)
		want, _ := it.fields["ProfileId"].(string)
		if nu := st.newUserOf(contact, it.step.UserID); nu != nil && sameID(nu.ProfileID, want) {
			return nu.ID, true
		}
	}
	return "", false
}

// refresh reads the org again.
func (r *runner) refresh(ctx context.Context) error {
	snap, err := r.read(ctx)
	if err != nil {
		return fmt.Errorf("reading the org again to learn what a write did: %w", err)
	}
	r.st = newState(snap)
	return nil
}

// send writes recs in batches of sfclient.MaxCollection, journalling
// each batch before it is sent and its answer before the next. Records
// that failed with a lock error are sent again with backoff; a batch
// whose outcome is unknown is reconciled with a fresh read of the org and
// only what is not in the org is sent again.
func (r *runner) send(ctx context.Context, name string, op load.Operation, recs []*rec) error {
	if len(recs) == 0 {
		return nil
	}
	prog := r.opts.Progress
	if prog != nil {
		prog.Begin(name, len(recs))
	}
	var err error
	for chunk := range slices.Chunk(recs, sfclient.MaxCollection) {
		if err = r.sendBatch(ctx, op, chunk); err != nil {
			break
		}
		if prog != nil {
			prog.Advance(name, len(chunk))
		}
	}
	if prog != nil {
		prog.End(name, err)
	}
	return err
}

func (r *runner) sendBatch(ctx context.Context, op load.Operation, batch []*rec) error {
	locks, unknown := 0, 0
	for len(batch) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		if r.jerr != nil {
			return r.jerr // nothing more is written without a journal
		}
		r.batch++
		e := Entry{Type: "send", Batch: r.batch, Op: string(op), Object: batch[0].object}
		out := make([]sfclient.Record, len(batch))
		for i, x := range batch {
			e.Seqs = append(e.Seqs, x.seq)
			e.Records = append(e.Records, x.fields)
			out[i] = sfclient.Record{Object: x.object, Fields: x.fields}
		}
		if err := r.j.Append(e); err != nil {
			return err
		}
		r.writes += len(batch)
		var res []sfclient.RecordResult
		var err error
		if op == load.Insert {
			res, err = r.o.Insert(ctx, out)
		} else {
			res, err = r.o.Update(ctx, out)
		}
		if errors.Is(err, sfclient.ErrOutcomeUnknown) {
			if jerr := r.j.Append(Entry{Type: "result", Batch: r.batch, Unknown: true, Reason: err.Error()}); jerr != nil {
				return jerr
			}
			unknown++
			rest, rerr := r.reconcile(ctx, batch)
			if rerr != nil {
				return rerr
			}
			if unknown >= maxUnknown && len(rest) > 0 {
				for _, x := range rest {
					x.fail("the outcome of its write stayed unknown after " + fmt.Sprint(maxUnknown) + " tries: " + err.Error())
				}
				r.stopped = "writes kept getting no answer (" + err.Error() + "); run apply --resume when the org answers again"
				return errStop
			}
			batch = rest
			continue
		}
		if err != nil {
			_ = r.j.Append(Entry{Type: "result", Batch: r.batch, Reason: err.Error()})
			return err
		}
		je := Entry{Type: "result", Batch: r.batch}
		for i, x := range batch {
			je.Results = append(je.Results, RecordOutcome{Seq: x.seq, ID: res[i].ID, Success: res[i].Success, Errors: res[i].Errors})
		}
		if err := r.j.Append(je); err != nil {
			return err
		}
		var retry []*rec
		limit := ""
		for i, x := range batch {
			rr := res[i]
			switch {
			case rr.Success:
				x.ok(rr.ID, false)
			case duplicateAssignment(rr):
				x.ok("", true)
			case lockError(rr) && locks < r.opts.LockRetries:
				retry = append(retry, x)
			case hasCode(rr, "LICENSE_LIMIT_EXCEEDED"):
				x.fail(errorsText(rr))
				limit = errorsText(rr)
			default:
				x.fail(errorsText(rr))
			}
		}
		if limit != "" {
			for _, x := range retry {
				x.fail("not sent again: the license is full (" + limit + ")")
			}
			r.stopped = "a license is full (" + limit + "): the phase stopped; buy seats or free them, then run apply --resume"
			return errStop
		}
		batch = retry
		if len(retry) > 0 {
			locks++
			if err := r.opts.Sleep(ctx, lockBackoff(locks)); err != nil {
				return err
			}
		}
	}
	return nil
}

// reconcile reads the org after a write with an unknown outcome: records
// whose write is in the org end as done; the others are returned, to be
// sent again.
func (r *runner) reconcile(ctx context.Context, batch []*rec) ([]*rec, error) {
	if err := r.refresh(ctx); err != nil {
		return nil, err
	}
	var rest []*rec
	for _, x := range batch {
		id, ok, err := x.applied(ctx)
		if err != nil {
			return nil, err
		}
		if ok {
			x.ok(id, false)
			continue
		}
		rest = append(rest, x)
	}
	return rest, nil
}

// lockBackoff is the wait before the nth resend of records that hit a
// lock: 1s, 2s, 4s, ... up to 30s (Salesforce: "retry later", KB
// 004576984).
func lockBackoff(n int) time.Duration {
	return min(time.Second<<(n-1), 30*time.Second)
}

// lockError: UNABLE_TO_LOCK_ROW, or the group-membership locks of
// role-based users ("could not acquire lock", "Group membership operation
// already in progress": salesforce-facts.md section 5).
func lockError(rr sfclient.RecordResult) bool {
	for _, e := range rr.Errors {
		m := strings.ToLower(e.Message)
		if e.StatusCode == "UNABLE_TO_LOCK_ROW" || strings.Contains(m, "could not acquire lock") ||
			strings.Contains(m, "group membership operation already in progress") {
			return true
		}
	}
	return false
}

func hasCode(rr sfclient.RecordResult, code string) bool {
	return slices.ContainsFunc(rr.Errors, func(e sfclient.RecordError) bool { return e.StatusCode == code })
}

// duplicateAssignment: a permission set assigned already.
func duplicateAssignment(rr sfclient.RecordResult) bool { return hasCode(rr, "DUPLICATE_VALUE") }

func errorsText(rr sfclient.RecordResult) string {
	var parts []string
	for _, e := range rr.Errors {
		s := e.String()
		if len(e.Fields) > 0 {
			s += " [" + strings.Join(e.Fields, ", ") + "]"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "Salesforce refused the record without saying why"
	}
	return strings.Join(parts, "; ")
}
