package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/licenseplan/licenseplan/load"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/sfclient"
)

// Errors, for errors.Is. Each error Run returns says what to do.
var (
	// ErrProduction: the org is production (or does not say it is a
	// sandbox) and AllowProduction is not set.
	ErrProduction = errors.New("refused to write to a production org")
	// ErrOrgMismatch: the org is not the org the plan was made for.
	ErrOrgMismatch = errors.New("the org is not the plan's org")
	// ErrDrift: the org has moved on since the plan was made.
	ErrDrift = errors.New("the org has drifted from the plan")
	// ErrDeclined: the confirmation was not given.
	ErrDeclined = errors.New("apply was not confirmed")
	// ErrJournal: the journal is missing, exists already, belongs to
	// another plan, or does not parse.
	ErrJournal = errors.New("journal problem")
	// ErrOptions: an option is invalid; nothing was read or written.
	ErrOptions = errors.New("invalid apply options")
	// ErrIncomplete: apply ran, but some steps failed or did not run.
	ErrIncomplete = errors.New("some steps did not complete")
)

var objectName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,79}$`)

// Org is the org apply changes: reads go through the read-only client
// (sfclient.Client), writes through sfclient.Writer.
type Org interface {
	// Read pulls the org's snapshot.
	Read(ctx context.Context) (*org.Snapshot, error)
	// Query runs a small SOQL read; the rows hold fields' values.
	Query(ctx context.Context, soql string, fields []string) ([][]string, error)
	// Insert and Update write at most sfclient.MaxCollection records,
	// with allOrNone=false.
	Insert(ctx context.Context, recs []sfclient.Record) ([]sfclient.RecordResult, error)
	Update(ctx context.Context, recs []sfclient.Record) ([]sfclient.RecordResult, error)
}

// Progress receives progress per load file and follow-up step kind; the
// same interface as a pull's (sfclient.Progress).
type Progress = sfclient.Progress

// DefaultTransferObjects are the objects whose records move from an old
// user to the new one, where the org has them.
var DefaultTransferObjects = []string{"Account", "Contact", "Case", "Opportunity", "Lead"}

// Options configure Run. Journal is required.
type Options struct {
	// Journal is the journal file (see Entry).
	Journal string
	// Resume continues the run the journal records.
	Resume bool
	// SkipDrifted carries on without the drifted users and accounts
	// instead of stopping.
	SkipDrifted bool
	// AllowProduction lets apply write to an org that is not known to be
	// a sandbox. Confirm is still asked (and should make the user type
	// the org's name back).
	AllowProduction bool
	// Confirm is asked once the preview is known, before the first write;
	// false stops Run with ErrDeclined. Nil confirms.
	Confirm func(ctx context.Context, p *Preview) (bool, error)
	// Progress, if set, gets each load file's records.
	Progress Progress
	// TransferObjects are the objects whose ownership moves to a new
	// user (default DefaultTransferObjects).
	TransferObjects []string
	// LockRetries is how often a record that failed with a lock error is
	// sent again (default 5); Sleep waits between (default: a timer).
	LockRetries int
	Sleep       func(ctx context.Context, d time.Duration) error
	// Now is the clock of the journal (default time.Now).
	Now func() time.Time
}

// Status is a step's end state in a run.
type Status string

const (
	Pending Status = "pending"
	Done    Status = "done"    // written by this run (or an earlier one of the journal)
	Already Status = "already" // the org had it already: nothing written
	Failed  Status = "failed"  // Salesforce refused it
	Skipped Status = "skipped" // a step it depends on did not complete
	Left    Status = "left"    // apply does not carry it out: a person does
	Drifted Status = "drifted" // its user or account drifted (--skip-drifted)
	NotRun  Status = "not_run" // the run stopped before it
)

func (s Status) complete() bool { return s == Done || s == Already }

// PhaseCount is what one load file (or follow-up kind) will write.
type PhaseCount struct {
	Phase   string `json:"phase"`
	Name    string `json:"name"`
	Object  string `json:"object"`
	Op      string `json:"op"`
	Records int    `json:"records"`
}

// Preview is what apply will do, shown before the first write.
type Preview struct {
	OrgID       string          `json:"orgId"`
	OrgName     string          `json:"orgName"`
	Environment org.Environment `json:"environment"`
	Fingerprint string          `json:"fingerprint"`
	Journal     string          `json:"journal"`
	Resume      bool            `json:"resume"`
	Counts      []PhaseCount    `json:"counts"`
	// Drift lists what drifted (carried on without it: SkipDrifted).
	Drift []Drift `json:"drift"`
	// Left counts the steps no one writes, by reason.
	Left map[string]int `json:"left"`
	// Notes are for the person: seats short, steps done already.
	Notes []string `json:"notes"`
}

// StepResult is one step's end state.
type StepResult struct {
	Seq       int            `json:"seq"`
	Phase     planner.Phase  `json:"phase"`
	Action    planner.Action `json:"action"`
	UserID    string         `json:"userId,omitempty"`
	Username  string         `json:"username,omitempty"`
	AccountID string         `json:"accountId,omitempty"`
	Status    Status         `json:"status"`
	Reason    string         `json:"reason,omitempty"`
	NewUserID string         `json:"newUserId,omitempty"`
}

// Report is what a run did.
type Report struct {
	Preview Preview        `json:"preview"`
	Steps   []StepResult   `json:"steps"`
	Counts  map[Status]int `json:"counts"`
	// Writes counts the records sent, retries included.
	Writes int `json:"writes"`
	// Stopped says why the run stopped early, "" when it ran to the end.
	Stopped string `json:"stopped,omitempty"`
}

// Complete reports whether every step apply carries out is done.
func (r *Report) Complete() bool {
	return r.Stopped == "" && r.Counts[Failed]+r.Counts[Skipped]+r.Counts[NotRun]+r.Counts[Pending] == 0
}

// Run carries out plan p on o: it reads the org, refuses production (unless
// allowed) and another org than the plan's, checks for drift, asks
// Confirm, then writes the load files' rows in order and the follow-up
// steps, journalling every batch. The returned Report is non-nil whenever
// the org was read.
func Run(ctx context.Context, p *planner.Plan, o Org, opts Options) (*Report, error) {
	if opts.Journal == "" {
		return nil, fmt.Errorf("%w: no journal file", ErrOptions)
	}
	opts = opts.withDefaults()
	for _, obj := range opts.TransferObjects {
		// The names go into SOQL: only sObject API names.
		if !objectName.MatchString(obj) {
			return nil, fmt.Errorf("%w: transfer object %q is not an sObject API name (letters, digits and underscores, such as Case or Invoice__c)", ErrOptions, obj)
		}
	}
	r := &runner{p: p, o: o, opts: opts, set: load.Build(p),
		steps: map[int]*StepResult{}, items: map[int]*item{}, newUser: map[string]string{}}
	return r.run(ctx)
}

func (o Options) withDefaults() Options {
	if o.TransferObjects == nil {
		o.TransferObjects = DefaultTransferObjects
	}
	if o.LockRetries == 0 {
		o.LockRetries = 5
	}
	if o.Sleep == nil {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// item is one step apply writes through a load file's row.
type item struct {
	step   planner.Step
	user   *planner.UserPlan // nil for an account step
	file   *load.File
	fields map[string]any
}

type runner struct {
	p    *planner.Plan
	o    Org
	opts Options
	set  *load.Set
	st   *state
	j    *Journal

	order   []int // step seqs in plan order
	steps   map[int]*StepResult
	items   map[int]*item
	users   map[string]*planner.UserPlan
	newUser map[string]string // old user Id -> new user Id
	batch   int
	writes  int
	jerr    error // the first failed journal append of a step's end
	stopped string
}

// read reads what the plan touches: its scope when the org can read one
// (ScopedReader), else the whole org.
func (r *runner) read(ctx context.Context) (*org.Snapshot, error) {
	if sr, ok := r.o.(ScopedReader); ok {
		return sr.ReadScope(ctx, ScopeOf(r.p))
	}
	return r.o.Read(ctx)
}

func (r *runner) run(ctx context.Context) (*Report, error) {
	snap, err := r.read(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the org before applying: %w", err)
	}
	r.st = newState(snap)
	pre, err := r.preflight()
	if err != nil {
		return r.report(pre), err
	}

	var history []Entry
	if r.opts.Resume {
		j, entries, err := OpenJournal(r.opts.Journal, r.opts.Now)
		if err != nil {
			return r.report(pre), err
		}
		r.j, history = j, entries
		defer j.Close()
		if err := r.replay(history); err != nil {
			return r.report(pre), err
		}
	} else if err := refuseExisting(r.opts.Journal); err != nil {
		return r.report(pre), err
	}

	r.index()
	drift := checkDrift(r.p, r.st, !r.opts.Resume)
	pre.Drift = drift
	if len(drift) > 0 && !r.opts.SkipDrifted {
		return r.report(pre), fmt.Errorf("%w: %d differences between the plan and the org (listed above); "+
			"plan again to get a current plan, or give --skip-drifted to carry on without the drifted users and accounts",
			ErrDrift, len(drift))
	}
	r.markDrift(drift)
	r.count(pre)
	if r.opts.Confirm != nil {
		ok, err := r.opts.Confirm(ctx, pre)
		if err != nil {
			return r.report(pre), err
		}
		if !ok {
			return r.report(pre), fmt.Errorf("%w: nothing was written", ErrDeclined)
		}
	}

	if r.j == nil {
		if r.j, err = CreateJournal(r.opts.Journal, r.opts.Now); err != nil {
			return r.report(pre), err
		}
		defer r.j.Close()
	}
	if err := r.j.Append(Entry{Type: "start", Fingerprint: r.p.Fingerprint, OrgID: pre.OrgID, Resume: r.opts.Resume}); err != nil {
		return r.report(pre), err
	}
	err = r.execute(ctx)
	endReason := r.stopped
	if err != nil && endReason == "" {
		endReason = err.Error()
	}
	rep := r.report(pre)
	status := "complete"
	if !rep.Complete() {
		status = "incomplete"
	}
	if jerr := r.j.Append(Entry{Type: "end", Status: Status(status), Reason: endReason}); err == nil {
		err = jerr
	}
	if err == nil && !rep.Complete() {
		err = fmt.Errorf("%w: %s; fix what the steps above say, then run apply --resume", ErrIncomplete, countsText(rep.Counts))
	}
	return rep, err
}

// preflight checks that the org is the plan's and may be written to.
func (r *runner) preflight() (*Preview, error) {
	pre := &Preview{Fingerprint: r.p.Fingerprint, Journal: r.opts.Journal, Resume: r.opts.Resume, Left: map[string]int{}}
	o := r.st.snap.Organization
	if o != nil {
		pre.OrgID, pre.OrgName, pre.Environment = o.ID, o.Name, o.Environment()
	}
	if r.p.Fingerprint == "" {
		return pre, fmt.Errorf("%w: the plan has no fingerprint: write it with licenseplan plan --format json or --out", ErrJournal)
	}
	if want := r.p.Source.Org; want != nil && want.ID != "" && !sameID(want.ID, pre.OrgID) {
		return pre, fmt.Errorf("%w: the plan was made for org %s (%s), but this is org %s (%s): log in to the plan's org, or plan this one",
			ErrOrgMismatch, want.ID, want.Name, orDash(pre.OrgID), orDash(pre.OrgName))
	}
	if pre.Environment != org.EnvSandbox && !r.opts.AllowProduction {
		what := "a production org"
		if pre.Environment != org.EnvProduction {
			what = "an org that does not say it is a sandbox (Organization.IsSandbox)"
		}
		return pre, fmt.Errorf("%w: %s is %s; rehearse on a sandbox, or give --allow-production and type the org's name back when asked",
			ErrProduction, orDash(pre.OrgName), what)
	}
	return pre, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// refuseExisting fails, before the confirmation, when a journal is at
// path: a new run never overwrites one (CreateJournal, after the
// confirmation, refuses it too).
func refuseExisting(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return journalExists(path)
	}
	return nil
}

// replay takes a journal's history: the fingerprint must be the plan's;
// the new users and completed steps carry over.
func (r *runner) replay(history []Entry) error {
	if fp := history[0].Fingerprint; fp != r.p.Fingerprint {
		return fmt.Errorf("%w: journal %s belongs to plan %s, not to this plan (%s): resume with that plan, or move the journal away",
			ErrJournal, r.opts.Journal, fp, r.p.Fingerprint)
	}
	for _, e := range history {
		switch e.Type {
		case "step":
			if e.NewUserID != "" && e.UserID != "" {
				r.newUser[e.UserID] = e.NewUserID
			}
		}
	}
	return nil
}

// index makes a StepResult per step and an item per load-file row.
func (r *runner) index() {
	r.users = map[string]*planner.UserPlan{}
	for _, u := range r.p.Users.All() {
		u := u
		if u.Outcome.IsChange() {
			r.users[u.UserID] = &u
		}
	}
	for _, row := range r.p.StepRows() {
		s := row.Step
		sr := &StepResult{Seq: s.Seq, Phase: s.Phase, Action: s.Action, UserID: s.UserID, AccountID: row.AccountID, Status: Pending}
		if row.User != nil {
			sr.Username = row.User.Username
		}
		r.order = append(r.order, s.Seq)
		r.steps[s.Seq] = sr
	}
	for _, f := range r.set.Files {
		if f.Grants {
			continue // follow-up: reassignRecs makes the same rows
		}
		for i, seq := range f.Seqs {
			sr := r.steps[seq]
			if sr == nil {
				continue
			}
			it := &item{step: r.p.Steps.At(seq - 1), file: f, fields: fieldsOf(f, f.Rows[i])}
			if it.step.UserID != "" {
				it.user = r.users[it.step.UserID]
			}
			r.items[seq] = it
		}
	}
	for _, l := range r.set.Left {
		if l.Reason == load.NeedsNewUserID {
			continue // follow-up: apply carries it out
		}
		r.finish(l.Seq, Left, l.Reason.String(), "")
	}
}

// fieldsOf turns a load-file row into a record's fields: booleans for
// the checkbox fields, empty cells left out (they set nothing).
func fieldsOf(f *load.File, row []string) map[string]any {
	m := make(map[string]any, len(row))
	for j, h := range f.Header {
		v := row[j]
		switch {
		case v == "":
		case h == "IsPartner" || h == "IsPortalEnabled" || h == "IsActive":
			m[h] = v == "true"
		default:
			m[h] = v
		}
	}
	return m
}

// markDrift marks the steps of drifted users and accounts, and of the
// accounts' users.
func (r *runner) markDrift(drift []Drift) {
	users, accounts := map[string]string{}, map[string]string{}
	for _, d := range drift {
		switch {
		case d.UserID != "":
			users[d.UserID] = d.String()
		case d.AccountID != "":
			accounts[d.AccountID] = d.String()
		}
	}
	for _, seq := range r.order {
		sr := r.steps[seq]
		if why, ok := users[sr.UserID]; ok && sr.UserID != "" {
			r.finish(seq, Drifted, why, "")
		} else if why, ok := accounts[sr.AccountID]; ok && sr.AccountID != "" {
			r.finish(seq, Drifted, why, "")
		}
	}
}

// count fills the preview's counts per load file and follow-up kind.
func (r *runner) count(pre *Preview) {
	for _, f := range r.set.Files {
		n := 0
		for _, seq := range f.Seqs {
			if r.steps[seq] != nil && r.steps[seq].Status == Pending {
				n++
			}
		}
		if n > 0 {
			pre.Counts = append(pre.Counts, PhaseCount{Phase: r.p.Steps.At(f.Seqs[0] - 1).Phase.String(), Name: f.Name,
				Object: f.Object, Op: string(f.Operation), Records: n})
		}
	}
	follow := map[planner.Action]int{}
	for _, seq := range r.order {
		if sr := r.steps[seq]; sr.Status == Pending && r.items[seq] == nil {
			follow[sr.Action]++
		}
	}
	for _, a := range []planner.Action{planner.TransferRecords, planner.ReassignPermissionSets} {
		if n := follow[a]; n > 0 {
			obj := "PermissionSetAssignment"
			op := string(load.Insert)
			if a == planner.TransferRecords {
				obj, op = strings.Join(r.opts.TransferObjects, ","), "update OwnerId"
			}
			pre.Counts = append(pre.Counts, PhaseCount{Phase: planner.FollowUp.String(), Name: a.String(), Object: obj, Op: op, Records: n})
		}
	}
	for _, l := range r.set.Left {
		if l.Reason != load.NeedsNewUserID {
			pre.Left[l.Reason.String()]++
		}
	}
	for _, l := range r.p.Licenses {
		if l.Shortfall > 0 {
			pre.Notes = append(pre.Notes, fmt.Sprintf("%s is short of %d seats in the plan: the phase that runs out stops with LICENSE_LIMIT_EXCEEDED (buy seats, then apply --resume)",
				l.License, l.Shortfall))
		}
	}
	if n := len(r.newUser); n > 0 {
		pre.Notes = append(pre.Notes, fmt.Sprintf("the journal records %d users created already; they are not created again", n))
	}
}

// finish sets a step's end state (once: a step that ended keeps it).
func (r *runner) finish(seq int, s Status, reason, newUser string) {
	sr := r.steps[seq]
	if sr == nil || (sr.Status != Pending && sr.Status != NotRun) {
		return
	}
	sr.Status, sr.Reason, sr.NewUserID = s, reason, newUser
	if newUser != "" && sr.UserID != "" {
		r.newUser[sr.UserID] = newUser
	}
	if r.j != nil && s != Left && s != Drifted {
		if err := r.j.Append(Entry{Type: "step", Seq: seq, UserID: sr.UserID, Status: s, Reason: reason, NewUserID: newUser}); err != nil && r.jerr == nil {
			r.jerr = err // sendBatch stops on it before the next write
		}
	}
}

// blocked says why a step cannot run yet: a step it depends on did not
// complete.
func (r *runner) blocked(s planner.Step) string {
	for _, d := range s.DependsOn {
		if dep := r.steps[d]; dep != nil && !dep.Status.complete() {
			return fmt.Sprintf("depends on step %d (%s), which is %s", d, dep.Action, dep.Status)
		}
	}
	return ""
}

func (r *runner) report(pre *Preview) *Report {
	rep := &Report{Counts: map[Status]int{}, Writes: r.writes, Stopped: r.stopped}
	if pre != nil {
		rep.Preview = *pre
	}
	for _, seq := range r.order {
		sr := *r.steps[seq]
		rep.Steps = append(rep.Steps, sr)
		rep.Counts[sr.Status]++
	}
	return rep
}

func countsText(c map[Status]int) string {
	var parts []string
	for _, s := range []Status{Done, Already, Failed, Skipped, NotRun, Pending, Drifted, Left} {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
		}
	}
	return strings.Join(parts, ", ")
}
