package planner

import (
	"strings"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
)

// recordTable holds the Ids and fields a built plan copies from each
// user's record for the load files and apply (UserPlan.Seen, ToProfileID,
// NewUser): the target profiles' Ids, the records of the users the plan
// changes (only those: apply re-reads only them), and the new-user fields
// of the users who are disabled and enabled again. (Holding the profile and role Ids as indexes into a table
// of distinct Ids saved 16 bytes a user but cost more time in map lookups
// than it saved, in BenchmarkBuild.)
type recordTable struct {
	// profIDs holds, per shared.strs index that names a profile, its Id
	// ("" when Profile.csv does not list it).
	profIDs []string
	recs    []record            // person.rec indexes it
	fields  []org.NewUserFields // record.fields indexes it
	// roles finds an account's portal role by type and level, for the
	// new users' UserRoleId; made when first needed.
	roles     map[roleKey]string
	snapRoles []org.Role
}

// roleKey names a portal role of an account: its portal type and level
// (PortalRole: Worker, Manager, Executive), both lower-case.
type roleKey struct{ account, portalType, level string }

// record is what a person holds of its user's record.
type record struct {
	contactID, profileID, roleID string
	fields                       int32 // index into recordTable.fields, or -1
	active, enabled              org.Tri
	// newRole is the new user's UserRoleId, for a user enabled again on
	// a role-based license: see newRoleID.
	newRole string
}

func newRecordTable(sh *shared, lk *lookups, ds *decisions) recordTable {
	changes, reenabled := 0, 0
	for i := range ds.dec {
		if o := ds.dec[i].outcome; o.IsChange() {
			changes++
			if o == rules.DisableReenable {
				reenabled++
			}
		}
	}
	rt := recordTable{profIDs: make([]string, len(sh.strs)),
		recs: make([]record, 0, changes), fields: make([]org.NewUserFields, 0, reenabled), snapRoles: lk.snap.Roles}
	for i, name := range sh.strs {
		rt.profIDs[i] = lk.profileID(name)
	}
	return rt
}

// record copies what the plan keeps of u's record, when u's outcome o is a
// change to license to (nil when unknown), and returns its index (-1 for
// none). The new-user fields are kept only when o enables u's contact
// again.
func (rt *recordTable) record(u *org.User, o rules.Outcome, to *rules.License) int32 {
	if !o.IsChange() {
		return -1
	}
	r := record{contactID: u.ContactID, profileID: u.ProfileID, roleID: u.RoleID, fields: -1,
		active: u.IsActive, enabled: u.IsPortalEnabled}
	if o == rules.DisableReenable && !u.New.IsZero() {
		r.fields = int32(len(rt.fields))
		rt.fields = append(rt.fields, u.New)
	}
	if o == rules.DisableReenable {
		r.newRole = rt.newRoleID(u, to)
	}
	rt.recs = append(rt.recs, r)
	return int32(len(rt.recs) - 1)
}

// seen returns record i as UserSeen, nil for -1.
func (rt *recordTable) seen(i int32) *UserSeen {
	if i < 0 {
		return nil
	}
	r := &rt.recs[i]
	return &UserSeen{ProfileID: r.profileID, RoleID: r.roleID, ContactID: r.contactID,
		IsActive: r.active.String(), IsPortalEnabled: r.enabled.String()}
}

// newUser is the user record that enables p's contact again with the
// profile of Id profileID; nil when the plan kept no fields for p.
func (rt *recordTable) newUser(p *person, profileID string) *NewUser {
	if p.rec < 0 || rt.recs[p.rec].fields < 0 {
		return nil
	}
	r := &rt.recs[p.rec]
	f := rt.fields[r.fields].Values()
	return &NewUser{
		ContactID: r.contactID, ProfileID: profileID, Username: p.username,
		Email: f[org.NewUserEmail], FirstName: f[org.NewUserFirstName], LastName: f[org.NewUserLastName],
		Alias: f[org.NewUserAlias], CommunityNickname: f[org.NewUserCommunityNickname],
		TimeZoneSidKey: f[org.NewUserTimeZoneSidKey], LocaleSidKey: f[org.NewUserLocaleSidKey],
		EmailEncodingKey: f[org.NewUserEmailEncodingKey], LanguageLocaleKey: f[org.NewUserLanguageLocaleKey],
		UserRoleID: r.newRole,
	}
}

// newRoleID is the role the new user of u gets on role-based license to:
// the old user's own role when it is a portal role of the target's type,
// else the account's role of that type at the old role's level (a
// Manager stays a Manager), from UserRole.csv. "" when the target needs
// no role, the old user had none, or the account has no such role yet:
// Salesforce then gives the account's lowest role (creating the roles
// when there are none), as the ROLE_REQUIRED warning says.
func (rt *recordTable) newRoleID(u *org.User, to *rules.License) string {
	if to == nil || !to.RequiresRole || u.RoleID == "" || u.AccountID == "" || u.RolePortalRole == "" {
		return ""
	}
	want := to.PortalType()
	if strings.EqualFold(u.RolePortalType, want) {
		return u.RoleID
	}
	if rt.roles == nil {
		rt.roles = make(map[roleKey]string)
		for _, r := range rt.snapRoles {
			if r.PortalAccountID != "" && r.PortalRole != "" {
				rt.roles[roleKey{r.PortalAccountID, strings.ToLower(r.PortalType), strings.ToLower(r.PortalRole)}] = r.ID
			}
		}
	}
	return rt.roles[roleKey{u.AccountID, strings.ToLower(want), strings.ToLower(u.RolePortalRole)}]
}
