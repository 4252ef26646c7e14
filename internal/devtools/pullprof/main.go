// Command pullprof pulls the org at SF_INSTANCE_URL with SF_ACCESS_TOKEN
// (for example an orgsim serve) through sfclient, and writes a CPU and a
// heap profile, to see where a large pull spends its time and memory:
//
//	go run ./internal/devtools/pullprof -api bulk -cpu /tmp/cpu.out -heap /tmp/heap.out
//	go tool pprof -top /tmp/cpu.out
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/licenseplan/licenseplan/internal/readgc"
	"github.com/licenseplan/licenseplan/sfclient"
)

func main() {
	api := flag.String("api", "auto", "rest, bulk or auto")
	cpu := flag.String("cpu", "", "CPU profile `file`")
	heap := flag.String("heap", "", "heap profile `file`, written after the pull")
	gcLimit := flag.Float64("gclimit", readgc.PullFactor, "while reading, the collector's soft memory limit in multiples of the folder's size")
	flag.Parse()
	a, err := sfclient.ParseAPI(*api)
	if err != nil {
		log.Fatal(err)
	}
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
	c, err := sfclient.New(sfclient.AccessToken{InstanceURL: os.Getenv("SF_INSTANCE_URL"), Token: os.Getenv("SF_ACCESS_TOKEN")},
		sfclient.Options{API: a, BeforeRead: func(ctx context.Context, dir string) func() {
			debug.FreeOSMemory()
			return readgc.Off(ctx, dir, *gcLimit)
		}})
	if err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	res, err := c.Pull(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "pulled %d users in %.1f s with %d API calls\n", len(res.Snapshot.Users), time.Since(start).Seconds(), res.APICalls)
	if *heap != "" {
		runtime.GC()
		f, err := os.Create(*heap)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		if err := pprof.WriteHeapProfile(f); err != nil {
			log.Fatal(err)
		}
	}
	runtime.KeepAlive(res)
}
