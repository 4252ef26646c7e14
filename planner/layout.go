package planner

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/rules"
)

// layout turns decisions into numbered steps. Phase sizes are counted first,
// so every step is written once at its final position and dependsOn can
// name seqs directly.
func (b *builder) layout() {
	// Prepare: one enable_partner_account step per account, by name then Id.
	accts := make([]string, 0, len(b.partnerSeq))
	for id := range b.partnerSeq {
		accts = append(accts, id)
	}
	// Account names: Account.csv first, else the name on the users' rows
	// (one pass over the users, never one per account).
	names := make(map[string]string, len(accts))
	for _, id := range accts {
		names[id] = ""
		if a := b.accounts[id]; a != nil {
			names[id] = a.Name
		}
	}
	for i := range b.plan.Users {
		up := &b.plan.Users[i]
		if n, need := names[up.AccountID]; need && n == "" {
			names[up.AccountID] = up.AccountName
		}
	}
	slices.SortFunc(accts, func(x, y string) int {
		return cmp.Or(strings.Compare(names[x], names[y]), strings.Compare(x, y))
	})

	var count [4]int
	count[Prepare] = len(accts)
	nDeps := 0
	for i := range b.dec {
		for _, t := range b.steps(&b.dec[i]) {
			count[t.phase]++
			nDeps += len(t.deps)
		}
	}
	var next [4]int
	total := 0
	for _, p := range Phases {
		next[p] = total + 1
		total += count[p]
	}
	steps := make([]Step, total)
	seqArena := make([]int, 0, total-count[Prepare])
	depArena := make([]int, 0, nDeps)
	noDeps := []int{}

	for _, id := range accts {
		seq := next[Prepare]
		next[Prepare]++
		b.partnerSeq[id] = seq
		steps[seq-1] = Step{
			Seq: seq, Phase: Prepare, Action: EnablePartnerAccount, AccountID: id,
			Description: fmt.Sprintf("Enable account \"%s\" as a partner account (set Account.IsPartner = true) before its users move to a partner license.", names[id]),
			DependsOn:   noDeps, Reversible: true, RuleID: b.partnerBy[id],
		}
	}

	var local [8]int
	for i := range b.dec {
		d := &b.dec[i]
		tmpl := b.steps(d)
		if len(tmpl) == 0 {
			continue
		}
		up := &b.plan.Users[i]
		start := len(seqArena)
		for j, t := range tmpl {
			seq := next[t.phase]
			next[t.phase]++
			local[j] = seq
			seqArena = append(seqArena, seq)
			depStart := len(depArena)
			for _, dep := range t.deps {
				if dep == partnerDep {
					depArena = append(depArena, b.partnerSeq[up.AccountID])
				} else {
					depArena = append(depArena, local[dep])
				}
			}
			steps[seq-1] = Step{
				Seq: seq, Phase: t.phase, Action: t.action,
				UserID: up.UserID, AccountID: up.AccountID,
				Description: b.describe(t.action, d.rule, up.ToProfile),
				DependsOn:   depArena[depStart:len(depArena):len(depArena)],
				Reversible:  t.reversible,
				RuleID:      d.rule.ID,
			}
		}
		up.Steps = seqArena[start:len(seqArena):len(seqArena)]
	}
	b.plan.Steps = steps
}

// steps returns the recipe of a decision (nil when it has none).
func (b *builder) steps(d *decision) []stepTmpl {
	if d.recipe < 0 {
		return nil
	}
	return b.recipeList[d.recipe]
}

// describe returns the step description; descriptions depend only on the
// action, the licenses and the profile, so they are built once and shared.
func (b *builder) describe(a Action, r *rules.Rule, profile string) string {
	k := descKey{action: a, from: r.From, to: r.To, profile: profile}
	if s, ok := b.descCache[k]; ok {
		return s
	}
	prof := "a profile of " + r.To.Name
	if profile != "" {
		prof = fmt.Sprintf("profile \"%s\"", profile)
	}
	var s string
	switch a {
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
	b.descCache[k] = s
	return s
}
