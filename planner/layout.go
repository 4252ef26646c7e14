package planner

import (
	"github.com/licenseplan/licenseplan/rules"
)

// Stage 4, Layout: every user's steps get their seqs and dependsOn, in
// phase order (prepare -> convert -> recreate -> follow-up; inside a phase
// in plan order). Each change's steps come from its recipe (steps.go).

// countSteps returns the number of steps in each phase.
func countSteps(ds *decisions, sh *shared, acc *accountPlans) [len(phaseNames)]int {
	var n [len(phaseNames)]int
	n[Prepare] = len(acc.prep)
	uses := make([]int, len(sh.recipes))
	for i := range ds.dec {
		if r := ds.dec[i].recipe; r >= 0 {
			uses[r]++
		}
	}
	for i, u := range uses {
		for _, t := range sh.recipes[i] {
			n[t.phase] += u
		}
	}
	return n
}

// stepTable is the compact form of a built plan's users and steps: the
// decisions, the shared tables, and the seqs of every user's steps.
// Users.At and Steps.At make a UserPlan or a Step from it when one is read
// (view.go). Everything in it is written by layout and only read after.
type stepTable struct {
	people []person   // per plan position
	dec    []decision // per plan position
	rank   []int32    // per plan position: index into accts
	accts  []acctInfo // by rank
	table  *rules.Table
	sh     *shared
	acc    *accountPlans
	// The seqs of user pi's steps, in recipe order, are
	// seqs[first[pi]:first[pi+1]] (shared by UserPlan.Steps).
	first []int32
	seqs  []int
	// owner, per step position, is the plan position of the step's user,
	// or the account rank for an account step (the first nPrepare steps,
	// acc.prep).
	owner    []int32
	nPrepare int
	// desc holds the descriptions of a recipe's steps for a target profile.
	desc map[descUse][]string
	// rec holds the record Ids and fields of the people (records.go).
	rec recordTable
	// users and steps are the counts of the users and steps (counts.go).
	users *userCounts
	steps *stepCounts
}

// person is what a plan shows of a user: copied from the snapshot, so a
// plan does not change when the snapshot does.
type person struct {
	id, username, name, accountID, license, profile string
	rec                                             int32 // index into stepTable.rec.recs, or -1
}

// descUse names the step descriptions of a (recipe, target profile) pair.
type descUse struct{ recipe, toProf int32 }

// layout numbers the steps of every user. Phase sizes are known
// (countSteps), so a step's seq is known the moment it is met: this is one
// pass that writes two int32 per step and one per user.
func layout(pop *population, ds *decisions, sh *shared, acc *accountPlans, lk *lookups, count [len(phaseNames)]int) *stepTable {
	n := len(ds.dec)
	t := &stepTable{
		people: make([]person, n), dec: ds.dec, rank: pop.rank, accts: pop.accts,
		table: lk.table, sh: sh, acc: acc, nPrepare: count[Prepare],
		desc: map[descUse][]string{}, rec: newRecordTable(sh, lk, ds),
	}
	var next [len(phaseNames)]int
	total := 0
	for _, p := range Phases {
		next[p] = total + 1
		total += count[p]
	}
	t.owner = make([]int32, total)
	for i := range acc.prep {
		t.owner[i] = acc.prep[i].rank
	}
	t.first = make([]int32, n+1)
	t.seqs = make([]int, 0, total-t.nPrepare)
	for pi := range ds.dec {
		u := &pop.users[pop.order[pi]]
		d := &ds.dec[pi]
		t.people[pi] = person{u.ID, u.Username, u.Name, u.AccountID, u.License, u.ProfileName, t.rec.record(u, d.outcome, targetLicense(lk.table, d))}
		t.first[pi] = int32(len(t.seqs))
		if d.recipe < 0 {
			continue
		}
		for _, st := range sh.recipes[d.recipe] {
			seq := next[st.phase]
			next[st.phase]++
			t.seqs = append(t.seqs, seq)
			t.owner[seq-1] = int32(pi)
		}
		t.describe(d)
	}
	t.first[n] = int32(len(t.seqs))
	t.count(count)
	return t
}

// describe makes the step descriptions of d's recipe and target profile,
// once per pair.
func (t *stepTable) describe(d *decision) {
	k := descUse{d.recipe, d.toProf}
	if _, ok := t.desc[k]; ok {
		return
	}
	// A change always has a target profile (decideUser chooses one),
	// possibly "".
	prof := ""
	if d.toProf >= 0 {
		prof = t.sh.strs[d.toProf]
	}
	tmpl := t.sh.recipes[d.recipe]
	ds := make([]string, len(tmpl))
	r := ruleOf(t.table, d)
	for j, st := range tmpl {
		ds[j] = describe(st.action, r, prof)
	}
	t.desc[k] = ds
}

// targetLicense is the catalog license d moves to, nil when none.
func targetLicense(t *rules.Table, d *decision) *rules.License {
	if d.to < 0 {
		return nil
	}
	return t.Catalog.Licenses[d.to]
}
