// Package load turns a plan into the files an admin loads into the org with
// Data Loader or the Salesforce CLI, in execution order: the account
// owners to give a role, the partner accounts to enable, the users to
// change in place (license or profile), the users to disable and the users
// to create for their contacts. It reads the plan alone
// (plan.json has every Id the files need), does no I/O except WriteDir, and
// makes no request to any org.
//
// Build gives the rows as plain data, with their raw values; WriteDir
// writes them as CSV files (every cell through the same formula
// neutralisation as plan.csv) with a README.md that gives the order, the
// sf command for each file and what to check between files. apply writes
// the same rows, so a rehearsal checks what an admin would load by hand.
package load

import (
	"fmt"
	"slices"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// Operation is what a load file does to its object's records.
type Operation string

const (
	Update Operation = "update" // rows carry the record Id
	Insert Operation = "insert" // rows make new records
)

// File is one load file: rows of one object and operation, in plan step
// order. Values are raw (not neutralised); WriteDir neutralises them.
type File struct {
	Name      string // file name, such as "01-accounts-enable-partner.csv"
	Title     string // what the file does, for the README
	Object    string // the sObject, such as "Account"
	Operation Operation
	Header    []string   // Salesforce field names
	Rows      [][]string // one per record, in Header order
	Seqs      []int      // per row: the plan step it carries out
	// Grants says the file assigns permission set licenses or permission
	// sets: a step may have several rows (one per assignment), and apply
	// writes them in its follow-up, where it also fills in the rows of
	// new users (see Left).
	Grants bool
	// Omitted names the columns left out because no row had a value for
	// them (the snapshot did not hold the field), with Required telling
	// which of those Salesforce needs.
	Omitted []Omitted
}

// Omitted is a column a load file leaves out.
type Omitted struct {
	Field    string
	Required bool
}

// Left is a step of the plan that no load file carries, and why.
type Left struct {
	Seq      int
	Action   planner.Action
	UserID   string
	Username string
	// AccountID is the step's account (its own, else its user's).
	AccountID string
	Reason    Reason
}

// Reason says why a step is in no load file.
type Reason uint8

const (
	// NeedsNewUserID: the step acts on the user that an earlier file
	// creates, whose Id exists only once that file has run (moving record
	// ownership, assigning permission sets again). apply fills it in.
	NeedsNewUserID Reason = iota
	// NeedsDecision: the user has no supported path (recreate): a person
	// decides what to create and how to move the data.
	NeedsDecision
	// NoProfileID: the target profile is not in Profile.csv, so its Id is
	// not known; create the profile, or pull the org again.
	NoProfileID
	// NoContact: the user to enable again has no ContactId in the plan.
	NoContact
	// ProfileMismatch: the target profile belongs to another license than
	// the target (TARGET_PROFILE_MISMATCH): Salesforce would set that
	// other license, so the row would not do what the plan says.
	ProfileMismatch
	// NoOwnerRole: the account owner needs a role and none is configured
	// (owner-roles): the admin chooses one.
	NoOwnerRole
	// NoOwnerID: the account owner needs a role, but the plan does not know
	// the owner's user Id (Account.csv had no OwnerId).
	NoOwnerID
	// NothingToRestore: the change removes permission sets that the target
	// license does not allow back (plan.json names them under the user's
	// restore.notRestored): nothing to assign again.
	NothingToRestore
)

var reasonTexts = [...]string{
	NeedsNewUserID: "acts on the new user, whose Id exists only after 04 has run: apply fills it in, or do it by hand (see below)",
	NeedsDecision:  "no supported path (recreate): a person decides what to create and how to move the data",
	NoProfileID:    "the target profile is not in Profile.csv, so its Id is unknown: create the profile or pull the org again, then plan again",
	NoContact:      "the plan has no ContactId for the user, so the contact to enable again is unknown: pull the org again with ContactId",
	ProfileMismatch: "the target profile belongs to another license than the target license (TARGET_PROFILE_MISMATCH): " +
		"choose a profile of the target license in the targets, then plan again",
	NoOwnerRole: "the account owner has no role and none is configured (owner-roles in the config file): choose an internal role and set the owner's UserRoleId by hand before 01, or configure it and plan again",
	NoOwnerID:   "the account owner has no role, but the plan does not know the owner's user Id (Account.csv had no OwnerId): give the owner a role by hand before 01, or pull the org again",
	NothingToRestore: "the target license allows none of the permission sets the change removes (plan.json: the user's restore.notRestored): " +
		"choose permission sets of the target license by hand",
}

func (r Reason) String() string {
	if int(r) < len(reasonTexts) {
		return reasonTexts[r]
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// Set is every load file of a plan, in the order they run, and the steps
// none of them carries.
type Set struct {
	Files []*File
	Left  []Left
}

// File names, in the order the files run.
const (
	FileOwnerRole = "00-users-assign-owner-role.csv"
	FileAccounts  = "01-accounts-enable-partner.csv"
	FileInPlace   = "02-users-change-in-place.csv"
	FileDisable   = "03-users-disable.csv"
	FileCreate    = "04-users-create.csv"
	FilePSL       = "05-users-assign-permission-set-licenses.csv"
	FilePS        = "06-users-assign-permission-sets.csv"
)

// The objects of the assignment files.
const (
	ObjectPSL = "PermissionSetLicenseAssign"
	ObjectPS  = "PermissionSetAssignment"
)

// Build makes the load files of p. An account owner is given the role its
// assign_owner_role step names (one row per step; a step with no role is
// Left for the admin to choose). Only users whose outcome is
// change_in_place, change_profile or disable_reenable are loaded; a recreate user's steps
// are Left for a person to decide, and steps that need a new user's Id are
// Left for apply (or a second pass by hand).
func Build(p *planner.Plan) *Set {
	ownerRole := &File{Name: FileOwnerRole, Title: "Give account owners a role (before any user on their accounts changes)", Object: "User",
		Operation: Update, Header: []string{"Id", "UserRoleId"}}
	accounts := &File{Name: FileAccounts, Title: "Enable accounts as partner accounts", Object: "Account",
		Operation: Update, Header: []string{"Id", "IsPartner"}}
	inPlace := &File{Name: FileInPlace, Title: "Change users' licenses or profiles in place (assign the target profile)",
		Object: "User", Operation: Update, Header: []string{"Id", "ProfileId"}}
	disable := &File{Name: FileDisable, Title: "Disable external users (deactivates them and renames their usernames)",
		Object: "User", Operation: Update, Header: []string{"Id", "IsPortalEnabled"}}
	create := &File{Name: FileCreate, Title: "Enable the contacts again as users of the target license",
		Object: "User", Operation: Insert, Header: []string{"ContactId", "ProfileId", "Username"}}
	// After ContactId, ProfileId and Username: the new-user fields, in
	// org.NewUserFieldNames order.
	create.Header = append(create.Header, org.NewUserFieldNames[:]...)
	// Last: the role, where the plan knows one (planner.NewUser.UserRoleID).
	create.Header = append(create.Header, "UserRoleId")
	// A permission set may need a permission set license, so 05 runs
	// before 06.
	psl := &File{Name: FilePSL, Title: "Assign again the permission set licenses the change removed", Object: ObjectPSL,
		Operation: Insert, Header: []string{"AssigneeId", "PermissionSetLicenseId"}, Grants: true}
	ps := &File{Name: FilePS, Title: "Assign again the permission sets the change removed that the target license allows", Object: ObjectPS,
		Operation: Insert, Header: []string{"AssigneeId", "PermissionSetId"}, Grants: true}
	s := &Set{Files: []*File{ownerRole, accounts, inPlace, disable, create, psl, ps}}

	for _, r := range p.StepRows() {
		st, u := r.Step, r.User
		left := func(why Reason) {
			l := Left{Seq: st.Seq, Action: st.Action, UserID: st.UserID, AccountID: r.AccountID, Reason: why}
			if u != nil {
				l.Username = u.Username
			}
			s.Left = append(s.Left, l)
		}
		switch {
		case st.Action == planner.EnablePartnerAccount:
			accounts.add(st.Seq, st.AccountID, "true")
			continue
		case st.Action == planner.AssignOwnerRole && st.OwnerID == "":
			left(NoOwnerID)
			continue
		case st.Action == planner.AssignOwnerRole && st.RoleID == "":
			left(NoOwnerRole)
			continue
		case st.Action == planner.AssignOwnerRole:
			ownerRole.add(st.Seq, st.OwnerID, st.RoleID)
			continue
		}
		if u == nil || u.Outcome == rules.Recreate {
			left(NeedsDecision)
			continue
		}
		switch {
		case (st.Action == planner.ChangeLicense || st.Action == planner.CreateUser) && u.HasWarning(rules.TargetProfileMismatch):
			left(ProfileMismatch)
		case (st.Action == planner.ChangeLicense || st.Action == planner.ChangeProfile) && u.ToProfileID == "":
			left(NoProfileID)
		case st.Action == planner.ChangeLicense || st.Action == planner.ChangeProfile:
			inPlace.add(st.Seq, u.UserID, u.ToProfileID)
		case st.Action == planner.DisableUser && u.Outcome == rules.DisableReenable:
			disable.add(st.Seq, u.UserID, "false")
		case st.Action == planner.CreateUser && u.Outcome == rules.DisableReenable:
			if why, ok := createRow(create, st.Seq, u); !ok {
				left(why)
			}
		case st.Action == planner.ReassignPermissionSets && (u.Restore == nil || len(u.Restore.PermissionSets)+len(u.Restore.PermissionSetLicenses) == 0):
			left(NothingToRestore)
		case st.Action == planner.ReassignPermissionSets && u.Outcome != rules.DisableReenable:
			restoreRows(psl, ps, st.Seq, u)
		case st.Action == planner.TransferRecords || st.Action == planner.ReassignPermissionSets:
			left(NeedsNewUserID)
		default:
			left(NeedsDecision)
		}
	}
	omitEmptyColumns(create)
	return s
}

// restoreRows adds the rows of 05 and 06 that give u back what its change
// removed and the target license allows.
func restoreRows(psl, ps *File, seq int, u *planner.UserPlan) {
	for _, g := range u.Restore.PermissionSetLicenses {
		psl.add(seq, u.UserID, g.ID)
	}
	for _, g := range u.Restore.PermissionSets {
		ps.add(seq, u.UserID, g.ID)
	}
}

// createRow adds the row of 04 that enables u's contact again.
func createRow(f *File, seq int, u *planner.UserPlan) (Reason, bool) {
	nu := u.NewUser
	if nu == nil {
		// The snapshot held none of the new-user fields: the row still
		// names the contact, profile and username.
		nu = &planner.NewUser{ProfileID: u.ToProfileID, Username: u.Username}
		if u.Seen != nil {
			nu.ContactID = u.Seen.ContactID
		}
	}
	switch {
	case nu.ProfileID == "":
		return NoProfileID, false
	case nu.ContactID == "":
		return NoContact, false
	}
	fields := nu.Fields()
	f.add(seq, append(append([]string{nu.ContactID, nu.ProfileID, nu.Username}, fields[:]...), nu.UserRoleID)...)
	return 0, true
}

func (f *File) add(seq int, values ...string) {
	f.Rows = append(f.Rows, values)
	f.Seqs = append(f.Seqs, seq)
}

// omitEmptyColumns leaves out the columns after Username that no row has a
// value for: the snapshot did not hold them, and a blank column would set
// nothing anyway. Required ones are named in the README.
func omitEmptyColumns(f *File) {
	const fixed = 3 // ContactId, ProfileId, Username
	keep := []int{0, 1, 2}
	for j := fixed; j < len(f.Header); j++ {
		if slices.ContainsFunc(f.Rows, func(r []string) bool { return r[j] != "" }) {
			keep = append(keep, j)
			continue
		}
		if j-fixed >= org.NumNewUserFields {
			continue // UserRoleId: no row has a role the plan knows; Salesforce gives one
		}
		f.Omitted = append(f.Omitted, Omitted{Field: f.Header[j], Required: org.RequiredNewUserField(j - fixed)})
	}
	if len(f.Rows) == 0 {
		f.Omitted = nil // nothing to create: nothing is missing
		return
	}
	if len(keep) == len(f.Header) {
		return
	}
	f.Header = pick(f.Header, keep)
	for i, r := range f.Rows {
		f.Rows[i] = pick(r, keep)
	}
}

func pick(s []string, idx []int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}
