package planner

import (
	"fmt"
	"iter"
	"slices"
)

// Users is a plan's users, one per input user, in plan order.
//
// A plan that Build makes holds its users compactly: a few indexes per user
// into the snapshot and into tables that users share (warning lists, step
// recipes, target names). At makes a user's UserPlan when it is asked for.
// A million users then cost tens of megabytes instead of the several hundred
// that a UserPlan and Steps per user take, and building the plan does not
// write them out. A plan read from JSON or made with NewUsers holds a list.
// Both kinds behave the same: Users is read-only and safe for concurrent use.
//
// A built plan copies what it shows of each user from the snapshot, so
// changing the snapshot after Build does not change the plan.
type Users struct {
	list []UserPlan
	t    *stepTable
	c    *userCounts // list's counts
}

// NewUsers returns Users holding list (not copied). It reads list once, to
// count it (ByCode, Changes): do not modify list afterwards.
func NewUsers(list ...UserPlan) Users { return Users{list: list, c: countUserList(list)} }

// Len returns the number of users.
func (us Users) Len() int {
	if us.t != nil {
		return len(us.t.dec)
	}
	return len(us.list)
}

// At returns the user at plan position i, 0 <= i < Len(). Its Steps and
// Warnings may be shared with other users and other calls: do not modify
// them.
func (us Users) At(i int) UserPlan {
	if us.t != nil {
		return us.t.user(i)
	}
	return us.list[i]
}

// All yields every user with its position, in plan order.
func (us Users) All() iter.Seq2[int, UserPlan] {
	return func(yield func(int, UserPlan) bool) {
		for i := range us.Len() {
			if !yield(i, us.At(i)) {
				return
			}
		}
	}
}

// Slice returns every user in a new slice (for tests and small plans: a
// large plan is better read with At).
func (us Users) Slice() []UserPlan {
	out := make([]UserPlan, us.Len())
	for i := range out {
		out[i] = us.At(i)
	}
	return out
}

// Steps is a plan's steps in execution order; the step at position i has Seq
// i+1. Like Users, a built plan holds them compactly and makes each Step when
// it is asked for; Steps is read-only and safe for concurrent use.
type Steps struct {
	list []Step
	t    *stepTable
	c    *stepCounts // list's counts
}

// NewSteps returns Steps holding list (not copied). It reads list once, to
// count it (Kinds, Phases): do not modify list afterwards.
func NewSteps(list ...Step) Steps { return Steps{list: list, c: countStepList(list)} }

// Len returns the number of steps.
func (ss Steps) Len() int {
	if ss.t != nil {
		return len(ss.t.owner)
	}
	return len(ss.list)
}

// At returns the step at position i (Seq i+1), 0 <= i < Len(). Its
// DependsOn may be shared: do not modify it.
func (ss Steps) At(i int) Step {
	if ss.t != nil {
		return ss.t.step(i)
	}
	return ss.list[i]
}

// userPos returns the plan position (in Users) of the user step i belongs
// to, when the plan knows it without a lookup: for a built plan's user
// steps. It returns false for account steps and for steps held as a list.
func (ss Steps) userPos(i int) (int, bool) {
	if ss.t == nil || i < ss.t.nPrepare {
		return 0, false
	}
	return int(ss.t.owner[i]), true
}

// All yields every step with its position, in execution order.
func (ss Steps) All() iter.Seq2[int, Step] {
	return func(yield func(int, Step) bool) {
		for i := range ss.Len() {
			if !yield(i, ss.At(i)) {
				return
			}
		}
	}
}

// Slice returns every step in a new slice.
func (ss Steps) Slice() []Step {
	out := make([]Step, ss.Len())
	for i := range out {
		out[i] = ss.At(i)
	}
	return out
}

func nonNilList[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// user makes the UserPlan at plan position pi.
func (t *stepTable) user(pi int) UserPlan {
	d := &t.dec[pi]
	u := &t.people[pi]
	up := UserPlan{
		UserID: u.id, Username: u.username, Name: u.name,
		AccountID: u.accountID, AccountName: t.accts[t.rank[pi]].name,
		FromLicense: u.license, ToLicense: u.license,
		FromProfile: u.profile, ToProfile: u.profile,
		Seen: t.rec.seen(u.rec), Outcome: d.outcome,
		Steps: noSteps, Warnings: t.warnings(d, t.rank[pi]),
	}
	if d.from >= 0 {
		up.FromLicense = t.table.Catalog.Licenses[d.from].Name
		up.ToLicense = up.FromLicense
	}
	if d.toLic >= 0 {
		up.ToLicense = t.sh.strs[d.toLic]
	}
	if up.Seen != nil {
		up.ToProfileID = up.Seen.ProfileID
	}
	if d.toProf >= 0 {
		up.ToProfile, up.ToProfileID = t.sh.strs[d.toProf], t.rec.profIDs[d.toProf]
	}
	up.NewUser = t.rec.newUser(u, up.ToProfileID)
	if d.removesAccess && d.perm >= 0 && d.outcome.ChangesLicense() {
		up.Restore = t.sh.restores[d.perm]
	}
	if r := ruleOf(t.table, d); r != nil {
		up.RuleID = r.ID
	}
	if own := t.seqs[t.first[pi]:t.first[pi+1]:t.first[pi+1]]; len(own) > 0 {
		up.Steps = own
	}
	return up
}

// warnings returns the warnings of decision d of a user in account group
// rank: the shared list d.base when that is all, else a new list.
func (t *stepTable) warnings(d *decision, rank int32) []Warning {
	base := t.sh.lists[d.base]
	if d.mask == 0 && d.profWarn < 0 && d.perm < 0 {
		return base
	}
	ws := make([]Warning, 0, len(base)+8)
	ws = append(ws, base...)
	if d.mask != 0 {
		ws = accountWarnings(ws, &t.accts[rank], t.table.Catalog.Licenses[d.to], d.mask)
	}
	if d.profWarn >= 0 {
		ws = append(ws, t.sh.profWarns[d.profWarn])
	}
	if d.perm >= 0 {
		ws = append(ws, t.sh.permLists[d.perm]...)
	}
	sortWarnings(ws)
	return ws
}

// step makes the step at position i (seq i+1).
func (t *stepTable) step(i int) Step {
	seq := i + 1
	if i < t.nPrepare {
		return t.accountStep(seq, &t.acc.prep[i])
	}
	pi := t.owner[i]
	d := &t.dec[pi]
	own := t.seqs[t.first[pi]:t.first[pi+1]]
	j := slices.Index(own, seq)
	st := t.sh.recipes[d.recipe][j]
	// Every step on an account whose owner is given a role depends on that
	// step, then on the recipe's own dependencies.
	roleSeq := t.acc.roleSeq[t.rank[pi]]
	deps := noDeps
	if n := len(st.deps); n > 0 || roleSeq > 0 {
		deps = make([]int, 0, n+1)
		if roleSeq > 0 {
			deps = append(deps, roleSeq)
		}
		for _, dep := range st.deps {
			if dep == partnerDep {
				deps = append(deps, t.acc.partnerSeq[t.rank[pi]])
			} else {
				deps = append(deps, own[dep])
			}
		}
	}
	u := &t.people[pi]
	return Step{
		Seq: seq, Phase: st.phase, Action: st.action,
		UserID: u.id, AccountID: u.accountID,
		Description: t.desc[descUse{d.recipe, d.toProf}][j],
		DependsOn:   deps,
		Reversible:  st.reversible,
		RuleID:      ruleOf(t.table, d).ID,
	}
}

// accountStep makes the account step ps, whose seq is seq.
func (t *stepTable) accountStep(seq int, ps *prepStep) Step {
	info := &t.accts[ps.rank]
	st := Step{Seq: seq, Phase: Prepare, Action: ps.action, AccountID: info.id, DependsOn: noDeps, Reversible: true, RuleID: ps.ruleID}
	if ps.action == AssignOwnerRole {
		if info.acct != nil {
			st.OwnerID = info.acct.OwnerID
		}
		st.RoleID = ps.roleID
		st.Description = ownerRoleDescription(info.name, st.OwnerID, ps.roleID, ps.roleName)
		return st
	}
	if rs := t.acc.roleSeq[ps.rank]; rs > 0 {
		st.DependsOn = []int{rs}
	}
	st.Description = fmt.Sprintf("Enable account \"%s\" as a partner account (set Account.IsPartner = true) before its users move to a partner license.", info.name)
	return st
}
