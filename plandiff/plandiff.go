// Package plandiff compares two plans: which users were added or removed,
// which changed outcome, and which warnings are new or resolved, per user
// and for the plan as a whole. It is plain data with no I/O; the reports
// package renders it (licenseplan diff).
//
// Users are matched by Id. A plan may list an Id twice (a snapshot that
// held it twice is refused by the reader, but a hand-edited plan.json is
// not): the first entry counts, and Duplicates names the others, so
// nothing is silently dropped.
package plandiff

import (
	"cmp"
	"slices"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// Side identifies one of the two plans.
type Side struct {
	Fingerprint string `json:"fingerprint"`
	GeneratedAt string `json:"generatedAt"` // RFC 3339, UTC
	Environment string `json:"environment"`
	Users       int    `json:"users"`
}

// UserRef is a user as a diff names it.
type UserRef struct {
	UserID   string `json:"userId"`
	Username string `json:"username"`
	Outcome  string `json:"outcome"`
	// ToLicense is the user's target license.
	ToLicense string `json:"toLicense"`
}

// Changed is a user in both plans whose outcome, target license or target
// profile differs.
type Changed struct {
	UserID      string `json:"userId"`
	Username    string `json:"username"`
	OldOutcome  string `json:"oldOutcome"`
	NewOutcome  string `json:"newOutcome"`
	OldLicense  string `json:"oldToLicense"`
	NewLicense  string `json:"newToLicense"`
	OldProfile  string `json:"oldToProfile"`
	NewProfile  string `json:"newToProfile"`
	OldRuleID   string `json:"oldRuleId"`
	NewRuleID   string `json:"newRuleId"`
	OutcomeDiff bool   `json:"outcomeChanged"`
}

// WarningChange is a warning in one plan and not the other: a user's (by
// code) or the plan's (by code and message).
type WarningChange struct {
	UserID   string     `json:"userId,omitempty"` // "" for a plan-level warning
	Username string     `json:"username,omitempty"`
	Code     rules.Code `json:"code"`
	Message  string     `json:"message"`
}

// OutcomeCount is one outcome's user count in each plan.
type OutcomeCount struct {
	Outcome string `json:"outcome"`
	Old     int    `json:"old"`
	New     int    `json:"new"`
}

// Diff is what changed from Old to New. Every list is ordered by username,
// then Id (warnings then by code and message), and is non-nil.
type Diff struct {
	Old, New        Side
	Outcomes        []OutcomeCount
	Added           []UserRef
	Removed         []UserRef
	Changed         []Changed
	NewWarnings     []WarningChange
	ResolvedWarning []WarningChange
	// Duplicates names the user Ids that a plan lists more than once
	// (only the first entry is compared).
	Duplicates []string
}

// Empty reports whether the plans plan the same thing for the same users
// with the same warnings.
func (d *Diff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0 &&
		len(d.NewWarnings) == 0 && len(d.ResolvedWarning) == 0
}

// Compare returns the diff from old to new.
func Compare(old, new *planner.Plan) *Diff {
	d := &Diff{Old: side(old), New: side(new)}
	for _, o := range rules.Outcomes {
		d.Outcomes = append(d.Outcomes, OutcomeCount{Outcome: o.String(), Old: old.Summary.Count(o), New: new.Summary.Count(o)})
	}
	oldUsers, dupOld := byID(old)
	newUsers, dupNew := byID(new)
	d.Duplicates = slices.Compact(slices.Sorted(slices.Values(append(dupOld, dupNew...))))

	for id, nu := range newUsers {
		ou, ok := oldUsers[id]
		if !ok {
			d.Added = append(d.Added, ref(nu))
			d.NewWarnings = append(d.NewWarnings, userWarnings(nu, nil)...)
			continue
		}
		if ou.Outcome != nu.Outcome || ou.ToLicense != nu.ToLicense || ou.ToProfile != nu.ToProfile {
			d.Changed = append(d.Changed, Changed{
				UserID: id, Username: nu.Username,
				OldOutcome: ou.Outcome.String(), NewOutcome: nu.Outcome.String(),
				OldLicense: ou.ToLicense, NewLicense: nu.ToLicense,
				OldProfile: ou.ToProfile, NewProfile: nu.ToProfile,
				OldRuleID: ou.RuleID, NewRuleID: nu.RuleID,
				OutcomeDiff: ou.Outcome != nu.Outcome,
			})
		}
		d.NewWarnings = append(d.NewWarnings, userWarnings(nu, ou)...)
		d.ResolvedWarning = append(d.ResolvedWarning, userWarnings(ou, nu)...)
	}
	for id, ou := range oldUsers {
		if _, ok := newUsers[id]; !ok {
			d.Removed = append(d.Removed, ref(ou))
			d.ResolvedWarning = append(d.ResolvedWarning, userWarnings(ou, nil)...)
		}
	}
	d.NewWarnings = append(d.NewWarnings, planWarnings(new, old)...)
	d.ResolvedWarning = append(d.ResolvedWarning, planWarnings(old, new)...)

	byUser := func(a, b UserRef) int {
		return cmp.Or(cmp.Compare(a.Username, b.Username), cmp.Compare(a.UserID, b.UserID))
	}
	slices.SortFunc(d.Added, byUser)
	slices.SortFunc(d.Removed, byUser)
	slices.SortFunc(d.Changed, func(a, b Changed) int {
		return cmp.Or(cmp.Compare(a.Username, b.Username), cmp.Compare(a.UserID, b.UserID))
	})
	// Plan-level warnings (no user) first, then by user, code, message.
	byWarning := func(a, b WarningChange) int {
		return cmp.Or(cmp.Compare(a.Username, b.Username), cmp.Compare(a.UserID, b.UserID),
			cmp.Compare(a.Code, b.Code), cmp.Compare(a.Message, b.Message))
	}
	slices.SortFunc(d.NewWarnings, byWarning)
	slices.SortFunc(d.ResolvedWarning, byWarning)
	d.Added, d.Removed, d.Changed = nonNil(d.Added), nonNil(d.Removed), nonNil(d.Changed)
	d.NewWarnings, d.ResolvedWarning, d.Duplicates = nonNil(d.NewWarnings), nonNil(d.ResolvedWarning), nonNil(d.Duplicates)
	return d
}

func side(p *planner.Plan) Side {
	return Side{
		Fingerprint: p.Fingerprint,
		GeneratedAt: p.GeneratedAt.UTC().Format("2006-01-02T15:04:05Z"),
		Environment: p.Source.Environment.String(),
		Users:       p.Users.Len(),
	}
}

// byID maps each user Id to its first entry, and lists the Ids seen again.
func byID(p *planner.Plan) (map[string]*planner.UserPlan, []string) {
	m := make(map[string]*planner.UserPlan, p.Users.Len())
	var dups []string
	for _, u := range p.Users.All() {
		if _, ok := m[u.UserID]; ok {
			dups = append(dups, u.UserID)
			continue
		}
		m[u.UserID] = &u
	}
	return m, dups
}

func ref(u *planner.UserPlan) UserRef {
	return UserRef{UserID: u.UserID, Username: u.Username, Outcome: u.Outcome.String(), ToLicense: u.ToLicense}
}

// userWarnings are the warnings of u whose code other (nil for none) does
// not have.
func userWarnings(u, other *planner.UserPlan) []WarningChange {
	var out []WarningChange
	for _, w := range u.Warnings {
		if other != nil && other.HasWarning(w.Code) {
			continue
		}
		out = append(out, WarningChange{UserID: u.UserID, Username: u.Username, Code: w.Code, Message: w.Message})
	}
	return out
}

// planWarnings are p's plan-level warnings that other has not (same code
// and message).
func planWarnings(p, other *planner.Plan) []WarningChange {
	var out []WarningChange
	for _, w := range p.Warnings {
		if slices.ContainsFunc(other.Warnings, func(o planner.Warning) bool { return o.Code == w.Code && o.Message == w.Message }) {
			continue
		}
		out = append(out, WarningChange{Code: w.Code, Message: w.Message})
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
