// Command csvbaseline reads every *.csv file of a snapshot folder with
// encoding/csv (ReuseRecord set, nothing kept) and prints the records read
// and the time taken. It is the floor that licenseplan plan --input is
// measured against: the goal is for a plan to cost at most about twice this.
//
// Build it first so that compile time is not measured, then time it:
//
//	go build -o /tmp/csvbaseline ./internal/devtools/csvbaseline
//	/usr/bin/time -v /tmp/csvbaseline /tmp/snap1m
//
// or simply: go run ./internal/devtools/csvbaseline DIR
package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("csvbaseline: ")
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: csvbaseline DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	entries, err := os.ReadDir(dir)
	if err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	var total, bytes int64
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".csv") {
			continue
		}
		rows, size, err := readFile(filepath.Join(dir, e.Name()))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-32s %10d rows %12d bytes\n", e.Name(), rows, size)
		total += rows
		bytes += size
	}
	fmt.Printf("total %d rows, %d bytes, in %s\n", total, bytes, time.Since(start).Round(time.Millisecond))
}

// readFile reads every record of the CSV file at path, keeping nothing, and
// returns the number of records (the header included) and the file size.
func readFile(path string) (rows, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rows, 0, fmt.Errorf("%s: %w", path, err)
		}
		rows++
	}
	return rows, r.InputOffset(), nil
}
