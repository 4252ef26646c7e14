package planner

import (
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
)

// Stage 3, Accounts: which accounts must be enabled as partner accounts
// first, which portal roles Salesforce will create on them, and what is
// known of their owners.

// accountPlans is the accounts stage's answer. Enable steps come first in
// the plan, in account order, so their seqs are known here: 1, 2, ...
type accountPlans struct {
	list []AccountPlan // the accounts with an Id, in plan order
	// per account rank: the rule of the first user (in plan order) whose
	// account must be enabled as a partner account, "" when none, and the
	// seq of that account's enable_partner_account step (0 for none).
	partnerBy  []string
	partnerSeq []int
	nPartner   int // enable_partner_account steps
}

// acctTally is what planAccounts counts per account.
type acctTally struct {
	users, changing int
	isPartner       org.Tri // from the users' rows, when Account.csv lacks the account
	rolesCreated    uint8   // 1: customer roles, 2: partner roles
}

func planAccounts(pop *population, ds *decisions, table *rules.Table) *accountPlans {
	ap := &accountPlans{partnerBy: make([]string, len(pop.accts)), partnerSeq: make([]int, len(pop.accts))}
	agg := make([]acctTally, len(pop.accts))
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
		if d.needsPartner() && ap.partnerBy[rank] == "" {
			ap.partnerBy[rank] = ruleOf(table, d).ID
		}
		if d.mask&condRoleCreated != 0 {
			a.rolesCreated |= roleBit(table.Catalog.Licenses[d.to])
		}
	}
	for r, by := range ap.partnerBy {
		if by != "" {
			ap.nPartner++
			ap.partnerSeq[r] = ap.nPartner
		}
	}
	ap.list = make([]AccountPlan, 0, len(pop.accts))
	for r := range pop.accts {
		if info := &pop.accts[r]; info.id != "" {
			ap.list = append(ap.list, accountPlan(info, &agg[r], ap.partnerSeq[r]))
		}
	}
	return ap
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
