package planner

import (
	"fmt"
	"slices"

	"github.com/licenseplan/licenseplan/rules"
)

// shared holds the tables that decisions index into. Users with the same
// rule share its warning list, users moving to the same license share its
// name, and so on, so a decision is a handful of small integers (see
// decision) and a million users make a few hundred entries here.
type shared struct {
	strs   []string // target license and profile names (decision.toLic, toProf)
	strIdx map[string]int32
	// lists are the warning lists decision.base names; lists[0] is the
	// empty list. ruleLists and unknownLists find a list already made.
	lists        [][]Warning
	ruleLists    map[ruleListKey]int32
	unknownLists map[unknownKey]int32
	profWarns    []Warning   // decision.profWarn
	permLists    [][]Warning // decision.perm
	// restores[i] is what the users of permLists[i] get back, nil when
	// their change removes nothing (decision.removesAccess).
	restores  []*Restore
	recipes   [][]stepTmpl
	recipeIdx map[recipeKey]int32
}

type ruleListKey struct {
	rule     *rules.Rule // nil: the list of a skipped inactive user
	inactive bool
	profile  bool // the list of a change_profile user (profileChangeList)
}

// unknownKey names the warning list of a user whose current or target
// license is not in the catalog.
type unknownKey struct {
	from, to       string
	hasFrom, hasTo bool
}

type recipeKey struct {
	from, to                    int16
	needsPartner, removesAccess bool
}

func newShared() *shared {
	return &shared{
		strIdx:       map[string]int32{},
		lists:        [][]Warning{noWarnings},
		ruleLists:    map[ruleListKey]int32{},
		unknownLists: map[unknownKey]int32{},
		recipeIdx:    map[recipeKey]int32{},
	}
}

var (
	noSteps    = []int{}
	noWarnings = []Warning{}
	noDeps     = []int{}
)

// str returns the index of s in strs, adding it.
func (sh *shared) str(s string) int32 {
	if i, ok := sh.strIdx[s]; ok {
		return i
	}
	i := int32(len(sh.strs))
	sh.strs = append(sh.strs, s)
	sh.strIdx[s] = i
	return i
}

// addList adds a warning list and returns its index.
func (sh *shared) addList(ws []Warning) int32 {
	if len(ws) == 0 {
		return 0
	}
	sh.lists = append(sh.lists, slices.Clip(ws))
	return int32(len(sh.lists) - 1)
}

// skippedList is the list of an inactive user who is not planned.
func (sh *shared) skippedList() int32 {
	k := ruleListKey{inactive: true}
	if id, ok := sh.ruleLists[k]; ok {
		return id
	}
	id := sh.addList([]Warning{{Code: rules.InactiveUser, Message: rules.InactiveUser.Message()}})
	sh.ruleLists[k] = id
	return id
}

// ruleList is the list of the warnings that depend only on rule r (and on
// whether the user is inactive).
func (sh *shared) ruleList(r *rules.Rule, inactive bool) int32 {
	k := ruleListKey{rule: r, inactive: inactive}
	if id, ok := sh.ruleLists[k]; ok {
		return id
	}
	id := sh.addList(ruleWarnings(r, inactive))
	sh.ruleLists[k] = id
	return id
}

// profileChangeList is the list of a user who changes profile within
// license r.To (rule r, SAME): r's warnings (those of the license itself,
// none today), SITE_MEMBERSHIP for an external license (000: "Changes in
// profiles and permission sets can affect site membership"), and
// INACTIVE_USER for an inactive user.
func (sh *shared) profileChangeList(r *rules.Rule, inactive bool) int32 {
	k := ruleListKey{rule: r, inactive: inactive, profile: true}
	if id, ok := sh.ruleLists[k]; ok {
		return id
	}
	ws := ruleWarnings(r, inactive)
	if r.To.Kind.External() && !slices.ContainsFunc(ws, func(w Warning) bool { return w.Code == rules.SiteMembership }) {
		ws = append(ws, Warning{Code: rules.SiteMembership, Message: rules.SiteMembership.Message()})
		sortWarnings(ws)
	}
	id := sh.addList(ws)
	sh.ruleLists[k] = id
	return id
}

// unknownList is the list of UNKNOWN_LICENSE warnings for a current and/or
// target license outside the catalog.
func (sh *shared) unknownList(k unknownKey) int32 {
	if id, ok := sh.unknownLists[k]; ok {
		return id
	}
	var ws []Warning
	if k.hasFrom {
		ws = append(ws, unknownLicense(k.from, false))
	}
	if k.hasTo {
		ws = append(ws, unknownLicense(k.to, true))
	}
	id := sh.addList(ws)
	sh.unknownLists[k] = id
	return id
}

// recipe returns the index of the step recipe of a change by rule r with
// outcome o (r's, or ChangeProfile for rule SAME: k.from == k.to tells
// them apart, so the key need not hold o).
func (sh *shared) recipe(r *rules.Rule, o rules.Outcome, k recipeKey) int32 {
	idx, ok := sh.recipeIdx[k]
	if !ok {
		idx = int32(len(sh.recipes))
		sh.recipes = append(sh.recipes, recipe(r, o, k.needsPartner, k.removesAccess))
		sh.recipeIdx[k] = idx
	}
	return idx
}

func unknownLicense(name string, target bool) Warning {
	what := "current"
	if target {
		what = "target"
	}
	return Warning{Code: rules.UnknownLicense, License: name, Message: fmt.Sprintf(
		"The %s license \"%s\" is not in the catalog, so no rule applies; the user is kept in the plan but not converted. Run `licenseplan rules licenses` for the known licenses, or record the behaviour you see in the config file's rules.overrides.", what, name)}
}
