package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/licenseplan/licenseplan/planner"
)

// requireChromiumEnv, set to 1 (as .ci/run does), makes the browser test
// fail instead of skip when Chromium is missing.
const requireChromiumEnv = "LICENSEPLAN_REQUIRE_CHROMIUM"

// browserOutEnv names a folder where the browser test also keeps its
// screenshots and PDF, for a person to look at.
const browserOutEnv = "LICENSEPLAN_BROWSER_OUT"

// chromiumPath finds Debian's chromium, or skips the test (fails it when
// LICENSEPLAN_REQUIRE_CHROMIUM=1).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium not found: install it (apt-get install -y chromium) to open report.html in a real browser"
	if os.Getenv(requireChromiumEnv) == "1" {
		t.Fatal(msg + " (" + requireChromiumEnv + "=1 makes this a failure)")
	}
	t.Skip(msg)
	return ""
}

// browserEvents collects what the page does: console messages, exceptions,
// log entries and network requests.
type browserEvents struct {
	mu       sync.Mutex
	console  []string
	errors   []string
	requests []string
}

func (b *browserEvents) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var args []string
		for _, a := range ev.Args {
			args = append(args, string(a.Value))
		}
		b.console = append(b.console, string(ev.Type)+": "+strings.Join(args, " "))
	case *runtime.EventExceptionThrown:
		b.errors = append(b.errors, "exception: "+ev.ExceptionDetails.Text)
	case *log.EventEntryAdded:
		if e := ev.Entry; e.Level == log.EntryLevelError || e.Level == log.EntryLevelWarning {
			b.errors = append(b.errors, "log "+string(e.Level)+" ("+string(e.Source)+"): "+e.Text+" "+e.URL)
		}
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, ev.Request.URL)
	case *network.EventLoadingFailed:
		b.errors = append(b.errors, "loading failed: "+ev.ErrorText)
	}
}

func (b *browserEvents) snapshot() (console, errs, requests []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.console), slices.Clone(b.errors), slices.Clone(b.requests)
}

// pageMetric is one data-metric or data-warning element of the page.
type pageMetric struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Text  string `json:"text"`
	// Known is "false" for a figure whose input was missing: the page
	// shows "unknown", never the number.
	Known string `json:"known"`
}

// TestHTMLInChromium opens report.html in headless Chromium from a loopback
// server and checks that it renders (a screenshot and an A4 PDF), logs no
// error, requests nothing but itself, and shows the summary of plan.json.
func TestHTMLInChromium(t *testing.T) {
	if testing.Short() && os.Getenv(requireChromiumEnv) != "1" {
		t.Skip("starts a browser")
	}
	exe := chromiumPath(t)
	plans := []struct {
		name string
		p    *planner.Plan
	}{
		{"demo", demoPlan(t)},
		{"fixture", fixturePlan()},
		{"generated", generatedPlan(t, 100_000)}, // long lists summarised
	}

	dir := t.TempDir()
	for _, pc := range plans {
		if pc.p.Fingerprint == "" {
			if err := SetFingerprint(context.Background(), pc.p); err != nil {
				t.Fatal(err)
			}
		}
		for name, w := range map[string]Writer{"plan.json": JSON{}, "report.html": HTML{}} {
			if err := os.WriteFile(filepath.Join(dir, pc.name+"-"+name), render(t, w, pc.p), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var (
		mu             sync.Mutex
		served, opened []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		served = append(served, r.URL.Path)
		mu.Unlock()
		name := strings.TrimPrefix(r.URL.Path, "/")
		if !strings.HasSuffix(name, "-report.html") || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(dir, name))
	}))
	defer srv.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	// Start the browser with a context that has no deadline (the first Run
	// owns the browser), then limit the whole test.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	deadline, cancelDeadline := context.WithTimeout(bctx, 2*time.Minute)
	defer cancelDeadline()

	for _, pc := range plans {
		t.Run(pc.name, func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(deadline) // a new tab
			defer cancel()
			ev := &browserEvents{}
			if err := chromedp.Listen(ctx, ev.listen); err != nil {
				t.Fatal(err)
			}
			url := srv.URL + "/" + pc.name + "-report.html"
			mu.Lock()
			opened = append(opened, "/"+pc.name+"-report.html")
			mu.Unlock()
			if err := chromedp.Do(ctx,
				chromedp.EmulateViewport(1280, 900),
				chromedp.Navigate(url),
				chromedp.WaitReady(chromedp.CSS("#signoff")),
			); err != nil {
				t.Fatalf("opening %s: %v", url, err)
			}

			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			img, err := png.Decode(bytes.NewReader(shot))
			if err != nil {
				t.Fatalf("the screenshot is not a PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 900 {
				t.Errorf("screenshot is %v, want at least 800×900", b)
			}
			shotPath := filepath.Join(t.TempDir(), "screenshot.png")
			if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
				t.Fatal(err)
			}
			if st, err := os.Stat(shotPath); err != nil || st.Size() == 0 {
				t.Errorf("screenshot %s: %v, %d bytes", shotPath, err, st.Size())
			}
			keep(t, pc.name+"-screenshot.png", shot)

			for _, paper := range []struct {
				name string
				size chromedp.PaperSize
			}{{"a4", chromedp.PaperA4}, {"letter", chromedp.PaperLetter}} {
				pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(paper.size), chromedp.PDFPrintBackground()))
				if err != nil {
					t.Fatalf("print to PDF on %s: %v", paper.name, err)
				}
				if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
					t.Errorf("PrintToPDF on %s gave no PDF (starts %q)", paper.name, pdf[:min(len(pdf), 8)])
				}
				// Sections start on a new page, so the report has at least
				// one page for each of the header and summary, charts, risk
				// register, steps, accounts, rules and sign-off.
				if pages := pdfPages(pdf); pages < 7 {
					t.Errorf("the %s PDF has %d pages, want at least 7 (one per section)", paper.name, pages)
				}
				keep(t, pc.name+"-"+paper.name+".pdf", pdf)
			}

			raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]pageMetric](`Array.from(document.querySelectorAll("[data-metric], [data-warning]"), e => ({key: e.dataset.metric ? e.dataset.metric : "warning." + e.dataset.warning, value: e.dataset.value, text: e.textContent.trim(), known: e.dataset.known || ""}))`))
			if err != nil {
				t.Fatalf("reading the summary from the page: %v", err)
			}
			// Body text keeps the ink colour (a class shared with the
			// banner once turned it white).
			ink, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".verdict")).color`))
			if err != nil || ink != "rgb(27, 36, 48)" {
				t.Errorf("summary text colour = %q (%v), want rgb(27, 36, 48)", ink, err)
			}
			fingerprint, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("fingerprint")))
			if err != nil {
				t.Fatalf("reading the fingerprint from the page: %v", err)
			}
			checkPageSummary(t, filepath.Join(dir, pc.name+"-plan.json"), raw, fingerprint)

			console, errs, requests := ev.snapshot()
			for _, m := range console {
				t.Errorf("console message: %s", m)
			}
			for _, e := range errs {
				t.Errorf("browser error: %s", e)
			}
			for _, r := range requests {
				if r != url {
					t.Errorf("the page requested %s", r)
				}
			}
			if !slices.Contains(requests, url) {
				t.Errorf("no request for the page itself was seen: %v", requests)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(served, opened) {
		t.Errorf("the server was asked for %v, want only the pages opened, %v", served, opened)
	}
}

// checkPageSummary compares the figures on the page with the summary of the
// plan.json at path: every field of summary must be on the page, with its
// value, both as data-value and as the text a reader sees.
func checkPageSummary(t *testing.T, path string, onPage []pageMetric, fingerprint string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Fingerprint string                     `json:"fingerprint"`
		Summary     map[string]json.RawMessage `json:"summary"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for k, v := range doc.Summary {
		var n int
		if json.Unmarshal(v, &n) == nil {
			want[k] = n
			continue
		}
		var m map[string]int
		if err := json.Unmarshal(v, &m); err != nil {
			t.Fatalf("plan.json summary.%s is neither a number nor a map of numbers: %s", k, v)
		}
		prefix := map[string]string{"outcomes": "outcome.", "warnings": "warning."}[k]
		if prefix == "" {
			t.Fatalf("plan.json summary.%s is a map this test does not know", k)
		}
		total := 0
		for name, n := range m {
			want[prefix+name] = n
			total += n
		}
		if k == "warnings" {
			want["warnings"] = total // the page shows the sum too
		}
	}
	got := map[string]int{}
	for _, m := range onPage {
		n, err := strconv.Atoi(m.Value)
		if err != nil {
			t.Errorf("%s: data-value %q is not a number", m.Key, m.Value)
			continue
		}
		if m.Known == "false" {
			if m.Text != "unknown" {
				t.Errorf("%s: unknown, but the page shows %q", m.Key, m.Text)
			}
		} else if text := strings.ReplaceAll(m.Text, ",", ""); text != m.Value {
			t.Errorf("%s: the page shows %q but data-value is %q", m.Key, m.Text, m.Value)
		}
		got[m.Key] = n
	}
	for k, n := range want {
		if strings.HasPrefix(k, "warning.") && n == 0 {
			continue // the risk register lists the codes that occur
		}
		if g, ok := got[k]; !ok {
			t.Errorf("plan.json summary %s = %d is not on the page", k, n)
		} else if g != n {
			t.Errorf("the page shows %s = %d, plan.json says %d", k, g, n)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("the page shows %s, which plan.json's summary does not have", k)
		}
	}
	if fingerprint != doc.Fingerprint || fingerprint == "" {
		t.Errorf("the page shows fingerprint %q, plan.json has %q", fingerprint, doc.Fingerprint)
	}
}

// pdfPages counts the page objects of a PDF that Chromium wrote (it does not
// compress its page dictionaries).
func pdfPages(pdf []byte) int {
	return bytes.Count(pdf, []byte("/Type /Page\n")) + bytes.Count(pdf, []byte("/Type /Page/")) + bytes.Count(pdf, []byte("/Type /Page>"))
}

// keep copies a browser artefact to LICENSEPLAN_BROWSER_OUT when it is set.
func keep(t *testing.T, name string, data []byte) {
	t.Helper()
	dir := os.Getenv(browserOutEnv)
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", path, len(data))
}
