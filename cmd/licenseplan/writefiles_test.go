package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/licenseplan/licenseplan/demo/demoplan"
	"github.com/licenseplan/licenseplan/planner"
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
			if !contains(tc.formats, "json") {
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

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
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
	var _ *planner.Plan = p
}
