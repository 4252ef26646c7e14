package planner

import (
	"fmt"

	"github.com/licenseplan/licenseplan/rules"
)

// The texts of a user's warnings. Each function here depends only on its
// arguments.

// ruleWarnings returns the warnings that depend only on rule r (and on
// whether the user is inactive), ordered by severity.
func ruleWarnings(r *rules.Rule, inactive bool) []Warning {
	to := r.To
	var ws []Warning
	add := func(c rules.Code, msg string) {
		if msg == "" {
			msg = c.Message()
		}
		ws = append(ws, Warning{Code: c, Message: msg})
	}
	for _, c := range r.Warnings {
		switch c {
		case rules.NoConversionPath:
			msg := fmt.Sprintf("No supported path from %s to %s (rule %s)", r.From.Name, r.To.Name, r.ID)
			if r.Message != "" {
				msg += fmt.Sprintf("; Salesforce says: \"%s\"", r.Message)
			}
			add(c, msg+". Deactivate the user, create a new user identity, migrate the data and associate it with the new user record.")
		case rules.Irreversible:
			add(c, fmt.Sprintf("Upgrading from %s to %s, a license that requires a role, is irreversible.", r.From.Name, r.To.Name))
		case rules.FunctionalityLoss:
			add(c, fmt.Sprintf("Switching from %s to %s results in a loss of functionality (%s).", r.From.Name, r.To.Name, r.Source))
		case rules.GroupMembership:
			group := "All Customer Portal Users"
			if to.Kind == rules.Partner {
				group = "All Partner Users"
			}
			add(c, fmt.Sprintf("The user joins the %s public group.", group))
		case rules.ScaleLimit:
			add(c, fmt.Sprintf("%s supports %s users; %s supports %s.", to.Name, millions(to.ScaleLimit), r.From.Name, millions(r.From.ScaleLimit)))
		default:
			add(c, "")
		}
	}
	if inactive {
		add(rules.InactiveUser, "The user is inactive; planned because inactive users were included.")
	}
	sortWarnings(ws)
	return ws
}

// accountWarnings appends to ws the warnings of the conditions in mask for
// a user of account info moving to license to.
func accountWarnings(ws []Warning, info *acctInfo, to *rules.License, mask uint8) []Warning {
	// The messages are concatenated rather than formatted: they are made
	// each time a user is read.
	acct := quoteName(info.name)
	if mask&condPartner != 0 {
		msg := "Account " + acct + " must be enabled as a partner account before the user becomes a " + to.Name + " user (a partner account can hold customer and partner users, so customer users on it are not affected)."
		if info.acct == nil || !info.acct.IsPartner.Known() {
			msg = "Account " + acct + " may not be a partner account (Account.IsPartner is unknown): make sure it is one before the user becomes a " + to.Name + " user."
		}
		ws = append(ws, Warning{Code: rules.PartnerAccountRequired, AccountID: info.id, Message: msg})
	}
	if mask&condOwnerNoRole != 0 {
		ws = append(ws, Warning{Code: rules.AccountOwnerNoRole, AccountID: info.id, Message: "The owner of account " + acct + " has no role: the plan gives the owner one first (assign_owner_role), or Salesforce refuses (\"portal account owner must have a role\")."})
	}
	if mask&condRoleRequired != 0 {
		ws = append(ws, Warning{Code: rules.RoleRequired, Message: to.Name + " requires a role: unless you give one, the user gets the lowest role of the account, \"" + lowestRole(info.name, to) + "\"."})
	}
	if mask&condRoleCreated != 0 {
		ws = append(ws, Warning{Code: rules.RoleCreated, AccountID: info.id, Message: "Account " + acct + " has no " + portalWord(to) + " roles yet: Salesforce creates them (lowest \"" + lowestRole(info.name, to) + "\") when the first user is enabled, and they cannot be renamed. Consider account role optimization."})
	}
	if mask&condNoContact != 0 {
		ws = append(ws, Warning{Code: rules.NoContact, Message: "The user has no contact, and " + to.Name + " needs one: link the user to a contact (set ContactId) or create one on the right account first."})
	}
	return ws
}

// sortWarnings sorts ws by severity rank, stably. Lists are short, so an
// insertion sort over ranks looked up once per warning beats a sort that
// looks up two ranks per comparison.
func sortWarnings(ws []Warning) {
	var buf [16]int
	rank := buf[:0]
	for i := range ws {
		rank = append(rank, ws[i].Code.Rank())
	}
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && rank[j-1] > rank[j]; j-- {
			rank[j-1], rank[j] = rank[j], rank[j-1]
			ws[j-1], ws[j] = ws[j], ws[j-1]
		}
	}
}

func quoteName(s string) string {
	if s == "" {
		return "(no account)"
	}
	return `"` + s + `"`
}

func portalWord(l *rules.License) string {
	if l.Kind == rules.Partner {
		return "partner"
	}
	return "customer"
}

// lowestRole is the name Salesforce gives the lowest portal role of an
// account: "<Account Name> Customer User" or "<Account Name> Partner User".
func lowestRole(account string, l *rules.License) string {
	if l.Kind == rules.Partner {
		return account + " Partner User"
	}
	return account + " Customer User"
}

func millions(n int64) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%d million", n/1_000_000)
	}
	return fmt.Sprint(n)
}
