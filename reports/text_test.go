package reports

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

var headlineRE = regexp.MustCompile(`^Plan: \d+ change in place, \d+ disable and re-enable, \d+ recreate,( [1-9]\d* no path,)? \d+ partner accounts to enable; \d+ warnings$`)

func TestTextFirstLine(t *testing.T) {
	big := &planner.Plan{
		Overview: planner.Overview{
			Summary: planner.Summary{
				Outcomes:                map[string]int{"change_in_place": 41, "disable_reenable": 9, "recreate": 3, "no_change": 7},
				Warnings:                map[string]int{"ROLE_REQUIRED": 100, "LICENSE_CAPACITY": 18},
				PartnerAccountsToEnable: 2,
			},
		},
	}
	tests := []struct {
		name string
		p    *planner.Plan
		want string
	}{
		{"issue example", big, "Plan: 41 change in place, 9 disable and re-enable, 3 recreate, 2 partner accounts to enable; 118 warnings"},
		{"fixture", fixturePlan(), "Plan: 2 change in place, 1 disable and re-enable, 1 recreate, 1 no path, 1 partner accounts to enable; 19 warnings"},
		{"zero plan", &planner.Plan{}, "Plan: 0 change in place, 0 disable and re-enable, 0 recreate, 0 partner accounts to enable; 0 warnings"},
	}
	for _, tt := range tests {
		for _, w := range []Text{{}, {Color: true}} {
			t.Run(fmt.Sprintf("%s/color=%v", tt.name, w.Color), func(t *testing.T) {
				out := string(render(t, w, tt.p))
				first, _, _ := strings.Cut(out, "\n")
				first = stripSGR(first)
				if first != tt.want {
					t.Errorf("first line = %q\nwant         %q", first, tt.want)
				}
				if !headlineRE.MatchString(first) {
					t.Errorf("first line %q does not match %v", first, headlineRE)
				}
			})
		}
	}
}

// sgrRE matches the colour sequences the text writer emits.
var sgrRE = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func stripSGR(s string) string { return sgrRE.ReplaceAllString(s, "") }

// hostileTextPlan puts an escape sequence in every org-derived value the text
// summary prints.
func hostileTextPlan() *planner.Plan {
	p := fixturePlan()
	p.Source.Org.Name = hostileEsc
	p.Source.Org.ID = "00D\x9b31m"
	p.Licenses[0].License = "Partner\x1b[2J Community"
	p.Summary.Warnings = map[string]int{"EVIL\x1b[5m": 1, "NO_CONVERSION_PATH": 2}
	p.Summary.Outcomes["odd\x07"] = 1
	p.Warnings = append(p.Warnings, planner.Warning{Code: "X\x1b]8;;http://x\x07", License: "L\x1b[1m", AccountID: "A\r", Message: "m\x1bc\u202e"})
	return p
}

func TestTextHasNoInjectedEscapes(t *testing.T) {
	for _, w := range []Text{{}, {Color: true}} {
		t.Run(fmt.Sprintf("color=%v", w.Color), func(t *testing.T) {
			out := string(render(t, w, hostileTextPlan()))
			if !w.Color && strings.ContainsRune(out, '\x1b') {
				t.Errorf("uncoloured output contains ESC:\n%q", out)
			}
			if w.Color && !strings.ContainsRune(out, '\x1b') {
				t.Error("coloured output has no colour")
			}
			// With colour on, only the writer's own SGR sequences may remain.
			rest := stripSGR(out)
			for i, r := range rest {
				if r != '\n' && unsafeRune(r) {
					t.Errorf("control character %q at byte %d of %q", r, i, rest)
				}
			}
			for _, want := range []string{`Esc\x1b[31mRed\x1b]0;pwned\x07`, `00D\x9b31m`, `Partner\x1b[2J Community`, `EVIL\x1b[5m`, `m\x1bc\u202e`} {
				if !strings.Contains(rest, want) {
					t.Errorf("output does not show %s", want)
				}
			}
		})
	}
}

func TestTextSections(t *testing.T) {
	out := string(render(t, Text{}, fixturePlan()))
	lines := strings.Split(out, "\n")
	find := func(prefix string) string {
		for _, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), prefix) {
				return l
			}
		}
		return ""
	}
	tests := []struct {
		name   string
		prefix string
		re     string // "" means the line must be absent
	}{
		{"production", "This is a production org", `^This is a production org: Acme \| <Corp> \*prod\* \(00D000000000001EAA\)$`},
		{"outcome", "disable and re-enable", `^  disable and re-enable +1$`},
		{"zero outcome", "no change", `^  no change +1$`},
		{"total", "total users", `^  total users +8$`},
		{"short", "Partner Community ", `^  Partner Community +10 +9 +3 +0 +12  SHORT by 2$`},
		{"unknown totals", "Customer Community  ", `^  Customer Community +\? +\? +0 +2 +\?$`},
		{"no movement", "Chatter Free", ""},
		{"top code", "NO_CONVERSION_PATH", `^  NO_CONVERSION_PATH +high +1$`},
		{"plan warning", "LICENSE_CAPACITY [", `^  LICENSE_CAPACITY \[Partner Community\]: Partner Community needs 12 seats`},
		{"account warning", "ACCOUNT_OWNER_NO_ROLE [", `^  ACCOUNT_OWNER_NO_ROLE \[account 001000000000002AAA\]: The owner of account a\|b has no role\.$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := find(tt.prefix)
			if tt.re == "" {
				if l != "" {
					t.Errorf("line %q should be absent", l)
				}
				return
			}
			if !regexp.MustCompile(tt.re).MatchString(l) {
				t.Errorf("line %q does not match %s\noutput:\n%s", l, tt.re, out)
			}
		})
	}
	// Codes most severe first: NO_CONVERSION_PATH and LICENSE_CAPACITY
	// (high) before PARTNER_ACCOUNT_REQUIRED (medium); the fixture has 16
	// codes, so the 6 least severe are counted, not listed.
	a, b, c := strings.Index(out, "  NO_CONVERSION_PATH "), strings.Index(out, "  LICENSE_CAPACITY "), strings.Index(out, "  PARTNER_ACCOUNT_REQUIRED ")
	if !(a >= 0 && a < b && b < c) {
		t.Errorf("top warnings are not ordered by severity (%d, %d, %d)", a, b, c)
	}
	if strings.Contains(out, "  INACTIVE_USER ") || !strings.Contains(out, "  ... and 6 more codes\n") {
		t.Errorf("top warnings are not capped at %d:\n%s", textTopCodes, out)
	}
}

func TestTextNotProduction(t *testing.T) {
	tests := []struct {
		name string
		org  *planner.OrgInfo
	}{
		{"no org", nil},
		{"sandbox", &planner.OrgInfo{Name: "Dev", IsSandbox: ptr(true)}},
		{"unknown", &planner.OrgInfo{Name: "Maybe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fixturePlan()
			setOrg(p, tt.org)
			if out := string(render(t, Text{}, p)); strings.Contains(out, "production") {
				t.Errorf("output mentions production:\n%s", out)
			}
		})
	}
}

// The summary reads only counts: users and steps do not change it, which is
// what keeps it O(licenses + codes) on a million-user plan.
func TestTextIgnoresUsersAndSteps(t *testing.T) {
	p := fixturePlan()
	want := render(t, Text{}, p)
	p.Users, p.Steps, p.Accounts = planner.Users{}, planner.Steps{}, nil
	if got := render(t, Text{}, p); !bytes.Equal(got, want) {
		t.Errorf("output depends on users or steps:\n%s", firstDiff(got, want))
	}
}

func TestTextLimitsLists(t *testing.T) {
	p := &planner.Plan{Overview: planner.Overview{Summary: planner.Summary{Warnings: map[string]int{}}}}
	for i, c := range rules.Codes {
		p.Summary.Warnings[string(c.Code)] = i + 1
	}
	for i := range 25 {
		p.Warnings = append(p.Warnings, planner.Warning{Code: rules.LicenseCapacity, Message: fmt.Sprint("w", i)})
	}
	out := string(render(t, Text{}, p))
	if more := len(rules.Codes) - textTopCodes; !strings.Contains(out, fmt.Sprintf("  ... and %d more codes\n", more)) {
		t.Errorf("no '... and %d more codes' line:\n%s", more, out)
	}
	if !strings.Contains(out, "  "+string(rules.Codes[textTopCodes-1].Code)) || strings.Contains(out, "  "+string(rules.Codes[textTopCodes].Code)+" ") {
		t.Errorf("top codes are not the %d most severe:\n%s", textTopCodes, out)
	}
	if !strings.Contains(out, ": w19\n  ... and 5 more\n") {
		t.Errorf("plan warnings are not capped at %d:\n%s", textMaxPlanWarnings, out)
	}
}

func TestTermSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"café ünïcode 日本", "café ünïcode 日本"},
		{"a\x1b[31mb", `a\x1b[31mb`},
		{"line\nbreak", `line\nbreak`},
		{"\tTab", `\tTab`},
		{"cr\r", `cr\r`},
		{"bell\x07", `bell\x07`},
		{"del\x7f", `del\x7f`},
		{"c1\u009b2J", `c1\x9b2J`},
		{"raw\x9bbyte", `raw\x9bbyte`},
		{"bidi\u202eevil", `bidi\u202eevil`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := termSafe(tt.in); got != tt.want {
				t.Errorf("termSafe(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
