package planner

import (
	"github.com/licenseplan/licenseplan/rules"
	"slices"
)

// stepTmpl is one step of a user's recipe before seqs are known.
type stepTmpl struct {
	phase      Phase
	action     Action
	deps       []int // indices of earlier templates; partnerDep is the account's enable step
	reversible bool
}

const partnerDep = -1

// recipe returns the steps a user taking rule r with outcome o (r's own, or
// ChangeProfile for rule SAME) needs. needsPartner: the account must be
// enabled as a partner account first; removesAccess: the user has
// permission sets or permission set licenses that the change removes.
// (An account's assign_owner_role step is not in the recipe: every step on
// the account depends on it, see stepTable.step.)
func recipe(r *rules.Rule, o rules.Outcome, needsPartner, removesAccess bool) []stepTmpl {
	var out []stepTmpl
	add := func(p Phase, a Action, reversible bool, deps ...int) int {
		out = append(out, stepTmpl{phase: p, action: a, deps: deps, reversible: reversible})
		return len(out) - 1
	}
	partner := func(deps ...int) []int {
		if needsPartner {
			return append([]int{partnerDep}, deps...)
		}
		return deps
	}
	switch o {
	case rules.ChangeProfile:
		add(Convert, ChangeProfile, true)
	case rules.ChangeInPlace:
		change := add(Convert, ChangeLicense, !r.Irreversible, partner()...)
		if removesAccess {
			add(FollowUp, ReassignPermissionSets, true, change)
		}
	case rules.DisableReenable, rules.Recreate:
		// Disabling an external user breaks its link to the contact for
		// good; an internal user can be reactivated.
		var off int
		if r.From.Kind.External() {
			off = add(RecreatePhase, DisableUser, false)
		} else {
			off = add(RecreatePhase, DeactivateUser, true)
		}
		create := add(RecreatePhase, CreateUser, false, partner(off)...)
		add(FollowUp, TransferRecords, true, create)
		if removesAccess {
			add(FollowUp, ReassignPermissionSets, true, create)
		}
	}
	return out
}

// OutlineStep describes one step of a rule's recipe, for `rules explain`.
type OutlineStep struct {
	Phase      Phase
	Action     Action
	DependsOn  []int // 1-based positions in the outline
	Reversible bool
	// Conditional says when the step appears ("" when always).
	Conditional string
}

// Outline returns the steps a user taking rule r gets, assuming the account
// is not yet a partner account, its owner has no role, and the user has
// permission sets.
func Outline(r *rules.Rule) []OutlineStep {
	tmpl := recipe(r, r.Outcome, r.PartnerAccount, r.Outcome != rules.ChangeInPlace || r.Upgrade)
	var out []OutlineStep
	var pre []int // 1-based positions of the account steps every step depends on
	// As conditions gives condOwnerNoRole: a role-based target, or a new
	// user for the contact.
	if slices.Contains(r.MayWarn, rules.AccountOwnerNoRole) && (r.To.RequiresRole || r.Outcome != rules.ChangeInPlace) && len(tmpl) > 0 {
		out = append(out, OutlineStep{Phase: Prepare, Action: AssignOwnerRole, Reversible: true,
			Conditional: "when the account owner has no role (one step per account; the role comes from owner-roles)"})
		pre = append(pre, len(out))
	}
	partnerPos := 0
	if r.PartnerAccount && len(tmpl) > 0 {
		out = append(out, OutlineStep{Phase: Prepare, Action: EnablePartnerAccount, Reversible: true, DependsOn: slices.Clone(pre),
			Conditional: "when the account is not a partner account yet (one step per account)"})
		partnerPos = len(out)
	}
	shift := len(out)
	for _, t := range tmpl {
		s := OutlineStep{Phase: t.phase, Action: t.action, Reversible: t.reversible, DependsOn: slices.Clone(pre)}
		for _, d := range t.deps {
			if d == partnerDep {
				s.DependsOn = append(s.DependsOn, partnerPos)
			} else {
				s.DependsOn = append(s.DependsOn, d+1+shift)
			}
		}
		if t.action == ReassignPermissionSets {
			s.Conditional = "when the user has permission sets or permission set licenses"
		}
		out = append(out, s)
	}
	return out
}
