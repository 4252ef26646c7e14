package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/load"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/sfclient"
)

// stepAgg ends a step that writes several records: done when all are,
// failed on the first that fails.
type stepAgg struct {
	r       *runner
	seq     int
	pending int
	reason  string
	newUser string
}

func (a *stepAgg) start(n int) {
	a.pending = n
	if n == 0 {
		a.r.finish(a.seq, Already, "nothing to write", a.newUser)
	}
}

func (a *stepAgg) ok(string, bool) { a.one("") }

func (a *stepAgg) fail(reason string) { a.one(reason) }

func (a *stepAgg) one(reason string) {
	if reason != "" && a.reason == "" {
		a.reason = reason
	}
	a.pending--
	if a.pending > 0 {
		return
	}
	if a.reason != "" {
		a.r.finish(a.seq, Failed, a.reason, "")
		return
	}
	a.r.finish(a.seq, Done, "", "")
}

// followUp moves record ownership to the new users and assigns the
// permission sets again.
func (r *runner) followUp(ctx context.Context) error {
	if !slices.ContainsFunc(r.order, func(seq int) bool { return r.steps[seq].Status == Pending && r.items[seq] == nil }) {
		return nil
	}
	// The conversions changed the org (removed permission sets, made
	// users): read it again.
	if err := r.refresh(ctx); err != nil {
		return err
	}
	var transfers []*StepResult
	var reassignPSL, reassign []*rec
	for _, seq := range r.order {
		sr := r.steps[seq]
		if sr.Status != Pending || r.items[seq] != nil {
			continue
		}
		step := r.p.Steps.At(seq - 1)
		if why := r.blocked(step); why != "" {
			r.finish(seq, Skipped, why, "")
			continue
		}
		switch step.Action {
		case planner.TransferRecords:
			transfers = append(transfers, sr)
		case planner.ReassignPermissionSets:
			psl, ps := r.reassignRecs(sr)
			reassignPSL, reassign = append(reassignPSL, psl...), append(reassign, ps...)
		default:
			r.finish(seq, Left, "apply does not carry out "+step.Action.String()+" steps: do it by hand", "")
		}
	}
	byObject, err := r.transferRecs(ctx, transfers)
	if err != nil {
		return err
	}
	for _, obj := range r.opts.TransferObjects {
		if err := r.send(ctx, "transfer "+obj, load.Update, byObject[obj]); err != nil {
			return err
		}
	}
	if err := r.send(ctx, "reassign permission set licenses", load.Insert, reassignPSL); err != nil {
		return err
	}
	return r.send(ctx, "reassign permission sets", load.Insert, reassign)
}

// newUserOf is the user that replaces old: the one this run (or the
// journal) created, else the contact's other active user in the org.
func (r *runner) newUserOf(old string) string {
	if id := r.newUser[old]; id != "" {
		return id
	}
	if u := r.users[old]; u != nil && u.Seen != nil {
		if nu := r.st.newUserOf(u.Seen.ContactID, old); nu != nil {
			return nu.ID
		}
	}
	return ""
}

// ownersPerQuery bounds the owner Ids in one SOQL IN list, which keeps
// the query far below SOQL's 100,000-character limit (20 characters an
// Id).
const ownersPerQuery = 200

// transferRecs are the OwnerId updates of the transfer steps, by object:
// every record of the transfer objects that an old user owns, given to
// its new user. Each object is read once per ownersPerQuery old users.
func (r *runner) transferRecs(ctx context.Context, steps []*StepResult) (map[string][]*rec, error) {
	aggs := map[string]*stepAgg{} // old user Id -> its step
	newOf := map[string]string{}
	var olds []string
	for _, sr := range steps {
		nu := r.newUserOf(sr.UserID)
		if nu == "" {
			r.finish(sr.Seq, Failed, "the new user's Id is not known (its create step did not report one)", "")
			continue
		}
		aggs[sr.UserID], newOf[sr.UserID] = &stepAgg{r: r, seq: sr.Seq}, nu
		olds = append(olds, sr.UserID)
	}
	out := map[string][]*rec{}
	count := map[string]int{}
	for _, obj := range r.opts.TransferObjects {
	chunks:
		for chunk := range slices.Chunk(olds, ownersPerQuery) {
			rows, err := r.o.Query(ctx, fmt.Sprintf("SELECT Id, OwnerId FROM %s WHERE OwnerId IN (%s) ORDER BY Id", obj, quoteIDs(chunk)),
				[]string{"Id", "OwnerId"})
			var ae *sfclient.APIError
			if errors.As(err, &ae) && (ae.Code == "INVALID_TYPE" || ae.Code == "INVALID_FIELD") {
				break chunks // the org has no such object, or it has no owner
			}
			if err != nil {
				return nil, fmt.Errorf("finding the %s records that re-created users own: %w", obj, err)
			}
			for _, row := range rows {
				id, old := row[0], row[1]
				agg, ok := aggs[old]
				if !ok {
					continue // a 15-character Id, or not asked for
				}
				nu := newOf[old]
				count[old]++
				out[obj] = append(out[obj], &rec{seq: agg.seq, object: obj,
					fields: map[string]any{"Id": id, "OwnerId": nu},
					applied: func(ctx context.Context) (string, bool, error) {
						got, err := r.o.Query(ctx, fmt.Sprintf("SELECT Id FROM %s WHERE Id = '%s' AND OwnerId = '%s'", obj, id, nu), []string{"Id"})
						return "", len(got) == 1, err
					},
					ok: agg.ok, fail: agg.fail})
			}
		}
	}
	for _, old := range olds {
		aggs[old].start(count[old])
	}
	return out, nil
}

// quoteIDs is a SOQL IN list of Ids (which are letters and digits only:
// planner and the snapshot reader check them).
func quoteIDs(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = "'" + id + "'"
	}
	return strings.Join(q, ", ")
}

// reassignRecs are the records of a reassign step: the plan's Restore,
// permission set licenses first (a permission set may need one), as the
// rows of load files 05 and 06, less what the target user has now. The
// target is the new user of a user disabled and enabled again, else the
// user itself.
func (r *runner) reassignRecs(sr *StepResult) (psl, ps []*rec) {
	u := r.users[sr.UserID]
	target := sr.UserID
	if u != nil && u.Outcome == rules.DisableReenable {
		target = r.newUserOf(sr.UserID)
		if target == "" {
			r.finish(sr.Seq, Failed, "the new user's Id is not known (its create step did not report one)", "")
			return nil, nil
		}
	}
	if u == nil || u.Restore == nil {
		r.finish(sr.Seq, Left, "the plan does not say what to assign again (no restore list): assign it by hand", "")
		return nil, nil
	}
	agg := &stepAgg{r: r, seq: sr.Seq}
	grants := func(object, field string, gs []planner.Grant, has map[string][]string) []*rec {
		var recs []*rec
		for _, g := range gs {
			id := g.ID
			held := func() bool { return slices.ContainsFunc(has[target], func(h string) bool { return sameID(h, id) }) }
			if held() {
				continue
			}
			recs = append(recs, &rec{seq: sr.Seq, object: object,
				fields:  map[string]any{"AssigneeId": target, field: id},
				applied: func(context.Context) (string, bool, error) { return "", held(), nil },
				ok:      agg.ok, fail: agg.fail})
		}
		return recs
	}
	psl = grants(load.ObjectPSL, "PermissionSetLicenseId", u.Restore.PermissionSetLicenses, r.st.permSetLicenses)
	ps = grants(load.ObjectPS, "PermissionSetId", u.Restore.PermissionSets, r.st.permSets)
	agg.start(len(psl) + len(ps))
	return psl, ps
}
