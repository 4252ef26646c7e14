package reports

import (
	"bytes"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	ghtml "github.com/yuin/goldmark/renderer/html"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

func TestMdEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{hostileScript, `\<script>alert(1)\</script>`},
		{hostilePipe, `a\|b`},
		{hostileNewline, "Line one Line two"},
		{"a\r\nb", "a  b"},
		{hostileTab, "Tab"},
		{" - nested", `\- nested`},
		{"\n\t  # h  \n", `\# h`},
		{hostileEsc, `Esc\\x1b\[31mRed\\x1b\]0;pwned\\x07`},
		{"*bold* _it_ `code` [link](x) # h ~s~ $x$", "\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](x) \\# h \\~s\\~ \\$x\\$"},
		{`back\slash`, `back\\slash`},
		{"AT&T", `AT\&T`},
		{"&lt;", `\&lt;`},
		{"a & b", "a & b"},
		{"Guest -> Customer", "Guest -> Customer"},
		{"> quoted", `\> quoted`},
		{"- item", `\- item`},
		{"+ item", `\+ item`},
		{hostileHyperlink, `\=HYPERLINK("http://x")`},
		{"1. first", `1\. first`},
		{"12) x", `12\) x`},
		{"2024", "2024"},
		{"a-b", "a-b"},
		{"\u202eevil", `\\u202eevil`},
		{"bad\xffutf8", "bad\ufffdutf8"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := mdEscape(tt.in); got != tt.want {
				t.Errorf("mdEscape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// countCells counts the pipes of a table row that are not backslash-escaped.
func countCells(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		if line[i] == '|' && (i == 0 || line[i-1] != '\\') {
			n++
		}
	}
	return n
}

func TestMarkdownIsEscaped(t *testing.T) {
	md := string(render(t, Markdown{}, fixturePlan()))
	t.Run("no raw script", func(t *testing.T) {
		html := commonMark(t, md)
		if strings.Contains(strings.ToLower(html), "<script") {
			t.Error("the rendered report holds a <script element")
		}
		if !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("the hostile account name does not render as text")
		}
	})
	t.Run("no control characters", func(t *testing.T) {
		for i, r := range md {
			if r != '\n' && unsafeRune(r) {
				t.Fatalf("control character %q at byte %d", r, i)
			}
		}
	})
	t.Run("values do not break lines", func(t *testing.T) {
		for _, l := range strings.Split(md, "\n") {
			if strings.HasPrefix(l, "Line two") || strings.HasPrefix(l, "second line") {
				t.Errorf("a value's newline started a line: %q", l)
			}
		}
	})
	t.Run("tables keep their columns", func(t *testing.T) {
		cols := 0
		for i, l := range strings.Split(md, "\n") {
			if !strings.HasPrefix(l, "|") {
				cols = 0
				continue
			}
			n := countCells(l)
			if cols == 0 {
				cols = n // the header row
				continue
			}
			if n != cols {
				t.Errorf("line %d has %d unescaped pipes, the table has %d: %q", i+1, n, cols, l)
			}
		}
	})
	t.Run("no heading from a value", func(t *testing.T) {
		for _, l := range strings.Split(md, "\n") {
			if strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "# License migration plan") &&
				!strings.HasPrefix(l, "## ") && !strings.HasPrefix(l, "### ") {
				t.Errorf("unexpected heading %q", l)
			}
			if strings.HasPrefix(l, "- #") || strings.HasPrefix(l, "- -") || strings.HasPrefix(l, "- =") {
				t.Errorf("a list item starts with markup: %q", l)
			}
		}
	})
}

func TestMarkdownSections(t *testing.T) {
	md := string(render(t, Markdown{}, fixturePlan()))
	for _, want := range []string{
		"# License migration plan: Acme \\| \\<Corp> \\*prod\\*\n",
		"**production org**",
		"- **Generated:** 2025-03-14T09:26:53Z\n",
		"| Partner accounts to enable | unknown: partner status not in the input |",
		"| Outcome: disable and re-enable | 1 |",
		"| Roles created | unknown: roles not in the input |",
		"| Partner Community | 10 | 9 | 3 | 0 | 12 | **2** |",
		"| Customer Community | unknown | unknown | 0 | 2 | unknown | 0 |",
		"- **LICENSE_CAPACITY** (high, license Partner Community): ",
		"- **ACCOUNT_OWNER_NO_ROLE** (high, account a\\|b): ",
		"### PERMISSION_SETS_REMOVED (medium): 2 users",
		"- minus@acme.example (\\<script>alert(1)\\</script>)\n",
		"- line@acme.example\n",
		"| 1 | prepare | enable_partner_account |  | \\<script>alert(1)\\</script> | ",
		"| 8 | recreate | transfer_records | line@acme.example |  | Transfer records owned by the old user | 6, 7 | no |",
		"| customer-community-to-partner-community-reenable | Customer Community | Partner Community | disable_reenable | 1 | rules.yaml line 12 | yes |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report does not contain %q", want)
		}
	}
	// Codes most severe first.
	var order []int
	for _, c := range []rules.Code{rules.NoConversionPath, rules.Irreversible, rules.PartnerAccountRequired, rules.RoleCreated, rules.SharingRecalculation, rules.InactiveUser} {
		i := strings.Index(md, "### "+string(c)+" ")
		if i < 0 {
			t.Fatalf("no section for %s", c)
		}
		order = append(order, i)
	}
	for i := 1; i < len(order); i++ {
		if order[i] < order[i-1] {
			t.Errorf("warning sections are not ordered by severity: %v", order)
		}
	}
}

func TestMarkdownCapsUsersPerCode(t *testing.T) {
	md := string(render(t, Markdown{}, syntheticPlan(60)))
	start := strings.Index(md, "### ROLE_REQUIRED ")
	if start < 0 {
		t.Fatalf("no ROLE_REQUIRED section:\n%s", md)
	}
	sec := md[start:]
	if end := strings.Index(sec[1:], "###"); end >= 0 {
		sec = sec[:end+1]
	}
	if !strings.HasPrefix(sec, "### ROLE_REQUIRED (medium): 60 users\n") {
		t.Errorf("section starts %q", sec[:min(60, len(sec))])
	}
	if n := strings.Count(sec, "\n- user"); n != mdMaxUsersPerCode {
		t.Errorf("section lists %d users, want %d", n, mdMaxUsersPerCode)
	}
	if want := "\n- ... and 57 more (plan.xlsx, sheet Warnings)\n"; !strings.Contains(sec, want) {
		t.Errorf("section has no %q", want)
	}
	if !strings.Contains(sec, "- user0@example.com (Account 0)\n") {
		t.Error("users are not listed as username (account)")
	}
}

// commonMark renders md as GitHub does (CommonMark with the GFM
// extensions: tables, autolinks, strikethrough), with raw HTML kept, so a
// value that became markup shows.
func commonMark(t *testing.T, md string) string {
	t.Helper()
	var buf bytes.Buffer
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(ghtml.WithUnsafe()))
	if err := gm.Convert([]byte(md), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// Every escaped value renders as its own text, in a list item and in a
// table cell, and makes no markup: no element but the list's or the
// table's, whatever the value holds.
func TestMdEscapeRendersAsText(t *testing.T) {
	values := []string{
		hostileScript, hostilePipe, hostileHyperlink, hostileNewline, "AT&T", "&lt;", "&#60;script&#62;",
		"Guest -> Customer", "> quoted", "- item", "+ item", "1. first", "12) x", "# h", "*bold* _it_ `code`",
		"[link](http://x)", "![img](http://x/i.png)", "~~gone~~", "<http://x>", "a <b>bold</b> c", `back\slash`,
		"=cmd|' /C calc'!A0", "x_y_z", "***", "---", "<!-- c -->", "&amp;",
	}
	allowed := map[string]bool{"<ul>": true, "</ul>": true, "<li>": true, "</li>": true, "<table>": true, "</table>": true,
		"<thead>": true, "</thead>": true, "<tbody>": true, "</tbody>": true, "<tr>": true, "</tr>": true,
		"<th>": true, "</th>": true, "<td>": true, "</td>": true}
	for _, v := range values {
		want := strings.Join(strings.Fields(v), " ")
		for name, doc := range map[string]string{
			"list item":  "- " + mdEscape(v) + "\n",
			"table cell": "| h |\n| --- |\n| " + mdEscape(v) + " |\n",
		} {
			t.Run(name+"/"+v, func(t *testing.T) {
				out := commonMark(t, doc)
				for _, tag := range tagRE.FindAllString(out, -1) {
					if !allowed[tag] {
						t.Errorf("%q renders markup %s: %s", v, tag, out)
					}
				}
				text := strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(out, " "))), " ")
				if name == "table cell" {
					text = strings.TrimSpace(strings.TrimPrefix(text, "h"))
				}
				if text != want {
					t.Errorf("%q renders as %q", v, text)
				}
			})
		}
	}
}

// report.md fits a Jira field whatever the org's size: the caps hold for a
// large generated org, and for a plan whose every value is as long as
// Salesforce allows and every list is long.
func TestMarkdownSize(t *testing.T) {
	long := func(p *planner.Plan) *planner.Plan {
		name := strings.Repeat("<script>x</script>|", 14) // 266 characters
		for i := range 200 {
			p.Notes = append(p.Notes, name+strconv.Itoa(i))
			p.Warnings = append(p.Warnings, planner.Warning{Code: rules.Code("CUSTOM_" + strconv.Itoa(i)), Message: name, License: name})
			p.Licenses = append(p.Licenses, planner.LicenseCapacity{License: name + strconv.Itoa(i)})
			p.Rules = append(p.Rules, planner.RuleUse{ID: name, From: name, To: name, Source: name, Conflict: name})
			p.Source.Files = append(p.Source.Files, name)
		}
		p.Source.Org.Name, p.Source.Path, p.Source.Targets = name, name, name
		return p
	}
	for name, p := range map[string]*planner.Plan{
		"200,000 users":              generatedPlan(t, 200_000),
		"long values and long lists": long(generatedPlan(t, 20_000)),
	} {
		t.Run(name, func(t *testing.T) {
			md := string(render(t, Markdown{}, p))
			if n := utf8.RuneCountInString(md); n > MarkdownLimit {
				t.Errorf("report.md has %d characters, more than %d", n, MarkdownLimit)
			}
			for _, want := range []string{"## Summary", "- **Fingerprint:** `", "plan.xlsx"} {
				if !strings.Contains(md, want) {
					t.Errorf("report.md lacks %q", want)
				}
			}
			if strings.Contains(strings.ToLower(commonMark(t, md)), "<script") {
				t.Error("a value became a <script element")
			}
		})
	}
}

// TestMarkdownCitesSourcesByTitle: report.md cites a rule's source by its
// document's title, linked to the Help article, with the file name after
// it (issue 12: sources were cited as 000_7706ceabebc363c0.txt alone).
func TestMarkdownCitesSourcesByTitle(t *testing.T) {
	md := string(render(t, Markdown{}, demoPlan(t)))
	for _, want := range []string{
		"- [Experience Cloud Licenses Eligible for Upgrades](" + rules.URL000 + ") (Salesforce Help), file 000\\_7706ceabebc363c0.txt\n",
		"| \"License change matrix (observed Salesforce results)\": row ",
		"| \"Experience Cloud Licenses Eligible for Upgrades\" (Salesforce Help): ",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md has no %q", want)
		}
	}
	if strings.Contains(md, "| 000\\_7706ceabebc363c0.txt:") {
		t.Error("report.md still cites a source by its file name")
	}
}

// report.md carries the change board's decision: what changes, the
// preconditions as a checklist (blockers unticked), what cannot be
// undone, the top risks and the sign-off with the fingerprint; and a count
// the inputs could not give is "unknown", never 0.
func TestMarkdownDecision(t *testing.T) {
	for _, tc := range []struct {
		name    string
		p       *planner.Plan
		want    []string
		notWant []string
	}{
		{"demo", demoPlan(t), []string{"## Decision\n\n64 of 159 users move to another license", "### Preconditions and blockers\n\n- [ ] **Blocker:** Buy or free 16 seats",
			"- [x] **In plan:** Enable 4 accounts", "### What cannot be undone\n\n- 15 change_license: upgrades to a license that requires a role",
			"### Top risks\n\n| Risk | Severity | Users | Mitigation | Owner | Status |", "low-severity codes", "## Sign-off\n",
			"| Licenses short | 2 |"}, nil},
		{"User.csv only", userOnlyPlan(t), []string{"| Licenses short | unknown: ", "| Roles created | unknown: ", "- [ ] **Unknown:** "},
			[]string{"| Licenses short | 0 |", "| Roles created | 0 |"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := string(render(t, Markdown{}, tc.p))
			for _, w := range tc.want {
				if !strings.Contains(md, w) {
					t.Errorf("report.md has no %q", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(md, w) {
					t.Errorf("report.md has %q", w)
				}
			}
			if fp := "- **Plan fingerprint:** `" + tc.p.Fingerprint + "`"; tc.p.Fingerprint != "" && !strings.Contains(md, fp) {
				t.Errorf("the sign-off lacks %q", fp)
			}
		})
	}
}
