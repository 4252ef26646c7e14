package planner

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// builtPlans are plans whose Users and Steps are compact (made by Build).
func builtPlans(t *testing.T) map[string]*Plan {
	t.Helper()
	gen := orggen.Generate(orggen.Options{Users: 3000, Seed: 5})
	return map[string]*Plan{
		"fixture":           build(t, Options{IncludeInactive: true}),
		"generated":         Build(gen, table(t), benchTargets(t), Options{Now: now}),
		"generated/include": Build(gen, table(t), benchTargets(t), Options{Now: now, IncludeInactive: true}),
	}
}

func TestCompactUsersAndStepsRoundTrip(t *testing.T) {
	for name, p := range builtPlans(t) {
		t.Run(name, func(t *testing.T) {
			if p.Users.Len() != p.Summary.Users || p.Steps.Len() != p.Summary.Steps {
				t.Fatalf("%d users and %d steps, summary says %d and %d", p.Users.Len(), p.Steps.Len(), p.Summary.Users, p.Summary.Steps)
			}
			if p.Steps.Len() == 0 {
				t.Fatal("the plan has no steps: the test would prove nothing")
			}
			// The list form of the same users and steps reads the same.
			us, ss := NewUsers(p.Users.Slice()...), NewSteps(p.Steps.Slice()...)
			for i, u := range p.Users.All() {
				if !reflect.DeepEqual(us.At(i), u) {
					t.Fatalf("user %d differs in the list form", i)
				}
			}
			for i, s := range p.Steps.All() {
				if !reflect.DeepEqual(ss.At(i), s) || s.Seq != i+1 {
					t.Fatalf("step %d differs in the list form, or has seq %d", i, s.Seq)
				}
			}
		})
	}
}

// TestCompactReadsAreIndependent reads users and steps in reverse order and
// from several goroutines at once (run with -race): every read must give
// what a plain front-to-back read gives.
func TestCompactReadsAreIndependent(t *testing.T) {
	for name, p := range builtPlans(t) {
		t.Run(name, func(t *testing.T) {
			wantU, wantS := p.Users.Slice(), p.Steps.Slice()
			var wg sync.WaitGroup
			errs := make(chan string, 8)
			for g := range 4 {
				wg.Go(func() {
					for k := range len(wantU) {
						i := k
						if g%2 == 1 {
							i = len(wantU) - 1 - k
						}
						if !reflect.DeepEqual(p.Users.At(i), wantU[i]) {
							errs <- "user " + wantU[i].Username
							return
						}
					}
					for k := range len(wantS) {
						i := len(wantS) - 1 - k
						if !reflect.DeepEqual(p.Steps.At(i), wantS[i]) {
							errs <- "step " + wantS[i].Description
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Errorf("%s reads differently out of order", e)
			}
			// The user's step seqs point at steps of that user.
			for _, u := range wantU {
				for _, s := range u.Steps {
					if st := wantS[s-1]; st.Seq != s || st.UserID != u.UserID {
						t.Errorf("%s: step %d is %+v", u.Username, s, st)
					}
				}
			}
		})
	}
}

func TestEmptyUsersAndSteps(t *testing.T) {
	one := UserPlan{UserID: "005x", Steps: []int{}, Warnings: []Warning{}}
	tests := []struct {
		name string
		n    int
		want int
	}{
		{"zero Users", Users{}.Len(), 0},
		{"zero Steps", Steps{}.Len(), 0},
		{"NewUsers of nothing", NewUsers().Len(), 0},
		{"NewSteps of nothing", NewSteps().Len(), 0},
		{"one user", NewUsers(one).Len(), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.n != tt.want {
				t.Errorf("Len() = %d, want %d", tt.n, tt.want)
			}
		})
	}
	if got := NewUsers(one).At(0); !reflect.DeepEqual(got, one) {
		t.Errorf("At(0) = %+v, want %+v", got, one)
	}
}

// TestTargetMemo checks lookupTarget's memo and license table against the
// Set itself: a Set with a per-user row is looked up without them, so a
// plan with one row for a user the org does not have is the oracle.
func TestTargetMemo(t *testing.T) {
	snap := orggen.Generate(orggen.Options{Users: 3000, Seed: 9})
	tb := table(t)
	canon := tb.Catalog
	tests := []struct{ name, yaml string }{
		{"license and partner", `
- match: {license: Customer Community, partnerAccount: true}
  to: {license: Partner Community}
- match: {license: [Customer Community, Chatter Free]}
  to: {license: Customer Community Plus}`},
		{"user type", `
- match: {userType: [CspLitePortal]}
  to: {license: Customer Community Plus}`},
		{"profile glob", `
- match: {profile: "*Community*"}
  to: {license: Partner Community, profile: Partner Community User}`},
		{"account name glob", `
- match: {accountName: "*ar*", partnerAccount: false}
  to: {license: Customer Community Plus}
- match: {accountName: "*e*"}
  to: {license: Partner Community}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := targets.ParseYAML("t.yaml", []byte(tt.yaml), canon)
			if err != nil {
				t.Fatal(err)
			}
			row, err := targets.ParseCSV("row.csv", strings.NewReader("Id,TargetLicense\n005NOTINORG,Customer Community\n"), canon)
			if err != nil {
				t.Fatal(err)
			}
			memo, err := targets.Merge(sel)
			if err != nil {
				t.Fatal(err)
			}
			oracle, err := targets.Merge(row, sel)
			if err != nil {
				t.Fatal(err)
			}
			got := Build(snap, tb, memo, Options{Now: now}).Users.Slice()
			want := Build(snap, tb, oracle, Options{Now: now}).Users.Slice()
			changed := 0
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("user %s: memo gives %+v, the Set gives %+v", want[i].Username, got[i], want[i])
				}
				if want[i].Outcome != rules.NoChange && want[i].Outcome != rules.Skipped {
					changed++
				}
			}
			if changed == 0 {
				t.Error("no user has a target: the selectors test nothing")
			}
		})
	}
}

// StepRows gives each step its user and account, the same way for a built
// plan (which knows each step's user) and for the same plan held as lists
// (which looks users up by Id).
func TestStepRows(t *testing.T) {
	for name, p := range builtPlans(t) {
		listed := &Plan{Overview: p.Overview, Users: NewUsers(p.Users.Slice()...), Steps: NewSteps(p.Steps.Slice()...)}
		names := p.AccountNames()
		for form, q := range map[string]*Plan{"built": p, "lists": listed} {
			t.Run(name+"/"+form, func(t *testing.T) {
				users := q.Users.Slice()
				n := 0
				for i, r := range q.StepRows() {
					n++
					s := r.Step
					if s.Seq != i+1 {
						t.Fatalf("row %d has step %d", i, s.Seq)
					}
					if s.Action.OnAccount() {
						if r.UserPos != -1 || r.User != nil || r.AccountName != names[s.AccountID] || r.AccountName == "" {
							t.Errorf("account step %d: user %d %v, account %q", s.Seq, r.UserPos, r.User, r.AccountName)
						}
						continue
					}
					pos := r.UserPos
					if pos < 0 || users[pos].UserID != s.UserID || !slices.Contains(users[pos].Steps, s.Seq) || !reflect.DeepEqual(*r.User, users[pos]) {
						t.Fatalf("step %d of %s: position %d", s.Seq, s.UserID, pos)
					}
					if r.AccountID != users[pos].AccountID || r.AccountName != users[pos].AccountName {
						t.Errorf("step %d: account %q %q, user's %q %q", s.Seq, r.AccountID, r.AccountName, users[pos].AccountID, users[pos].AccountName)
					}
				}
				if n != q.Steps.Len() || n == 0 {
					t.Errorf("%d rows for %d steps", n, q.Steps.Len())
				}
				// StepRowsAt gives the same rows, in the order asked for.
				var at []int
				for i := n - 1; i >= 0; i -= max(1, n/50) {
					at = append(at, i)
				}
				at = append(at, 0, at[0])
				for j, r := range q.StepRowsAt(at) {
					var want StepRow
					for i, row := range q.StepRows() {
						if i == at[j] {
							want = row
							break
						}
					}
					if (r.User == nil) != (want.User == nil) || r.User != nil && !reflect.DeepEqual(*r.User, *want.User) {
						t.Fatalf("StepRowsAt: step %d has user %+v, StepRows %+v", at[j]+1, r.User, want.User)
					}
					r.User, want.User = nil, nil
					if !reflect.DeepEqual(r, want) {
						t.Fatalf("StepRowsAt: step %d is %+v, StepRows %+v", at[j]+1, r, want)
					}
				}
			})
		}
	}
	t.Run("unknown user", func(t *testing.T) {
		p := &Plan{Overview: Overview{Accounts: []AccountPlan{{AccountID: "001a", AccountName: "Known"}}},
			Steps: NewSteps(Step{Seq: 1, UserID: "005missing", AccountID: "001a"})}
		for _, r := range p.StepRows() {
			if r.UserPos != -1 || r.User != nil || r.AccountName != "Known" {
				t.Errorf("row %+v", r)
			}
		}
		for _, r := range p.StepRowsAt([]int{0}) {
			if r.UserPos != -1 || r.User != nil || r.AccountName != "Known" {
				t.Errorf("StepRowsAt: row %+v", r)
			}
		}
	})
}
