package org

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/internal/atomicfile"
)

// CountsFile is the file of a snapshot folder that records how many records
// the source counted for each CSV file: a pull's totalSize, checked against
// the records received. With it, a file of exactly 2,000 or 50,000 rows is
// known complete, and a file with a different number of rows than counted
// is known cut or edited. Exports by hand have no CountsFile.
const CountsFile = "snapshot-counts.json"

// maxCountsBytes bounds CountsFile; it holds nine numbers.
const maxCountsBytes = 64 << 10

type countsDoc struct {
	About   string         `json:"about"`
	Records map[string]int `json:"records"`
}

const countsAbout = "records per file that licenseplan counted when it pulled the org (the query's totalSize). " +
	"licenseplan plan compares the files with these counts; delete this file if you edit the CSV files on purpose."

// readCounts reads d's CountsFile into a map of snapshot file to count; nil
// when the folder has none.
func readCounts(d *dir) (map[string]int, error) {
	name, err := d.find(CountsFile)
	if err != nil || name == "" {
		return nil, err
	}
	f, err := d.fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &InputError{File: d.path(name), Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCountsBytes+1))
	if err != nil {
		return nil, &InputError{File: d.path(name), Err: err}
	}
	if len(data) > maxCountsBytes {
		return nil, &InputError{File: d.path(name), Err: fmt.Errorf("%w: over 64 KiB; it is not a file licenseplan wrote", ErrTooLarge)}
	}
	var doc countsDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, &InputError{File: d.path(name), Err: fmt.Errorf("not the JSON licenseplan writes (%v): delete it, or pull the org again", err)}
	}
	for file, n := range doc.Records {
		known := slices.ContainsFunc(Queries, func(q Query) bool { return strings.EqualFold(q.File, file) })
		if !known || n < 0 {
			return nil, &InputError{File: d.path(name), Err: fmt.Errorf("records: %q: %d is not a count of a snapshot file: delete it, or pull the org again", file, n)}
		}
	}
	return doc.Records, nil
}

// writeCounts writes s.Counted (only the files written) as dir's
// CountsFile, or removes a stale one when there is nothing to write.
func writeCounts(ctx context.Context, dir string, s *Snapshot, written map[string]bool) error {
	path := filepath.Join(dir, CountsFile)
	recs := map[string]int{}
	for file, n := range s.Counted {
		if written[file] {
			recs[file] = n
		}
	}
	if len(recs) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing stale %s: %w", path, err)
		}
		return nil
	}
	data, err := json.MarshalIndent(countsDoc{About: countsAbout, Records: recs}, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(ctx, path, 0o600, func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	})
}
