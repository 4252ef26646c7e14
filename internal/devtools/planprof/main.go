// Command planprof runs what `licenseplan plan --input DIR --format text`
// runs (read the snapshot, plan it with the experience-cloud preset, write
// the text summary) and reports the time of each stage, optionally with a
// CPU or heap profile. It is for finding where a large plan's time goes
// (-full builds the full plan, as every other format needs; -targets FILE
// plans with a targets CSV or YAML file instead of the preset, as plan
// --targets FILE does, and reads it first, as plan does):
//
//	go build -o /tmp/planprof ./internal/devtools/planprof
//	/tmp/planprof -cpuprofile /tmp/cpu.out /tmp/snap1m
//	go tool pprof -top /tmp/planprof /tmp/cpu.out
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/licenseplan/licenseplan/internal/readgc"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/reports"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

func main() {
	cpu := flag.String("cpuprofile", "", "write a CPU profile to `file`")
	mem := flag.String("memprofile", "", "write a heap profile (after planning) to `file`")
	jsonOut := flag.String("json", "", "also write the plan as JSON to `file` (to compare two versions of the planner); implies -full")
	flag.StringVar(&outDir, "out", "", "also write every file format into `folder`, one at a time, timing each; implies -full")
	full := flag.Bool("full", false, "build the full plan (users and steps), not the summary-only plan that --format text uses")
	flag.StringVar(&targetsFile, "targets", "", "plan with the targets CSV or YAML `file` (no preset), as plan --targets does")
	flag.BoolVar(&includeInactive, "include-inactive", false, "plan inactive users too, as plan --include-inactive does")
	flag.Float64Var(&gcLimit, "gclimit", readgc.Factor, "while reading, the collector's soft memory limit in multiples of the folder's size (0: leave the collector alone)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: planprof [-cpuprofile F] [-memprofile F] DIR")
		os.Exit(2)
	}
	log.SetFlags(0)
	log.SetPrefix("planprof: ")
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(context.Background(), flag.Arg(0), *mem, *jsonOut, *full || *jsonOut != "" || outDir != ""); err != nil {
		pprof.StopCPUProfile()
		log.Fatal(err)
	}
}

var (
	outDir          string
	gcLimit         float64
	includeInactive bool
	targetsFile     string
)

func run(ctx context.Context, dir, memProfile, jsonOut string, full bool) error {
	start, startCPU := time.Now(), cpuTime()
	lap := func(what string) {
		fmt.Fprintf(os.Stderr, "%-8s %6v wall %6v cpu\n", what, time.Since(start).Round(time.Millisecond), (cpuTime() - startCPU).Round(time.Millisecond))
		start, startCPU = time.Now(), cpuTime()
	}
	table, err := rules.Default()
	if err != nil {
		return err
	}
	// plan reads the targets before the snapshot.
	tg, err := loadTargets(table)
	if err != nil {
		return err
	}
	if targetsFile != "" {
		lap("targets")
	}
	// As plan --input does (internal/readgc), unless -gclimit 0.
	restore := func() {}
	if gcLimit > 0 {
		restore = readgc.Off(ctx, dir, gcLimit)
	}
	snap, err := org.ReadSnapshot(ctx, os.DirFS(dir), dir)
	restore()
	if err != nil {
		return err
	}
	lap("read")
	opts := planner.Options{Source: planner.Source{Kind: "snapshot", Path: dir, Files: snap.Files}, IncludeInactive: includeInactive}
	var plan *planner.Plan
	var ov *planner.Overview
	if full {
		plan = planner.Build(snap, table, tg, opts)
		ov = &plan.Overview
	} else {
		ov = planner.Summarize(snap, table, tg, opts)
	}
	lap("plan")
	if err := (reports.Text{}).WriteOverview(ctx, io.Discard, ov); err != nil {
		return err
	}
	lap("text")
	if jsonOut != "" {
		f, err := os.Create(jsonOut)
		if err != nil {
			return err
		}
		err = reports.JSON{}.Write(ctx, f, plan)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		lap("json")
	}
	if outDir != "" {
		if err := writeAll(ctx, outDir, plan, lap); err != nil {
			return err
		}
	}
	if memProfile != "" {
		f, err := os.Create(memProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		runtime.GC()
		if err := pprof.WriteHeapProfile(f); err != nil {
			return err
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	sys, total, gcs := ms.HeapSys, ms.TotalAlloc, ms.NumGC
	runtime.GC()
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(snap)
	runtime.KeepAlive(plan)
	runtime.KeepAlive(ov)
	fmt.Fprintf(os.Stderr, "heap sys %d MiB, total alloc %d MiB, GC %d; live snapshot and plan %d MiB\n", sys>>20, total>>20, gcs, ms.HeapAlloc>>20)
	return nil
}

// loadTargets reads -targets, or returns the experience-cloud preset.
func loadTargets(table *rules.Table) (*targets.Set, error) {
	if targetsFile == "" {
		preset, err := targets.Preset("experience-cloud", table.Catalog)
		if err != nil {
			return nil, err
		}
		return targets.Merge(preset)
	}
	var set *targets.Set
	if strings.EqualFold(filepath.Ext(targetsFile), ".csv") {
		f, err := os.Open(targetsFile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if set, err = targets.ParseCSV(targetsFile, f, table.Catalog); err != nil {
			return nil, err
		}
	} else {
		data, err := os.ReadFile(targetsFile)
		if err != nil {
			return nil, err
		}
		if set, err = targets.ParseYAML(targetsFile, data, table.Catalog); err != nil {
			return nil, err
		}
	}
	return targets.Merge(set)
}

// writeAll writes every format that has a file into dir, one after the
// other, and laps each: plan.json first, computing the fingerprint as it is
// written (as plan --out does), then the others in name order.
func writeAll(ctx context.Context, dir string, plan *planner.Plan, lap func(string)) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	create := func(format string) (*os.File, error) {
		name, _ := reports.FileName(format)
		return os.Create(filepath.Join(dir, name))
	}
	if plan.Fingerprint == "" {
		f, err := create("json")
		if err != nil {
			return err
		}
		fp, err := reports.JSON{}.WriteFingerprint(ctx, f, plan)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		plan.Fingerprint = fp
		lap("json+fp")
	}
	for _, format := range reports.Formats() {
		if _, ok := reports.FileName(format); !ok || format == "json" {
			continue
		}
		w, err := reports.ForFormat(format)
		if err != nil {
			return err
		}
		f, err := create(format)
		if err != nil {
			return err
		}
		err = w.Write(ctx, f, plan)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		lap(format)
	}
	return nil
}

// cpuTime is the user and system time the process has used, on every core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
