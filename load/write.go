package load

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/licenseplan/licenseplan/internal/atomicfile"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/reports"
)

// FileLeft lists the plan's steps that no load file carries.
const FileLeft = "not-loaded.csv"

// FileReadme is the guide to the folder.
const FileReadme = "README.md"

// leftHeader is the header of not-loaded.csv.
var leftHeader = []string{"Seq", "Action", "UserId", "Username", "AccountId", "Reason"}

// WriteDir writes s, the load files of p, into dir (created if missing):
// every file that has rows, not-loaded.csv when steps are left, and
// README.md. Every cell goes through reports.SafeCell, as in plan.csv.
// Load files from an earlier run that s does not fill are removed, so the
// folder never mixes two plans. Each file is written to a temporary name
// and renamed into place.
func WriteDir(ctx context.Context, dir string, p *planner.Plan, s *Set) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("load folder: %w", err)
	}
	keep := map[string]bool{FileReadme: true}
	for _, f := range s.Files {
		if len(f.Rows) == 0 {
			continue
		}
		keep[f.Name] = true
		if err := writeCSV(ctx, filepath.Join(dir, f.Name), f.Header, f.Rows); err != nil {
			return err
		}
	}
	if len(s.Left) > 0 {
		keep[FileLeft] = true
		rows := make([][]string, len(s.Left))
		for i, l := range s.Left {
			rows[i] = []string{strconv.Itoa(l.Seq), l.Action.String(), l.UserID, l.Username, l.AccountID, l.Reason.String()}
		}
		if err := writeCSV(ctx, filepath.Join(dir, FileLeft), leftHeader, rows); err != nil {
			return err
		}
	}
	for _, name := range []string{FileOwnerRole, FileAccounts, FileInPlace, FileDisable, FileCreate, FileLeft} {
		if keep[name] {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing a load file of an earlier plan: %w", err)
		}
	}
	return atomicfile.Write(ctx, filepath.Join(dir, FileReadme), 0o644, func(w io.Writer) error {
		return writeReadme(w, p, s)
	})
}

// writeCSV writes header and rows to path, every cell neutralised.
func writeCSV(ctx context.Context, path string, header []string, rows [][]string) error {
	return atomicfile.Write(ctx, path, 0o644, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cell := make([]string, len(header))
		if err := cw.Write(header); err != nil {
			return err
		}
		for i, r := range rows {
			if i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			for j, v := range r {
				cell[j] = reports.SafeCell(v)
			}
			if err := cw.Write(cell); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

// Neutralised lists, per file, the cells whose value WriteDir writes with
// a leading quote (reports.SafeCell): a value that begins with =, +, -,
// @, tab or carriage return. Data Loader and sf load the quote as part of
// the value, so README.md names them.
func (s *Set) Neutralised() []Cell {
	var out []Cell
	for _, f := range s.Files {
		for i, r := range f.Rows {
			for j, v := range r {
				if reports.SafeCell(v) != v {
					out = append(out, Cell{File: f.Name, Line: i + 2, Field: f.Header[j], Seq: f.Seqs[i]})
				}
			}
		}
	}
	return out
}

// Cell is one value of a load file: its file, CSV line (the header is
// line 1), field and the step of its row.
type Cell struct {
	File  string
	Line  int
	Field string
	Seq   int
}
