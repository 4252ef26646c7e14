package orggen

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/licenseplan/licenseplan/org"
)

// Options configures Generate.
type Options struct {
	// Users is the number of users, internal and external together.
	Users int
	// Seed makes the org: the same Options always give the same Snapshot.
	Seed int64
}

// Generate returns a realistic synthetic org of opts.Users users.
//
// About a tenth of the users are internal (Salesforce, Salesforce Platform,
// Chatter Free, ...), and some of them own the accounts; the rest are
// external users on customer and partner accounts of 1 to 50 users, mostly
// small. Role-based external users (Customer Community Plus, Customer Portal
// Manager, Partner Community, ...) hold the "<Account> Customer/Partner
// User/Manager/Executive" portal roles of their account; a few accounts of
// high-volume users keep portal roles from earlier users. About 5% of users
// are inactive, some External Identity users have no contact, and some
// account owners have no role. Once opts.Users is at least 200, every license
// of Catalog is used by at least one user.
//
// Every user has the profile-owned permission set of its profile; some also
// have custom permission sets (a few with View All or Modify All Records on
// objects) and permission set licenses. UserLicense counts follow the active
// users, with some licenses nearly full. The Organization is a sandbox.
//
// The result is deterministic: the same Options give a deep-equal Snapshot.
func Generate(opts Options) *org.Snapshot {
	n := max(opts.Users, 0)
	seed := uint64(opts.Seed)
	g := &gen{
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		s:   &org.Snapshot{},
	}
	g.pod = pods[g.rng.IntN(len(pods))]
	for i := range g.next {
		// Start each object's counter somewhere in the low millions, as
		// in a real org that has been in use for a while.
		g.next[i] = 62*62*62*62 + g.rng.Uint64N(62*62*62*62*62)
	}
	g.organization()
	g.licensesAndProfiles()
	g.permissionSets()
	g.s.Users = make([]org.User, n)
	g.licOf = make([]uint8, n)

	nInternal := 0
	if n > 0 {
		nInternal = max((n+9)/10, 1)
	}
	g.internalRoles()
	g.internalUsers(nInternal)
	g.planAccounts(nInternal)
	g.accountsAndRoles()
	g.externalUsers()
	g.assignments()
	g.licenseCounts()
	g.newUserFields()
	g.s.Has = org.Presence{
		Accounts: true, Roles: true, Licenses: true, Profiles: true,
		PermissionSets: true, ObjectPermissions: true, PermissionSetLicenses: true, PermissionSetLicenseID: true,
		Organization: true, AccountIsPartner: true, AccountOwnerRole: true,
		UserType: true, IsActive: true,
		NewUserFields: [org.NumNewUserFields]bool{true, true, true, true, true, true, true, true, true},
	}
	return g.s
}

// newUserFields gives every user the fields a new user for its contact
// would copy (see NewUserFields), from its name and username.
func (g *gen) newUserFields() {
	// The joined values are cut from large chunks, as the snapshot reader
	// does, so a generated org costs the collector what a read one does.
	var chunk, buf []byte
	store := func(b []byte) string {
		if cap(chunk)-len(chunk) < len(b) {
			chunk = make([]byte, 0, max(64<<10, len(b)))
		}
		start := len(chunk)
		chunk = append(chunk, b...)
		return unsafe.String(&chunk[start], len(b))
	}
	for i := range g.s.Users {
		u := &g.s.Users[i]
		first, last, _ := strings.Cut(u.Name, " ")
		v := NewUserFields(first, last, u.Username, i)
		// Generated values are far shorter than the bound.
		u.New, buf, _ = org.JoinNewUserFields(&v, buf, store)
	}
}

var pods = [...]string{"5g", "8W", "Dn", "Hs", "2x", "Kc", "7Q", "Wp"}

// Object kinds that get Ids.
const (
	kOrg = iota
	kUser
	kAccount
	kRole
	kLicense
	kProfile
	kPermSet
	kContact
	numKinds
)

var keyPrefixes = [numKinds]string{
	kOrg: "00D", kUser: "005", kAccount: "001", kRole: "00E", kLicense: "100",
	kProfile: "00e", kPermSet: "0PS", kContact: "003",
}

type gen struct {
	rng  *rand.Rand
	s    *org.Snapshot
	pod  string
	next [numKinds]uint64
	tab  strtab

	// profileOf is the standard profile index (into s.Profiles) of each
	// license; sysAdmin is the System Administrator profile.
	profileOf [numLicenses]int
	sysAdmin  int
	// profilePS is the profile-owned permission set of each profile.
	profilePS []permSet
	// custom holds the custom permission sets by audience.
	custom [numAudiences][]permSet

	licOf  []uint8 // license of each user
	owners []int   // users who may own accounts
	accts  []acctPlan
	names  []string // "First Last", built on first use
}

type permSet struct{ id, name string }

// acctPlan is an account decided before any of it is built.
type acctPlan struct {
	first, n  int   // its users: Users[first : first+n]
	owner     int   // owning user
	partner   bool  // IsPartner
	customer  bool  // IsCustomerPortal
	custRoles uint8 // number of customer portal roles (0-3)
	partRoles uint8 // number of partner portal roles (0-3)
	roleStart int   // index in Roles of its first role: customer, then partner
}

// id appends the next Id of kind k to the string table and has it stored in
// *dst when the table is flushed.
func (g *gen) id(k int, dst *string) {
	g.tab.buf = AppendID(g.tab.buf, keyPrefixes[k], g.pod, g.next[k])
	g.next[k]++
	g.tab.mark(dst)
}

// newID returns the next Id of kind k as a string of its own; used for the
// few dozen objects that are not worth batching.
func (g *gen) newID(k int) string {
	var b [18]byte
	s := string(AppendID(b[:0], keyPrefixes[k], g.pod, g.next[k]))
	g.next[k]++
	return s
}

func (g *gen) organization() {
	name := orgNames[g.rng.IntN(len(orgNames))]
	g.s.Organization = &org.Organization{
		ID:               g.newID(kOrg),
		Name:             name,
		OrganizationType: "Enterprise Edition",
		IsSandbox:        org.True,
		InstanceName:     "CS" + strconv.Itoa(1+g.rng.IntN(220)),
	}
}

func (g *gen) licensesAndProfiles() {
	g.s.Licenses = make([]org.UserLicense, numLicenses)
	g.s.Profiles = make([]org.Profile, 0, numLicenses+1)
	for i := range catalog {
		l := &catalog[i]
		g.s.Licenses[i] = org.UserLicense{
			ID:                   g.newID(kLicense),
			Name:                 l.Name,
			LicenseDefinitionKey: l.Key,
			Status:               "Active",
		}
		g.profileOf[i] = len(g.s.Profiles)
		g.s.Profiles = append(g.s.Profiles, org.Profile{ID: g.newID(kProfile), Name: l.Profile, License: l.Name})
	}
	g.sysAdmin = len(g.s.Profiles)
	g.s.Profiles = append(g.s.Profiles, org.Profile{ID: g.newID(kProfile), Name: "System Administrator", License: catalog[licSalesforce].Name})
}

// permissionSets creates the profile-owned permission set of every profile,
// the custom permission sets, and their object permissions.
func (g *gen) permissionSets() {
	g.profilePS = make([]permSet, len(g.s.Profiles))
	for i, p := range g.s.Profiles {
		// A profile-owned permission set is named "X" plus the
		// 15-character Id of its profile.
		g.profilePS[i] = permSet{id: g.newID(kPermSet), name: "X" + p.ID[:15]}
		for _, op := range profileObjectPerms(i, g.sysAdmin) {
			g.s.ObjectPermissions = append(g.s.ObjectPermissions, org.ObjectPermission{
				ParentID: g.profilePS[i].id, SobjectType: op.object,
				ViewAllRecords: op.viewAll, ModifyAllRecords: op.modifyAll,
			})
		}
	}
	for _, spec := range customPermSets {
		ps := permSet{id: g.newID(kPermSet), name: spec.name}
		g.custom[spec.audience] = append(g.custom[spec.audience], ps)
		for _, op := range spec.perms {
			g.s.ObjectPermissions = append(g.s.ObjectPermissions, org.ObjectPermission{
				ParentID: ps.id, SobjectType: op.object,
				ViewAllRecords: op.viewAll, ModifyAllRecords: op.modifyAll,
			})
		}
	} // The export query (org.Queries) keeps only rows that grant View All
	// or Modify All Records, so a real snapshot never holds the others;
	// neither does this one, and orgsim serves it back unchanged.
	g.s.ObjectPermissions = slices.DeleteFunc(g.s.ObjectPermissions, func(op org.ObjectPermission) bool {
		return !op.ViewAllRecords && !op.ModifyAllRecords
	})
}

var (
	sysAdminPerms = []objPerm{
		{"Account", true, true}, {"Contact", true, true}, {"Case", true, true},
		{"Opportunity", true, true}, {"Lead", true, true},
	}
	internalPerms = []objPerm{{"Account", false, false}, {"Contact", false, false}, {"Opportunity", false, false}, {"Case", false, false}}
	customerPerms = []objPerm{{"Account", false, false}, {"Contact", false, false}, {"Case", false, false}}
	partnerPerms  = []objPerm{{"Account", false, false}, {"Lead", false, false}, {"Opportunity", false, false}}
	// Customer Portal Manager Custom profiles often carried View All on
	// cases for customer-side support managers.
	cpmCustomPerms = []objPerm{{"Account", false, false}, {"Contact", false, false}, {"Case", true, false}}
)

// profileObjectPerms returns the object permissions of profile p (an index
// into the generated profiles: one per license in catalog order, then
// System Administrator).
func profileObjectPerms(p, sysAdmin int) []objPerm {
	switch {
	case p == sysAdmin:
		return sysAdminPerms
	case p == licCPMCustom:
		return cpmCustomPerms
	case p == licSalesforce || p == licPlatform || p == licOneApp:
		return internalPerms
	case p < firstExternal:
		return nil
	case partnerLicense(p):
		return partnerPerms
	}
	return customerPerms
}

func (g *gen) internalRoles() {
	for _, name := range internalRoles {
		g.s.Roles = append(g.s.Roles, org.Role{ID: g.newID(kRole), Name: name, PortalType: org.PortalTypeNone})
	}
}

// Relative weights of licenses among internal users (indexes 0-9) and, for
// external ones, the weights by which accounts pick their main license.
var licenseWeights = [numLicenses]int{
	licSalesforce: 550, licPlatform: 200, licOneApp: 30, licChatterOnly: 20, licKnowledgeOnly: 20,
	licSiteforceOnly: 10, licContentOnly: 10, licWorkDotCom: 10, licChatterFree: 120, licChatterExternal: 30,

	licCustomerCommunity: 350, licCustomerCommLogin: 200, licHVCP: 50, licOverageHVCP: 10,
	licAuthWebsite: 30, licOverageAuthWebsite: 10, licExternalIdentity: 40, licExternalApps: 20,
	licCustomerCommPlus: 80, licCustomerCommPlusLgn: 40, licCPMCustom: 20, licCPMStandard: 10,
	licOverageCPMCustom: 5, licOverageCPMStandard: 5,
	licPartnerCommunity: 80, licPartnerCommunityLgn: 30, licPartner: 5, licGoldPartner: 15,
	licSilverPartner: 5, licBronzePartner: 5,
}

// pick draws a license in [lo, hi) by licenseWeights.
func (g *gen) pick(lo, hi int) int {
	total := 0
	for _, w := range licenseWeights[lo:hi] {
		total += w
	}
	r := g.rng.IntN(total)
	for l := lo; l < hi; l++ {
		if r -= licenseWeights[l]; r < 0 {
			return l
		}
	}
	return hi - 1
}

// name returns a shared "First Last" string for a random person.
func (g *gen) name() (first, last int, full string) {
	first, last = g.rng.IntN(len(firstNames)), g.rng.IntN(len(lastNames))
	if g.names == nil {
		g.names = make([]string, len(firstNames)*len(lastNames))
	}
	i := first*len(lastNames) + last
	if g.names[i] == "" {
		g.names[i] = firstNames[first] + " " + lastNames[last]
	}
	return first, last, g.names[i]
}

// username appends "first.last.<seq>@domain" to the string table.
func (g *gen) username(dst *string, first, last, seq int, domain []byte) {
	b := appendLower(g.tab.buf, firstNames[first])
	b = append(b, '.')
	b = appendLower(b, lastNames[last])
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(seq), 36)
	b = append(b, '@')
	g.tab.buf = append(b, domain...)
	g.tab.mark(dst)
}

// appendLower appends s in lower case with spaces removed (ASCII only).
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

func (g *gen) internalUsers(nInternal int) {
	domain := appendDomain([]byte("corp."), g.s.Organization.Name)
	nRoles := len(g.s.Roles)
	for i := range nInternal {
		l := i // the first users cover every internal license
		if i >= firstExternal {
			l = g.pick(0, firstExternal)
		}
		g.licOf[i] = uint8(l)
		u := &g.s.Users[i]
		g.id(kUser, &u.ID)
		first, last, full := g.name()
		g.username(&u.Username, first, last, i, domain)
		u.Name = full
		u.IsActive = org.TriOf(g.rng.IntN(20) != 0)
		u.UserType = catalog[l].UserType
		p := g.profileOf[l]
		if l == licSalesforce && g.rng.IntN(20) == 0 {
			p = g.sysAdmin
		}
		g.setProfile(u, p)
		// Most internal users with a Standard license have a role; one in
		// seven has none, which leaves some account owners without one.
		if catalog[l].UserType == Standard && i%7 != 3 {
			g.setRole(u, g.rng.IntN(nRoles))
		}
		u.IsPortalEnabled = org.False
		if (l == licSalesforce || l == licPlatform) && u.IsActive.IsTrue() {
			g.owners = append(g.owners, i)
		}
	}
	if len(g.owners) == 0 {
		for i := range nInternal {
			g.owners = append(g.owners, i)
		}
	}
	g.tab.flush()
}

// appendDomain appends an org name as a lower-case domain
// ("contoso-holdings.example.com").
func appendDomain(b []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == ' ':
			c = '-'
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return append(b, ".example.com"...)
}

func (g *gen) setProfile(u *org.User, p int) {
	prof := &g.s.Profiles[p]
	u.ProfileID, u.ProfileName, u.License = prof.ID, prof.Name, prof.License
}

func (g *gen) setRole(u *org.User, r int) {
	role := &g.s.Roles[r]
	u.RoleID, u.RoleName, u.RolePortalType, u.RolePortalRole = role.ID, role.Name, role.PortalType, role.PortalRole
}

// accountSize draws the number of users of an account: 1 to 50, mostly small.
func (g *gen) accountSize() int {
	switch r := g.rng.IntN(100); {
	case r < 50:
		return 1 + g.rng.IntN(3)
	case r < 80:
		return 4 + g.rng.IntN(7)
	case r < 95:
		return 11 + g.rng.IntN(15)
	}
	return 26 + g.rng.IntN(25)
}

// planAccounts splits the external users into accounts and picks every
// external user's license.
func (g *gen) planAccounts(pos int) {
	n := len(g.s.Users)
	if pos >= n {
		return
	}
	custRoles := uint8(1 + g.rng.IntN(3)) // the org's "number of customer roles"
	partRoles := uint8(2 + g.rng.IntN(2)) // and of partner roles
	g.accts = make([]acctPlan, 0, (n-pos)/7+numLicenses)
	for k := 0; pos < n; k++ {
		size := g.accountSize()
		main := firstExternal + k
		if main < numLicenses {
			// The first accounts cover every external license.
			size = 1 + g.rng.IntN(3)
		} else {
			main = g.pick(firstExternal, numLicenses)
		}
		size = min(size, n-pos)
		a := acctPlan{
			first: pos, n: size,
			owner:   g.owners[g.rng.IntN(len(g.owners))],
			partner: partnerLicense(main) || g.rng.IntN(20) == 0,
		}
		lo, hi := firstExternal, licPartnerCommunity
		if partnerLicense(main) {
			lo, hi = licPartnerCommunity, numLicenses
		}
		var hasCust, hasPart, hasCustomer bool
		for j := range size {
			l := main
			if j > 0 && g.rng.IntN(5) == 0 {
				l = g.pick(lo, hi)
			}
			g.licOf[pos+j] = uint8(l)
			hasCust = hasCust || (roleBased(l) && !partnerLicense(l))
			hasPart = hasPart || partnerLicense(l)
			hasCustomer = hasCustomer || !partnerLicense(l)
		}
		a.customer = hasCustomer
		// Accounts of high-volume users alone sometimes keep the customer
		// roles of earlier role-based users.
		if hasCust || (hasCustomer && g.rng.IntN(10) == 0) {
			a.custRoles = custRoles
		}
		if hasPart {
			a.partRoles = partRoles
		}
		g.accts = append(g.accts, a)
		pos += size
	}
	// Make sure the first account is owned by someone without a role, when
	// there is such an owner.
	for _, o := range g.owners {
		if g.s.Users[o].RoleID == "" {
			g.accts[0].owner = o
			break
		}
	}
}

var (
	customerRoleSuffixes = [3]string{" Customer User", " Customer Manager", " Customer Executive"}
	partnerRoleSuffixes  = [3]string{" Partner User", " Partner Manager", " Partner Executive"}
	portalRoles          = [3]string{"Worker", "Manager", "Executive"}
)

const nameCombos = len(accountPrefixes) * len(accountCores) * len(accountSuffixes)

// appendAccountName appends the name of account k. Names are unique: the
// first nameCombos accounts get distinct prefix/core/suffix combinations,
// later ones a number.
func appendAccountName(b []byte, k int) []byte {
	c := (k*7919 + 1234) % nameCombos
	b = append(b, accountPrefixes[c%len(accountPrefixes)]...)
	b = append(b, ' ')
	c /= len(accountPrefixes)
	b = append(b, accountCores[c%len(accountCores)]...)
	if serial := k / nameCombos; serial > 0 {
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(serial+1), 10)
	}
	b = append(b, ' ')
	c /= len(accountCores)
	return append(b, accountSuffixes[c]...)
}

// appendAccountDomain appends the e-mail domain of account k.
func appendAccountDomain(b []byte, k int) []byte {
	c := (k*7919 + 1234) % nameCombos
	b = appendLower(b, accountPrefixes[c%len(accountPrefixes)])
	b = append(b, '-')
	c /= len(accountPrefixes)
	b = appendLower(b, accountCores[c%len(accountCores)])
	if serial := k / nameCombos; serial > 0 {
		b = strconv.AppendInt(b, int64(serial+1), 10)
	}
	c /= len(accountCores)
	b = append(b, '-')
	b = appendLower(b, accountSuffixes[c])
	return append(b, ".example"...)
}

func (g *gen) accountsAndRoles() {
	if len(g.accts) == 0 {
		return
	}
	nRoles := len(g.s.Roles)
	for i := range g.accts {
		a := &g.accts[i]
		a.roleStart = nRoles
		nRoles += int(a.custRoles) + int(a.partRoles)
	}
	roles := make([]org.Role, nRoles)
	copy(roles, g.s.Roles)
	g.s.Roles = roles
	g.s.Accounts = make([]org.Account, len(g.accts))
	for i := range g.accts {
		a := &g.accts[i]
		acc := &g.s.Accounts[i]
		g.id(kAccount, &acc.ID)
		g.tab.buf = appendAccountName(g.tab.buf, i)
		g.tab.mark(&acc.Name)
		owner := &g.s.Users[a.owner]
		acc.IsPartner = org.TriOf(a.partner)
		acc.IsCustomerPortal = org.TriOf(a.customer)
		acc.OwnerID, acc.OwnerRoleID, acc.OwnerHasRole = owner.ID, owner.RoleID, org.TriOf(owner.RoleID != "")
		r := a.roleStart
		for j := range int(a.custRoles) {
			g.portalRole(&roles[r], i, org.PortalTypeCustomer, customerRoleSuffixes[j], portalRoles[j])
			r++
		}
		for j := range int(a.partRoles) {
			g.portalRole(&roles[r], i, org.PortalTypePartner, partnerRoleSuffixes[j], portalRoles[j])
			r++
		}
	}
	g.tab.flush()
	// PortalAccountId can only be filled once the account Ids exist.
	for i := range g.accts {
		a := &g.accts[i]
		for r := range int(a.custRoles) + int(a.partRoles) {
			roles[a.roleStart+r].PortalAccountID = g.s.Accounts[i].ID
		}
	}
}

func (g *gen) portalRole(role *org.Role, acct int, portalType, suffix, portalRole string) {
	g.id(kRole, &role.ID)
	g.tab.buf = appendAccountName(g.tab.buf, acct)
	g.tab.buf = append(g.tab.buf, suffix...)
	g.tab.mark(&role.Name)
	role.PortalType, role.PortalRole = portalType, portalRole
}

func (g *gen) externalUsers() {
	var domain []byte
	for k := range g.accts {
		a := &g.accts[k]
		acc := &g.s.Accounts[k]
		domain = appendAccountDomain(domain[:0], k)
		for j := range a.n {
			i := a.first + j
			l := int(g.licOf[i])
			u := &g.s.Users[i]
			g.id(kUser, &u.ID)
			first, last, full := g.name()
			g.username(&u.Username, first, last, i, domain)
			u.Name = full
			u.IsActive = org.TriOf(g.rng.IntN(20) != 0)
			u.UserType = catalog[l].UserType
			g.setProfile(u, g.profileOf[l])
			u.IsPortalEnabled = org.True
			// Some External Identity users are contactless: no contact,
			// no account.
			if l == licExternalIdentity && j > 0 && g.rng.IntN(4) == 0 {
				continue
			}
			g.id(kContact, &u.ContactID)
			u.AccountID, u.AccountName, u.AccountIsPartner = acc.ID, acc.Name, acc.IsPartner
			u.AccountOwnerID = acc.OwnerID
			if !roleBased(l) {
				continue
			}
			start, count := a.roleStart, int(a.custRoles)
			if partnerLicense(l) {
				start, count = a.roleStart+int(a.custRoles), int(a.partRoles)
			}
			level := 0 // most users hold the lowest (Worker) role
			if r := g.rng.IntN(10); r >= 9 {
				level = 2
			} else if r >= 7 {
				level = 1
			}
			g.setRole(u, start+min(level, count-1))
		}
	}
	g.tab.flush()
}

// assignments gives every user the permission set of its profile, some users
// custom permission sets, and some users permission set licenses.
func (g *gen) assignments() {
	n := len(g.s.Users)
	// About 1.45 assignments per user: room for 1.6 avoids regrowing.
	g.s.PermissionSets = make([]org.PermissionSetAssignment, 0, n*8/5+64)
	g.s.PermissionSetLicenses = make([]org.PermissionSetLicenseAssign, 0, n/8+16)
	// Each permission set license has one Id (PermissionSetLicenseId).
	pslID := map[string]string{}
	for _, labels := range permSetLicenses {
		for _, l := range labels {
			if pslID[l] == "" {
				pslID[l] = string(AppendID(nil, "0PL", g.pod, uint64(len(pslID)+1)))
			}
		}
	}
	for i := range g.s.Users {
		u := &g.s.Users[i]
		l := int(g.licOf[i])
		p := g.profileOf[l]
		if u.ProfileID != g.s.Profiles[p].ID {
			p = g.sysAdmin
		}
		ps := g.profilePS[p]
		g.s.PermissionSets = append(g.s.PermissionSets, org.PermissionSetAssignment{
			AssigneeID: u.ID, PermissionSetID: ps.id, PermissionSetName: ps.name, IsOwnedByProfile: org.True,
		})
		aud := forInternal
		switch {
		case l < firstExternal:
			if catalog[l].UserType != Standard {
				continue // Chatter users get no permission sets
			}
		case partnerLicense(l):
			aud = forPartner
		default:
			aud = forCustomer
		}
		odds := 5 // one in odds users has custom permission sets
		if aud == forInternal {
			odds = 2
		}
		if g.rng.IntN(odds) == 0 {
			pool, shared := g.custom[aud], g.custom[forExternal]
			if aud == forInternal {
				shared = nil
			}
			k := 1 + g.rng.IntN(3)
			size := len(pool) + len(shared)
			// Pick k distinct sets: every third position from a random start.
			start := g.rng.IntN(size)
			for j := range min(k, size) {
				c := (start + j*3) % size
				var set permSet
				if c < len(pool) {
					set = pool[c]
				} else {
					set = shared[c-len(pool)]
				}
				g.s.PermissionSets = append(g.s.PermissionSets, org.PermissionSetAssignment{
					AssigneeID: u.ID, PermissionSetID: set.id, PermissionSetName: set.name, IsOwnedByProfile: org.False,
				})
			}
		}
		if g.rng.IntN(10) == 0 {
			labels := permSetLicenses[aud]
			if aud != forInternal && g.rng.IntN(3) == 0 {
				labels = permSetLicenses[forExternal]
			}
			label := labels[g.rng.IntN(len(labels))]
			g.s.PermissionSetLicenses = append(g.s.PermissionSetLicenses, org.PermissionSetLicenseAssign{
				AssigneeID: u.ID, Label: label, ID: pslID[label],
			})
		}
	}
}

// licenseCounts sets UsedLicenses to the active users of each license and
// TotalLicenses to that plus some headroom; about a quarter of the licenses
// are nearly full.
func (g *gen) licenseCounts() {
	var used [numLicenses]int
	for i := range g.s.Users {
		if g.s.Users[i].IsActive.IsTrue() {
			used[g.licOf[i]]++
		}
	}
	for l := range g.s.Licenses {
		lic := &g.s.Licenses[l]
		lic.UsedLicenses = used[l]
		if g.rng.IntN(4) == 0 {
			lic.TotalLicenses = used[l] + g.rng.IntN(used[l]/50+2)
		} else {
			// Round generous headroom up to a whole number of 5-seat packs,
			// as licenses are bought.
			lic.TotalLicenses = (used[l]+used[l]/2+5+4)/5*5 + 5*g.rng.IntN(4)
		}
	}
}

// strtab builds many small strings in one buffer and cuts them from a single
// string per flush, so a million Ids cost a few dozen allocations instead of
// a million. mark records that the bytes appended since the previous mark
// form the string to store in *dst; the pointers must stay valid (point into
// slices that do not grow) until flush.
type strtab struct {
	buf  []byte
	refs []*string
	ends []int
}

const strtabChunk = 64 << 10

func (t *strtab) mark(dst *string) {
	t.refs = append(t.refs, dst)
	t.ends = append(t.ends, len(t.buf))
	if len(t.buf) >= strtabChunk {
		t.flush()
	}
}

func (t *strtab) flush() {
	s := string(t.buf)
	start := 0
	for i, p := range t.refs {
		*p = s[start:t.ends[i]]
		start = t.ends[i]
	}
	t.buf, t.refs, t.ends = t.buf[:0], t.refs[:0], t.ends[:0]
}
