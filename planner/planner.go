package planner

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// Options tune a planning run.
type Options struct {
	// IncludeInactive plans inactive users instead of skipping them.
	IncludeInactive bool
	// Now is the plan's GeneratedAt (inject a fixed time in tests).
	Now time.Time
	// Source is copied into the plan.
	Source Source
}

// Build plans every user of snap. tg may be nil (nobody has a target).
func Build(snap *org.Snapshot, table *rules.Table, tg *targets.Set, opts Options) *Plan {
	b := newBuilder(snap, table, tg, opts)
	b.decide()
	b.layout()
	b.accountsAndLicenses()
	b.finish()
	return b.plan
}

type builder struct {
	snap  *org.Snapshot
	table *rules.Table
	tg    *targets.Set
	opts  Options
	plan  *Plan

	order    []int32 // user indices in plan order
	accounts map[string]*org.Account
	// portalRoles: bit 1 = the account has customer portal roles, bit 2 = partner roles.
	portalRoles map[string]uint8
	licenses    map[string]*rules.License // raw license name -> catalog entry (nil when unknown)
	profiles    map[string]*org.Profile   // lower-case name -> profile
	defProfile  map[*rules.License]string // default profile of a license
	userLic     map[*rules.License]*org.UserLicense
	psByUser    map[string][]int32 // user Id -> indices into snap.PermissionSets
	pslByUser   map[string][]string
	objPerms    map[string]*objAccess // permission set Id -> View/Modify All objects
	targetUsed  []bool

	// per user, parallel to plan.Users
	dec []decision
	// accounts that need enabling as partner accounts -> seq (0 until laid out)
	partnerSeq map[string]int
	partnerBy  map[string]string // account -> rule ID that first needed it

	warnCache map[warnKey][]Warning
	descCache map[descKey]string
	recipes   map[recipeKey][]stepTmpl
	ruleUse   map[*rules.Rule]int
	planWarn  []Warning
	notes     []string
}

type decision struct {
	rule          *rules.Rule
	steps         []stepTmpl
	needsPartner  bool
	removesAccess bool
}

type objAccess struct{ viewAll, modifyAll []string }

type warnKey struct {
	rule     *rules.Rule
	account  string
	mask     uint32
	inactive bool
}

type descKey struct {
	action  Action
	from    *rules.License
	to      *rules.License
	profile string
}

type recipeKey struct {
	rule                        *rules.Rule
	needsPartner, removesAccess bool
}

func newBuilder(snap *org.Snapshot, table *rules.Table, tg *targets.Set, opts Options) *builder {
	b := &builder{
		snap: snap, table: table, tg: tg, opts: opts,
		accounts:    make(map[string]*org.Account, len(snap.Accounts)),
		portalRoles: map[string]uint8{},
		licenses:    map[string]*rules.License{},
		profiles:    make(map[string]*org.Profile, len(snap.Profiles)),
		defProfile:  map[*rules.License]string{},
		userLic:     map[*rules.License]*org.UserLicense{},
		psByUser:    map[string][]int32{},
		pslByUser:   map[string][]string{},
		objPerms:    map[string]*objAccess{},
		partnerSeq:  map[string]int{},
		partnerBy:   map[string]string{},
		warnCache:   map[warnKey][]Warning{},
		descCache:   map[descKey]string{},
		recipes:     map[recipeKey][]stepTmpl{},
		ruleUse:     map[*rules.Rule]int{},
	}
	if tg != nil {
		b.targetUsed = make([]bool, len(tg.Rows))
	}
	b.plan = &Plan{
		SchemaVersion: SchemaVersion,
		GeneratedAt:   opts.Now.UTC(),
		Source:        opts.Source,
	}
	if b.plan.Source.Files == nil {
		b.plan.Source.Files = slices.Clone(snap.Files)
		if b.plan.Source.Files == nil {
			b.plan.Source.Files = []string{}
		}
	}
	if b.plan.Source.Org == nil && snap.Organization != nil {
		o := snap.Organization
		info := &OrgInfo{ID: o.ID, Name: o.Name, OrganizationType: o.OrganizationType, InstanceName: o.InstanceName}
		if o.IsSandbox.Known() {
			v := o.IsSandbox.IsTrue()
			info.IsSandbox = &v
			info.Production = !v
		}
		b.plan.Source.Org = info
	}
	if tg != nil && b.plan.Source.Targets == "" {
		b.plan.Source.Targets = tg.Describe
	}

	for i := range snap.Accounts {
		a := &snap.Accounts[i]
		b.accounts[a.ID] = a
	}
	for _, r := range snap.Roles {
		b.portalRoles[r.PortalAccountID] |= portalBit(r.PortalType)
	}
	for i := range snap.Users {
		u := &snap.Users[i]
		if u.RoleID != "" && u.AccountID != "" {
			b.portalRoles[u.AccountID] |= portalBit(u.RolePortalType)
		}
	}
	for i := range snap.Licenses {
		ul := &snap.Licenses[i]
		if l := b.license(ul.Name); l != nil {
			b.userLic[l] = ul
		}
	}
	for i := range snap.Profiles {
		p := &snap.Profiles[i]
		b.profiles[strings.ToLower(p.Name)] = p
	}
	b.pickDefaultProfiles()
	for i := range snap.PermissionSets {
		a := &snap.PermissionSets[i]
		b.psByUser[a.AssigneeID] = append(b.psByUser[a.AssigneeID], int32(i))
	}
	for _, a := range snap.PermissionSetLicenses {
		b.pslByUser[a.AssigneeID] = append(b.pslByUser[a.AssigneeID], a.Label)
	}
	for _, op := range snap.ObjectPermissions {
		acc := b.objPerms[op.ParentID]
		if acc == nil {
			acc = &objAccess{}
			b.objPerms[op.ParentID] = acc
		}
		if op.ViewAllRecords {
			acc.viewAll = append(acc.viewAll, op.SobjectType)
		}
		if op.ModifyAllRecords {
			acc.modifyAll = append(acc.modifyAll, op.SobjectType)
		}
	}
	b.inputNotes()
	return b
}

func portalBit(t string) uint8 {
	switch {
	case strings.EqualFold(t, org.PortalTypeCustomer):
		return 1
	case strings.EqualFold(t, org.PortalTypePartner):
		return 2
	}
	return 0
}

// license resolves an org license name to the catalog, by name or alias and
// then by the LicenseDefinitionKey UserLicense.csv gives for that name.
func (b *builder) license(name string) *rules.License {
	if l, ok := b.licenses[name]; ok {
		return l
	}
	l, ok := b.table.Catalog.Lookup(name)
	if !ok {
		l = nil
		for _, ul := range b.snap.Licenses {
			if strings.EqualFold(ul.Name, name) {
				if k, ok := b.table.Catalog.LookupKey(ul.LicenseDefinitionKey); ok {
					l = k
				}
				break
			}
		}
	}
	b.licenses[name] = l
	return l
}

// pickDefaultProfiles chooses, per license, the profile used when a target
// names none: the standard "<License> User" profile if the org has it, else
// the profile named like the license, else the first by name.
func (b *builder) pickDefaultProfiles() {
	byLic := map[*rules.License][]string{}
	for _, p := range b.snap.Profiles {
		if l := b.license(p.License); l != nil {
			byLic[l] = append(byLic[l], p.Name)
		}
	}
	for l, names := range byLic {
		slices.Sort(names)
		best := names[0]
		for _, n := range names {
			if strings.EqualFold(n, l.Name+" User") {
				best = n
				break
			}
			if strings.EqualFold(n, l.Name) {
				best = n
			}
		}
		b.defProfile[l] = best
	}
}

func (b *builder) inputNotes() {
	h := b.snap.Has
	note := func(ok bool, s string) {
		if !ok {
			b.notes = append(b.notes, s)
		}
	}
	note(h.AccountIsPartner, "Account.IsPartner was not in the input (the field exists only in orgs with partner licenses): partner status is unknown, so every account that a user moves to a partner license on gets an enable-as-partner step; skip it where the account is already a partner account.")
	note(h.Accounts && h.AccountOwnerRole, "Account.csv with Owner.UserRoleId was not in the input: account owners' roles were not checked (the portal account owner must have a role).")
	note(h.Roles, "UserRole.csv was not in the input: existing portal roles were inferred from users' roles.")
	note(h.Licenses, "UserLicense.csv was not in the input: license capacity is unknown.")
	note(h.Profiles, "Profile.csv was not in the input: target profiles were not checked and none could be chosen.")
	note(h.PermissionSets, "PermissionSetAssignment.csv was not in the input: permission sets the change removes were not named.")
	note(h.ObjectPermissions, "ObjectPermissions.csv was not in the input: View All / Modify All Records were not checked.")
	note(h.PermissionSetLicenses, "PermissionSetLicenseAssign.csv was not in the input: permission set licenses the change removes were not named.")
}

// decide computes every user's outcome, target, rule and warnings.
func (b *builder) decide() {
	users := b.snap.Users
	b.order = make([]int32, len(users))
	for i := range b.order {
		b.order[i] = int32(i)
	}
	slices.SortFunc(b.order, func(x, y int32) int {
		a, c := &users[x], &users[y]
		return cmp.Or(strings.Compare(a.AccountName, c.AccountName), strings.Compare(a.AccountID, c.AccountID),
			strings.Compare(a.Username, c.Username), strings.Compare(a.ID, c.ID))
	})
	b.plan.Users = make([]UserPlan, len(users))
	b.dec = make([]decision, len(users))
	for pi, ui := range b.order {
		b.decideUser(&users[ui], &b.plan.Users[pi], &b.dec[pi])
	}
	if b.tg != nil {
		for i, used := range b.targetUsed {
			if !used {
				r := b.tg.Rows[i]
				who := r.Username
				if r.UserID != "" {
					who = r.UserID
				}
				b.notes = append(b.notes, fmt.Sprintf("%s: target for %s matches no user in the input; it was not applied.", r.Origin, who))
			}
		}
	}
}

func (b *builder) decideUser(u *org.User, up *UserPlan, d *decision) {
	acct := b.accounts[u.AccountID]
	accountName := u.AccountName
	if acct != nil && acct.Name != "" {
		accountName = acct.Name
	}
	*up = UserPlan{
		UserID: u.ID, Username: u.Username, Name: u.Name,
		AccountID: u.AccountID, AccountName: accountName,
		FromLicense: u.License, ToLicense: u.License,
		FromProfile: u.ProfileName, ToProfile: u.ProfileName,
		Steps: []int{}, Warnings: []Warning{},
	}
	from := b.license(u.License)
	if from != nil {
		up.FromLicense = from.Name
		up.ToLicense = from.Name
	}
	ref := targets.UserRef{ID: u.ID, Username: u.Username, License: up.FromLicense, UserType: u.UserType, Profile: u.ProfileName, AccountName: accountName}
	if acct != nil && acct.IsPartner.Known() {
		ref.AccountIsPartner = acct.IsPartner
	} else {
		ref.AccountIsPartner = u.AccountIsPartner
	}
	m, hasTarget := b.tg.Lookup(ref)
	if hasTarget && m.Row >= 0 {
		b.targetUsed[m.Row] = true
	}
	inactive := u.IsActive.IsFalse()

	if inactive && !b.opts.IncludeInactive {
		up.Outcome = rules.Skipped
		up.Warnings = b.shared(warnKey{inactive: true}, func() []Warning {
			return []Warning{{Code: rules.InactiveUser, Message: rules.InactiveUser.Message()}}
		})
		return
	}
	if !hasTarget {
		up.Outcome = rules.NoChange
		if from == nil {
			up.Warnings = []Warning{b.unknownLicense(u.License, false)}
		}
		return
	}
	to := b.license(m.License)
	if to != nil {
		up.ToLicense = to.Name
	} else {
		up.ToLicense = m.License
	}
	if from == nil || to == nil {
		up.Outcome = rules.Invalid
		if from == nil {
			up.Warnings = append(up.Warnings, b.unknownLicense(u.License, false))
		}
		if to == nil {
			up.Warnings = append(up.Warnings, b.unknownLicense(m.License, true))
		}
		return
	}
	r := b.table.Lookup(from, to)
	d.rule = r
	up.Outcome, up.RuleID = r.Outcome, r.ID
	b.ruleUse[r]++
	if r.Outcome == rules.NoChange {
		return
	}

	// Target profile.
	var ws []Warning
	profile, profWarn := b.targetProfile(m.Profile, to)
	up.ToProfile = profile
	if profWarn != nil {
		ws = append(ws, *profWarn)
	}

	// Conditions that depend on the user and the account.
	var mask uint32
	set := func(c rules.Code) { mask |= 1 << uint(c.Rank()) }
	may := func(c rules.Code) bool { return slices.Contains(r.MayWarn, c) }
	isPartner := u.AccountIsPartner
	if acct != nil && acct.IsPartner.Known() {
		isPartner = acct.IsPartner
	}
	if may(rules.PartnerAccountRequired) && u.AccountID != "" && !isPartner.IsTrue() {
		set(rules.PartnerAccountRequired)
		d.needsPartner = true
		if _, ok := b.partnerSeq[u.AccountID]; !ok {
			b.partnerSeq[u.AccountID] = 0
			b.partnerBy[u.AccountID] = r.ID
		}
	}
	if may(rules.NoContact) && u.ContactID == "" {
		set(rules.NoContact)
	}
	createsUser := r.Outcome != rules.ChangeInPlace
	if may(rules.AccountOwnerNoRole) && acct != nil && acct.OwnerHasRole.IsFalse() && (to.RequiresRole || createsUser) {
		set(rules.AccountOwnerNoRole)
	}
	if may(rules.RoleRequired) && u.AccountID != "" {
		if createsUser || u.RoleID == "" || portalBit(u.RolePortalType) != portalBit(to.PortalType()) {
			set(rules.RoleRequired)
		}
		if b.portalRoles[u.AccountID]&portalBit(to.PortalType()) == 0 {
			set(rules.RoleCreated)
		}
	}
	key := warnKey{rule: r, account: u.AccountID, mask: mask, inactive: inactive}
	shared := b.shared(key, func() []Warning { return b.ruleWarnings(r, to, mask, inactive, accountName, u.AccountID) })

	// User-specific: permission sets and View/Modify All.
	if may(rules.PermissionSetsRemoved) {
		if w, ok := b.permissionSetsRemoved(u.ID); ok {
			ws = append(ws, w)
			d.removesAccess = true
		}
	}
	if may(rules.ViewAllRecordsLost) {
		ws = append(ws, b.viewModifyLost(u.ID, to)...)
	}
	if len(ws) == 0 {
		up.Warnings = shared
	} else {
		ws = append(ws, shared...)
		slices.SortStableFunc(ws, func(a, c Warning) int { return a.Code.Rank() - c.Code.Rank() })
		up.Warnings = ws
	}
	rk := recipeKey{r, d.needsPartner, d.removesAccess}
	steps, ok := b.recipes[rk]
	if !ok {
		steps = recipe(r, d.needsPartner, d.removesAccess)
		b.recipes[rk] = steps
	}
	d.steps = steps
}

// shared returns a cached warning list, clipped so that appending to it
// never writes into the shared array.
func (b *builder) shared(k warnKey, build func() []Warning) []Warning {
	if ws, ok := b.warnCache[k]; ok {
		return ws
	}
	ws := slices.Clip(build())
	if ws == nil {
		ws = []Warning{}
	}
	b.warnCache[k] = ws
	return ws
}

func (b *builder) unknownLicense(name string, target bool) Warning {
	what := "current"
	if target {
		what = "target"
	}
	return Warning{Code: rules.UnknownLicense, License: name, Message: fmt.Sprintf(
		"The %s license %q is not in the catalog, so no rule applies; the user is kept in the plan but not converted. Run `licenseplan rules` for the known licenses, or record the behaviour you see in the config file's rules.overrides.", what, name)}
}

func (b *builder) targetProfile(given string, to *rules.License) (string, *Warning) {
	if given == "" {
		if p, ok := b.defProfile[to]; ok {
			return p, nil
		}
		return "", &Warning{Code: rules.NoTargetProfile, License: to.Name, Message: fmt.Sprintf(
			"No profile of license %q is known (Profile.csv): create one, then name it as the target profile.", to.Name)}
	}
	if !b.snap.Has.Profiles {
		return given, nil
	}
	p, ok := b.profiles[strings.ToLower(given)]
	if !ok {
		return given, &Warning{Code: rules.NoTargetProfile, License: to.Name, Message: fmt.Sprintf(
			"Target profile %q is not in Profile.csv: check the name, or create the profile with license %q.", given, to.Name)}
	}
	if l := b.license(p.License); l != to {
		return p.Name, &Warning{Code: rules.TargetProfileMismatch, License: to.Name, Message: fmt.Sprintf(
			"Target profile %q belongs to license %q, not %q: Salesforce sets the license from the profile, so choose a profile of %q.", p.Name, p.License, to.Name, to.Name)}
	}
	return p.Name, nil
}

// ruleWarnings builds the warnings that depend only on the rule, the
// account and the condition mask (shared by every user with the same key).
func (b *builder) ruleWarnings(r *rules.Rule, to *rules.License, mask uint32, inactive bool, accountName, accountID string) []Warning {
	has := func(c rules.Code) bool { return mask&(1<<uint(c.Rank())) != 0 }
	var ws []Warning
	add := func(c rules.Code, msg string) {
		if msg == "" {
			msg = c.Message()
		}
		ws = append(ws, Warning{Code: c, Message: msg})
	}
	for _, c := range r.Warnings {
		switch c {
		case rules.NoConversionPath:
			msg := fmt.Sprintf("No supported path from %s to %s (rule %s)", r.From.Name, r.To.Name, r.ID)
			if r.Message != "" {
				msg += fmt.Sprintf("; Salesforce says: %q", r.Message)
			}
			add(c, msg+". Deactivate the user, create a new user identity, migrate the data and associate it with the new user record.")
		case rules.Irreversible:
			add(c, fmt.Sprintf("Upgrading from %s to %s, a license that requires a role, is irreversible.", r.From.Name, r.To.Name))
		case rules.FunctionalityLoss:
			add(c, fmt.Sprintf("Switching from %s to %s results in a loss of functionality (%s).", r.From.Name, r.To.Name, r.Source))
		case rules.GroupMembership:
			group := "All Customer Portal Users"
			if to.Kind == rules.Partner {
				group = "All Partner Users"
			}
			add(c, fmt.Sprintf("The user joins the %s public group.", group))
		case rules.ScaleLimit:
			add(c, fmt.Sprintf("%s supports %s users; %s supports %s.", to.Name, millions(to.ScaleLimit), r.From.Name, millions(r.From.ScaleLimit)))
		default:
			add(c, "")
		}
	}
	acct := quoteName(accountName)
	if has(rules.PartnerAccountRequired) {
		add(rules.PartnerAccountRequired, fmt.Sprintf("Account %s must be enabled as a partner account before the user becomes a %s user (a partner account can hold customer and partner users, so customer users on it are not affected).", acct, to.Name))
	}
	if has(rules.AccountOwnerNoRole) {
		add(rules.AccountOwnerNoRole, fmt.Sprintf("The owner of account %s has no role: give the owner a role first, or Salesforce refuses (\"portal account owner must have a role\").", acct))
	}
	if has(rules.RoleRequired) {
		add(rules.RoleRequired, fmt.Sprintf("%s requires a role: unless you give one, the user gets the lowest role of the account, %q.", to.Name, lowestRole(accountName, to)))
	}
	if has(rules.RoleCreated) {
		add(rules.RoleCreated, fmt.Sprintf("Account %s has no %s roles yet: Salesforce creates them (lowest %q) when the first user is enabled, and they cannot be renamed. Consider account role optimization.", acct, portalWord(to), lowestRole(accountName, to)))
	}
	if has(rules.NoContact) {
		add(rules.NoContact, fmt.Sprintf("The user has no contact, and %s needs one: link the user to a contact (set ContactId) or create one on the right account first.", to.Name))
	}
	if inactive {
		add(rules.InactiveUser, "The user is inactive; planned because inactive users were included.")
	}
	slices.SortStableFunc(ws, func(a, c Warning) int { return a.Code.Rank() - c.Code.Rank() })
	return ws
}

func quoteName(s string) string {
	if s == "" {
		return "(no account)"
	}
	return fmt.Sprintf("%q", s)
}

func portalWord(l *rules.License) string {
	if l.Kind == rules.Partner {
		return "partner"
	}
	return "customer"
}

// lowestRole is the name Salesforce gives the lowest portal role of an
// account: "<Account Name> Customer User" or "<Account Name> Partner User".
func lowestRole(account string, l *rules.License) string {
	if l.Kind == rules.Partner {
		return account + " Partner User"
	}
	return account + " Customer User"
}

func millions(n int64) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%d million", n/1_000_000)
	}
	return fmt.Sprint(n)
}

func (b *builder) permissionSetsRemoved(userID string) (Warning, bool) {
	var names []string
	for _, i := range b.psByUser[userID] {
		a := &b.snap.PermissionSets[i]
		if a.IsOwnedByProfile.IsTrue() {
			continue
		}
		n := a.PermissionSetName
		if n == "" {
			n = a.PermissionSetID
		}
		names = append(names, n)
	}
	psl := b.pslByUser[userID]
	if len(names) == 0 && len(psl) == 0 {
		return Warning{}, false
	}
	slices.Sort(names)
	var parts []string
	if len(names) > 0 {
		parts = append(parts, "permission sets "+strings.Join(slices.Compact(names), ", "))
	}
	if len(psl) > 0 {
		psl = slices.Clone(psl)
		slices.Sort(psl)
		parts = append(parts, "permission set licenses "+strings.Join(slices.Compact(psl), ", "))
	}
	return Warning{Code: rules.PermissionSetsRemoved, Message: "The change removes " + strings.Join(parts, "; ") + ", and any sharing-set access: reassign what the new license allows."}, true
}

func (b *builder) viewModifyLost(userID string, to *rules.License) []Warning {
	var view, modify []string
	for _, i := range b.psByUser[userID] {
		acc := b.objPerms[b.snap.PermissionSets[i].PermissionSetID]
		if acc == nil {
			continue
		}
		view = append(view, acc.viewAll...)
		modify = append(modify, acc.modifyAll...)
	}
	var ws []Warning
	if len(view) > 0 {
		slices.Sort(view)
		ws = append(ws, Warning{Code: rules.ViewAllRecordsLost, License: to.Name, Message: fmt.Sprintf("The user has View All Records on %s, which %s does not allow: the user loses it.", strings.Join(slices.Compact(view), ", "), to.Name)})
	}
	if len(modify) > 0 {
		slices.Sort(modify)
		ws = append(ws, Warning{Code: rules.ModifyAllRecordsLost, License: to.Name, Message: fmt.Sprintf("The user has Modify All Records on %s, which %s does not allow: the user loses it.", strings.Join(slices.Compact(modify), ", "), to.Name)})
	}
	return ws
}
