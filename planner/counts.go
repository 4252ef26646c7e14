package planner

import (
	"cmp"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/rules"
)

// Counts of a plan's users and steps, for the outputs that show totals and
// capped lists: report.html, report.md and the change board. A plan that
// Build makes counts them from its decisions, once, without making a
// UserPlan or a Step; a plan held as lists (read from JSON, or made with
// NewUsers and NewSteps) counts them when it is made. Either way a report
// of a million-user plan reads a handful of users, not a million.
//
// TestCountsMatchLists checks that both ways give the same counts.

// ListedUsers is how many users CodeUsers.First holds per code: at least
// what any report names per warning code.
const ListedUsers = 10

// ListedSteps is how many steps PhaseSteps.First holds per phase: at least
// what any report lists per phase.
const ListedSteps = 250

// CodeUsers is the users who carry one warning code.
type CodeUsers struct {
	Code rules.Code
	// Users is how many users have at least one warning with Code.
	Users int
	// First is the plan positions of the first ListedUsers of them, in
	// plan order.
	First []int
}

// ChangeUsers is how many users change from one license to another with
// one outcome. A user who keeps the license has From == To.
type ChangeUsers struct {
	From, To string
	Outcome  rules.Outcome
	Users    int
}

// StepKind is how many steps of one phase do one action.
type StepKind struct {
	Phase  Phase
	Action Action
	Steps  int
	// Irreversible is how many of them are not Reversible.
	Irreversible int
}

// PhaseSteps is the steps of one phase.
type PhaseSteps struct {
	Phase Phase
	Steps int
	// First is the positions (in Steps) of the phase's first ListedSteps
	// steps, in execution order.
	First []int
}

// userCounts are the counts of a plan's users.
type userCounts struct {
	codes   []CodeUsers   // by code
	changes []ChangeUsers // by From, To, then Outcome
}

// stepCounts are the counts of a plan's steps.
type stepCounts struct {
	kinds  []StepKind   // in the order the kinds first occur
	phases []PhaseSteps // by phase
}

// ByCode returns, for each warning code that some user carries, how many
// do and the first of them, ordered by code. Do not modify the result.
func (us Users) ByCode() []CodeUsers { return us.counts().codes }

// Changes returns how many users make each change of license and outcome,
// ordered by From, To, then Outcome. Do not modify the result.
func (us Users) Changes() []ChangeUsers { return us.counts().changes }

func (us Users) counts() *userCounts {
	switch {
	case us.t != nil:
		return us.t.users
	case us.c != nil:
		return us.c
	}
	return &userCounts{}
}

// Kinds returns how many steps of each phase do each action, in the order
// the kinds first occur in execution. Do not modify the result.
func (ss Steps) Kinds() []StepKind { return ss.counts().kinds }

// Phases returns the steps of each phase that has any, ordered by phase.
// Do not modify the result.
func (ss Steps) Phases() []PhaseSteps { return ss.counts().phases }

func (ss Steps) counts() *stepCounts {
	switch {
	case ss.t != nil:
		return ss.t.steps
	case ss.c != nil:
		return ss.c
	}
	return &stepCounts{}
}

// codeCounter adds users' warning codes up in plan order.
type codeCounter map[rules.Code]*CodeUsers

// get returns code c's entry, made on first use.
func (cc codeCounter) get(c rules.Code) *CodeUsers {
	cu := cc[c]
	if cu == nil {
		cu = &CodeUsers{Code: c}
		cc[c] = cu
	}
	return cu
}

// count adds users users to each of codes (which may repeat).
func (cc codeCounter) count(users int, codes []rules.Code) {
	for j, c := range codes {
		if !slices.Contains(codes[:j], c) {
			cc.get(c).Users += users
		}
	}
}

// list lists the user at plan position pi under each of codes, while a
// code has fewer than ListedUsers, and reports whether every one of them
// has ListedUsers listed.
func (cc codeCounter) list(pi int, codes []rules.Code) (full bool) {
	full = true
	for j, c := range codes {
		if slices.Contains(codes[:j], c) {
			continue
		}
		cu := cc.get(c)
		if len(cu.First) < ListedUsers {
			cu.First = append(cu.First, pi)
		}
		full = full && len(cu.First) == ListedUsers
	}
	return full
}

func (cc codeCounter) sorted() []CodeUsers {
	out := make([]CodeUsers, 0, len(cc))
	for _, cu := range cc {
		out = append(out, *cu)
	}
	slices.SortFunc(out, func(a, b CodeUsers) int { return strings.Compare(string(a.Code), string(b.Code)) })
	return out
}

type changeKey struct {
	from, to string
	outcome  rules.Outcome
}

func sortedChanges(m map[changeKey]int) []ChangeUsers {
	out := make([]ChangeUsers, 0, len(m))
	for k, n := range m {
		out = append(out, ChangeUsers{From: k.from, To: k.to, Outcome: k.outcome, Users: n})
	}
	slices.SortFunc(out, func(a, b ChangeUsers) int {
		return cmp.Or(strings.Compare(a.From, b.From), strings.Compare(a.To, b.To), cmp.Compare(a.Outcome, b.Outcome))
	})
	return out
}

// countUserList counts users held as a list.
func countUserList(list []UserPlan) *userCounts {
	cc := codeCounter{}
	changes := map[changeKey]int{}
	var codes []rules.Code
	for pi := range list {
		u := &list[pi]
		codes = codes[:0]
		for _, w := range u.Warnings {
			codes = append(codes, w.Code)
		}
		cc.count(1, codes)
		cc.list(pi, codes)
		changes[changeKey{u.FromLicense, u.ToLicense, u.Outcome}]++
	}
	return &userCounts{codes: cc.sorted(), changes: sortedChanges(changes)}
}

// countStepList counts steps held as a list.
func countStepList(list []Step) *stepCounts {
	type kindKey struct {
		phase  Phase
		action Action
	}
	at := map[kindKey]int{}
	var kinds []StepKind
	byPhase := map[Phase]*PhaseSteps{}
	for i := range list {
		s := &list[i]
		k := kindKey{s.Phase, s.Action}
		j, ok := at[k]
		if !ok {
			j = len(kinds)
			at[k] = j
			kinds = append(kinds, StepKind{Phase: s.Phase, Action: s.Action})
		}
		kinds[j].Steps++
		if !s.Reversible {
			kinds[j].Irreversible++
		}
		ps := byPhase[s.Phase]
		if ps == nil {
			ps = &PhaseSteps{Phase: s.Phase}
			byPhase[s.Phase] = ps
		}
		ps.Steps++
		if len(ps.First) < ListedSteps {
			ps.First = append(ps.First, i)
		}
	}
	phases := make([]PhaseSteps, 0, len(byPhase))
	for _, ps := range byPhase {
		phases = append(phases, *ps)
	}
	slices.SortFunc(phases, func(a, b PhaseSteps) int { return cmp.Compare(a.Phase, b.Phase) })
	return &stepCounts{kinds: nonNilList(kinds), phases: phases}
}

// count fills t.users and t.steps from the decisions, reading each
// decision once and no UserPlan or Step. Users who share their warning
// sources, license change and outcome share a group, so each user costs
// one map lookup; a group's codes are listed only until each has
// ListedUsers users.
func (t *stepTable) count(phaseSize [len(phaseNames)]int) {
	type groupKey struct {
		base, profWarn, perm, toLic int32
		from                        int16
		mask                        uint8
		outcome                     rules.Outcome
		license                     string // the user's license, when from < 0
	}
	type group struct {
		key      groupKey
		users    int
		codes    []rules.Code
		full     bool // every code has ListedUsers listed
		firstPos int  // the group's first user
	}
	at := map[groupKey]int{}
	var groups []group
	cc := codeCounter{}
	for pi := range t.dec {
		d := &t.dec[pi]
		k := groupKey{base: d.base, profWarn: d.profWarn, perm: d.perm, toLic: d.toLic, from: d.from, mask: d.mask, outcome: d.outcome}
		if d.from < 0 {
			k.license = t.people[pi].license
		}
		gi, ok := at[k]
		if !ok {
			gi = len(groups)
			at[k] = gi
			groups = append(groups, group{key: k, codes: t.codesOf(d), firstPos: pi})
		}
		g := &groups[gi]
		g.users++
		if !g.full {
			g.full = cc.list(pi, g.codes)
		}
	}
	changes := map[changeKey]int{}
	recipeUsers := map[int32]int{}
	recipeFirst := map[int32]int{}
	for i := range groups {
		g := &groups[i]
		cc.count(g.users, g.codes)
		from := g.key.license
		if g.key.from >= 0 {
			from = t.table.Catalog.Licenses[g.key.from].Name
		}
		to := from
		if g.key.toLic >= 0 {
			to = t.sh.strs[g.key.toLic]
		}
		changes[changeKey{from, to, g.key.outcome}] += g.users
		if r := t.dec[g.firstPos].recipe; r >= 0 {
			recipeUsers[r] += g.users
			if f, seen := recipeFirst[r]; !seen || g.firstPos < f {
				recipeFirst[r] = g.firstPos
			}
		}
	}
	t.users = &userCounts{codes: cc.sorted(), changes: sortedChanges(changes)}
	t.steps = t.countSteps(recipeUsers, recipeFirst, phaseSize)
}

// codesOf returns the codes of the warnings a user with decision d has
// (stepTable.warnings), possibly repeated.
func (t *stepTable) codesOf(d *decision) []rules.Code {
	var codes []rules.Code
	for _, w := range t.sh.lists[d.base] {
		codes = append(codes, w.Code)
	}
	codes = append(codes, maskCodes(d.mask)...)
	if d.profWarn >= 0 {
		codes = append(codes, t.sh.profWarns[d.profWarn].Code)
	}
	if d.perm >= 0 {
		for _, w := range t.sh.permLists[d.perm] {
			codes = append(codes, w.Code)
		}
	}
	return codes
}

// countSteps counts the steps: the account steps one by one, the users'
// steps per recipe (users[r] users take recipe r, the first at plan
// position first[r]). A phase's steps are consecutive (layout), so its
// first steps are the first positions of its range.
func (t *stepTable) countSteps(users, first map[int32]int, phaseSize [len(phaseNames)]int) *stepCounts {
	type kindKey struct {
		phase  Phase
		action Action
	}
	type kind struct {
		StepKind
		firstSeq int
	}
	byKind := map[kindKey]*kind{}
	add := func(ph Phase, a Action, n int, reversible bool, seq int) {
		k := byKind[kindKey{ph, a}]
		if k == nil {
			k = &kind{StepKind: StepKind{Phase: ph, Action: a}, firstSeq: seq}
			byKind[kindKey{ph, a}] = k
		}
		k.Steps += n
		if !reversible {
			k.Irreversible += n
		}
		k.firstSeq = min(k.firstSeq, seq)
	}
	for i := range t.acc.prep {
		add(Prepare, t.acc.prep[i].action, 1, true, i+1)
	}
	for r, n := range users {
		// Later users of a recipe have later seqs in every phase, so the
		// first user's seqs are the recipe's first.
		pi := first[r]
		seqs := t.seqs[t.first[pi]:t.first[pi+1]]
		for j, st := range t.sh.recipes[r] {
			add(st.phase, st.action, n, st.reversible, seqs[j])
		}
	}
	kinds := make([]kind, 0, len(byKind))
	for _, k := range byKind {
		kinds = append(kinds, *k)
	}
	slices.SortFunc(kinds, func(a, b kind) int { return cmp.Compare(a.firstSeq, b.firstSeq) })
	sc := &stepCounts{kinds: make([]StepKind, len(kinds)), phases: []PhaseSteps{}}
	for i, k := range kinds {
		sc.kinds[i] = k.StepKind
	}
	start := 0
	for _, ph := range Phases {
		n := phaseSize[ph]
		if n == 0 {
			continue
		}
		ps := PhaseSteps{Phase: ph, Steps: n, First: make([]int, min(n, ListedSteps))}
		for j := range ps.First {
			ps.First[j] = start + j
		}
		sc.phases = append(sc.phases, ps)
		start += n
	}
	return sc
}
