package planner

import (
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
)

// The plan carries what the load files and apply need: the target
// profile's Id, what it saw of each record, and for a user disabled and
// enabled again the record to create.
func TestUserRecordFields(t *testing.T) {
	snap, tg := demoInput(t)
	profID := map[string]string{}
	for _, p := range snap.Profiles {
		profID[strings.ToLower(p.Name)] = p.ID
	}
	byID := map[string]*org.User{}
	for i := range snap.Users {
		byID[snap.Users[i].ID] = &snap.Users[i]
	}
	p := Build(snap, table(t), tg, Options{Now: now, Source: Source{Kind: "demo"}})
	reenabled := 0
	for _, u := range p.Users.All() {
		src := byID[u.UserID]
		t.Run(u.Username, func(t *testing.T) {
			if !u.Outcome.IsChange() {
				if u.Seen != nil || u.ToProfileID != "" || u.NewUser != nil {
					t.Errorf("unchanged user (%s) has seen %+v, toProfileId %q, newUser %+v", u.Outcome, u.Seen, u.ToProfileID, u.NewUser)
				}
				return
			}
			if want := profID[strings.ToLower(u.ToProfile)]; u.ToProfileID != want {
				t.Errorf("toProfileId = %q, want %q (the Id of %q)", u.ToProfileID, want, u.ToProfile)
			}
			want := UserSeen{ProfileID: src.ProfileID, RoleID: src.RoleID, ContactID: src.ContactID,
				IsActive: src.IsActive.String(), IsPortalEnabled: src.IsPortalEnabled.String()}
			if u.Seen == nil || *u.Seen != want {
				t.Errorf("seen = %+v, want %+v", u.Seen, want)
			}
			if (u.NewUser != nil) != (u.Outcome == rules.DisableReenable) {
				t.Fatalf("outcome %s, newUser %+v", u.Outcome, u.NewUser)
			}
			if u.NewUser == nil {
				return
			}
			reenabled++
			nu := *u.NewUser
			if nu.ContactID != src.ContactID || nu.ContactID == "" || nu.ProfileID != u.ToProfileID || nu.Username != src.Username {
				t.Errorf("newUser = %+v: want contact %s, profile %s, username %s", nu, src.ContactID, u.ToProfileID, src.Username)
			}
			if nu.Email != src.New.Get(org.NewUserEmail) || nu.LastName != src.New.Get(org.NewUserLastName) ||
				nu.LanguageLocaleKey != src.New.Get(org.NewUserLanguageLocaleKey) {
				t.Errorf("newUser = %+v, want the fields of %v", nu, src.New.Values())
			}
		})
	}
	if reenabled == 0 {
		t.Fatal("the demo plan has no user disabled and enabled again")
	}
	// The plan copies the snapshot: changing it afterwards changes nothing.
	for i := range snap.Users {
		v := snap.Users[i].New.Values()
		v[org.NewUserEmail] = "changed"
		snap.Users[i].New, _ = org.MakeNewUserFields(v)
		snap.Users[i].ContactID = "changed"
	}
	for _, u := range p.Users.All() {
		if (u.Seen != nil && u.Seen.ContactID == "changed") || (u.NewUser != nil && u.NewUser.Email == "changed") {
			t.Fatalf("user %s changed with the snapshot", u.Username)
		}
	}
}

// A re-created user keeps its place in the account's role hierarchy where
// the plan can tell: its own role when the target uses the same portal
// type, else the account's role of the target type at the same level.
func TestNewRoleID(t *testing.T) {
	tb := table(t)
	lic := func(n string) *rules.License { l, _ := tb.Catalog.Lookup(n); return l }
	rt := &recordTable{snapRoles: []org.Role{
		{ID: "00EPW", PortalAccountID: "001A", PortalType: "Partner", PortalRole: "Worker"},
		{ID: "00EPM", PortalAccountID: "001A", PortalType: "Partner", PortalRole: "Manager"},
		{ID: "00ECM", PortalAccountID: "001B", PortalType: "CustomerPortal", PortalRole: "Manager"},
	}}
	manager := org.User{AccountID: "001A", RoleID: "00ECM1", RolePortalType: "CustomerPortal", RolePortalRole: "Manager"}
	tests := []struct {
		name string
		u    org.User
		to   string
		want string
	}{
		{"same portal type: the old role", manager, "Customer Community Plus", "00ECM1"},
		{"partner role at the same level", manager, "Partner Community", "00EPM"},
		{"no such role on the account yet", org.User{AccountID: "001B", RoleID: "00EX", RolePortalType: "Partner", RolePortalRole: "Executive"}, "Customer Community Plus", ""},
		{"a target without roles", manager, "Customer Community", ""},
		{"the old user had no role", org.User{AccountID: "001A"}, "Partner Community", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rt.newRoleID(&tt.u, lic(tt.to)); got != tt.want {
				t.Errorf("newRoleID = %q, want %q", got, tt.want)
			}
		})
	}
}
