package planner

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func table(t testing.TB) *rules.Table {
	t.Helper()
	tb, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// fixture is a small org: an account per situation the rules care about.
func fixture() *org.Snapshot {
	u := func(id, username, lic, acct, acctName string, mods ...func(*org.User)) org.User {
		x := org.User{ID: id, Username: username, Name: username, IsActive: org.True, License: lic,
			AccountID: acct, AccountName: acctName, ProfileName: lic + " User"}
		if acct != "" {
			x.ContactID = "003" + id[3:]
		}
		for _, m := range mods {
			m(&x)
		}
		return x
	}
	inactive := func(x *org.User) { x.IsActive = org.False }
	noContact := func(x *org.User) { x.ContactID = "" }
	role := func(t string) func(*org.User) {
		return func(x *org.User) { x.RoleID, x.RolePortalType = "00E"+x.ID[3:], t }
	}
	return &org.Snapshot{
		Organization: &org.Organization{ID: "00D1", Name: "Test Org", IsSandbox: org.True},
		Users: []org.User{
			u("0051", "cc.a@x", "Customer Community", "001A", "Alpha"),
			u("0052", "cc.b@x", "Customer Community", "001A", "Alpha"),
			u("0053", "ccplus@x", "Customer Community Plus", "001B", "Beta", role("CustomerPortal")),
			u("0054", "cpm@x", "Customer Portal Manager Custom", "001P", "Partnerco", role("CustomerPortal")),
			u("0055", "chatter@x", "Chatter Free", "", ""),
			u("0056", "gone@x", "Customer Community", "001B", "Beta", inactive),
			u("0057", "widget@x", "Legacy Widget Portal", "001B", "Beta"),
			u("0058", "widget2@x", "Legacy Widget Portal", "001B", "Beta"),
			u("0059", "hv@x", "High Volume Customer Portal", "001N", "Noowner"),
			u("0060", "ext@x", "External Identity", "001B", "Beta", noContact),
			u("0061", "cc.c@x", "Customer Community", "001B", "Beta"),
			u("0062", "stay@x", "Customer Community", "001B", "Beta"),
			u("0063", "gold@x", "Gold Partner", "001P", "Partnerco", role("Partner")),
		},
		Accounts: []org.Account{
			{ID: "001A", Name: "Alpha", IsPartner: org.False, OwnerHasRole: org.True},
			{ID: "001B", Name: "Beta", IsPartner: org.False, OwnerHasRole: org.True},
			{ID: "001P", Name: "Partnerco", IsPartner: org.True, OwnerHasRole: org.True},
			{ID: "001N", Name: "Noowner", IsPartner: org.False, OwnerHasRole: org.False},
		},
		Roles: []org.Role{{ID: "00EB", Name: "Beta Customer User", PortalType: "CustomerPortal", PortalAccountID: "001B"}},
		Licenses: []org.UserLicense{
			{Name: "Customer Community", TotalLicenses: 100, UsedLicenses: 50},
			{Name: "Customer Community Plus", TotalLicenses: 10, UsedLicenses: 10},
			{Name: "Partner Community", TotalLicenses: 100, UsedLicenses: 0},
		},
		Profiles: []org.Profile{
			{ID: "00e1", Name: "Customer Community User", License: "Customer Community"},
			{ID: "00e2", Name: "Customer Community Plus User", License: "Customer Community Plus"},
			{ID: "00e3", Name: "Partner Community User", License: "Partner Community"},
			{ID: "00e4", Name: "Custom Partner", License: "Partner Community"},
			{ID: "00e5", Name: "Salesforce Platform User", License: "Salesforce Platform"},
		},
		PermissionSets: []org.PermissionSetAssignment{
			{AssigneeID: "0061", PermissionSetID: "0PS1", PermissionSetName: "Case_Access", IsOwnedByProfile: org.False},
			{AssigneeID: "0061", PermissionSetID: "0PS2", PermissionSetName: "X00e1", IsOwnedByProfile: org.True},
		},
		ObjectPermissions: []org.ObjectPermission{
			{ParentID: "0PS1", SobjectType: "Case", ViewAllRecords: true},
			{ParentID: "0PS2", SobjectType: "Account", ViewAllRecords: true, ModifyAllRecords: true},
		},
		PermissionSetLicenses: []org.PermissionSetLicenseAssign{{AssigneeID: "0061", Label: "Knowledge PSL"}},
		Has: org.Presence{Accounts: true, Roles: true, Licenses: true, Profiles: true, PermissionSets: true, ObjectPermissions: true,
			PermissionSetLicenses: true, Organization: true, AccountIsPartner: true, AccountOwnerRole: true, UserType: true, IsActive: true},
	}
}

func fixtureTargets(t testing.TB) *targets.Set {
	t.Helper()
	csv := `Username,TargetLicense,TargetProfile
cc.a@x,Partner Community,
cc.b@x,Partner Community,Custom Partner
ccplus@x,Customer Community,
cpm@x,Partner Community,
chatter@x,Customer Community,
gone@x,Customer Community Plus,
widget@x,Customer Community,
hv@x,Customer Community Plus,
ext@x,Customer Community,
cc.c@x,Customer Community Plus,Partner Community User
gold@x,Partner Community Login,
nobody@x,Customer Community,
`
	s, err := targets.ParseCSV("t.csv", strings.NewReader(csv), table(t).Catalog)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := targets.Merge(s)
	if err != nil {
		t.Fatal(err)
	}
	return s2
}

func build(t testing.TB, opts Options) *Plan {
	t.Helper()
	opts.Now = now
	return Build(fixture(), table(t), fixtureTargets(t), opts)
}

func user(t *testing.T, p *Plan, username string) *UserPlan {
	t.Helper()
	for _, u := range p.Users.All() {
		if u.Username == username {
			return &u
		}
	}
	t.Fatalf("user %s not in plan", username)
	return nil
}

func codesOf(ws []Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, string(w.Code))
	}
	return out
}

func actionsOf(p *Plan, up *UserPlan) []string {
	var out []string
	for _, s := range up.Steps {
		out = append(out, p.Steps.At(s-1).Action.String())
	}
	return out
}

func TestUserOutcomes(t *testing.T) {
	p := build(t, Options{})
	tests := []struct {
		user     string
		outcome  rules.Outcome
		rule     string
		actions  []string
		warnings []rules.Code
		absent   []rules.Code
	}{
		{"cc.a@x", rules.ChangeInPlace, "H000.CC.PC", []string{"change_license"},
			[]rules.Code{rules.PartnerAccountRequired, rules.Irreversible, rules.RoleRequired, rules.RoleCreated, rules.GroupMembership, rules.SharingRecalculation, rules.SiteMembership},
			[]rules.Code{rules.NewUserRecord, rules.PermissionSetsRemoved}},
		{"ccplus@x", rules.DisableReenable, "H000.CCPLUS.CC", []string{"disable_user", "create_user", "transfer_records"},
			[]rules.Code{rules.NewUserRecord, rules.FunctionalityLoss, rules.SiteMembership},
			[]rules.Code{rules.Irreversible, rules.PartnerAccountRequired}},
		{"cpm@x", rules.DisableReenable, "H000.CPM.PC", []string{"disable_user", "create_user", "transfer_records"},
			[]rules.Code{rules.NewUserRecord, rules.RoleRequired, rules.GroupMembership},
			// Partnerco has partner roles already (gold@x holds one).
			[]rules.Code{rules.PartnerAccountRequired, rules.FunctionalityLoss, rules.RoleCreated}},
		{"chatter@x", rules.Recreate, "M001.R13.R", []string{"deactivate_user", "create_user", "transfer_records"},
			[]rules.Code{rules.NoConversionPath, rules.NewUserRecord, rules.NoContact}, nil},
		{"gone@x", rules.Skipped, "", nil, []rules.Code{rules.InactiveUser}, []rules.Code{rules.Irreversible}},
		{"widget@x", rules.Invalid, "", nil, []rules.Code{rules.UnknownLicense}, nil},
		{"widget2@x", rules.NoChange, "", nil, []rules.Code{rules.UnknownLicense}, nil},
		{"hv@x", rules.ChangeInPlace, "H000.HIGH-VOLUME.CCPLUS", []string{"change_license"},
			[]rules.Code{rules.AccountOwnerNoRole, rules.SelfRegistrationSlower, rules.Irreversible, rules.RoleCreated},
			[]rules.Code{rules.ScaleLimit}},
		{"ext@x", rules.ChangeInPlace, "H000.HIGH-VOLUME.CC", []string{"change_license"}, []rules.Code{rules.NoContact},
			[]rules.Code{rules.Irreversible, rules.RoleRequired}},
		{"cc.c@x", rules.ChangeInPlace, "H000.CC.CCPLUS", []string{"change_license", "reassign_permission_sets"},
			[]rules.Code{rules.PermissionSetsRemoved, rules.ViewAllRecordsLost, rules.ModifyAllRecordsLost, rules.TargetProfileMismatch, rules.ScaleLimit, rules.RoleRequired},
			[]rules.Code{rules.RoleCreated}},
		{"stay@x", rules.NoChange, "", nil, nil, []rules.Code{rules.UnknownLicense}},
		{"gold@x", rules.ChangeInPlace, "H000.PARTNER-PORTAL.PC", []string{"change_license"}, []rules.Code{rules.SiteMembership},
			[]rules.Code{rules.PartnerAccountRequired, rules.Irreversible, rules.RoleRequired, rules.RoleCreated}},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			up := user(t, p, tt.user)
			if up.Outcome != tt.outcome || up.RuleID != tt.rule {
				t.Errorf("outcome %s rule %q, want %s %q", up.Outcome, up.RuleID, tt.outcome, tt.rule)
			}
			if got := actionsOf(p, up); !slices.Equal(got, tt.actions) {
				t.Errorf("actions %v, want %v", got, tt.actions)
			}
			got := codesOf(up.Warnings)
			for _, c := range tt.warnings {
				if !slices.Contains(got, string(c)) {
					t.Errorf("warnings %v lack %s", got, c)
				}
			}
			for _, c := range tt.absent {
				if slices.Contains(got, string(c)) {
					t.Errorf("warnings %v include %s", got, c)
				}
			}
			for i := 1; i < len(up.Warnings); i++ {
				if up.Warnings[i-1].Code.Rank() > up.Warnings[i].Code.Rank() {
					t.Errorf("warnings not ordered by severity: %v", got)
				}
			}
		})
	}
}

func TestWarningMessagesNameSpecifics(t *testing.T) {
	p := build(t, Options{})
	msg := func(username string, c rules.Code) string {
		for _, w := range user(t, p, username).Warnings {
			if w.Code == c {
				return w.Message
			}
		}
		t.Fatalf("%s has no %s", username, c)
		return ""
	}
	tests := []struct {
		user string
		code rules.Code
		want []string
	}{
		{"cc.c@x", rules.PermissionSetsRemoved, []string{"Case_Access", "Knowledge PSL"}},
		{"cc.c@x", rules.ViewAllRecordsLost, []string{"Account, Case", "Customer Community Plus"}},
		{"cc.c@x", rules.ModifyAllRecordsLost, []string{"Account"}},
		{"cc.c@x", rules.TargetProfileMismatch, []string{`"Partner Community User"`, `"Partner Community"`}},
		{"cc.a@x", rules.RoleRequired, []string{`"Alpha Partner User"`}},
		{"cc.a@x", rules.RoleCreated, []string{`"Alpha"`, "partner"}},
		{"chatter@x", rules.NoConversionPath, []string{"You can only reassign this user to a profile of the current license."}},
		{"widget@x", rules.UnknownLicense, []string{`"Legacy Widget Portal"`}},
		{"hv@x", rules.AccountOwnerNoRole, []string{`"Noowner"`}},
	}
	for _, tt := range tests {
		t.Run(tt.user+" "+string(tt.code), func(t *testing.T) {
			m := msg(tt.user, tt.code)
			for _, w := range tt.want {
				if !strings.Contains(m, w) {
					t.Errorf("message %q lacks %q", m, w)
				}
			}
		})
	}
	if strings.Contains(msg("cc.c@x", rules.PermissionSetsRemoved), "X00e1") {
		t.Error("profile-owned permission set listed as removed")
	}
}

func TestPartnerAccountStep(t *testing.T) {
	p := build(t, Options{})
	var enable []Step
	for _, s := range p.Steps.All() {
		if s.Action == EnablePartnerAccount {
			enable = append(enable, s)
		}
	}
	if len(enable) != 1 || enable[0].AccountID != "001A" || enable[0].Seq != 1 || enable[0].Phase != Prepare {
		t.Fatalf("enable steps %+v, want one for Alpha at seq 1", enable)
	}
	for _, name := range []string{"cc.a@x", "cc.b@x"} {
		up := user(t, p, name)
		first := p.Steps.At(up.Steps[0] - 1)
		if !slices.Contains(first.DependsOn, 1) {
			t.Errorf("%s's %s does not depend on the enable step: %v", name, first.Action, first.DependsOn)
		}
	}
	if p.Summary.PartnerAccountsToEnable != 1 {
		t.Errorf("summary partner accounts %d", p.Summary.PartnerAccountsToEnable)
	}
	if cc := user(t, p, "cc.b@x"); cc.ToProfile != "Custom Partner" {
		t.Errorf("given target profile not used: %q", cc.ToProfile)
	}
	if cc := user(t, p, "cc.a@x"); cc.ToProfile != "Partner Community User" {
		t.Errorf("default profile %q, want the standard <License> User", cc.ToProfile)
	}
}

func TestStepInvariants(t *testing.T) {
	p := build(t, Options{IncludeInactive: true})
	owner := map[int]string{}
	steps := p.Steps.Slice()
	for _, u := range p.Users.All() {
		for _, s := range u.Steps {
			if prev, dup := owner[s]; dup {
				t.Errorf("step %d belongs to %s and %s", s, prev, u.UserID)
			}
			owner[s] = u.UserID
			if steps[s-1].UserID != u.UserID {
				t.Errorf("step %d user %s, listed under %s", s, steps[s-1].UserID, u.UserID)
			}
		}
	}
	for i, s := range steps {
		if s.Seq != i+1 {
			t.Fatalf("step %d has seq %d", i+1, s.Seq)
		}
		if i > 0 && steps[i-1].Phase > s.Phase {
			t.Errorf("step %d: phase %s after %s", s.Seq, s.Phase, steps[i-1].Phase)
		}
		for _, d := range s.DependsOn {
			if d >= s.Seq || d < 1 {
				t.Errorf("step %d depends on %d", s.Seq, d)
			}
		}
		if s.Description == "" || s.DependsOn == nil || (s.UserID == "" && !s.Action.OnAccount()) {
			t.Errorf("step %d incomplete: %+v", s.Seq, s)
		}
		if _, ok := owner[s.Seq]; !ok && !s.Action.OnAccount() {
			t.Errorf("step %d belongs to no user", s.Seq)
		}
	}
	if p.Summary.Steps != p.Steps.Len() || p.Summary.Users != 13 {
		t.Errorf("summary %+v", p.Summary)
	}
	// Irreversible upgrades are not reversible steps.
	for _, s := range user(t, p, "hv@x").Steps {
		if st := p.Steps.At(s - 1); st.Action == ChangeLicense && st.Reversible {
			t.Error("an upgrade to a role-based license is marked reversible")
		}
	}
	for _, s := range user(t, p, "ext@x").Steps {
		if st := p.Steps.At(s - 1); st.Action == ChangeLicense && !st.Reversible {
			t.Error("External Identity -> Customer Community marked irreversible though no role is involved")
		}
	}
}

func TestInactiveIncluded(t *testing.T) {
	p := build(t, Options{IncludeInactive: true})
	up := user(t, p, "gone@x")
	if up.Outcome != rules.ChangeInPlace || !up.HasWarning(rules.InactiveUser) {
		t.Errorf("inactive user with IncludeInactive: %s %v", up.Outcome, codesOf(up.Warnings))
	}
}

func TestCapacityAndNotes(t *testing.T) {
	p := build(t, Options{})
	var ccp *LicenseCapacity
	for i := range p.Licenses {
		if p.Licenses[i].License == "Customer Community Plus" {
			ccp = &p.Licenses[i]
		}
	}
	if ccp == nil || ccp.Total == nil || *ccp.Total != 10 || ccp.MovingIn != 2 || ccp.MovingOut != 1 || *ccp.After != 11 || ccp.Shortfall != 1 {
		t.Fatalf("capacity %+v", ccp)
	}
	if len(p.Warnings) != 1 || p.Warnings[0].Code != rules.LicenseCapacity || !strings.Contains(p.Warnings[0].Message, "short by 1") {
		t.Errorf("plan warnings %+v", p.Warnings)
	}
	if p.Summary.LicensesShort != 1 || p.Summary.Warnings["LICENSE_CAPACITY"] != 1 {
		t.Errorf("summary %+v", p.Summary)
	}
	if !slices.ContainsFunc(p.Notes, func(n string) bool { return strings.Contains(n, "t.csv:13") && strings.Contains(n, "nobody@x") }) {
		t.Errorf("unmatched target not noted: %v", p.Notes)
	}
	for _, l := range p.Licenses {
		if l.License == "Legacy Widget Portal" && l.Total != nil {
			t.Errorf("unknown license has capacity %+v", l)
		}
	}
}

func TestAccountsAndRules(t *testing.T) {
	p := build(t, Options{})
	var alpha *AccountPlan
	for i := range p.Accounts {
		if p.Accounts[i].AccountID == "001A" {
			alpha = &p.Accounts[i]
		}
	}
	if alpha == nil || alpha.Users != 2 || alpha.Changing != 2 || alpha.EnablePartnerStep != 1 || !slices.Equal(alpha.RolesCreated, []string{"Alpha Partner User"}) || alpha.IsPartner != "false" {
		t.Errorf("Alpha %+v", alpha)
	}
	// Alpha Partner User and Noowner Customer User; Beta and Partnerco have roles.
	if p.Summary.RolesCreated != 2 {
		t.Errorf("roles created %d", p.Summary.RolesCreated)
	}
	if !slices.IsSortedFunc(p.Rules, func(a, b RuleUse) int { return strings.Compare(a.ID, b.ID) }) || len(p.Rules) == 0 {
		t.Errorf("rules not sorted: %v", p.Rules)
	}
	for _, r := range p.Rules {
		if r.Source == "" || r.Explanation == "" || r.Users == 0 {
			t.Errorf("rule use incomplete %+v", r)
		}
	}
	if p.Source.Org == nil || p.Source.Environment != org.EnvSandbox || p.Source.Org.IsSandbox == nil || !*p.Source.Org.IsSandbox {
		t.Errorf("org info %+v", p.Source.Org)
	}
}

// planData is everything p holds, for comparing two plans.
func planData(p *Plan) any {
	return struct {
		Overview
		Fingerprint string
		Users       []UserPlan
		Steps       []Step
	}{p.Overview, p.Fingerprint, p.Users.Slice(), p.Steps.Slice()}
}

// The plan does not depend on the order of the input rows.
func TestDeterministic(t *testing.T) {
	want, err := json.Marshal(planData(build(t, Options{})))
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(5) {
		snap := fixture()
		r := rand.New(rand.NewPCG(seed, 1))
		r.Shuffle(len(snap.Users), func(i, j int) { snap.Users[i], snap.Users[j] = snap.Users[j], snap.Users[i] })
		r.Shuffle(len(snap.Accounts), func(i, j int) { snap.Accounts[i], snap.Accounts[j] = snap.Accounts[j], snap.Accounts[i] })
		got, _ := json.Marshal(planData(Build(snap, table(t), fixtureTargets(t), Options{Now: now})))
		if string(got) != string(want) {
			t.Fatalf("seed %d: plan differs after shuffling the input", seed)
		}
	}
}

func TestMissingInputsAreNoted(t *testing.T) {
	snap := fixture()
	snap.Has = org.Presence{}
	snap.Accounts, snap.Roles, snap.Licenses = nil, nil, nil
	for i := range snap.Users {
		snap.Users[i].AccountIsPartner = org.Unknown
	}
	p := Build(snap, table(t), fixtureTargets(t), Options{Now: now})
	if len(p.Notes) < 7 {
		t.Errorf("notes %v", p.Notes)
	}
	// Partner status unknown: still an enable step, and the warning.
	up := user(t, p, "cpm@x")
	if !up.HasWarning(rules.PartnerAccountRequired) {
		t.Errorf("unknown partner status not flagged: %v", codesOf(up.Warnings))
	}
	if p.Summary.PartnerAccountsToEnable != 2 {
		t.Errorf("partner accounts %d, want Alpha and Partnerco", p.Summary.PartnerAccountsToEnable)
	}
	for _, l := range p.Licenses {
		if l.Total != nil || l.Shortfall != 0 {
			t.Errorf("capacity known without UserLicense.csv: %+v", l)
		}
	}
}

func TestOutline(t *testing.T) {
	tb := table(t)
	lk := func(n string) *rules.License { l, _ := tb.Catalog.Lookup(n); return l }
	tests := []struct {
		from, to string
		want     []string
	}{
		{"Customer Community", "Partner Community", []string{"assign_owner_role", "enable_partner_account", "change_license", "reassign_permission_sets"}},
		{"Customer Community", "Customer Community Login", []string{"change_license"}},
		{"Customer Community Plus", "Partner Community", []string{"assign_owner_role", "enable_partner_account", "disable_user", "create_user", "transfer_records", "reassign_permission_sets"}},
		{"Salesforce", "Customer Community", []string{"assign_owner_role", "deactivate_user", "create_user", "transfer_records", "reassign_permission_sets"}},
		{"Salesforce", "Salesforce", nil},
	}
	for _, tt := range tests {
		t.Run(tt.from+" -> "+tt.to, func(t *testing.T) {
			var got []string
			steps := Outline(tb.Lookup(lk(tt.from), lk(tt.to)))
			for i, s := range steps {
				got = append(got, s.Action.String())
				for _, d := range s.DependsOn {
					if d > i {
						t.Errorf("step %d depends on %d", i+1, d)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("outline %v, want %v", got, tt.want)
			}
		})
	}
}

// lookupTarget caches Set.Lookup across users that differ only in Id and
// username, which is right only while selectors match on nothing else.
// A new Selector field must be checked against that cache.
func TestSelectorFields(t *testing.T) {
	var got []string
	for f := range reflect.TypeFor[targets.Selector]().Fields() {
		got = append(got, f.Name)
	}
	want := []string{"Licenses", "UserTypes", "Profiles", "AccountNames", "PartnerAccount", "To"}
	if !slices.Equal(got, want) {
		t.Errorf("targets.Selector fields are %v, want %v: does lookupTarget's cache still hold?", got, want)
	}
}

// Seen with a second test org: External Apps Login and guest users came
// out invalid. External Apps Login is in 000's External Apps row; a guest
// user has no path, and nothing is planned that deactivates or changes it.
func TestSecondOrgLicenses(t *testing.T) {
	tb := table(t)
	snap := &org.Snapshot{
		Users: []org.User{
			{ID: "0051", Username: "apps@x", License: "External Apps Login", UserType: "CspLitePortal", IsActive: org.True, AccountID: "001A", AccountName: "Alpha", ContactID: "0031"},
			{ID: "0052", Username: "guest@x", License: "Guest User License", UserType: "Guest", IsActive: org.True, ProfileName: "Support Site Profile"},
			{ID: "0053", Username: "guest2@x", License: "Guest User License", UserType: "Guest", IsActive: org.True},
			{ID: "0054", Username: "guest3@x", License: "Guest User License", UserType: "Guest", IsActive: org.True},
			{ID: "0055", Username: "id@x", License: "Identity", UserType: "Standard", IsActive: org.True},
		},
		Accounts: []org.Account{{ID: "001A", Name: "Alpha", IsPartner: org.False, OwnerHasRole: org.True}},
		Has:      org.Presence{Accounts: true, AccountIsPartner: true, AccountOwnerRole: true, UserType: true, IsActive: true},
	}
	rows, err := targets.ParseCSV("t.csv", strings.NewReader("Username,TargetLicense\napps@x,Customer Community\nguest@x,Customer Community\nguest2@x,Salesforce\nid@x,Salesforce\n"), tb.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := targets.ParseYAML("t.yaml", []byte("- match: {userType: Guest}\n  to: {license: Partner Community}\n"), tb.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := targets.Merge(rows, sel)
	if err != nil {
		t.Fatal(err)
	}
	p := Build(snap, tb, tg, Options{Now: now})
	byName := map[string]UserPlan{}
	for _, u := range p.Users.All() {
		byName[u.Username] = u
	}
	tests := []struct {
		user    string
		outcome rules.Outcome
		rule    string
		code    rules.Code
	}{
		{"apps@x", rules.ChangeInPlace, "H000.EXTERNAL-APPS.CC", rules.SiteMembership},
		{"guest@x", rules.NoPath, "GUEST", rules.GuestUser},
		{"guest2@x", rules.NoPath, "GUEST", rules.GuestUser},
		{"guest3@x", rules.NoPath, "GUEST", rules.GuestUser},
		{"id@x", rules.Recreate, "UNCOVERED", rules.NoConversionPath},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			u := byName[tt.user]
			if u.Outcome != tt.outcome || u.RuleID != tt.rule || !u.HasWarning(tt.code) || u.HasWarning(rules.UnknownLicense) {
				t.Errorf("%s: %s %s %v, want %s %s with %s", tt.user, u.Outcome, u.RuleID, u.Warnings, tt.outcome, tt.rule, tt.code)
			}
			if tt.outcome == rules.NoPath && (len(u.Steps) != 0 || len(u.Warnings) != 1) {
				t.Errorf("%s: a guest user got steps %v or other warnings %v", tt.user, u.Steps, u.Warnings)
			}
		})
	}
	for _, st := range p.Steps.All() {
		if u := byName["guest@x"]; st.UserID == u.UserID || st.UserID == "0053" || st.UserID == "0054" {
			t.Errorf("step %d %s touches a guest user", st.Seq, st.Action)
		}
	}
	if p.Summary.Count(rules.NoPath) != 3 || p.Summary.Count(rules.Invalid) != 0 || hasChange(p, "0052") {
		t.Errorf("outcomes %v", p.Summary.Outcomes)
	}
	// Which targets were used, and how many users each matched.
	want := []TargetUse{{"targets t.csv", 4}, {"targets t.yaml", 1}}
	if !reflect.DeepEqual(p.Targets, want) || p.Summary.NoTarget != 0 {
		t.Errorf("targets %+v, no target %d; want %+v, 0", p.Targets, p.Summary.NoTarget, want)
	}
}

func hasChange(p *Plan, userID string) bool {
	for _, u := range p.Users.All() {
		if u.UserID == userID && u.Outcome.IsChange() {
			return true
		}
	}
	return false
}

// Every user is counted once: by the source of its target, or as having
// none; and a set with no sources of its own counts as one.
func TestTargetCounts(t *testing.T) {
	p := Build(fixture(), table(t), fixtureTargets(t), Options{Now: now})
	total := p.Summary.NoTarget
	for _, tu := range p.Targets {
		total += tu.Users
	}
	if len(p.Targets) != 1 || p.Targets[0].Source != "targets t.csv" || p.Targets[0].Users != 11 || total != p.Summary.Users {
		t.Errorf("targets %+v, no target %d, users %d", p.Targets, p.Summary.NoTarget, p.Summary.Users)
	}
	hand := &targets.Set{Describe: "by hand", Selectors: []targets.Selector{{To: targets.Target{License: "Customer Community", Source: 7}}}}
	p = Build(fixture(), table(t), hand, Options{Now: now})
	if !reflect.DeepEqual(p.Targets, []TargetUse{{"by hand", p.Summary.Users}}) {
		t.Errorf("hand-built set: %+v", p.Targets)
	}
	if p = Build(fixture(), table(t), nil, Options{Now: now}); len(p.Targets) != 0 || p.Targets == nil || p.Summary.NoTarget != p.Summary.Users {
		t.Errorf("no targets: %+v, %d", p.Targets, p.Summary.NoTarget)
	}
}
