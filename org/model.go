package org

import (
	"fmt"
	"strings"
)

// Tri is a boolean that may be unknown: a blank CSV cell, a missing column or
// a field the org does not have (Account.IsPartner exists only in orgs with
// partner licenses).
type Tri uint8

const (
	Unknown Tri = iota
	False
	True
)

// TriOf returns True or False for b.
func TriOf(b bool) Tri {
	if b {
		return True
	}
	return False
}

// Known reports whether t is True or False.
func (t Tri) Known() bool { return t != Unknown }

// IsTrue reports whether t is known to be true.
func (t Tri) IsTrue() bool { return t == True }

// IsFalse reports whether t is known to be false.
func (t Tri) IsFalse() bool { return t == False }

func (t Tri) String() string {
	switch t {
	case True:
		return "true"
	case False:
		return "false"
	}
	return ""
}

// Snapshot is everything licenseplan reads from one org. Only Users is
// required; every other slice may be empty when the snapshot did not hold that
// file, and the Has* fields say which files and optional columns were present
// so the planner can tell "none" from "not exported".
type Snapshot struct {
	Organization *Organization

	Users                 []User
	Accounts              []Account
	Roles                 []Role
	Licenses              []UserLicense
	Profiles              []Profile
	PermissionSets        []PermissionSetAssignment
	ObjectPermissions     []ObjectPermission
	PermissionSetLicenses []PermissionSetLicenseAssign

	// Files lists the snapshot files that were read, in read order.
	Files []string
	// Has records which optional files and columns were present.
	Has Presence
	// Counted is, per snapshot file, the number of records the source
	// counted: a pull's totalSize, checked against the records received,
	// or the snapshot's CountsFile. nil when nothing counted them (an export
	// by hand). The planner compares it with the rows read.
	Counted map[string]int
}

// Presence records which optional inputs a snapshot held.
type Presence struct {
	Accounts              bool // Account.csv
	Roles                 bool // UserRole.csv
	Licenses              bool // UserLicense.csv
	Profiles              bool // Profile.csv
	PermissionSets        bool // PermissionSetAssignment.csv
	ObjectPermissions     bool // ObjectPermissions.csv
	PermissionSetLicenses bool // PermissionSetLicenseAssign.csv
	Organization          bool // Organization.csv

	AccountIsPartner bool // Account.IsPartner in User.csv or Account.csv
	AccountOwnerRole bool // Owner.UserRoleId in Account.csv
	// PermissionSetLicense is PermissionSet.LicenseId in
	// PermissionSetAssignment.csv: which license a permission set needs.
	PermissionSetLicense bool
	// PermissionSetLicenseID is PermissionSetLicenseId in
	// PermissionSetLicenseAssign.csv.
	PermissionSetLicenseID bool
	UserType               bool // UserType in User.csv
	IsActive               bool // IsActive in User.csv
	// NewUserFields says, per NewUserFields index, whether User.csv had
	// that column.
	NewUserFields [NumNewUserFields]bool
}

// Organization is the org the snapshot came from.
type Organization struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	OrganizationType string `json:"organizationType,omitempty"`
	IsSandbox        Tri    `json:"-"`
	InstanceName     string `json:"instanceName,omitempty"`
}

// User is one row of User.csv. String fields are "" when null.
type User struct {
	ID               string
	Username         string
	Name             string
	UserType         string
	ProfileID        string
	ProfileName      string
	License          string // Profile.UserLicense.Name
	RoleID           string
	RoleName         string
	RolePortalType   string // UserRole.PortalType: None, CustomerPortal, Partner
	RolePortalRole   string // UserRole.PortalRole: Executive, Manager, User/Worker, PersonAccount
	ContactID        string
	AccountID        string
	AccountName      string
	AccountOwnerID   string
	IsActive         Tri
	AccountIsPartner Tri
	IsPortalEnabled  Tri

	// Line is the 1-based line of the record in User.csv (0 when the user did
	// not come from a file), so findings can name the record. The Tri fields
	// sit together before it so a User packs tightly.
	Line int

	// New holds the fields a new user for the same contact is created
	// with; zero when User.csv had none of their columns (see
	// Presence.NewUserFields) or the user no value in them. The planner
	// copies them into the plan of a user who is disabled and enabled
	// again.
	New NewUserFields
}

// NewUserFields are the User fields, besides ContactId, ProfileId,
// Username and UserRoleId, that inserting a user for an existing contact
// takes: Salesforce requires Email, LastName, Alias, TimeZoneSidKey,
// LocaleSidKey, EmailEncodingKey and LanguageLocaleKey (facts sheet,
// section 5); FirstName and CommunityNickname may be left out, and
// Salesforce then makes up the nickname (the minimal REST payload of
// gist.github.com/metadaddy/5629297 has neither). Get takes a NewUser* constant;
// NewUserFieldNames names them. "" is null.
//
// The fields are held as one string and the end of each field in it, so
// a million users give the garbage collector a million pointers to scan
// rather than nine million (planning a million users took twice as long
// with nine strings per user, in BenchmarkBuild).
type NewUserFields struct {
	s   string
	end [NumNewUserFields]uint16
}

// MaxNewUserFieldsBytes bounds the fields' total length. Salesforce's own
// limits (80 bytes for Email and LastName, 40 for most) keep real values
// far below it.
const MaxNewUserFieldsBytes = 1<<16 - 1

// MakeNewUserFields holds v, indexed by the NewUser* constants. It fails
// when the values are longer than MaxNewUserFieldsBytes together.
func MakeNewUserFields(v [NumNewUserFields]string) (NewUserFields, error) {
	f, _, err := JoinNewUserFields(&v, nil, func(b []byte) string { return string(b) })
	return f, err
}

// JoinNewUserFields is MakeNewUserFields with the joined bytes built in buf
// (returned for reuse) and stored by store, so that a reader of a million
// users (the snapshot reader, orggen) can keep them in large chunks
// instead of one allocation per user.
func JoinNewUserFields(v *[NumNewUserFields]string, buf []byte, store func([]byte) string) (NewUserFields, []byte, error) {
	var f NewUserFields
	buf = buf[:0]
	for i, x := range v {
		if len(buf)+len(x) > MaxNewUserFieldsBytes {
			return NewUserFields{}, buf, fmt.Errorf("the new-user fields (%s) are more than %d bytes together, more than a Salesforce user can hold",
				strings.Join(NewUserFieldNames[:], ", "), MaxNewUserFieldsBytes)
		}
		buf = append(buf, x...)
		f.end[i] = uint16(len(buf))
	}
	if len(buf) > 0 {
		f.s = store(buf)
	}
	return f, buf, nil
}

// Get returns field i (a NewUser* constant).
func (f NewUserFields) Get(i int) string {
	start := uint16(0)
	if i > 0 {
		start = f.end[i-1]
	}
	return f.s[start:f.end[i]]
}

// Values returns every field, indexed by the NewUser* constants.
func (f NewUserFields) Values() [NumNewUserFields]string {
	var v [NumNewUserFields]string
	for i := range v {
		v[i] = f.Get(i)
	}
	return v
}

// IsZero reports whether every field is "".
func (f NewUserFields) IsZero() bool { return f.s == "" }

// Indexes into NewUserFields.
const (
	NewUserEmail = iota
	NewUserFirstName
	NewUserLastName
	NewUserAlias
	NewUserCommunityNickname
	NewUserTimeZoneSidKey
	NewUserLocaleSidKey
	NewUserEmailEncodingKey
	NewUserLanguageLocaleKey
	NumNewUserFields
)

// NewUserFieldNames are the User field names of NewUserFields, in order:
// User.csv's columns and the load file's.
var NewUserFieldNames = [NumNewUserFields]string{
	"Email", "FirstName", "LastName", "Alias", "CommunityNickname",
	"TimeZoneSidKey", "LocaleSidKey", "EmailEncodingKey", "LanguageLocaleKey",
}

// RequiredNewUserField reports whether Salesforce refuses to insert a
// user without field i of NewUserFields (FirstName and CommunityNickname
// may be blank).
func RequiredNewUserField(i int) bool {
	return i != NewUserFirstName && i != NewUserCommunityNickname
}

// Account is one row of Account.csv, or an account known only from the
// Account.* columns of User.csv.
type Account struct {
	ID               string
	Name             string
	IsPartner        Tri
	IsCustomerPortal Tri
	OwnerID          string
	// OwnerRoleID is Owner.UserRoleId; OwnerHasRole is Unknown when the
	// column was not exported.
	OwnerRoleID  string
	OwnerHasRole Tri

	// FromUserCSV is true when the account was not a row of Account.csv and
	// is known only from the AccountId and Account.* columns of User.csv;
	// its IsCustomerPortal and owner role are then Unknown. WriteSnapshot
	// does not write such accounts to Account.csv: User.csv carries them.
	FromUserCSV bool
}

// Role is one row of UserRole.csv.
type Role struct {
	ID              string
	Name            string
	PortalType      string // None, CustomerPortal, Partner
	PortalRole      string
	PortalAccountID string
}

// Portal role types as UserRole.PortalType reports them.
const (
	PortalTypeNone     = "None"
	PortalTypeCustomer = "CustomerPortal"
	PortalTypePartner  = "Partner"
)

// UserLicense is one row of UserLicense.csv. Counts are -1 when unknown.
type UserLicense struct {
	ID                   string
	Name                 string
	LicenseDefinitionKey string
	Status               string
	TotalLicenses        int
	UsedLicenses         int
}

// Profile is one row of Profile.csv.
type Profile struct {
	ID      string
	Name    string
	License string // UserLicense.Name
}

// PermissionSetAssignment is one row of PermissionSetAssignment.csv.
type PermissionSetAssignment struct {
	AssigneeID        string
	PermissionSetID   string
	PermissionSetName string
	IsOwnedByProfile  Tri
	// LicenseID is PermissionSet.LicenseId: the user license (Id prefix
	// 100) or permission set license (0PL) the permission set needs, ""
	// when it needs none or the snapshot did not say (Presence).
	LicenseID string
}

// ObjectPermission is one row of ObjectPermissions.csv.
type ObjectPermission struct {
	ParentID         string
	SobjectType      string
	ViewAllRecords   bool
	ModifyAllRecords bool
}

// PermissionSetLicenseAssign is one row of PermissionSetLicenseAssign.csv.
type PermissionSetLicenseAssign struct {
	AssigneeID string
	Label      string // PermissionSetLicense.MasterLabel
	// ID is PermissionSetLicenseId, "" when the snapshot did not hold it.
	ID string
}

// EqualFold reports whether two picklist or name values are equal ignoring
// case, the way Salesforce compares them (the API returns CspLitePortal where
// Help writes CSPLitePortal).
func EqualFold(a, b string) bool { return strings.EqualFold(a, b) }

// SameID compares record Ids: a 15-character Id equals the 18-character
// form that extends it, and two 18-character Ids are equal when their
// first 15 characters are (the last three only encode case).
func SameID(a, b string) bool {
	switch {
	case a == b:
		return true
	case len(a) == 18 && len(b) == 15:
		return a[:15] == b
	case len(a) == 15 && len(b) == 18:
		return b[:15] == a
	case len(a) == 18 && len(b) == 18:
		return a[:15] == b[:15]
	}
	return false
}

// ValidID reports whether s looks like a Salesforce Id: 15 or 18 letters
// and digits. Only such a value goes into SOQL or a record link as it is.
func ValidID(s string) bool {
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
