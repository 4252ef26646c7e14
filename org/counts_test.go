package org

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// TestCountsRoundTrip: a snapshot's Counted survives WriteSnapshot and
// ReadSnapshot, only for the files written, and a write without counts
// removes an older counts file.
func TestCountsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := &Snapshot{Users: []User{{ID: "005000000000001AAA", Username: "a@x", License: "Salesforce"}},
		Counted: map[string]int{"User.csv": 1, "Profile.csv": 7}}
	if err := WriteSnapshot(context.Background(), dir, s); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSnapshot(context.Background(), os.DirFS(dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"User.csv": 1}; !maps.Equal(got.Counted, want) {
		t.Errorf("Counted %v, want %v (Profile.csv was not written)", got.Counted, want)
	}
	s.Counted = nil
	if err := WriteSnapshot(context.Background(), dir, s); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, CountsFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a stale %s was kept: %v", CountsFile, err)
	}
}

func TestBadCounts(t *testing.T) {
	user := &fstest.MapFile{Data: []byte("Id,Username,Profile.UserLicense.Name\n005000000000001AAA,a@x,Salesforce\n")}
	tests := []struct{ name, data, want string }{
		{"not JSON", "{", "snap/snapshot-counts.json: not the JSON licenseplan writes"},
		{"unknown key", `{"records":{},"extra":1}`, "unknown field"},
		{"unknown file", `{"records":{"Evil.csv":1}}`, `"Evil.csv": 1 is not a count of a snapshot file`},
		{"negative", `{"records":{"User.csv":-1}}`, "is not a count"},
		{"too large", strings.Repeat(" ", maxCountsBytes+1), "over 64 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"User.csv": user, CountsFile: {Data: []byte(tt.data)}}
			_, err := ReadSnapshot(context.Background(), fsys, "snap")
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want an InputError with %q", err, tt.want)
			}
		})
	}
}
