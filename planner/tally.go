package planner

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/rules"
)

// Stage 5, Tally: the summary, the seat arithmetic per license, the rules
// used and the plan-level warnings, all counted from the decisions.

// licenseTally counts the users moving into and out of each license: those
// of the catalog by index, others by name.
type licenseTally struct {
	lk    *lookups
	cat   []licFlow
	seen  []bool
	other map[string]*licFlow
}

type licFlow struct{ in, out int }

// byName returns the counts of the license named name.
func (lt *licenseTally) byName(name string) *licFlow {
	if l := lt.lk.license(name); l != nil {
		lt.seen[l.Index] = true
		return &lt.cat[l.Index]
	}
	a := lt.other[name]
	if a == nil {
		a = &licFlow{}
		lt.other[name] = a
	}
	return a
}

// licenses returns the seat arithmetic of every license a user has or moves
// to and every license the org reports, by name, and a LICENSE_CAPACITY
// warning for each one short of seats.
func licenses(pop *population, ds *decisions, lk *lookups) ([]LicenseCapacity, []Warning) {
	n := len(lk.table.Catalog.Licenses)
	lt := &licenseTally{lk: lk, cat: make([]licFlow, n), seen: make([]bool, n), other: map[string]*licFlow{}}
	for pi := range ds.dec {
		d := &ds.dec[pi]
		var from *licFlow
		if d.from >= 0 {
			lt.seen[d.from] = true
			from = &lt.cat[d.from]
		} else {
			from = lt.byName(pop.users[pop.order[pi]].License)
		}
		if d.outcome.ChangesLicense() {
			from.out++
			lt.seen[d.to] = true
			lt.cat[d.to].in++
		}
	}
	for _, ul := range lk.snap.Licenses {
		lt.byName(ul.Name)
	}
	out := make([]LicenseCapacity, 0, n+len(lt.other))
	for i, seen := range lt.seen {
		if seen {
			out = append(out, capacity(lk, lk.table.Catalog.Licenses[i].Name, &lt.cat[i]))
		}
	}
	for name, a := range lt.other {
		out = append(out, capacity(lk, name, a))
	}
	slices.SortFunc(out, func(x, y LicenseCapacity) int { return strings.Compare(x.License, y.License) })
	var warns []Warning
	for _, lc := range out {
		if lc.Shortfall > 0 {
			warns = append(warns, Warning{Code: rules.LicenseCapacity, License: lc.License, Message: fmt.Sprintf(
				"%s: %d users move in and %d move out, but only %d of %d seats are free: short by %d. Buy seats or free them before the convert phase.",
				lc.License, lc.MovingIn, lc.MovingOut, *lc.Total-*lc.Used, *lc.Total, lc.Shortfall)})
		}
	}
	return out, warns
}

// capacity is the seat arithmetic of license name, when the org reported
// its counts.
func capacity(lk *lookups, name string, a *licFlow) LicenseCapacity {
	lc := LicenseCapacity{License: name, MovingIn: a.in, MovingOut: a.out}
	if ul := lk.orgLicense(name); ul != nil && ul.TotalLicenses >= 0 && ul.UsedLicenses >= 0 {
		total, used := ul.TotalLicenses, ul.UsedLicenses
		after := used - a.out + a.in
		lc.Total, lc.Used, lc.After = &total, &used, &after
		if after > total && a.in > 0 {
			lc.Shortfall = after - total
		}
	}
	return lc
}

// summarize counts the plan's outcomes, warnings and changes. planWarn are
// the plan-level warnings.
func summarize(ds *decisions, sh *shared, p *Overview, steps [len(phaseNames)]int) Summary {
	s := Summary{
		Users:    len(ds.dec),
		Outcomes: make(map[string]int, len(rules.Outcomes)),
		Warnings: map[string]int{},
		NoTarget: ds.targets.noTarget,
	}
	for _, n := range steps {
		s.Steps += n
	}
	// Users with the same warning list, mask or warning are counted
	// together, then each list's codes once.
	outcomes := make([]int, len(rules.Outcomes))
	var masks [condPermissions]int
	lists := make([]int, len(sh.lists))
	profs := make([]int, len(sh.profWarns))
	perms := make([]int, len(sh.permLists))
	for i := range ds.dec {
		d := &ds.dec[i]
		outcomes[d.outcome]++
		lists[d.base]++
		masks[d.mask]++
		if d.profWarn >= 0 {
			profs[d.profWarn]++
		}
		if d.perm >= 0 {
			perms[d.perm]++
		}
	}
	for _, o := range rules.Outcomes {
		s.Outcomes[o.String()] = outcomes[o]
	}
	s.NewUserRecords = outcomes[rules.DisableReenable] + outcomes[rules.Recreate]
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
	for id, n := range lists {
		count(sh.lists[id], n)
	}
	for mask, n := range masks {
		for _, c := range maskCodes(uint8(mask)) {
			count([]Warning{{Code: c}}, n)
		}
	}
	for id, n := range profs {
		count(sh.profWarns[id:id+1], n)
	}
	for id, n := range perms {
		count(sh.permLists[id], n)
	}
	for _, w := range p.Warnings {
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
	return s
}

// rulesUsed lists the rules some user took, by Id, with their provenance.
func rulesUsed(table *rules.Table, ruleUse []int) []RuleUse {
	out := []RuleUse{}
	n := len(table.Catalog.Licenses)
	for i, users := range ruleUse {
		if users == 0 {
			continue
		}
		r := table.Lookup(table.Catalog.Licenses[i/n], table.Catalog.Licenses[i%n])
		out = append(out, RuleUse{
			ID: r.ID, From: r.From.Name, To: r.To.Name, Outcome: r.Outcome,
			Source: r.Source.String(), Cite: r.Source.Citation(), Explanation: r.Explanation(), Conflict: r.Conflict, Users: users,
		})
	}
	slices.SortFunc(out, func(x, y RuleUse) int {
		return cmp.Or(strings.Compare(x.ID, y.ID), strings.Compare(x.From, y.From), strings.Compare(x.To, y.To))
	})
	return out
}

// targetUses says how many users each source of targets gave a target.
func targetUses(t targetTally) []TargetUse {
	out := []TargetUse{}
	for i, n := range t.uses {
		out = append(out, TargetUse{Source: t.sources[i], Users: n})
	}
	return out
}
