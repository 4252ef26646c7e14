// Package readgc is the garbage collector's setting while a snapshot folder
// is read: the one policy that plan --input and the planprof devtool share.
//
// The snapshot reader fills slices sized up front (a million users take
// 256 MB). A collection that starts before they are filled reads their
// untouched pages, which makes every later write to them a copy-on-write
// page fault, about 0.3 s for a million users. So while reading, the
// collector is off, with a soft memory limit of Factor times the folder's
// size instead (a snapshot takes about 1.3 times its files' size in
// memory): it runs only near that limit. For a million users (392 MB of
// CSV) peak RSS is about 870 MB, against 950 MB with the default setting,
// and plan --input --format text takes 1.79 s against 2.76 s (issue 10's
// measurements).
//
// The limit is on all the memory the runtime holds, so what it holds
// already when reading starts is added to it: plan reads a per-user
// targets file first, and a million rows of it took so much of a limit
// of the folder's size alone that the read ran one collection after
// another, 4 times slower (issue 13).
//
// A plan that writes files holds the snapshot while it plans and the plan
// while the files are written, and with the default setting the heap grows
// to twice what is live before the collector runs: a million-user plan
// --out peaked at 1.27 GB RSS. So for the whole run (ForRun) the soft limit
// stays at Factor times the folder's size, and the limit while reading is
// the same: 0.93 GB, and no slower (issue 13's measurements, README
// "Performance").
package readgc

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
)

// Factor is the soft memory limit while reading, and for the run of a
// plan that writes files, in multiples of the folder's size. A snapshot
// takes about 1.3 times its files' size in memory.
const Factor = 1.75

// minLimit is the lowest soft limit, for small folders.
const minLimit = 64 << 20

// ForReading turns the collector off for reading dir, as the package doc
// says, and returns the function that restores the settings. extra is
// memory that something else allocates meanwhile (plan parses a per-user
// targets file while the snapshot is read), added to the limit. A GOGC or
// GOMEMLIMIT that getenv returns is the user's choice, and is left alone.
func ForReading(ctx context.Context, dir string, getenv func(string) string, extra int64) (restore func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	return off(ctx, dir, Factor, extra)
}

// PullFactor is the soft limit while a pull's staged folder is read. The
// pull has just freed its download buffers, so less headroom does: on a
// million-user Bulk pull from orgsim (pullprof -gclimit, issue 13), peak
// RSS was 1,064 MB at 2, 908 MB at 1.7 and 787 MB at 1.5, in about the
// same time (24 to 30 s on a loaded machine).
const PullFactor = 1.5

// AfterPull is ForReading for the folder a pull staged, with PullFactor:
// first it returns the memory of the download (page buffers, a Bulk job's
// Id index, all garbage by then) to the operating system, so that the
// reading's peak does not stand on top of it.
func AfterPull(ctx context.Context, dir string, getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	debug.FreeOSMemory()
	return Off(ctx, dir, PullFactor)
}

// ForRun sets a soft memory limit of Factor times the size of dir's
// regular files for the rest of a plan run, the collector on, and returns
// the function that restores the limit. extra is as for ForReading. As
// with ForReading, a GOGC or GOMEMLIMIT that getenv returns is left alone,
// and a folder that cannot be listed changes nothing.
func ForRun(ctx context.Context, dir string, getenv func(string) string, extra int64) (restore func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" || ctx.Err() != nil {
		return func() {}
	}
	size, ok := folderSize(dir)
	if !ok {
		return func() {}
	}
	// Plus what is held already, as for reading, and what is to come.
	limit := debug.SetMemoryLimit(max(int64(Factor*float64(size)), minLimit) + inUse() + max(extra, 0))
	return func() { debug.SetMemoryLimit(limit) }
}

// folderSize is the size of dir's regular files; false when dir cannot be
// listed.
func folderSize(dir string) (int64, bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, false
	}
	var size int64
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			size += info.Size()
		}
	}
	return size, true
}

// Off turns the collector off with a soft memory limit of factor times the
// size of the regular files in dir (at least minLimit), plus the memory
// the runtime holds already, and returns the function that
// restores the settings. When dir cannot be listed it changes nothing.
func Off(ctx context.Context, dir string, factor float64) (restore func()) {
	return off(ctx, dir, factor, 0)
}

func off(ctx context.Context, dir string, factor float64, extra int64) (restore func()) {
	if ctx.Err() != nil {
		return func() {}
	}
	size, ok := folderSize(dir)
	if !ok {
		return func() {}
	}
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(max(int64(factor*float64(size)), minLimit) + inUse() + max(extra, 0))
	return func() {
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(percent)
	}
}

// inUse is the memory the runtime holds, as the soft memory limit counts
// it (see debug.SetMemoryLimit).
func inUse() int64 {
	m := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(m)
	return int64(m[0].Value.Uint64() - m[1].Value.Uint64())
}
