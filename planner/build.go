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
	// OwnerRoles gives the role (a UserRole Id) that the plan's
	// assign_owner_role step gives the owner of an account who has none,
	// by account Id; the key OwnerRoleAll ("*") covers every account not
	// named. An account with no entry gets a step whose role the admin
	// chooses. Build does not check the Ids: the config does.
	OwnerRoles map[string]string
}

// Build plans every user of snap. tg may be nil (nobody has a target).
// It runs the stages doc.go describes.
func Build(snap *org.Snapshot, table *rules.Table, tg *targets.Set, opts Options) *Plan {
	p, _ := runStages(snap, table, tg, opts, true)
	return p
}

// Summarize is Build without the users' steps: it decides every user as
// Build does and returns the same Overview, but lays out no step, which
// saves most of the time and memory of a large plan.
func Summarize(snap *org.Snapshot, table *rules.Table, tg *targets.Set, opts Options) *Overview {
	_, o := runStages(snap, table, tg, opts, false)
	return o
}

// runStages runs the stages; the users' steps are laid out only when full.
func runStages(snap *org.Snapshot, table *rules.Table, tg *targets.Set, opts Options, full bool) (*Plan, *Overview) {
	// 1. Resolve: the users in plan order, and the lookups of their
	// licenses, targets and profiles.
	pop := resolveUsers(snap)
	lk := newLookups(snap, table, tg)
	// 2. Decide: a decision per user.
	sh := newShared()
	ds := decide(pop, lk, sh, snap, tg, opts)
	// 3. Accounts: partner accounts to enable, owners to give a role,
	// roles created.
	acc := planAccounts(pop, ds, table, opts.OwnerRoles, snap.Roles, snap.Has.Roles)
	// 4. Layout: steps per phase, and for a full plan their seqs.
	steps := countSteps(ds, sh, acc)
	// 5. Tally: licenses, rules, warnings and the summary.
	o := newOverview(snap, table, tg, opts)
	o.Targets = targetUses(ds.targets)
	o.Accounts = acc.list
	licenses, capacityWarnings := licenses(pop, ds, lk)
	o.Licenses = licenses
	o.Warnings = nonNilList(slices.Concat(capacityWarnings, completenessWarnings(snap)))
	o.Notes = nonNilList(slices.Concat(inputNotes(snap.Has), ds.notes, acc.notes))
	o.Rules = rulesUsed(table, ds.ruleUse)
	o.Summary = summarize(ds, sh, o, steps)
	if !full {
		return nil, o
	}
	t := layout(pop, ds, sh, acc, lk, steps)
	p := &Plan{Overview: *o, Users: Users{t: t}, Steps: Steps{t: t}}
	return p, &p.Overview
}

// newOverview returns an overview with its source filled in from opts and
// the snapshot.
func newOverview(snap *org.Snapshot, table *rules.Table, tg *targets.Set, opts Options) *Overview {
	p := &Overview{
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
		}
		p.Source.Org = info
	}
	var isSandbox *bool
	if p.Source.Org != nil {
		isSandbox = p.Source.Org.IsSandbox
	}
	p.Source.Environment = SourceEnvironment(p.Source.Kind, isSandbox)
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
