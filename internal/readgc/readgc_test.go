package readgc

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
)

// gcPercent reads the current GOGC percentage without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestForReading(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "User.csv"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(dir, "User.csv"), 100<<20); err != nil { // sparse: no disk
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		dir       string
		env       map[string]string
		wantOff   bool
		wantLimit int64 // besides the memory in use
		hold      int   // bytes held live while reading starts
		extra     int64 // memory to come, given to ForReading
	}{
		{"collector off, limit 1.75 times the folder", dir, nil, true, 175 << 20, 0, 0},
		{"GOGC is the user's", dir, map[string]string{"GOGC": "50"}, false, 0, 0, 0},
		{"GOMEMLIMIT is the user's", dir, map[string]string{"GOMEMLIMIT": "1GiB"}, false, 0, 0, 0},
		{"no folder, no change", filepath.Join(dir, "missing"), nil, false, 0, 0, 0},
		{"small folder, the lowest limit", t.TempDir(), nil, true, minLimit, 0, 0},
		// Seen: a million per-user targets, read before the snapshot,
		// left the read so little room that it collected nonstop.
		{"memory held before is added", dir, nil, true, 175 << 20, 256 << 20, 0},
		// A targets file parsed while the snapshot is read.
		{"memory to come is added", dir, nil, true, 175<<20 + 64<<20, 0, 64 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			held := make([]byte, tt.hold)
			for i := range held {
				held[i] = 1 // touched, as a parsed file's memory is
			}
			beforePercent, beforeLimit := gcPercent(), debug.SetMemoryLimit(-1)
			restore := ForReading(context.Background(), tt.dir, func(k string) string { return tt.env[k] }, tt.extra)
			gotPercent, gotLimit := gcPercent(), debug.SetMemoryLimit(-1)
			used := inUse()
			restore()
			runtime.KeepAlive(held)
			if off := gotPercent == -1; off != tt.wantOff {
				t.Errorf("GOGC while reading = %d, want off: %v", gotPercent, tt.wantOff)
			}
			if lo, hi := tt.wantLimit+int64(tt.hold), tt.wantLimit+used; tt.wantOff && (gotLimit < lo || gotLimit > hi) {
				t.Errorf("memory limit while reading = %d, want %d plus the %d bytes in use (at least %d held)", gotLimit, tt.wantLimit, used, tt.hold)
			}
			if !tt.wantOff && gotLimit != beforeLimit {
				t.Errorf("memory limit changed to %d", gotLimit)
			}
			if p, l := gcPercent(), debug.SetMemoryLimit(-1); p != beforePercent || l != beforeLimit {
				t.Errorf("after restore: GOGC %d, limit %d; want %d, %d", p, l, beforePercent, beforeLimit)
			}
		})
	}
}

func TestForRun(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "User.csv"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(dir, "User.csv"), 100<<20); err != nil { // sparse: no disk
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		dir       string
		env       map[string]string
		wantLimit int64 // 0: unchanged
		extra     int64
	}{
		{"limit 1.75 times the folder", dir, nil, 175 << 20, 0},
		{"GOGC is the user's", dir, map[string]string{"GOGC": "50"}, 0, 0},
		{"GOMEMLIMIT is the user's", dir, map[string]string{"GOMEMLIMIT": "1GiB"}, 0, 0},
		{"no folder, no change", filepath.Join(dir, "missing"), nil, 0, 0},
		{"memory to come is added", dir, nil, 175<<20 + 64<<20, 64 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			beforePercent, beforeLimit := gcPercent(), debug.SetMemoryLimit(-1)
			restore := ForRun(context.Background(), tt.dir, func(k string) string { return tt.env[k] }, tt.extra)
			gotPercent, gotLimit := gcPercent(), debug.SetMemoryLimit(-1)
			// Reading inside the run comes back to the run's limit.
			ForReading(context.Background(), tt.dir, func(k string) string { return tt.env[k] }, 0)()
			afterRead := debug.SetMemoryLimit(-1)
			restore()
			if tt.wantLimit == 0 {
				if gotLimit != beforeLimit || afterRead != beforeLimit {
					t.Errorf("memory limit = %d, after reading %d; want it unchanged (%d)", gotLimit, afterRead, beforeLimit)
				}
			} else if used := inUse(); gotLimit < tt.wantLimit || gotLimit > tt.wantLimit+used || afterRead != gotLimit {
				t.Errorf("memory limit = %d, after reading %d; want %d plus the %d bytes in use", gotLimit, afterRead, tt.wantLimit, used)
			}
			if gotPercent != beforePercent {
				t.Errorf("GOGC changed to %d", gotPercent)
			}
			if p, l := gcPercent(), debug.SetMemoryLimit(-1); p != beforePercent || l != beforeLimit {
				t.Errorf("after restore: GOGC %d, limit %d; want %d, %d", p, l, beforePercent, beforeLimit)
			}
		})
	}
}
