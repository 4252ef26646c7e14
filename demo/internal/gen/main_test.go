package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite demo/snapshot and demo/targets.csv")

// The checked-in demo files, relative to this package.
var (
	snapshotDir = filepath.Join("..", "..", "snapshot")
	targetsFile = filepath.Join("..", "..", "targets.csv")
)

// TestCheckedInFilesUpToDate regenerates the demo and compares it byte for
// byte with the files under demo/, so they cannot drift from data.go (or
// from org.WriteSnapshot's format). Run with -update to rewrite them.
func TestCheckedInFilesUpToDate(t *testing.T) {
	ctx := context.Background()
	if *update {
		if err := generate(ctx, snapshotDir, targetsFile); err != nil {
			t.Fatal(err)
		}
	}
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "snapshot")
	if err := generate(ctx, dir, filepath.Join(tmp, "targets.csv")); err != nil {
		t.Fatal(err)
	}
	want := listFiles(t, dir)
	got := listFiles(t, snapshotDir)
	if !slices.Equal(got, want) {
		t.Errorf("demo/snapshot holds %v, the generator writes %v; run go test ./demo/internal/gen -update", got, want)
	}
	for _, name := range want {
		compare(t, filepath.Join(dir, name), filepath.Join(snapshotDir, name))
	}
	compare(t, filepath.Join(tmp, "targets.csv"), targetsFile)
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func compare(t *testing.T, generated, checkedIn string) {
	t.Helper()
	want, err := os.ReadFile(generated)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(checkedIn)
	if err != nil {
		t.Fatalf("%v; run go test ./demo/internal/gen -update", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s is out of date (run go test ./demo/internal/gen -update); first difference on line %d:\nchecked in: %q\ngenerated:  %q",
				checkedIn, i+1, g, w)
			return
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	s1, t1, err := build()
	if err != nil {
		t.Fatal(err)
	}
	s2, t2, err := build()
	if err != nil {
		t.Fatal(err)
	}
	if len(s1.Users) != len(s2.Users) || !bytes.Equal(t1, t2) {
		t.Fatal("build is not deterministic")
	}
	for i := range s1.Users {
		if !reflect.DeepEqual(s1.Users[i], s2.Users[i]) {
			t.Fatalf("user %d differs between builds", i)
		}
	}
}

func TestRunFlags(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"extra"}, &stderr); code != 2 {
		t.Errorf("run with an argument = %d, want 2", code)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "snap")
	if code := run(context.Background(), []string{"-out", out}, &stderr); code != 0 {
		t.Fatalf("run = %d: %s", code, stderr.String())
	}
	for _, p := range []string{filepath.Join(out, "User.csv"), filepath.Join(dir, "targets.csv")} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Olivia Bennett":   "olivia.bennett",
		"Jean Paul Sartre": "jean.sartre",
		"Madonna":          "madonna",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
