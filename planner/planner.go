package planner

import (
	"encoding/binary"
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
	// SummaryOnly decides every user as a full plan does but leaves Users
	// and Steps empty: Summary (Steps included), Accounts, Licenses, Rules,
	// Warnings and Notes are those of the full plan, computed by the same
	// code. It is for outputs that show only those, such as the terminal
	// summary, and saves most of the memory of a large plan. Such a plan
	// is not a plan.json: do not write or fingerprint it.
	SummaryOnly bool
}

// Build plans every user of snap. tg may be nil (nobody has a target).
//
// Every user is first decided into a small per-user record (outcome, rule,
// target, an index into a table of shared warning lists, a step recipe).
// The summary, accounts, licenses and rules are tallied from those records,
// and only then, unless Options.SummaryOnly is set, are the users' UserPlans
// and the steps written out.
func Build(snap *org.Snapshot, table *rules.Table, tg *targets.Set, opts Options) *Plan {
	b := newBuilder(snap, table, tg, opts)
	b.decide()
	b.tally()
	b.accountsAndLicenses()
	b.planWarn = append(b.planWarn, completenessWarnings(snap)...)
	b.finish()
	if !opts.SummaryOnly {
		b.layout()
	}
	return b.plan
}

type builder struct {
	snap  *org.Snapshot
	table *rules.Table
	tg    *targets.Set
	opts  Options
	plan  *Plan

	order    []int32 // user indices in plan order
	rank     []int32 // per plan position: index into acctInfo
	pos      []int32 // per user index: plan position
	userRank []int32 // per user index: index into acctInfo
	acctInfo []acctInfo
	// acctKey finds an account Id's seed: what Account.csv and
	// UserRole.csv say about it, and its first-seen rank in orderUsers.
	acctKey     map[string]int32
	acctSeeds   []acctSeed
	licenses    map[string]*rules.License // raw license name -> catalog entry (nil when unknown)
	lastLicName string                    // the name license resolved last
	lastLic     *rules.License
	profiles    map[string]*org.Profile   // lower-case name -> profile
	defProfile  map[*rules.License]string // default profile of a license
	userLic     map[*rules.License]*org.UserLicense
	objPerms    map[string]*objAccess // permission set Id -> View/Modify All objects
	psCheck     []int32               // plan positions whose change may remove permission sets
	joined      chan assigneeRows     // see startJoin
	tgCache     targetCache
	targetUsed  []bool
	targetSrcs  []string // tg.Sources, or tg.Describe for a hand-built set that names none
	targetUses  []int    // users per target source
	noTarget    int      // users without a target

	// per user in plan order
	dec []decision
	// per account rank: the rule ID of the first user (in plan order) whose
	// account must be enabled as a partner account, "" when none; and the
	// seq of that enable_partner_account step.
	partnerBy  []string
	partnerSeq []int
	// tally results that layout and finish use
	stepCount   [4]int   // steps per phase
	listUsers   []int    // users per warning list (decision.base)
	maskUsers   [32]int  // users per decision.mask
	profUsers   []int    // users per profWarns entry
	permUsers   []int    // users per permLists entry
	outcomeUses [8]int   // users per outcome
	catAgg      []licAgg // per catalog license
	catSeen     []bool
	otherAgg    map[string]*licAgg // licenses outside the catalog
	acctAgg     []acctAgg          // per account rank

	// lists holds the shared warning lists that decision.base names (a
	// rule's own warnings, a skipped or unknown-license user's); lists[0]
	// is the empty list.
	lists      [][]Warning
	strs       []string // target licenses and profiles named by decisions
	strIdx     map[string]int32
	ruleBase   map[ruleBaseKey]int32 // warning list of a rule alone
	unknown    map[unknownKey]int32
	profMemo   map[profKey]profChoice
	lastProf   profKey // targetProfile's last answer
	lastChoice profChoice
	lastProfOK bool
	licStr     []int32 // per catalog license: 1 + its name's index in strs, 0 when not there yet
	profWarns  []Warning
	permLists  [][]Warning // permission warning lists, named by decision.perm
	recipes    map[recipeKey]int32
	recipeList [][]stepTmpl
	recipeUses []int
	ruleUse    []int   // users per rule, by table cell (from.Index*n + to.Index)
	ruleMay    []uint8 // per table cell: the conditions the rule may warn about (mayWarn)
	planWarn   []Warning
	notes      []string
}

// decision is what the planner decided for one user. It is kept for every
// user, so it is small and holds no pointers (the collector never scans the
// decisions, and writing them needs no write barrier): the rule, warnings,
// target names and steps are indexes into tables the users share.
//
// A user's warnings are those of list base, then the account warnings of
// the conditions in mask (they name the account, so they are made when the
// user is read, see userWarnings), the target profile's warning profWarn and
// the permission warnings perm, ordered by severity.
type decision struct {
	base     int32 // index into builder.lists: the warnings of the rule alone (or of a skipped or unknown-license user)
	profWarn int32 // index into builder.profWarns, or -1
	perm     int32 // index into builder.permLists, or -1
	recipe   int32 // index into recipeList; -1 for no steps
	toLic    int32 // index into builder.strs; -1: the current license
	toProf   int32 // index into builder.strs; -1: the current profile
	from     int16 // catalog index of the current license; -1 when unknown
	to       int16 // catalog index of the target license when a rule applies, else -1
	outcome  rules.Outcome
	mask     uint8 // the account and user conditions (cond*) that apply
	// removesAccess: the user has permission sets or permission set
	// licenses that the change removes.
	removesAccess bool
}

// needsPartner reports whether the user's account must be enabled as a
// partner account first.
func (d *decision) needsPartner() bool { return d.mask&condPartner != 0 }

// rule returns the rule d applies, or nil.
func (b *builder) rule(d *decision) *rules.Rule { return ruleOf(b.table, d) }

func ruleOf(t *rules.Table, d *decision) *rules.Rule {
	if d.to < 0 {
		return nil
	}
	return t.Lookup(t.Catalog.Licenses[d.from], t.Catalog.Licenses[d.to])
}

// acctSeed is what is known of an account Id before the users are ordered.
type acctSeed struct {
	acct *org.Account // the last row of Account.csv with the Id, or nil
	// roles: bit 1 = the account has customer portal roles, bit 2 =
	// partner roles, from UserRole.csv (orderUsers adds the users' roles).
	roles uint8
	rank  int32 // the account's index in acctInfo before sorting; -1 until a user has it
}

// seed returns the seed of account Id id, adding one when there is none.
func (b *builder) seed(id string) *acctSeed {
	k, ok := b.acctKey[id]
	if !ok {
		k = int32(len(b.acctSeeds))
		b.acctKey[id] = k
		b.acctSeeds = append(b.acctSeeds, acctSeed{rank: -1})
	}
	return &b.acctSeeds[k]
}

// acctInfo is one distinct account of the users, in plan order.
type acctInfo struct {
	id, name string
	acct     *org.Account // nil when Account.csv does not have it
	roles    uint8        // portal role bits (see portalBit)
}

type ruleBaseKey struct {
	rule     *rules.Rule
	inactive bool
}

// unknownKey names the warning list of a user whose current or target
// license is not in the catalog.
type unknownKey struct {
	from, to       string
	hasFrom, hasTo bool
}

type profKey struct {
	given string
	to    *rules.License
}

// profChoice is the target profile chosen for a (given profile, target
// license) pair: an index into strs, and into profWarns or -1.
type profChoice struct {
	prof, warn int32
}

type objAccess struct{ viewAll, modifyAll []string }

type recipeKey struct {
	from, to                    int16
	needsPartner, removesAccess bool
}

func newBuilder(snap *org.Snapshot, table *rules.Table, tg *targets.Set, opts Options) *builder {
	b := &builder{
		snap: snap, table: table, tg: tg, opts: opts,
		licenses:   map[string]*rules.License{},
		profiles:   make(map[string]*org.Profile, len(snap.Profiles)),
		defProfile: map[*rules.License]string{},
		userLic:    map[*rules.License]*org.UserLicense{},
		objPerms:   map[string]*objAccess{},
		lists:      [][]Warning{noWarnings},
		strIdx:     map[string]int32{},
		ruleBase:   map[ruleBaseKey]int32{},
		unknown:    map[unknownKey]int32{},
		profMemo:   map[profKey]profChoice{},
		recipes:    map[recipeKey]int32{},
		ruleUse:    make([]int, len(table.Catalog.Licenses)*len(table.Catalog.Licenses)),
		licStr:     make([]int32, len(table.Catalog.Licenses)),
		ruleMay:    make([]uint8, len(table.Catalog.Licenses)*len(table.Catalog.Licenses)),
	}
	if tg != nil {
		b.targetUsed = make([]bool, len(tg.Rows))
		b.targetSrcs = tg.Sources
		if len(b.targetSrcs) == 0 && (len(tg.Rows) > 0 || len(tg.Selectors) > 0) {
			b.targetSrcs = []string{tg.Describe}
		}
		b.targetUses = make([]int, len(b.targetSrcs))
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
	if b.plan.Source.RulesVersion == "" {
		b.plan.Source.RulesVersion = table.Version
	}

	b.acctKey = make(map[string]int32, len(snap.Accounts)+1)
	for i := range snap.Accounts {
		b.seed(snap.Accounts[i].ID).acct = &snap.Accounts[i]
	}
	for _, r := range snap.Roles {
		b.seed(r.PortalAccountID).roles |= portalBit(r.PortalType)
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
	// Users come grouped by license more often than not, and the reader
	// shares one string per value, so comparing with the last name is
	// cheaper than a map lookup.
	if name == b.lastLicName && name != "" {
		return b.lastLic
	}
	l, ok := b.licenses[name]
	if !ok {
		l = b.resolveLicense(name)
		b.licenses[name] = l
	}
	b.lastLicName, b.lastLic = name, l
	return l
}

func (b *builder) resolveLicense(name string) *rules.License {
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
	b.startJoin()
	b.orderUsers()
	users := b.snap.Users
	b.dec = make([]decision, len(users))
	b.partnerBy = make([]string, len(b.acctInfo))
	// Users are decided in input order, which reads them sequentially;
	// nothing decided depends on the order (partnerBy, which names the
	// first user in plan order, is filled by tally).
	for ui := range users {
		pi := b.pos[ui]
		b.dec[pi] = b.decideUser(&users[ui], pi, b.userRank[ui])
	}
	b.permissionChecks()
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

// orderUsers puts users in plan order: by account name and Id (a counting
// sort over account ranks, so a million users cost a few small sorts), then
// by username and Id inside each account. It also adds the portal roles the
// users hold to their accounts.
func (b *builder) orderUsers() {
	users := b.snap.Users
	userRank := make([]int32, len(users))
	lastAcct, lastRank := "", int32(-1)
	lastType, lastBit := "", uint8(0) // portalBit("") is 0
	for i := range users {
		u := &users[i]
		// Users of one account are usually next to each other (a snapshot
		// ordered by Id holds them in creation order), so the previous
		// user's rank saves most map lookups.
		if lastRank < 0 || u.AccountID != lastAcct {
			e := b.seed(u.AccountID)
			if e.rank < 0 {
				e.rank = int32(len(b.acctInfo))
				info := acctInfo{id: u.AccountID, name: u.AccountName, acct: e.acct, roles: e.roles}
				if info.acct != nil && info.acct.Name != "" {
					info.name = info.acct.Name
				}
				b.acctInfo = append(b.acctInfo, info)
			}
			lastAcct, lastRank = u.AccountID, e.rank
		}
		userRank[i] = lastRank
		if u.RoleID != "" && u.AccountID != "" {
			if u.RolePortalType != lastType {
				lastType, lastBit = u.RolePortalType, portalBit(u.RolePortalType)
			}
			b.acctInfo[lastRank].roles |= lastBit
		}
	}
	// Sort the distinct accounts, then renumber so rank order is plan order.
	keys := make([]sortKey, len(b.acctInfo))
	for i := range keys {
		keys[i] = newSortKey(b.acctInfo[i].name, int32(i))
	}
	sortKeys(keys, func(x, y int32) int {
		a, c := &b.acctInfo[x], &b.acctInfo[y]
		return compare2(a.name, c.name, a.id, c.id)
	})
	newRank := make([]int32, len(keys))
	sorted := make([]acctInfo, len(keys))
	for pos, k := range keys {
		newRank[k.i] = int32(pos)
		sorted[pos] = b.acctInfo[k.i]
	}
	b.acctInfo = sorted
	start := make([]int32, len(sorted)+1)
	for i := range userRank {
		userRank[i] = newRank[userRank[i]]
		start[userRank[i]+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	// Inside each account, sort keys that hold the usernames' first bytes,
	// so that most comparisons touch no user (the users without an account
	// are spread over the whole input). The keys are made in input order,
	// which reads the users sequentially.
	keys = make([]sortKey, len(users))
	next := slices.Clone(start[:len(sorted)])
	for i, r := range userRank {
		keys[next[r]] = newSortKey(users[i].Username, int32(i))
		next[r]++
	}
	byUsername := func(x, y int32) int {
		a, c := &users[x], &users[y]
		return compare2(a.Username, c.Username, a.ID, c.ID)
	}
	b.order = make([]int32, len(users))
	b.rank = make([]int32, len(users))
	b.pos = make([]int32, len(users))
	for r := range sorted {
		group := keys[start[r]:start[r+1]]
		if len(group) > 1 {
			sortKeys(group, byUsername)
		}
		for j, k := range group {
			pi := start[r] + int32(j)
			b.order[pi], b.rank[pi], b.pos[k.i] = k.i, int32(r), pi
		}
	}
	b.userRank = userRank
}

// sortKey is an index to sort and the first bytes of its first sort key.
type sortKey struct {
	k0, k1 uint64
	i      int32
}

// newSortKey returns the key of index i whose first sort key is s. Its
// k0 and k1 are the first 16 bytes of s, big-endian and zero-padded, so
// that a smaller (k0, k1) means a smaller s, and equal ones say nothing.
func newSortKey(s string, i int32) sortKey {
	return sortKey{be8(s), be8(s[min(8, len(s)):]), i}
}

func be8(s string) uint64 {
	if len(s) >= 8 {
		return binary.BigEndian.Uint64([]byte(s[:8]))
	}
	var k uint64
	for j := range 8 {
		k <<= 8
		if j < len(s) {
			k |= uint64(s[j])
		}
	}
	return k
}

// sortKeys sorts keys by their prefixes, then by full, the comparison the
// prefixes were taken from.
func sortKeys(keys []sortKey, full func(x, y int32) int) {
	slices.SortFunc(keys, func(x, y sortKey) int {
		if x.k0 != y.k0 {
			if x.k0 < y.k0 {
				return -1
			}
			return 1
		}
		if x.k1 != y.k1 {
			if x.k1 < y.k1 {
				return -1
			}
			return 1
		}
		return full(x.i, y.i)
	})
}

// compare2 orders by (a1, a2) then (b1, b2). Unlike cmp.Or over two
// strings.Compare calls it compares the second key only on a tie; in the
// sorts of a million users that halves the comparisons.
func compare2(a1, a2, b1, b2 string) int {
	if c := strings.Compare(a1, a2); c != 0 {
		return c
	}
	return strings.Compare(b1, b2)
}

// decideUser decides user u, at plan position pi in account group rank.
func (b *builder) decideUser(u *org.User, pi, rank int32) decision {
	info := &b.acctInfo[rank]
	acct := info.acct
	d := decision{profWarn: -1, perm: -1, recipe: -1, toLic: -1, toProf: -1, from: -1, to: -1}
	from := b.license(u.License)
	fromName := u.License
	if from != nil {
		d.from = int16(from.Index)
		fromName = from.Name
	}
	isPartner := u.AccountIsPartner
	if acct != nil && acct.IsPartner.Known() {
		isPartner = acct.IsPartner
	}
	m, hasTarget := b.lookupTarget(u, from, fromName, info.name, isPartner)
	if hasTarget {
		if m.Row >= 0 {
			b.targetUsed[m.Row] = true
		}
		// A hand-built Set may name no sources: its targets count as one.
		b.targetUses[min(uint(m.Source), uint(len(b.targetUses)-1))]++
	} else {
		b.noTarget++
	}
	inactive := u.IsActive.IsFalse()

	if inactive && !b.opts.IncludeInactive {
		d.outcome = rules.Skipped
		d.base = b.skippedWarnings()
		return d
	}
	if !hasTarget {
		d.outcome = rules.NoChange
		if from == nil {
			d.base = b.unknownLicenses(unknownKey{from: u.License, hasFrom: true})
		}
		return d
	}
	to := b.license(m.License)
	if to != nil {
		if b.licStr[to.Index] == 0 {
			b.licStr[to.Index] = 1 + b.str(to.Name)
		}
		d.toLic = b.licStr[to.Index] - 1
	} else {
		d.toLic = b.str(m.License)
	}
	if from == nil || to == nil {
		d.outcome = rules.Invalid
		var k unknownKey
		if from == nil {
			k.from, k.hasFrom = u.License, true
		}
		if to == nil {
			k.to, k.hasTo = m.License, true
		}
		d.base = b.unknownLicenses(k)
		return d
	}
	r := b.table.Lookup(from, to)
	d.to, d.outcome = int16(to.Index), r.Outcome
	b.ruleUse[from.Index*len(b.table.Catalog.Licenses)+to.Index]++
	if r.Outcome == rules.NoChange {
		return d
	}
	if r.Outcome == rules.NoPath {
		// Nothing can be planned (a site's guest user): no steps, no
		// target profile, only the rule's warnings, which say what to do
		// instead.
		d.base = b.ruleWarnings(r, to, inactive)
		return d
	}

	prof := b.targetProfile(m.Profile, to)
	d.toProf, d.profWarn = prof.prof, prof.warn

	// Conditions that depend on the user and the account.
	var mask uint8
	may := b.mayWarn(from, to)
	if may&condPartner != 0 && u.AccountID != "" && !isPartner.IsTrue() {
		mask |= condPartner
	}
	if may&condNoContact != 0 && u.ContactID == "" {
		mask |= condNoContact
	}
	createsUser := r.Outcome != rules.ChangeInPlace
	if may&condOwnerNoRole != 0 && acct != nil && acct.OwnerHasRole.IsFalse() && (to.RequiresRole || createsUser) {
		mask |= condOwnerNoRole
	}
	if may&condRoleRequired != 0 && u.AccountID != "" {
		if createsUser || u.RoleID == "" || portalBit(u.RolePortalType) != portalBit(to.PortalType()) {
			mask |= condRoleRequired
		}
		if info.roles&portalBit(to.PortalType()) == 0 {
			mask |= condRoleCreated
		}
	}
	d.mask = mask
	d.base = b.ruleWarnings(r, to, inactive)
	if may&condPermissions != 0 {
		b.psCheck = append(b.psCheck, pi)
	}
	return d
}

// Conditions of a user and an account that decide warnings, as bits of a
// mask: what a rule may warn about, and what applies to a user.
const (
	condPartner      uint8 = 1 << iota // PARTNER_ACCOUNT_REQUIRED
	condNoContact                      // NO_CONTACT
	condOwnerNoRole                    // ACCOUNT_OWNER_NO_ROLE
	condRoleRequired                   // ROLE_REQUIRED
	condRoleCreated                    // ROLE_CREATED (may: with ROLE_REQUIRED)
	condPermissions                    // PERMISSION_SETS_REMOVED or VIEW_ALL_RECORDS_LOST: check permissions
)

// maskCodes returns the warning codes of the conditions in mask, one each,
// in the order accountWarnings writes them.
func maskCodes(mask uint8) []rules.Code {
	var out []rules.Code
	for _, c := range [...]struct {
		bit  uint8
		code rules.Code
	}{
		{condPartner, rules.PartnerAccountRequired},
		{condOwnerNoRole, rules.AccountOwnerNoRole},
		{condRoleRequired, rules.RoleRequired},
		{condRoleCreated, rules.RoleCreated},
		{condNoContact, rules.NoContact},
	} {
		if mask&c.bit != 0 {
			out = append(out, c.code)
		}
	}
	return out
}

// mayWarn returns the conditions the rule from -> to may warn about,
// worked out once per rule.
func (b *builder) mayWarn(from, to *rules.License) uint8 {
	i := from.Index*len(b.table.Catalog.Licenses) + to.Index
	if b.ruleMay[i]&mayKnown != 0 {
		return b.ruleMay[i]
	}
	r := b.table.Lookup(from, to)
	m := mayKnown
	for c, bit := range map[rules.Code]uint8{
		rules.PartnerAccountRequired: condPartner,
		rules.NoContact:              condNoContact,
		rules.AccountOwnerNoRole:     condOwnerNoRole,
		rules.RoleRequired:           condRoleRequired,
		rules.PermissionSetsRemoved:  condPermissions,
		rules.ViewAllRecordsLost:     condPermissions,
	} {
		if slices.Contains(r.MayWarn, c) {
			m |= bit
		}
	}
	b.ruleMay[i] = m
	return m
}

// mayKnown marks a ruleMay entry as worked out.
const mayKnown uint8 = 1 << 7

// lookupTarget returns the target of user u, whose license is license
// (canonical when known), on an account named account whose partner status
// is partner.
//
// With no per-user rows, a Set's answer depends only on the fields its
// selectors match on (TestSelectorFields pins them). The key of the memo
// below leaves out the fields no selector names, so users who differ only
// in those share one answer: with the usual selectors, on license and
// partner status, a million users make a handful of lookups.
func (b *builder) lookupTarget(u *org.User, lic *rules.License, license, account string, partner org.Tri) (targets.Match, bool) {
	if b.tg == nil {
		return targets.Match{}, false
	}
	if len(b.tg.Rows) > 0 {
		return b.tg.Lookup(targets.UserRef{ID: u.ID, Username: u.Username, License: license, UserType: u.UserType,
			Profile: u.ProfileName, AccountName: account, AccountIsPartner: partner})
	}
	tc := &b.tgCache
	if tc.memo == nil {
		tc.memo = map[targets.UserRef]targetAnswer{}
		for _, s := range b.tg.Selectors {
			tc.userType = tc.userType || len(s.UserTypes) > 0
			tc.profile = tc.profile || len(s.Profiles) > 0
			tc.account = tc.account || len(s.AccountNames) > 0
			tc.partner = tc.partner || s.PartnerAccount != nil
		}
		if !tc.userType && !tc.profile && !tc.account {
			tc.byLicense = make([]targetAnswer, 3*len(b.table.Catalog.Licenses))
		}
	}
	// The usual case: the answer depends on the catalog license and the
	// partner status alone, and a table indexed by them needs no hashing.
	if tc.byLicense != nil && lic != nil && partner <= org.True {
		i := 3*lic.Index + int(partner)
		a := &tc.byLicense[i]
		if !a.known {
			a.m, a.ok = b.tg.Lookup(targets.UserRef{License: license, AccountIsPartner: partner})
			a.known = true
		}
		return a.m, a.ok
	}
	k := targets.UserRef{License: license}
	if tc.userType {
		k.UserType = u.UserType
	}
	if tc.profile {
		k.Profile = u.ProfileName
	}
	if tc.account {
		k.AccountName = account
	}
	if tc.partner {
		k.AccountIsPartner = partner
	}
	if tc.lastOK && k == tc.lastKey {
		return tc.last.m, tc.last.ok
	}
	a, ok := tc.memo[k]
	if !ok {
		a.m, a.ok = b.tg.Lookup(k)
		if len(tc.memo) < maxTargetMemo {
			tc.memo[k] = a
		}
	}
	tc.lastKey, tc.last, tc.lastOK = k, a, true
	return a.m, a.ok
}

// targetCache is lookupTarget's memo: which fields the selectors match on,
// the answers by key, and the last key and answer (the next user in the
// input often has the same key).
type targetCache struct {
	userType, profile, account, partner bool
	memo                                map[targets.UserRef]targetAnswer
	lastKey                             targets.UserRef
	last                                targetAnswer
	lastOK                              bool
	// byLicense, when no selector names a user type, profile or account
	// name, holds the answers by catalog license index and partner status.
	byLicense []targetAnswer
}

type targetAnswer struct {
	m         targets.Match
	ok, known bool
}

// maxTargetMemo bounds lookupTarget's memo (selectors on account names or
// profiles can make a key per account).
const maxTargetMemo = 1 << 16

var (
	noSteps    = []int{}
	noWarnings = []Warning{}
)

// sortWarnings sorts ws by severity rank, stably. Lists are short, so an
// insertion sort over ranks looked up once per warning beats a sort that
// looks up two ranks per comparison.
func sortWarnings(ws []Warning) {
	var buf [16]int
	rank := buf[:0]
	for i := range ws {
		rank = append(rank, ws[i].Code.Rank())
	}
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && rank[j-1] > rank[j]; j-- {
			rank[j-1], rank[j] = rank[j], rank[j-1]
			ws[j-1], ws[j] = ws[j], ws[j-1]
		}
	}
}

// addList records a warning list that users share and returns its index.
func (b *builder) addList(ws []Warning) int32 {
	if len(ws) == 0 {
		return 0
	}
	b.lists = append(b.lists, slices.Clip(ws))
	return int32(len(b.lists) - 1)
}

// str returns the index of s in strs.
func (b *builder) str(s string) int32 {
	if i, ok := b.strIdx[s]; ok {
		return i
	}
	i := int32(len(b.strs))
	b.strs = append(b.strs, s)
	b.strIdx[s] = i
	return i
}

func (b *builder) skippedWarnings() int32 {
	k := ruleBaseKey{inactive: true}
	if id, ok := b.ruleBase[k]; ok {
		return id
	}
	id := b.addList([]Warning{{Code: rules.InactiveUser, Message: rules.InactiveUser.Message()}})
	b.ruleBase[k] = id
	return id
}

// unknownLicenses returns the list of UNKNOWN_LICENSE warnings for a
// current and/or target license outside the catalog.
func (b *builder) unknownLicenses(k unknownKey) int32 {
	if id, ok := b.unknown[k]; ok {
		return id
	}
	var ws []Warning
	if k.hasFrom {
		ws = append(ws, b.unknownLicense(k.from, false))
	}
	if k.hasTo {
		ws = append(ws, b.unknownLicense(k.to, true))
	}
	id := b.addList(ws)
	b.unknown[k] = id
	return id
}

func (b *builder) unknownLicense(name string, target bool) Warning {
	what := "current"
	if target {
		what = "target"
	}
	return Warning{Code: rules.UnknownLicense, License: name, Message: fmt.Sprintf(
		"The %s license \"%s\" is not in the catalog, so no rule applies; the user is kept in the plan but not converted. Run `licenseplan rules licenses` for the known licenses, or record the behaviour you see in the config file's rules.overrides.", what, name)}
}

// targetProfile chooses the target profile for a user moving to license
// to whose target names profile given ("" for none), once per pair.
func (b *builder) targetProfile(given string, to *rules.License) profChoice {
	k := profKey{given, to}
	// Most users with a target share it with the user before them.
	if b.lastProfOK && k == b.lastProf {
		return b.lastChoice
	}
	c := b.profChoice(k)
	b.lastProf, b.lastChoice, b.lastProfOK = k, c, true
	return c
}

func (b *builder) profChoice(k profKey) profChoice {
	given, to := k.given, k.to
	if c, ok := b.profMemo[k]; ok {
		return c
	}
	name, w := b.chooseProfile(given, to)
	c := profChoice{prof: b.str(name), warn: -1}
	if w != nil {
		c.warn = int32(len(b.profWarns))
		b.profWarns = append(b.profWarns, *w)
	}
	b.profMemo[k] = c
	return c
}

func (b *builder) chooseProfile(given string, to *rules.License) (string, *Warning) {
	if given == "" {
		if p, ok := b.defProfile[to]; ok {
			return p, nil
		}
		return "", &Warning{Code: rules.NoTargetProfile, License: to.Name, Message: fmt.Sprintf(
			"No profile of license \"%s\" is known (Profile.csv): create one, then name it as the target profile.", to.Name)}
	}
	if !b.snap.Has.Profiles {
		return given, nil
	}
	p, ok := b.profiles[strings.ToLower(given)]
	if !ok {
		return given, &Warning{Code: rules.NoTargetProfile, License: to.Name, Message: fmt.Sprintf(
			"Target profile \"%s\" is not in Profile.csv: check the name, or create the profile with license \"%s\".", given, to.Name)}
	}
	if l := b.license(p.License); l != to {
		return p.Name, &Warning{Code: rules.TargetProfileMismatch, License: to.Name, Message: fmt.Sprintf(
			"Target profile \"%s\" belongs to license \"%s\", not \"%s\": Salesforce sets the license from the profile, so choose a profile of \"%s\".", p.Name, p.License, to.Name, to.Name)}
	}
	return p.Name, nil
}

// ruleWarnings returns, built once per rule, the list of the warnings that
// depend only on the rule.
func (b *builder) ruleWarnings(r *rules.Rule, to *rules.License, inactive bool) int32 {
	k := ruleBaseKey{r, inactive}
	if id, ok := b.ruleBase[k]; ok {
		return id
	}
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
				msg += fmt.Sprintf("; Salesforce says: \"%s\"", r.Message)
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
	if inactive {
		add(rules.InactiveUser, "The user is inactive; planned because inactive users were included.")
	}
	sortWarnings(ws)
	id := b.addList(ws)
	b.ruleBase[k] = id
	return id
}

// accountWarnings appends to ws the warnings of the conditions in mask for
// a user of account info moving to license to.
func accountWarnings(ws []Warning, info *acctInfo, to *rules.License, mask uint8) []Warning {
	// The messages are concatenated rather than formatted: they are made
	// each time a user is read.
	acct := quoteName(info.name)
	if mask&condPartner != 0 {
		msg := "Account " + acct + " must be enabled as a partner account before the user becomes a " + to.Name + " user (a partner account can hold customer and partner users, so customer users on it are not affected)."
		if info.acct == nil || !info.acct.IsPartner.Known() {
			msg = "Account " + acct + " may not be a partner account (Account.IsPartner is unknown): make sure it is one before the user becomes a " + to.Name + " user."
		}
		ws = append(ws, Warning{Code: rules.PartnerAccountRequired, AccountID: info.id, Message: msg})
	}
	if mask&condOwnerNoRole != 0 {
		ws = append(ws, Warning{Code: rules.AccountOwnerNoRole, AccountID: info.id, Message: "The owner of account " + acct + " has no role: give the owner a role first, or Salesforce refuses (\"portal account owner must have a role\")."})
	}
	if mask&condRoleRequired != 0 {
		ws = append(ws, Warning{Code: rules.RoleRequired, Message: to.Name + " requires a role: unless you give one, the user gets the lowest role of the account, \"" + lowestRole(info.name, to) + "\"."})
	}
	if mask&condRoleCreated != 0 {
		ws = append(ws, Warning{Code: rules.RoleCreated, AccountID: info.id, Message: "Account " + acct + " has no " + portalWord(to) + " roles yet: Salesforce creates them (lowest \"" + lowestRole(info.name, to) + "\") when the first user is enabled, and they cannot be renamed. Consider account role optimization."})
	}
	if mask&condNoContact != 0 {
		ws = append(ws, Warning{Code: rules.NoContact, Message: "The user has no contact, and " + to.Name + " needs one: link the user to a contact (set ContactId) or create one on the right account first."})
	}
	return ws
}

func quoteName(s string) string {
	if s == "" {
		return "(no account)"
	}
	return `"` + s + `"`
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
