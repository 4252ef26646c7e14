package reports

import (
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/rules"
)

func TestMdEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{hostileScript, "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{hostilePipe, `a\|b`},
		{hostileNewline, "Line one Line two"},
		{"a\r\nb", "a  b"},
		{hostileTab, "Tab"},
		{" - nested", `\- nested`},
		{"\n\t  # h  \n", `\# h`},
		{hostileEsc, `Esc\\x1b\[31mRed\\x1b\]0;pwned\\x07`},
		{"*bold* _it_ `code` [link](x) # h ~s~ $x$", "\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](x) \\# h \\~s\\~ \\$x\\$"},
		{`back\slash`, `back\\slash`},
		{"AT&T", "AT&amp;T"},
		{"&lt;", "&amp;lt;"},
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
		if strings.Contains(strings.ToLower(md), "<script") {
			t.Error("report contains a raw <script")
		}
		if !strings.Contains(md, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("the hostile account name is missing (escaped)")
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
		"# License migration plan: Acme \\| &lt;Corp&gt; \\*prod\\*\n",
		"**production org**",
		"- **Generated:** 2025-03-14T09:26:53Z\n",
		"| Partner accounts to enable | 1 |",
		"| Outcome: disable and re-enable | 1 |",
		"| Roles created | 3 |",
		"| Partner Community | 10 | 9 | 3 | 0 | 12 | **2** |",
		"| Customer Community | unknown | unknown | 0 | 2 | unknown | 0 |",
		"- **LICENSE_CAPACITY** (high, license Partner Community): ",
		"- **ACCOUNT_OWNER_NO_ROLE** (high, account a\\|b): ",
		"### PERMISSION_SETS_REMOVED (medium): 2 users",
		"- minus@acme.example (&lt;script&gt;alert(1)&lt;/script&gt;)\n",
		"- line@acme.example\n",
		"| 1 | prepare | enable_partner_account |  | &lt;script&gt;alert(1)&lt;/script&gt; | ",
		"| 8 | recreate | transfer_records | line@acme.example |  | Transfer records owned by the old user | 6, 7 | no |",
		"| customer-community-to-partner-community-reenable | Customer Community | Partner Community | disable_reenable | 1 | rules.yaml line 12 | Org override: disable and enable again. Conflict: ",
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
	if !strings.Contains(sec, "\n- ... and 10 more\n") {
		t.Error(`section has no "... and 10 more"`)
	}
	if !strings.Contains(sec, "- user0@example.com (Account 0)\n") {
		t.Error("users are not listed as username (account)")
	}
}

// TestMarkdownCitesSourcesByTitle: report.md cites a rule's source by its
// document's title, linked to the Help article, with the file name after
// it (issue 12: sources were cited as 000_7706ceabebc363c0.txt alone).
func TestMarkdownCitesSourcesByTitle(t *testing.T) {
	md := string(render(t, Markdown{}, demoPlan(t)))
	for _, want := range []string{
		"[Experience Cloud Licenses Eligible for Upgrades](" + rules.URL000 + ") (Salesforce Help): ",
		"\"License change matrix (observed Salesforce results)\": row ",
		"(file 000\\_7706ceabebc363c0.txt)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md has no %q", want)
		}
	}
	if strings.Contains(md, "| 000\\_7706ceabebc363c0.txt:") {
		t.Error("report.md still cites a source by its file name")
	}
}
