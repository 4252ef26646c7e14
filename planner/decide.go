package planner

import (
	"fmt"
	"strings"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// Stage 2, Decide: a user and the rule table go in, a decision comes out.
// decideUser is the function to read to learn what the planner does with
// a user; the rest of this file is its helpers.

// decision is what the planner decided for one user. It is kept for every
// user, so it is small and holds no pointers (the collector never scans the
// decisions, and writing them needs no write barrier): the rule, warnings,
// target names and steps are indexes into the shared tables (shared.go).
//
// A user's warnings are those of list base, then the account warnings of
// the conditions in mask (they name the account, so they are made when the
// user is read, see stepTable.warnings), the target profile's warning
// profWarn and the permission warnings perm, ordered by severity.
type decision struct {
	base     int32 // shared.lists: the warnings of the rule alone (or of a skipped or unknown-license user)
	profWarn int32 // shared.profWarns, or -1
	perm     int32 // shared.permLists, or -1
	recipe   int32 // shared.recipes; -1 for no steps
	toLic    int32 // shared.strs; -1: the current license
	toProf   int32 // shared.strs; -1: the current profile
	from     int16 // catalog index of the current license; -1 when unknown
	to       int16 // catalog index of the target license when a rule applies, else -1
	outcome  rules.Outcome
	mask     uint8 // the account and user conditions (cond*) that apply
	// removesAccess: the user has permission sets or permission set
	// licenses that the change removes.
	removesAccess bool
}

// needsPartner reports whether the user's account must be enabled as a
// partner account first.
func (d *decision) needsPartner() bool { return d.mask&condPartner != 0 }

// ruleOf returns the rule d applies, or nil.
func ruleOf(t *rules.Table, d *decision) *rules.Rule {
	if d.to < 0 {
		return nil
	}
	return t.Lookup(t.Catalog.Licenses[d.from], t.Catalog.Licenses[d.to])
}

// decisions is what Decide hands on: a decision per user in plan order and
// what deciding counted.
type decisions struct {
	dec     []decision
	ruleUse []int // users per rule, by table cell (from.Index*n + to.Index)
	targets targetTally
	notes   []string // targets that matched no user
}

// targetTally counts the users each source of targets gave a target.
type targetTally struct {
	sources  []string // tg.Sources, or tg.Describe for a hand-built set that names none
	uses     []int    // users per source
	rowUsed  []bool   // per targets row: it matched a user
	noTarget int      // users without a target
}

// decider decides users. Its tables are filled as users are decided; the
// answer for a user depends on nothing decided before it.
type decider struct {
	pop             *population
	lk              *lookups
	sh              *shared
	table           *rules.Table
	includeInactive bool
	profiles        profileMemo
	licStr          []int32 // per catalog license: 1 + its name's index in strs, 0 until needed
	ruleMay         []uint8 // per rule cell: the conditions it may warn about (mayWarn)
	out             *decisions
	psCheck         []int32 // plan positions whose change may remove permission sets
}

// decide decides every user, then checks permissions and gives each change
// its step recipe.
func decide(pop *population, lk *lookups, sh *shared, snap *org.Snapshot, tg *targets.Set, opts Options) *decisions {
	n := len(lk.table.Catalog.Licenses)
	out := &decisions{dec: make([]decision, len(pop.users)), ruleUse: make([]int, n*n), targets: newTargetTally(tg)}
	d := &decider{pop: pop, lk: lk, sh: sh, table: lk.table, includeInactive: opts.IncludeInactive,
		profiles: profileMemo{m: map[profKey]profChoice{}},
		licStr:   make([]int32, n), ruleMay: make([]uint8, n*n), out: out}
	join := startJoin(snap)
	// Users are decided in input order, which reads them sequentially;
	// nothing decided depends on the order.
	lk.targets.prefetch(pop.users)
	for ui := range pop.users {
		pi := pop.pos[ui]
		out.dec[pi] = d.decideUser(ui, &pop.users[ui], &pop.accts[pop.userRank[ui]])
		if d.mayRemoveAccess(&out.dec[pi]) {
			d.psCheck = append(d.psCheck, pi)
		}
	}
	checkPermissions(d, snap, join.wait())
	d.assignRecipes()
	out.notes = unusedTargets(tg, out.targets.rowUsed)
	return out
}

// decideUser decides user u, pop.users[ui], of account info.
func (d *decider) decideUser(ui int, u *org.User, info *acctInfo) decision {
	dec := decision{profWarn: -1, perm: -1, recipe: -1, toLic: -1, toProf: -1, from: -1, to: -1}
	from := d.lk.license(u.License)
	fromName := u.License
	if from != nil {
		dec.from, fromName = int16(from.Index), from.Name
	}
	isPartner := accountIsPartner(u, info)
	m, hasTarget := d.lk.targets.lookup(ui, u, from, fromName, info.name, isPartner)
	d.out.targets.count(m, hasTarget)
	inactive := u.IsActive.IsFalse()

	switch {
	case inactive && !d.includeInactive:
		dec.outcome, dec.base = rules.Skipped, d.sh.skippedList()
		return dec
	case !hasTarget:
		dec.outcome = rules.NoChange
		if from == nil {
			dec.base = d.sh.unknownList(unknownKey{from: u.License, hasFrom: true})
		}
		return dec
	}
	to := d.lk.license(m.License)
	dec.toLic = d.licenseName(to, m.License)
	if from == nil || to == nil {
		return d.invalid(dec, u, m, from == nil, to == nil)
	}
	r := d.table.Lookup(from, to)
	dec.to, dec.outcome = int16(to.Index), r.Outcome
	d.out.ruleUse[from.Index*len(d.table.Catalog.Licenses)+to.Index]++
	switch r.Outcome {
	case rules.NoChange:
		if m.Profile != "" {
			return d.profileChange(dec, u, r, m.Profile, inactive)
		}
		return dec
	case rules.NoPath:
		// Nothing can be planned (a site's guest user): no steps, no
		// target profile, only the rule's warnings, which say what to do
		// instead.
		dec.base = d.sh.ruleList(r, inactive)
		return dec
	}
	return d.change(dec, u, info, r, m.Profile, isPartner, inactive)
}

// change decides a user whose rule changes the license: the target
// profile, and the conditions of the user and account that add warnings.
func (d *decider) change(dec decision, u *org.User, info *acctInfo, r *rules.Rule, profile string, isPartner org.Tri, inactive bool) decision {
	prof := d.profiles.choose(d.lk, d.sh, profile, r.To)
	dec.toProf, dec.profWarn = prof.prof, prof.warn
	dec.mask = conditions(d.mayWarn(r), u, info, r, isPartner)
	dec.base = d.sh.ruleList(r, inactive)
	return dec
}

// profileChange decides a user whose target is its own license (rule r,
// SAME) with target profile profile: change_profile when that profile is
// another than the user's (by name, any case, or by Id), else no_change.
// Like a license change, a target profile that Profile.csv lacks or that
// belongs to another license is planned with a warning.
func (d *decider) profileChange(dec decision, u *org.User, r *rules.Rule, profile string, inactive bool) decision {
	prof := d.profiles.choose(d.lk, d.sh, profile, r.To)
	name := d.sh.strs[prof.prof]
	if strings.EqualFold(name, u.ProfileName) {
		return dec
	}
	if id := d.lk.profileID(name); id != "" && id == u.ProfileID {
		return dec
	}
	dec.outcome = rules.ChangeProfile
	dec.toProf, dec.profWarn = prof.prof, prof.warn
	dec.base = d.sh.profileChangeList(r, inactive)
	return dec
}

// invalid decides a user whose current or target license is not in the
// catalog: no rule applies, and the user is kept as they are.
func (d *decider) invalid(dec decision, u *org.User, m targets.Match, fromUnknown, toUnknown bool) decision {
	dec.outcome = rules.Invalid
	var k unknownKey
	if fromUnknown {
		k.from, k.hasFrom = u.License, true
	}
	if toUnknown {
		k.to, k.hasTo = m.License, true
	}
	dec.base = d.sh.unknownList(k)
	return dec
}

// accountIsPartner is the partner status of u's account: Account.csv's,
// else what the user's row says.
func accountIsPartner(u *org.User, info *acctInfo) org.Tri {
	if info.acct != nil && info.acct.IsPartner.Known() {
		return info.acct.IsPartner
	}
	return u.AccountIsPartner
}

// licenseName returns the index in strs of the target license's name: the
// catalog's name when to is known, else the name the target gave.
func (d *decider) licenseName(to *rules.License, given string) int32 {
	if to == nil {
		return d.sh.str(given)
	}
	if d.licStr[to.Index] == 0 {
		d.licStr[to.Index] = 1 + d.sh.str(to.Name)
	}
	return d.licStr[to.Index] - 1
}

// assignRecipes gives every change its step recipe, once permissions are
// known.
func (d *decider) assignRecipes() {
	for pi := range d.out.dec {
		dec := &d.out.dec[pi]
		if dec.outcome.IsChange() {
			k := recipeKey{dec.from, dec.to, dec.needsPartner(), dec.removesAccess}
			dec.recipe = d.sh.recipe(ruleOf(d.table, dec), dec.outcome, k)
		}
	}
}

func newTargetTally(tg *targets.Set) targetTally {
	var t targetTally
	if tg == nil {
		return t
	}
	t.rowUsed = make([]bool, tg.NumRows())
	t.sources = tg.Sources
	if len(t.sources) == 0 && (tg.NumRows() > 0 || len(tg.Selectors) > 0) {
		t.sources = []string{tg.Describe}
	}
	t.uses = make([]int, len(t.sources))
	return t
}

// count records a user's target lookup.
func (t *targetTally) count(m targets.Match, ok bool) {
	if !ok {
		t.noTarget++
		return
	}
	if m.Row >= 0 {
		t.rowUsed[m.Row] = true
	}
	// A hand-built Set may name no sources: its targets count as one.
	t.uses[min(uint(m.Source), uint(len(t.uses)-1))]++
}

// unusedTargets returns a note for each targets row that matched no user.
func unusedTargets(tg *targets.Set, used []bool) []string {
	var notes []string
	for i, ok := range used {
		if !ok {
			r := tg.Row(i)
			who := r.Username
			if r.UserID != "" {
				who = r.UserID
			}
			notes = append(notes, fmt.Sprintf("%s: target for %s matches no user in the input; it was not applied.", r.Origin, who))
		}
	}
	return notes
}
