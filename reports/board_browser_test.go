package reports

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/licenseplan/licenseplan/planner"
)

// printer prints pages in one headless Chromium, serving them from a
// loopback server.
type printer struct {
	t     *testing.T
	ctx   context.Context
	srv   *httptest.Server
	mu    sync.Mutex
	pages map[string][]byte
}

// newPrinter starts Chromium, or skips the test (fails it with
// LICENSEPLAN_REQUIRE_CHROMIUM=1) when there is none.
func newPrinter(t *testing.T) *printer {
	t.Helper()
	if testing.Short() && os.Getenv(requireChromiumEnv) != "1" {
		t.Skip("starts a browser")
	}
	exe := chromiumPath(t)
	pr := &printer{t: t, pages: map[string][]byte{}}
	pr.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr.mu.Lock()
		page, ok := pr.pages[r.URL.Path]
		pr.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	}))
	t.Cleanup(pr.srv.Close)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	ctx, cancel := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(cancel)
	pr.ctx = ctx
	return pr
}

// open serves page as name and opens it in a new tab, which the caller
// closes.
func (pr *printer) open(name string, page []byte) (context.Context, context.CancelFunc) {
	pr.t.Helper()
	pr.mu.Lock()
	pr.pages["/"+name] = page
	pr.mu.Unlock()
	ctx, cancel := chromedp.NewContext(pr.ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(pr.srv.URL+"/"+name), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		cancel()
		pr.t.Fatalf("opening %s: %v", name, err)
	}
	return ctx, cancel
}

// pdf prints page on paper (the page's CSS size wins when it sets one).
func (pr *printer) pdf(name string, page []byte, paper chromedp.PaperSize) []byte {
	pr.t.Helper()
	ctx, cancel := pr.open(name, page)
	defer cancel()
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(paper), chromedp.PDFPrintBackground(), chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		pr.t.Fatalf("printing %s: %v", name, err)
	}
	return pdf
}

// page1Only renders page 1 of p's report alone, with @page size paper
// ("A4" or "letter"): the report's stylesheets and the decision section,
// as the report prints them.
func page1Only(t *testing.T, p *planner.Plan, so SignOff, paper string) []byte {
	t.Helper()
	v := newHTMLView(p, so)
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>page 1</title><style>%s</style><style>%s</style><style>@page { size: %s; }</style></head>\n<body class=\"print-%s\"><div class=\"page\">",
		htmlCSS, v.PrintCSS, paper, v.Env.Kind)
	if err := htmlTemplate.ExecuteTemplate(&b, "decision", v); err != nil {
		t.Fatal(err)
	}
	b.WriteString("</div></body></html>\n")
	return b.Bytes()
}

// page1Screenshot is page 1 as printed on A4 (print media, the width of
// the page's content box), for a person to look at.
func (pr *printer) page1Screenshot(name string, page []byte) []byte {
	pr.t.Helper()
	ctx, cancel := pr.open(name, page)
	defer cancel()
	// A4 is 210 mm wide less 22 mm of margins: 188 mm at 96 px per inch.
	const width = 710
	if err := chromedp.Do(ctx, printMedia, chromedp.EmulateViewport(width, 1000)); err != nil {
		pr.t.Fatalf("screenshot of %s: %v", name, err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		pr.t.Fatalf("screenshot of %s: %v", name, err)
	}
	return png
}

// printMedia makes the tab lay out for print.
var printMedia = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	return err
})

// largePlan is a plan with more of everything than page 1 can list: the
// generated org of 3,000 users, a blocker of each kind, long names with
// hostile text, and many warning codes.
func largePlan(t *testing.T) *planner.Plan {
	t.Helper()
	p := generatedPlan(t, 3000)
	long := strings.Repeat("Very Long Account Name <script>alert(1)</script> =cmd|' /C calc'!A0 ", 3)
	for i := range p.Accounts {
		a := &p.Accounts[i]
		a.AccountName = long + strconv.Itoa(i)
		a.OwnerHasRole, a.OwnerRoleStep, a.Changing = "false", 0, max(a.Changing, 1)
		a.EnablePartnerStep = max(a.EnablePartnerStep, 1)
	}
	for i := range p.Licenses {
		p.Licenses[i].Shortfall = 7
	}
	p.Summary.Warnings["NO_CONTACT"] += 40
	p.Summary.Warnings["NO_TARGET_PROFILE"] += 9
	p.Summary.Warnings["TARGET_PROFILE_MISMATCH"] += 3
	p.Summary.Warnings["SNAPSHOT_INCOMPLETE"] += 2
	return p
}

// manyApprovers is a sign-off with more approvers than page 1 holds, with
// hostile names.
var manyApprovers = SignOff{ChangeID: "CHG0012345 <script>x</script>", Window: "Saturday 9 January 2027, 20:00 to 23:00 UTC",
	Backout: "=cmd|' /C calc'!A0 https://wiki.example/backout/CHG0012345",
	Approvers: []string{"Ada Lovelace (Head of CRM)", "<script>alert(1)</script>", "=cmd|' /C calc'!A0", "Grace Hopper",
		"Alan Turing", "Katherine Johnson", "Margaret Hamilton", "Edsger Dijkstra"}}

// TestPage1FitsOnePage: page 1 of the report, rendered alone, prints on
// exactly one A4 and one Letter page, for the demo org, for an input of
// User.csv alone (every unknown tile) and for a large plan whose lists
// page 1 must cut (issue 12: "Page 1 must fit one A4 and one Letter
// page").
func TestPage1FitsOnePage(t *testing.T) {
	pr := newPrinter(t)
	plans := []struct {
		name string
		p    *planner.Plan
		so   SignOff
	}{
		{"demo", demoPlan(t), SignOff{}},
		{"demo-signed", demoPlan(t), manyApprovers},
		{"user-csv-only", userOnlyPlan(t), SignOff{Approvers: []string{"Ada Lovelace"}}},
		{"large", largePlan(t), manyApprovers},
		// A production org has the largest banner; the fixture has
		// hostile names everywhere.
		{"production-hostile", fixturePlan(), manyApprovers},
		{"hostile-everywhere", hostilePlan(), manyApprovers},
	}
	for _, pc := range plans {
		for _, paper := range []struct {
			css  string
			size chromedp.PaperSize
		}{{"A4", chromedp.PaperA4}, {"letter", chromedp.PaperLetter}} {
			t.Run(pc.name+"/"+paper.css, func(t *testing.T) {
				page := page1Only(t, pc.p, pc.so, paper.css)
				pdf := pr.pdf(pc.name+"-"+paper.css+".html", page, paper.size)
				keep(t, "page1-"+pc.name+"-"+paper.css+".pdf", pdf)
				n := pdfPages(pdf)
				if n != 1 {
					t.Errorf("page 1 prints on %d %s pages, want 1", n, paper.css)
				}
				t.Logf("page 1 of %s on %s: %d page(s)", pc.name, paper.css, n)
			})
		}
	}
	if os.Getenv(browserOutEnv) != "" {
		keep(t, "page1-demo.png", pr.page1Screenshot("shot.html", page1Only(t, demoPlan(t), manyApprovers, "A4")))
		keep(t, "page1-large.png", pr.page1Screenshot("shot-large.html", page1Only(t, largePlan(t), manyApprovers, "A4")))
		keep(t, "page1-production.png", pr.page1Screenshot("shot-prod.html", page1Only(t, fixturePlan(), SignOff{}, "A4")))
	}
}

// TestReportPrint: the whole demo report prints with a header and footer
// on every page (the org, the fingerprint, page x of y), and far fewer
// pages than the 36 Letter pages, 9 of them rules, it printed to before
// (issue 12).
func TestReportPrint(t *testing.T) {
	pr := newPrinter(t)
	p := demoPlan(t)
	page := render(t, HTML{SignOff: SignOff{ChangeID: "CHG-42"}}, p)
	pdf := pr.pdf("report.html", page, chromedp.PaperLetter)
	keep(t, "report-letter.pdf", pdf)
	n := pdfPages(pdf)
	t.Logf("the demo report prints on %d Letter pages", n)
	if n > 24 {
		t.Errorf("the demo report prints on %d Letter pages, want at most 24", n)
	}
	texts := pdfTexts(t, pdf)
	// on counts the content streams (Chromium writes one a page) whose text
	// has s. Spaces are left out on both sides: Chromium often draws a
	// space as a move, not a glyph.
	nospace := strings.NewReplacer(" ", "")
	on := func(s string) int {
		c := 0
		for _, text := range texts {
			if strings.Contains(nospace.Replace(text), nospace.Replace(s)) {
				c++
			}
		}
		return c
	}
	for _, want := range []string{"Page 1 of " + strconv.Itoa(n), "Page " + strconv.Itoa(n) + " of " + strconv.Itoa(n)} {
		if on(want) != 1 {
			t.Errorf("%q is on %d pages, want 1", want, on(want))
		}
	}
	for _, want := range []string{"Plan " + p.Fingerprint, "Acme Demo (Sandbox) | Demo: built-in demo org", "Change CHG-42", " of " + strconv.Itoa(n)} {
		if c := on(want); c < n {
			t.Errorf("%q is on %d of %d pages", want, c, n)
		}
	}

	// The rules appendix: at most 3 of those pages.
	ctx, cancel := pr.open("measure.html", page)
	defer cancel()
	if err := chromedp.Do(ctx, printMedia, chromedp.EmulateViewport(733, 950)); err != nil {
		t.Fatal(err)
	}
	heights, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`Object.fromEntries(Array.from(document.querySelectorAll("#decision, #appendix > header, main > section"), e => [e.id || "details", e.getBoundingClientRect().height / 953]))`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Letter pages per section: %v", heights)
	h := heights["rules"] * 953
	// Letter's content box is 194 x 253 mm: 953 px at 96 px per inch.
	if pages := h / 953; pages > 3 {
		t.Errorf("the rules appendix is %.1f Letter pages long, want at most 3", pages)
	}
}

// pdfTexts is the text of each page of pdf, from poppler's pdftotext
// (Debian's poppler-utils, which .ci/run installs beside chromium): a real
// PDF reader, so the test checks what a reader of the printout sees.
func pdfTexts(t *testing.T, pdf []byte) []string {
	t.Helper()
	exe, err := exec.LookPath("pdftotext")
	if err != nil {
		msg := "pdftotext not found: install poppler-utils (apt-get install -y poppler-utils) to read the printed report"
		if os.Getenv("LICENSEPLAN_REQUIRE_CHROMIUM") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	f := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for i := 1; i <= pdfPages(pdf); i++ {
		out, err := exec.Command(exe, "-q", "-f", strconv.Itoa(i), "-l", strconv.Itoa(i), f, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext page %d: %v", i, err)
		}
		texts = append(texts, string(out))
	}
	return texts
}
