package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/licenseplan/licenseplan/demo/demoplan"
	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/reports"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// readTree returns every file under dir by its path relative to dir.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestWriteFilesConcurrently: the files writeFiles writes at the same time,
// with the fingerprint computed while plan.json is written, are the bytes
// the writers give one at a time for a plan whose fingerprint was computed
// first (reports.SetFingerprint).
func TestWriteFilesConcurrently(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		formats []string
	}{
		{"every file", fileFormats()},
		{"json and what shows the fingerprint", []string{"html", "json", "xlsx"}},
		{"no json", []string{"csv", "md", "xlsx"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := demoplan.Plan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := p.Fingerprint
			sequential := t.TempDir()
			for _, f := range tc.formats {
				if _, err := writeFiles(ctx, sequential, p, []string{f}, reportExtras{}); err != nil {
					t.Fatal(err)
				}
			}
			q := *p
			if !slices.Contains(tc.formats, "json") {
				// Without plan.json the fingerprint must be there already.
				q.Fingerprint = want
			} else {
				q.Fingerprint = ""
			}
			together := t.TempDir()
			names, err := writeFiles(ctx, together, &q, sortedByFile(tc.formats), reportExtras{})
			if err != nil {
				t.Fatal(err)
			}
			if len(names) != len(tc.formats) {
				t.Errorf("wrote %q, want %d names", names, len(tc.formats))
			}
			if q.Fingerprint != want {
				t.Errorf("fingerprint %q, want %q", q.Fingerprint, want)
			}
			a, b := readTree(t, sequential), readTree(t, together)
			if len(a) != len(b) {
				t.Errorf("%d files one by one, %d together", len(a), len(b))
			}
			for name, content := range a {
				if !bytes.Equal(content, b[name]) {
					t.Errorf("%s differs when written together", name)
				}
			}
		})
	}
}

// TestWriteFilesFirstError: a failing writer's error is returned, not the
// cancellation it causes in the others, and the folder holds no file of a
// writer that failed.
func TestWriteFilesFirstError(t *testing.T) {
	ctx := context.Background()
	p, err := demoplan.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.Fingerprint = ""
	p.SchemaVersion = 99 // the JSON writer refuses it
	dir := t.TempDir()
	_, err = writeFiles(ctx, dir, p, fileFormats(), reportExtras{})
	if err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the JSON writer's", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "plan.json")); err == nil {
		t.Error("plan.json written by a writer that failed")
	}
	// plan.xlsx, written beside plan.json, waited for its fingerprint,
	// which never came: it is not written either (and did not hang).
	if _, err := os.Stat(filepath.Join(dir, "plan.xlsx")); err == nil {
		t.Error("plan.xlsx written without the fingerprint")
	}
	var _ *planner.Plan = p
}

// failingWriter fails every write, and counts them.
type failingWriter struct{ writes int }

func (w *failingWriter) Write([]byte) (int, error) {
	w.writes++
	return 0, errors.New("broken pipe")
}

// TestWriteJSONStdout: plan.json written to stdout through a temporary
// file is the file writeFiles writes, with the same fingerprint; it falls
// back to encoding twice when no temporary file can be made, leaves no
// temporary file behind, and a failing stdout is reported, not written a
// second time.
func TestWriteJSONStdout(t *testing.T) {
	ctx := context.Background()
	p, err := demoplan.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := p.Fingerprint
	dir := t.TempDir()
	q := *p
	q.Fingerprint = ""
	if _, err := writeFiles(ctx, dir, &q, []string{"json"}, reportExtras{}); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		tmpdir func(t *testing.T) string
	}{
		{"spooled", func(t *testing.T) string { return t.TempDir() }},
		{"no temporary folder", func(t *testing.T) string { return filepath.Join(t.TempDir(), "missing") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmp := tc.tmpdir(t)
			t.Setenv("TMPDIR", tmp)
			var out bytes.Buffer
			q := *p
			q.Fingerprint = ""
			if err := writeJSONStdout(ctx, &Streams{Out: &out}, &q); err != nil {
				t.Fatal(err)
			}
			if q.Fingerprint != want {
				t.Errorf("fingerprint %q, want %q", q.Fingerprint, want)
			}
			if !bytes.Equal(out.Bytes(), file) {
				t.Errorf("stdout (%d bytes) is not plan.json (%d bytes)", out.Len(), len(file))
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("left %d files in the temporary folder", len(left))
			}
		})
	}
	t.Run("stdout fails", func(t *testing.T) {
		t.Setenv("TMPDIR", t.TempDir())
		w := &failingWriter{}
		q := *p
		q.Fingerprint = ""
		err := writeJSONStdout(ctx, &Streams{Out: w}, &q)
		if err == nil || !strings.Contains(err.Error(), "writing json to stdout: broken pipe") {
			t.Fatalf("err = %v, want the stdout error", err)
		}
		if w.writes != 1 {
			t.Errorf("%d writes to stdout, want 1: the plan must not be written again after stdout failed", w.writes)
		}
	})
	t.Run("plan refused", func(t *testing.T) {
		q := *p
		q.Fingerprint = ""
		q.SchemaVersion = 99
		var out bytes.Buffer
		if err := writeJSONStdout(ctx, &Streams{Out: &out}, &q); !errors.Is(err, reports.ErrSchemaVersion) {
			t.Fatalf("err = %v, want ErrSchemaVersion", err)
		}
		if out.Len() != 0 {
			t.Errorf("wrote %d bytes of a refused plan", out.Len())
		}
	})
}

// BenchmarkWriteFiles writes every file of a generated 100,000-user plan
// the old way, the fingerprint computed by an encoding of its own and the
// files one after the other, and as plan --out does now (writeFiles): the
// fingerprint hashed while plan.json is written, the writers at the same
// time. Run it on an otherwise idle machine; concurrency gains nothing
// when no core is free:
//
//	go test ./cmd/licenseplan -run '^$' -bench WriteFiles -benchmem
func BenchmarkWriteFiles(b *testing.B) {
	ctx := context.Background()
	tb, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	tg, err := targets.Preset("experience-cloud", tb.Catalog)
	if err != nil {
		b.Fatal(err)
	}
	snap := orggen.Generate(orggen.Options{Users: 100_000, Seed: 1})
	p := planner.Build(snap, tb, tg, planner.Options{Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Source: planner.Source{Kind: "snapshot", Path: "orggen", Files: snap.Files, Targets: tg.Describe}})
	formats := sortedByFile(fileFormats())
	b.Run("fingerprint-then-one-by-one", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			q := *p
			if err := reports.SetFingerprint(ctx, &q); err != nil {
				b.Fatal(err)
			}
			dir := b.TempDir()
			for _, f := range formats {
				if _, err := writeFiles(ctx, dir, &q, []string{f}, reportExtras{}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("writeFiles", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			q := *p
			if _, err := writeFiles(ctx, b.TempDir(), &q, formats, reportExtras{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
