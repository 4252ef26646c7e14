package planner

import (
	"slices"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
)

// Conditions of a user and an account that decide warnings, as bits of a
// mask: what a rule may warn about, and what applies to a user.
const (
	condPartner      uint8 = 1 << iota // PARTNER_ACCOUNT_REQUIRED
	condNoContact                      // NO_CONTACT
	condOwnerNoRole                    // ACCOUNT_OWNER_NO_ROLE
	condRoleRequired                   // ROLE_REQUIRED
	condRoleCreated                    // ROLE_CREATED (may: with ROLE_REQUIRED)
	condPermissions                    // only in what a rule may warn about: PERMISSION_SETS_REMOVED or VIEW_ALL_RECORDS_LOST
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

// conditions returns the conditions that apply to user u of account info
// changing by rule r, among those the rule may warn about (may).
func conditions(may uint8, u *org.User, info *acctInfo, r *rules.Rule, isPartner org.Tri) uint8 {
	to := r.To
	var mask uint8
	if may&condPartner != 0 && u.AccountID != "" && !isPartner.IsTrue() {
		mask |= condPartner
	}
	if may&condNoContact != 0 && u.ContactID == "" {
		mask |= condNoContact
	}
	createsUser := r.Outcome != rules.ChangeInPlace
	if may&condOwnerNoRole != 0 && info.acct != nil && info.acct.OwnerHasRole.IsFalse() && (to.RequiresRole || createsUser) {
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
	return mask
}

// mayWarn returns the conditions rule r may warn about, worked out once per
// rule.
func (d *decider) mayWarn(r *rules.Rule) uint8 {
	i := r.From.Index*len(d.table.Catalog.Licenses) + r.To.Index
	if d.ruleMay[i]&mayKnown != 0 {
		return d.ruleMay[i]
	}
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
	d.ruleMay[i] = m
	return m
}

// mayKnown marks a ruleMay entry as worked out.
const mayKnown uint8 = 1 << 7

// mayRemoveAccess reports whether dec is a change whose rule may remove
// permission sets or View/Modify All Records, so the user's permissions
// must be checked.
func (d *decider) mayRemoveAccess(dec *decision) bool {
	return dec.outcome.IsChange() && d.mayWarn(ruleOf(d.table, dec))&condPermissions != 0
}
