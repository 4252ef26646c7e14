package rules

import (
	"fmt"
	"slices"
)

// Outcome is what happens to one user. The rule table resolves every pair of
// licenses to one of NoChange, ChangeInPlace, DisableReenable, Recreate or
// NoPath; the planner adds Skipped (inactive users), Invalid (a current or
// target license the catalog does not know) and ChangeProfile (a target
// profile of the user's own license).
type Outcome uint8

const (
	NoChange Outcome = iota
	ChangeInPlace
	DisableReenable
	Recreate
	Skipped
	Invalid
	// NoPath: the user cannot be converted at all, not even by recreating
	// it (a site's guest user). Nothing is planned: no steps, and a warning
	// says what the admin can do instead. It is not a change.
	NoPath
	// ChangeProfile: the target is another profile of the user's own
	// license. No rule gives it (the license does not change: rule SAME);
	// the planner does, and it is a change: the user record is written.
	ChangeProfile
)

// Outcomes lists every outcome in display order. (The constants' values
// are not in display order: NoPath and ChangeProfile came last; NoPath is
// shown after Recreate, ChangeProfile after NoChange.)
var Outcomes = []Outcome{NoChange, ChangeProfile, ChangeInPlace, DisableReenable, Recreate, NoPath, Skipped, Invalid}

var outcomeNames = [...]string{"no_change", "change_in_place", "disable_reenable", "recreate", "skipped", "invalid", "no_path", "change_profile"}
var outcomeLabels = [...]string{"no change", "change in place", "disable and re-enable", "recreate", "skipped", "invalid", "no path", "change profile"}

// String returns the stable snake_case name used in JSON, CSV and config.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// Label returns a human label ("disable and re-enable").
func (o Outcome) Label() string {
	if int(o) < len(outcomeLabels) {
		return outcomeLabels[o]
	}
	return o.String()
}

// IsChange reports whether the outcome changes the org: a license change,
// or a profile change within one license (ChangeProfile).
func (o Outcome) IsChange() bool {
	return o == ChangeInPlace || o == DisableReenable || o == Recreate || o == ChangeProfile
}

// ChangesLicense reports whether the outcome moves the user to another
// license (IsChange, less ChangeProfile).
func (o Outcome) ChangesLicense() bool { return o.IsChange() && o != ChangeProfile }

func (o Outcome) MarshalText() ([]byte, error) {
	if int(o) >= len(outcomeNames) {
		return nil, fmt.Errorf("unknown outcome %d", uint8(o))
	}
	return []byte(outcomeNames[o]), nil
}

func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// ParseOutcome parses a snake_case outcome name.
func ParseOutcome(s string) (Outcome, error) {
	if i := slices.Index(outcomeNames[:], s); i >= 0 {
		return Outcome(i), nil
	}
	return 0, fmt.Errorf("unknown outcome %q (want one of %v)", s, outcomeNames)
}

// Code is a warning code from a fixed vocabulary. Every code has a human
// message (Message) and a severity used to order risk registers.
type Code string

const (
	PartnerAccountRequired Code = "PARTNER_ACCOUNT_REQUIRED"
	AccountOwnerNoRole     Code = "ACCOUNT_OWNER_NO_ROLE"
	RoleRequired           Code = "ROLE_REQUIRED"
	RoleCreated            Code = "ROLE_CREATED"
	Irreversible           Code = "IRREVERSIBLE"
	PermissionSetsRemoved  Code = "PERMISSION_SETS_REMOVED"
	ViewAllRecordsLost     Code = "VIEW_ALL_RECORDS_LOST"
	ModifyAllRecordsLost   Code = "MODIFY_ALL_RECORDS_LOST"
	FunctionalityLoss      Code = "FUNCTIONALITY_LOSS"
	NewUserRecord          Code = "NEW_USER_RECORD"
	NoConversionPath       Code = "NO_CONVERSION_PATH"
	NoContact              Code = "NO_CONTACT"
	LicenseCapacity        Code = "LICENSE_CAPACITY"
	UnknownLicense         Code = "UNKNOWN_LICENSE"
	TargetProfileMismatch  Code = "TARGET_PROFILE_MISMATCH"
	NoTargetProfile        Code = "NO_TARGET_PROFILE"
	InactiveUser           Code = "INACTIVE_USER"
	GroupMembership        Code = "GROUP_MEMBERSHIP"
	SiteMembership         Code = "SITE_MEMBERSHIP"
	ScaleLimit             Code = "SCALE_LIMIT"
	SelfRegistrationSlower Code = "SELF_REGISTRATION_SLOWER"
	SharingRecalculation   Code = "SHARING_RECALCULATION"
	GuestUser              Code = "GUEST_USER"
	SnapshotIncomplete     Code = "SNAPSHOT_INCOMPLETE"
)

// Severity orders warnings in risk registers: High first.
type Severity uint8

const (
	Low Severity = iota
	Medium
	High
)

func (s Severity) String() string {
	return [...]string{"low", "medium", "high"}[s]
}

// CodeInfo describes one warning code.
type CodeInfo struct {
	Code     Code
	Severity Severity
	// Message is the human message used when a warning has nothing
	// user-specific to say.
	Message string
	// Source names the sentence of the source documents the warning comes
	// from, by the document's title, or "licenseplan" for checks the tool
	// adds.
	Source string
}

// Codes is the whole vocabulary, most severe first, then alphabetical.
var Codes = []CodeInfo{
	{SnapshotIncomplete, High, "The snapshot is probably incomplete: a file has exactly as many rows as a known export limit, or more seats are in use than User.csv has active users. The plan covers only the users it was given.", "licenseplan"},
	{GuestUser, High, "Guest users cannot be converted: a site's guest user stands for every unauthenticated visitor, not for a person, so it is neither changed in place nor deactivated. Create a real user for the person instead (self-registration, or a new contact and user), or leave the guest user as it is.", "licenseplan (" + name000 + ": last paragraph, other license types need new user identities; salesforce-facts §1: UserType Guest is its own user type)"},
	{NoConversionPath, High, "No supported path between these licenses: deactivate the user, create a new user identity, migrate data and associate it with the new user record.", name000 + ": last paragraph"},
	{Irreversible, High, "An upgrade to a license that requires a role is irreversible.", name000 + ": Considerations, role-based licenses"},
	{FunctionalityLoss, High, "Switching to this license results in a loss of functionality.", name000 + ": License Conversion and Upgrade Compatibility"},
	{NewUserRecord, High, "A new user record is created with a new Id: record ownership, history and Chatter do not follow, and the old username is renamed when the user is disabled.", name000 + ": License Conversion and Upgrade Compatibility"},
	{ModifyAllRecordsLost, High, "Modify All Records is not available with Customer Community Plus or Partner Community licenses.", name000 + ": introduction"},
	{ViewAllRecordsLost, High, "View All Records is not available with Customer Community Plus or Partner Community licenses.", name000 + ": introduction"},
	{UnknownLicense, High, "The license is not in the catalog, so no rule applies; the user is kept in the plan but not converted.", "licenseplan"},
	{LicenseCapacity, High, "The target license does not have enough seats for the users moving in.", name000 + ": Considerations, license limits"},
	{AccountOwnerNoRole, High, "The account owner has no role; Salesforce refuses to enable portal users on the account (portal account owner must have a role).", "salesforce-facts §5"},
	{PartnerAccountRequired, Medium, "Enable the user's account as a partner account before upgrading the user to the Partner Community license.", name000 + ": Considerations, partner account"},
	{PermissionSetsRemoved, Medium, "A license upgrade removes sharing sets, permission sets and permission set license assignments previously associated with the user.", name000 + ": Considerations, permission sets"},
	{NoContact, Medium, "The user has no contact; an external license needs one (set ContactId before converting).", "licenseplan"},
	{TargetProfileMismatch, Medium, "The target profile does not belong to the target license.", "licenseplan"},
	{NoTargetProfile, Medium, "No profile of the target license is known; create one and name it in the targets.", "licenseplan"},
	{RoleRequired, Medium, "The target license requires a role; without one Salesforce assigns the lowest role of the account.", name000 + ": Considerations, role-based licenses"},
	{RoleCreated, Medium, "The account has no roles of this type yet; Salesforce creates them when the first user is upgraded.", name000 + ": Considerations, role-based licenses"},
	{ScaleLimit, Medium, "The target license supports fewer users than the current one.", name000 + ": Considerations, scale"},
	{SharingRecalculation, Low, "Sharing rules that apply to the upgraded user are recalculated (public groups, criteria-based sharing, implicit sharing).", name000 + ": Considerations, sharing"},
	{GroupMembership, Low, "Upgraded users join the All Customer Portal Users or All Partner Users public group.", name000 + ": Considerations, public groups"},
	{SiteMembership, Low, "Changes in profiles and permission sets can affect site membership: check the user still reaches the intended Experience Cloud sites.", name000 + ": Considerations, site membership"},
	{SelfRegistrationSlower, Low, "Self-registration with Customer Community Plus is half as fast as with Customer Community; configure micro-batching for large registrations.", name000 + ": Considerations, self-registration"},
	{InactiveUser, Low, "The user is inactive and is not planned (use --include-inactive to plan inactive users).", "licenseplan"},
}

var codeIndex = func() map[Code]int {
	m := make(map[Code]int, len(Codes))
	for i, c := range Codes {
		m[c.Code] = i
	}
	return m
}()

// Info returns the description of code c and whether it is in the vocabulary.
func Info(c Code) (CodeInfo, bool) {
	i, ok := codeIndex[c]
	if !ok {
		return CodeInfo{}, false
	}
	return Codes[i], true
}

// Message returns the default human message of c.
func (c Code) Message() string {
	info, _ := Info(c)
	return info.Message
}

// Severity returns c's severity (Low for codes outside the vocabulary).
func (c Code) Severity() Severity {
	info, _ := Info(c)
	return info.Severity
}

// Rank orders codes for display: most severe first, stable.
func (c Code) Rank() int {
	if i, ok := codeIndex[c]; ok {
		return i
	}
	return len(Codes)
}

// Source document file names, as Source.Doc holds them (see Documents for
// their titles and addresses).
const (
	Doc000 = "000_7706ceabebc363c0.txt"
	Doc001 = "001_008dcf5304a02f12.txt"
)
