package reports

import (
	"bufio"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	orgpkg "github.com/licenseplan/licenseplan/org"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// HTML writes report.html, the report a change board reviews before it
// approves a migration: one self-contained file (inline CSS and SVG, no
// script, no font, image or style from anywhere else) that reads the same on
// screen, on A4 and on Letter.
//
// Page 1 is the decision (Board): the org and whether it is production,
// the full fingerprint, the tool and rule data versions, what changes in
// one sentence and the tiles (unknown, with why, where an input was
// missing), the preconditions and blockers, the irreversible steps and
// the backout for the rest, the top risks and the sign-off (SignOff). It
// prints on one A4 or Letter page: every list on it is capped. The rest
// is the appendix: plan details; a summary; three SVG charts (license
// flow, outcomes per target license, license capacity before and after),
// each with a table equivalent; the risk register, ranked by severity
// times users; the steps by phase; per-account detail; the rules used,
// each citing its document by title. Every printed page has the org, the
// fingerprint and page x of y in its margins (htmlPrintCSS).
//
// Lists longer than htmlMaxRows show their first htmlMaxRows rows and say how
// many more are in plan.xlsx, so a plan of 100,000 users stays readable and
// well under 5 MB. Every value is escaped by html/template, and control and
// bidi characters in org data are shown as escapes (\x1b, \u202e) so a name
// cannot reorder or hide text. A Content-Security-Policy allows nothing but
// the report's own stylesheet, so even a value that slipped through could
// neither run nor load anything.
type HTML struct {
	// Execution, when set, adds a section on what apply did (report
	// --journal).
	Execution *Execution
	// SignOff fills in page 1's sign-off block; empty fields are blanks
	// to fill in.
	SignOff SignOff
}

const (
	// htmlMaxRows is the most rows any list (steps of one phase, accounts,
	// rules, licenses, flows, notes) shows before it is summarised.
	htmlMaxRows = 250
	// htmlMaxUsersPerCode is how many affected users the risk register
	// names for each warning code.
	htmlMaxUsersPerCode = 9
	// htmlFullList is where a summarised list continues.
	htmlFullList = "plan.xlsx"
)

//go:embed templates/report.html.tmpl templates/report.css
var htmlFiles embed.FS

var (
	htmlTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{"plural": htmlPlural, "n": htmlThousands, "riskRows": htmlRiskRows}).ParseFS(htmlFiles, "templates/report.html.tmpl"))
	htmlCSS      = htmlMustRead(htmlFiles, "templates/report.css")
)

// htmlCSPFor allows the report's own two <style> elements (by hash: the
// stylesheet and the print header and footer of this plan) and nothing
// else: no script, no connection, no image, font or frame.
func htmlCSPFor(printCSS string) string {
	return "default-src 'none'; style-src '" + htmlCSPHash(htmlCSS) + "' '" + htmlCSPHash(printCSS) + "'; base-uri 'none'; form-action 'none'"
}

func htmlMustRead(fs embed.FS, name string) string {
	b, err := fs.ReadFile(name)
	if err != nil {
		panic("reports: embedded " + name + ": " + err.Error()) // embedded at build time; cannot happen
	}
	return string(b)
}

// htmlCSPHash is the CSP source expression of an inline element's content.
func htmlCSPHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Write implements Writer.
func (h HTML) Write(ctx context.Context, w io.Writer, p *planner.Plan) error {
	if p == nil {
		return fmt.Errorf("HTML: %w", errNilPlan)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("HTML: %w", err)
	}
	v := newHTMLView(p, h.SignOff)
	v.Execution = newHTMLExecution(h.Execution)
	bw := bufio.NewWriterSize(ctxWriter{ctx, w}, 64<<10)
	if err := htmlTemplate.Execute(bw, v); err != nil {
		return fmt.Errorf("writing HTML: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing HTML: %w", err)
	}
	return nil
}

// ctxWriter fails its writes once ctx is done, so a cancelled write stops at
// the next buffer flush.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(b)
}

// htmlView is everything the template shows, computed from the plan alone.
// Every string that comes from the plan has been through htmlClean.
type htmlView struct {
	Title string
	CSS   template.CSS // the embedded stylesheet; never org data
	// PrintCSS is the print header and footer: the org and fingerprint
	// as CSS strings in which every character but letters, digits and
	// spaces is a CSS escape (htmlCSSString), so org data cannot end the
	// string or the style element.
	PrintCSS     template.CSS
	CSP          string
	Board        *htmlBoard
	Env          htmlEnv
	Org          *htmlOrg
	Source       htmlSource
	TargetUses   []planner.TargetUse
	Generated    string
	GeneratedISO string
	Fingerprint  string
	Schema       int
	MadeBy       string
	Verdict      []string
	Headline     []htmlMetric
	Attention    []htmlMetric
	Outcomes     []htmlMetric
	Flow         flowChart
	Targets      stackChart
	Capacity     capacityChart
	Licenses     htmlList[htmlLicenseRow]
	Risks        htmlList[htmlRisk]
	Notes        htmlList[string]
	Phases       []htmlPhase
	StepsTotal   int
	Accounts     htmlList[htmlAccountRow]
	Rules        htmlList[htmlRuleRow]
	Conflicts    int
	Full         string
	MaxRows      int
	Geom         htmlGeom
	Execution    *htmlExecution
}

// htmlExecution is the section on what apply did.
type htmlExecution struct {
	Journal, Started, Ended string
	Runs, Writes, Unknown   int
	Complete                bool
	Counts                  []ExecutionCount
	Problems                []ExecutionStep
	Verify                  *ExecutionVerify
	VerifyTime              string
}

func newHTMLExecution(e *Execution) *htmlExecution {
	if e == nil {
		return nil
	}
	x := &htmlExecution{Journal: htmlClean(e.Journal), Started: e.Started.UTC().Format(time.RFC3339),
		Ended: e.Ended.UTC().Format(time.RFC3339), Runs: e.Runs, Writes: e.Writes, Unknown: e.Unknown,
		Complete: e.Complete, Counts: e.StepCounts()}
	for _, s := range e.Problems {
		x.Problems = append(x.Problems, ExecutionStep{Seq: s.Seq, Status: htmlClean(s.Status), Reason: htmlClean(s.Reason)})
	}
	if v := e.Verify; v != nil {
		c := *v
		c.Mismatches = nil
		for _, m := range v.Mismatches {
			c.Mismatches = append(c.Mismatches, htmlClean(m))
		}
		x.Verify, x.VerifyTime = &c, v.Time.UTC().Format(time.RFC3339)
	}
	return x
}

// htmlGeom holds the chart coordinates the template needs.
type htmlGeom struct {
	LabelX, PlotX, RightLabelX, FigureX int
}

// htmlList is a list shown up to htmlMaxRows rows.
type htmlList[T any] struct {
	Rows  []T
	Total int
	More  int
}

func htmlCapped[T any](rows []T, total int) htmlList[T] {
	return htmlList[T]{Rows: rows, Total: total, More: total - len(rows)}
}

// htmlEnv is the production / sandbox banner.
type htmlEnv struct {
	Kind   string // demo, production, sandbox, unknown
	Class  string // env-<Kind>
	Label  string
	Detail string
}

type htmlOrg struct {
	Name, ID, Type, Instance string
}

type htmlSource struct {
	Kind, Path, Targets string
	Files               []string
	APICalls            int
}

// htmlMetric is one summary figure. Key is the plan.json summary field it
// shows (outcome.<name> for outcomes; warnings is the sum of
// summary.warnings); the page carries it as data-metric so tests can compare.
type htmlMetric struct {
	Key   string
	Label string
	Value int
	Text  string // Value with thousands separators
	Tone  string // "", "alert", "warn", "good"
	Class string // outcome class, for outcome rows
	Share string // share of users, for outcome rows
}

type htmlLicenseRow struct {
	License                        string
	Total, Used, After             string
	MovingIn, MovingOut, Shortfall int
	Short                          bool
}

type htmlRisk struct {
	Code     string
	Anchor   string
	Severity string
	Class    string // sev-high, sev-medium, sev-low, sev-unknown
	Count    int    // warnings with this code (summary.warnings)
	Users    int    // users who carry it
	Message  string
	Advice   string // the mitigation
	Source   string
	Listed   []htmlUserRef
	More     int
	Plan     []htmlPlanWarning // plan-level warnings of this code
	PlanN    int               // how many there are; Plan holds at most htmlMaxRows
	PlanMore int
}

type htmlUserRef struct{ Name, Username, Account string }

type htmlPlanWarning struct{ Message, License, Account string }

type htmlPhase struct {
	Name  string
	Title string
	About string
	Steps htmlList[htmlStepRow]
}

type htmlStepRow struct {
	Seq         int
	Action      string
	User        string
	Account     string
	Description string
	DependsOn   string
	Reversible  bool
}

type htmlAccountRow struct {
	Name, ID     string
	Partner      string // yes, no, unknown
	EnableStep   int
	Roles        []string
	Users        int
	Changing     int
	OwnerHasRole string // yes, no, unknown
}

type htmlRuleRow struct {
	ID, From, To string
	Outcome      string
	Class        string
	Users        int
	// Source is the document by title; SourceURL its address (shown as
	// a link) and SourceFile the file name, for traceability.
	Source, SourceURL, SourceFile string
	Explanation                   string
	// Quote is what the source says, and a config override's note, from
	// the explanation; the rest of the explanation repeats the columns
	// (plan.json and plan.xlsx have all of it).
	Quote    string
	Conflict string
}

// htmlPhaseInfo names and explains each phase.
var htmlPhaseInfo = map[planner.Phase][2]string{
	planner.Prepare:       {"Prepare", "Accounts to enable as partner accounts before any user on them moves."},
	planner.Convert:       {"Convert", "License changes on the same user record, and users disabled or deactivated ahead of being recreated."},
	planner.RecreatePhase: {"Recreate", "New user records for users that cannot change in place."},
	planner.FollowUp:      {"Follow-up", "Records to transfer and permission sets to assign again after the change."},
}

func newHTMLView(p *planner.Plan, so SignOff) *htmlView {
	accounts := p.AccountNames()
	v := &htmlView{
		CSS:         template.CSS(htmlCSS),
		Fingerprint: htmlClean(p.Fingerprint),
		Schema:      p.SchemaVersion,
		MadeBy:      htmlClean(madeBy(&p.Overview)),
		Full:        htmlFullList,
		MaxRows:     htmlMaxRows,
		Geom: htmlGeom{LabelX: chartLabelW, PlotX: chartPlotX,
			RightLabelX: chartRightX + chartNodeW + 6, FigureX: chartCapacityText},
		StepsTotal: p.Steps.Len(),
	}
	v.header(p)
	v.summary(p.Summary)
	// The planner counted the users and steps: the report reads only the
	// users and steps it shows.
	codes := newCodeTally(p.Users, htmlMaxUsersPerCode)
	v.Flow = newFlowChart(newFlowTally(p.Users.Changes()))
	v.Targets = newStackChart(newStackTally(p.Users.Changes()))
	v.Capacity = newCapacityChart(p.Licenses)
	v.licenses(p.Licenses)
	v.risks(p, accounts, codes)
	v.notes(p.Notes)
	v.steps(p, accounts)
	v.accounts(p.Accounts)
	v.rules(p.Rules)
	v.Board = newHTMLBoard(NewBoard(p, codes.userCounts(), so), v.Risks.Rows)
	printCSS := htmlPrintCSS(v.Board.Org, v.Env.Label, v.Fingerprint, v.Board.SignOff.ChangeID)
	v.PrintCSS, v.CSP = template.CSS(printCSS), htmlCSPFor(printCSS)
	return v
}

func (v *htmlView) header(p *planner.Plan) {
	title := p.Source.Path
	if o := p.Source.Org; o != nil && o.Name != "" {
		title = o.Name
	}
	if title == "" {
		title = p.Source.Kind
	}
	v.Title = htmlClean(title)
	org := p.Source.Org
	switch env := p.Source.Environment; {
	case env == orgpkg.EnvDemo:
		v.Env = htmlEnv{"demo", "env-demo", "Demo: built-in demo org", demoDetail}
	case org == nil:
		v.Env = htmlEnv{"unknown", "env-unknown", "Production or sandbox: unknown",
			"The input has no Organization record, so this report cannot tell whether the org is production. Confirm which org the plan is for before you approve it."}
	case env == orgpkg.EnvProduction:
		v.Env = htmlEnv{"production", "env-production", "Production org",
			"Every step changes live users, and some cannot be undone. Rehearse the plan in a sandbox first."}
	case env == orgpkg.EnvSandbox:
		v.Env = htmlEnv{"sandbox", "env-sandbox", "Sandbox org",
			"This plan was made from a sandbox. Plan again from the production org before changing it."}
	default:
		v.Env = htmlEnv{"unknown", "env-unknown", "Production or sandbox: unknown",
			"The Organization record does not say whether the org is a sandbox. Confirm which org the plan is for before you approve it."}
	}
	if org != nil {
		v.Org = &htmlOrg{Name: htmlClean(org.Name), ID: htmlClean(org.ID), Type: htmlClean(org.OrganizationType), Instance: htmlClean(org.InstanceName)}
	}
	v.Source = htmlSource{Kind: htmlClean(p.Source.Kind), Path: htmlClean(p.Source.Path), Targets: htmlClean(p.Source.Targets), APICalls: p.Source.APICalls}
	for _, f := range p.Source.Files {
		v.Source.Files = append(v.Source.Files, htmlClean(f))
	}
	for _, tu := range p.Targets[:min(len(p.Targets), htmlMaxRows)] {
		v.TargetUses = append(v.TargetUses, planner.TargetUse{Source: htmlClean(tu.Source), Users: tu.Users})
	}
	if !p.GeneratedAt.IsZero() {
		t := p.GeneratedAt.UTC()
		v.Generated = t.Format("2 January 2006, 15:04:05 UTC")
		v.GeneratedISO = t.Format(time.RFC3339)
	}
}

func (v *htmlView) summary(s planner.Summary) {
	metric := func(key, label string, n int, tone string) htmlMetric {
		return htmlMetric{Key: key, Label: label, Value: n, Text: htmlThousands(n), Tone: tone}
	}
	alert := func(n int, tone string) string {
		if n > 0 {
			return tone
		}
		return "good"
	}
	v.Headline = []htmlMetric{
		metric("users", "Users in scope", s.Users, ""),
		metric("steps", "Steps", s.Steps, ""),
		metric("warnings", "Warnings", s.TotalWarnings(), ""),
		metric("noTarget", "Users without a target", s.NoTarget, ""),
	}
	v.Attention = []htmlMetric{
		metric("irreversibleChanges", "Irreversible changes", s.IrreversibleChanges, alert(s.IrreversibleChanges, "alert")),
		metric("newUserRecords", "New user records", s.NewUserRecords, alert(s.NewUserRecords, "warn")),
		metric("rolesCreated", "Roles Salesforce will create", s.RolesCreated, alert(s.RolesCreated, "warn")),
		metric("partnerAccountsToEnable", "Partner accounts to enable", s.PartnerAccountsToEnable, alert(s.PartnerAccountsToEnable, "warn")),
		metric("licensesShort", "Licenses short of seats", s.LicensesShort, alert(s.LicensesShort, "alert")),
	}
	for _, oc := range htmlOutcomeCounts(s.Outcomes) {
		m := metric("outcome."+oc.name, htmlClean(oc.label), oc.count, "")
		m.Class = htmlOutcomeClass(oc.name)
		m.Share = htmlShare(oc.count, s.Users)
		v.Outcomes = append(v.Outcomes, m)
	}

	changing := s.Count(rules.ChangeInPlace) + s.Count(rules.DisableReenable) + s.Count(rules.Recreate)
	v.Verdict = append(v.Verdict, fmt.Sprintf("%s of %s users change license: %s in place, %s disabled and enabled again as new users, %s recreated with no supported path.",
		htmlThousands(changing), htmlThousands(s.Users), htmlThousands(s.Count(rules.ChangeInPlace)),
		htmlThousands(s.Count(rules.DisableReenable)), htmlThousands(s.Count(rules.Recreate))))
	if n := s.Count(rules.ChangeProfile); n > 0 {
		v.Verdict = append(v.Verdict, htmlPlural(n, "user changes", "users change")+" profile within the same license.")
	}
	if n := s.IrreversibleChanges; n > 0 {
		v.Verdict = append(v.Verdict, htmlPlural(n, "step cannot", "steps cannot")+" be undone once carried out.")
	}
	if n := s.LicensesShort; n > 0 {
		v.Verdict = append(v.Verdict, htmlPlural(n, "license does", "licenses do")+" not have enough seats for the users moving in: buy or free seats before the convert phase.")
	}
	if n := s.Count(rules.NoPath); n > 0 {
		v.Verdict = append(v.Verdict, htmlPlural(n, "user has", "users have")+" a target but no path at all (guest users): nothing is planned for them; create real users for the people instead.")
	}
	if n := s.Count(rules.Invalid); n > 0 {
		v.Verdict = append(v.Verdict, htmlPlural(n, "user has", "users have")+" a license that is not in the catalog and cannot be planned.")
	}
}

// htmlOutcome is an outcome count with its plan.json name.
type htmlOutcome struct {
	name, label string
	count       int
}

// htmlOutcomeCounts is outcomeCounts with the stable outcome names, which
// the page's data-metric keys use.
func htmlOutcomeCounts(m map[string]int) []htmlOutcome {
	counts := outcomeCounts(m)
	out := make([]htmlOutcome, len(counts))
	for i, oc := range counts {
		name := oc.label // keys outside rules.Outcomes keep their own name
		if i < len(rules.Outcomes) {
			name = rules.Outcomes[i].String()
		}
		out[i] = htmlOutcome{name, oc.label, oc.count}
	}
	return out
}

func (v *htmlView) licenses(ls []planner.LicenseCapacity) {
	rows := make([]htmlLicenseRow, 0, min(len(ls), htmlMaxRows))
	for _, l := range ls[:min(len(ls), htmlMaxRows)] {
		rows = append(rows, htmlLicenseRow{
			License: htmlClean(l.License), Total: htmlInt(l.Total), Used: htmlInt(l.Used), After: htmlInt(l.After),
			MovingIn: l.MovingIn, MovingOut: l.MovingOut, Shortfall: l.Shortfall, Short: l.Shortfall > 0,
		})
	}
	v.Licenses = htmlCapped(rows, len(ls))
}

func (v *htmlView) risks(p *planner.Plan, accounts map[string]string, users *codeTally) {
	codes, groups := users.result()
	planByCode := map[rules.Code][]htmlPlanWarning{}
	planN := map[rules.Code]int{}
	for _, w := range p.Warnings {
		msg := w.Message
		if msg == "" {
			msg = w.Code.Message()
		}
		acct := ""
		if w.AccountID != "" {
			acct = orElse(accounts[w.AccountID], w.AccountID)
		}
		if _, seen := planN[w.Code]; !seen && groups[w.Code] == nil {
			codes = append(codes, w.Code)
		}
		if planN[w.Code]++; planN[w.Code] <= htmlMaxRows {
			planByCode[w.Code] = append(planByCode[w.Code], htmlPlanWarning{Message: htmlClean(msg), License: htmlClean(w.License), Account: htmlClean(acct)})
		}
	}
	for c, n := range p.Summary.Warnings {
		if n != 0 && groups[rules.Code(c)] == nil && planN[rules.Code(c)] == 0 {
			codes = append(codes, rules.Code(c))
		}
	}
	sortCodes(codes)
	anchors := map[string]bool{}
	rows := make([]htmlRisk, 0, min(len(codes), htmlMaxRows))
	for _, c := range codes[:min(len(codes), htmlMaxRows)] {
		g := groups[c]
		if g == nil {
			g = &codeGroup{}
		}
		info, known := rules.Info(c)
		r := htmlRisk{
			Code: htmlClean(string(c)), Anchor: "risk-" + htmlAnchor(string(c)), Severity: severity(c), Class: "sev-unknown",
			Count: p.Summary.Warnings[string(c)], Users: g.users, Message: htmlClean(orElse(info.Message, g.message)),
			Source: htmlClean(info.Source), Advice: htmlClean(c.Advice()), More: g.users - len(g.listed),
			Plan: planByCode[c], PlanN: planN[c], PlanMore: planN[c] - len(planByCode[c]),
		}
		// Codes outside the vocabulary can map to the same id.
		for base, k := r.Anchor, 2; anchors[r.Anchor]; k++ {
			r.Anchor = base + "-" + strconv.Itoa(k)
		}
		anchors[r.Anchor] = true
		if known {
			r.Class = "sev-" + info.Severity.String()
		}
		for _, i := range g.listed {
			u := p.Users.At(i)
			acct := u.AccountName
			if acct == "" && u.AccountID != "" {
				acct = orElse(accounts[u.AccountID], u.AccountID)
			}
			r.Listed = append(r.Listed, htmlUserRef{Name: htmlClean(u.Name), Username: htmlClean(orElse(u.Username, u.UserID)), Account: htmlClean(acct)})
		}
		rows = append(rows, r)
	}
	v.Risks = htmlCapped(rows, len(codes))
}

func (v *htmlView) notes(ns []string) {
	rows := make([]string, 0, min(len(ns), htmlMaxRows))
	for _, n := range ns[:min(len(ns), htmlMaxRows)] {
		rows = append(rows, htmlClean(n))
	}
	v.Notes = htmlCapped(rows, len(ns))
}

// The steps the planner lists per phase cover the report's cap.
const _ = uint(planner.ListedSteps - htmlMaxRows)

// steps lists the first htmlMaxRows steps of each phase.
func (v *htmlView) steps(p *planner.Plan, accounts map[string]string) {
	for _, ph := range p.Steps.Phases() {
		info, known := htmlPhaseInfo[ph.Phase]
		if !known {
			info = [2]string{ph.Phase.String(), "Steps in a phase this version of licenseplan does not know."}
		}
		shown := p.StepRowsAt(ph.First[:min(len(ph.First), htmlMaxRows)])
		rows := make([]htmlStepRow, 0, len(shown))
		for _, row := range shown {
			s := &row.Step
			user, account := "", orElse(accounts[s.AccountID], s.AccountID)
			if s.UserID != "" {
				user = s.UserID
				if u := row.User; u != nil {
					user = orElse(u.Username, u.UserID)
					if (s.AccountID == "" || s.AccountID == u.AccountID) && u.AccountName != "" {
						account = u.AccountName
					}
				}
			}
			rows = append(rows, htmlStepRow{Seq: s.Seq, Action: s.Action.String(), User: htmlClean(user), Account: htmlClean(account),
				Description: htmlClean(s.Description), DependsOn: joinInts(s.DependsOn, ", "), Reversible: s.Reversible})
		}
		v.Phases = append(v.Phases, htmlPhase{Name: htmlAnchor(ph.Phase.String()), Title: info[0], About: info[1], Steps: htmlCapped(rows, ph.Steps)})
	}
}

func (v *htmlView) accounts(as []planner.AccountPlan) {
	rows := make([]htmlAccountRow, 0, min(len(as), htmlMaxRows))
	for _, a := range as[:min(len(as), htmlMaxRows)] {
		r := htmlAccountRow{Name: htmlClean(a.AccountName), ID: htmlClean(a.AccountID), Partner: htmlYesNo(a.IsPartner),
			EnableStep: a.EnablePartnerStep, Users: a.Users, Changing: a.Changing, OwnerHasRole: htmlYesNo(a.OwnerHasRole)}
		for _, role := range a.RolesCreated {
			r.Roles = append(r.Roles, htmlClean(role))
		}
		rows = append(rows, r)
	}
	v.Accounts = htmlCapped(rows, len(as))
}

func (v *htmlView) rules(rs []planner.RuleUse) {
	rows := make([]htmlRuleRow, 0, min(len(rs), htmlMaxRows))
	for _, r := range rs {
		if r.Conflict != "" {
			v.Conflicts++
		}
	}
	// Rules with a conflict first, so a long list never hides them.
	order := make([]int, len(rs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ca, cb := rs[a].Conflict != "", rs[b].Conflict != ""
		switch {
		case ca && !cb:
			return -1
		case cb && !ca:
			return 1
		}
		return 0
	})
	for _, i := range order[:min(len(order), htmlMaxRows)] {
		r := rs[i]
		// The planner's explanation ends with the conflict, which the
		// report shows on its own.
		expl := htmlExplanation(r)
		if r.Conflict != "" {
			expl = strings.TrimSpace(strings.Replace(expl, "Conflict: "+r.Conflict, "", 1))
		}
		rows = append(rows, htmlRuleRow{ID: htmlClean(r.ID), From: htmlClean(r.From), To: htmlClean(r.To), Outcome: r.Outcome.Label(),
			Class: htmlOutcomeClass(r.Outcome.String()), Users: r.Users, Source: htmlClean(ruleCite(r).Text()),
			SourceURL: htmlClean(ruleCite(r).URL), SourceFile: htmlClean(sourceFile(ruleCite(r))),
			Explanation: htmlClean(expl), Quote: htmlClean(htmlSays(expl)), Conflict: htmlClean(r.Conflict)})
	}
	v.Rules = htmlCapped(rows, len(rs))
}

// htmlClean makes an org-derived value safe to show as text: html/template
// escapes markup, and htmlClean shows control and bidi characters and bytes that
// are not UTF-8 as escapes (\x1b, \u202e, \xff), so a value can neither hide
// nor reorder the text around it.
func htmlClean(s string) string { return termSafe(s) }

// htmlOutcomeClass is the CSS class of an outcome name (o-change_in_place);
// names outside the vocabulary get o-other.
func htmlOutcomeClass(name string) string {
	for _, o := range rules.Outcomes {
		if o.String() == name {
			return "o-" + name
		}
	}
	return "o-other"
}

// htmlAnchor turns a code or name into an id fragment: letters, digits and '-'.
func htmlAnchor(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

func htmlYesNo(s string) string {
	switch s {
	case "true":
		return "yes"
	case "false":
		return "no"
	}
	return "unknown"
}

func htmlInt(n *int) string {
	if n == nil {
		return "unknown"
	}
	return htmlThousands(*n)
}

// htmlThousands formats n with comma separators: 100000 is "100,000".
func htmlThousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if len(s) <= 3 {
		if neg {
			return "-" + s
		}
		return s
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	first := len(s) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(s[:first])
	for i := first; i < len(s); i += 3 {
		b.WriteByte(',')
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// htmlShare is n as a percentage of total, one decimal ("12.5%"); "" when total
// is 0.
func htmlShare(n, total int) string {
	if total <= 0 {
		return ""
	}
	return strconv.FormatFloat(float64(n)*100/float64(total), 'f', 1, 64) + "%"
}

// htmlPlural is "1 <one>" or "n <many>".
func htmlPlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return htmlThousands(n) + " " + many
}
