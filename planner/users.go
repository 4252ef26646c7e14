package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"slices"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
)

// Users is a plan's users, one per input user, in plan order.
//
// A plan that Build makes holds its users compactly: a few indexes per user
// into the snapshot and into tables that users share (warning lists, step
// recipes, target names). At makes a user's UserPlan when it is asked for.
// A million users then cost tens of megabytes instead of the several hundred
// that a UserPlan and Steps per user take, and building the plan does not
// write them out. A plan read from JSON or made with NewUsers holds a list.
// Both kinds behave the same: Users is read-only and safe for concurrent use,
// and its JSON form is a list of UserPlan.
//
// A built plan refers to the snapshot's users, so it keeps the snapshot in
// memory. The snapshot must not change after Build.
type Users struct {
	list []UserPlan
	t    *layoutTable
}

// NewUsers returns Users holding list (not copied).
func NewUsers(list ...UserPlan) Users { return Users{list: list} }

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

// MarshalJSON writes the users as a JSON list ([] when there are none).
func (us Users) MarshalJSON() ([]byte, error) { return marshalList(nonNilList(us.Slice())) }

// UnmarshalJSON reads a JSON list of UserPlan (null gives no users).
func (us *Users) UnmarshalJSON(b []byte) error {
	var list []UserPlan
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*us = NewUsers(list...)
	return nil
}

// Steps is a plan's steps in execution order; the step at position i has Seq
// i+1. Like Users, a built plan holds them compactly and makes each Step when
// it is asked for; Steps is read-only and safe for concurrent use.
type Steps struct {
	list []Step
	t    *layoutTable
}

// NewSteps returns Steps holding list (not copied).
func NewSteps(list ...Step) Steps { return Steps{list: list} }

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

// UserPos returns the plan position (in Users) of the user step i belongs
// to, when the plan knows it without a lookup: for a built plan's user
// steps. It returns false for account steps and for steps held as a list
// (look their UserID up in Users instead).
func (ss Steps) UserPos(i int) (int, bool) {
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

// MarshalJSON writes the steps as a JSON list ([] when there are none).
func (ss Steps) MarshalJSON() ([]byte, error) { return marshalList(nonNilList(ss.Slice())) }

// marshalList encodes v as plan.json does (schema 2): without HTML
// escaping, so "->" stays "->". json.Marshal would escape it, and an
// encoder's SetEscapeHTML(false) does not undo escapes a MarshalJSON made.
func marshalList(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads a JSON list of Step (null gives no steps).
func (ss *Steps) UnmarshalJSON(b []byte) error {
	var list []Step
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*ss = NewSteps(list...)
	return nil
}

func nonNilList[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// layoutTable is the compact form of a built plan's users and steps: the
// decisions, the orders and tables the builder made, and the seqs of every
// user's steps. Everything in it is written by Build and only read after.
type layoutTable struct {
	users    []org.User // the snapshot's users
	order    []int32    // per plan position: index into users
	rank     []int32    // per plan position: index into acctInfo
	dec      []decision // per plan position
	acctInfo []acctInfo
	table    *rules.Table
	cat      []*rules.License
	strs     []string
	// warning lists that decisions name (see decision)
	lists     [][]Warning
	profWarns []Warning
	permLists [][]Warning
	recipes   [][]stepTmpl
	// per account rank: the seq of its enable_partner_account step (0 for
	// none) and the rule of the first user that needed it
	partnerSeq []int
	partnerBy  []string
	// The seqs of user pi's steps, in recipe order, are
	// seqs[first[pi]:first[pi+1]] (shared by UserPlan.Steps).
	first []int32
	seqs  []int
	// owner, per step position, is the plan position of the step's user,
	// or the account rank for an enable_partner_account step.
	owner    []int32
	nPrepare int
	// desc holds the descriptions of a recipe's steps for a target profile.
	desc map[descUse][]string
}

// descUse names the step descriptions of a (recipe, target profile) pair.
type descUse struct{ recipe, toProf int32 }

// layout numbers the steps of every user from the decisions. Phase sizes
// were counted by tally, so a step's seq is known the moment it is met:
// this is one pass that writes two int32 per step and one per user. The
// UserPlans and Steps themselves are made by At, when they are read.
func (b *builder) layout() {
	n := len(b.dec)
	t := &layoutTable{
		users: b.snap.Users, order: b.order, rank: b.rank, dec: b.dec,
		acctInfo: b.acctInfo, table: b.table, cat: b.table.Catalog.Licenses, strs: b.strs,
		lists: b.lists, profWarns: b.profWarns, permLists: b.permLists,
		recipes: b.recipeList, partnerSeq: b.partnerSeq, partnerBy: b.partnerBy,
		nPrepare: b.stepCount[Prepare],
		desc:     map[descUse][]string{},
	}
	var next [4]int
	total := 0
	for _, p := range Phases {
		next[p] = total + 1
		total += b.stepCount[p]
	}
	t.owner = make([]int32, total)
	for r, seq := range b.partnerSeq {
		if seq > 0 {
			t.owner[seq-1] = int32(r)
		}
	}
	t.first = make([]int32, n+1)
	t.seqs = make([]int, 0, total-t.nPrepare)
	last := descUse{-1, -1}
	for pi := range b.dec {
		t.first[pi] = int32(len(t.seqs))
		d := &b.dec[pi]
		if d.recipe < 0 {
			continue
		}
		tmpl := b.recipeList[d.recipe]
		for _, st := range tmpl {
			seq := next[st.phase]
			next[st.phase]++
			t.seqs = append(t.seqs, seq)
			t.owner[seq-1] = int32(pi)
		}
		if k := (descUse{d.recipe, d.toProf}); k != last {
			last = k
			if _, ok := t.desc[k]; !ok {
				// A change always has a target profile (decideUser
				// chooses one), possibly "".
				prof := ""
				if d.toProf >= 0 {
					prof = b.strs[d.toProf]
				}
				ds := make([]string, len(tmpl))
				for j, st := range tmpl {
					ds[j] = describe(st.action, b.rule(d), prof)
				}
				t.desc[k] = ds
			}
		}
	}
	t.first[n] = int32(len(t.seqs))
	b.plan.Users = Users{t: t}
	b.plan.Steps = Steps{t: t}
}

// user makes the UserPlan at plan position pi.
func (t *layoutTable) user(pi int) UserPlan {
	d := &t.dec[pi]
	u := &t.users[t.order[pi]]
	up := UserPlan{
		UserID: u.ID, Username: u.Username, Name: u.Name,
		AccountID: u.AccountID, AccountName: t.acctInfo[t.rank[pi]].name,
		FromLicense: u.License, ToLicense: u.License,
		FromProfile: u.ProfileName, ToProfile: u.ProfileName,
		Outcome: d.outcome,
		Steps:   noSteps, Warnings: t.warnings(d, t.rank[pi]),
	}
	if d.from >= 0 {
		up.FromLicense = t.cat[d.from].Name
		up.ToLicense = up.FromLicense
	}
	if d.toLic >= 0 {
		up.ToLicense = t.strs[d.toLic]
	}
	if d.toProf >= 0 {
		up.ToProfile = t.strs[d.toProf]
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
func (t *layoutTable) warnings(d *decision, rank int32) []Warning {
	base := t.lists[d.base]
	if d.mask == 0 && d.profWarn < 0 && d.perm < 0 {
		return base
	}
	ws := make([]Warning, 0, len(base)+8)
	ws = append(ws, base...)
	if d.mask != 0 {
		ws = accountWarnings(ws, &t.acctInfo[rank], t.cat[d.to], d.mask)
	}
	if d.profWarn >= 0 {
		ws = append(ws, t.profWarns[d.profWarn])
	}
	if d.perm >= 0 {
		ws = append(ws, t.permLists[d.perm]...)
	}
	sortWarnings(ws)
	return ws
}

// step makes the step at position i (seq i+1).
func (t *layoutTable) step(i int) Step {
	seq := i + 1
	if i < t.nPrepare {
		r := t.owner[i]
		info := &t.acctInfo[r]
		return Step{
			Seq: seq, Phase: Prepare, Action: EnablePartnerAccount, AccountID: info.id,
			Description: fmt.Sprintf("Enable account \"%s\" as a partner account (set Account.IsPartner = true) before its users move to a partner license.", info.name),
			DependsOn:   noDeps, Reversible: true, RuleID: t.partnerBy[r],
		}
	}
	pi := t.owner[i]
	d := &t.dec[pi]
	own := t.seqs[t.first[pi]:t.first[pi+1]]
	j := slices.Index(own, seq)
	st := t.recipes[d.recipe][j]
	deps := noDeps
	if len(st.deps) > 0 {
		deps = make([]int, len(st.deps))
		for k, dep := range st.deps {
			if dep == partnerDep {
				deps[k] = t.partnerSeq[t.rank[pi]]
			} else {
				deps[k] = own[dep]
			}
		}
	}
	u := &t.users[t.order[pi]]
	return Step{
		Seq: seq, Phase: st.phase, Action: st.action,
		UserID: u.ID, AccountID: u.AccountID,
		Description: t.desc[descUse{d.recipe, d.toProf}][j],
		DependsOn:   deps,
		Reversible:  st.reversible,
		RuleID:      ruleOf(t.table, d).ID,
	}
}

var noDeps = []int{}
