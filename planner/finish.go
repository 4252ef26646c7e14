package planner

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
)

// licAgg counts the users moving into and out of one license.
type licAgg struct{ in, out int }

// tally is the one pass over the decisions, in plan order, that the
// summary, the accounts, the licenses and the step counts come from; the
// full and the summary-only plan share it.
func (b *builder) tally() {
	b.recipeUses = make([]int, 0, 16)
	b.listUsers = make([]int, len(b.lists))
	b.profUsers = make([]int, len(b.profWarns))
	b.permUsers = make([]int, len(b.permLists))
	nCat := len(b.table.Catalog.Licenses)
	b.catAgg = make([]licAgg, nCat)
	b.catSeen = make([]bool, nCat)
	b.otherAgg = map[string]*licAgg{}
	b.acctAgg = make([]acctAgg, len(b.acctInfo))
	users := b.snap.Users
	for pi := range b.dec {
		d := &b.dec[pi]
		b.outcomeUses[d.outcome]++
		b.listUsers[d.base]++
		b.maskUsers[d.mask]++
		if d.profWarn >= 0 {
			b.profUsers[d.profWarn]++
		}
		if d.perm >= 0 {
			b.permUsers[d.perm]++
		}
		var from *licAgg
		if d.from >= 0 {
			b.catSeen[d.from] = true
			from = &b.catAgg[d.from]
		} else {
			from = b.lic(users[b.order[pi]].License)
		}
		change := d.outcome.IsChange()
		if change {
			to := b.table.Catalog.Licenses[d.to]
			from.out++
			b.catSeen[to.Index] = true
			b.catAgg[to.Index].in++
			b.useRecipe(d)
		}
		rank := b.rank[pi]
		info := &b.acctInfo[rank]
		if info.id == "" {
			continue
		}
		a := &b.acctAgg[rank]
		if a.isPartner == org.Unknown && info.acct == nil {
			a.isPartner = users[b.order[pi]].AccountIsPartner
		}
		a.users++
		if change {
			a.changing++
		}
		if d.needsPartner() && b.partnerBy[rank] == "" {
			b.partnerBy[rank] = b.rule(d).ID
		}
		// RolesCreated: the lowest portal role of each kind the account
		// gets.
		if d.mask&condRoleCreated != 0 {
			bit := uint8(1)
			if b.table.Catalog.Licenses[d.to].Kind == rules.Partner {
				bit = 2
			}
			a.rolesCreated |= bit
		}
	}

	// Steps: one enable_partner_account per account that needs it, in
	// account order, then each recipe's steps per user.
	b.partnerSeq = make([]int, len(b.acctInfo))
	for r, by := range b.partnerBy {
		if by != "" {
			b.stepCount[Prepare]++
			b.partnerSeq[r] = b.stepCount[Prepare]
		}
	}
	for i, n := range b.recipeUses {
		for _, t := range b.recipeList[i] {
			b.stepCount[t.phase] += n
		}
	}
}

// useRecipe gives d, a change, its step recipe.
func (b *builder) useRecipe(d *decision) {
	rk := recipeKey{d.from, d.to, d.needsPartner(), d.removesAccess}
	idx, ok := b.recipes[rk]
	if !ok {
		idx = int32(len(b.recipeList))
		b.recipeList = append(b.recipeList, recipe(b.rule(d), rk.needsPartner, rk.removesAccess))
		b.recipeUses = append(b.recipeUses, 0)
		b.recipes[rk] = idx
	}
	d.recipe = idx
	b.recipeUses[idx]++
}

// acctAgg is what tally counts per account.
type acctAgg struct {
	users, changing int
	isPartner       org.Tri // from the users' rows, when Account.csv lacks the account
	rolesCreated    uint8   // 1: customer roles, 2: partner roles
}

// lic returns the counts of a license outside the catalog (or, by name, of
// one in it).
func (b *builder) lic(name string) *licAgg {
	if l := b.license(name); l != nil {
		b.catSeen[l.Index] = true
		return &b.catAgg[l.Index]
	}
	a := b.otherAgg[name]
	if a == nil {
		a = &licAgg{}
		b.otherAgg[name] = a
	}
	return a
}

// accountsAndLicenses builds the per-account and per-license tables from
// the tally.
func (b *builder) accountsAndLicenses() {
	b.plan.Accounts = make([]AccountPlan, 0, len(b.acctInfo))
	for r := range b.acctInfo {
		info := &b.acctInfo[r]
		if info.id == "" {
			continue
		}
		agg := &b.acctAgg[r]
		a := AccountPlan{
			AccountID: info.id, AccountName: info.name, RolesCreated: []string{},
			EnablePartnerStep: b.partnerSeq[r],
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
		b.plan.Accounts = append(b.plan.Accounts, a)
	}

	// Licenses: every license a user has or moves to, and every license the
	// org reports.
	for _, ul := range b.snap.Licenses {
		b.lic(ul.Name)
	}
	nCat := len(b.table.Catalog.Licenses)
	b.plan.Licenses = make([]LicenseCapacity, 0, nCat+len(b.otherAgg))
	add := func(name string, a *licAgg) {
		lc := LicenseCapacity{License: name, MovingIn: a.in, MovingOut: a.out}
		if ul := b.orgLicense(name); ul != nil && ul.TotalLicenses >= 0 && ul.UsedLicenses >= 0 {
			total, used := ul.TotalLicenses, ul.UsedLicenses
			after := used - a.out + a.in
			lc.Total, lc.Used, lc.After = &total, &used, &after
			if after > total && a.in > 0 {
				lc.Shortfall = after - total
			}
		}
		b.plan.Licenses = append(b.plan.Licenses, lc)
	}
	for i, seen := range b.catSeen {
		if seen {
			add(b.table.Catalog.Licenses[i].Name, &b.catAgg[i])
		}
	}
	for name, a := range b.otherAgg {
		add(name, a)
	}
	slices.SortFunc(b.plan.Licenses, func(x, y LicenseCapacity) int { return strings.Compare(x.License, y.License) })
	for _, lc := range b.plan.Licenses {
		if lc.Shortfall > 0 {
			b.planWarn = append(b.planWarn, Warning{Code: rules.LicenseCapacity, License: lc.License, Message: fmt.Sprintf(
				"%s: %d users move in and %d move out, but only %d of %d seats are free: short by %d. Buy seats or free them before the convert phase.",
				lc.License, lc.MovingIn, lc.MovingOut, *lc.Total-*lc.Used, *lc.Total, lc.Shortfall)})
		}
	}
}

func (b *builder) orgLicense(name string) *org.UserLicense {
	if l := b.license(name); l != nil {
		return b.userLic[l]
	}
	for i := range b.snap.Licenses {
		if strings.EqualFold(b.snap.Licenses[i].Name, name) {
			return &b.snap.Licenses[i]
		}
	}
	return nil
}

// finish fills the summary, rules used, plan-level warnings and notes.
func (b *builder) finish() {
	p := b.plan
	s := Summary{
		Users:    len(b.dec),
		Outcomes: make(map[string]int, len(rules.Outcomes)),
		Warnings: map[string]int{},
	}
	for _, n := range b.stepCount {
		s.Steps += n
	}
	s.NoTarget = b.noTarget
	p.Targets = []TargetUse{}
	for i, n := range b.targetUses {
		p.Targets = append(p.Targets, TargetUse{Source: b.targetSrcs[i], Users: n})
	}
	for _, o := range rules.Outcomes {
		s.Outcomes[o.String()] = b.outcomeUses[o]
	}
	s.NewUserRecords = b.outcomeUses[rules.DisableReenable] + b.outcomeUses[rules.Recreate]
	count := func(ws []Warning, n int) {
		if n == 0 {
			return
		}
		for _, w := range ws {
			s.Warnings[string(w.Code)] += n
			if w.Code == rules.Irreversible {
				s.IrreversibleChanges += n
			}
		}
	}
	for id, n := range b.listUsers {
		count(b.lists[id], n)
	}
	for mask, n := range b.maskUsers {
		for _, c := range maskCodes(uint8(mask)) {
			count([]Warning{{Code: c}}, n)
		}
	}
	for id, n := range b.profUsers {
		count(b.profWarns[id:id+1], n)
	}
	for id, n := range b.permUsers {
		count(b.permLists[id], n)
	}
	for _, w := range b.planWarn {
		s.Warnings[string(w.Code)]++
	}
	for _, a := range p.Accounts {
		if a.EnablePartnerStep > 0 {
			s.PartnerAccountsToEnable++
		}
		s.RolesCreated += len(a.RolesCreated)
	}
	for _, lc := range p.Licenses {
		if lc.Shortfall > 0 {
			s.LicensesShort++
		}
	}
	p.Summary = s

	p.Rules = []RuleUse{}
	for i, n := range b.ruleUse {
		if n == 0 {
			continue
		}
		r := b.table.Lookup(b.table.Catalog.Licenses[i/len(b.table.Catalog.Licenses)], b.table.Catalog.Licenses[i%len(b.table.Catalog.Licenses)])
		p.Rules = append(p.Rules, RuleUse{
			ID: r.ID, From: r.From.Name, To: r.To.Name, Outcome: r.Outcome,
			Source: r.Source.String(), Explanation: r.Explanation(), Conflict: r.Conflict, Users: n,
		})
	}
	slices.SortFunc(p.Rules, func(x, y RuleUse) int {
		return cmp.Or(strings.Compare(x.ID, y.ID), strings.Compare(x.From, y.From), strings.Compare(x.To, y.To))
	})
	p.Warnings = b.planWarn
	if p.Warnings == nil {
		p.Warnings = []Warning{}
	}
	p.Notes = b.notes
	if p.Notes == nil {
		p.Notes = []string{}
	}
	p.Users = Users{}
	p.Steps = Steps{}
}
