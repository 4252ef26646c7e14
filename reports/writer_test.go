package reports

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/planner"
)

var update = flag.Bool("update", false, "rewrite golden files")

// render writes p with w and returns the output.
func render(t testing.TB, w Writer, p *planner.Plan) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := w.Write(context.Background(), &buf, p); err != nil {
		t.Fatalf("%T.Write: %v", w, err)
	}
	return buf.Bytes()
}

// allWriters lists every format with its writer, plus the coloured text
// writer, so tests that must hold for every writer cover all of them.
func allWriters() []struct {
	name string
	w    Writer
} {
	var out []struct {
		name string
		w    Writer
	}
	for _, f := range Formats() {
		w, err := ForFormat(f)
		if err != nil {
			panic(err)
		}
		out = append(out, struct {
			name string
			w    Writer
		}{f, w})
	}
	return append(out, struct {
		name string
		w    Writer
	}{"text-color", Text{Color: true}})
}

func TestFormats(t *testing.T) {
	want := []string{"csv", "html", "json", "md", "text", "xlsx"}
	if got := Formats(); !slices.Equal(got, want) {
		t.Errorf("Formats() = %v, want %v", got, want)
	}
}

func TestForFormat(t *testing.T) {
	tests := []struct {
		name    string
		want    Writer
		wantErr bool
	}{
		{"json", JSON{}, false},
		{"csv", CSV{}, false},
		{"md", Markdown{}, false},
		{"text", Text{}, false},
		{"xlsx", XLSX{}, false},
		{"xls", nil, true},
		{"JSON", nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ForFormat(tt.name)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ForFormat(%q) = %T, want an error", tt.name, got)
				}
				if !errors.Is(err, ErrUnknownFormat) {
					t.Errorf("error %v is not ErrUnknownFormat", err)
				}
				for _, f := range Formats() {
					if !strings.Contains(err.Error(), f) {
						t.Errorf("error %q does not list format %q", err, f)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ForFormat(%q): %v", tt.name, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ForFormat(%q) = %#v, want %#v", tt.name, got, tt.want)
			}
		})
	}
}

func TestFileName(t *testing.T) {
	tests := []struct {
		format string
		want   string
		ok     bool
	}{
		{"json", "plan.json", true},
		{"csv", "plan.csv", true},
		{"md", "report.md", true},
		{"html", "report.html", true},
		{"xlsx", "plan.xlsx", true},
		{"text", "", false},
		{"nope", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			got, ok := FileName(tt.format)
			if got != tt.want || ok != tt.ok {
				t.Errorf("FileName(%q) = %q, %v; want %q, %v", tt.format, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		golden string
		w      Writer
	}{
		{"golden-plan.json", JSON{}},
		{"golden-plan.csv", CSV{}},
		{"golden-report.md", Markdown{}},
		{"golden-summary.txt", Text{}},
		{"html-report.html", HTML{}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			checkGolden(t, tt.golden, render(t, tt.w, fixturePlan()))
		})
	}
}

// checkGolden compares got with the golden file testdata/name, or rewrites
// the file with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update if the change is intended)\n%s", path, firstDiff(got, want))
	}
}

// firstDiff describes the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + strconv.Quote(gl) + "\nwant: " + strconv.Quote(wl)
		}
	}
	return "(no line differs)"
}

func TestDeterministic(t *testing.T) {
	for _, tt := range allWriters() {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range []*planner.Plan{fixturePlan(), syntheticPlan(300)} {
				a := render(t, tt.w, p)
				// Shuffle map insertion by rebuilding the maps in reverse.
				q := *p
				q.Summary.Outcomes = reversedMap(p.Summary.Outcomes)
				q.Summary.Warnings = reversedMap(p.Summary.Warnings)
				b := render(t, tt.w, &q)
				if !bytes.Equal(a, b) {
					t.Errorf("two writes of the same plan differ:\n%s", firstDiff(a, b))
				}
			}
		})
	}
}

func reversedMap(m map[string]int) map[string]int {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	slices.Reverse(keys)
	out := make(map[string]int, len(m))
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}

// nilPlan is the fixture with every list and map that can be nil set to nil.
func nilPlan() *planner.Plan {
	p := fixturePlan()
	p.Source.Files = nil
	p.Summary.Outcomes = nil
	p.Summary.Warnings = nil
	editUsers(p, func(_ int, u *planner.UserPlan) {
		u.Steps = nil
		u.Warnings = nil
	})
	editSteps(p, func(_ int, s *planner.Step) {
		s.DependsOn = nil
	})
	for i := range p.Accounts {
		p.Accounts[i].RolesCreated = nil
	}
	p.Rules, p.Warnings, p.Notes = nil, nil, nil
	return p
}

func TestWritersHandleEmptyPlans(t *testing.T) {
	plans := []struct {
		name string
		p    *planner.Plan
	}{
		{"zero", &planner.Plan{}},
		{"nil lists", nilPlan()},
		{"org without name", &planner.Plan{Overview: planner.Overview{Source: planner.Source{Org: &planner.OrgInfo{}}}}},
		{"steps without users", &planner.Plan{Steps: planner.NewSteps(planner.Step{Seq: 1, UserID: "005x"}, planner.Step{Seq: 2, AccountID: "001x"})}},
	}
	for _, tt := range allWriters() {
		for _, pc := range plans {
			t.Run(tt.name+"/"+pc.name, func(t *testing.T) {
				out := render(t, tt.w, pc.p)
				if len(out) == 0 {
					t.Error("empty output")
				}
			})
		}
		t.Run(tt.name+"/nil plan", func(t *testing.T) {
			err := tt.w.Write(context.Background(), &bytes.Buffer{}, nil)
			if !errors.Is(err, errNilPlan) {
				t.Errorf("Write(nil plan) = %v, want errNilPlan", err)
			}
		})
	}
}

func TestWritersDoNotMutatePlan(t *testing.T) {
	for _, tt := range allWriters() {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range []*planner.Plan{fixturePlan(), nilPlan()} {
				before := nilPlan()
				if p.Users.At(0).Steps != nil {
					before = fixturePlan()
				}
				render(t, tt.w, p)
				// DeepEqual tells nil from empty, so filling a nil list in
				// place would fail here.
				if !reflect.DeepEqual(p, before) {
					t.Error("Write changed the plan")
				}
			}
		})
	}
}

func TestWritersStopWhenCancelled(t *testing.T) {
	for _, tt := range allWriters() {
		t.Run(tt.name+"/before", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var buf bytes.Buffer
			err := tt.w.Write(ctx, &buf, fixturePlan())
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Write = %v, want context.Canceled", err)
			}
		})
	}
	// Writers whose output grows with the plan must also notice a cancel
	// in the middle of their rows. (report.md is bounded by MarkdownLimit
	// and written when it is complete, so a cancel from its writer comes
	// too late to stop anything.)
	for _, tt := range []struct {
		name string
		w    Writer
	}{{"json", JSON{}}, {"csv", CSV{}}} {
		t.Run(tt.name+"/during", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cw := &cancelWriter{cancel: cancel}
			err := tt.w.Write(ctx, cw, syntheticPlan(20000))
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Write = %v, want context.Canceled", err)
			}
			if cw.n > 8<<20 {
				t.Errorf("wrote %d bytes after the cancel", cw.n)
			}
		})
	}
}

// cancelWriter cancels its context on the first write.
type cancelWriter struct {
	cancel func()
	n      int
}

func (c *cancelWriter) Write(b []byte) (int, error) {
	c.cancel()
	c.n += len(b)
	return len(b), nil
}

var errBoom = errors.New("disk full")

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errBoom }

func TestWritersReturnWriteErrors(t *testing.T) {
	for _, tt := range allWriters() {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.w.Write(context.Background(), failWriter{}, fixturePlan())
			if !errors.Is(err, errBoom) {
				t.Errorf("Write = %v, want it to wrap %v", err, errBoom)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "writing ") {
				t.Errorf("error %q does not say what was being written", err)
			}
		})
	}
}

// TestDemoBanner: a plan of the built-in demo org says so in every report,
// although the demo's Organization record says sandbox; a real org's plan
// never does.
func TestDemoBanner(t *testing.T) {
	demo := fixturePlan()
	demo.Source.Kind = "demo"
	setOrg(demo, &planner.OrgInfo{Name: "Acme Demo (Sandbox)", ID: "00D000000000000AAA", IsSandbox: ptr(true)})
	tests := []struct {
		name   string
		w      Writer
		banner string
	}{
		{"html", HTML{}, `<div class="banner env-demo"`},
		{"markdown", Markdown{}, "> **DEMO: built-in demo org.**"},
		{"text", Text{}, "DEMO: the built-in demo org, not an org of yours."},
		{"csv", CSV{}, ",demo\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(render(t, tt.w, demo)); !strings.Contains(got, tt.banner) {
				t.Errorf("the demo plan's %s lacks %q", tt.name, tt.banner)
			}
			real := fixturePlan()
			if got := string(render(t, tt.w, real)); strings.Contains(got, tt.banner) {
				t.Errorf("a real org's %s has the demo banner %q", tt.name, tt.banner)
			}
		})
	}
}

// Production or sandbox is decided once (Source.Environment): every writer
// shows the same answer for the same org record. Markdown once read only
// the production flag, and so called an org with IsSandbox false neither
// production nor sandbox.
func TestEnvironmentSameInEveryWriter(t *testing.T) {
	tests := []struct {
		name     string
		org      *planner.OrgInfo
		markdown string
		html     string
		csv      string
	}{
		{"IsSandbox false", &planner.OrgInfo{Name: "P", IsSandbox: ptr(false)}, ", **production org**", "env-production", "production"},
		{"IsSandbox true", &planner.OrgInfo{Name: "S", IsSandbox: ptr(true)}, ", sandbox", "env-sandbox", "sandbox"},
		{"IsSandbox blank", &planner.OrgInfo{Name: "U"}, ", sandbox or production unknown", "env-unknown", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fixturePlan()
			setOrg(p, tt.org)
			if md := string(render(t, Markdown{}, p)); !strings.Contains(md, tt.markdown) {
				t.Errorf("markdown lacks %q", tt.markdown)
			}
			if doc := string(render(t, HTML{}, p)); !strings.Contains(doc, `<div class="banner `+tt.html+`"`) {
				t.Errorf("HTML banner is not %s", tt.html)
			}
			if c := string(render(t, CSV{}, p)); !strings.Contains(c, ","+tt.csv+"\n") {
				t.Errorf("CSV rows do not end in %s", tt.csv)
			}
			// plan.json keeps it: read back, the plan has the same environment.
			q, err := ReadJSON(bytes.NewReader(render(t, JSON{}, p)))
			if err != nil {
				t.Fatal(err)
			}
			if q.Source.Environment != p.Source.Environment {
				t.Errorf("read back: %v, want %v", q.Source.Environment, p.Source.Environment)
			}
		})
	}
}

// TestShowsFingerprint: a format shows the fingerprint exactly when two
// plans that differ only in it render differently, so the table that
// orders plan's writers (ShowsFingerprint) cannot go stale.
func TestShowsFingerprint(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			w, err := ForFormat(format)
			if err != nil {
				t.Fatal(err)
			}
			a, b := fixturePlan(), fixturePlan()
			a.Fingerprint = "sha256:" + strings.Repeat("a", 64)
			b.Fingerprint = "sha256:" + strings.Repeat("b", 64)
			differ := !bytes.Equal(render(t, w, a), render(t, w, b))
			if differ != ShowsFingerprint(format) {
				t.Errorf("output depends on the fingerprint: %v; ShowsFingerprint: %v", differ, ShowsFingerprint(format))
			}
		})
	}
	if !ShowsFingerprint("pdf") {
		t.Error("an unknown format is taken not to show the fingerprint")
	}
}
