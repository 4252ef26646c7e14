package planner

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
)

// accountsAndLicenses builds the per-account and per-license tables.
// Accounts are aggregated by their rank (users are grouped by account) and
// catalog licenses by index, so no per-user map lookups are needed.
func (b *builder) accountsAndLicenses() {
	type licAgg struct{ in, out int }
	nCat := len(b.table.Catalog.Licenses)
	catAgg := make([]licAgg, nCat)
	catSeen := make([]bool, nCat)
	other := map[string]*licAgg{} // licenses outside the catalog
	lic := func(name string) *licAgg {
		if l := b.license(name); l != nil {
			catSeen[l.Index] = true
			return &catAgg[l.Index]
		}
		a := other[name]
		if a == nil {
			a = &licAgg{}
			other[name] = a
		}
		return a
	}
	accts := make([]AccountPlan, len(b.acctInfo))
	for r := range b.acctInfo {
		info := &b.acctInfo[r]
		a := &accts[r]
		a.AccountID, a.AccountName, a.RolesCreated = info.id, info.name, []string{}
		if info.acct != nil {
			a.IsPartner = info.acct.IsPartner.String()
			a.OwnerHasRole = info.acct.OwnerHasRole.String()
		}
		a.EnablePartnerStep = b.partnerSeq[info.id]
	}
	var lastFrom string
	var lastAgg *licAgg
	for i := range b.plan.Users {
		up := &b.plan.Users[i]
		if up.FromLicense != lastFrom || lastAgg == nil {
			lastFrom, lastAgg = up.FromLicense, lic(up.FromLicense)
		}
		if up.Outcome.IsChange() {
			lastAgg.out++
			lic(up.ToLicense).in++
		}
		if up.AccountID == "" {
			continue
		}
		a := &accts[b.rank[i]]
		if a.IsPartner == "" && b.acctInfo[b.rank[i]].acct == nil {
			a.IsPartner = b.snap.Users[b.order[i]].AccountIsPartner.String()
		}
		a.Users++
		if up.Outcome.IsChange() {
			a.Changing++
		}
		if d := &b.dec[i]; d.rule != nil && up.HasWarning(rules.RoleCreated) {
			if role := lowestRole(up.AccountName, d.rule.To); !slices.Contains(a.RolesCreated, role) {
				a.RolesCreated = append(a.RolesCreated, role)
			}
		}
	}
	b.plan.Accounts = make([]AccountPlan, 0, len(accts))
	for _, a := range accts {
		if a.AccountID != "" {
			slices.Sort(a.RolesCreated)
			b.plan.Accounts = append(b.plan.Accounts, a)
		}
	}

	// Licenses: every license a user has or moves to, and every license the
	// org reports.
	for _, ul := range b.snap.Licenses {
		lic(ul.Name)
	}
	b.plan.Licenses = make([]LicenseCapacity, 0, nCat+len(other))
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
	for i, seen := range catSeen {
		if seen {
			add(b.table.Catalog.Licenses[i].Name, &catAgg[i])
		}
	}
	for name, a := range other {
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
		Users:    len(p.Users),
		Outcomes: make(map[string]int, len(rules.Outcomes)),
		Steps:    len(p.Steps),
		Warnings: map[string]int{},
	}
	for _, o := range rules.Outcomes {
		s.Outcomes[o.String()] = 0
	}
	for i := range p.Users {
		up := &p.Users[i]
		s.Outcomes[up.Outcome.String()]++
		for _, w := range up.Warnings {
			s.Warnings[string(w.Code)]++
			if w.Code == rules.Irreversible {
				s.IrreversibleChanges++
			}
		}
		if up.Outcome == rules.DisableReenable || up.Outcome == rules.Recreate {
			s.NewUserRecords++
		}
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

	p.Rules = make([]RuleUse, 0, len(b.ruleUse))
	for r, n := range b.ruleUse {
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
	if p.Users == nil {
		p.Users = []UserPlan{}
	}
	if p.Steps == nil {
		p.Steps = []Step{}
	}
}
