package load

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
)

// SFVersion is the Salesforce CLI whose --help the commands in README.md
// were checked against (and which accepted them, failing only on the
// missing org alias).
const SFVersion = "@salesforce/cli 2.146.3"

// sfCommand is the Salesforce CLI command that loads f. Both commands use
// Bulk API 2.0 and wait up to --wait minutes. --line-ending LF is given
// because encoding/csv writes LF and sf assumes CRLF on Windows.
func sfCommand(f *File) string {
	verb := "update"
	if f.Operation == Insert {
		verb = "import"
	}
	return fmt.Sprintf("sf data %s bulk --sobject %s --file %s --line-ending LF --wait 30 --target-org ALIAS", verb, f.Object, f.Name)
}

// checks says what to check after f has run, before the next file.
var checks = map[string]string{
	FileOwnerRole: "each owner has the role (`sf data query --query \"SELECT Id, UserRoleId FROM User WHERE Id IN (...)\"`); the later files fail on these owners' accounts without it (\"portal account owner must have a role\"). The role can be removed again later.",
	FileAccounts:  "every account shows IsPartner = true (Account list view or `sf data query --query \"SELECT Id, IsPartner FROM Account WHERE Id IN (...)\"`); 02 and 04 move users to partner licenses on these accounts and fail without it.",
	FileInPlace:   "each user's profile and license are the target ones (a profile change keeps the license). A role-based upgrade (Customer Community Plus, Partner Community) gives the user a role on the account, creates the account's portal roles when it has none, and removes the user's permission sets and permission set licenses; it cannot be undone.",
	FileDisable:   "each user is inactive, has no contact and a renamed username (Salesforce frees the old one). Disabling cannot be undone: the contact's next user is a new record.",
	FileCreate:    "each contact has one active user of the target profile. Note the new users' Ids: ownership transfer and permission sets (not-loaded.csv) need them.",
	FilePSL:       "each user has the permission set licenses again (`sf data query --query \"SELECT AssigneeId, PermissionSetLicenseId FROM PermissionSetLicenseAssign WHERE AssigneeId IN (...)\"`). A permission set in 06 may need one of them, so 06 waits for this file.",
	FilePS:        "each user has the permission sets again (`sf data query --query \"SELECT AssigneeId, PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId IN (...)\"`). A row Salesforce refuses with \"The user license doesn't allow the permission\" names a permission the target license lacks: leave that permission set off, or choose one of the target license.",
}

// writeReadme writes README.md: the order, the command for each file,
// what to check between files, what was left out and why. It names no org
// data but Ids and the file names, so it needs no escaping.
func writeReadme(w io.Writer, p *planner.Plan, s *Set) error {
	b := bufio.NewWriter(w)
	pr := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	pr("# Load files\n\n")
	pr("Plan %s, made %s, for %s.\n\n", p.Fingerprint, p.GeneratedAt.Format("2006-01-02 15:04:05 UTC"), environmentText(p.Source.Environment))
	if p.Source.Environment == org.EnvProduction {
		pr("**This plan is for a production org.** Rehearse it on a sandbox first (`licenseplan apply` refuses production unless told).\n\n")
	}
	pr("Run the files in the order below, each after the one before it has finished and been checked. ")
	pr("Each is a CSV file (UTF-8, LF line endings) that Data Loader and the Salesforce CLI load as is; the commands were checked against %s. ", SFVersion)
	pr("Replace ALIAS with the org's alias (`sf org list`). Nothing here has been written to the org: `licenseplan plan` only reads.\n\n")

	pr("| Order | File | Object | Operation | Rows | Command |\n|---|---|---|---|---|---|\n")
	// A file's order is the number its name begins with (00 first).
	for _, f := range s.Files {
		if len(f.Rows) == 0 {
			pr("| %s | %s | %s | %s | 0 | nothing to do |\n", order(f), f.Name, f.Object, f.Operation)
			continue
		}
		pr("| %s | %s | %s | %s | %d | `%s` |\n", order(f), f.Name, f.Object, f.Operation, len(f.Rows), sfCommand(f))
	}
	pr("\nWith Data Loader: choose %s or %s on the object, the file, and map each column to the field of the same name (Auto-Match).\n", Update, Insert)

	pr("\n## Between files\n\n")
	for _, f := range s.Files {
		if len(f.Rows) == 0 {
			continue
		}
		pr("- %s. After %s: %s\n", order(f), f.Name, checks[f.Name])
	}
	pr("\nA row that fails (the command prints it, Data Loader writes an error file) stops that user: do not load the user's rows in later files until it is fixed. ")
	pr("`UNABLE_TO_LOCK_ROW` and \"group membership operation already in progress\" clear on a retry; `LICENSE_LIMIT_EXCEEDED` means the target license has no free seats: stop and free or buy seats.\n")

	writeOmitted(pr, s)
	writeNotRestored(pr, p)
	writeNeutralised(pr, s)
	writeLeft(pr, s)
	return b.Flush()
}

func writeOmitted(pr func(string, ...any), s *Set) {
	for _, f := range s.Files {
		if len(f.Omitted) == 0 {
			continue
		}
		var req, opt []string
		for _, o := range f.Omitted {
			if o.Required {
				req = append(req, o.Field)
			} else {
				opt = append(opt, o.Field)
			}
		}
		pr("\n## Columns left out of %s\n\n", f.Name)
		pr("The snapshot the plan was made from did not hold these User fields, so the file leaves them out rather than guess.")
		if len(req) > 0 {
			pr(" **Salesforce requires %s: add the column%s with each user's value before loading, or pull the org again** (`licenseplan query` lists the fields) and plan again.", strings.Join(req, ", "), plural(len(req)))
		}
		if len(opt) > 0 {
			pr(" %s may stay blank: Salesforce makes up a nickname when none is given.", strings.Join(opt, ", "))
		}
		pr("\n")
	}
}

// writeNotRestored counts the permission sets the plan does not give back,
// by reason (plan.json names them per user, under restore.notRestored),
// and says when the snapshot did not let the plan check licenses.
func writeNotRestored(pr func(string, ...any), p *planner.Plan) {
	reasons := map[string]int{}
	unchecked := 0
	for _, u := range p.Users.All() {
		if u.Restore == nil {
			continue
		}
		for _, g := range u.Restore.NotRestored {
			reasons[g.Reason]++
		}
		if !u.Restore.LicenseChecked && len(u.Restore.PermissionSets) > 0 {
			unchecked++
		}
	}
	if len(reasons) == 0 && unchecked == 0 {
		return
	}
	pr("\n## Permission sets not given back\n\n")
	pr("The changes remove these permission sets and %s and %s do not give them back; plan.json names them per user (`users[].restore.notRestored`). Choose what the target license allows instead, if the users need it.\n\n", order(&File{Name: FilePSL}), order(&File{Name: FilePS}))
	for _, r := range slices.Sorted(maps.Keys(reasons)) {
		pr("- %d: %s.\n", reasons[r], r)
	}
	if unchecked > 0 {
		pr("\nFor %d user%s the snapshot did not say which license each permission set needs (PermissionSet.LicenseId): %s holds all of them, and Salesforce refuses those the target license does not allow. Pull the org again to have the plan check them.\n", unchecked, plural(unchecked), FilePS)
	}
}

func writeNeutralised(pr func(string, ...any), s *Set) {
	cells := s.Neutralised()
	if len(cells) == 0 {
		return
	}
	pr("\n## Values written with a leading quote\n\n")
	pr("These values begin with =, +, -, @, a tab or a carriage return. So that a spreadsheet never runs them as a formula, the files hold them with a leading `'`, as plan.csv does. ")
	pr("Data Loader and sf would load the quote as part of the value: remove it from these cells before loading (plan.json has the original values, and `licenseplan apply` loads those).\n\n")
	pr("| File | Line | Field | Step |\n|---|---|---|---|\n")
	const max = 100
	for i, c := range cells {
		if i == max {
			pr("\n…and %d more.\n", len(cells)-max)
			break
		}
		pr("| %s | %d | %s | %d |\n", c.File, c.Line, c.Field, c.Seq)
	}
}

func writeLeft(pr func(string, ...any), s *Set) {
	if len(s.Left) == 0 {
		return
	}
	counts := map[Reason]int{}
	for _, l := range s.Left {
		counts[l.Reason]++
	}
	pr("\n## Steps in no file\n\n")
	pr("%d step%s of the plan are in no load file; %s lists each with its reason:\n\n", len(s.Left), plural(len(s.Left)), FileLeft)
	for r := range Reason(len(reasonTexts)) {
		if n := counts[r]; n > 0 {
			pr("- %d: %s.\n", n, r)
		}
	}
	if counts[NeedsNewUserID] > 0 {
		pr("\nOnce %s has run, find each new user's Id by its username (`sf data query --query \"SELECT Id, Username FROM User WHERE ContactId IN (...) AND IsActive = true\"`), then move the old user's records to it and assign its permission set licenses and permission sets again (plan.json lists them under the user's `restore`), as the plan's steps describe.\n", FileCreate)
	}
}

// order is the number f's name begins with ("00", "01", ...).
func order(f *File) string {
	if i := strings.IndexByte(f.Name, '-'); i > 0 {
		return f.Name[:i]
	}
	return f.Name
}

func environmentText(e org.Environment) string {
	switch e {
	case org.EnvProduction:
		return "a PRODUCTION org"
	case org.EnvSandbox:
		return "a sandbox"
	case org.EnvDemo:
		return "the built-in demo org"
	}
	return "an org that did not say whether it is production or a sandbox"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
