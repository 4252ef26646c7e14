package reports

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// planFromSnapshot plans snap as `licenseplan plan` does: the default rules,
// then extra (the demo's per-user targets, or nil), then the
// experience-cloud preset; the plan has its fingerprint.
func planFromSnapshot(tb testing.TB, snap *org.Snapshot, src planner.Source, extra []byte) *planner.Plan {
	tb.Helper()
	table, err := rules.Default()
	if err != nil {
		tb.Fatal(err)
	}
	canon := table.Catalog
	var sets []*targets.Set
	if extra != nil {
		t, err := targets.ParseCSV("demo targets.csv", bytes.NewReader(extra), canon)
		if err != nil {
			tb.Fatal(err)
		}
		sets = append(sets, t)
	}
	preset, err := targets.Preset("experience-cloud", canon)
	if err != nil {
		tb.Fatal(err)
	}
	tg, err := targets.Merge(append(sets, preset)...)
	if err != nil {
		tb.Fatal(err)
	}
	src.Targets = tg.Describe
	p := planner.Build(snap, table, tg, planner.Options{Now: time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC), Source: src})
	if err := SetFingerprint(context.Background(), p); err != nil {
		tb.Fatal(err)
	}
	return p
}

// demoPlan is the plan of the built-in demo org, with its hostile names.
func demoPlan(tb testing.TB) *planner.Plan {
	tb.Helper()
	snap, err := org.ReadSnapshot(context.Background(), demo.Snapshot(), "demo")
	if err != nil {
		tb.Fatal(err)
	}
	return planFromSnapshot(tb, snap, planner.Source{Kind: "demo", Path: "built-in demo org", Files: snap.Files}, demo.Targets())
}

// generatedPlan is the plan of a generated org of n users.
func generatedPlan(tb testing.TB, n int) *planner.Plan {
	tb.Helper()
	snap := orggen.Generate(orggen.Options{Users: n, Seed: 1})
	return planFromSnapshot(tb, snap, planner.Source{Kind: "snapshot", Path: "generated", Files: snap.Files}, nil)
}

// hostilePlan is the fixture with every string the report shows replaced by
// a payload that breaks out of text, attributes, URLs, CSS or SVG if it is
// not escaped.
func hostilePlan() *planner.Plan {
	const (
		breakAttr = `"><img src=https://evil.example/x.png onerror=alert(1)>`
		breakCSS  = `</style><style>body{background:url(https://evil.example/c)}</style>`
		breakSVG  = `</text></svg><script src="http://evil.example/s.js"></script>`
		jsURL     = `javascript:alert(1)`
		bidi      = "\u202eevil\u202c \x1b[31m"
	)
	payloads := []string{breakAttr, breakCSS, breakSVG, jsURL, bidi, hostileScript}
	i := 0
	next := func() string { i++; return payloads[i%len(payloads)] + strconv.Itoa(i) }
	p := fixturePlan()
	p.Fingerprint = breakAttr
	p.Source.Kind, p.Source.Path, p.Source.Targets = next(), next(), next()
	p.Source.Org.Name, p.Source.Org.ID, p.Source.Org.OrganizationType, p.Source.Org.InstanceName = breakAttr, next(), next(), next()
	for j := range p.Source.Files {
		p.Source.Files[j] = next()
	}
	editUsers(p, func(_ int, u *planner.UserPlan) {
		u.Username, u.Name, u.AccountName, u.FromLicense, u.ToLicense = next(), next(), next(), next(), next()
		for k := range u.Warnings {
			u.Warnings[k].Message = next()
		}
	})
	editSteps(p, func(_ int, s *planner.Step) {
		s.Description, s.UserID, s.AccountID = next(), next(), next()
	})
	for j := range p.Accounts {
		a := &p.Accounts[j]
		a.AccountName, a.AccountID = next(), next()
		for k := range a.RolesCreated {
			a.RolesCreated[k] = next()
		}
	}
	for j := range p.Licenses {
		p.Licenses[j].License = next()
	}
	for j := range p.Rules {
		r := &p.Rules[j]
		r.ID, r.From, r.To, r.Source, r.Explanation, r.Conflict = next(), next(), next(), next(), next(), next()
	}
	for j := range p.Warnings {
		p.Warnings[j].Message, p.Warnings[j].License = next(), next()
	}
	p.Summary.Warnings[jsURL] = 3 // a code outside the vocabulary
	for j := range p.Notes {
		p.Notes[j] = next()
	}
	return p
}

// urlAttrs are the attributes whose value a browser fetches or follows.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "srcset": true, "xlink:href": true, "action": true, "formaction": true,
	"data": true, "poster": true, "background": true, "cite": true, "ping": true, "manifest": true, "codebase": true,
}

// activeElements are elements that run code or load something.
var activeElements = map[string]bool{
	"script": true, "iframe": true, "frame": true, "object": true, "embed": true, "img": true, "image": true,
	"link": true, "base": true, "form": true, "video": true, "audio": true, "source": true, "use": true,
	"foreignobject": true, "animate": true, "set": true,
}

// inertProblems lists everything in doc that could run or load: active
// elements, event handlers, style attributes, URL attributes other than
// same-page fragments, and style sheets that import or fetch.
func inertProblems(doc []byte) []string {
	var problems []string
	z := html.NewTokenizer(bytes.NewReader(doc))
	inStyle := false
	styles := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				problems = append(problems, "tokenizer: "+z.Err().Error())
			}
			// The stylesheet, and the print header and footer of the plan.
			if styles != 2 {
				problems = append(problems, strconv.Itoa(styles)+" style elements, want 2")
			}
			return problems
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			name := strings.ToLower(tok.Data)
			if activeElements[name] {
				problems = append(problems, "element <"+name+">")
			}
			if name == "style" {
				inStyle = true
				styles++
			}
			if name == "meta" {
				for _, a := range tok.Attr {
					if a.Key == "http-equiv" && strings.EqualFold(a.Val, "refresh") {
						problems = append(problems, "meta refresh")
					}
				}
			}
			for _, a := range tok.Attr {
				key := strings.ToLower(a.Key)
				if a.Namespace != "" {
					key = a.Namespace + ":" + key
				}
				switch {
				case strings.HasPrefix(key, "on"):
					problems = append(problems, "event handler "+key+" on <"+name+">")
				case key == "style":
					problems = append(problems, "style attribute on <"+name+">")
				case urlAttrs[key] && !strings.HasPrefix(a.Val, "#") && !(key == "href" && name == "a" && sourceDocURL(a.Val)):
					problems = append(problems, key+"="+strconv.Quote(a.Val)+" on <"+name+">")
				}
			}
		case html.EndTagToken:
			if tok := z.Token(); strings.EqualFold(tok.Data, "style") {
				inStyle = false
			}
		case html.TextToken:
			if inStyle {
				css := strings.ToLower(string(z.Text()))
				for _, bad := range []string{"url(", "@import", "http:", "https:", "expression(", "@font-face"} {
					if strings.Contains(css, bad) {
						problems = append(problems, "style sheet contains "+bad)
					}
				}
			}
		}
	}
}

func TestHTMLIsInert(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    *planner.Plan
	}{
		{"fixture", fixturePlan()},
		{"hostile everywhere", hostilePlan()},
		{"demo org", demoPlan(t)},
		{"empty", &planner.Plan{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := render(t, HTML{}, tt.p)
			for _, pr := range inertProblems(doc) {
				t.Error(pr)
			}
			lower := strings.ToLower(string(doc))
			if strings.Contains(lower, "<script") {
				t.Error(`the report contains "<script"`)
			}
			for _, bad := range []string{`href="http`, `src="http`, `href='http`, `src='http`} {
				// The one link out: to a source document's own address.
				if strings.Contains(strings.ReplaceAll(lower, `href="`+strings.ToLower(strings.ReplaceAll(rules.URL000, "&", "&amp;"))+`"`, ""), bad) {
					t.Errorf("the report contains %q", bad)
				}
			}
			if !strings.Contains(string(doc), `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`) {
				t.Error("the report has no Content-Security-Policy that denies by default")
			}
			for i, r := range string(doc) {
				if r != '\n' && unsafeRune(r) {
					t.Fatalf("control or bidi character %q at byte %d", r, i)
				}
			}
		})
	}
}

func TestHTMLEscapesHostileNames(t *testing.T) {
	doc := string(render(t, HTML{}, fixturePlan()))
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;",               // account name, as text
		`<h1 id="decision-h">Acme | &lt;Corp&gt; *prod*</h1>`, // org name
		"Globex\\x1b[2J",                         // escape sequences made visible
		"Line one\\nLine two",                    // a newline in a name stays on one line
		"<span class=\"person\">@SUM(A1)</span>", // a formula is plain text
		"\\tTab@acme.example",                    // tab in a username
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the report does not contain %q", want)
		}
	}
	// License names are drawn as SVG text and titles.
	p := fixturePlan()
	editUsers(p, func(_ int, u *planner.UserPlan) {
		if u.ToLicense == "Partner Community" {
			u.ToLicense = hostileScript
		}
	})
	p.Licenses[0].License = hostileScript
	svg := string(render(t, HTML{}, p))
	for _, want := range []string{
		`class="label">&lt;script&gt;alert(1)&lt;/script&gt; <tspan class="count">4</tspan><title>&lt;script&gt;alert(1)&lt;/script&gt;</title></text>`, // flow
		`class="label">&lt;script&gt;alert(1)&lt;/script&gt;<title>&lt;script&gt;alert(1)&lt;/script&gt;</title></text>`,                                // outcomes
		`<title>&lt;script&gt;alert(1)&lt;/script&gt;: 9 seats used now, 12 after the plan, 10 owned (&#43;3 in, −0 out)</title>`,                       // capacity
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the charts do not contain %q", want)
		}
	}
}

// metrics returns the data-metric values of a report.
func metrics(t *testing.T, doc []byte) map[string]int {
	t.Helper()
	out := map[string]int{}
	z := html.NewTokenizer(bytes.NewReader(doc))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		if tt != html.StartTagToken {
			continue
		}
		var key, val string
		for _, a := range z.Token().Attr {
			switch a.Key {
			case "data-metric":
				key = a.Val
			case "data-value":
				val = a.Val
			}
		}
		if key == "" {
			continue
		}
		n, err := strconv.Atoi(val)
		if err != nil {
			t.Fatalf("data-metric %q has data-value %q", key, val)
		}
		if prev, dup := out[key]; dup && prev != n {
			t.Errorf("data-metric %q is both %d and %d", key, prev, n)
		}
		out[key] = n
	}
	return out
}

func TestHTMLSummaryMetrics(t *testing.T) {
	p := fixturePlan()
	got := metrics(t, render(t, HTML{}, p))
	s := p.Summary
	want := map[string]int{
		"users": s.Users, "steps": s.Steps, "warnings": s.TotalWarnings(),
		"partnerAccountsToEnable": s.PartnerAccountsToEnable, "rolesCreated": s.RolesCreated,
		"irreversibleChanges": s.IrreversibleChanges, "newUserRecords": s.NewUserRecords, "licensesShort": s.LicensesShort,
		"noTarget": s.NoTarget,
	}
	for o, n := range s.Outcomes {
		want["outcome."+o] = n
	}
	for k, n := range want {
		t.Run(k, func(t *testing.T) {
			if g, ok := got[k]; !ok || g != n {
				t.Errorf("data-metric %q = %d (present %v), want %d", k, g, ok, n)
			}
		})
	}
	if len(got) != len(want) {
		t.Errorf("the page has %d metrics, want %d: %v", len(got), len(want), got)
	}
}

func TestHTMLBanner(t *testing.T) {
	tests := []struct {
		name string
		org  *planner.OrgInfo
		want string
	}{
		{"production", &planner.OrgInfo{Name: "P", IsSandbox: ptr(false)}, `<div class="banner env-production"`},
		{"sandbox false without production", &planner.OrgInfo{Name: "P", IsSandbox: ptr(false)}, `<div class="banner env-production"`},
		{"sandbox", &planner.OrgInfo{Name: "S", IsSandbox: ptr(true)}, `<div class="banner env-sandbox"`},
		{"unknown", &planner.OrgInfo{Name: "U"}, `<div class="banner env-unknown"`},
		{"no org", nil, `<div class="banner env-unknown"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fixturePlan()
			setOrg(p, tt.org)
			doc := string(render(t, HTML{}, p))
			if !strings.Contains(doc, tt.want) {
				t.Errorf("no %q in the report", tt.want)
			}
			if strings.Count(doc, `<div class="banner `) != 1 {
				t.Error("want exactly one banner")
			}
		})
	}
}

func TestHTMLSections(t *testing.T) {
	doc := string(render(t, HTML{}, fixturePlan()))
	// In order: header, summary, charts, risk register, steps, accounts,
	// rules, sign-off.
	order := []string{
		`<header class="report-header">`,
		`<time datetime="2025-03-14T09:26:53Z">14 March 2025, 09:26:53 UTC</time>`,
		`<section id="summary"`,
		`<figure class="chart" id="chart-flow">`,
		`<figure class="chart" id="chart-outcomes">`,
		`<figure class="chart" id="chart-capacity">`,
		`<section id="risks"`,
		`<section id="steps"`,
		`<h3 id="phase-prepare">`,
		`<h3 id="phase-convert">`,
		`<h3 id="phase-recreate">`,
		`<h3 id="phase-follow-up">`,
		`<section id="accounts"`,
		`<section id="rules"`,
	}
	last := -1
	for _, s := range order {
		i := strings.Index(doc, s)
		if i < 0 {
			t.Errorf("the report has no %q", s)
			continue
		}
		if i < last {
			t.Errorf("%q is out of order", s)
		}
		last = i
	}
	// Charts are accessible: a title, a description and a table each.
	if n := strings.Count(doc, `role="img" aria-labelledby=`); n != 3 {
		t.Errorf("%d labelled charts, want 3", n)
	}
	for _, s := range []string{"<caption>License flow as a table</caption>", "<caption>Outcomes per target license as a table</caption>", "<caption>License capacity</caption>"} {
		if !strings.Contains(doc, s) {
			t.Errorf("no table equivalent %q", s)
		}
	}
	// Risk register: most severe first; the plan-level capacity warning is
	// in its group.
	var at []int
	for _, c := range []rules.Code{rules.NoConversionPath, rules.LicenseCapacity, rules.AccountOwnerNoRole, rules.PartnerAccountRequired, rules.ScaleLimit, rules.InactiveUser} {
		i := strings.Index(doc, `<article class="risk sev-`+c.Severity().String()+`" id="risk-`+htmlAnchor(string(c))+`"`)
		if i < 0 {
			t.Fatalf("no risk entry for %s", c)
		}
		at = append(at, i)
	}
	for i := 1; i < len(at); i++ {
		if at[i] < at[i-1] {
			t.Errorf("risk entries are not most severe first: %v", at)
		}
	}
	for _, s := range []string{
		"Partner Community needs 12 seats but the org has 10 (short by 2).",
		`<span class="tag">account a|b</span> The owner of account a|b has no role.`,
		"<strong>Conflict:</strong> Overrides the catalog rule",
		`<td>step 1</td>`,
		`with conditions`,
	} {
		if !strings.Contains(doc, s) {
			t.Errorf("the report has no %q", s)
		}
	}
}

func TestHTMLSummarisesLongLists(t *testing.T) {
	const n = 1000
	doc := string(render(t, HTML{}, syntheticPlan(n)))
	convert := doc[strings.Index(doc, `<h3 id="phase-convert">`):]
	convert = convert[:strings.Index(convert, "</table>")]
	if rows := strings.Count(convert, "<tr><td class=\"num\">"); rows != htmlMaxRows {
		t.Errorf("the convert phase shows %d steps, want %d", rows, htmlMaxRows)
	}
	for _, s := range []string{
		"… and " + strconv.Itoa(n-htmlMaxRows) + " more Convert steps: the full list is in plan.xlsx (sheet Steps).",
		"… and " + strconv.Itoa(n-htmlMaxUsersPerCode) + " more: the full list is in plan.xlsx (sheet Warnings).",
	} {
		if !strings.Contains(doc, s) {
			t.Errorf("the report does not say %q", s)
		}
	}
}

func TestHTMLSummarisesLongRiskRegister(t *testing.T) {
	p := fixturePlan()
	us := p.Users.Slice()
	u := &us[0]
	for i := range htmlMaxRows + 5 {
		c := rules.Code("X" + strconv.Itoa(i)) // outside the vocabulary
		u.Warnings = append(u.Warnings, planner.Warning{Code: c, Message: "m"})
		p.Summary.Warnings[string(c)]++
	}
	p.Users = planner.NewUsers(us...)
	for range htmlMaxRows + 7 {
		p.Warnings = append(p.Warnings, planner.Warning{Code: rules.ScaleLimit, Message: "again"})
		p.Summary.Warnings[string(rules.ScaleLimit)]++
	}
	doc := string(render(t, HTML{}, p))
	codes := len(p.Summary.Warnings)
	for _, s := range []string{
		"… and " + strconv.Itoa(codes-htmlMaxRows) + " more warning codes: the full list is in plan.xlsx (sheet Warnings).",
		"… and 8 more: the full list is in plan.xlsx (sheet Warnings).", // SCALE_LIMIT: 1 + 257 plan-level, 250 shown
	} {
		if !strings.Contains(doc, s) {
			t.Errorf("the report does not say %q", s)
		}
	}
	if n := strings.Count(doc, `<article class="risk `); n != htmlMaxRows {
		t.Errorf("%d risk entries, want %d", n, htmlMaxRows)
	}
}

func TestHTMLIDsAreUnique(t *testing.T) {
	p := hostilePlan()
	us := p.Users.Slice()
	for _, c := range []string{"A B", "A-B", "a_b"} {
		us[0].Warnings = append(us[0].Warnings, planner.Warning{Code: rules.Code(c)})
		p.Summary.Warnings[c] = 1
	}
	p.Users = planner.NewUsers(us...)
	for _, tt := range []struct {
		name string
		p    *planner.Plan
	}{{"hostile", p}, {"demo", demoPlan(t)}} {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]bool{}
			z := html.NewTokenizer(bytes.NewReader(render(t, HTML{}, tt.p)))
			for tok := z.Next(); tok != html.ErrorToken; tok = z.Next() {
				for _, a := range z.Token().Attr {
					if a.Key == "id" {
						if seen[a.Val] {
							t.Errorf("id %q is used twice", a.Val)
						}
						seen[a.Val] = true
					}
				}
			}
			if len(seen) < 20 {
				t.Errorf("only %d ids", len(seen))
			}
		})
	}
}

// TestHTMLSize checks the bound: under 5 MB at 100,000 users.
func TestHTMLSize(t *testing.T) {
	if testing.Short() {
		t.Skip("plans 100,000 users")
	}
	const limit = 5 << 20
	for _, tt := range []struct {
		name string
		p    func() *planner.Plan
	}{
		{"generated org", func() *planner.Plan { return generatedPlan(t, 100_000) }},
		{"synthetic plan", func() *planner.Plan { return syntheticPlan(100_000) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cw := &countWriter{}
			if err := (HTML{}).Write(context.Background(), cw, tt.p()); err != nil {
				t.Fatal(err)
			}
			t.Logf("report.html: %d bytes", cw.n)
			if cw.n >= limit {
				t.Errorf("report.html is %d bytes, want under %d", cw.n, limit)
			}
		})
	}
}

func TestHTMLStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cw := &cancelWriter{cancel: cancel}
	err := (HTML{}).Write(ctx, cw, syntheticPlan(20000))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Write = %v, want context.Canceled", err)
	}
	if cw.n > 64<<10 {
		t.Errorf("wrote %d bytes, want at most one buffer (64 KiB) after the cancel", cw.n)
	}
}

func TestHTMLThousands(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {100000, "100,000"}, {1234567, "1,234,567"}, {-1234, "-1,234"}, {-12, "-12"}} {
		t.Run(tt.want, func(t *testing.T) {
			if got := htmlThousands(tt.n); got != tt.want {
				t.Errorf("htmlThousands(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

// BenchmarkWriteHTMLGenerated writes the report of a generated org of
// 100,000 users (the size bound), a plan as Build makes it:
//
//	go test ./reports -run '^$' -bench Generated -benchmem
func BenchmarkWriteHTMLGenerated(b *testing.B) { benchmarkGenerated(b, HTML{}) }

// BenchmarkWriteMarkdownGenerated writes report.md of the same plan.
func BenchmarkWriteMarkdownGenerated(b *testing.B) { benchmarkGenerated(b, Markdown{}) }

func benchmarkGenerated(b *testing.B, w Writer) {
	p := generatedPlan(b, benchUsers)
	cw := &countWriter{}
	if err := w.Write(context.Background(), cw, p); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := w.Write(context.Background(), io.Discard, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cw.n), "file-bytes") // after ResetTimer, which drops reported metrics
}

// BenchmarkWriteHTML writes the synthetic plan of bench_test.go.
func BenchmarkWriteHTML(b *testing.B) { benchmarkWriter(b, HTML{}) }

// sourceDocURL reports whether u is the address of a source document: the
// one kind of link the report has to anywhere else (a link a reader
// follows, never a load).
func sourceDocURL(u string) bool {
	for _, d := range rules.Documents {
		if d.URL != "" && u == d.URL {
			return true
		}
	}
	return false
}
