package apply

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/licenseplan/licenseplan/demo/demoplan"
	"github.com/licenseplan/licenseplan/load"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/reports"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/sfclient"
)

type fixture struct {
	plan *planner.Plan
	org  *fakeOrg
	cat  *rules.Catalog
	dir  string
}

// demoFixture is the demo plan (read back from plan.json) and a fake org
// holding the demo snapshot.
func demoFixture(t *testing.T) *fixture {
	t.Helper()
	return fixtureWith(t, map[string]string{"*": channelManager})
}

// channelManager is the demo org's internal role "Channel Manager".
const channelManager = "00EDn00000bK003MAC"

// fixtureWith is demoFixture with the plan's owner roles.
func fixtureWith(t *testing.T, ownerRoles map[string]string) *fixture {
	t.Helper()
	ctx := context.Background()
	p, err := demoplan.PlanWith(ctx, planner.Options{OwnerRoles: ownerRoles})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = demoplan.RoundTrip(ctx, p); err != nil {
		t.Fatal(err)
	}
	snap, err := demoplan.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{plan: p, org: newFakeOrg(snap, tb.Catalog), cat: tb.Catalog, dir: t.TempDir()}
}

func (fx *fixture) opts() Options {
	return Options{Journal: filepath.Join(fx.dir, "journal.jsonl"), Sleep: func(context.Context, time.Duration) error { return nil },
		Now: func() time.Time { return time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC) }}
}

func (fx *fixture) verify(t *testing.T) *Verification {
	t.Helper()
	snap, _ := fx.org.Read(context.Background())
	return Verify(fx.plan, snap, fx.cat)
}

// activeUsersPerContact fails when a contact has two active users: a
// create sent twice.
func activeUsersPerContact(t *testing.T, snap *org.Snapshot) {
	t.Helper()
	seen := map[string]string{}
	for _, u := range snap.Users {
		if u.ContactID == "" || !u.IsActive.IsTrue() {
			continue
		}
		if other, dup := seen[u.ContactID]; dup {
			t.Errorf("contact %s has two active users, %s and %s", u.ContactID, other, u.ID)
		}
		seen[u.ContactID] = u.ID
	}
}

func TestRunDemo(t *testing.T) {
	fx := demoFixture(t)
	ctx := context.Background()
	rep, err := Run(ctx, fx.plan, fx.org, fx.opts())
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, reportText(rep))
	}
	if !rep.Complete() {
		t.Fatalf("not complete: %v", rep.Counts)
	}
	// Every step is done or left to a person; the recreate users are left.
	// (No demo user owns an account, so the transfers have nothing to
	// move.)
	reassigned := 0
	for _, s := range rep.Steps {
		if s.Action == planner.ReassignPermissionSets && s.Status == Done {
			reassigned++
		}
		if s.Status != Done && s.Status != Left && !(s.Status == Already && s.Action == planner.TransferRecords) {
			t.Errorf("step %d %s: %s %s", s.Seq, s.Action, s.Status, s.Reason)
		}
	}
	if reassigned == 0 {
		t.Error("no permission sets assigned again, though upgrades removed them")
	}
	if rep.Counts[Left] == 0 {
		t.Error("no step left to a person; the demo has recreate users")
	}
	v := fx.verify(t)
	if !v.OK() {
		t.Errorf("verify after apply: %v", v.Mismatches)
	}
	if len(v.Unverified) == 0 {
		t.Error("verify lists no recreate user as unverified")
	}
	activeUsersPerContact(t, fx.org.snap)

	// A second run has nothing to write.
	fx.org.sent = nil
	opts := fx.opts()
	opts.Resume = true
	rep, err = Run(ctx, fx.plan, fx.org, opts)
	if err != nil {
		t.Fatalf("second Run: %v", err)
	}
	if len(fx.org.sent) != 0 || rep.Writes != 0 {
		t.Errorf("a resumed run of a finished apply sent %d records", len(fx.org.sent))
	}
	if rep.Counts[Done] != 0 || rep.Counts[Already] == 0 {
		t.Errorf("second run counts %v: want every written step already so", rep.Counts)
	}
}

// TestWritesAreTheLoadFiles: apply sends exactly the load files' rows, in
// their order, so a rehearsal checks what an admin would load by hand.
func TestWritesAreTheLoadFiles(t *testing.T) {
	fx := demoFixture(t)
	if _, err := Run(context.Background(), fx.plan, fx.org, fx.opts()); err != nil {
		t.Fatal(err)
	}
	// The files before 05 run first, in order; the assignment files
	// (05, 06) run in the follow-up, mixed with the rows that only apply
	// can fill in (new users' Ids), so their rows are compared per object.
	var want []sfclient.Record
	grants := map[string][]sfclient.Record{}
	assignees := map[string]bool{}
	for _, f := range load.Build(fx.plan).Files {
		for _, row := range f.Rows {
			r := sfclient.Record{Object: f.Object, Fields: fieldsOf(f, row)}
			if f.Grants {
				grants[f.Object] = append(grants[f.Object], r)
				assignees[row[0]] = true
			} else {
				want = append(want, r)
			}
		}
	}
	if len(grants[load.ObjectPS]) == 0 || len(grants[load.ObjectPSL]) == 0 {
		t.Fatalf("the demo plan has no rows in 05 or 06 (%d, %d): the test checks nothing", len(grants[load.ObjectPSL]), len(grants[load.ObjectPS]))
	}
	got := fx.org.sent
	if len(got) < len(want) {
		t.Fatalf("sent %d records, the load files have %d", len(got), len(want))
	}
	if !reflect.DeepEqual(got[:len(want)], want) {
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("record %d: sent %v, load file row %v", i+1, got[i], want[i])
			}
		}
	}
	for obj, rows := range grants {
		var sent []sfclient.Record
		for _, r := range got[len(want):] {
			if a, _ := r.Fields["AssigneeId"].(string); r.Object == obj && assignees[a] {
				sent = append(sent, r)
			}
		}
		if !reflect.DeepEqual(sent, rows) {
			t.Errorf("%s: sent for the loaded users\n%v\nwant the load file's rows\n%v", obj, sent, rows)
		}
	}
	// What follows is follow-up: ownership and permission sets only.
	for _, r := range got[len(want):] {
		if r.Object != load.ObjectPS && r.Object != load.ObjectPSL && !reflect.DeepEqual(slices.Sorted(mapsKeys(r.Fields)), []string{"Id", "OwnerId"}) {
			t.Errorf("follow-up record %v is neither an ownership move nor an assignment", r)
		}
	}
}

func mapsKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func reportText(r *Report) string {
	if r == nil {
		return ""
	}
	var b bytes.Buffer
	_ = WriteApplyReport(&b, r)
	return b.String()
}

// endState is what a run leaves in the org, for comparing runs.
func endState(snap *org.Snapshot) []string {
	var out []string
	for _, u := range snap.Users {
		out = append(out, fmt.Sprintf("%s %s %s %s %s %s", u.ID, u.Username, u.ProfileID, u.IsActive, u.IsPortalEnabled, u.ContactID))
	}
	for _, a := range snap.Accounts {
		out = append(out, fmt.Sprintf("%s %s %s", a.ID, a.IsPartner, a.OwnerID))
	}
	for _, a := range snap.PermissionSets {
		out = append(out, a.AssigneeID+" "+a.PermissionSetID)
	}
	slices.Sort(out)
	return out
}

func TestFaults(t *testing.T) {
	clean := demoFixture(t)
	if _, err := Run(context.Background(), clean.plan, clean.org, clean.opts()); err != nil {
		t.Fatal(err)
	}
	want := endState(clean.org.snap)

	for _, tc := range []struct {
		name  string
		setup func(*fakeOrg)
	}{
		{"lost answers", func(f *fakeOrg) { f.lostEvery = 2 }},
		{"every answer lost once in three", func(f *fakeOrg) { f.lostEvery = 3 }},
		{"lock errors", func(f *fakeOrg) {
			for _, u := range f.snap.Users[:40] {
				f.locks[u.ID] = 2
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := demoFixture(t)
			tc.setup(fx.org)
			rep, err := Run(context.Background(), fx.plan, fx.org, fx.opts())
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, reportText(rep))
			}
			activeUsersPerContact(t, fx.org.snap)
			if got := endState(fx.org.snap); !reflect.DeepEqual(got, want) {
				t.Errorf("end state differs from a run without faults:\n got %d lines\nwant %d lines", len(got), len(want))
			}
			if v := fx.verify(t); !v.OK() {
				t.Errorf("verify: %v", v.Mismatches)
			}
		})
	}

	// A run killed after each of its write requests resumes to the same
	// end state, without a second user for any contact.
	for kill := 1; kill <= 12; kill++ {
		t.Run(fmt.Sprintf("killed after write %d", kill), func(t *testing.T) {
			fx := demoFixture(t)
			ctx, cancel := context.WithCancel(context.Background())
			fx.org.cancelAfter, fx.org.cancel = kill, cancel
			_, err := Run(ctx, fx.plan, fx.org, fx.opts())
			if err == nil {
				t.Skip("the run has fewer write requests") // it finished: nothing to resume
			}
			fx.org.cancelAfter = 0
			opts := fx.opts()
			opts.Resume = true
			rep, err := Run(context.Background(), fx.plan, fx.org, opts)
			if err != nil {
				t.Fatalf("resume: %v\n%s", err, reportText(rep))
			}
			activeUsersPerContact(t, fx.org.snap)
			if got := endState(fx.org.snap); !reflect.DeepEqual(got, want) {
				t.Errorf("end state after resume differs from a run that was never killed")
			}
		})
	}
}

func TestStops(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(*fixture, *Options)
		wantErr error
		writes  bool // some records are sent
		check   func(*testing.T, *fixture, *Report)
	}{
		{
			name: "production refused",
			setup: func(fx *fixture, _ *Options) {
				fx.org.snap.Organization.IsSandbox = org.False
			},
			wantErr: ErrProduction,
		},
		{
			name:    "org of unknown kind refused",
			setup:   func(fx *fixture, _ *Options) { fx.org.snap.Organization.IsSandbox = org.Unknown },
			wantErr: ErrProduction,
		},
		{
			name: "production allowed, confirmed",
			setup: func(fx *fixture, o *Options) {
				fx.org.snap.Organization.IsSandbox = org.False
				o.AllowProduction = true
				o.Confirm = func(_ context.Context, p *Preview) (bool, error) { return p.Environment == org.EnvProduction, nil }
			},
			writes: true,
		},
		{
			name:    "another org",
			setup:   func(fx *fixture, _ *Options) { fx.org.snap.Organization.ID = "00D000000000001AAA" },
			wantErr: ErrOrgMismatch,
		},
		{
			name: "declined",
			setup: func(_ *fixture, o *Options) {
				o.Confirm = func(context.Context, *Preview) (bool, error) { return false, nil }
			},
			wantErr: ErrDeclined,
			check: func(t *testing.T, fx *fixture, _ *Report) {
				if _, err := os.Stat(fx.opts().Journal); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("a declined run left a journal: %v", err)
				}
			},
		},
		{
			name: "drift stops",
			setup: func(fx *fixture, _ *Options) {
				u := fx.changed(rules.ChangeInPlace)
				fx.org.user(u.UserID).ProfileID = "00e000000000001AAA"
			},
			wantErr: ErrDrift,
			check: func(t *testing.T, fx *fixture, r *Report) {
				u := fx.changed(rules.ChangeInPlace)
				if len(r.Preview.Drift) != 1 || r.Preview.Drift[0].UserID != u.UserID || r.Preview.Drift[0].Field != "ProfileId" {
					t.Errorf("drift %v: want the one user's ProfileId", r.Preview.Drift)
				}
			},
		},
		{
			name: "drift skipped",
			setup: func(fx *fixture, o *Options) {
				u := fx.changed(rules.DisableReenable)
				fx.org.user(u.UserID).IsActive = org.False
				o.SkipDrifted = true
			},
			writes: true, // verify then finds the drifted user unchanged
			check: func(t *testing.T, fx *fixture, r *Report) {
				u := fx.changed(rules.DisableReenable)
				for _, s := range r.Steps {
					if s.UserID == u.UserID && s.Status != Drifted {
						t.Errorf("step %d of the drifted user: %s", s.Seq, s.Status)
					}
				}
				for _, x := range fx.org.sent {
					if x.Fields["Id"] == u.UserID {
						t.Errorf("a write to the drifted user was sent: %v", x)
					}
				}
			},
		},
		{
			name: "seats taken since the plan",
			setup: func(fx *fixture, _ *Options) {
				for i := range fx.org.snap.Licenses {
					if fx.org.snap.Licenses[i].Name == "Customer Community" {
						fx.org.snap.Licenses[i].UsedLicenses += 5
					}
				}
			},
			wantErr: ErrDrift,
		},
		{
			name: "license full stops the phase",
			setup: func(fx *fixture, _ *Options) {
				u := fx.changed(rules.ChangeInPlace)
				fx.org.refuse[u.UserID] = sfclient.RecordError{StatusCode: "LICENSE_LIMIT_EXCEEDED", Message: "License Limit Exceeded"}
			},
			wantErr: ErrIncomplete,
			writes:  true,
			check: func(t *testing.T, _ *fixture, r *Report) {
				if r.Counts[NotRun] == 0 || !strings.Contains(r.Stopped, "LICENSE_LIMIT_EXCEEDED") {
					t.Errorf("counts %v, stopped %q: want later steps not run and the reason", r.Counts, r.Stopped)
				}
			},
		},
		{
			name: "a refused disable skips the user's create and follow-up",
			setup: func(fx *fixture, _ *Options) {
				u := fx.changed(rules.DisableReenable)
				fx.org.refuse[u.UserID] = sfclient.RecordError{StatusCode: "FIELD_INTEGRITY_EXCEPTION", Message: "no"}
			},
			wantErr: ErrIncomplete,
			writes:  true,
			check: func(t *testing.T, fx *fixture, r *Report) {
				u := fx.changed(rules.DisableReenable)
				var got []Status
				for _, s := range r.Steps {
					if s.UserID == u.UserID {
						got = append(got, s.Status)
					}
				}
				if len(got) < 2 || got[0] != Failed || slices.ContainsFunc(got[1:], func(s Status) bool { return s != Skipped }) {
					t.Errorf("the user's steps ended %v: want failed, then skipped", got)
				}
			},
		},
		{
			name: "journal exists",
			setup: func(fx *fixture, o *Options) {
				os.WriteFile(o.Journal, []byte(`{"type":"start"}`+"\n"), 0o600)
			},
			wantErr: ErrJournal,
		},
		{
			name: "resume of another plan's journal",
			setup: func(fx *fixture, o *Options) {
				os.WriteFile(o.Journal, []byte(`{"type":"start","fingerprint":"sha256:00"}`+"\n"), 0o600)
				o.Resume = true
			},
			wantErr: ErrJournal,
		},
		{
			name:    "a transfer object that is not a name",
			setup:   func(_ *fixture, o *Options) { o.TransferObjects = []string{"Account WHERE Name != ''"} },
			wantErr: ErrOptions,
			check: func(t *testing.T, fx *fixture, r *Report) {
				if r != nil || fx.org.reads != 0 {
					t.Errorf("the org was read (%d times) with a bad transfer object", fx.org.reads)
				}
			},
		},
		{
			name: "no owner role configured: the account's steps wait for a person",
			setup: func(fx *fixture, _ *Options) {
				*fx = *fixtureWith(t, nil)
			},
			writes: true,
			check: func(t *testing.T, fx *fixture, r *Report) {
				left, skipped := 0, 0
				for _, s := range r.Steps {
					switch {
					case s.Action == planner.AssignOwnerRole && s.Status == Left:
						left++
					case s.Status == Skipped && strings.Contains(s.Reason, "assign_owner_role"):
						skipped++
					case s.Status == Skipped || s.Status == Failed:
						t.Errorf("step %d %s: %s %s", s.Seq, s.Action, s.Status, s.Reason)
					}
				}
				if left != 1 || skipped == 0 {
					t.Errorf("%d owner-role steps left, %d steps skipped after them", left, skipped)
				}
			},
			wantErr: ErrIncomplete,
		},
		{
			name:    "resume without a journal",
			setup:   func(_ *fixture, o *Options) { o.Resume = true },
			wantErr: ErrJournal,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := demoFixture(t)
			opts := fx.opts()
			tc.setup(fx, &opts)
			rep, err := Run(context.Background(), fx.plan, fx.org, opts)
			if tc.wantErr == nil && err != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v\n%s", err, tc.wantErr, reportText(rep))
			}
			if got := len(fx.org.sent) > 0; got != tc.writes {
				t.Errorf("%d records sent; want writes=%v", len(fx.org.sent), tc.writes)
			}
			if tc.check != nil {
				tc.check(t, fx, rep)
			}
		})
	}
}

// changed returns the plan's first user of outcome o.
func (fx *fixture) changed(o rules.Outcome) planner.UserPlan {
	for _, u := range fx.plan.Users.All() {
		if u.Outcome == o {
			return u
		}
	}
	panic("no user of outcome " + o.String())
}

func TestReadJournal(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		n        int
		wantErr  string
	}{
		{"whole", `{"type":"start","fingerprint":"sha256:1"}` + "\n" + `{"type":"end"}` + "\n", 2, ""},
		{"last line cut off", `{"type":"start"}` + "\n" + `{"type":"se`, 1, ""},
		{"bad line in the middle", `{"type":"start"}` + "\n" + `{"type":` + "\n" + `{"type":"end"}` + "\n", 0, "j.jsonl line 2"},
		{"no type", `{"type":"start"}` + "\n" + `{}` + "\n" + `{"type":"end"}` + "\n", 0, "line 2"},
		{"no start", `{"type":"end"}` + "\n", 0, "does not begin with a start"},
		{"empty", "", 0, "does not begin with a start"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadJournal(strings.NewReader(tc.in), "j.jsonl")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrJournal) {
					t.Fatalf("err %v, want one with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(got) != tc.n {
				t.Fatalf("%d entries, err %v; want %d", len(got), err, tc.n)
			}
		})
	}
}

// TestJournalRecordsEveryBatch: every send has its result (or Unknown)
// before the next send, and the Journal names the plan.
func TestJournalRecordsEveryBatch(t *testing.T) {
	fx := demoFixture(t)
	fx.org.lostEvery = 4
	opts := fx.opts()
	if _, err := Run(context.Background(), fx.plan, fx.org, opts); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(opts.Journal)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := ReadJournal(bytes.NewReader(data), opts.Journal)
	if err != nil {
		t.Fatal(err)
	}
	if entries[0].Fingerprint != fx.plan.Fingerprint {
		t.Errorf("start fingerprint %q, want %q", entries[0].Fingerprint, fx.plan.Fingerprint)
	}
	open, unknown := 0, 0
	for i, e := range entries {
		switch e.Type {
		case "send":
			if open != 0 {
				t.Fatalf("entry %d: batch %d sent before batch %d's result", i+1, e.Batch, open)
			}
			if len(e.Records) != len(e.Seqs) || len(e.Records) == 0 || len(e.Records) > sfclient.MaxCollection {
				t.Errorf("entry %d: %d records for %d seqs", i+1, len(e.Records), len(e.Seqs))
			}
			open = e.Batch
		case "result":
			if e.Batch != open {
				t.Fatalf("entry %d: result of batch %d, batch %d is open", i+1, e.Batch, open)
			}
			if e.Unknown {
				unknown++
			}
			open = 0
		}
	}
	if unknown == 0 {
		t.Error("no unknown outcome journalled, with every fourth answer lost")
	}
	if last := entries[len(entries)-1]; last.Type != "end" || last.Status != "complete" {
		t.Errorf("last entry %+v, want end complete", last)
	}
}

// TestExecutionReport: the journal of a run with a failure and a
// verification becomes report.md's and report.html's execution section.
func TestExecutionReport(t *testing.T) {
	fx := demoFixture(t)
	u := fx.changed(rules.DisableReenable)
	fx.org.refuse[u.UserID] = sfclient.RecordError{StatusCode: "FIELD_INTEGRITY_EXCEPTION", Message: "<b>no</b>"}
	fx.org.lostEvery = 3
	opts := fx.opts()
	if _, err := Run(context.Background(), fx.plan, fx.org, opts); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("Run: %v", err)
	}
	v := fx.verify(t)
	if err := AppendVerification(opts.Journal, v, opts.Now); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(opts.Journal)
	entries, err := ReadJournal(bytes.NewReader(data), opts.Journal)
	if err != nil {
		t.Fatal(err)
	}
	e := ExecutionOf(opts.Journal, entries)
	if e.Runs != 1 || e.Complete || e.Unknown == 0 || e.Writes == 0 || e.Steps["failed"] != 1 || e.Steps["skipped"] == 0 ||
		e.Verify == nil || len(e.Verify.Mismatches) == 0 {
		t.Fatalf("execution %+v", e)
	}
	var md, html bytes.Buffer
	if err := (reports.Markdown{Execution: e}).Write(context.Background(), &md, fx.plan); err != nil {
		t.Fatal(err)
	}
	if err := (reports.HTML{Execution: e}).Write(context.Background(), &html, fx.plan); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"md": md.String(), "html": html.String()} {
		for _, want := range []string{"Execution (licenseplan apply)", "INTEGRITY", "step ", "Verification"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: no %q", name, want)
			}
		}
		if strings.Contains(out, "<b>no</b>") {
			t.Errorf("%s: Salesforce's message is not escaped", name)
		}
	}
	var plain bytes.Buffer
	if err := (reports.Markdown{}).Write(context.Background(), &plain, fx.plan); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "Execution (licenseplan apply)") {
		t.Error("report.md without a journal has an execution section")
	}
}

// TestTransferOwnership: records an old user owns move to its new user;
// objects the org lacks are skipped.
func TestTransferOwnership(t *testing.T) {
	fx := demoFixture(t)
	u := fx.changed(rules.DisableReenable)
	owned := map[string]bool{}
	for i := range fx.org.snap.Accounts[:2] {
		fx.org.snap.Accounts[i].OwnerID = u.UserID
		owned[fx.org.snap.Accounts[i].ID] = true
	}
	rep, err := Run(context.Background(), fx.plan, fx.org, fx.opts())
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, reportText(rep))
	}
	var newID string
	for _, s := range rep.Steps {
		if s.UserID == u.UserID && s.Action == planner.CreateUser {
			newID = s.NewUserID
		}
		if s.UserID == u.UserID && s.Action == planner.TransferRecords && s.Status != Done {
			t.Errorf("transfer step %d: %s %s", s.Seq, s.Status, s.Reason)
		}
	}
	if newID == "" {
		t.Fatal("the create step reported no new user")
	}
	for _, a := range fx.org.snap.Accounts {
		if owned[a.ID] && a.OwnerID != newID {
			t.Errorf("account %s is owned by %s, want the new user %s", a.ID, a.OwnerID, newID)
		}
	}
}
