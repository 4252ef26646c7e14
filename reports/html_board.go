package reports

import (
	"fmt"
	"strings"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// htmlBoard is page 1 as the template shows it: Board with every string
// from the plan through htmlClean, and lists capped for one page.
type htmlBoard struct {
	Org, Fingerprint, Tool, Rules string
	Input, Targets, Changes       string
	Tiles                         []htmlTile
	Unknown                       []htmlTile // the tiles whose figure is unknown, with why
	Checklist                     []htmlCheck
	Blockers                      int
	Irreversible, Reversible      []htmlStepCount
	Risks                         []htmlRiskLine // page 1's top risks
	RisksMore                     int
	AllRisks                      []htmlRiskLine // the appendix's register
	Low                           *htmlRiskLine
	SignOff                       htmlSignOff
}

type htmlTile struct {
	Key, Label, Text, Why, Short, Tone string
	Value                              int
	Known                              bool
}

type htmlCheck struct {
	State, Mark, Title string
	Items              []string
	More               int
}

type htmlStepCount struct {
	Action, Means string
	Steps         int
}

type htmlRiskLine struct {
	Rank                      int
	Code, Anchor              string
	Severity, Class           string
	Users, Warnings, Score    int
	Mitigation, Owner, Status string
	Codes                     []htmlFoldedCode
}

type htmlFoldedCode struct {
	Code, Anchor string
	Warnings     int
}

type htmlSignOff struct {
	ChangeID, Window, Backout string
	Approvers                 []string // page 1's; "" is a blank line
	ApproversMore             []string // beyond htmlMaxApprovers, in the appendix
}

// htmlMaxApprovers is how many approver lines page 1 holds; more continue
// in the appendix, so page 1 stays one page.
const htmlMaxApprovers = 4

var checkMarks = map[CheckState]string{Blocker: "Blocker", Unknown: "Unknown", InPlan: "In plan", Clear: "OK"}

// newHTMLBoard is b for the template. anchors are the risk register's
// rows, whose anchors the risk lines link to.
func newHTMLBoard(b *Board, register []htmlRisk) *htmlBoard {
	anchor := map[string]string{}
	for _, r := range register {
		anchor[r.Code] = r.Anchor
	}
	v := &htmlBoard{Org: htmlClean(b.Org), Fingerprint: htmlClean(b.Fingerprint), Tool: htmlClean(b.Tool), Rules: htmlClean(b.Rules),
		Input: htmlClean(b.Input), Targets: htmlClean(b.Targets), Changes: htmlClean(b.Changes)}
	for _, t := range b.Tiles {
		v.Tiles = append(v.Tiles, htmlTile{Key: t.Key, Label: t.Label, Value: t.Value, Text: htmlThousands(t.Value), Known: t.Known,
			Why: htmlClean(t.Why), Short: htmlClean(t.Short), Tone: orElse(t.Tone, "none")})
		if !t.Known {
			v.Unknown = append(v.Unknown, htmlTile{Label: t.Label, Why: htmlClean(t.Why)})
		}
	}
	for _, c := range b.Checklist {
		hc := htmlCheck{State: string(c.State), Mark: checkMarks[c.State], Title: htmlClean(c.Title), More: c.More}
		for _, it := range c.Items {
			hc.Items = append(hc.Items, htmlClean(it))
		}
		if c.State == Blocker {
			v.Blockers++
		}
		v.Checklist = append(v.Checklist, hc)
	}
	for _, s := range b.Irreversible {
		v.Irreversible = append(v.Irreversible, htmlStepCount{s.Action.String(), s.Means, s.Steps})
	}
	for _, s := range b.Reversible {
		v.Reversible = append(v.Reversible, htmlStepCount{s.Action.String(), s.Means, s.Steps})
	}
	line := func(i int, r Risk) htmlRiskLine {
		l := htmlRiskLine{Rank: i + 1, Code: htmlClean(string(r.Code)), Anchor: anchor[htmlClean(string(r.Code))], Severity: r.Severity.String(),
			Class: "sev-" + r.Severity.String(), Users: r.Users, Warnings: r.Warnings, Score: r.Score,
			Mitigation: htmlClean(r.Mitigation), Owner: htmlClean(r.Owner), Status: r.Status}
		for _, c := range r.Codes {
			l.Codes = append(l.Codes, htmlFoldedCode{Code: htmlClean(string(c)), Anchor: anchor[htmlClean(string(c))], Warnings: b.lowWarnings(c)})
		}
		return l
	}
	top, more := b.TopRisks()
	for i, r := range top {
		v.Risks = append(v.Risks, line(i, r))
	}
	v.RisksMore = more
	for i, r := range b.Risks[:min(len(b.Risks), htmlMaxRows)] {
		v.AllRisks = append(v.AllRisks, line(i, r))
	}
	if b.Low != nil {
		l := line(len(b.Risks), *b.Low)
		l.Code = "low"
		v.Low = &l
	}
	so := b.SignOff
	v.SignOff = htmlSignOff{ChangeID: htmlClean(so.ChangeID), Window: htmlClean(so.Window), Backout: htmlClean(so.Backout)}
	approvers := so.Approvers
	if len(approvers) == 0 {
		approvers = []string{"", ""}
	}
	for i, a := range approvers {
		if i < htmlMaxApprovers {
			v.SignOff.Approvers = append(v.SignOff.Approvers, htmlClean(a))
		} else {
			v.SignOff.ApproversMore = append(v.SignOff.ApproversMore, htmlClean(a))
		}
	}
	return v
}

// lowWarnings is the summary count of low code c.
func (b *Board) lowWarnings(c rules.Code) int {
	if b.lowCounts == nil {
		return 0
	}
	return b.lowCounts[c]
}

// userCounts is the users each code has.
func (t *codeTally) userCounts() map[rules.Code]int {
	out := make(map[rules.Code]int, len(t.groups))
	for c, g := range t.groups {
		out[c] = g.users
	}
	return out
}

// htmlPrintCSS is the print header and footer of one plan, in CSS margin
// boxes (Chromium draws them from version 131): the org and its
// environment at the top left, the change ID (if any) at the top right,
// the full fingerprint at the bottom left and "Page x of y" at the bottom
// right (report.css). A browser without margin boxes prints none of
// them; page 1 and the sign-off carry the org and fingerprint in the page
// itself.
func htmlPrintCSS(org, env, fingerprint, changeID string) string {
	var b strings.Builder
	b.WriteString("@page {\n")
	fmt.Fprintf(&b, "  @top-left { content: %s; }\n", htmlCSSString(org+" | "+env))
	if changeID != "" {
		fmt.Fprintf(&b, "  @top-center { content: %s; }\n", htmlCSSString("Change "+changeID))
	}
	fmt.Fprintf(&b, "  @bottom-left { content: %s; }\n", htmlCSSString("Plan "+orElse(fingerprint, "fingerprint not computed")))
	b.WriteString("}\n")
	return b.String()
}

// htmlCSSString quotes s as a CSS string: letters, digits and spaces as
// they are, every other character as a hex escape, so no value can end
// the string, the rule or the <style> element.
func htmlCSSString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == ' ' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, "\\%06x", r)
	}
	b.WriteByte('"')
	return b.String()
}

// htmlExplanation is r's explanation less the source, its address and
// file, which the report shows beside it.
func htmlExplanation(r planner.RuleUse) string {
	c := ruleCite(r)
	e := r.Explanation
	for _, f := range []rules.Field{{Label: "Source", Value: c.Text()}, {Label: "Address", Value: c.URL}, {Label: "File", Value: sourceFile(c)}} {
		if f.Value != "" {
			e = strings.Replace(e, " "+f.Label+": "+f.Value+".", "", 1)
		}
	}
	return e
}

// htmlRiskTable is what the riskTable template shows: ranked lines and the
// folded line of low codes.
type htmlRiskTable struct {
	Rows []htmlRiskLine
	Low  *htmlRiskLine
}

func htmlRiskRows(rows []htmlRiskLine, low *htmlRiskLine) htmlRiskTable {
	return htmlRiskTable{rows, low}
}

// htmlSays is the "Says:" and "Note:" fields of an explanation (what the
// source document says, a config override's reason), or the explanation
// after its first sentence when it has neither.
func htmlSays(expl string) string {
	labels := []string{" Says: ", " Salesforce says: ", " Agrees: ", " Conflict: ", " Note: "}
	field := func(label string) string {
		i := strings.Index(expl, label)
		if i < 0 {
			return ""
		}
		rest := expl[i+len(label):]
		end := len(rest)
		for _, l := range labels {
			if j := strings.Index(rest, l); j >= 0 && j < end {
				end = j
			}
		}
		return strings.TrimSpace(rest[:end])
	}
	says, note := field(" Says: "), field(" Note: ")
	switch {
	case says != "" && note != "":
		return says + " " + note
	case says != "" || note != "":
		return says + note
	}
	if _, after, ok := strings.Cut(expl, "). "); ok {
		return after
	}
	return expl
}
