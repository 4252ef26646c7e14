package planner

import (
	"fmt"

	"github.com/licenseplan/licenseplan/rules"
)

// describe returns the description of a step with action a for a user
// taking rule r to target profile profile. It depends on nothing else, so
// layout makes it once per recipe and profile (layoutTable.desc).
func describe(a Action, r *rules.Rule, profile string) string {
	prof := "a profile of " + r.To.Name
	if profile != "" {
		prof = fmt.Sprintf("profile \"%s\"", profile)
	}
	var s string
	switch a {
	case ChangeProfile:
		s = fmt.Sprintf("Change the profile to %s on the same user record; the license stays %s.", prof, r.To.Name)
	case ChangeLicense:
		s = fmt.Sprintf("Change the license from %s to %s on the same user record by assigning %s.", r.From.Name, r.To.Name, prof)
	case DisableUser:
		s = fmt.Sprintf("Disable the %s user (IsPortalEnabled = false): Salesforce deactivates the user and renames the username, which frees it for the new user.", r.From.Name)
	case DeactivateUser:
		s = fmt.Sprintf("Deactivate the %s user (IsActive = false) and rename its username so the new user can take it.", r.From.Name)
	case CreateUser:
		if r.To.Kind.External() {
			s = fmt.Sprintf("Enable the contact as a new %s user with %s (new user Id, same username).", r.To.Name, prof)
		} else {
			s = fmt.Sprintf("Create a new %s user with %s (new user Id, same username).", r.To.Name, prof)
		}
	case TransferRecords:
		s = "Transfer record ownership and migrate the old user's data to the new user record."
	case ReassignPermissionSets:
		s = fmt.Sprintf("Reassign the permission sets and permission set licenses the change removed, where %s allows them.", r.To.Name)
	default:
		s = a.String()
	}
	return s
}

// ownerRoleDescription is the description of the assign_owner_role step of
// account account, whose owner is user ownerID ("" when unknown), giving
// role roleID named roleName ("" when no role is configured, or
// UserRole.csv does not name it).
func ownerRoleDescription(account, ownerID, roleID, roleName string) string {
	owner := "the owner"
	if ownerID != "" {
		owner = "the owner (" + ownerID + ")"
	}
	why := ": Salesforce refuses a role-based license or a new external user on an account whose owner has no role (\"portal account owner must have a role\"). The role can be removed again later."
	switch {
	case roleID == "":
		return fmt.Sprintf("Give %s of account \"%s\" a role (set User.UserRoleId): no role is configured for the account (owner-roles in the config file), so choose an internal role%s", owner, account, why)
	case roleName != "":
		return fmt.Sprintf("Give %s of account \"%s\" the role \"%s\" (%s) (set User.UserRoleId)%s", owner, account, roleName, roleID, why)
	}
	return fmt.Sprintf("Give %s of account \"%s\" the role %s (set User.UserRoleId)%s", owner, account, roleID, why)
}
