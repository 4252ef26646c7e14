package planner

import (
	"fmt"
	"strings"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
)

// Stage 3, Accounts: which accounts must be enabled as partner accounts
// first, which accounts' owners must be given a role first, which portal
// roles Salesforce will create on them, and what is known of their owners.

// accountPlans is the accounts stage's answer. The account steps come
// first in the plan (the prepare phase), in account order, so their seqs
// are known here: 1, 2, ... An account's assign_owner_role step comes
// before its enable_partner_account step, which depends on it.
type accountPlans struct {
	list []AccountPlan // the accounts with an Id, in plan order
	// prep are the prepare steps, in seq order (prep[i] has seq i+1).
	prep []prepStep
	// per account rank: the seq of the account's enable_partner_account
	// and assign_owner_role steps (0 for none).
	partnerSeq []int
	roleSeq    []int
	// notes are the configured owner roles the plan could not use.
	notes []string
}

// prepStep is one account step of the prepare phase.
type prepStep struct {
	rank   int32  // the account's rank
	action Action // EnablePartnerAccount or AssignOwnerRole
	// ruleID is the rule of the first user (in plan order) whose change
	// needs the step.
	ruleID string
	// roleID and roleName are the role an assign_owner_role step gives
	// (Options.OwnerRoles; "" when none is configured), and its name in
	// UserRole.csv ("" when the file does not have it).
	roleID, roleName string
}

// acctTally is what planAccounts counts per account.
type acctTally struct {
	users, changing int
	isPartner       org.Tri // from the users' rows, when Account.csv lacks the account
	rolesCreated    uint8   // 1: customer roles, 2: partner roles
}

// planAccounts plans the accounts of pop. ownerRoles is
// Options.OwnerRoles; roles is UserRole.csv, which names the roles it gives.
func planAccounts(pop *population, ds *decisions, table *rules.Table, ownerRoles map[string]string, roles []org.Role, hasRoles bool) *accountPlans {
	n := len(pop.accts)
	ap := &accountPlans{partnerSeq: make([]int, n), roleSeq: make([]int, n)}
	// per account rank: the rule of the first user (in plan order) that
	// needs the account's partner and owner-role steps, "" when none.
	partnerBy, ownerBy := make([]string, n), make([]string, n)
	agg := make([]acctTally, n)
	for pi := range ds.dec {
		d := &ds.dec[pi]
		rank := pop.rank[pi]
		info := &pop.accts[rank]
		if info.id == "" {
			continue
		}
		a := &agg[rank]
		if a.isPartner == org.Unknown && info.acct == nil {
			a.isPartner = pop.users[pop.order[pi]].AccountIsPartner
		}
		a.users++
		if d.outcome.IsChange() {
			a.changing++
		}
		if d.needsPartner() && partnerBy[rank] == "" {
			partnerBy[rank] = ruleOf(table, d).ID
		}
		if d.mask&condOwnerNoRole != 0 && ownerBy[rank] == "" {
			ownerBy[rank] = ruleOf(table, d).ID
		}
		if d.mask&condRoleCreated != 0 {
			a.rolesCreated |= roleBit(table.Catalog.Licenses[d.to])
		}
	}
	var names map[string]string // role Id -> name, made when a role is first named
	refused := map[string]bool{}
	for r := range n {
		if by := ownerBy[r]; by != "" {
			id := ownerRole(ownerRoles, pop.accts[r].id)
			if id != "" && names == nil {
				names = roleNames(roles)
			}
			// With UserRole.csv the configured role must be one of the
			// org's internal roles: a role of another org, or a portal
			// role, would be refused at the step and stop the account's
			// users. The step then has no role, as when none is
			// configured, and a note says why.
			if id != "" && hasRoles {
				why := ""
				if role := findRole(roles, id); role == nil {
					why = "is not a role of this org (not in UserRole.csv)"
				} else if role.PortalType != "" && !strings.EqualFold(role.PortalType, "None") {
					why = "is a portal role (PortalType " + role.PortalType + "); an account owner needs an internal role"
				}
				if why != "" {
					if !refused[id] {
						refused[id] = true
						ap.notes = append(ap.notes, fmt.Sprintf("owner-roles: role %s %s: the assign_owner_role steps that would give it have no role. Configure an internal role of this org, then plan again.", id, why))
					}
					id = ""
				}
			}
			ap.prep = append(ap.prep, prepStep{rank: int32(r), action: AssignOwnerRole, ruleID: by, roleID: id, roleName: names[id]})
			ap.roleSeq[r] = len(ap.prep)
		}
		if by := partnerBy[r]; by != "" {
			ap.prep = append(ap.prep, prepStep{rank: int32(r), action: EnablePartnerAccount, ruleID: by})
			ap.partnerSeq[r] = len(ap.prep)
		}
	}
	ap.list = make([]AccountPlan, 0, n)
	for r := range pop.accts {
		if info := &pop.accts[r]; info.id != "" {
			a := accountPlan(info, &agg[r], ap.partnerSeq[r])
			a.OwnerRoleStep = ap.roleSeq[r]
			ap.list = append(ap.list, a)
		}
	}
	return ap
}

// ownerRole is the role Options.OwnerRoles gives the owner of account id:
// the entry for the Id (an 18-character Id also matches the entry for its
// first 15 characters), else the entry "*", else "" (the admin chooses).
func ownerRole(m map[string]string, id string) string {
	if len(m) == 0 {
		return ""
	}
	if r, ok := m[id]; ok {
		return r
	}
	if len(id) == 18 {
		if r, ok := m[id[:15]]; ok {
			return r
		}
	}
	return m[OwnerRoleAll]
}

// OwnerRoleAll is the Options.OwnerRoles key that stands for every account
// not named.
const OwnerRoleAll = "*"

// findRole returns the role of UserRole.csv with Id id, or nil.
func findRole(roles []org.Role, id string) *org.Role {
	for i := range roles {
		if org.SameID(roles[i].ID, id) {
			return &roles[i]
		}
	}
	return nil
}

// roleNames maps the Id of every role of UserRole.csv to its name.
func roleNames(roles []org.Role) map[string]string {
	m := make(map[string]string, len(roles))
	for i := range roles {
		m[roles[i].ID] = roles[i].Name
	}
	return m
}

// roleBit is the acctTally.rolesCreated bit of the roles a user of license
// l gets.
func roleBit(l *rules.License) uint8 {
	if l.Kind == rules.Partner {
		return 2
	}
	return 1
}

func accountPlan(info *acctInfo, agg *acctTally, enableSeq int) AccountPlan {
	a := AccountPlan{
		AccountID: info.id, AccountName: info.name, RolesCreated: []string{},
		EnablePartnerStep: enableSeq,
		Users:             agg.users, Changing: agg.changing,
		IsPartner: agg.isPartner.String(),
	}
	if info.acct != nil {
		a.IsPartner = info.acct.IsPartner.String()
		a.OwnerHasRole = info.acct.OwnerHasRole.String()
	}
	// "<name> Customer User" sorts before "<name> Partner User".
	if agg.rolesCreated&1 != 0 {
		a.RolesCreated = append(a.RolesCreated, info.name+" Customer User")
	}
	if agg.rolesCreated&2 != 0 {
		a.RolesCreated = append(a.RolesCreated, info.name+" Partner User")
	}
	return a
}
