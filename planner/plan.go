package planner

import (
	"fmt"
	"slices"
	"time"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
)

// SchemaVersion is the version of the plan's JSON form (see README).
//
// Version 2 (licenseplan 0.2): strings are no longer HTML-escaped ("->", not
// "-\u003e"); source gains tool, rulesVersion and login.
//
// Version 3: a user gains seen (what the plan saw of the user record, for
// apply's drift check), toProfileId and, for a user disabled and enabled
// again, newUser (the fields of the user record to create).
//
// Version 4: the step action assign_owner_role (a prepare step per account
// whose owner has no role, with the step's ownerId and roleId) and the
// outcome change_profile with its action change_profile (a target profile
// of the user's own license); accounts gain ownerRoleStep. A version 3
// plan is a version 4 plan with neither action nor outcome, and is read
// as one (MinReadSchemaVersion).
//
// Version 5: a rule's source (rules[].source) is an object that names its
// document by title and address, {doc, ref, title, publisher, url}, where
// versions 3 and 4 hold the string "doc: ref". Plans of versions 3 and 4
// are still read, and written again in their own shape.
//
// Version 6: the same data, laid out smaller: each element of users and
// steps is written on one line, compact, where versions 3 to 5 indent
// every member on a line of its own (a million users: about 20% of the
// file). Plans of versions 3 to 5 are still read, and written again in
// their own layout, so their fingerprints still check.
const SchemaVersion = 6

// MinReadSchemaVersion is the oldest plan.json version that can still be
// read (reports.ReadJSON): versions 3 and 4 have the shape of version 5,
// less what the later versions add, and rules[].source as a string;
// version 5 has the shape of version 6, indented throughout.
const MinReadSchemaVersion = 3

// Plan is the whole migration plan, plain data: its Overview, and a step
// list for every user. Every slice is non-nil. plan.json's shape is the
// JSON writer's (reports.JSON), not Plan's: Plan carries no JSON tags.
type Plan struct {
	Overview
	// Fingerprint identifies the plan's content: "sha256:" and the hex
	// SHA-256 of its plan.json with generatedAt and fingerprint left empty
	// (reports.Fingerprint computes it). Two runs that plan the same thing
	// have the same fingerprint, so a change board can tell that the plan it
	// approved is the plan being carried out. Empty until computed.
	Fingerprint string
	// Users holds one entry per input user, ordered by account name,
	// username, then Id. Read it with At or All (see Users).
	Users Users
	// Steps are in execution order; Seq is the 1-based position.
	// Read it with At or All, or with Plan.StepRows.
	Steps Steps
}

// Overview is what a plan says apart from its users and steps: the
// counts, accounts, licenses, rules, warnings and notes. Summarize returns
// one without laying out any step, for outputs that show only these, such
// as the terminal summary.
type Overview struct {
	SchemaVersion int
	GeneratedAt   time.Time
	Source        Source
	// Targets says, for each targets file and preset in precedence order,
	// how many users it gave their target (Summary.NoTarget counts the
	// users none matched).
	Targets  []TargetUse
	Summary  Summary
	Accounts []AccountPlan
	Licenses []LicenseCapacity
	// Rules lists every rule the plan used, ordered by Id.
	Rules []RuleUse
	// Warnings are plan-level: license capacity and findings that concern no
	// single user.
	Warnings []Warning
	// Notes are informational: inputs that were missing, targets that matched
	// no user, assumptions the planner made.
	Notes []string
}

// HasChanges reports whether the plan writes to any user: a license
// change, or a profile change within one license (change_profile), which
// is a write to the org too (rules.Outcome.IsChange).
func (o *Overview) HasChanges() bool {
	for _, c := range rules.Outcomes {
		if c.IsChange() && o.Summary.Count(c) > 0 {
			return true
		}
	}
	return false
}

// Source says where the plan's input came from. Its form in plan.json is
// the JSON writer's (reports).
type Source struct {
	// Kind is "demo", "snapshot" or "org".
	Kind string
	// Environment says whether the plan is for production, a sandbox, the
	// demo org, or an org that did not say. Build sets it from Kind and the
	// Organization record (see SourceEnvironment); every report shows it.
	Environment org.Environment
	// Path is the snapshot folder, or the instance URL for an org.
	Path string
	// Org is the Organization record, when the input had one.
	Org *OrgInfo
	// Files lists the snapshot files (or objects) that were read.
	Files []string
	// Targets describes where the targets came from.
	Targets string
	// APICalls counts the Salesforce API calls used to pull the org.
	APICalls int
	// Login says how a live org was logged in to and which setting chose
	// it; nil for a snapshot or the demo org.
	Login *Login
	// Tool is the program and version that made the plan, such as
	// "licenseplan 0.2.0" ("licenseplan devel" for a build from source).
	Tool string
	// RulesVersion identifies the rule data (rules.Table.Version).
	RulesVersion string
}

// SourceEnvironment is the environment of a plan from a source of kind
// kind whose org said isSandbox (nil when it said nothing, or there was no
// Organization record): the demo org is EnvDemo whatever its record says.
func SourceEnvironment(kind string, isSandbox *bool) org.Environment {
	if kind == "demo" {
		return org.EnvDemo
	}
	if isSandbox == nil {
		return org.SandboxEnvironment(org.Unknown)
	}
	return org.SandboxEnvironment(org.TriOf(*isSandbox))
}

// Login describes the login of a live org.
type Login struct {
	// Method is the login method, such as "Salesforce CLI org \"my-sandbox\"".
	Method string `json:"method"`
	// From is the setting that chose it: "--target-org", "SF_TARGET_ORG",
	// "sf config target-org (global)", "SF_ACCESS_TOKEN", ...
	From string `json:"from"`
}

// TargetUse is one source of targets and the users it matched: those whose
// target came from it, the first match winning (inactive users included,
// though they are skipped unless inactive users are planned).
type TargetUse struct {
	// Source is "targets FILE", "demo targets.csv" or "preset NAME".
	Source string `json:"source"`
	Users  int    `json:"users"`
}

// OrgInfo identifies the org.
type OrgInfo struct {
	ID               string
	Name             string
	OrganizationType string
	InstanceName     string
	// IsSandbox is the Organization record's IsSandbox, nil when blank.
	// Whether the plan is for production is Source.Environment.
	IsSandbox *bool
}

// Summary holds the headline counts.
type Summary struct {
	Users int `json:"users"`
	// Outcomes maps every outcome name to its user count (zeros included).
	Outcomes map[string]int `json:"outcomes"`
	Steps    int            `json:"steps"`
	// NoTarget counts the users no target matched (they are no_change,
	// or skipped when inactive).
	NoTarget int `json:"noTarget"`
	// Warnings maps warning code to count, user-level and plan-level.
	Warnings map[string]int `json:"warnings"`

	PartnerAccountsToEnable int `json:"partnerAccountsToEnable"`
	RolesCreated            int `json:"rolesCreated"`
	IrreversibleChanges     int `json:"irreversibleChanges"`
	NewUserRecords          int `json:"newUserRecords"`
	LicensesShort           int `json:"licensesShort"`
}

// TotalWarnings is the sum of the Warnings map.
func (s Summary) TotalWarnings() int {
	n := 0
	for _, c := range s.Warnings {
		n += c
	}
	return n
}

// Count returns the number of users with outcome o.
func (s Summary) Count(o rules.Outcome) int { return s.Outcomes[o.String()] }

// UserPlan is what happens to one user.
type UserPlan struct {
	UserID      string `json:"userId"`
	Username    string `json:"username"`
	Name        string `json:"name"`
	AccountID   string `json:"accountId"`
	AccountName string `json:"accountName"`
	FromLicense string `json:"fromLicense"`
	ToLicense   string `json:"toLicense"`
	FromProfile string `json:"fromProfile"`
	ToProfile   string `json:"toProfile"`
	// ToProfileID is the Id of ToProfile for a user the plan changes, ""
	// when Profile.csv does not name it (the load files then leave the
	// user out and say why) or the user does not change.
	ToProfileID string `json:"toProfileId"`
	// Seen is what the plan saw of the record of a user it changes; nil
	// for the others.
	Seen    *UserSeen     `json:"seen,omitempty"`
	Outcome rules.Outcome `json:"outcome"`
	RuleID  string        `json:"ruleId"`
	// Steps are the seqs of this user's steps, in order.
	Steps    []int     `json:"steps"`
	Warnings []Warning `json:"warnings"`
	// NewUser is the user record to create for the same contact, for a
	// user who is disabled and enabled again (disable_reenable); nil
	// otherwise.
	NewUser *NewUser `json:"newUser,omitempty"`
	// Restore is what the change removes and what of it the target
	// license allows back (the reassign_permission_sets step and load
	// files 05 and 06); nil when the change removes nothing. Users with
	// the same assignments and rule share one Restore: treat it as
	// read-only.
	Restore *Restore `json:"restore,omitempty"`
}

// Restore is the permission set licenses and permission sets a change
// removes from a user, as the reassign_permission_sets step gives them
// back: licenses first, since a permission set may need one.
type Restore struct {
	PermissionSetLicenses []Grant `json:"permissionSetLicenses"`
	PermissionSets        []Grant `json:"permissionSets"`
	// NotRestored are those the target license does not allow, or that
	// cannot be assigned from the snapshot, each with its reason.
	NotRestored []Grant `json:"notRestored,omitempty"`
	// LicenseChecked says whether the snapshot named each permission
	// set's license (PermissionSet.LicenseId). When false, every
	// permission set is restored and Salesforce refuses the ones the
	// target license does not allow.
	LicenseChecked bool `json:"licenseChecked"`
}

// Grant is one permission set or permission set license.
type Grant struct {
	ID     string `json:"id,omitempty"`
	Name   string `json:"name"`
	Reason string `json:"reason,omitempty"`
}

// UserSeen is what the plan saw of a user's record, besides the license,
// profile name and account that UserPlan names: apply compares it with
// the org before it writes (a plan whose org has moved on is stale), and
// the load files take their Ids from it. The Tri values are "true",
// "false" or "" when the snapshot did not say.
type UserSeen struct {
	ProfileID       string `json:"profileId"`
	RoleID          string `json:"roleId"`
	ContactID       string `json:"contactId"`
	IsActive        string `json:"isActive"`
	IsPortalEnabled string `json:"isPortalEnabled"`
}

// NewUser is the user record that enables a disabled user's contact again:
// the contact, the target profile, and the old user's username (free once
// the old user is disabled, which renames it) and settings. Fields the
// snapshot did not hold are "".
type NewUser struct {
	ContactID         string `json:"contactId"`
	ProfileID         string `json:"profileId"`
	Username          string `json:"username"`
	Email             string `json:"email"`
	FirstName         string `json:"firstName"`
	LastName          string `json:"lastName"`
	Alias             string `json:"alias"`
	CommunityNickname string `json:"communityNickname"`
	TimeZoneSidKey    string `json:"timeZoneSidKey"`
	LocaleSidKey      string `json:"localeSidKey"`
	EmailEncodingKey  string `json:"emailEncodingKey"`
	LanguageLocaleKey string `json:"languageLocaleKey"`
	// UserRoleID is the new user's role on a role-based target license:
	// the old user's portal role when it is of the target's type, else the
	// account's role of that type at the old role's level; "" when none
	// is known (Salesforce gives the account's lowest role).
	UserRoleID string `json:"userRoleId,omitempty"`
}

// Fields returns the settings of n, indexed by the org.NewUser* constants
// (the order of org.NewUserFieldNames).
func (n *NewUser) Fields() [org.NumNewUserFields]string {
	var f [org.NumNewUserFields]string
	f[org.NewUserEmail], f[org.NewUserFirstName], f[org.NewUserLastName] = n.Email, n.FirstName, n.LastName
	f[org.NewUserAlias], f[org.NewUserCommunityNickname] = n.Alias, n.CommunityNickname
	f[org.NewUserTimeZoneSidKey], f[org.NewUserLocaleSidKey] = n.TimeZoneSidKey, n.LocaleSidKey
	f[org.NewUserEmailEncodingKey], f[org.NewUserLanguageLocaleKey] = n.EmailEncodingKey, n.LanguageLocaleKey
	return f
}

// HasWarning reports whether u carries a warning with code c.
func (u *UserPlan) HasWarning(c rules.Code) bool {
	return slices.ContainsFunc(u.Warnings, func(w Warning) bool { return w.Code == c })
}

// Warning is one finding. License and AccountID give context where it helps
// (plan-level and account-level warnings).
type Warning struct {
	Code      rules.Code `json:"code"`
	Message   string     `json:"message"`
	AccountID string     `json:"accountId,omitempty"`
	License   string     `json:"license,omitempty"`
}

// Phase groups steps; phases run in order.
type Phase uint8

const (
	Prepare Phase = iota
	Convert
	RecreatePhase
	FollowUp
)

// Phases lists the phases in execution order.
var Phases = []Phase{Prepare, Convert, RecreatePhase, FollowUp}

var phaseNames = [...]string{"prepare", "convert", "recreate", "follow-up"}

func (p Phase) String() string {
	if int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return fmt.Sprintf("phase(%d)", uint8(p))
}

func (p Phase) MarshalText() ([]byte, error) {
	if int(p) >= len(phaseNames) {
		return nil, fmt.Errorf("unknown phase %d", uint8(p))
	}
	return []byte(phaseNames[p]), nil
}

func (p *Phase) UnmarshalText(b []byte) error {
	i := slices.Index(phaseNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("unknown phase %q", b)
	}
	*p = Phase(i)
	return nil
}

// Action is what one step does.
type Action uint8

const (
	// EnablePartnerAccount sets Account.IsPartner = true.
	EnablePartnerAccount Action = iota
	// ChangeLicense assigns a profile of the target license on the same
	// user record.
	ChangeLicense
	// DisableUser disables an external user (IsPortalEnabled = false), which
	// deactivates the user and renames the username.
	DisableUser
	// DeactivateUser deactivates an internal user (IsActive = false).
	DeactivateUser
	// CreateUser enables the contact as a new external user, or creates a new
	// internal user, with the target profile.
	CreateUser
	// TransferRecords moves record ownership and data to the new user.
	TransferRecords
	// ReassignPermissionSets assigns again the permission sets and permission
	// set licenses that the change removed.
	ReassignPermissionSets
	// AssignOwnerRole gives an account's owner a role (User.UserRoleId),
	// before any other step on the account: Salesforce refuses a
	// role-based license, or a new external user, on an account whose
	// owner has none. Step.OwnerID and RoleID say whom and which role
	// (RoleID "" when the admin must choose one).
	AssignOwnerRole
	// ChangeProfile assigns another profile of the user's own license, on
	// the same user record.
	ChangeProfile
)

var actionNames = [...]string{"enable_partner_account", "change_license", "disable_user", "deactivate_user", "create_user", "transfer_records", "reassign_permission_sets", "assign_owner_role", "change_profile"}

// OnAccount reports whether a step with action a is an account step (of
// the prepare phase, with no user): enable_partner_account or
// assign_owner_role.
func (a Action) OnAccount() bool { return a == EnablePartnerAccount || a == AssignOwnerRole }

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

func (a Action) MarshalText() ([]byte, error) {
	if int(a) >= len(actionNames) {
		return nil, fmt.Errorf("unknown action %d", uint8(a))
	}
	return []byte(actionNames[a]), nil
}

func (a *Action) UnmarshalText(b []byte) error {
	i := slices.Index(actionNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("unknown action %q", b)
	}
	*a = Action(i)
	return nil
}

// Step is one unit of work for the admin.
type Step struct {
	Seq    int    `json:"seq"`
	Phase  Phase  `json:"phase"`
	Action Action `json:"action"`
	// UserID is empty for account steps.
	UserID string `json:"userId"`
	// AccountID is the account the step touches (the user's account for user
	// steps; may be empty for internal users).
	AccountID   string `json:"accountId"`
	Description string `json:"description"`
	DependsOn   []int  `json:"dependsOn"`
	Reversible  bool   `json:"reversible"`
	// RuleID is the rule the step comes from (for an account step, the rule
	// of the first user that needed it).
	RuleID string `json:"ruleId"`
	// OwnerID and RoleID are set on assign_owner_role steps only: the
	// account owner's user Id, and the UserRole Id to give the owner ("" when
	// no role was configured: the admin chooses one).
	OwnerID string `json:"ownerId,omitempty"`
	RoleID  string `json:"roleId,omitempty"`
}

// AccountPlan summarises one account that has users in the plan.
type AccountPlan struct {
	AccountID   string `json:"accountId"`
	AccountName string `json:"accountName"`
	// IsPartner is "true", "false" or "" when unknown.
	IsPartner string `json:"isPartner"`
	// EnablePartnerStep is the seq of the enable_partner_account step, 0 if none.
	EnablePartnerStep int `json:"enablePartnerStep"`
	// OwnerRoleStep is the seq of the assign_owner_role step, 0 if none.
	OwnerRoleStep int `json:"ownerRoleStep"`
	// RolesCreated names the portal roles Salesforce will create.
	RolesCreated []string `json:"rolesCreated"`
	Users        int      `json:"users"`
	Changing     int      `json:"changing"`
	// OwnerHasRole is "true", "false" or "" when unknown.
	OwnerHasRole string `json:"ownerHasRole"`
}

// LicenseCapacity is the seat arithmetic for one license. Total, Used and
// After are null when the org's UserLicense counts are unknown.
type LicenseCapacity struct {
	License   string `json:"license"`
	Total     *int   `json:"total"`
	Used      *int   `json:"used"`
	MovingIn  int    `json:"movingIn"`
	MovingOut int    `json:"movingOut"`
	After     *int   `json:"after"`
	Shortfall int    `json:"shortfall"`
}

// RuleUse is a rule the plan applied, with its provenance.
type RuleUse struct {
	ID      string        `json:"id"`
	From    string        `json:"from"`
	To      string        `json:"to"`
	Outcome rules.Outcome `json:"outcome"`
	// Source is the citation as text, "doc: ref" (rules.Source.String),
	// with the source's file name for traceability.
	Source string `json:"source"`
	// Cite is the same source with its document's title and address.
	Cite        rules.Citation `json:"-"`
	Explanation string         `json:"explanation"`
	Conflict    string         `json:"conflict,omitempty"`
	Users       int            `json:"users"`
}
