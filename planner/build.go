package planner

import (
	"slices"
	"time"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// Options tune a planning run.
type Options struct {
	// IncludeInactive plans inactive users instead of skipping them.
	IncludeInactive bool
	// Now is the plan's GeneratedAt (inject a fixed time in tests).
	Now time.Time
	// Source is copied into the plan.
	Source Source
	// SummaryOnly decides every user as a full plan does but leaves Users
	// and Steps empty: Summary (Steps included), Accounts, Licenses, Rules,
	// Warnings and Notes are those of the full plan, computed by the same
	// code. It is for outputs that show only those, such as the terminal
	// summary, and saves most of the memory of a large plan. Such a plan
	// is not a plan.json: do not write or fingerprint it.
	SummaryOnly bool
}

// Build plans every user of snap. tg may be nil (nobody has a target).
// It runs the stages doc.go describes.
func Build(snap *org.Snapshot, table *rules.Table, tg *targets.Set, opts Options) *Plan {
	// 1. Resolve: the users in plan order, and the lookups of their
	// licenses, targets and profiles.
	pop := resolveUsers(snap)
	lk := newLookups(snap, table, tg)
	// 2. Decide: a decision per user.
	sh := newShared()
	ds := decide(pop, lk, sh, snap, tg, opts)
	// 3. Accounts: partner accounts to enable, roles created.
	acc := planAccounts(pop, ds, table)
	// 4. Layout: steps per phase, and for a full plan their seqs.
	steps := countSteps(ds, sh, acc)
	// 5. Tally: licenses, rules, warnings and the summary.
	p := newPlan(snap, table, tg, opts)
	p.Targets = targetUses(ds.targets)
	p.Accounts = acc.list
	licenses, capacityWarnings := licenses(pop, ds, lk)
	p.Licenses = licenses
	p.Warnings = nonNilList(slices.Concat(capacityWarnings, completenessWarnings(snap)))
	p.Notes = nonNilList(slices.Concat(inputNotes(snap.Has), ds.notes))
	p.Rules = rulesUsed(table, ds.ruleUse)
	p.Summary = summarize(ds, sh, p, steps)
	if !opts.SummaryOnly {
		t := layout(pop, ds, sh, acc, table, steps)
		p.Users, p.Steps = Users{t: t}, Steps{t: t}
	}
	return p
}

// newPlan returns a plan with no users yet, its source filled in from opts
// and the snapshot.
func newPlan(snap *org.Snapshot, table *rules.Table, tg *targets.Set, opts Options) *Plan {
	p := &Plan{
		SchemaVersion: SchemaVersion,
		GeneratedAt:   opts.Now.UTC(),
		Source:        opts.Source,
	}
	if p.Source.Files == nil {
		p.Source.Files = nonNilList(slices.Clone(snap.Files))
	}
	if p.Source.Org == nil && snap.Organization != nil {
		o := snap.Organization
		info := &OrgInfo{ID: o.ID, Name: o.Name, OrganizationType: o.OrganizationType, InstanceName: o.InstanceName}
		if o.IsSandbox.Known() {
			v := o.IsSandbox.IsTrue()
			info.IsSandbox = &v
			info.Production = !v
		}
		p.Source.Org = info
	}
	if tg != nil && p.Source.Targets == "" {
		p.Source.Targets = tg.Describe
	}
	if p.Source.RulesVersion == "" {
		p.Source.RulesVersion = table.Version
	}
	return p
}

// inputNotes says which optional inputs were missing and what the plan
// could not check without them.
func inputNotes(h org.Presence) []string {
	var notes []string
	note := func(ok bool, s string) {
		if !ok {
			notes = append(notes, s)
		}
	}
	note(h.AccountIsPartner, "Account.IsPartner was not in the input (the field exists only in orgs with partner licenses): partner status is unknown, so every account that a user moves to a partner license on gets an enable-as-partner step; skip it where the account is already a partner account.")
	note(h.Accounts && h.AccountOwnerRole, "Account.csv with Owner.UserRoleId was not in the input: account owners' roles were not checked (the portal account owner must have a role).")
	note(h.Roles, "UserRole.csv was not in the input: existing portal roles were inferred from users' roles.")
	note(h.Licenses, "UserLicense.csv was not in the input: license capacity is unknown.")
	note(h.Profiles, "Profile.csv was not in the input: target profiles were not checked and none could be chosen.")
	note(h.PermissionSets, "PermissionSetAssignment.csv was not in the input: permission sets the change removes were not named.")
	note(h.ObjectPermissions, "ObjectPermissions.csv was not in the input: View All / Modify All Records were not checked.")
	note(h.PermissionSetLicenses, "PermissionSetLicenseAssign.csv was not in the input: permission set licenses the change removes were not named.")
	return notes
}
