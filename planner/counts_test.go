package planner

import (
	"reflect"
	"testing"

	"github.com/licenseplan/licenseplan/rules"
)

// TestCountsMatchLists checks that a built plan's counts, made from its
// decisions, are those of the same users and steps held as lists, which
// are counted one UserPlan and Step at a time.
func TestCountsMatchLists(t *testing.T) {
	capped := 0 // plans with a code that has more users than are listed
	for name, p := range builtPlans(t) {
		t.Run(name, func(t *testing.T) {
			us, ss := NewUsers(p.Users.Slice()...), NewSteps(p.Steps.Slice()...)
			if got, want := p.Users.ByCode(), us.ByCode(); !reflect.DeepEqual(got, want) {
				t.Errorf("ByCode:\n got %+v\nwant %+v", got, want)
			}
			if got, want := p.Users.Changes(), us.Changes(); !reflect.DeepEqual(got, want) {
				t.Errorf("Changes:\n got %+v\nwant %+v", got, want)
			}
			if got, want := p.Steps.Kinds(), ss.Kinds(); !reflect.DeepEqual(got, want) {
				t.Errorf("Kinds:\n got %+v\nwant %+v", got, want)
			}
			if got, want := p.Steps.Phases(), ss.Phases(); !reflect.DeepEqual(got, want) {
				t.Errorf("Phases:\n got %+v\nwant %+v", got, want)
			}
			// The plans must exercise what is compared.
			if len(ss.Kinds()) < 3 || len(ss.Phases()) < 2 || len(us.Changes()) < 3 {
				t.Fatalf("the plan is too plain to test the counts: %d kinds, %d phases, %d changes", len(ss.Kinds()), len(ss.Phases()), len(us.Changes()))
			}
			for _, cu := range us.ByCode() {
				if cu.Users > ListedUsers {
					capped++
					break
				}
			}
		})
	}
	if capped < 2 {
		t.Errorf("%d plans have a code with more than %d users: the lists' cap is not tested", capped, ListedUsers)
	}
}

// TestCountLists checks the list counts against hand-made users and steps.
func TestCountLists(t *testing.T) {
	w := func(codes ...rules.Code) []Warning {
		ws := make([]Warning, len(codes))
		for i, c := range codes {
			ws[i] = Warning{Code: c}
		}
		return ws
	}
	var users []UserPlan
	for i := range ListedUsers + 2 {
		u := UserPlan{FromLicense: "A", ToLicense: "B", Outcome: rules.ChangeInPlace, Warnings: w(rules.RoleRequired, rules.RoleRequired)}
		if i%2 == 1 {
			u = UserPlan{FromLicense: "A", ToLicense: "A", Outcome: rules.NoChange, Warnings: w(rules.NoContact, rules.RoleRequired)}
		}
		users = append(users, u)
	}
	us := NewUsers(users...)
	odd := []int{1, 3, 5, 7, 9, 11}
	wantCodes := []CodeUsers{
		{Code: rules.NoContact, Users: 6, First: odd},
		{Code: rules.RoleRequired, Users: ListedUsers + 2, First: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
	}
	if rules.NoContact > rules.RoleRequired {
		wantCodes[0], wantCodes[1] = wantCodes[1], wantCodes[0]
	}
	if got := us.ByCode(); !reflect.DeepEqual(got, wantCodes) {
		t.Errorf("ByCode:\n got %+v\nwant %+v", got, wantCodes)
	}
	wantChanges := []ChangeUsers{{From: "A", To: "A", Outcome: rules.NoChange, Users: 6}, {From: "A", To: "B", Outcome: rules.ChangeInPlace, Users: 6}}
	if got := us.Changes(); !reflect.DeepEqual(got, wantChanges) {
		t.Errorf("Changes:\n got %+v\nwant %+v", got, wantChanges)
	}

	steps := []Step{
		{Phase: Convert, Action: ChangeLicense, Reversible: false},
		{Phase: Prepare, Action: EnablePartnerAccount, Reversible: true}, // a hand-edited plan: out of phase order
		{Phase: Convert, Action: ChangeLicense, Reversible: true},
		{Phase: Convert, Action: ChangeProfile, Reversible: true},
	}
	ss := NewSteps(steps...)
	wantKinds := []StepKind{
		{Phase: Convert, Action: ChangeLicense, Steps: 2, Irreversible: 1},
		{Phase: Prepare, Action: EnablePartnerAccount, Steps: 1},
		{Phase: Convert, Action: ChangeProfile, Steps: 1},
	}
	if got := ss.Kinds(); !reflect.DeepEqual(got, wantKinds) {
		t.Errorf("Kinds:\n got %+v\nwant %+v", got, wantKinds)
	}
	wantPhases := []PhaseSteps{{Phase: Prepare, Steps: 1, First: []int{1}}, {Phase: Convert, Steps: 3, First: []int{0, 2, 3}}}
	if got := ss.Phases(); !reflect.DeepEqual(got, wantPhases) {
		t.Errorf("Phases:\n got %+v\nwant %+v", got, wantPhases)
	}
	if n := len(Users{}.ByCode()) + len(Users{}.Changes()) + len(Steps{}.Kinds()) + len(Steps{}.Phases()); n != 0 {
		t.Errorf("zero Users and Steps count %d things", n)
	}
}
