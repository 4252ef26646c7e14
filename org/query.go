package org

import "strings"

// Query describes one snapshot file: the object it comes from, its columns
// (the CSV header, as SOQL field paths) and the SOQL that exports it.
type Query struct {
	File     string   // snapshot file name, e.g. "User.csv"
	Object   string   // sObject queried, e.g. "User"
	Fields   []string // selected fields, in header order
	Required bool     // the snapshot must hold this file
	Where    string   // SOQL condition without WHERE, or ""
	OrderBy  string   // SOQL ORDER BY list without ORDER BY ("Id")
	Note     string   // advice for whoever runs the query, or ""
}

// SOQL returns the query text: "SELECT f1, f2 FROM Object [WHERE ...] ORDER BY Id".
// An empty OrderBy orders by Id.
func (q Query) SOQL() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(strings.Join(q.Fields, ", "))
	b.WriteString(" FROM ")
	b.WriteString(q.Object)
	if q.Where != "" {
		b.WriteString(" WHERE ")
		b.WriteString(q.Where)
	}
	b.WriteString(" ORDER BY ")
	if q.OrderBy != "" {
		b.WriteString(q.OrderBy)
	} else {
		b.WriteString("Id")
	}
	return b.String()
}

// SFCommand returns the POSIX shell command line that exports q with the
// Salesforce CLI into q.File:
//
//	sf data query --query "SELECT ..." --result-format csv --output-file User.csv --target-org ALIAS
//
// Every argument is quoted for sh, bash and zsh where needed. An empty
// targetOrg leaves --target-org out, so sf uses its default org.
//
// sf data query stops after 50,000 records unless the org-max-query-limit
// config value (or the SF_ORG_MAX_QUERY_LIMIT environment variable) is set
// higher, and then only warns on stderr that records are missing: the
// script licenseplan query prints sets SF_ORG_MAX_QUERY_LIMIT.
func (q Query) SFCommand(targetOrg string) string {
	var b strings.Builder
	b.WriteString("sf data query --query ")
	b.WriteString(shellQuote(q.SOQL()))
	b.WriteString(" --result-format csv --output-file ")
	b.WriteString(shellQuote(q.File))
	if targetOrg != "" {
		b.WriteString(" --target-org ")
		b.WriteString(shellQuote(targetOrg))
	}
	return b.String()
}

// orgDependentFields exist only in some orgs: Account.IsPartner with
// partner licenses, IsCustomerPortal with Customer Portal or Digital
// Experiences. A query naming one fails with INVALID_FIELD elsewhere.
var orgDependentFields = map[string]bool{"IsPartner": true, "Account.IsPartner": true, "IsCustomerPortal": true}

// Fallback returns q without the fields that exist only in some orgs, to
// run when q fails with INVALID_FIELD; false when q has none. The reader
// treats the missing columns as unknown (and the plan says so).
func (q Query) Fallback() (Query, bool) {
	var fields []string
	for _, f := range q.Fields {
		if !orgDependentFields[f] {
			fields = append(fields, f)
		}
	}
	if len(fields) == len(q.Fields) {
		return q, false
	}
	q.Fields = fields
	return q, true
}

// Header is q's CSV header line, as sf writes it: the field paths joined
// by commas.
func (q Query) Header() string { return strings.Join(q.Fields, ",") }

// ShellQuote quotes s as one POSIX shell word (see shellQuote).
func ShellQuote(s string) string { return shellQuote(s) }

// shellQuote quotes s as one POSIX shell word. Words made only of characters
// that no shell treats specially stay bare; others are double-quoted when
// that is safe (no ", \, $, ` or !), else single-quoted.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, notShellSafe) < 0 {
		return s
	}
	if !strings.ContainsAny(s, "\"\\$`!") {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func notShellSafe(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return false
	}
	return !strings.ContainsRune("_-.,/:@%+=", r)
}

// Queries lists, per snapshot file and in snapshot order, the object, the
// fields (the CSV header) and the SOQL that exports it. WriteSnapshot writes
// these headers and ReadSnapshot reads them. Treat it as read-only.
var Queries = []Query{
	userFile.query(),
	accountFile.query(),
	roleFile.query(),
	licenseFile.query(),
	profileFile.query(),
	psAssignFile.query(),
	objectPermFile.query(),
	pslAssignFile.query(),
	orgFile.query(),
}

// column is one CSV column of a snapshot file: its header, a SOQL field path,
// and whether the file must have it. Every record must have a value in a
// required column.
type column struct {
	name     string
	required bool
}

// fileSpec describes a snapshot file for the reader, the writer and Queries.
type fileSpec struct {
	name     string
	object   string
	required bool
	where    string
	note     string
	cols     []column
}

func (f *fileSpec) query() Query {
	fields := make([]string, len(f.cols))
	for i, c := range f.cols {
		fields[i] = c.name
	}
	return Query{
		File:     f.name,
		Object:   f.object,
		Fields:   fields,
		Required: f.required,
		Where:    f.where,
		OrderBy:  "Id",
		Note:     f.note,
	}
}

// Notes shared by several queries.
const (
	noteIsPartner = "Account.IsPartner exists only in orgs with partner licenses " +
		"(partner portal, or Digital Experiences with partner licenses); " +
		"if the query fails with INVALID_FIELD, drop that column."
	noteLimit = "sf data query stops after 50,000 records unless the org-max-query-limit " +
		"config value (or SF_ORG_MAX_QUERY_LIMIT) is set higher, and then only warns on stderr; " +
		"the script sets SF_ORG_MAX_QUERY_LIMIT."
)

// User.csv columns. Id, Username and Profile.UserLicense.Name are required:
// a user without them cannot be planned.
const (
	uID = iota
	uUsername
	uName
	uIsActive
	uUserType
	uProfileID
	uProfileName
	uLicense
	uRoleID
	uRoleName
	uRolePortalType
	uRolePortalRole
	uContactID
	uAccountID
	uAccountName
	uAccountIsPartner
	uAccountOwnerID
	uIsPortalEnabled
	uNewUserFields // the NewUserFieldNames columns, in that order
	uCount         = uNewUserFields + NumNewUserFields
)

var userFile = fileSpec{
	name:     "User.csv",
	object:   "User",
	required: true,
	// Users without a profile (the Automated Process user) hold no user
	// license, and their blank Profile.UserLicense.Name would be rejected.
	where: "ProfileId != null",
	note: "Users without a profile (such as the Automated Process user) are left out: they hold no user license. " +
		noteIsPartner + " " + noteLimit,
	cols: []column{
		uID:                {"Id", true},
		uUsername:          {"Username", true},
		uName:              {"Name", false},
		uIsActive:          {"IsActive", false},
		uUserType:          {"UserType", false},
		uProfileID:         {"ProfileId", false},
		uProfileName:       {"Profile.Name", false},
		uLicense:           {"Profile.UserLicense.Name", true},
		uRoleID:            {"UserRoleId", false},
		uRoleName:          {"UserRole.Name", false},
		uRolePortalType:    {"UserRole.PortalType", false},
		uRolePortalRole:    {"UserRole.PortalRole", false},
		uContactID:         {"ContactId", false},
		uAccountID:         {"AccountId", false},
		uAccountName:       {"Account.Name", false},
		uAccountIsPartner:  {"Account.IsPartner", false},
		uAccountOwnerID:    {"Account.OwnerId", false},
		uIsPortalEnabled:   {"IsPortalEnabled", false},
		uNewUserFields + 0: {NewUserFieldNames[0], false},
		uNewUserFields + 1: {NewUserFieldNames[1], false},
		uNewUserFields + 2: {NewUserFieldNames[2], false},
		uNewUserFields + 3: {NewUserFieldNames[3], false},
		uNewUserFields + 4: {NewUserFieldNames[4], false},
		uNewUserFields + 5: {NewUserFieldNames[5], false},
		uNewUserFields + 6: {NewUserFieldNames[6], false},
		uNewUserFields + 7: {NewUserFieldNames[7], false},
		uNewUserFields + 8: {NewUserFieldNames[8], false},
	},
}

// Account.csv columns. Only Id is required.
const (
	aID = iota
	aName
	aIsPartner
	aIsCustomerPortal
	aOwnerID
	aOwnerRoleID
	aCount
)

var accountFile = fileSpec{
	name:   "Account.csv",
	object: "Account",
	note: "Exports every account; only accounts of external users matter, so in a large org you may add a filter " +
		"such as WHERE IsCustomerPortal = true OR IsPartner = true. " +
		"IsPartner exists only in orgs with partner licenses and IsCustomerPortal only with Customer Portal or " +
		"Digital Experiences; if the query fails with INVALID_FIELD, drop that column. " + noteLimit,
	cols: []column{
		aID:               {"Id", true},
		aName:             {"Name", false},
		aIsPartner:        {"IsPartner", false},
		aIsCustomerPortal: {"IsCustomerPortal", false},
		aOwnerID:          {"OwnerId", false},
		aOwnerRoleID:      {"Owner.UserRoleId", false},
	},
}

// UserRole.csv columns. Only Id is required.
const (
	rID = iota
	rName
	rPortalType
	rPortalRole
	rPortalAccountID
	rCount
)

var roleFile = fileSpec{
	name:   "UserRole.csv",
	object: "UserRole",
	note:   noteLimit,
	cols: []column{
		rID:              {"Id", true},
		rName:            {"Name", false},
		rPortalType:      {"PortalType", false},
		rPortalRole:      {"PortalRole", false},
		rPortalAccountID: {"PortalAccountId", false},
	},
}

// UserLicense.csv columns. Id and Name are required: users name their
// license by Name. Blank counts read as -1.
const (
	lID = iota
	lName
	lKey
	lStatus
	lTotal
	lUsed
	lCount
)

var licenseFile = fileSpec{
	name:   "UserLicense.csv",
	object: "UserLicense",
	cols: []column{
		lID:     {"Id", true},
		lName:   {"Name", true},
		lKey:    {"LicenseDefinitionKey", false},
		lStatus: {"Status", false},
		lTotal:  {"TotalLicenses", false},
		lUsed:   {"UsedLicenses", false},
	},
}

// Profile.csv columns. All are required: the file exists to map profiles to
// their license, and every profile has a name and a license.
const (
	pID = iota
	pName
	pLicense
	pCount
)

var profileFile = fileSpec{
	name:   "Profile.csv",
	object: "Profile",
	cols: []column{
		pID:      {"Id", true},
		pName:    {"Name", true},
		pLicense: {"UserLicense.Name", true},
	},
}

// PermissionSetAssignment.csv columns. AssigneeId and PermissionSetId are
// required.
const (
	psaAssigneeID = iota
	psaPermSetID
	psaPermSetName
	psaOwnedByProfile
	psaLicenseID
	psaCount
)

var psAssignFile = fileSpec{
	name:   "PermissionSetAssignment.csv",
	object: "PermissionSetAssignment",
	note: "Not filtered on PermissionSet.IsOwnedByProfile: profile-owned permission sets carry the " +
		"profiles' object permissions. " + noteLimit,
	cols: []column{
		psaAssigneeID:     {"AssigneeId", true},
		psaPermSetID:      {"PermissionSetId", true},
		psaPermSetName:    {"PermissionSet.Name", false},
		psaOwnedByProfile: {"PermissionSet.IsOwnedByProfile", false},
		psaLicenseID:      {"PermissionSet.LicenseId", false},
	},
}

// ObjectPermissions.csv columns. All are required: a row is only useful with
// its object and both flags.
const (
	opParentID = iota
	opSobjectType
	opViewAll
	opModifyAll
	opCount
)

var objectPermFile = fileSpec{
	name:   "ObjectPermissions.csv",
	object: "ObjectPermissions",
	where:  "PermissionsViewAllRecords = true OR PermissionsModifyAllRecords = true",
	note:   "Only rows that grant View All or Modify All records. " + noteLimit,
	cols: []column{
		opParentID:    {"ParentId", true},
		opSobjectType: {"SobjectType", true},
		opViewAll:     {"PermissionsViewAllRecords", true},
		opModifyAll:   {"PermissionsModifyAllRecords", true},
	},
}

// PermissionSetLicenseAssign.csv columns. AssigneeId and the label are
// required.
const (
	pslAssigneeID = iota
	pslLabel
	pslID
	pslCount
)

var pslAssignFile = fileSpec{
	name:   "PermissionSetLicenseAssign.csv",
	object: "PermissionSetLicenseAssign",
	note:   noteLimit,
	cols: []column{
		pslAssigneeID: {"AssigneeId", true},
		pslLabel:      {"PermissionSetLicense.MasterLabel", true},
		pslID:         {"PermissionSetLicenseId", false},
	},
}

// Organization.csv columns. Only Id is required; the file holds at most one
// record.
const (
	oID = iota
	oName
	oType
	oIsSandbox
	oInstance
	oCount
)

var orgFile = fileSpec{
	name:   "Organization.csv",
	object: "Organization",
	cols: []column{
		oID:        {"Id", true},
		oName:      {"Name", false},
		oType:      {"OrganizationType", false},
		oIsSandbox: {"IsSandbox", false},
		oInstance:  {"InstanceName", false},
	},
}
