package planner

import (
	"slices"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// Account Ids of ownerRoleFixture.
const (
	acctNoRole  = "001000000000NNNAAA" // owner has no role; users move to role-based licenses
	acctHasRole = "001000000000HHHAAA" // owner has a role
	acctUnknown = "001000000000UUUAAA" // owner's role unknown (Owner.UserRoleId blank column)
	acctMinor   = "001000000000MMMAAA" // owner has no role, but no change needs one
)

// ownerRoleFixture is a small org for the owner-role and profile-change
// steps, with its targets.
func ownerRoleFixture(t *testing.T) (*org.Snapshot, *targets.Set) {
	t.Helper()
	u := func(id, username, lic, acct string) org.User {
		return org.User{ID: id, Username: username, Name: username, IsActive: org.True, License: lic,
			AccountID: acct, ContactID: "003" + id[3:], ProfileName: lic + " User"}
	}
	snap := &org.Snapshot{
		Users: []org.User{
			u("0051", "hv.n@x", "High Volume Customer Portal", acctNoRole),
			u("0052", "cc.n@x", "Customer Community", acctNoRole),
			u("0053", "cpm.n@x", "Customer Portal Manager Custom", acctNoRole),
			u("0054", "hv.h@x", "High Volume Customer Portal", acctHasRole),
			u("0055", "hv.u@x", "High Volume Customer Portal", acctUnknown),
			u("0056", "cc.m@x", "Customer Community", acctMinor),
			u("0057", "prof@x", "Customer Community", acctHasRole),
			u("0058", "same@x", "Customer Community", acctHasRole),
			u("0059", "noprof@x", "Customer Community", acctHasRole),
		},
		Accounts: []org.Account{
			{ID: acctNoRole, Name: "Noowner", IsPartner: org.False, OwnerID: "005OWNER", OwnerHasRole: org.False},
			{ID: acctHasRole, Name: "Hasrole", IsPartner: org.False, OwnerID: "005OWNH", OwnerRoleID: "00EH", OwnerHasRole: org.True},
			{ID: acctUnknown, Name: "Unknown", IsPartner: org.False, OwnerID: "005OWNU"},
			{ID: acctMinor, Name: "Minor", IsPartner: org.False, OwnerID: "005OWNM", OwnerHasRole: org.False},
		},
		Roles: []org.Role{{ID: "00EX00000000001", Name: "Channel Manager", PortalType: "None"},
			{ID: "00EY", PortalType: "None"}, {ID: "00EZ", PortalType: "None"},
			{ID: "00EP", Name: "Noowner Customer User", PortalType: "CustomerPortal", PortalAccountID: acctNoRole}},
		Profiles: []org.Profile{
			{ID: "00e1", Name: "Customer Community User", License: "Customer Community"},
			{ID: "00e2", Name: "Customer Community Plus User", License: "Customer Community Plus"},
			{ID: "00e3", Name: "Partner Community User", License: "Partner Community"},
			{ID: "00e6", Name: "Customer Community Custom", License: "Customer Community"},
			{ID: "00e7", Name: "Customer Community Login User", License: "Customer Community Login"},
		},
		Has: org.Presence{Accounts: true, Roles: true, Profiles: true, AccountIsPartner: true, AccountOwnerRole: true, IsActive: true},
	}
	tg, err := targets.ParseCSV("test", strings.NewReader(`Username,TargetLicense,TargetProfile
hv.n@x,Customer Community Plus,
cc.n@x,Customer Community Login,
cpm.n@x,Partner Community,
hv.h@x,Customer Community Plus,
hv.u@x,Customer Community Plus,
cc.m@x,Customer Community Login,
prof@x,Customer Community,Customer Community Custom
same@x,Customer Community,customer community USER
noprof@x,Customer Community,
`), table(t).Catalog)
	if err != nil {
		t.Fatal(err)
	}
	return snap, tg
}

func ownerRoleSteps(p *Plan) map[string]Step {
	m := map[string]Step{}
	for _, s := range p.Steps.All() {
		if s.Action == AssignOwnerRole {
			m[s.AccountID] = s
		}
	}
	return m
}

// An account whose owner has no role gets one assign_owner_role step, with
// the owner and the configured role, and every other step on the account
// depends on it; an owner with a role, or whose role is unknown (the
// ACCOUNT_OWNER_NO_ROLE warning does not fire then either), or whose
// account has no change that needs one, gets no step.
func TestAssignOwnerRole(t *testing.T) {
	snap, tg := ownerRoleFixture(t)
	tests := []struct {
		name     string
		roles    map[string]string
		wantRole string
		wantDesc string
		wantNote string // in the plan's notes
	}{
		{"no role configured", nil, "", "choose an internal role", ""},
		{"role for every account", map[string]string{OwnerRoleAll: "00EX00000000001"}, "00EX00000000001", `the role "Channel Manager" (00EX00000000001)`, ""},
		{"role for the account beats *", map[string]string{OwnerRoleAll: "00EY", acctNoRole: "00EZ"}, "00EZ", "the role 00EZ ", ""},
		{"a 15-character Id names the 18-character one", map[string]string{acctNoRole[:15]: "00EZ"}, "00EZ", "the role 00EZ ", ""},
		{"another account's role does not apply", map[string]string{acctMinor: "00EZ"}, "", "choose an internal role", ""},
		{"a role the org does not have is not given", map[string]string{OwnerRoleAll: "00EQ"}, "", "choose an internal role",
			"owner-roles: role 00EQ is not a role of this org (not in UserRole.csv)"},
		{"a portal role is not given", map[string]string{OwnerRoleAll: "00EP"}, "", "choose an internal role",
			"owner-roles: role 00EP is a portal role (PortalType CustomerPortal)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Build(snap, table(t), tg, Options{Now: now, OwnerRoles: tt.roles})
			notes := strings.Join(p.Notes, "\n")
			if tt.wantNote != "" && !strings.Contains(notes, tt.wantNote) {
				t.Errorf("notes %q lack %q", p.Notes, tt.wantNote)
			}
			if tt.wantNote == "" && strings.Contains(notes, "owner-roles") {
				t.Errorf("notes %q name owner-roles", p.Notes)
			}
			got := ownerRoleSteps(p)
			if len(got) != 1 {
				t.Fatalf("assign_owner_role steps on %v, want only %s", slices.Collect(func(yield func(string) bool) {
					for k := range got {
						yield(k)
					}
				}), acctNoRole)
			}
			st, ok := got[acctNoRole]
			if !ok {
				t.Fatalf("no assign_owner_role step on %s", acctNoRole)
			}
			if st.Phase != Prepare || !st.Reversible || st.UserID != "" || st.OwnerID != "005OWNER" || st.RoleID != tt.wantRole || len(st.DependsOn) != 0 {
				t.Errorf("step %+v: want prepare, reversible, owner 005OWNER, role %q, no dependencies", st, tt.wantRole)
			}
			if !strings.Contains(st.Description, tt.wantDesc) || !strings.Contains(st.Description, `"Noowner"`) {
				t.Errorf("description %q lacks %q", st.Description, tt.wantDesc)
			}
			// Every other step on the account depends on it, directly.
			var on []string
			for _, s := range p.Steps.All() {
				if s.AccountID != acctNoRole || s.Seq == st.Seq {
					continue
				}
				on = append(on, s.Action.String())
				if !slices.Contains(s.DependsOn, st.Seq) || s.Seq < st.Seq {
					t.Errorf("step %d (%s) depends on %v, not on %d", s.Seq, s.Action, s.DependsOn, st.Seq)
				}
			}
			want := []string{"enable_partner_account", "change_license", "change_license", "disable_user", "create_user", "transfer_records"}
			if !slices.Equal(on, want) {
				t.Errorf("steps on the account %v, want %v", on, want)
			}
			var acct AccountPlan
			for _, a := range p.Accounts {
				if a.AccountID == acctNoRole {
					acct = a
				}
			}
			if acct.OwnerRoleStep != st.Seq || acct.EnablePartnerStep != st.Seq+1 {
				t.Errorf("account %+v: ownerRoleStep, enablePartnerStep want %d, %d", acct, st.Seq, st.Seq+1)
			}
			// The steps of the other accounts depend on no owner step.
			for _, s := range p.Steps.All() {
				if s.AccountID != acctNoRole && len(s.DependsOn) > 0 && s.Action != TransferRecords && s.Action != CreateUser {
					t.Errorf("step %d (%s) on %s depends on %v", s.Seq, s.Action, s.AccountID, s.DependsOn)
				}
			}
		})
	}
	// The warning still names the account, for the users who need it only.
	p := Build(snap, table(t), tg, Options{Now: now})
	for _, tt := range []struct {
		user string
		want bool
	}{{"hv.n@x", true}, {"cpm.n@x", true}, {"cc.n@x", false}, {"hv.h@x", false}, {"hv.u@x", false}, {"cc.m@x", false}} {
		if got := user(t, p, tt.user).HasWarning(rules.AccountOwnerNoRole); got != tt.want {
			t.Errorf("%s warns ACCOUNT_OWNER_NO_ROLE: %v, want %v", tt.user, got, tt.want)
		}
	}
}

// A target profile of the user's own license is a change_profile, a
// reversible convert step that writes the user's profile; the user's own
// profile (any case), or no target profile, stays no_change.
func TestChangeProfile(t *testing.T) {
	snap, tg := ownerRoleFixture(t)
	p := Build(snap, table(t), tg, Options{Now: now})
	tests := []struct {
		user        string
		outcome     rules.Outcome
		actions     []string
		toProfile   string
		toProfileID string
	}{
		{"prof@x", rules.ChangeProfile, []string{"change_profile"}, "Customer Community Custom", "00e6"},
		{"same@x", rules.NoChange, nil, "Customer Community User", ""},
		{"noprof@x", rules.NoChange, nil, "Customer Community User", ""},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			up := user(t, p, tt.user)
			if up.Outcome != tt.outcome || up.ToProfile != tt.toProfile || up.ToLicense != up.FromLicense {
				t.Errorf("outcome %s, %s / %s; want %s, %s / %s", up.Outcome, up.ToLicense, up.ToProfile, tt.outcome, up.FromLicense, tt.toProfile)
			}
			if got := actionsOf(p, up); !slices.Equal(got, tt.actions) {
				t.Errorf("actions %v, want %v", got, tt.actions)
			}
			if (up.Seen != nil) != (tt.outcome == rules.ChangeProfile) {
				t.Errorf("seen %+v for outcome %s", up.Seen, up.Outcome)
			}
			if tt.outcome != rules.ChangeProfile {
				return
			}
			if up.ToProfileID != tt.toProfileID || up.RuleID != "SAME" || !up.HasWarning(rules.SiteMembership) {
				t.Errorf("user %+v: want toProfileId %s, rule SAME, SITE_MEMBERSHIP", up, tt.toProfileID)
			}
			st := p.Steps.At(up.Steps[0] - 1)
			if st.Phase != Convert || !st.Reversible || st.UserID != up.UserID || len(st.DependsOn) != 0 ||
				!strings.Contains(st.Description, `"Customer Community Custom"`) {
				t.Errorf("step %+v", st)
			}
		})
	}
	if n := p.Summary.Count(rules.ChangeProfile); n != 1 || !p.HasChanges() {
		t.Errorf("summary counts %d change_profile, HasChanges %v; want 1, true", n, p.HasChanges())
	}
	// A profile change moves no seat.
	for _, lc := range p.Licenses {
		if lc.License == "Customer Community" && lc.MovingIn != 0 {
			t.Errorf("Customer Community: %d moving in, want 0 (only profiles change within it)", lc.MovingIn)
		}
	}
	// A plan whose only change is a profile change has changes.
	only := &org.Snapshot{Users: snap.Users[6:7], Profiles: snap.Profiles, Has: snap.Has}
	if q := Build(only, table(t), tg, Options{Now: now}); !q.HasChanges() || q.Steps.Len() != 1 {
		t.Errorf("a profile change alone: HasChanges %v, %d steps; want true, 1", q.HasChanges(), q.Steps.Len())
	}
}
