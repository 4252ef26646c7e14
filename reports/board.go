package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	orgpkg "github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// What a change board decides on, as plain data: the sign-off fields, the
// summary tiles with what is unknown, the preconditions and blockers, the
// irreversible steps and the rollback position, and the risk register
// ranked by severity times users. report.html's page 1 shows it; it holds
// no HTML, so the Markdown report can show the same.

// SignOff is the change record a plan is approved under. Every field comes
// from the config file or flags (--change-id, --window, --backout,
// --approver); an empty one is printed as a blank field to fill in.
type SignOff struct {
	// ChangeID is the change request's id in the change system.
	ChangeID string
	// Window is the implementation window, as the change record gives it
	// ("2027-01-09 20:00-23:00 UTC").
	Window string
	// Backout is where the backout plan is: a document, ticket or URL.
	Backout string
	// Approvers are the people or roles who sign, one signature line each;
	// with none, the block has two blank lines.
	Approvers []string
}

// boardMaxItems caps every list of page 1 (items of a check, risks), so
// page 1 stays one page whatever the size of the org: the rest is "and N
// more" with a pointer to the appendix.
const (
	boardMaxItems = 3
	boardMaxRisks = 5
)

// Board is page 1 of the report.
type Board struct {
	// Org is the org's name, or what the plan knows of it.
	Org         string
	Env         orgpkg.Environment
	Fingerprint string
	// Tool and Rules are the licenseplan version and rule data version.
	Tool, Rules string
	// Input and Targets say, in words for people, what was read and
	// where the targets came from.
	Input, Targets string
	// Changes is what the plan does, in one sentence.
	Changes string
	Tiles   []Tile
	// Checklist holds the preconditions and blockers, blockers first.
	Checklist []Check
	// Irreversible lists the steps that cannot be undone, by action.
	Irreversible []StepCount
	// Reversible lists the steps that can, by action, with their backout.
	Reversible []StepCount
	// Risks is the risk register: medium and high codes ranked by
	// severity times users affected; Low folds the low codes into one.
	Risks   []Risk
	Low     *Risk
	SignOff SignOff
	// lowCounts are the warning counts of the codes Low folds.
	lowCounts map[rules.Code]int
}

// Tile is one summary figure. Key is the plan.json summary field it
// shows. A tile that is not Known shows "unknown" and Why, never a number
// that reads as "nothing to do".
type Tile struct {
	Key   string
	Label string
	Value int
	Known bool
	// Why says why the value is unknown (the input that was missing);
	// Short says it in a few words ("no UserLicense.csv").
	Why, Short string
	// Tone is "alert", "warn", "good" or "" for a known value, "unknown"
	// otherwise.
	Tone string
}

// CheckState is how far a precondition is met.
type CheckState string

const (
	// Blocker must be done by a person before the window: otherwise
	// Salesforce refuses the change.
	Blocker CheckState = "blocker"
	// Unknown could not be checked: an input was missing.
	Unknown CheckState = "unknown"
	// InPlan is done by steps of the plan itself.
	InPlan CheckState = "in-plan"
	// Clear needs nothing.
	Clear CheckState = "clear"
)

// Check is one precondition or blocker.
type Check struct {
	Key   string // seats, owner-roles, partner-accounts, refused, input
	State CheckState
	Title string
	// Items name what it is about, at most boardMaxItems; More are left
	// to the appendix.
	Items []string
	More  int
}

// StepCount is how many steps of one action the plan has, and what it
// means for rolling back.
type StepCount struct {
	Action planner.Action
	Steps  int
	// Means says what the step does and, for a reversible step, how to
	// back it out.
	Means string
}

// Risk is one line of the risk register.
type Risk struct {
	Code     rules.Code
	Severity rules.Severity
	// Users is how many users carry the code; for a code only the plan
	// as a whole carries (license capacity), the plan-level warnings.
	Users int
	// Warnings is the code's count in the plan's summary.
	Warnings int
	// Score is Severity weight (high 3, medium 2, low 1) times Users.
	Score int
	// Mitigation is the code's advice (rules.Code.Advice).
	Mitigation string
	// Owner is who acts on it ("" to fill in); Status starts "open", or
	// "in plan" where the plan's own steps address it.
	Owner, Status string
	// Codes, on the folded line of low codes, are the codes folded.
	Codes []rules.Code
}

// NewBoard computes page 1 of plan p. users maps a warning code to the
// users who carry it (the HTML report counts them as it reads the users);
// with nil, the summary's warning counts stand in for it.
func NewBoard(p *planner.Plan, users map[rules.Code]int, so SignOff) *Board {
	b := &Board{Env: p.Source.Environment, Fingerprint: p.Fingerprint, Tool: orElse(p.Source.Tool, "licenseplan (version not recorded)"),
		Rules: orElse(p.Source.RulesVersion, "not recorded"), SignOff: so}
	b.Org = boardOrg(p)
	b.Input = inputForPeople(p)
	b.Targets = targetsForPeople(p)
	b.Changes = changesSentence(p.Summary)
	b.Tiles = boardTiles(p)
	b.Checklist = boardChecklist(p)
	b.Irreversible, b.Reversible = boardSteps(p)
	b.risks(p, users)
	return b
}

func boardOrg(p *planner.Plan) string {
	if o := p.Source.Org; o != nil && o.Name != "" {
		return o.Name
	}
	if p.Source.Environment == orgpkg.EnvDemo {
		return "built-in demo org"
	}
	return "unknown org (the input has no Organization record)"
}

// hasFile reports whether the plan's input had the snapshot file name
// ("UserLicense.csv"); a live pull lists objects by the same names.
func hasFile(p *planner.Plan, name string) bool {
	return slices.ContainsFunc(p.Source.Files, func(f string) bool {
		return f == name || f+".csv" == name
	})
}

// inputForPeople says what the plan read, without internals.
func inputForPeople(p *planner.Plan) string {
	switch p.Source.Kind {
	case "demo":
		return "licenseplan's built-in demo org, a simulated org: no real org was read"
	case "org":
		return "read from the org through the Salesforce API (read only)"
	case "snapshot":
		return "a snapshot of the org (exported files), read offline"
	}
	return orElse(p.Source.Kind, "not recorded")
}

// presetNames are the built-in presets in words.
var presetNames = map[string]string{
	"experience-cloud": "the Experience Cloud preset (legacy portal licenses to Experience Cloud)",
}

// targetsForPeople says where the targets came from: "your targets file
// and the Experience Cloud preset", never "targets.csv + preset".
func targetsForPeople(p *planner.Plan) string {
	var srcs []string
	for _, tu := range p.Targets {
		srcs = append(srcs, tu.Source)
	}
	if len(srcs) == 0 && p.Source.Targets != "" {
		srcs = strings.Split(p.Source.Targets, " + ")
	}
	var parts []string
	for _, s := range srcs {
		switch {
		case strings.HasPrefix(s, "demo ") || strings.HasPrefix(s, "targets demo "):
			parts = append(parts, "the demo org's own targets file")
		case strings.HasPrefix(s, "preset "):
			name := strings.TrimPrefix(s, "preset ")
			parts = append(parts, orElse(presetNames[name], "the built-in preset "+name))
		case strings.HasPrefix(s, "targets "):
			parts = append(parts, "your targets file")
		default:
			parts = append(parts, s)
		}
	}
	switch len(parts) {
	case 0:
		return "none: no user has a target"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// changesSentence is what the plan does in one sentence.
func changesSentence(s planner.Summary) string {
	inPlace, reenable, recreate := s.Count(rules.ChangeInPlace), s.Count(rules.DisableReenable), s.Count(rules.Recreate)
	changing := inPlace + reenable + recreate
	if changing == 0 && s.Count(rules.ChangeProfile) == 0 {
		return fmt.Sprintf("Nothing changes: none of the %s users has a license to change.", htmlThousands(s.Users))
	}
	var how []string
	if inPlace > 0 {
		how = append(how, htmlThousands(inPlace)+" on the same user record")
	}
	if reenable > 0 {
		how = append(how, htmlThousands(reenable)+" disabled and enabled again as new users")
	}
	if recreate > 0 {
		how = append(how, htmlThousands(recreate)+" replaced by new users (no supported path)")
	}
	out := fmt.Sprintf("%s of %s users move to another license", htmlThousands(changing), htmlThousands(s.Users))
	if len(how) > 0 {
		out += ": " + strings.Join(how, ", ")
	}
	if n := s.Count(rules.ChangeProfile); n > 0 {
		out += "; " + htmlPlural(n, "user changes", "users change") + " profile only"
	}
	return out + "."
}

// capacityKnown reports whether the seats of every license users move
// onto are known, and if not, why.
func capacityKnown(p *planner.Plan) (bool, string) {
	if !hasFile(p, "UserLicense.csv") {
		return false, "UserLicense.csv was not in the input, so the seats the org owns are not known"
	}
	for _, l := range p.Licenses {
		if l.MovingIn > 0 && l.Total == nil {
			return false, "the seats of " + l.License + " are not in the input"
		}
	}
	return true, ""
}

// partnerKnown reports whether the partner status of every account that
// has users in the plan is known.
func partnerKnown(p *planner.Plan) (bool, string) {
	for _, a := range p.Accounts {
		if a.IsPartner == "" {
			return false, "Account.IsPartner was not in the input (it exists only in orgs with partner licenses): each account that needs to be a partner account gets a step, to be skipped where it already is one"
		}
	}
	return true, ""
}

// ownerRolesKnown reports whether account owners' roles were checked.
func ownerRolesKnown(p *planner.Plan) (bool, string) {
	if len(p.Accounts) > 0 && !hasFile(p, "Account.csv") {
		return false, "Account.csv was not in the input, so account owners' roles were not checked"
	}
	for _, a := range p.Accounts {
		if a.Changing > 0 && a.OwnerHasRole == "" {
			return false, "Account.csv had no Owner.UserRoleId, so account owners' roles were not checked"
		}
	}
	return true, ""
}

func boardTiles(p *planner.Plan) []Tile {
	s := p.Summary
	tile := func(key, label string, n int, tone string) Tile {
		if tone == "alert" || tone == "warn" {
			if n == 0 {
				tone = "good"
			}
		}
		return Tile{Key: key, Label: label, Value: n, Known: true, Tone: tone}
	}
	unknown := func(t Tile, known bool, why, short string) Tile {
		if !known {
			t.Known, t.Why, t.Short, t.Tone = false, why, short, "unknown"
		}
		return t
	}
	capOK, capWhy := capacityKnown(p)
	partnerOK, partnerWhy := partnerKnown(p)
	rolesOK, rolesWhy := true, ""
	if !hasFile(p, "UserRole.csv") {
		rolesOK, rolesWhy = false, "UserRole.csv was not in the input, so the roles that already exist were inferred from users' roles"
	}
	return []Tile{
		tile("users", "Users in scope", s.Users, ""),
		tile("steps", "Steps", s.Steps, ""),
		tile("irreversibleChanges", "Irreversible changes", s.IrreversibleChanges, "alert"),
		tile("newUserRecords", "New user records", s.NewUserRecords, "warn"),
		unknown(tile("licensesShort", "Licenses short of seats", s.LicensesShort, "alert"), capOK, capWhy, "seats not in the input"),
		unknown(tile("partnerAccountsToEnable", "Partner accounts to enable", s.PartnerAccountsToEnable, "warn"), partnerOK, partnerWhy, "partner status not in the input"),
		unknown(tile("rolesCreated", "Roles Salesforce will create", s.RolesCreated, "warn"), rolesOK, rolesWhy, "roles not in the input"),
		tile("noTarget", "Users without a target", s.NoTarget, ""),
		tile("warnings", "Warnings", s.TotalWarnings(), ""),
	}
}

// refusedCodes are the warnings of users whose change Salesforce refuses
// until a person fixes the data (the load fails on them).
var refusedCodes = []rules.Code{rules.NoContact, rules.NoTargetProfile, rules.TargetProfileMismatch}

func boardChecklist(p *planner.Plan) []Check {
	var out []Check
	out = append(out, seatsCheck(p), ownerRolesCheck(p), partnerCheck(p), refusedCheck(p))
	if n := p.Summary.Warnings[string(rules.SnapshotIncomplete)]; n > 0 {
		out = append(out, Check{Key: "input", State: Blocker,
			Title: "The input looks incomplete (" + htmlPlural(n, "sign", "signs") + "): export the org again and plan again before approving."})
	}
	order := map[CheckState]int{Blocker: 0, Unknown: 1, InPlan: 2, Clear: 3}
	slices.SortStableFunc(out, func(a, b Check) int { return cmp.Compare(order[a.State], order[b.State]) })
	return out
}

// boardMaxItemLen is the most characters page 1 shows of one item (an
// account name); the appendix has the whole name.
const boardMaxItemLen = 36

// capItems returns the first boardMaxItems of items, each cut to
// boardMaxItemLen characters, and how many are left.
func capItems(items []string) ([]string, int) {
	more := max(len(items)-boardMaxItems, 0)
	out := make([]string, 0, min(len(items), boardMaxItems))
	for _, it := range items[:min(len(items), boardMaxItems)] {
		if r := []rune(it); len(r) > boardMaxItemLen {
			it = strings.TrimSpace(string(r[:boardMaxItemLen-1])) + "…"
		}
		out = append(out, it)
	}
	return out, more
}

// checkCase is one state a check can be in: the first case that holds
// decides the check (newCheck).
type checkCase struct {
	holds bool
	state CheckState
	title string
	items []string
}

// newCheck is the check key in the state of the first case that holds.
func newCheck(key string, cases ...checkCase) Check {
	for _, k := range cases {
		if k.holds {
			c := Check{Key: key, State: k.state, Title: k.title}
			c.Items, c.More = capItems(k.items)
			return c
		}
	}
	return Check{Key: key, State: Clear}
}

func seatsCheck(p *planner.Plan) Check {
	var items []string
	short := 0
	for _, l := range p.Licenses {
		if l.Shortfall > 0 {
			short += l.Shortfall
			items = append(items, fmt.Sprintf("%s: %s short", l.License, htmlThousands(l.Shortfall)))
		}
	}
	known, why := capacityKnown(p)
	return newCheck("seats",
		checkCase{short > 0, Blocker, "Buy or free " + htmlPlural(short, "seat", "seats") + " before the window: Salesforce refuses a license with no seat free.", items},
		checkCase{!known, Unknown, "Seats: unknown, " + why + ". Confirm in Setup > Company Information that every target license has the seats.", nil},
		checkCase{true, Clear, "Seats: every target license has the seats the plan needs.", nil})
}

func ownerRolesCheck(p *planner.Plan) Check {
	var noRole, choose []string
	for _, a := range p.Accounts {
		if a.OwnerHasRole != "false" || a.Changing == 0 {
			continue
		}
		noRole = append(noRole, a.AccountName)
		if a.OwnerRoleStep == 0 || p.Steps.Len() < a.OwnerRoleStep || p.Steps.At(a.OwnerRoleStep-1).RoleID == "" {
			choose = append(choose, a.AccountName)
		}
	}
	known, why := ownerRolesKnown(p)
	owners := htmlPlural(len(noRole), "account owner", "account owners")
	return newCheck("owner-roles",
		checkCase{len(choose) > 0, Blocker, fmt.Sprintf("Choose a role for %s without one (owner-roles in the config file): Salesforce refuses the change on %s until the owner has a role.",
			owners, plural(len(choose), "that account", "those accounts")), choose},
		checkCase{len(noRole) > 0, InPlan, "Give " + owners + " a role first: the plan's first steps do it.", noRole},
		checkCase{!known, Unknown, "Account owners' roles: unknown, " + why + ". Salesforce refuses the change on an account whose owner has no role.", nil},
		checkCase{true, Clear, "Account owners: every owner of an account that changes has a role.", nil})
}

func partnerCheck(p *planner.Plan) Check {
	var names []string
	for _, a := range p.Accounts {
		if a.EnablePartnerStep > 0 {
			names = append(names, a.AccountName)
		}
	}
	known, why := partnerKnown(p)
	enable := "Enable " + htmlPlural(len(names), "account", "accounts") + " as partner accounts before their users move: the plan's prepare steps do it."
	if !known {
		enable += " Partner status is unknown (" + why + ")."
	}
	return newCheck("partner-accounts",
		checkCase{len(names) > 0, InPlan, enable, names},
		checkCase{!known, Unknown, "Partner accounts: unknown, " + why + ".", nil},
		checkCase{true, Clear, "Partner accounts: no account needs to be enabled as a partner account.", nil})
}

func refusedCheck(p *planner.Plan) Check {
	n := 0
	var items []string
	for _, code := range refusedCodes {
		if k := p.Summary.Warnings[string(code)]; k > 0 {
			n += k
			items = append(items, fmt.Sprintf("%s (%s)", code, htmlThousands(k)))
		}
	}
	return newCheck("refused",
		checkCase{n > 0, Blocker, "Fix the data of " + htmlPlural(n, "user", "users") + " before the window: Salesforce refuses their change as the plan stands (mitigations in the risk register).", items},
		checkCase{true, Clear, "Nothing else in the plan is known to be refused by Salesforce.", nil})
}

// stepMeans says what a step does for rolling back.
var stepMeans = map[planner.Action][2]string{
	planner.EnablePartnerAccount:   {"partner accounts enabled", "disable again (this disables their partner users)"},
	planner.AssignOwnerRole:        {"owner roles given", "clear the role"},
	planner.ChangeLicense:          {"license changes", "change back to the profile before (users[].seen.profileId in plan.json)"},
	planner.ChangeProfile:          {"profile changes", "assign the profile before again"},
	planner.DisableUser:            {"external users disabled (a disabled external user cannot be enabled again)", ""},
	planner.DeactivateUser:         {"internal users deactivated", "activate again"},
	planner.CreateUser:             {"new user records (new Ids; they can be deactivated, not removed)", ""},
	planner.TransferRecords:        {"record transfers", "transfer back"},
	planner.ReassignPermissionSets: {"permission set assignments", "remove them"},
}

// boardSteps counts the steps by action, irreversible and reversible. An
// irreversible change_license is an upgrade to a license that requires a
// role: Salesforce cannot change it back.
func boardSteps(p *planner.Plan) (irrev, rev []StepCount) {
	var n [2][]int
	add := func(k int, a planner.Action, steps int) {
		for int(a) >= len(n[k]) {
			n[k] = append(n[k], 0)
		}
		n[k][a] += steps
	}
	for _, sk := range p.Steps.Kinds() {
		add(0, sk.Action, sk.Irreversible)
		add(1, sk.Action, sk.Steps-sk.Irreversible)
	}
	for k, counts := range n {
		for a, c := range counts {
			if c == 0 {
				continue
			}
			act := planner.Action(a)
			m, ok := stepMeans[act]
			if !ok {
				m = [2]string{act.String(), "undo by hand"}
			}
			switch {
			case k == 1:
				rev = append(rev, StepCount{act, c, m[0] + ": " + m[1]})
			case act == planner.ChangeLicense:
				irrev = append(irrev, StepCount{act, c, "upgrades to a license that requires a role: Salesforce cannot change them back"})
			default:
				irrev = append(irrev, StepCount{act, c, m[0]})
			}
		}
	}
	return irrev, rev
}

// severityWeight is a severity's weight in a risk's score.
func severityWeight(s rules.Severity) int { return int(s) + 1 }

func (b *Board) risks(p *planner.Plan, users map[rules.Code]int) {
	planLevel := map[rules.Code]int{}
	for _, w := range p.Warnings {
		planLevel[w.Code]++
	}
	stepsFor := map[rules.Code]bool{
		rules.PartnerAccountRequired: p.Summary.PartnerAccountsToEnable > 0,
		rules.PermissionSetsRemoved:  true,
		rules.NewUserRecord:          true,
	}
	var all []Risk
	for code, n := range p.Summary.Warnings {
		c := rules.Code(code)
		if n == 0 || c == rules.InactiveUser {
			continue
		}
		u := n
		if users != nil {
			u = users[c]
		}
		if u == 0 {
			u = planLevel[c]
		}
		sev := c.Severity()
		r := Risk{Code: c, Severity: sev, Users: u, Warnings: n, Score: severityWeight(sev) * u,
			Mitigation: orElse(c.Advice(), c.Message()), Status: "open"}
		if stepsFor[c] {
			r.Status = "in plan"
		}
		all = append(all, r)
	}
	slices.SortFunc(all, func(x, y Risk) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), cmp.Compare(y.Severity, x.Severity), cmp.Compare(x.Code, y.Code))
	})
	var low *Risk
	for _, r := range all {
		if r.Severity == rules.Low {
			if low == nil {
				low = &Risk{Severity: rules.Low, Status: "open", Mitigation: "Check after the change:"}
			}
			low.Codes = append(low.Codes, r.Code)
			if b.lowCounts == nil {
				b.lowCounts = map[rules.Code]int{}
			}
			b.lowCounts[r.Code] = r.Warnings
			low.Users = max(low.Users, r.Users)
			low.Warnings += r.Warnings
			low.Score += r.Score
			continue
		}
		b.Risks = append(b.Risks, r)
	}
	b.Low = low
}

// TopRisks returns the risks page 1 shows and how many it leaves out.
func (b *Board) TopRisks() ([]Risk, int) {
	if len(b.Risks) <= boardMaxRisks {
		return b.Risks, 0
	}
	return b.Risks[:boardMaxRisks], len(b.Risks) - boardMaxRisks
}

// plural is "one" or "many", without a number.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ruleCite is r's source with its document. The address is kept only
// when it is the document's own, so a plan.json edited to point a
// source elsewhere cannot put a link to anywhere else in the report.
func ruleCite(r planner.RuleUse) rules.Citation {
	c := r.Cite
	if c == (rules.Citation{}) {
		c = rules.ParseCitation(r.Source)
	}
	if d, _ := rules.DocumentOf(c.Doc); c.URL != d.URL {
		c.URL = ""
	}
	return c
}

// sourceFile is the file name of a citation of a source document, ""
// for a config override or licenseplan's own rule.
func sourceFile(c rules.Citation) string {
	if d, ok := rules.DocumentOf(c.Doc); ok && d.IsFile() {
		return c.Doc
	}
	return ""
}
