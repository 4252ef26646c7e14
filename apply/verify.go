package apply

import (
	"fmt"
	"github.com/licenseplan/licenseplan/load"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// Mismatch is one way the org differs from the plan's target state.
type Mismatch struct {
	UserID    string `json:"userId,omitempty"`
	Username  string `json:"username,omitempty"`
	AccountID string `json:"accountId,omitempty"`
	// NewUserID is the user checked for a user disabled and enabled
	// again: the contact's new user.
	NewUserID string `json:"newUserId,omitempty"`
	Field     string `json:"field"`
	Want      string `json:"want"`
	Got       string `json:"got"`
}

func (m Mismatch) String() string {
	who := "account " + m.AccountID
	if m.UserID != "" {
		who = fmt.Sprintf("user %s (%s)", m.Username, m.UserID)
		if m.NewUserID != "" {
			who += ", new user " + m.NewUserID
		}
	}
	got := m.Got
	if got == "" {
		got = "(blank)"
	}
	return fmt.Sprintf("%s: %s: want %s, got %s", who, m.Field, m.Want, got)
}

// Unverified is a changed user verify does not check: apply leaves it to
// a person (recreate), or the plan lacks what a check needs.
type Unverified struct {
	UserID   string `json:"userId"`
	Username string `json:"username"`
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason"`
}

// Verification is verify's answer: every user the plan changes in place or
// disables and enables again, and every account it enables as a partner
// account, checked against the org.
type Verification struct {
	Fingerprint string `json:"fingerprint"`
	OrgID       string `json:"orgId"`
	OrgName     string `json:"orgName"`
	// Users and Accounts count what was checked; Passed the users and
	// accounts with no mismatch.
	Users      int          `json:"users"`
	Accounts   int          `json:"accounts"`
	Passed     int          `json:"passed"`
	Mismatches []Mismatch   `json:"mismatches"`
	Unverified []Unverified `json:"unverified"`
}

// OK reports whether nothing mismatched.
func (v *Verification) OK() bool { return len(v.Mismatches) == 0 }

// Verify checks the org in snap against p's target state:
//   - a user changed in place has the target license and profile, is
//     active and (for an external license) portal enabled, and has a role
//     when the target license is role-based;
//   - a user disabled and enabled again is disabled, and its contact has a
//     new active user that passes the same checks;
//   - an account the plan enables is a partner account.
func Verify(p *planner.Plan, snap *org.Snapshot, cat *rules.Catalog) *Verification {
	st := newState(snap)
	v := &Verification{Fingerprint: p.Fingerprint, Mismatches: []Mismatch{}, Unverified: []Unverified{}}
	if o := snap.Organization; o != nil {
		v.OrgID, v.OrgName = o.ID, o.Name
	}
	// A user a load file leaves out is not checked: apply does not
	// change it, and the load folder's not-loaded.csv says why. (Steps
	// that apply fills in, and permission sets the target license does
	// not allow back, leave the change itself to check.)
	leftWhy := map[string]string{}
	for _, l := range load.Build(p).Left {
		if l.Reason != load.NeedsNewUserID && l.Reason != load.NothingToRestore && l.UserID != "" && leftWhy[l.UserID] == "" {
			leftWhy[l.UserID] = l.Reason.String()
		}
	}
	for _, u := range p.Users.All() {
		if !u.Outcome.IsChange() {
			continue
		}
		if why := leftWhy[u.UserID]; why != "" || !loaded(u.Outcome) {
			if why == "" {
				why = "no supported path: apply leaves the user for a person to decide"
			}
			v.Unverified = append(v.Unverified, Unverified{UserID: u.UserID, Username: u.Username, Outcome: u.Outcome.String(), Reason: why})
			continue
		}
		v.Users++
		n := len(v.Mismatches)
		v.Mismatches = append(v.Mismatches, verifyUser(&u, st, cat)...)
		if len(v.Mismatches) == n {
			v.Passed++
		}
	}
	for _, a := range p.Accounts {
		if a.EnablePartnerStep == 0 {
			continue
		}
		v.Accounts++
		if got := st.accountIsPartner(a.AccountID); !got.IsTrue() {
			v.Mismatches = append(v.Mismatches, Mismatch{AccountID: a.AccountID, Field: "Account.IsPartner", Want: "true", Got: got.String()})
			continue
		}
		v.Passed++
	}
	return v
}

func verifyUser(u *planner.UserPlan, st *state, cat *rules.Catalog) []Mismatch {
	var out []Mismatch
	add := func(newUser, field, want, got string) {
		out = append(out, Mismatch{UserID: u.UserID, Username: u.Username, AccountID: u.AccountID, NewUserID: newUser,
			Field: field, Want: want, Got: got})
	}
	cur := st.users[u.UserID]
	if cur == nil {
		add("", "record", "present", "not found")
		return out
	}
	target, newID := cur, ""
	if u.Outcome == rules.DisableReenable {
		if !disabled(cur) {
			add("", "old user disabled", "IsPortalEnabled false, IsActive false",
				"IsPortalEnabled "+cur.IsPortalEnabled.String()+", IsActive "+cur.IsActive.String())
		}
		contact := ""
		if u.Seen != nil {
			contact = u.Seen.ContactID
		}
		target = st.newUserOf(contact, u.UserID)
		if target == nil {
			add("", "new user", "an active user for contact "+contact, "none")
			return out
		}
		newID = target.ID
	}
	if !sameText(target.License, u.ToLicense) {
		add(newID, "License", u.ToLicense, target.License)
	}
	if u.ToProfileID != "" && !sameID(target.ProfileID, u.ToProfileID) {
		add(newID, "ProfileId", u.ToProfileID, target.ProfileID)
	}
	if !target.IsActive.IsTrue() {
		add(newID, "IsActive", "true", target.IsActive.String())
	}
	if l, ok := cat.Lookup(u.ToLicense); ok {
		if l.Kind.External() && !target.IsPortalEnabled.IsTrue() {
			add(newID, "IsPortalEnabled", "true", target.IsPortalEnabled.String())
		}
		if l.RequiresRole && target.RoleID == "" {
			add(newID, "UserRoleId", "a role ("+u.ToLicense+" is role-based)", "")
		}
	}
	return out
}
