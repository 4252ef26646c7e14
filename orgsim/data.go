package orgsim

import (
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
)

// orgData is the in-memory org: every object's table, built once from a
// snapshot and read-only afterwards.
type orgData struct {
	tables  map[string]*table // by lower-case object name
	objects []*table          // sorted by name, for the global describe

	org     *org.Organization // the Organization record
	apiUser int32             // the session user's row in the User table
	users   *table
	b       *builder
}

// table returns the object named name (any case), or nil.
func (d *orgData) table(name string) *table { return d.tables[strings.ToLower(name)] }

// newUserFieldLabels are the labels describe gives org.NewUserFieldNames.
var newUserFieldLabels = [org.NumNewUserFields]string{
	"Email", "First Name", "Last Name", "Alias", "Nickname",
	"Time Zone", "Locale", "Email Encoding", "Language",
}

// synthPod is the "pod" of the Ids the simulator makes up for records that
// a snapshot holds without an Id (permission set assignments, object
// permissions, ...).
const synthPod = "SM"

func synthID(prefix string, n int) string {
	return string(orggen.AppendID(nil, prefix, synthPod, uint64(n)))
}

// synthIDs returns the Ids 1 to n of prefix, cut from one string.
func synthIDs(prefix string, n int) []string {
	const idLen = 18
	buf := make([]byte, 0, n*idLen)
	for i := range n {
		buf = orggen.AppendID(buf, prefix, synthPod, uint64(i+1))
	}
	all := string(buf)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = all[i*idLen : (i+1)*idLen]
	}
	return ids
}

// Detached parent records are deduplicated by their values.
type (
	accountKey struct {
		id, name, owner string
		partner         org.Tri
	}
	ownerKey struct{ id, role string }
)

type contact struct{ id, accountID string }

type permSet struct {
	id, name string
	owned    org.Tri
	license  string // LicenseId: the user or permission set license it needs
}

type psLicense struct{ id, label string }

// builder holds the rows of every table while they are linked, and then
// serves as their storage: the tables' field getters read it.
type builder struct {
	snap *org.Snapshot

	users                               []*org.User
	uProfile, uRole, uAccount, uContact []int32
	userIdx                             map[string]int32
	owners                              map[ownerKey]int32

	profiles []*org.Profile
	pLicense []int32
	profIdx  map[string]int32
	profDet  map[org.Profile]int32

	licenses  []*org.UserLicense
	licByName map[string]int32

	roles    []*org.Role
	rAccount []int32
	roleIdx  map[string]int32
	roleDet  map[org.Role]int32

	accounts []*org.Account
	aOwner   []int32
	acctIdx  map[string]int32
	acctDet  map[accountKey]int32
	nListedA int

	contacts   []contact
	cAccount   []int32
	contactIdx map[string]int32

	permSets []permSet
	psIdx    map[string]int32
	psDet    map[permSet]int32
	nListedP int

	psaIDs           []string
	psaUser, psaPS   []int32
	opIDs            []string
	opPS             []int32
	psls             []psLicense
	pslByLabel       map[string]int32
	pslaIDs          []string
	pslaUser, pslaPS []int32

	organization *org.Organization
}

// buildOrg links the snapshot's records into tables. username is the login
// of the simulator's API user: the snapshot user of that username, or else a
// user of its own that queries do not list.
func buildOrg(snap *org.Snapshot, username string) *orgData {
	b := &builder{snap: snap}
	b.buildLicenses()
	b.buildProfiles()
	b.buildUsers()
	b.buildAccounts()
	b.buildRoles()
	b.linkUsers()
	apiUser := b.apiUser(username)
	b.buildPermissions()
	b.buildOrganization()
	return b.tables(apiUser)
}

func (b *builder) buildLicenses() {
	s := b.snap
	b.licenses = make([]*org.UserLicense, len(s.Licenses))
	b.licByName = make(map[string]int32, len(s.Licenses))
	for i := range s.Licenses {
		b.licenses[i] = &s.Licenses[i]
		if _, dup := b.licByName[s.Licenses[i].Name]; !dup {
			b.licByName[s.Licenses[i].Name] = int32(i)
		}
	}
}

// license returns the UserLicense row named name, adding a detached one
// with an Id of its own when the snapshot has none of that name.
func (b *builder) license(name string) int32 {
	if name == "" {
		return -1
	}
	if r, ok := b.licByName[name]; ok {
		return r
	}
	r := int32(len(b.licenses))
	b.licenses = append(b.licenses, &org.UserLicense{
		ID: synthID("100", int(r)+1), Name: name, TotalLicenses: -1, UsedLicenses: -1,
	})
	b.licByName[name] = r
	return r
}

func (b *builder) buildProfiles() {
	s := b.snap
	b.profiles = make([]*org.Profile, len(s.Profiles))
	b.pLicense = make([]int32, len(s.Profiles))
	b.profIdx = make(map[string]int32, len(s.Profiles))
	b.profDet = map[org.Profile]int32{}
	for i := range s.Profiles {
		b.profiles[i] = &s.Profiles[i]
		b.pLicense[i] = b.license(s.Profiles[i].License)
		if _, dup := b.profIdx[s.Profiles[i].ID]; !dup {
			b.profIdx[s.Profiles[i].ID] = int32(i)
		}
	}
}

// profile returns the Profile row that carries p's values: the listed
// profile of that Id when it agrees, else a detached one.
func (b *builder) profile(p org.Profile) int32 {
	if p == (org.Profile{}) {
		return -1
	}
	if r, ok := b.profIdx[p.ID]; ok && *b.profiles[r] == p {
		return r
	}
	if r, ok := b.profDet[p]; ok {
		return r
	}
	r := int32(len(b.profiles))
	det := p // only detached profiles go to the heap
	b.profiles = append(b.profiles, &det)
	b.pLicense = append(b.pLicense, b.license(p.License))
	b.profDet[p] = r
	return r
}

func (b *builder) buildUsers() {
	s := b.snap
	n := len(s.Users)
	b.users = make([]*org.User, n, n+16)
	b.userIdx = make(map[string]int32, n)
	b.owners = map[ownerKey]int32{}
	for i := range s.Users {
		b.users[i] = &s.Users[i]
		if _, dup := b.userIdx[s.Users[i].ID]; !dup {
			b.userIdx[s.Users[i].ID] = int32(i)
		}
	}
	b.uProfile = make([]int32, n, n+16)
	b.uRole = make([]int32, n, n+16)
	b.uAccount = make([]int32, n, n+16)
	b.uContact = make([]int32, n, n+16)
}

// detachedUser appends a user that is not one of the org's listed users.
func (b *builder) detachedUser(u *org.User) int32 {
	r := int32(len(b.users))
	b.users = append(b.users, u)
	b.uProfile = append(b.uProfile, -1)
	b.uRole = append(b.uRole, -1)
	b.uAccount = append(b.uAccount, -1)
	b.uContact = append(b.uContact, -1)
	return r
}

// owner returns the User row for an account owner: the listed user when
// its role agrees with roleID (or roleID is unknown), else a detached user
// with that Id and role.
func (b *builder) owner(id, roleID string, roleKnown bool) int32 {
	if id == "" && roleID == "" {
		return -1
	}
	if r, ok := b.userIdx[id]; ok && id != "" && (!roleKnown || b.users[r].RoleID == roleID) {
		return r
	}
	k := ownerKey{id, roleID}
	if r, ok := b.owners[k]; ok {
		return r
	}
	r := b.detachedUser(&org.User{ID: id, RoleID: roleID})
	b.owners[k] = r
	return r
}

func (b *builder) buildAccounts() {
	s := b.snap
	b.acctIdx = make(map[string]int32, len(s.Accounts))
	b.acctDet = map[accountKey]int32{}
	roleKnown := s.Has.AccountOwnerRole
	// Listed accounts first (the rows of Account.csv), then the accounts
	// known only from User.csv, which are parents but not records.
	for pass := range 2 {
		for i := range s.Accounts {
			a := &s.Accounts[i]
			if a.FromUserCSV != (pass == 1) {
				continue
			}
			r := int32(len(b.accounts))
			b.accounts = append(b.accounts, a)
			b.aOwner = append(b.aOwner, b.owner(a.OwnerID, a.OwnerRoleID, roleKnown && !a.FromUserCSV))
			if _, dup := b.acctIdx[a.ID]; !dup {
				b.acctIdx[a.ID] = r
			}
		}
		if pass == 0 {
			b.nListedA = len(b.accounts)
		}
	}
}

// account returns the Account row that carries a user's Account.* values.
func (b *builder) account(u *org.User) int32 {
	k := accountKey{id: u.AccountID, name: u.AccountName, owner: u.AccountOwnerID, partner: u.AccountIsPartner}
	if k == (accountKey{}) {
		return -1
	}
	if r, ok := b.acctIdx[k.id]; ok {
		a := b.accounts[r]
		if a.Name == k.name && a.OwnerID == k.owner && a.IsPartner == k.partner {
			return r
		}
	}
	if r, ok := b.acctDet[k]; ok {
		return r
	}
	r := int32(len(b.accounts))
	b.accounts = append(b.accounts, &org.Account{ID: k.id, Name: k.name, OwnerID: k.owner, IsPartner: k.partner})
	b.aOwner = append(b.aOwner, b.owner(k.owner, "", false))
	b.acctDet[k] = r
	return r
}

func (b *builder) buildRoles() {
	s := b.snap
	b.roles = make([]*org.Role, len(s.Roles))
	b.rAccount = make([]int32, len(s.Roles))
	b.roleIdx = make(map[string]int32, len(s.Roles))
	b.roleDet = map[org.Role]int32{}
	for i := range s.Roles {
		b.roles[i] = &s.Roles[i]
		b.rAccount[i] = b.accountByID(s.Roles[i].PortalAccountID)
		if _, dup := b.roleIdx[s.Roles[i].ID]; !dup {
			b.roleIdx[s.Roles[i].ID] = int32(i)
		}
	}
}

func (b *builder) accountByID(id string) int32 {
	if r, ok := b.acctIdx[id]; ok && id != "" {
		return r
	}
	return -1
}

// role returns the UserRole row that carries a user's UserRole.* values.
func (b *builder) role(u *org.User) int32 {
	k := org.Role{ID: u.RoleID, Name: u.RoleName, PortalType: u.RolePortalType, PortalRole: u.RolePortalRole}
	if k == (org.Role{}) {
		return -1
	}
	if r, ok := b.roleIdx[k.ID]; ok {
		listed := *b.roles[r]
		listed.PortalAccountID = ""
		if listed == k {
			return r
		}
	}
	if r, ok := b.roleDet[k]; ok {
		return r
	}
	r := int32(len(b.roles))
	det := k
	b.roles = append(b.roles, &det)
	b.rAccount = append(b.rAccount, -1)
	b.roleDet[k] = r
	return r
}

// linkUsers points every listed user at its parents, and makes the Contact
// records from the users' ContactId and AccountId.
func (b *builder) linkUsers() {
	n := len(b.snap.Users)
	b.contactIdx = make(map[string]int32, n)
	for i := range n {
		u := b.users[i]
		b.uProfile[i] = b.profile(org.Profile{ID: u.ProfileID, Name: u.ProfileName, License: u.License})
		b.uRole[i] = b.role(u)
		b.uAccount[i] = b.account(u)
		b.uContact[i] = -1
		if u.ContactID == "" {
			continue
		}
		c, ok := b.contactIdx[u.ContactID]
		if !ok {
			c = int32(len(b.contacts))
			b.contacts = append(b.contacts, contact{id: u.ContactID, accountID: u.AccountID})
			b.cAccount = append(b.cAccount, b.accountByID(u.AccountID))
			b.contactIdx[u.ContactID] = c
		}
		b.uContact[i] = c
	}
}

// apiUser returns the session user's row: the listed user with that
// username, or else a System Administrator of the simulator's own.
func (b *builder) apiUser(username string) int32 {
	for i := range b.snap.Users {
		if strings.EqualFold(b.users[i].Username, username) {
			return int32(i)
		}
	}
	admin := org.Profile{ID: synthID("00e", 1), Name: "System Administrator", License: "Salesforce"}
	for _, p := range b.snap.Profiles {
		if p.Name == "System Administrator" {
			admin = p
			break
		}
	}
	r := b.detachedUser(&org.User{
		ID: synthID("005", 1), Username: username, Name: "Orgsim API User", UserType: "Standard",
		ProfileID: admin.ID, ProfileName: admin.Name, License: admin.License,
		IsActive: org.True, IsPortalEnabled: org.False,
	})
	b.uProfile[r] = b.profile(admin)
	return r
}

func (b *builder) buildPermissions() {
	s := b.snap
	b.psIdx = map[string]int32{}
	b.psDet = map[permSet]int32{}
	// Permission sets are known by the Id, name and profile ownership the
	// assignments give them, and by the parents of object permissions.
	for i := range s.PermissionSets {
		a := &s.PermissionSets[i]
		if _, ok := b.psIdx[a.PermissionSetID]; !ok {
			b.psIdx[a.PermissionSetID] = int32(len(b.permSets))
			b.permSets = append(b.permSets, permSet{a.PermissionSetID, a.PermissionSetName, a.IsOwnedByProfile, a.LicenseID})
		}
	}
	for i := range s.ObjectPermissions {
		id := s.ObjectPermissions[i].ParentID
		if _, ok := b.psIdx[id]; !ok {
			b.psIdx[id] = int32(len(b.permSets))
			b.permSets = append(b.permSets, permSet{id: id})
		}
	}
	b.nListedP = len(b.permSets)

	b.psaIDs = synthIDs("0Pa", len(s.PermissionSets))
	b.psaUser = make([]int32, len(s.PermissionSets))
	b.psaPS = make([]int32, len(s.PermissionSets))
	for i := range s.PermissionSets {
		a := &s.PermissionSets[i]
		b.psaUser[i] = b.userByID(a.AssigneeID)
		k := permSet{a.PermissionSetID, a.PermissionSetName, a.IsOwnedByProfile, a.LicenseID}
		r := b.psIdx[a.PermissionSetID]
		if b.permSets[r] != k {
			var ok bool
			if r, ok = b.psDet[k]; !ok {
				r = int32(len(b.permSets))
				b.permSets = append(b.permSets, k)
				b.psDet[k] = r
			}
		}
		b.psaPS[i] = r
	}

	b.opIDs = synthIDs("110", len(s.ObjectPermissions))
	b.opPS = make([]int32, len(s.ObjectPermissions))
	for i := range s.ObjectPermissions {
		b.opPS[i] = b.psIdx[s.ObjectPermissions[i].ParentID]
	}

	b.pslByLabel = map[string]int32{}
	b.pslaIDs = synthIDs("2LA", len(s.PermissionSetLicenses))
	b.pslaUser = make([]int32, len(s.PermissionSetLicenses))
	b.pslaPS = make([]int32, len(s.PermissionSetLicenses))
	for i := range s.PermissionSetLicenses {
		a := &s.PermissionSetLicenses[i]
		b.pslaUser[i] = b.userByID(a.AssigneeID)
		r, ok := b.pslByLabel[a.Label]
		if !ok {
			r = int32(len(b.psls))
			id := a.ID
			if id == "" {
				id = synthID("0PL", int(r)+1)
			}
			b.psls = append(b.psls, psLicense{id, a.Label})
			b.pslByLabel[a.Label] = r
		}
		b.pslaPS[i] = r
	}
}

func (b *builder) userByID(id string) int32 {
	if r, ok := b.userIdx[id]; ok && id != "" {
		return r
	}
	return -1
}

// buildOrganization uses the snapshot's Organization, or makes one up: a
// real org always has its Organization record, and clients such as the
// Salesforce CLI query it.
func (b *builder) buildOrganization() {
	if b.snap.Organization != nil {
		b.organization = b.snap.Organization
		return
	}
	b.organization = &org.Organization{
		ID: synthID("00D", 1), Name: "orgsim", OrganizationType: "Enterprise Edition", IsSandbox: org.True,
	}
}

// tables builds the object tables over the builder's rows.
func (b *builder) tables(apiUser int32) *orgData {
	d := &orgData{tables: map[string]*table{}, org: b.organization, apiUser: apiUser, b: b}
	t := func(name, label, plural, prefix string) *table {
		tb := newTable(name, label, plural, prefix)
		d.tables[strings.ToLower(name)] = tb
		d.objects = append(d.objects, tb)
		return tb
	}
	user := t("User", "User", "Users", "005")
	account := t("Account", "Account", "Accounts", "001")
	contactT := t("Contact", "Contact", "Contacts", "003")
	role := t("UserRole", "Role", "Roles", "00E")
	license := t("UserLicense", "User License", "User Licenses", "100")
	profile := t("Profile", "Profile", "Profiles", "00e")
	psa := t("PermissionSetAssignment", "Permission Set Assignment", "Permission Set Assignments", "0Pa")
	ps := t("PermissionSet", "Permission Set", "Permission Sets", "0PS")
	op := t("ObjectPermissions", "Object Permissions", "Object Permissions", "110")
	psla := t("PermissionSetLicenseAssign", "Permission Set License Assignment", "Permission Set License Assignments", "2LA")
	psl := t("PermissionSetLicense", "Permission Set License", "Permission Set Licenses", "0PL")
	orgT := t("Organization", "Organization", "Organizations", "00D")
	slices.SortFunc(d.objects, func(x, y *table) int { return strings.Compare(x.name, y.name) })
	d.users = user

	ref := func(name, label, relName string, target *table, idOf func(int32) string, parent []int32, parentAt func(int32) int32) *field {
		f := &field{name: name, label: label, typ: ftReference, relName: relName, target: target}
		f.get = func(r int32) value { return str(idOf(r)) }
		if parentAt != nil {
			f.parent = parentAt
		} else {
			f.parent = func(r int32) int32 { return parent[r] }
		}
		return f
	}

	// User
	user.add(&field{name: "Id", label: "User ID", typ: ftID, get: func(r int32) value { return str(b.users[r].ID) }})
	user.add(&field{name: "Username", label: "Username", typ: ftString, get: func(r int32) value { return str(b.users[r].Username) }})
	user.add(&field{name: "Name", label: "Full Name", typ: ftString, get: func(r int32) value { return str(b.users[r].Name) }})
	user.add(&field{name: "IsActive", label: "Active", typ: ftBoolean, get: func(r int32) value { return tri(b.users[r].IsActive) }})
	user.add(&field{name: "UserType", label: "User Type", typ: ftPicklist, get: func(r int32) value { return str(b.users[r].UserType) }})
	user.add(ref("ProfileId", "Profile ID", "Profile", profile, func(r int32) string { return b.users[r].ProfileID }, nil,
		func(r int32) int32 { return b.uProfile[r] }))
	user.add(ref("UserRoleId", "Role ID", "UserRole", role, func(r int32) string { return b.users[r].RoleID }, nil,
		func(r int32) int32 { return b.uRole[r] }))
	user.add(ref("ContactId", "Contact ID", "Contact", contactT, func(r int32) string { return b.users[r].ContactID }, nil,
		func(r int32) int32 { return b.uContact[r] }))
	user.add(ref("AccountId", "Account ID", "Account", account, func(r int32) string { return b.users[r].AccountID }, nil,
		func(r int32) int32 { return b.uAccount[r] }))
	user.add(&field{name: "IsPortalEnabled", label: "Is Portal Enabled", typ: ftBoolean, get: func(r int32) value { return tri(b.users[r].IsPortalEnabled) }})
	for i, name := range org.NewUserFieldNames {
		typ := ftString
		if strings.HasSuffix(name, "Key") {
			typ = ftPicklist // TimeZoneSidKey, LocaleSidKey, EmailEncodingKey, LanguageLocaleKey
		}
		user.add(&field{name: name, label: newUserFieldLabels[i], typ: typ, get: func(r int32) value { return str(b.users[r].New.Get(i)) }})
	}
	user.listed(len(b.snap.Users))
	user.extra = []int32{apiUser}

	// Account: IsPartner exists only in orgs with partner licenses.
	account.add(&field{name: "Id", label: "Account ID", typ: ftID, get: func(r int32) value { return str(b.accounts[r].ID) }})
	account.add(&field{name: "Name", label: "Account Name", typ: ftString, get: func(r int32) value { return str(b.accounts[r].Name) }})
	if b.snap.Has.AccountIsPartner {
		account.add(&field{name: "IsPartner", label: "Partner Account", typ: ftBoolean, get: func(r int32) value { return tri(b.accounts[r].IsPartner) }})
	}
	account.add(&field{name: "IsCustomerPortal", label: "Customer Portal Account", typ: ftBoolean, get: func(r int32) value { return tri(b.accounts[r].IsCustomerPortal) }})
	account.add(ref("OwnerId", "Owner ID", "Owner", user, func(r int32) string { return b.accounts[r].OwnerID }, nil,
		func(r int32) int32 { return b.aOwner[r] }))
	account.listed(b.nListedA)

	// Contact
	contactT.add(&field{name: "Id", label: "Contact ID", typ: ftID, get: func(r int32) value { return str(b.contacts[r].id) }})
	contactT.add(ref("AccountId", "Account ID", "Account", account, func(r int32) string { return b.contacts[r].accountID }, nil,
		func(r int32) int32 { return b.cAccount[r] }))
	contactT.listed(len(b.contacts))

	// UserRole
	role.add(&field{name: "Id", label: "Role ID", typ: ftID, get: func(r int32) value { return str(b.roles[r].ID) }})
	role.add(&field{name: "Name", label: "Name", typ: ftString, get: func(r int32) value { return str(b.roles[r].Name) }})
	role.add(&field{name: "PortalType", label: "Portal Type", typ: ftPicklist, get: func(r int32) value { return str(b.roles[r].PortalType) }})
	role.add(&field{name: "PortalRole", label: "Portal Role Type", typ: ftPicklist, get: func(r int32) value { return str(b.roles[r].PortalRole) }})
	role.add(ref("PortalAccountId", "Account ID", "PortalAccount", account, func(r int32) string { return b.roles[r].PortalAccountID }, nil,
		func(r int32) int32 { return b.rAccount[r] }))
	role.listed(len(b.snap.Roles))

	// UserLicense
	count := func(n int) value {
		if n < 0 {
			return value{}
		}
		return integer(int64(n))
	}
	license.add(&field{name: "Id", label: "User License ID", typ: ftID, get: func(r int32) value { return str(b.licenses[r].ID) }})
	license.add(&field{name: "Name", label: "Name", typ: ftString, get: func(r int32) value { return str(b.licenses[r].Name) }})
	license.add(&field{name: "MasterLabel", label: "Master Label", typ: ftString, get: func(r int32) value { return str(b.licenses[r].Name) }})
	license.add(&field{name: "LicenseDefinitionKey", label: "License Def. ID", typ: ftString, get: func(r int32) value { return str(b.licenses[r].LicenseDefinitionKey) }})
	license.add(&field{name: "Status", label: "Status", typ: ftPicklist, get: func(r int32) value { return str(b.licenses[r].Status) }})
	license.add(&field{name: "TotalLicenses", label: "Total Licenses", typ: ftInt, get: func(r int32) value { return count(b.licenses[r].TotalLicenses) }})
	license.add(&field{name: "UsedLicenses", label: "Used Licenses", typ: ftInt, get: func(r int32) value { return count(b.licenses[r].UsedLicenses) }})
	license.listed(len(b.snap.Licenses))

	// Profile
	profile.add(&field{name: "Id", label: "Profile ID", typ: ftID, get: func(r int32) value { return str(b.profiles[r].ID) }})
	profile.add(&field{name: "Name", label: "Name", typ: ftString, get: func(r int32) value { return str(b.profiles[r].Name) }})
	profile.add(ref("UserLicenseId", "User License ID", "UserLicense", license, func(r int32) string {
		if l := b.pLicense[r]; l >= 0 {
			return b.licenses[l].ID
		}
		return ""
	}, nil, func(r int32) int32 { return b.pLicense[r] }))
	profile.listed(len(b.snap.Profiles))

	// PermissionSetAssignment
	psa.add(&field{name: "Id", label: "Permission Set Assignment ID", typ: ftID, get: func(r int32) value { return str(b.psaIDs[r]) }})
	psa.add(ref("AssigneeId", "Assignee ID", "Assignee", user, func(r int32) string { return b.snap.PermissionSets[r].AssigneeID }, b.psaUser, nil))
	psa.add(ref("PermissionSetId", "Permission Set ID", "PermissionSet", ps, func(r int32) string { return b.snap.PermissionSets[r].PermissionSetID }, b.psaPS, nil))
	psa.listed(len(b.psaIDs))

	// PermissionSet
	ps.add(&field{name: "Id", label: "Permission Set ID", typ: ftID, get: func(r int32) value { return str(b.permSets[r].id) }})
	ps.add(&field{name: "Name", label: "Name", typ: ftString, get: func(r int32) value { return str(b.permSets[r].name) }})
	ps.add(&field{name: "IsOwnedByProfile", label: "Is Owned By Profile", typ: ftBoolean, get: func(r int32) value { return tri(b.permSets[r].owned) }})
	ps.add(&field{name: "LicenseId", label: "License ID", typ: ftID, get: func(r int32) value { return str(b.permSets[r].license) }})
	ps.listed(b.nListedP)

	// ObjectPermissions
	op.add(&field{name: "Id", label: "Object Permission ID", typ: ftID, get: func(r int32) value { return str(b.opIDs[r]) }})
	op.add(ref("ParentId", "Parent ID", "Parent", ps, func(r int32) string { return b.snap.ObjectPermissions[r].ParentID }, b.opPS, nil))
	op.add(&field{name: "SobjectType", label: "Sobject Type Name", typ: ftPicklist, get: func(r int32) value { return str(b.snap.ObjectPermissions[r].SobjectType) }})
	op.add(&field{name: "PermissionsViewAllRecords", label: "View All Records", typ: ftBoolean, get: func(r int32) value { return boolean(b.snap.ObjectPermissions[r].ViewAllRecords) }})
	op.add(&field{name: "PermissionsModifyAllRecords", label: "Modify All Records", typ: ftBoolean, get: func(r int32) value { return boolean(b.snap.ObjectPermissions[r].ModifyAllRecords) }})
	op.listed(len(b.opIDs))

	// PermissionSetLicenseAssign
	psla.add(&field{name: "Id", label: "Permission Set License Assignment ID", typ: ftID, get: func(r int32) value { return str(b.pslaIDs[r]) }})
	psla.add(ref("AssigneeId", "Assignee ID", "Assignee", user, func(r int32) string { return b.snap.PermissionSetLicenses[r].AssigneeID }, b.pslaUser, nil))
	psla.add(ref("PermissionSetLicenseId", "Permission Set License ID", "PermissionSetLicense", psl, func(r int32) string { return b.psls[b.pslaPS[r]].id }, b.pslaPS, nil))
	psla.listed(len(b.pslaIDs))

	// PermissionSetLicense
	psl.add(&field{name: "Id", label: "Permission Set License ID", typ: ftID, get: func(r int32) value { return str(b.psls[r].id) }})
	psl.add(&field{name: "MasterLabel", label: "Master Label", typ: ftString, get: func(r int32) value { return str(b.psls[r].label) }})
	psl.listed(len(b.psls))

	// Organization: one record. Clients such as the Salesforce CLI also
	// ask for NamespacePrefix and TrialExpirationDate (null here).
	o := b.organization
	orgT.add(&field{name: "Id", label: "Organization ID", typ: ftID, get: func(int32) value { return str(o.ID) }})
	orgT.add(&field{name: "Name", label: "Name", typ: ftString, get: func(int32) value { return str(o.Name) }})
	orgT.add(&field{name: "OrganizationType", label: "Edition", typ: ftPicklist, get: func(int32) value { return str(o.OrganizationType) }})
	orgT.add(&field{name: "IsSandbox", label: "Is Sandbox", typ: ftBoolean, get: func(int32) value { return tri(o.IsSandbox) }})
	orgT.add(&field{name: "InstanceName", label: "Instance Name", typ: ftString, get: func(int32) value { return str(o.InstanceName) }})
	orgT.add(&field{name: "NamespacePrefix", label: "Namespace Prefix", typ: ftString, get: func(int32) value { return value{} }})
	orgT.add(&field{name: "TrialExpirationDate", label: "Trial Expiration Date", typ: ftDatetime, get: func(int32) value { return value{} }})
	orgT.listed(1)
	return d
}

// tri returns a Tri as a boolean value, null when unknown.
func tri(t org.Tri) value {
	if !t.Known() {
		return value{}
	}
	return boolean(t.IsTrue())
}
