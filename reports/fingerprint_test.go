package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/licenseplan/licenseplan/planner"
)

func TestFingerprint(t *testing.T) {
	ctx := context.Background()
	base, err := Fingerprint(ctx, fixturePlan())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(base, FingerprintPrefix) || len(base) != len(FingerprintPrefix)+64 {
		t.Fatalf("fingerprint %q: want sha256: and 64 hex digits", base)
	}
	tests := []struct {
		name string
		edit func(p *planner.Plan)
		same bool
	}{
		{"identical plan", func(p *planner.Plan) {}, true},
		{"other generation time", func(p *planner.Plan) { p.GeneratedAt = time.Unix(0, 0) }, true},
		{"stale fingerprint field", func(p *planner.Plan) { p.Fingerprint = "sha256:00" }, true},
		{"a target profile edited", func(p *planner.Plan) {
			us := p.Users.Slice()
			us[0].ToProfile = "System Administrator"
			p.Users = planner.NewUsers(us...)
		}, false},
		{"a step removed", func(p *planner.Plan) { p.Steps = planner.NewSteps(p.Steps.Slice()[1:]...) }, false},
		{"a note added", func(p *planner.Plan) { p.Notes = append(p.Notes, "x") }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := fixturePlan()
			tc.edit(p)
			got, err := Fingerprint(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if (got == base) != tc.same {
				t.Errorf("fingerprint %s, base %s: want same=%v", got, base, tc.same)
			}
		})
	}
}

func TestReadJSONChecksFingerprint(t *testing.T) {
	ctx := context.Background()
	p := fixturePlan()
	if err := SetFingerprint(ctx, p); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := (JSON{}).Write(ctx, &buf, p); err != nil {
		t.Fatal(err)
	}
	t.Run("untouched file reads back", func(t *testing.T) {
		q, err := ReadJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if q.Fingerprint != p.Fingerprint {
			t.Errorf("fingerprint %q, want %q", q.Fingerprint, p.Fingerprint)
		}
	})
	t.Run("edited file is refused", func(t *testing.T) {
		edited := bytes.Replace(buf.Bytes(), []byte(`"Partner Community User"`), []byte(`"System Administrator"`), 1)
		if bytes.Equal(edited, buf.Bytes()) {
			t.Fatal("fixture has no Partner Community User profile to edit")
		}
		_, err := ReadJSON(bytes.NewReader(edited))
		if !errors.Is(err, ErrFingerprint) {
			t.Fatalf("err = %v, want ErrFingerprint", err)
		}
	})
}

// TestSignedAsWritten: ReadJSON's shortcut takes a file as WriteFingerprint
// wrote it, of the current schema and of an older one, and nothing else:
// an edit anywhere, the header included, sends the file to the encoding
// check, which a reformatted file that holds the same plan passes.
func TestSignedAsWritten(t *testing.T) {
	ctx := context.Background()
	written := func(t *testing.T, p *planner.Plan) []byte {
		t.Helper()
		path := filepath.Join(t.TempDir(), "plan.json")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := (JSON{}).WriteFingerprint(ctx, f, p); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	older := fixturePlan()
	older.SchemaVersion = 5
	current, old := written(t, fixturePlan()), written(t, older)
	var indented bytes.Buffer
	if err := json.Indent(&indented, bytes.ReplaceAll(current, []byte("\n"), nil), "", "\t"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		data     []byte
		shortcut bool  // signedAsWritten
		err      error // ReadJSON's
	}{
		{"as written", current, true, nil},
		{"schema 5 as written", old, true, nil},
		{"reformatted", indented.Bytes(), false, nil},
		{"a name edited", bytes.Replace(current, []byte("line@acme.example"), []byte("evil@acme.example"), 1), false, ErrFingerprint},
		// generatedAt is outside the fingerprint (Fingerprint), and the
		// header is made from the time the file gives.
		{"the time edited", bytes.Replace(current, []byte(`"generatedAt": "2025`), []byte(`"generatedAt": "2024`), 1), true, nil},
		{"a byte appended", append(slices.Clone(current), ' '), false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name != "as written" && tc.name != "schema 5 as written" && bytes.Equal(tc.data, current) {
				t.Fatal("the edit changed nothing")
			}
			p, err := ReadJSON(bytes.NewReader(tc.data))
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("ReadJSON: %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if got := signedAsWritten(tc.data, p); got != tc.shortcut {
				t.Errorf("signedAsWritten = %v, want %v", got, tc.shortcut)
			}
		})
	}
}

// TestWriteFingerprint: plan.json written with its fingerprint hashed as
// it streams is byte for byte what SetFingerprint and Write give, and its
// fingerprint is Fingerprint's.
func TestWriteFingerprint(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		plan func() *planner.Plan
	}{
		{"fixture", fixturePlan},
		{"stale fingerprint", func() *planner.Plan { p := fixturePlan(); p.Fingerprint = "sha256:00"; return p }},
		{"no generation time", func() *planner.Plan { p := fixturePlan(); p.GeneratedAt = time.Time{}; return p }},
		{"synthetic", func() *planner.Plan { return syntheticPlan(3000) }},
		{"empty", func() *planner.Plan { return &planner.Plan{} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.plan()
			f, err := os.Create(filepath.Join(t.TempDir(), "plan.json"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fp, err := (JSON{}).WriteFingerprint(ctx, f, p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(f.Name())
			if err != nil {
				t.Fatal(err)
			}
			q := tc.plan()
			if err := SetFingerprint(ctx, q); err != nil {
				t.Fatal(err)
			}
			if fp != q.Fingerprint {
				t.Errorf("fingerprint %s, Fingerprint says %s", fp, q.Fingerprint)
			}
			var want bytes.Buffer
			if err := (JSON{}).Write(ctx, &want, q); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("WriteFingerprint wrote %d bytes that differ from Write's %d", len(got), want.Len())
			}
			if _, err := ReadJSON(bytes.NewReader(got)); err != nil {
				t.Errorf("ReadJSON: %v", err)
			}
		})
	}
}

func TestWriteFingerprintErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (JSON{}).WriteFingerprint(ctx, &discardAt{}, syntheticPlan(10)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
	if _, err := (JSON{}).WriteFingerprint(context.Background(), &discardAt{failAt: true}, syntheticPlan(10)); !errors.Is(err, errBoom) {
		t.Errorf("WriteAt failing: err = %v, want errBoom", err)
	}
	if _, err := (JSON{}).WriteFingerprint(context.Background(), &discardAt{}, nil); err == nil {
		t.Error("nil plan: no error")
	}
}

// discardAt is a WriterAt that keeps nothing; with failAt its WriteAt fails.
type discardAt struct{ failAt bool }

func (d *discardAt) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardAt) WriteAt(b []byte, _ int64) (int, error) {
	if d.failAt {
		return 0, errBoom
	}
	return len(b), nil
}

// BenchmarkPlanJSON compares writing plan.json with its fingerprint the
// old way (Fingerprint encodes the plan once to hash it, Write again) and
// with WriteFingerprint (one encoding, hashed as it is written):
//
//	go test ./reports -run '^$' -bench PlanJSON -benchmem
func BenchmarkPlanJSON(b *testing.B) {
	p := syntheticPlan(benchUsers)
	ctx := context.Background()
	b.Run("fingerprint-then-write", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			q := *p
			if err := SetFingerprint(ctx, &q); err != nil {
				b.Fatal(err)
			}
			if err := (JSON{}).Write(ctx, io.Discard, &q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("write-fingerprint", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := (JSON{}).WriteFingerprint(ctx, &discardAt{}, p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkReadJSON reads plan.json of a generated 100,000-user plan,
// fingerprint checked, from a file (whose size presizes the buffer) and
// from a stream of unknown size:
//
//	go test ./reports -run '^$' -bench ReadJSON -benchmem
func BenchmarkReadJSON(b *testing.B) {
	p := generatedPlan(b, benchUsers)
	if err := SetFingerprint(context.Background(), p); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "plan.json")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := (JSON{}).Write(context.Background(), f, p); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	check := func(b *testing.B, q *planner.Plan, err error) {
		if err != nil || q.Users.Len() != p.Users.Len() {
			b.Fatal(err)
		}
	}
	b.Run("file", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			q, err := ReadJSON(f)
			f.Close()
			check(b, q, err)
		}
	})
	b.Run("stream", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			q, err := ReadJSON(bytes.NewReader(data))
			check(b, q, err)
		}
	})
}
