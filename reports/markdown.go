package reports

import (
	"context"
	"fmt"
	"github.com/licenseplan/licenseplan/org"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// Markdown writes report.md, a summary for tickets and change boards: where
// the plan comes from and its fingerprint, a summary, license capacity,
// warnings (plan-level, then grouped by code, most severe first), the steps
// by phase with the first of them, and the rules used with their sources.
// Every org-derived value is escaped (mdEscape).
//
// It fits a Jira field (32,767 characters) whatever the org's size: every
// list is capped (the md* limits below) and every org value is cut to
// mdMaxValue characters, so report.md stays under MarkdownLimit
// characters; the full lists are in plan.xlsx and plan.csv, which it
// points to. A test checks the bound on the worst case.
type Markdown struct {
	// Execution, when set, adds a section on what apply did (report
	// --journal).
	Execution *Execution
	// SignOff fills in the sign-off fields; empty ones are left to fill
	// in.
	SignOff SignOff
}

// MarkdownLimit is the most characters report.md holds: under a Jira
// field's 32,767, with room for the text a ticket adds.
const MarkdownLimit = 30000

// The caps that keep report.md under MarkdownLimit.
const (
	mdMaxUsersPerCode = 3   // affected users named per warning code
	mdMaxSteps        = 12  // steps listed in full
	mdMaxRows         = 12  // rows of the capacity, plan-warning, notes and rules lists
	mdMaxValue        = 100 // characters of one org value (names, descriptions)
	mdMaxText         = 240 // characters of one message or note
	mdMaxCodes        = 30  // warning codes listed
	mdMaxRules        = 40  // rules listed
)

// Write implements Writer.
func (m Markdown) Write(ctx context.Context, w io.Writer, p *planner.Plan) error {
	if p == nil {
		return fmt.Errorf("Markdown: %w", errNilPlan)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("Markdown: %w", err)
	}
	// The planner counted the users' warnings by code: the report reads only
	// the users it names.
	r := mdReport{p: p, accounts: p.AccountNames(), tally: newCodeTally(p.Users, mdMaxUsersPerCode)}
	r.board = NewBoard(p, r.tally.userCounts(), m.SignOff)
	// Each section is made in memory, then written while the report stays
	// under MarkdownLimit; the caps keep every section short, and this
	// keeps the bound whatever a plan holds.
	sections := []func(context.Context) error{
		r.section(r.header), r.section(r.decision), r.section(r.signOff), r.section(r.summary), r.section(func() { r.execution(m.Execution) }),
		r.section(r.capacity), r.section(r.planWarnings), r.section(r.notes),
		r.warningsByCode, r.steps, r.section(r.rules),
	}
	o := newOut(w)
	total := 0
	for i, sec := range sections {
		var buf strings.Builder
		r.o = newOut(&buf)
		if err := sec(ctx); err != nil {
			return fmt.Errorf("Markdown: %w", err)
		}
		if err := r.o.flush(); err != nil {
			return fmt.Errorf("Markdown: %w", err)
		}
		if total+buf.Len() > MarkdownLimit-len(mdCutNote) {
			if i < len(sections) {
				o.print(mdCutNote)
			}
			break
		}
		total += buf.Len()
		o.print(buf.String())
	}
	if err := o.flush(); err != nil {
		return fmt.Errorf("writing Markdown: %w", err)
	}
	return nil
}

// mdCutNote ends a report.md cut short to stay under MarkdownLimit.
const mdCutNote = "\n---\n\nThe rest of this report is left out to keep it under 30,000 characters: plan.xlsx and plan.csv have every step and user.\n"

// section adapts a section without errors to the section list.
func (r *mdReport) section(f func()) func(context.Context) error {
	return func(context.Context) error { f(); return nil }
}

type mdReport struct {
	o        *out
	p        *planner.Plan
	accounts map[string]string // account id -> name
	tally    *codeTally        // the users' warnings by code
	board    *Board            // what a change board decides on
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
		r.o.print("# License migration plan: ", mdValue(title), "\n\n")
	}
	if p.Source.Environment == org.EnvDemo {
		r.o.print("> **DEMO: built-in demo org.** ", mdEscape(demoDetail), "\n\n")
	}
	if o := p.Source.Org; o != nil {
		r.o.print("- **Org:** ", mdValue(o.Name), " (", mdValue(o.ID), ")")
		if o.OrganizationType != "" {
			r.o.print(", ", mdValue(o.OrganizationType))
		}
		if o.InstanceName != "" {
			r.o.print(", instance ", mdValue(o.InstanceName))
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
	r.o.print("- **Input:** ", mdMsg(r.board.Input), "\n")
	if r.board.Targets != "" {
		r.o.print("- **Targets:** ", mdMsg(r.board.Targets), "\n")
	}
	if len(p.Source.Files) > 0 {
		var files []string
		for _, f := range p.Source.Files[:min(len(p.Source.Files), mdMaxRows)] {
			files = append(files, mdValue(f))
		}
		if n := len(p.Source.Files) - mdMaxRows; n > 0 {
			files = append(files, fmt.Sprintf("and %d more", n))
		}
		r.o.print("- **Files read:** ", strings.Join(files, ", "), "\n")
	}
	if p.Source.APICalls > 0 {
		r.o.print("- **API calls:** ", strconv.Itoa(p.Source.APICalls), "\n")
	}
	if l := p.Source.Login; l != nil {
		r.o.print("- **Login:** ", mdValue(l.Method), " (from ", mdValue(l.From), ")\n")
	}
	generated := "unknown"
	if !p.GeneratedAt.IsZero() {
		generated = p.GeneratedAt.UTC().Format(time.RFC3339)
	}
	r.o.print("- **Generated:** ", generated, "\n")
	fp := p.Fingerprint
	if fp == "" {
		fp = "not computed"
	}
	r.o.print("- **Fingerprint:** `", fp, "`\n")
	r.o.print("- **Schema version:** ", strconv.Itoa(p.SchemaVersion), "\n")
	r.o.print("- **Made by:** ", mdEscape(madeBy(&p.Overview)), "\n\n")
	r.o.print("This is a summary: every list is capped. plan.xlsx and plan.csv list every step and user, and plan.json is the plan itself.\n\n")
}

// decision is what a change board decides on: what changes, the
// preconditions and blockers, what cannot be undone, and the top risks
// (the same data as report.html's page 1, Board).
func (r *mdReport) decision() {
	b := r.board
	r.o.print("## Decision\n\n", mdMsg(b.Changes), "\n\n### Preconditions and blockers\n\n")
	for _, c := range b.Checklist {
		box := "- [x] **" // nothing is left for a person before the window
		if c.State == Blocker || c.State == Unknown {
			box = "- [ ] **"
		}
		title := c.Title
		if len(c.Items) > 0 {
			title = strings.TrimSuffix(title, ".")
		}
		r.o.print(box, checkMarks[c.State], ":** ", mdMsg(title))
		if len(c.Items) > 0 {
			items := make([]string, len(c.Items))
			for i, it := range c.Items {
				items[i] = mdValue(it)
			}
			r.o.print(": ", strings.Join(items, "; "))
			if c.More > 0 {
				r.o.print("; and ", strconv.Itoa(c.More), " more")
			}
		}
		r.o.print("\n")
	}
	r.o.print("\n### What cannot be undone\n\n")
	if len(b.Irreversible) == 0 {
		r.o.print("Nothing: every step can be backed out.\n")
	}
	for _, sc := range b.Irreversible {
		r.o.print("- ", strconv.Itoa(sc.Steps), " ", sc.Action.String(), ": ", mdMsg(sc.Means), "\n")
	}
	if len(b.Reversible) > 0 {
		r.o.print("\nBackout for the rest:\n\n")
		for _, sc := range b.Reversible {
			r.o.print("- ", strconv.Itoa(sc.Steps), " ", sc.Action.String(), ": ", mdMsg(sc.Means), "\n")
		}
	}
	r.o.print("\n### Top risks\n\n")
	if len(b.Risks) == 0 && b.Low == nil {
		r.o.print("None.\n\n")
		return
	}
	r.o.print("| Risk | Severity | Users | Mitigation | Owner | Status |\n| --- | --- | ---: | --- | --- | --- |\n")
	risks := b.Risks[:min(len(b.Risks), boardMaxRisks)]
	if b.Low != nil {
		risks = append(slices.Clone(risks), *b.Low)
	}
	for _, k := range risks {
		name, mitigation := mdCode(k.Code), mdMsg(k.Mitigation)
		if len(k.Codes) > 0 {
			codes := make([]string, len(k.Codes))
			for i, c := range k.Codes {
				codes[i] = mdCode(c)
			}
			name = fmt.Sprintf("%d low-severity codes", len(k.Codes))
			mitigation += " " + strings.Join(codes, ", ")
		}
		r.o.print("| ", name, " | ", k.Severity.String(), " | ", strconv.Itoa(k.Users), " | ", mitigation,
			" | ", orElse(mdValue(k.Owner), " "), " | ", mdValue(k.Status), " |\n")
	}
	if n := len(b.Risks) - boardMaxRisks; n > 0 {
		r.o.print("\n…and ", strconv.Itoa(n), " more risks: see Warnings by code below.\n")
	}
	r.o.print("\n")
}

// signOff is the sign-off block: the change record's fields (from config
// or flags, or blank to fill in), the org and fingerprint again, and a
// line per approver.
func (r *mdReport) signOff() {
	so := r.board.SignOff
	blank := func(v string) string {
		if v == "" {
			return "\\_\\_\\_\\_\\_\\_\\_\\_"
		}
		return mdValue(v)
	}
	r.o.print("## Sign-off\n\n")
	r.o.print("- **Org:** ", mdValue(r.board.Org), "\n- **Plan fingerprint:** `", orElse(r.board.Fingerprint, "not computed"), "`\n")
	r.o.print("- **Change ID:** ", blank(so.ChangeID), "\n- **Implementation window:** ", blank(so.Window), "\n- **Backout plan:** ", blank(so.Backout), "\n\n")
	r.o.print("| Approver | Decision (approve / with conditions / reject) | Signature | Date |\n| --- | --- | --- | --- |\n")
	approvers := so.Approvers
	if len(approvers) == 0 {
		approvers = []string{"", ""}
	}
	for _, a := range approvers[:min(len(approvers), mdMaxRows)] {
		r.o.print("| ", orElse(mdValue(a), " "), " |  |  |  |\n")
	}
	r.more(len(approvers)-mdMaxRows, "the config file's approvers")
	r.o.print("\n")
}

// mdValue is an org value, escaped and cut to mdMaxValue characters.
func mdValue(s string) string { return mdEscape(truncateRunes(s, mdMaxValue)) }

// mdMsg is a message or note, escaped and cut to mdMaxText characters.
func mdMsg(s string) string { return mdEscape(truncateRunes(s, mdMaxText)) }

// more writes the line that stands for the n items a capped list leaves
// out, pointing to where they are.
func (r *mdReport) more(n int, where string) {
	if n > 0 {
		r.o.print("\n…and ", strconv.Itoa(n), " more: see ", where, ".\n")
	}
}

func (r *mdReport) summary() {
	s := r.p.Summary
	r.o.print("## Summary\n\n| Item | Count |\n| --- | ---: |\n")
	row := func(label string, n int) { r.o.print("| ", label, " | ", strconv.Itoa(n), " |\n") }
	row("Users", s.Users)
	for _, oc := range outcomeCounts(s.Outcomes) {
		row("Outcome: "+mdEscape(oc.label), oc.count)
	}
	for _, tu := range r.p.Targets[:min(len(r.p.Targets), mdMaxRows)] {
		row("Users targeted by "+mdValue(tu.Source), tu.Users)
	}
	if len(r.p.Targets) > 0 {
		row("Users without a target", s.NoTarget)
	}
	row("Steps", s.Steps)
	// A count the inputs could not give is "unknown", never a 0 that
	// reads as nothing to do (the board's tiles say which).
	tile := func(label, key string, n int) {
		for _, t := range r.board.Tiles {
			if t.Key == key && !t.Known {
				r.o.print("| ", label, " | unknown: ", mdMsg(t.Short), " |\n")
				return
			}
		}
		row(label, n)
	}
	tile("Partner accounts to enable", "partnerAccountsToEnable", s.PartnerAccountsToEnable)
	row("Irreversible changes", s.IrreversibleChanges)
	row("New user records", s.NewUserRecords)
	tile("Roles created", "rolesCreated", s.RolesCreated)
	tile("Licenses short", "licensesShort", s.LicensesShort)
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
	for _, l := range r.p.Licenses[:min(len(r.p.Licenses), mdMaxRows)] {
		short := strconv.Itoa(l.Shortfall)
		if l.Shortfall > 0 {
			short = "**" + short + "**"
		}
		r.o.print("| ", mdValue(l.License), " | ", intOr(l.Total, "unknown"), " | ", intOr(l.Used, "unknown"),
			" | ", strconv.Itoa(l.MovingIn), " | ", strconv.Itoa(l.MovingOut), " | ", intOr(l.After, "unknown"),
			" | ", short, " |\n")
	}
	r.more(len(r.p.Licenses)-mdMaxRows, "plan.xlsx, sheet Licenses")
	r.o.print("\n")
}

func (r *mdReport) planWarnings() {
	r.o.print("## Plan-level warnings\n\n")
	if len(r.p.Warnings) == 0 {
		r.o.print("None.\n\n")
		return
	}
	for _, w := range r.p.Warnings[:min(len(r.p.Warnings), mdMaxRows)] {
		r.o.print("- **", mdCode(w.Code), "** (", severity(w.Code))
		if w.License != "" {
			r.o.print(", license ", mdValue(w.License))
		}
		if w.AccountID != "" {
			r.o.print(", account ", mdValue(r.accountLabel(w.AccountID)))
		}
		msg := w.Message
		if msg == "" {
			msg = w.Code.Message()
		}
		r.o.print("): ", mdMsg(msg), "\n")
	}
	r.more(len(r.p.Warnings)-mdMaxRows, "plan.xlsx, sheet Warnings")
	r.o.print("\n")
}

func (r *mdReport) notes() {
	r.o.print("## Notes\n\n")
	if len(r.p.Notes) == 0 {
		r.o.print("None.\n\n")
		return
	}
	for _, n := range r.p.Notes[:min(len(r.p.Notes), mdMaxRows)] {
		r.o.print("- ", mdMsg(n), "\n")
	}
	r.more(len(r.p.Notes)-mdMaxRows, "plan.json, notes")
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
// Markdown and HTML risk registers share it. The planner counts them
// (Users.ByCode); newCodeTally reads one user per code, for its message.
type codeTally struct {
	groups map[rules.Code]*codeGroup
}

// The users the planner lists per code cover the reports' caps.
const _ = uint(planner.ListedUsers-mdMaxUsersPerCode) + uint(planner.ListedUsers-htmlMaxUsersPerCode)

func newCodeTally(us planner.Users, maxListed int) *codeTally {
	t := &codeTally{groups: map[rules.Code]*codeGroup{}}
	for _, cu := range us.ByCode() {
		g := &codeGroup{users: cu.Users, listed: cu.First[:min(len(cu.First), maxListed)]}
		if len(cu.First) > 0 {
			for _, w := range us.At(cu.First[0]).Warnings {
				if w.Code == cu.Code {
					g.message = w.Message
					break
				}
			}
		}
		t.groups[cu.Code] = g
	}
	return t
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
	codes, groups := r.tally.result()
	if len(groups) == 0 {
		r.o.print("No user has a warning.\n\n")
		return nil
	}
	for _, c := range codes[:min(len(codes), mdMaxCodes)] {
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
			r.o.print(mdMsg(msg), "\n\n")
		}
		for _, i := range g.listed {
			u := r.p.Users.At(i)
			r.o.print("- ", mdValue(orElse(u.Username, u.UserID)))
			if acct := r.userAccount(&u); acct != "" {
				r.o.print(" (", mdValue(acct), ")")
			}
			r.o.print("\n")
		}
		if more := g.users - len(g.listed); more > 0 {
			r.o.print("- ... and ", strconv.Itoa(more), " more (plan.xlsx, sheet Warnings)\n")
		}
		r.o.print("\n")
	}
	r.more(len(codes)-mdMaxCodes, "plan.xlsx, sheet Warnings")
	return nil
}

// steps counts the steps by phase and action, then lists the first
// mdMaxSteps of them in order.
func (r *mdReport) steps(ctx context.Context) error {
	r.o.print("## Steps\n\n")
	n := r.p.Steps.Len()
	if n == 0 {
		r.o.print("No steps.\n\n")
		return nil
	}
	r.o.print(strconv.Itoa(n), " steps, in this order of phases:\n\n| Phase | Action | Steps | Irreversible |\n| --- | --- | ---: | ---: |\n")
	// In execution order: phases run in order.
	for _, k := range r.p.Steps.Kinds() {
		r.o.print("| ", k.Phase.String(), " | ", k.Action.String(), " | ", strconv.Itoa(k.Steps), " | ", strconv.Itoa(k.Irreversible), " |\n")
	}
	r.o.print("\nThe first ", strconv.Itoa(min(n, mdMaxSteps)), ":\n\n")
	r.o.print("| Seq | Phase | Action | User | Account | Description | Depends on | Reversible |\n",
		"| ---: | --- | --- | --- | --- | --- | --- | --- |\n")
	for i, row := range r.p.StepRows() {
		if i == mdMaxSteps {
			break
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
		deps := s.DependsOn
		depText := joinInts(deps[:min(len(deps), 8)], ", ")
		if len(deps) > 8 {
			depText += ", …"
		}
		r.o.print("| ", strconv.Itoa(s.Seq), " | ", s.Phase.String(), " | ", s.Action.String(),
			" | ", mdValue(user), " | ", mdValue(account), " | ", mdMsg(s.Description),
			" | ", depText, " | ", rev, " |\n")
	}
	r.more(n-mdMaxSteps, "plan.xlsx, sheet Steps, or plan.csv, for every step")
	r.o.print("\n")
	return nil
}

// rules lists the rules the plan used: each once, with its source, and
// whether the two source documents disagree on it (`licenseplan rules
// explain FROM TO` gives the whole explanation).
func (r *mdReport) rules() {
	r.o.print("## Rules used\n\n")
	if len(r.p.Rules) == 0 {
		r.o.print("No rules were applied.\n")
		return
	}
	r.o.print("| Rule | From | To | Outcome | Users | Source | Sources disagree |\n",
		"| --- | --- | --- | --- | ---: | --- | --- |\n")
	var cites []rules.Citation
	for _, ru := range r.p.Rules[:min(len(r.p.Rules), mdMaxRules)] {
		cites = append(cites, ruleCite(ru))
		conflict := "no"
		if ru.Conflict != "" {
			conflict = "yes"
		}
		r.o.print("| ", mdValue(ru.ID), " | ", mdValue(ru.From), " | ", mdValue(ru.To), " | ",
			ru.Outcome.String(), " | ", strconv.Itoa(ru.Users), " | ", mdSource(ruleCite(ru)), " | ", conflict, " |\n")
	}
	r.more(len(r.p.Rules)-mdMaxRules, "plan.xlsx, sheet Rules")
	if list := mdSourceList(cites); list != "" {
		r.o.print("\nSources:\n\n", list)
	}
	r.o.print("\nFor a rule's whole explanation, and what each source says where they disagree: `licenseplan rules explain FROM TO`.\n")
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
	o.print("- **Journal:** ", mdValue(e.Journal), "\n")
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
		for _, s := range e.Problems[:min(len(e.Problems), mdMaxRows)] {
			o.print("- step ", fmt.Sprint(s.Seq), " ", mdValue(s.Status), ": ", mdMsg(s.Reason), "\n")
		}
		r.more(len(e.Problems)-mdMaxRows, "the journal, or licenseplan report --journal --format html")
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
		for _, m := range v.Mismatches[:min(len(v.Mismatches), mdMaxRows)] {
			o.print("- ", mdMsg(m), "\n")
		}
		r.more(len(v.Mismatches)-mdMaxRows, "licenseplan verify --plan plan.json")
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
	if c.Ref != "" {
		name += ": " + mdMsg(c.Ref)
	}
	return name
}

// mdSourceList names, once each, the documents the rules cite: title,
// link and file name (the table names only the title).
func mdSourceList(cites []rules.Citation) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, c := range cites {
		d, ok := rules.DocumentOf(c.Doc)
		if !ok || seen[c.Doc] || !d.IsFile() {
			continue
		}
		seen[c.Doc] = true
		b.WriteString("- ")
		if c.URL != "" {
			b.WriteString("[" + mdEscape(d.Title) + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(c.URL) + ")")
		} else {
			b.WriteString(mdEscape(d.Name()))
		}
		if c.URL != "" && d.Publisher != "" {
			b.WriteString(" (" + mdEscape(d.Publisher) + ")")
		}
		b.WriteString(", file " + mdEscape(c.Doc) + "\n")
	}
	return b.String()
}
