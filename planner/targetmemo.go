package planner

import (
	"runtime"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// targetMemo answers set.Lookup for a user, remembering the answers. A
// reader can skip this file: lookup(u, ...) is set.Lookup of the user's
// license, user type, profile, account name and partner status.
//
// With no per-user rows, a Set's answer depends only on the fields its
// selectors match on (TestSelectorFields pins them). The memo's key leaves
// out the fields no selector names, so users who differ only in those
// share one answer: with the usual selectors, on license and partner
// status, a million users make a handful of lookups.
type targetMemo struct {
	set *targets.Set // nil: nobody has a target
	cat *rules.Catalog
	// rowOf, for a set with per-user rows, is each user's row (by index
	// in population.users), or -1: found for all users at once, before
	// they are decided (prefetch).
	rowOf []int32
	// the fields some selector matches on; known once ready is set
	ready, userType, profile, account, partner bool
	memo                                       map[targets.UserRef]targetAnswer
	lastKey                                    targets.UserRef
	last                                       targetAnswer
	lastOK                                     bool
	// byLicense, when no selector names a user type, profile or account
	// name, holds the answers by catalog license index and partner status.
	byLicense []targetAnswer
}

type targetAnswer struct {
	m         targets.Match
	ok, known bool
}

// maxTargetMemo bounds the memo (selectors on account names or profiles
// can make a key per account).
const maxTargetMemo = 1 << 16

// prefetch finds the per-user rows of users (Set.FindRows, on both cores
// of a small machine), when the set has any.
func (tm *targetMemo) prefetch(users []org.User) {
	if tm.set == nil || tm.set.NumRows() == 0 {
		return
	}
	tm.rowOf = tm.set.FindRows(len(users), func(i int) (string, string) { return users[i].ID, users[i].Username }, runtime.GOMAXPROCS(0))
}

// lookup returns the target of user u, users[ui] of prefetch, whose
// license is license (canonical when known, lic its catalog entry or nil),
// on an account named account whose partner status is partner.
func (tm *targetMemo) lookup(ui int, u *org.User, lic *rules.License, license, account string, partner org.Tri) (targets.Match, bool) {
	if tm.set == nil {
		return targets.Match{}, false
	}
	if tm.rowOf != nil {
		if r := tm.rowOf[ui]; r >= 0 {
			return tm.set.MatchRow(int(r)), true
		}
		// No row names the user: the selectors decide, as set.Lookup
		// of the whole user (not memoized: TestTargetMemo's oracle).
		return tm.set.Lookup(targets.UserRef{License: license, UserType: u.UserType,
			Profile: u.ProfileName, AccountName: account, AccountIsPartner: partner})
	}
	if !tm.ready {
		tm.prepare()
	}
	// The usual case: the answer depends on the catalog license and the
	// partner status alone, and a table indexed by them needs no hashing.
	if tm.byLicense != nil && lic != nil && partner <= org.True {
		a := &tm.byLicense[3*lic.Index+int(partner)]
		if !a.known {
			a.m, a.ok = tm.set.Lookup(targets.UserRef{License: license, AccountIsPartner: partner})
			a.known = true
		}
		return a.m, a.ok
	}
	k := targets.UserRef{License: license}
	if tm.userType {
		k.UserType = u.UserType
	}
	if tm.profile {
		k.Profile = u.ProfileName
	}
	if tm.account {
		k.AccountName = account
	}
	if tm.partner {
		k.AccountIsPartner = partner
	}
	if tm.lastOK && k == tm.lastKey {
		return tm.last.m, tm.last.ok
	}
	a, ok := tm.memo[k]
	if !ok {
		a.m, a.ok = tm.set.Lookup(k)
		if len(tm.memo) < maxTargetMemo {
			tm.memo[k] = a
		}
	}
	tm.lastKey, tm.last, tm.lastOK = k, a, true
	return a.m, a.ok
}

// prepare finds the fields the selectors match on.
func (tm *targetMemo) prepare() {
	tm.ready = true
	tm.memo = map[targets.UserRef]targetAnswer{}
	for _, s := range tm.set.Selectors {
		tm.userType = tm.userType || len(s.UserTypes) > 0
		tm.profile = tm.profile || len(s.Profiles) > 0
		tm.account = tm.account || len(s.AccountNames) > 0
		tm.partner = tm.partner || s.PartnerAccount != nil
	}
	if !tm.userType && !tm.profile && !tm.account {
		tm.byLicense = make([]targetAnswer, 3*len(tm.cat.Licenses))
	}
}

// profileMemo remembers the target profile chosen for a (given profile,
// target license) pair, as indexes into the shared tables. A reader can
// take choose as lookups.targetProfile with its answer stored in shared.
type profileMemo struct {
	m       map[profKey]profChoice
	lastKey profKey // most users with a target share it with the user before them
	last    profChoice
	lastOK  bool
}

type profKey struct {
	given string
	to    *rules.License
}

// profChoice is a target profile: an index into shared.strs, and into
// shared.profWarns or -1.
type profChoice struct {
	prof, warn int32
}

func (pm *profileMemo) choose(lk *lookups, sh *shared, given string, to *rules.License) profChoice {
	k := profKey{given, to}
	if pm.lastOK && k == pm.lastKey {
		return pm.last
	}
	c, ok := pm.m[k]
	if !ok {
		name, w := lk.targetProfile(given, to)
		c = profChoice{prof: sh.str(name), warn: -1}
		if w != nil {
			c.warn = int32(len(sh.profWarns))
			sh.profWarns = append(sh.profWarns, *w)
		}
		pm.m[k] = c
	}
	pm.lastKey, pm.last, pm.lastOK = k, c, true
	return c
}
