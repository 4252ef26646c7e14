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
package main

import (
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
)

func main() {
	users := flag.Int("users", 1_000_000, "number of users to generate")
	seed := flag.Int64("seed", 1, "generator seed; the same seed gives the same org")
	out := flag.String("out", "", "snapshot `folder` to write (created if missing)")
	shuffle := flag.Bool("shuffle", false, "write the users in a random order (seeded by -seed) instead of the generator's, to check that the plan does not depend on input order")
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
}
