package planner

import (
	"fmt"

	"github.com/licenseplan/licenseplan/rules"
)

// layout writes out the users' UserPlans and the numbered steps from the
// decisions. Phase sizes were counted by tally, so every step is written
// once at its final position and dependsOn can name seqs directly.
func (b *builder) layout() {
	users := b.snap.Users
	cat := b.table.Catalog.Licenses
	var next [4]int
	total := 0
	for _, p := range Phases {
		next[p] = total + 1
		total += b.stepCount[p]
	}
	nDeps := 0
	for i, n := range b.recipeUses {
		for _, t := range b.recipeList[i] {
			nDeps += n * len(t.deps)
		}
	}
	steps := make([]Step, total)
	seqArena := make([]int, 0, total-b.stepCount[Prepare])
	depArena := make([]int, 0, nDeps)
	noDeps := []int{}

	// Prepare: one enable_partner_account step per account, in account
	// order (by name, then Id).
	for r, seq := range b.partnerSeq {
		if seq == 0 {
			continue
		}
		info := &b.acctInfo[r]
		steps[seq-1] = Step{
			Seq: seq, Phase: Prepare, Action: EnablePartnerAccount, AccountID: info.id,
			Description: fmt.Sprintf("Enable account \"%s\" as a partner account (set Account.IsPartner = true) before its users move to a partner license.", info.name),
			DependsOn:   noDeps, Reversible: true, RuleID: b.partnerBy[r],
		}
	}
	next[Prepare] += b.stepCount[Prepare]

	b.plan.Users = make([]UserPlan, len(b.dec))
	var local [8]int
	for pi := range b.dec {
		d := &b.dec[pi]
		u := &users[b.order[pi]]
		rank := b.rank[pi]
		up := &b.plan.Users[pi]
		*up = UserPlan{
			UserID: u.ID, Username: u.Username, Name: u.Name,
			AccountID: u.AccountID, AccountName: b.acctInfo[rank].name,
			FromLicense: u.License, ToLicense: u.License,
			FromProfile: u.ProfileName, ToProfile: u.ProfileName,
			Outcome: d.outcome,
			Steps:   noSteps, Warnings: b.lists[d.warn],
		}
		if d.from >= 0 {
			up.FromLicense = cat[d.from].Name
			up.ToLicense = up.FromLicense
		}
		if d.toLic >= 0 {
			up.ToLicense = b.strs[d.toLic]
		}
		if d.toProf >= 0 {
			up.ToProfile = b.strs[d.toProf]
		}
		if d.rule != nil {
			up.RuleID = d.rule.ID
		}
		tmpl := b.steps(d)
		if len(tmpl) == 0 {
			continue
		}
		start := len(seqArena)
		for j, t := range tmpl {
			seq := next[t.phase]
			next[t.phase]++
			local[j] = seq
			seqArena = append(seqArena, seq)
			depStart := len(depArena)
			for _, dep := range t.deps {
				if dep == partnerDep {
					depArena = append(depArena, b.partnerSeq[rank])
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
