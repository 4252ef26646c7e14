package reports

import (
	"context"
	"fmt"
	"github.com/licenseplan/licenseplan/org"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// Markdown writes report.md, a report for tickets and change boards: where
// the plan comes from, a summary, license capacity, warnings (plan-level,
// then grouped by code, most severe first), the ordered steps and the rules
// used with their sources. Every org-derived value is escaped (mdEscape).
type Markdown struct {
	// Execution, when set, adds a section on what apply did (report
	// --journal).
	Execution *Execution
}

// mdMaxUsersPerCode is how many affected users each warning code lists.
const mdMaxUsersPerCode = 50

// Write implements Writer.
func (m Markdown) Write(ctx context.Context, w io.Writer, p *planner.Plan) error {
	if p == nil {
		return fmt.Errorf("Markdown: %w", errNilPlan)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("Markdown: %w", err)
	}
	o := newOut(w)
	r := mdReport{o: o, p: p, accounts: p.AccountNames()}
	r.header()
	r.summary()
	r.execution(m.Execution)
	r.capacity()
	r.planWarnings()
	r.notes()
	if err := r.warningsByCode(ctx); err != nil {
		return fmt.Errorf("Markdown: %w", err)
	}
	if err := r.steps(ctx); err != nil {
		return fmt.Errorf("Markdown: %w", err)
	}
	r.rules()
	if err := o.flush(); err != nil {
		return fmt.Errorf("writing Markdown: %w", err)
	}
	return nil
}

type mdReport struct {
	o        *out
	p        *planner.Plan
	accounts map[string]string // account id -> name
}

func (r *mdReport) header() {
	p := r.p
	title := p.Source.Path
	if p.Source.Org != nil && p.Source.Org.Name != "" {
		title = p.Source.Org.Name
	}
	if title == "" {
		title = p.Source.Kind
	}
	if title == "" {
		r.o.print("# License migration plan\n\n")
	} else {
		r.o.print("# License migration plan: ", mdEscape(title), "\n\n")
	}
	if p.Source.Environment == org.EnvDemo {
		r.o.print("> **DEMO: built-in demo org.** ", mdEscape(demoDetail), "\n\n")
	}
	if o := p.Source.Org; o != nil {
		r.o.print("- **Org:** ", mdEscape(o.Name), " (", mdEscape(o.ID), ")")
		if o.OrganizationType != "" {
			r.o.print(", ", mdEscape(o.OrganizationType))
		}
		if o.InstanceName != "" {
			r.o.print(", instance ", mdEscape(o.InstanceName))
		}
		switch p.Source.Environment {
		case org.EnvProduction:
			r.o.print(", **production org**")
		case org.EnvSandbox:
			r.o.print(", sandbox")
		case org.EnvUnknown:
			r.o.print(", sandbox or production unknown")
		case org.EnvDemo:
			// The banner above says what the demo org is; its record
			// says sandbox.
			if o.IsSandbox != nil && *o.IsSandbox {
				r.o.print(", sandbox")
			}
		}
		r.o.print("\n")
	}
	r.o.print("- **Source:** ", orDash(mdEscape(p.Source.Kind)))
	if p.Source.Path != "" {
		r.o.print(", ", mdEscape(p.Source.Path))
	}
	r.o.print("\n")
	if p.Source.Targets != "" {
		r.o.print("- **Targets:** ", mdEscape(p.Source.Targets), "\n")
	}
	if len(p.Source.Files) > 0 {
		files := make([]string, len(p.Source.Files))
		for i, f := range p.Source.Files {
			files[i] = mdEscape(f)
		}
		r.o.print("- **Files read:** ", strings.Join(files, ", "), "\n")
	}
	if p.Source.APICalls > 0 {
		r.o.print("- **API calls:** ", strconv.Itoa(p.Source.APICalls), "\n")
	}
	if l := p.Source.Login; l != nil {
		r.o.print("- **Login:** ", mdEscape(l.Method), " (from ", mdEscape(l.From), ")\n")
	}
	generated := "unknown"
	if !p.GeneratedAt.IsZero() {
		generated = p.GeneratedAt.UTC().Format(time.RFC3339)
	}
	r.o.print("- **Generated:** ", generated, "\n")
	r.o.print("- **Schema version:** ", strconv.Itoa(p.SchemaVersion), "\n")
	r.o.print("- **Made by:** ", mdEscape(madeBy(&p.Overview)), "\n\n")
}

func (r *mdReport) summary() {
	s := r.p.Summary
	r.o.print("## Summary\n\n| Item | Count |\n| --- | ---: |\n")
	row := func(label string, n int) { r.o.print("| ", label, " | ", strconv.Itoa(n), " |\n") }
	row("Users", s.Users)
	for _, oc := range outcomeCounts(s.Outcomes) {
		row("Outcome: "+mdEscape(oc.label), oc.count)
	}
	for _, tu := range r.p.Targets {
		row("Users targeted by "+mdEscape(tu.Source), tu.Users)
	}
	if len(r.p.Targets) > 0 {
		row("Users without a target", s.NoTarget)
	}
	row("Steps", s.Steps)
	row("Partner accounts to enable", s.PartnerAccountsToEnable)
	row("Irreversible changes", s.IrreversibleChanges)
	row("New user records", s.NewUserRecords)
	row("Roles created", s.RolesCreated)
	row("Licenses short", s.LicensesShort)
	row("Warnings", s.TotalWarnings())
	r.o.print("\n")
}

func (r *mdReport) capacity() {
	r.o.print("## License capacity\n\n")
	if len(r.p.Licenses) == 0 {
		r.o.print("No license data.\n\n")
		return
	}
	r.o.print("| License | Total | Used | Moving in | Moving out | After | Shortfall |\n",
		"| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, l := range r.p.Licenses {
		short := strconv.Itoa(l.Shortfall)
		if l.Shortfall > 0 {
			short = "**" + short + "**"
		}
		r.o.print("| ", mdEscape(l.License), " | ", intOr(l.Total, "unknown"), " | ", intOr(l.Used, "unknown"),
			" | ", strconv.Itoa(l.MovingIn), " | ", strconv.Itoa(l.MovingOut), " | ", intOr(l.After, "unknown"),
			" | ", short, " |\n")
	}
	r.o.print("\n")
}

func (r *mdReport) planWarnings() {
	r.o.print("## Plan-level warnings\n\n")
	if len(r.p.Warnings) == 0 {
		r.o.print("None.\n\n")
		return
	}
	for _, w := range r.p.Warnings {
		r.o.print("- **", mdCode(w.Code), "** (", severity(w.Code))
		if w.License != "" {
			r.o.print(", license ", mdEscape(w.License))
		}
		if w.AccountID != "" {
			r.o.print(", account ", mdEscape(r.accountLabel(w.AccountID)))
		}
		msg := w.Message
		if msg == "" {
			msg = w.Code.Message()
		}
		r.o.print("): ", mdEscape(msg), "\n")
	}
	r.o.print("\n")
}

func (r *mdReport) notes() {
	r.o.print("## Notes\n\n")
	if len(r.p.Notes) == 0 {
		r.o.print("None.\n\n")
		return
	}
	for _, n := range r.p.Notes {
		r.o.print("- ", mdEscape(n), "\n")
	}
	r.o.print("\n")
}

// codeGroup is the users affected by one warning code.
type codeGroup struct {
	users   int
	message string // first user-specific message, for codes outside the vocabulary
	listed  []int  // positions in Plan.Users, at most the maxListed of codeTally
}

// codeTally groups users by the warning codes they carry: for each code, how
// many users have it and the positions of the first maxListed of them. The
// Markdown and HTML risk registers share it. Its cost is O(warnings).
type codeTally struct {
	maxListed int
	groups    map[rules.Code]*codeGroup
}

func newCodeTally(maxListed int) *codeTally {
	return &codeTally{maxListed: maxListed, groups: map[rules.Code]*codeGroup{}}
}

// add counts u, the user at plan position i. Users are added in plan order.
func (t *codeTally) add(i int, u *planner.UserPlan) {
	for _, c := range userCodes(u.Warnings) {
		g := t.groups[c]
		if g == nil {
			g = &codeGroup{}
			t.groups[c] = g
			for _, w := range u.Warnings {
				if w.Code == c {
					g.message = w.Message
					break
				}
			}
		}
		g.users++
		if len(g.listed) < t.maxListed {
			g.listed = append(g.listed, i)
		}
	}
}

// result returns the codes, most severe first (sortCodes), and their groups.
func (t *codeTally) result() ([]rules.Code, map[rules.Code]*codeGroup) {
	codes := make([]rules.Code, 0, len(t.groups))
	for c := range t.groups {
		codes = append(codes, c)
	}
	sortCodes(codes)
	return codes, t.groups
}

func (r *mdReport) warningsByCode(ctx context.Context) error {
	r.o.print("## Warnings by code\n\n")
	t := newCodeTally(mdMaxUsersPerCode)
	for i, u := range r.p.Users.All() {
		if err := checkCtx(ctx, i); err != nil {
			return err
		}
		t.add(i, &u)
	}
	codes, groups := t.result()
	if len(groups) == 0 {
		r.o.print("No user has a warning.\n\n")
		return nil
	}
	for _, c := range codes {
		g := groups[c]
		noun := "users"
		if g.users == 1 {
			noun = "user"
		}
		r.o.print("### ", mdCode(c), " (", severity(c), "): ", strconv.Itoa(g.users), " ", noun, "\n\n")
		msg := c.Message()
		if msg == "" {
			msg = g.message
		}
		if msg != "" {
			r.o.print(mdEscape(msg), "\n\n")
		}
		for _, i := range g.listed {
			u := r.p.Users.At(i)
			r.o.print("- ", mdEscape(orElse(u.Username, u.UserID)))
			if acct := r.userAccount(&u); acct != "" {
				r.o.print(" (", mdEscape(acct), ")")
			}
			r.o.print("\n")
		}
		if more := g.users - len(g.listed); more > 0 {
			r.o.print("- ... and ", strconv.Itoa(more), " more\n")
		}
		r.o.print("\n")
	}
	return nil
}

func (r *mdReport) steps(ctx context.Context) error {
	r.o.print("## Steps\n\n")
	if r.p.Steps.Len() == 0 {
		r.o.print("No steps.\n\n")
		return nil
	}
	r.o.print("| Seq | Phase | Action | User | Account | Description | Depends on | Reversible |\n",
		"| ---: | --- | --- | --- | --- | --- | --- | --- |\n")
	for i, row := range r.p.StepRows() {
		if err := checkCtx(ctx, i); err != nil {
			return err
		}
		if r.o.err != nil {
			return r.o.err
		}
		s := &row.Step
		user, account := "", r.accountLabel(s.AccountID)
		if s.UserID != "" {
			user = s.UserID
			if u := row.User; u != nil {
				user = orElse(u.Username, u.UserID)
				if s.AccountID == "" || s.AccountID == u.AccountID {
					account = r.userAccount(u)
				}
			}
		}
		rev := "no"
		if s.Reversible {
			rev = "yes"
		}
		r.o.print("| ", strconv.Itoa(s.Seq), " | ", s.Phase.String(), " | ", s.Action.String(),
			" | ", mdEscape(user), " | ", mdEscape(account), " | ", mdEscape(s.Description),
			" | ", joinInts(s.DependsOn, ", "), " | ", rev, " |\n")
	}
	r.o.print("\n")
	return nil
}

func (r *mdReport) rules() {
	r.o.print("## Rules used\n\n")
	if len(r.p.Rules) == 0 {
		r.o.print("No rules were applied.\n")
		return
	}
	r.o.print("| Rule | From | To | Outcome | Users | Source | Explanation |\n",
		"| --- | --- | --- | --- | ---: | --- | --- |\n")
	for _, ru := range r.p.Rules {
		expl := ru.Explanation
		if ru.Conflict != "" {
			expl = strings.TrimSpace(expl + " Conflict: " + ru.Conflict)
		}
		r.o.print("| ", mdEscape(ru.ID), " | ", mdEscape(ru.From), " | ", mdEscape(ru.To), " | ",
			ru.Outcome.String(), " | ", strconv.Itoa(ru.Users), " | ", mdSource(ruleCite(ru)), " | ",
			mdEscape(expl), " |\n")
	}
}

// accountLabel is an account's name, or its id when the plan has no name.
func (r *mdReport) accountLabel(id string) string {
	if name := r.accounts[id]; name != "" {
		return name
	}
	return id
}

// userAccount is the name (or id) of a user's account; "" for users with
// none.
func (r *mdReport) userAccount(u *planner.UserPlan) string {
	if u.AccountName != "" {
		return u.AccountName
	}
	return r.accountLabel(u.AccountID)
}

// mdCode writes a warning code: codes of the vocabulary as they are (their
// underscores are inside words, so they are not emphasis), others escaped.
func mdCode(c rules.Code) string {
	if _, ok := rules.Info(c); ok {
		return string(c)
	}
	return mdEscape(string(c))
}

// severity is a code's severity, or "unknown severity" outside the vocabulary.
func severity(c rules.Code) string {
	if info, ok := rules.Info(c); ok {
		return info.Severity.String()
	}
	return "unknown severity"
}

// intOr formats *n, or returns unknown for nil.
func intOr(n *int, unknown string) string {
	if n == nil {
		return unknown
	}
	return strconv.Itoa(*n)
}

func orElse(s, alt string) string {
	if s != "" {
		return s
	}
	return alt
}

func orDash(s string) string { return orElse(s, "-") }

// execution is the section on what apply did, from its journal.
func (r *mdReport) execution(e *Execution) {
	if e == nil {
		return
	}
	o := r.o
	o.print("## Execution (licenseplan apply)\n\n")
	state := "incomplete: some steps did not complete"
	if e.Complete {
		state = "complete: every step apply carries out completed"
	}
	o.print("- **Journal:** ", mdEscape(e.Journal), "\n")
	o.print("- **Runs:** ", fmt.Sprint(e.Runs), ", from ", e.Started.UTC().Format(time.RFC3339), " to ", e.Ended.UTC().Format(time.RFC3339), "\n")
	o.print("- **State:** ", state, "\n")
	o.print("- **Records sent:** ", fmt.Sprint(e.Writes), " (", fmt.Sprint(e.Unknown), " batches whose answer was lost, then checked against the org)\n\n")
	o.print("| status | steps |\n|---|---:|\n")
	for _, c := range e.StepCounts() {
		o.print("| ", mdEscape(c.Status), " | ", fmt.Sprint(c.N), " |\n")
	}
	o.print("\n")
	if len(e.Problems) > 0 {
		o.print("Steps that did not complete:\n\n")
		for _, s := range e.Problems {
			o.print("- step ", fmt.Sprint(s.Seq), " ", mdEscape(s.Status), ": ", mdEscape(s.Reason), "\n")
		}
		o.print("\n")
	}
	if v := e.Verify; v != nil {
		verdict := "every check passed"
		if len(v.Mismatches) > 0 {
			verdict = fmt.Sprintf("%d mismatches", len(v.Mismatches))
		}
		o.print("**Verification** (", v.Time.UTC().Format(time.RFC3339), "): ", fmt.Sprint(v.Users), " users and ",
			fmt.Sprint(v.Accounts), " accounts checked, ", fmt.Sprint(v.Passed), " passed; ", verdict, "; ",
			fmt.Sprint(v.Unverified), " users left to a person.\n\n")
		for _, m := range v.Mismatches {
			o.print("- ", mdEscape(m), "\n")
		}
		if len(v.Mismatches) > 0 {
			o.print("\n")
		}
	}
}

// mdSource cites a rule's source by its document's title, linked to the
// document's address where it has one, with the file name for
// traceability: [Experience Cloud Licenses Eligible for Upgrades](https://…)
// (Salesforce Help): ref (file 000_….txt).
func mdSource(c rules.Citation) string {
	d, _ := rules.DocumentOf(c.Doc)
	name := mdEscape(d.Name())
	if c.URL != "" {
		name = "[" + mdEscape(d.Title) + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(c.URL) + ")"
		if d.Publisher != "" {
			name += " (" + mdEscape(d.Publisher) + ")"
		}
	}
	if c.Ref != "" {
		name += ": " + mdEscape(c.Ref)
	}
	if f := sourceFile(c); f != "" {
		name += " (file " + mdEscape(f) + ")"
	}
	return name
}
