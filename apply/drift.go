package apply

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// Drift is one way the org has moved on since the plan was made: a record
// the plan changes no longer looks as the plan saw it (nor as this plan
// leaves it), or a license has fewer free seats.
type Drift struct {
	// UserID and Username name a drifted user; AccountID a drifted
	// account (or the user's account); License a license short of seats.
	UserID    string `json:"userId,omitempty"`
	Username  string `json:"username,omitempty"`
	AccountID string `json:"accountId,omitempty"`
	License   string `json:"license,omitempty"`
	// Field is what differs: License, ProfileId, IsActive, IsPortalEnabled,
	// ContactId, AccountId, Account.IsPartner, free seats, or "record"
	// when the user is gone.
	Field string `json:"field"`
	// Plan is what the plan saw, Org what the org has now.
	Plan string `json:"plan"`
	Org  string `json:"org"`
}

func (d Drift) String() string {
	who := d.UserID
	switch {
	case d.Username != "":
		who = fmt.Sprintf("user %s (%s)", d.Username, d.UserID)
	case d.UserID != "":
		who = "user " + d.UserID
	case d.License != "":
		who = "license " + d.License
	case d.AccountID != "":
		who = "account " + d.AccountID
	}
	return fmt.Sprintf("%s: %s was %q in the plan, is %q in the org", who, d.Field, d.Plan, d.Org)
}

// checkDrift compares the plan's changed users and accounts with the org.
// A record already in the state this plan leaves it in (a run that
// stopped half way) is progress, not drift. Seats are compared only when
// seats is set (a first run: on a resume this plan's own writes have used
// seats).
func checkDrift(p *planner.Plan, st *state, seats bool) []Drift {
	var out []Drift
	for _, u := range p.Users.All() {
		if !loaded(u.Outcome) {
			continue
		}
		out = append(out, userDrift(&u, st)...)
	}
	for _, a := range p.Accounts {
		// An account the plan saw as a partner account must still be one:
		// its users' partner licenses need it. (One the plan enables may
		// already be enabled: that is progress.)
		if a.IsPartner == "true" {
			if now := st.accountIsPartner(a.AccountID); !now.IsTrue() {
				out = append(out, Drift{AccountID: a.AccountID, Field: "Account.IsPartner", Plan: "true", Org: now.String()})
			}
		}
	}
	if seats {
		for _, l := range p.Licenses {
			if l.MovingIn == 0 || l.Total == nil || l.Used == nil {
				continue
			}
			planFree := *l.Total - *l.Used
			if free, ok := st.free(l.License); ok && free < planFree {
				out = append(out, Drift{License: l.License, Field: "free seats",
					Plan: fmt.Sprint(planFree), Org: fmt.Sprint(free)})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Drift) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.License, b.License))
	})
	return out
}

// loaded reports whether apply writes users of outcome o (the others are
// left alone, so their drift does not matter).
func loaded(o rules.Outcome) bool {
	return o == rules.ChangeInPlace || o == rules.DisableReenable || o == rules.ChangeProfile
}

func userDrift(u *planner.UserPlan, st *state) []Drift {
	cur, ok := st.users[u.UserID]
	if !ok {
		return []Drift{{UserID: u.UserID, Username: u.Username, AccountID: u.AccountID, Field: "record", Plan: "present", Org: "not found"}}
	}
	if done(u, cur) {
		return nil
	}
	var out []Drift
	add := func(field, plan, now string) {
		out = append(out, Drift{UserID: u.UserID, Username: u.Username, AccountID: u.AccountID, Field: field, Plan: plan, Org: now})
	}
	if !sameText(cur.License, u.FromLicense) {
		add("License", u.FromLicense, cur.License)
	}
	seen := u.Seen
	if seen == nil {
		seen = &planner.UserSeen{}
	}
	if seen.ProfileID != "" && !sameID(cur.ProfileID, seen.ProfileID) {
		add("ProfileId", seen.ProfileID, cur.ProfileID)
	}
	if seen.IsActive != "" && cur.IsActive.String() != seen.IsActive {
		add("IsActive", seen.IsActive, cur.IsActive.String())
	}
	if seen.IsPortalEnabled != "" && cur.IsPortalEnabled.String() != seen.IsPortalEnabled {
		add("IsPortalEnabled", seen.IsPortalEnabled, cur.IsPortalEnabled.String())
	}
	if !sameID(cur.ContactID, seen.ContactID) {
		add("ContactId", seen.ContactID, cur.ContactID)
	}
	if !sameID(cur.AccountID, u.AccountID) {
		add("AccountId", u.AccountID, cur.AccountID)
	}
	return out
}

// done reports whether cur, the org's record of u, is already where
// this plan's first write to it leaves it: the target profile for an
// in-place change, disabled for a user disabled and enabled again.
func done(u *planner.UserPlan, cur *org.User) bool {
	switch u.Outcome {
	case rules.ChangeInPlace, rules.ChangeProfile:
		return u.ToProfileID != "" && sameID(cur.ProfileID, u.ToProfileID)
	case rules.DisableReenable:
		return disabled(cur)
	}
	return false
}

// disabled reports whether an external user is disabled: no longer
// portal enabled, inactive, its contact cleared.
func disabled(u *org.User) bool {
	return u.IsPortalEnabled.IsFalse() && !u.IsActive.IsTrue()
}
