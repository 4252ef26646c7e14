package reports

import (
	"fmt"
	"time"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// Hostile values an org can hold. Each one is a name in the fixture.
const (
	hostileHyperlink = `=HYPERLINK("http://x")`
	hostilePlus      = "+1+2"
	hostileMinus     = "-2"
	hostileAt        = "@SUM(A1)"
	hostileTab       = "\tTab"
	hostileScript    = "<script>alert(1)</script>"
	hostilePipe      = "a|b"
	hostileNewline   = "Line one\nLine two"
	hostileEsc       = "Esc\x1b[31mRed\x1b]0;pwned\x07"
)

func ptr[T any](v T) *T { return &v }

// warn builds a user warning with the vocabulary's message.
func warn(c rules.Code) planner.Warning { return planner.Warning{Code: c, Message: c.Message()} }

// fixturePlan is a small, realistic plan that covers every outcome, phase,
// action, plan-level warning, capacity rows with known and unknown totals,
// notes and hostile names. It is built fresh on every call.
func fixturePlan() *planner.Plan {
	const (
		acctScript = "001000000000001AAA" // account named <script>
		acctPipe   = "001000000000002AAA" // account named a|b, already a partner
		acctGlobex = "001000000000003AAA"
	)
	p := &planner.Plan{
		Overview: planner.Overview{
			SchemaVersion: planner.SchemaVersion,
			GeneratedAt:   time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC),
			Source: planner.Source{
				Kind:        "org",
				Environment: org.EnvProduction,
				Path:        "https://acme.my.salesforce.com",
				Org: &planner.OrgInfo{
					ID: "00D000000000001EAA", Name: "Acme | <Corp> *prod*", OrganizationType: "Enterprise Edition",
					InstanceName: "NA135", IsSandbox: ptr(false),
				},
				Files:        []string{"Organization", "User", "Account", "UserLicense", "Profile", "PermissionSetAssignment"},
				Targets:      "targets.yaml",
				APICalls:     9,
				Login:        &planner.Login{Method: `Salesforce CLI org "acme=prod"`, From: "--target-org"},
				Tool:         "licenseplan 1.0.0-test",
				RulesVersion: "sha256:0123456789ab",
			},
			// A source named like a hostile file: the summary escapes it.
			Targets: []planner.TargetUse{{Source: "targets t\x1b[2J|.yaml", Users: 6}, {Source: "preset experience-cloud", Users: 1}},
			Accounts: []planner.AccountPlan{
				{AccountID: acctScript, AccountName: hostileScript, IsPartner: "false", EnablePartnerStep: 1,
					Users: 2, Changing: 1, OwnerHasRole: "true",
					RolesCreated: []string{hostileScript + " Partner Executive", hostileScript + " Partner Manager", hostileScript + " Partner User"}},
				{AccountID: acctGlobex, AccountName: "Globex\x1b[2J", IsPartner: "", RolesCreated: []string{}, Users: 2, Changing: 1, OwnerHasRole: ""},
				{AccountID: acctPipe, AccountName: hostilePipe, IsPartner: "true", RolesCreated: []string{}, Users: 2, Changing: 1, OwnerHasRole: "false"},
			},
			Licenses: []planner.LicenseCapacity{
				{License: "Partner Community", Total: ptr(10), Used: ptr(9), MovingIn: 3, After: ptr(12), Shortfall: 2},
				{License: "Customer Community Plus", Total: ptr(50), Used: ptr(20), MovingOut: 1, After: ptr(19)},
				{License: "Customer Community", MovingOut: 2},
				{License: "Salesforce", Total: ptr(100), Used: ptr(80), MovingOut: 1, After: ptr(79)},
				{License: "Chatter Free", Total: ptr(5000), Used: ptr(12), After: ptr(12)},
			},
			Rules: []planner.RuleUse{
				{ID: "customer-community-plus-to-partner-community", From: "Customer Community Plus", To: "Partner Community",
					Outcome: rules.ChangeInPlace, Source: rules.Doc000 + ": License Conversion and Upgrade Compatibility",
					Explanation: "Upgrade in place on the same user record.", Users: 1},
				{ID: "customer-community-to-partner-community", From: "Customer Community", To: "Partner Community",
					Outcome: rules.ChangeInPlace, Source: rules.Doc000 + ": License Conversion and Upgrade Compatibility",
					Explanation: "Upgrade in place; the role is created.", Users: 1},
				{ID: "customer-community-to-partner-community-reenable", From: "Customer Community", To: "Partner Community",
					Outcome: rules.DisableReenable, Source: "rules.yaml line 12",
					Explanation: "Org override: disable and enable again.",
					Conflict:    "Overrides the catalog rule (change in place) from " + rules.Doc000, Users: 1},
				{ID: "salesforce-to-partner-community", From: "Salesforce", To: "Partner Community",
					Outcome: rules.Recreate, Source: rules.Doc000 + ": last paragraph",
					Explanation: "No supported path from an internal license.", Users: 1},
				{ID: "GUEST", From: "Guest User License", To: "Customer Community",
					Outcome: rules.NoPath, Source: "licenseplan: a site's guest user cannot be converted",
					Explanation: "Guest users cannot be converted.", Users: 1},
				{ID: "same-license", From: "Partner Community", To: "Partner Community",
					Outcome: rules.NoChange, Source: "licenseplan", Explanation: "The user already has the target license.", Users: 1},
			},
			Warnings: []planner.Warning{
				{Code: rules.LicenseCapacity, License: "Partner Community",
					Message: "Partner Community needs 12 seats but the org has 10 (short by 2)."},
				{Code: rules.AccountOwnerNoRole, AccountID: acctPipe,
					Message: "The owner of account " + hostilePipe + " has no role."},
				{Code: rules.ScaleLimit, License: "Partner Community", Message: "Partner Community supports fewer users than Customer Community."},
			},
			Notes: []string{
				"No ObjectPermissions file: View All / Modify All checks use profiles only.",
				"Target profile \"Old <Profile>\" matched no user.",
				"# not a heading | not a cell\nsecond line",
			},
		},
		Users: planner.NewUsers([]planner.UserPlan{
			{ // internal user, no account
				UserID: "005000000000005AAA", Username: "line@acme.example", Name: hostileNewline,
				FromLicense: "Salesforce", ToLicense: "Partner Community",
				FromProfile: "Standard User", ToProfile: "Partner Community User",
				Outcome: rules.Recreate, RuleID: "salesforce-to-partner-community", Steps: []int{6, 7, 8},
				Warnings: []planner.Warning{warn(rules.NoConversionPath), warn(rules.NewUserRecord),
					warn(rules.ViewAllRecordsLost), warn(rules.FunctionalityLoss)},
			},
			{
				UserID: "005000000000003AAA", Username: "minus@acme.example", Name: hostileMinus,
				AccountID: acctScript, AccountName: hostileScript,
				FromLicense: "Customer Community", ToLicense: "Partner Community",
				FromProfile: "Customer Community User", ToProfile: "Partner Community User",
				Outcome: rules.ChangeInPlace, RuleID: "customer-community-to-partner-community", Steps: []int{3, 9},
				Warnings: []planner.Warning{warn(rules.Irreversible), warn(rules.PartnerAccountRequired),
					warn(rules.PermissionSetsRemoved), warn(rules.RoleCreated),
					{Code: rules.PermissionSetsRemoved, Message: "Permission set \"Sales | Ops\" is removed."}},
			},
			{
				UserID: "005000000000007AAA", Username: "script@acme.example", Name: hostileScript,
				AccountID: acctScript, AccountName: hostileScript,
				FromLicense: "Mystery License", ToLicense: "Partner Community",
				FromProfile: "Mystery Profile", ToProfile: "Partner Community User",
				Outcome: rules.Invalid, Steps: []int{},
				Warnings: []planner.Warning{{Code: rules.UnknownLicense, Message: "License \"Mystery License\" is not in the catalog."}},
			},
			{
				UserID: "005000000000006AAA", Username: "esc@acme.example", Name: hostileEsc,
				AccountID: acctGlobex, AccountName: "Globex\x1b[2J",
				FromLicense: "Customer Community", ToLicense: "Customer Community Plus",
				FromProfile: "Customer Community User", ToProfile: "Customer Community Plus User",
				Outcome: rules.Skipped, Steps: []int{},
				Warnings: []planner.Warning{warn(rules.InactiveUser)},
			},
			{
				UserID: "005000000000004AAA", Username: hostileTab + "@acme.example", Name: hostileAt,
				AccountID: acctGlobex, AccountName: "Globex\x1b[2J",
				FromLicense: "Customer Community", ToLicense: "Partner Community",
				FromProfile: "Customer Community User", ToProfile: "Partner Community User",
				Outcome: rules.DisableReenable, RuleID: "customer-community-to-partner-community-reenable", Steps: []int{4, 5, 10},
				Warnings: []planner.Warning{warn(rules.NewUserRecord), warn(rules.PermissionSetsRemoved)},
			},
			{
				UserID: "005000000000001AAA", Username: "hyperlink@acme.example", Name: hostileHyperlink,
				AccountID: acctPipe, AccountName: hostilePipe,
				FromLicense: "Partner Community", ToLicense: "Partner Community",
				FromProfile: "Partner Community User", ToProfile: "Partner Community User",
				Outcome: rules.NoChange, RuleID: "same-license", Steps: []int{}, Warnings: []planner.Warning{},
			},
			{ // a site's guest user that a target named: nothing can be done
				UserID: "005000000000008AAA", Username: "site@guest.example", Name: "Site Guest User",
				FromLicense: "Guest User License", ToLicense: "Customer Community",
				FromProfile: "Site Guest Profile", ToProfile: "",
				Outcome: rules.NoPath, RuleID: "GUEST", Steps: []int{},
				Warnings: []planner.Warning{warn(rules.GuestUser)},
			},
			{
				UserID: "005000000000002AAA", Username: "plus@acme.example", Name: hostilePlus,
				AccountID: acctPipe, AccountName: hostilePipe,
				FromLicense: "Customer Community Plus", ToLicense: "Partner Community",
				FromProfile: "Customer Community Plus User", ToProfile: "Partner Community User",
				Outcome: rules.ChangeInPlace, RuleID: "customer-community-plus-to-partner-community", Steps: []int{2},
				Warnings: []planner.Warning{warn(rules.SharingRecalculation), warn(rules.GroupMembership)},
			},
		}...),
		Steps: planner.NewSteps([]planner.Step{
			{Seq: 1, Phase: planner.Prepare, Action: planner.EnablePartnerAccount, AccountID: acctScript,
				Description: "Enable account " + hostileScript + " as a partner account", DependsOn: []int{}},
			{Seq: 2, Phase: planner.Convert, Action: planner.ChangeLicense, UserID: "005000000000002AAA", AccountID: acctPipe,
				Description: "Assign profile Partner Community User", DependsOn: []int{}},
			{Seq: 3, Phase: planner.Convert, Action: planner.ChangeLicense, UserID: "005000000000003AAA", AccountID: acctScript,
				Description: "Assign profile Partner Community User", DependsOn: []int{1}},
			{Seq: 4, Phase: planner.Convert, Action: planner.DisableUser, UserID: "005000000000004AAA", AccountID: acctGlobex,
				Description: "Disable external user " + hostileAt + " (username is renamed)", DependsOn: []int{}},
			{Seq: 5, Phase: planner.RecreatePhase, Action: planner.CreateUser, UserID: "005000000000004AAA", AccountID: acctGlobex,
				Description: "Enable the contact as a Partner Community user", DependsOn: []int{4}},
			{Seq: 6, Phase: planner.Convert, Action: planner.DeactivateUser, UserID: "005000000000005AAA",
				Description: "Deactivate internal user", DependsOn: []int{}, Reversible: true},
			{Seq: 7, Phase: planner.RecreatePhase, Action: planner.CreateUser, UserID: "005000000000005AAA",
				Description: "Create a Partner Community user", DependsOn: []int{6}},
			{Seq: 8, Phase: planner.RecreatePhase, Action: planner.TransferRecords, UserID: "005000000000005AAA",
				Description: "Transfer records owned by the old user", DependsOn: []int{6, 7}},
			{Seq: 9, Phase: planner.FollowUp, Action: planner.ReassignPermissionSets, UserID: "005000000000003AAA", AccountID: acctScript,
				Description: "Assign again: Sales | Ops, *Reports*", DependsOn: []int{3}, Reversible: true},
			{Seq: 10, Phase: planner.FollowUp, Action: planner.ReassignPermissionSets, UserID: "005000000000004AAA", AccountID: acctGlobex,
				Description: "Assign again: Community_Access", DependsOn: []int{5}, Reversible: true},
		}...),
	}
	p.Summary = summarize(p)
	return p
}

// summarize computes the Summary of a hand-built plan, as the planner would.
func summarize(p *planner.Plan) planner.Summary {
	s := planner.Summary{
		Users:    p.Users.Len(),
		Outcomes: map[string]int{},
		Steps:    p.Steps.Len(),
		Warnings: map[string]int{},
	}
	for _, o := range rules.Outcomes {
		s.Outcomes[o.String()] = 0
	}
	s.NoTarget = s.Users
	for _, tu := range p.Targets {
		s.NoTarget -= tu.Users
	}
	for _, u := range p.Users.All() {
		s.Outcomes[u.Outcome.String()]++
		for _, w := range u.Warnings {
			s.Warnings[string(w.Code)]++
		}
		if u.HasWarning(rules.NewUserRecord) {
			s.NewUserRecords++
		}
	}
	for _, w := range p.Warnings {
		s.Warnings[string(w.Code)]++
	}
	for _, st := range p.Steps.All() {
		if !st.Reversible && st.Action != planner.EnablePartnerAccount {
			s.IrreversibleChanges++
		}
	}
	for _, a := range p.Accounts {
		if a.EnablePartnerStep != 0 {
			s.PartnerAccountsToEnable++
		}
		s.RolesCreated += len(a.RolesCreated)
	}
	for _, l := range p.Licenses {
		if l.Shortfall > 0 {
			s.LicensesShort++
		}
	}
	return s
}

// syntheticPlan builds a plan with n users spread over n/10 accounts: every
// user changes license in place with one step and two warnings, every tenth
// account is enabled as a partner.
func syntheticPlan(n int) *planner.Plan {
	p := &planner.Plan{
		Overview: planner.Overview{
			SchemaVersion: planner.SchemaVersion,
			GeneratedAt:   time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
			Source:        planner.Source{Kind: "snapshot", Path: "snap", Files: []string{"User"}, Targets: "targets.yaml"},
			Accounts:      make([]planner.AccountPlan, 0, n/10+1),
			Licenses: []planner.LicenseCapacity{
				{License: "Customer Community", Total: ptr(n), Used: ptr(n), MovingOut: n, After: ptr(0)},
				{License: "Customer Community Plus", Total: ptr(n / 2), Used: ptr(0), MovingIn: n, After: ptr(n), Shortfall: n - n/2},
			},
			Rules: []planner.RuleUse{{ID: "cc-to-ccp", From: "Customer Community", To: "Customer Community Plus",
				Outcome: rules.ChangeInPlace, Source: rules.Doc000, Explanation: "Upgrade in place.", Users: n}},
			Warnings: []planner.Warning{{Code: rules.LicenseCapacity, License: "Customer Community Plus", Message: "short"}},
			Notes:    []string{},
		},
	}
	users := make([]planner.UserPlan, 0, n)
	steps := make([]planner.Step, 0, n+n/10)
	seq := 0
	for a := 0; a*10 < n; a++ {
		id := fmt.Sprintf("001%015d", a)
		acct := planner.AccountPlan{AccountID: id, AccountName: fmt.Sprintf("Account %d", a),
			IsPartner: "false", RolesCreated: []string{}, Users: min(10, n-a*10), Changing: min(10, n-a*10)}
		if a%10 == 0 {
			seq++
			acct.EnablePartnerStep = seq
			steps = append(steps, planner.Step{Seq: seq, Phase: planner.Prepare, Action: planner.EnablePartnerAccount,
				AccountID: id, Description: "Enable " + acct.AccountName + " as a partner account", DependsOn: []int{}})
		}
		p.Accounts = append(p.Accounts, acct)
	}
	for i := range n {
		a := i / 10
		seq++
		dep := []int{}
		if e := p.Accounts[a].EnablePartnerStep; e != 0 {
			dep = []int{e}
		}
		u := planner.UserPlan{
			UserID: fmt.Sprintf("005%015d", i), Username: fmt.Sprintf("user%d@example.com", i), Name: fmt.Sprintf("User %d", i),
			AccountID: p.Accounts[a].AccountID, AccountName: p.Accounts[a].AccountName,
			FromLicense: "Customer Community", ToLicense: "Customer Community Plus",
			FromProfile: "Customer Community User", ToProfile: "Customer Community Plus User",
			Outcome: rules.ChangeInPlace, RuleID: "cc-to-ccp", Steps: []int{seq},
			Warnings: []planner.Warning{warn(rules.RoleRequired), warn(rules.SharingRecalculation)},
		}
		users = append(users, u)
		steps = append(steps, planner.Step{Seq: seq, Phase: planner.Convert, Action: planner.ChangeLicense,
			UserID: u.UserID, AccountID: u.AccountID, Description: "Assign profile Customer Community Plus User", DependsOn: dep})
	}
	p.Users, p.Steps = planner.NewUsers(users...), planner.NewSteps(steps...)
	p.Summary = summarize(p)
	return p
}

// editUsers calls edit on each of p's users in turn and leaves p holding a
// list of the edited users. The users' Steps and Warnings are not copied:
// edit them only in a plan the test made for itself.
func editUsers(p *planner.Plan, edit func(i int, u *planner.UserPlan)) {
	us := p.Users.Slice()
	for i := range us {
		edit(i, &us[i])
	}
	p.Users = planner.NewUsers(us...)
}

// editSteps is editUsers for p's steps.
func editSteps(p *planner.Plan, edit func(i int, s *planner.Step)) {
	ss := p.Steps.Slice()
	for i := range ss {
		edit(i, &ss[i])
	}
	p.Steps = planner.NewSteps(ss...)
}

// setOrg gives p the org o, and the environment Build would decide for it.
func setOrg(p *planner.Plan, o *planner.OrgInfo) {
	p.Source.Org = o
	var isSandbox *bool
	if o != nil {
		isSandbox = o.IsSandbox
	}
	p.Source.Environment = planner.SourceEnvironment(p.Source.Kind, isSandbox)
}
