package plandiff

import (
	"testing"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

func plan(users ...planner.UserPlan) *planner.Plan {
	p := &planner.Plan{Users: planner.NewUsers(users...)}
	p.Summary.Outcomes = map[string]int{}
	for _, u := range users {
		p.Summary.Outcomes[u.Outcome.String()]++
	}
	return p
}

func u(id, name string, o rules.Outcome, lic string, codes ...rules.Code) planner.UserPlan {
	up := planner.UserPlan{UserID: id, Username: name, Outcome: o, ToLicense: lic, ToProfile: lic + " User"}
	for _, c := range codes {
		up.Warnings = append(up.Warnings, planner.Warning{Code: c, Message: string(c) + " text"})
	}
	return up
}

func TestCompare(t *testing.T) {
	a := u("005A", "a@x", rules.ChangeInPlace, "Partner Community", rules.Irreversible)
	b := u("005B", "b@x", rules.NoChange, "Customer Community")
	tests := []struct {
		name                                    string
		old, new                                *planner.Plan
		added, removed, changed, newW, resolved int
		dups                                    int
	}{
		{"same", plan(a, b), plan(a, b), 0, 0, 0, 0, 0, 0},
		{"added with its warnings", plan(b), plan(a, b), 1, 0, 0, 1, 0, 0},
		{"removed with its warnings", plan(a, b), plan(b), 0, 1, 0, 0, 1, 0},
		{"outcome changed", plan(a), plan(u("005A", "a@x", rules.DisableReenable, "Partner Community", rules.Irreversible)), 0, 0, 1, 0, 0, 0},
		{"target changed", plan(a), plan(u("005A", "a@x", rules.ChangeInPlace, "Customer Community Plus", rules.Irreversible)), 0, 0, 1, 0, 0, 0},
		{"warning new and resolved", plan(a), plan(u("005A", "a@x", rules.ChangeInPlace, "Partner Community", rules.RoleCreated)), 0, 0, 0, 1, 1, 0},
		{"duplicate Id compared once", plan(a, a), plan(a), 0, 0, 0, 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Compare(tt.old, tt.new)
			got := []int{len(d.Added), len(d.Removed), len(d.Changed), len(d.NewWarnings), len(d.ResolvedWarning), len(d.Duplicates)}
			want := []int{tt.added, tt.removed, tt.changed, tt.newW, tt.resolved, tt.dups}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("added, removed, changed, new, resolved, dups = %v, want %v", got, want)
				}
			}
			if empty := tt.added+tt.removed+tt.changed+tt.newW+tt.resolved == 0; d.Empty() != empty {
				t.Errorf("Empty() = %v, want %v", d.Empty(), empty)
			}
		})
	}
}

func TestCompareOrderAndPlanWarnings(t *testing.T) {
	old := plan(u("005Z", "z@x", rules.NoChange, "L"))
	old.Warnings = []planner.Warning{{Code: rules.LicenseCapacity, Message: "short by 2"}}
	cur := plan(u("005Z", "z@x", rules.NoChange, "L"), u("005C", "c@x", rules.NoChange, "L"), u("005B", "b@x", rules.NoChange, "L"))
	cur.Warnings = []planner.Warning{{Code: rules.LicenseCapacity, Message: "short by 5"}}
	d := Compare(old, cur)
	if len(d.Added) != 2 || d.Added[0].Username != "b@x" || d.Added[1].Username != "c@x" {
		t.Errorf("added %+v, want b@x then c@x", d.Added)
	}
	if len(d.NewWarnings) != 1 || d.NewWarnings[0].Message != "short by 5" || d.NewWarnings[0].UserID != "" {
		t.Errorf("new warnings %+v", d.NewWarnings)
	}
	if len(d.ResolvedWarning) != 1 || d.ResolvedWarning[0].Message != "short by 2" {
		t.Errorf("resolved warnings %+v", d.ResolvedWarning)
	}
	for _, c := range d.Outcomes {
		if c.Outcome == "no_change" && (c.Old != 1 || c.New != 3) {
			t.Errorf("no_change %d -> %d, want 1 -> 3", c.Old, c.New)
		}
	}
}
