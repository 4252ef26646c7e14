package apply

import (
	"strings"

	"github.com/licenseplan/licenseplan/org"
)

// state is an org as apply reads it: a snapshot pulled through the
// read-only client, indexed by the Ids apply looks up.
type state struct {
	snap     *org.Snapshot
	users    map[string]*org.User
	accounts map[string]*org.Account
	profiles map[string]*org.Profile
	// active maps a ContactId to its active users (a contact has at most
	// one in a consistent org).
	active map[string][]*org.User
	// permSets maps a user Id to the Ids of its permission sets that are
	// not owned by a profile.
	permSets map[string][]string
	// permSetLicenses maps a user Id to the Ids of its permission set
	// licenses.
	permSetLicenses map[string][]string
	licenses        map[string]*org.UserLicense // by Name
}

func newState(snap *org.Snapshot) *state {
	st := &state{snap: snap,
		users:           make(map[string]*org.User, len(snap.Users)),
		accounts:        make(map[string]*org.Account, len(snap.Accounts)),
		profiles:        make(map[string]*org.Profile, len(snap.Profiles)),
		active:          map[string][]*org.User{},
		permSets:        map[string][]string{},
		permSetLicenses: map[string][]string{},
		licenses:        map[string]*org.UserLicense{},
	}
	for i := range snap.Users {
		u := &snap.Users[i]
		st.users[u.ID] = u
		if u.ContactID != "" && u.IsActive.IsTrue() {
			st.active[u.ContactID] = append(st.active[u.ContactID], u)
		}
	}
	for i := range snap.Accounts {
		st.accounts[snap.Accounts[i].ID] = &snap.Accounts[i]
	}
	for i := range snap.Profiles {
		st.profiles[snap.Profiles[i].ID] = &snap.Profiles[i]
	}
	for _, a := range snap.PermissionSets {
		if !a.IsOwnedByProfile.IsTrue() {
			st.permSets[a.AssigneeID] = append(st.permSets[a.AssigneeID], a.PermissionSetID)
		}
	}
	for _, a := range snap.PermissionSetLicenses {
		st.permSetLicenses[a.AssigneeID] = append(st.permSetLicenses[a.AssigneeID], a.ID)
	}
	for i := range snap.Licenses {
		st.licenses[snap.Licenses[i].Name] = &snap.Licenses[i]
	}
	return st
}

// accountIsPartner is the account's IsPartner, from Account.csv or, for an
// account known only from User.csv, from its users' Account.IsPartner.
func (st *state) accountIsPartner(id string) org.Tri {
	if a, ok := st.accounts[id]; ok {
		return a.IsPartner
	}
	for i := range st.snap.Users {
		if u := &st.snap.Users[i]; u.AccountID == id && u.AccountIsPartner.Known() {
			return u.AccountIsPartner
		}
	}
	return org.Unknown
}

// newUserOf returns the active user of contactID other than oldID: the
// user a create step made (or someone else did).
func (st *state) newUserOf(contactID, oldID string) *org.User {
	for _, u := range st.active[contactID] {
		if u.ID != oldID {
			return u
		}
	}
	return nil
}

// free returns the free seats of license name, and whether they are
// known.
func (st *state) free(name string) (int, bool) {
	l, ok := st.licenses[name]
	if !ok || l.TotalLicenses < 0 || l.UsedLicenses < 0 {
		return 0, false
	}
	return l.TotalLicenses - l.UsedLicenses, true
}

// sameID compares Salesforce Ids (org.SameID).
func sameID(a, b string) bool { return org.SameID(a, b) }

// sameText compares picklist-like values ignoring case.
func sameText(a, b string) bool { return strings.EqualFold(a, b) }
