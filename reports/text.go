package reports

import (
	"context"
	"fmt"
	orgpkg "github.com/licenseplan/licenseplan/org"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// Text writes the terminal summary of a plan: a one-line headline, the
// outcome counts, the users each targets file or preset matched, the
// licenses whose seats move, the top warning codes and the
// plan-level warnings. It reads only the plan's Summary, Targets, Licenses,
// Warnings and Source, never its users or steps, so it costs the same for ten users as
// for a million.
//
// Org-derived values have control characters shown as escapes (\x1b), so a
// hostile name cannot send escape sequences to the terminal.
type Text struct {
	// Color adds ANSI colour and bold. The caller decides (TTY, NO_COLOR,
	// --no-color); the writer never looks at the output.
	Color bool
}

const (
	// textTopCodes is how many warning codes the summary lists.
	textTopCodes = 10
	// textMaxPlanWarnings is how many plan-level warnings the summary lists.
	textMaxPlanWarnings = 20
)

// ANSI SGR sequences.
const (
	sgrBold   = "\x1b[1m"
	sgrRed    = "\x1b[31m"
	sgrYellow = "\x1b[33m"
	sgrReset  = "\x1b[0m"
)

// Headline returns the first line of the text summary, such as
// "Plan: 41 change in place, 9 disable and re-enable, 3 recreate, 2 partner
// accounts to enable; 118 warnings". Users with a target but no path at all
// (guest users) are counted after recreate, and users who change profile
// within their license after change in place, when there are any.
func Headline(s planner.Summary) string {
	noPath, profile := "", ""
	if n := s.Count(rules.NoPath); n > 0 {
		noPath = fmt.Sprintf(" %d %s,", n, rules.NoPath.Label())
	}
	if n := s.Count(rules.ChangeProfile); n > 0 {
		profile = fmt.Sprintf(", %d %s", n, rules.ChangeProfile.Label())
	}
	return fmt.Sprintf("Plan: %d %s%s, %d %s, %d %s,%s %d partner accounts to enable; %d warnings",
		s.Count(rules.ChangeInPlace), rules.ChangeInPlace.Label(), profile,
		s.Count(rules.DisableReenable), rules.DisableReenable.Label(),
		s.Count(rules.Recreate), rules.Recreate.Label(), noPath,
		s.PartnerAccountsToEnable, s.TotalWarnings())
}

// Write implements Writer: the summary of p's Overview.
func (t Text) Write(ctx context.Context, w io.Writer, p *planner.Plan) error {
	if p == nil {
		return fmt.Errorf("text summary: %w", errNilPlan)
	}
	return t.WriteOverview(ctx, w, &p.Overview)
}

// WriteOverview writes the summary of a plan's overview, such as
// planner.Summarize returns.
func (t Text) WriteOverview(ctx context.Context, w io.Writer, p *planner.Overview) error {
	if p == nil {
		return fmt.Errorf("text summary: %w", errNilPlan)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("text summary: %w", err)
	}
	o := newOut(w)
	s := p.Summary
	o.print(t.paint(sgrBold, Headline(s)), "\n")
	switch org := p.Source.Org; {
	case p.Source.Environment == orgpkg.EnvDemo:
		o.print(t.paint(sgrBold, "DEMO: the built-in demo org, not an org of yours."), "\n")
	case org != nil && p.Source.Environment == orgpkg.EnvProduction:
		o.print(t.paint(sgrBold+sgrRed, "This is a production org: "+termSafe(org.Name)+" ("+termSafe(org.ID)+")"), "\n")
	}

	o.print("\nOutcomes:\n")
	var rows [][]textCell
	for _, oc := range outcomeCounts(s.Outcomes) {
		rows = append(rows, []textCell{{text: termSafe(oc.label)}, {text: strconv.Itoa(oc.count), right: true}})
	}
	rows = append(rows, []textCell{{text: "total users"}, {text: strconv.Itoa(s.Users), right: true}})
	t.table(o, rows)

	// Which targets were used and how many users each matched, so a
	// targets file that matched fewer users than meant is plain to see.
	if len(p.Targets) > 0 {
		o.print("\nTargets (users matched):\n")
		rows = rows[:0]
		for _, tu := range p.Targets {
			rows = append(rows, []textCell{{text: termSafe(tu.Source)}, {text: strconv.Itoa(tu.Users), right: true}})
		}
		rows = append(rows, []textCell{{text: "no target"}, {text: strconv.Itoa(s.NoTarget), right: true}})
		t.table(o, rows)
	}

	rows = rows[:0]
	for _, l := range p.Licenses {
		if l.MovingIn == 0 && l.MovingOut == 0 && l.Shortfall <= 0 {
			continue
		}
		note := textCell{}
		if l.Shortfall > 0 {
			note = textCell{text: "SHORT by " + strconv.Itoa(l.Shortfall), sgr: sgrBold + sgrRed}
		}
		rows = append(rows, []textCell{
			{text: termSafe(l.License)},
			{text: intOr(l.Total, "?"), right: true},
			{text: intOr(l.Used, "?"), right: true},
			{text: strconv.Itoa(l.MovingIn), right: true},
			{text: strconv.Itoa(l.MovingOut), right: true},
			{text: intOr(l.After, "?"), right: true},
			note,
		})
	}
	if len(rows) > 0 {
		o.print("\nLicense capacity (seats moving):\n")
		head := []textCell{{text: "license"}, {text: "total", right: true}, {text: "used", right: true},
			{text: "in", right: true}, {text: "out", right: true}, {text: "after", right: true}, {}}
		t.table(o, append([][]textCell{head}, rows...))
	}

	if counts := warningCounts(s.Warnings); len(counts) > 0 {
		o.print("\nTop warnings:\n")
		rows = rows[:0]
		for i, cc := range counts {
			if i == textTopCodes {
				break
			}
			sev := cc.code.Severity()
			sevText := sev.String()
			if _, ok := rules.Info(cc.code); !ok {
				sevText = "?"
			}
			rows = append(rows, []textCell{
				{text: termSafe(string(cc.code))},
				{text: sevText, sgr: severityColor(sev)},
				{text: strconv.Itoa(cc.count), right: true},
			})
		}
		t.table(o, rows)
		if more := len(counts) - textTopCodes; more > 0 {
			o.print("  ... and ", strconv.Itoa(more), " more codes\n")
		}
	}

	if len(p.Warnings) > 0 {
		o.print("\nPlan warnings:\n")
		for i, pw := range p.Warnings {
			if i == textMaxPlanWarnings {
				o.print("  ... and ", strconv.Itoa(len(p.Warnings)-i), " more\n")
				break
			}
			o.print("  ", t.paint(severityColor(pw.Code.Severity()), termSafe(string(pw.Code))))
			if pw.License != "" {
				o.print(" [", termSafe(pw.License), "]")
			}
			if pw.AccountID != "" {
				o.print(" [account ", termSafe(pw.AccountID), "]")
			}
			msg := pw.Message
			if msg == "" {
				msg = pw.Code.Message()
			}
			o.print(": ", termSafe(msg), "\n")
		}
	}
	o.print("\nMade by ", termSafe(madeBy(p)), ".\n")
	if err := o.flush(); err != nil {
		return fmt.Errorf("writing text: %w", err)
	}
	return nil
}

// textCell is one cell of an aligned table.
type textCell struct {
	text  string
	right bool
	sgr   string // colour, used only with Text.Color
}

// table writes rows as aligned columns indented two spaces. Widths count
// runes; colour is added after padding so it does not disturb alignment.
func (t Text) table(o *out, rows [][]textCell) {
	var widths []int
	for _, row := range rows {
		for i, c := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c.text))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		b.Reset()
		b.WriteString("  ")
		for i, c := range row {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c.text))
			if c.right {
				b.WriteString(pad)
			}
			b.WriteString(t.paint(c.sgr, c.text))
			if !c.right && i < len(row)-1 {
				b.WriteString(pad)
			}
		}
		o.print(strings.TrimRight(b.String(), " "), "\n")
	}
}

// paint wraps s in an SGR sequence when colour is on.
func (t Text) paint(sgr, s string) string {
	if !t.Color || sgr == "" || s == "" {
		return s
	}
	return sgr + s + sgrReset
}

func severityColor(s rules.Severity) string {
	switch s {
	case rules.High:
		return sgrRed
	case rules.Medium:
		return sgrYellow
	}
	return ""
}
