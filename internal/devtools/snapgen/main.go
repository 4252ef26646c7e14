// Command snapgen writes a synthetic org snapshot (the CSV files that
// licenseplan plan --input reads) for benchmarks and profiling. The org comes
// from orggen.Generate and is written with org.WriteSnapshot; the files are
// then made readable by everyone (0644), since WriteSnapshot creates them
// 0600 and the data is synthetic.
//
// Run it from the module root:
//
//	go run ./internal/devtools/snapgen -users 1000000 -seed 1 -out /tmp/snap1m
//
// -shuffle writes the same users in a random order.
//
// -targets-csv and -targets-yaml write two targets files that give every
// user the same target, to measure per-user targets against selectors on
// the same plan (issue 13):
//
//	go run ./internal/devtools/snapgen -users 1000000 -out /tmp/snap1m \
//	    -targets-csv /tmp/snap1m-targets.csv -targets-yaml /tmp/snap1m-targets.yaml
//
// The CSV has a row (Id, Username, TargetLicense) for every user whose
// license the catalog knows: the experience-cloud preset's target, or for a
// user the preset does not move, the user's own license. The YAML file is
// the preset's selectors followed by one selector per catalog license that
// keeps it: the same target for every user, from selectors.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/rules"
)

func main() {
	users := flag.Int("users", 1_000_000, "number of users to generate")
	seed := flag.Int64("seed", 1, "generator seed; the same seed gives the same org")
	out := flag.String("out", "", "snapshot `folder` to write (created if missing)")
	shuffle := flag.Bool("shuffle", false, "write the users in a random order (seeded by -seed) instead of the generator's, to check that the plan does not depend on input order")
	targetsCSV := flag.String("targets-csv", "", "also write per-user targets to `file`: a row per user, giving what the experience-cloud preset gives (else the user's own license)")
	targetsYAML := flag.String("targets-yaml", "", "also write to `file` the selectors that give every user the target -targets-csv gives: the preset's, then one per license keeping it")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 || *users <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	log.SetFlags(0)
	log.SetPrefix("snapgen: ")

	start := time.Now()
	snap := orggen.Generate(orggen.Options{Users: *users, Seed: *seed})
	if *shuffle {
		r := rand.New(rand.NewPCG(uint64(*seed), 0x5eed))
		r.Shuffle(len(snap.Users), func(i, j int) { snap.Users[i], snap.Users[j] = snap.Users[j], snap.Users[i] })
	}
	gen := time.Since(start)

	start = time.Now()
	if err := org.WriteSnapshot(context.Background(), *out, snap); err != nil {
		log.Fatal(err)
	}
	write := time.Since(start)

	var total int64
	entries, err := os.ReadDir(*out)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".csv") {
			continue
		}
		p := filepath.Join(*out, e.Name())
		if err := os.Chmod(p, 0o644); err != nil {
			log.Fatal(err)
		}
		info, err := e.Info()
		if err != nil {
			log.Fatal(err)
		}
		total += info.Size()
		fmt.Printf("%-32s %12d bytes\n", e.Name(), info.Size())
	}
	fmt.Printf("%d users (seed %d) in %s: generated in %s, written in %s, %d bytes\n",
		len(snap.Users), *seed, *out, gen.Round(time.Millisecond), write.Round(time.Millisecond), total)
	if *targetsCSV != "" || *targetsYAML != "" {
		if err := writeTargets(snap, *targetsCSV, *targetsYAML); err != nil {
			log.Fatal(err)
		}
	}
}

// writeTargets writes the per-user targets file csvPath and the selectors
// file yamlPath (either may be "") that give the users of snap the same
// targets (orggen.EquivalentTargets).
func writeTargets(snap *org.Snapshot, csvPath, yamlPath string) error {
	table, err := rules.Default()
	if err != nil {
		return err
	}
	csvText, yamlText, rows, err := orggen.EquivalentTargets(snap, table.Catalog)
	if err != nil {
		return err
	}
	if csvPath != "" {
		if err := os.WriteFile(csvPath, csvText, 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d per-user targets, %d bytes\n", csvPath, rows, len(csvText))
	}
	if yamlPath != "" {
		if err := os.WriteFile(yamlPath, yamlText, 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d selectors\n", yamlPath, bytes.Count(yamlText, []byte("- match:")))
	}
	return nil
}
