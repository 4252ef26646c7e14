package org

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds on what a snapshot file may cost (README, "Input bounds"). A
// record, and so every field and line in it, is at most MaxRecordBytes: the
// longest real value (a long account name, a permission set list) is a few
// kilobytes. A file has at most MaxRows records: the largest orgs have a few
// million users, and ten million User.csv rows already take about 2.5 GB.
// Both make an endless file (a link to /dev/zero, a pipe that never closes)
// end with an error instead of growing until the process is killed.
const (
	MaxRecordBytes = 1 << 20
	MaxRows        = 10_000_000
)

const (
	// readBufSize is the read buffer of a snapshot file; it is also the
	// sample from which the record count is estimated.
	readBufSize = 64 << 10
	// ctxCheckEvery is how many records pass between context checks; a
	// power of two.
	ctxCheckEvery = 4096
	// minRecordBytes bounds the record count estimate: no useful record is
	// shorter, so the estimate never exceeds size/minRecordBytes.
	minRecordBytes = 16
	// internChunk is the size of the chunks that User.csv values are
	// copied into.
	internChunk = 256 << 10
)

// csvFile reads one snapshot file record by record. It maps the file's
// header onto the columns of a fileSpec once, so reading a value is a slice
// index. Records are read with ReuseRecord: the strings of a record are
// substrings of one allocation per record and stay valid, but the slice
// holding them does not.
type csvFile struct {
	ctx  context.Context
	spec *fileSpec
	path string // for errors: the label joined with the file name
	f    fs.File
	r    *csv.Reader
	u    *utf8Reader
	bom  int64 // bytes of a byte order mark skipped before the csv reader

	header   []string // the header as read
	idx      []int    // per spec column: its index in a record, or -1
	required []int    // spec indexes of the required columns
	rec      []string // the current record
	rows     int      // records read so far
	// sizeHint estimates the number of records, from the file size and the
	// length of the first lines, to size slices and maps up front.
	sizeHint int
}

// errNoHeader is returned by openCSV for a file without a header line;
// callers decide whether that is an error.
var errNoHeader = errors.New("no header")

// openCSV opens name in fsys, skips a UTF-8 byte order mark, reads the
// header and maps it onto spec's columns. It returns errNoHeader (and a
// closed file) when the file holds no header line.
func openCSV(ctx context.Context, fsys fs.FS, name, path string, spec *fileSpec) (*csvFile, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, &InputError{File: path, Err: err}
	}
	c := &csvFile{ctx: ctx, spec: spec, path: path, f: f}
	if err := c.start(); err != nil {
		f.Close()
		return nil, err
	}
	return c, nil
}

func (c *csvFile) Close() error { return c.f.Close() }

func (c *csvFile) start() error {
	c.u = newUTF8Reader(c.f)
	br := bufio.NewReaderSize(c.u, readBufSize)
	if lead, _ := br.Peek(3); bytes.Equal(lead, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		c.bom = 3
	}
	// csv.NewReader keeps br: it is a *bufio.Reader large enough.
	c.r = csv.NewReader(br)
	c.r.ReuseRecord = true

	rec, err := c.r.Read()
	if err == io.EOF {
		return errNoHeader
	}
	if err != nil {
		return c.parseError(rec, err)
	}
	if err := c.recordDone(rec); err != nil {
		return err
	}
	c.header = append([]string(nil), rec...)
	if err := c.mapHeader(); err != nil {
		return err
	}
	c.estimate(br)
	return nil
}

// mapHeader matches header names to spec columns, ignoring case and
// surrounding spaces. Unknown columns are ignored; a spec column named twice
// and a missing required column are errors.
func (c *csvFile) mapHeader() error {
	c.idx = make([]int, len(c.spec.cols))
	for j := range c.idx {
		c.idx[j] = -1
	}
	for i, h := range c.header {
		name := strings.TrimSpace(h)
		for j, col := range c.spec.cols {
			if !strings.EqualFold(name, col.name) {
				continue
			}
			if c.idx[j] >= 0 {
				return c.fieldError(i, fmt.Errorf("%w %q (fields %d and %d of the header)",
					ErrDuplicateColumn, col.name, c.idx[j]+1, i+1))
			}
			c.idx[j] = i
		}
	}
	var missing []string
	for j, col := range c.spec.cols {
		if !col.required {
			continue
		}
		if c.idx[j] < 0 {
			missing = append(missing, strconv.Quote(col.name))
			continue
		}
		c.required = append(c.required, j)
	}
	if len(missing) > 0 {
		line, _ := c.r.FieldPos(0) // 1 unless blank lines come first
		return &InputError{File: c.path, Line: line, Err: fmt.Errorf("%w %s (header has: %s)",
			ErrMissingColumn, strings.Join(missing, ", "), headerList(c.header))}
	}
	return nil
}

// estimate sets sizeHint from the file size and the average length of the
// lines already buffered after the header.
func (c *csvFile) estimate(br *bufio.Reader) {
	info, err := c.f.Stat()
	if err != nil || info.Size() <= 0 {
		return
	}
	rest := info.Size() - c.r.InputOffset()
	if rest <= 0 {
		return
	}
	// Count the line breaks exactly when the file can be read at an offset
	// (os.DirFS and embed.FS files can): an estimate from the first rows
	// oversized the user slice by 44% on a generated million-user org,
	// because the first rows (admins) are longer than the rest.
	if ra, ok := c.f.(io.ReaderAt); ok {
		if n, err := countLines(ra, c.r.InputOffset(), info.Size()); err == nil {
			c.sizeHint = int(min(n+1, MaxRows))
			return
		}
	}
	sample, _ := br.Peek(br.Size())
	lines := bytes.Count(sample, []byte{'\n'})
	if lines == 0 {
		return
	}
	n := rest * int64(lines) / int64(len(sample))
	// An estimate from a size that may lie (an fs.FS's Stat) sizes at
	// most a million records up front; append grows the rest.
	n = min(n+n/16+1, rest/minRecordBytes+1, 1<<20)
	c.sizeHint = int(n)
}

// countLines counts the line breaks in r from off to size.
func countLines(r io.ReaderAt, off, size int64) (int64, error) {
	buf := make([]byte, 1<<20)
	var n int64
	for off < size {
		k, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		off += int64(k)
		if err != nil {
			if err == io.EOF {
				break
			}
			return 0, err
		}
	}
	return n, nil
}

// next reads the next record into c.rec. It reports false at the end of
// the file. Every required column must be non-blank.
func (c *csvFile) next() (bool, error) {
	rec, err := c.r.Read()
	if err != nil {
		if err == io.EOF {
			return false, nil
		}
		return false, c.parseError(rec, err)
	}
	if err := c.recordDone(rec); err != nil {
		return false, err
	}
	c.rows++
	if c.rows > MaxRows {
		return false, &InputError{File: c.path, Line: c.line(), Err: fmt.Errorf(
			"%w: more than %d records; no org has that many (is the file a pipe or device that never ends?)", ErrTooLarge, MaxRows)}
	}
	if c.rows&(ctxCheckEvery-1) == 0 {
		if err := c.ctx.Err(); err != nil {
			return false, fmt.Errorf("reading %s: %w", c.path, err)
		}
	}
	c.rec = rec
	for _, j := range c.required {
		if rec[c.idx[j]] == "" {
			return false, c.colError(j, fmt.Errorf("%w %q", ErrBlankValue, c.spec.cols[j].name))
		}
	}
	return true, nil
}

// recordDone checks that the record just read is within MaxRecordBytes and
// tells the reader where the next one starts.
func (c *csvFile) recordDone(rec []string) error {
	end := c.r.InputOffset() + c.bom
	if end-c.u.recOff > MaxRecordBytes {
		return &InputError{File: c.path, Line: c.u.recLine, Err: fmt.Errorf(
			"%w: a record over %d MiB (a quote that is never closed, or not a CSV file?)", ErrTooLarge, MaxRecordBytes>>20)}
	}
	c.u.recOff = end
	if n := len(rec); n > 0 {
		line, _ := c.r.FieldPos(n - 1)
		c.u.recLine = line + strings.Count(rec[n-1], "\n") + 1
	}
	return nil
}

// parseError turns an encoding/csv error into an InputError.
func (c *csvFile) parseError(rec []string, err error) error {
	var ue *utf8Error
	if errors.As(err, &ue) {
		msg := "%w: save the file as UTF-8"
		if ue.utf16 {
			msg = "%w: the file is UTF-16; save it as UTF-8"
		}
		return &InputError{File: c.path, Line: ue.line, Column: ue.col, Err: fmt.Errorf(msg, ErrNotUTF8)}
	}
	var be *boundError
	if errors.As(err, &be) {
		return &InputError{File: c.path, Line: be.line, Err: fmt.Errorf(
			"%w: a record over %d MiB (a quote that is never closed, or not a CSV file?)", ErrTooLarge, MaxRecordBytes>>20)}
	}
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &InputError{File: c.path, Err: err}
	}
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		return &InputError{File: c.path, Line: pe.StartLine, Err: fmt.Errorf(
			"%w: %w: record has %d fields, header has %d",
			ErrMalformedCSV, pe.Err, len(rec), len(c.header))}
	}
	msg := "%w: %w"
	if pe.StartLine != pe.Line {
		msg += " (record starts on line " + strconv.Itoa(pe.StartLine) + ")"
	}
	return &InputError{File: c.path, Line: pe.Line, Column: pe.Column,
		Err: fmt.Errorf(msg, ErrMalformedCSV, pe.Err)}
}

// line returns the line the current record starts on.
func (c *csvFile) line() int {
	line, _ := c.r.FieldPos(0)
	return line
}

// fieldError places err at field i of the current record (or header).
func (c *csvFile) fieldError(i int, err error) error {
	line, col := c.r.FieldPos(i)
	return &InputError{File: c.path, Line: line, Column: col, Err: err}
}

// colError places err at spec column j of the current record.
func (c *csvFile) colError(j int, err error) error { return c.fieldError(c.idx[j], err) }

// has reports whether the header holds spec column j.
func (c *csvFile) has(j int) bool { return c.idx[j] >= 0 }

// str returns spec column j of the current record, "" when absent.
func (c *csvFile) str(j int) string {
	if i := c.idx[j]; i >= 0 {
		return c.rec[i]
	}
	return ""
}

// tri returns spec column j as a Tri: Unknown when absent or blank.
func (c *csvFile) tri(j int) (Tri, error) {
	i := c.idx[j]
	if i < 0 {
		return Unknown, nil
	}
	t, ok := parseTri(c.rec[i])
	if !ok {
		return Unknown, c.fieldError(i, fmt.Errorf("%w %q in column %q: want true, false or blank",
			ErrInvalidBool, c.rec[i], c.spec.cols[j].name))
	}
	return t, nil
}

// boolean returns a required boolean column.
func (c *csvFile) boolean(j int) (bool, error) {
	t, err := c.tri(j)
	return t == True, err
}

// integer returns spec column j as an int: -1 when absent or blank.
func (c *csvFile) integer(j int) (int, error) {
	i := c.idx[j]
	if i < 0 || c.rec[i] == "" {
		return -1, nil
	}
	n, err := strconv.Atoi(c.rec[i])
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) {
			err = ne.Err
		}
		return -1, c.fieldError(i, fmt.Errorf("%w %q in column %q: %w",
			ErrInvalidInt, c.rec[i], c.spec.cols[j].name, err))
	}
	return n, nil
}

// ParseTri parses a boolean as a snapshot file holds it: true or false in
// any case, blank for null; ok is false for anything else.
func ParseTri(s string) (t Tri, ok bool) { return parseTri(s) }

// parseTri parses a CSV boolean: true or false in any case, blank for null.
func parseTri(s string) (Tri, bool) {
	switch s {
	case "":
		return Unknown, true
	case "true":
		return True, true
	case "false":
		return False, true
	}
	switch {
	case strings.EqualFold(s, "true"):
		return True, true
	case strings.EqualFold(s, "false"):
		return False, true
	}
	return Unknown, false
}

// checkCtx returns ctx's error, if any, naming the file being read.
func checkCtx(ctx context.Context, path string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}

// headerList lists header names for a message, shortened when very long.
func headerList(header []string) string {
	const limit = 400
	s := strings.Join(header, ", ")
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	if s == "" {
		s = "nothing"
	}
	return s
}

// utf8Reader passes a file's bytes on, checking that they are UTF-8 and
// counting lines, so that an invalid byte is reported at its line and
// column. Checking the stream in large chunks costs far less than checking
// every field. It holds back a rune split across reads.
type utf8Reader struct {
	r       io.Reader
	held    [utf8.UTFMax]byte // start of a rune cut off by the last read
	nheld   int
	off     int64 // bytes passed on
	line    int   // line of the next byte, 1-based
	lineOff int64 // offset at which that line starts
	bom     bool  // the file starts with a UTF-8 byte order mark
	err     error // sticky

	// The record bound: recOff and recLine are where the record being
	// read starts, set by csvFile.next after each record.
	recOff  int64
	recLine int
}

// boundError is returned by utf8Reader when a record passes MaxRecordBytes.
type boundError struct{ line int }

func (e *boundError) Error() string { return "record too large" }

// utf8Error is returned by utf8Reader at the first byte that is not UTF-8.
type utf8Error struct {
	line, col int
	utf16     bool
}

func (e *utf8Error) Error() string { return ErrNotUTF8.Error() }

func newUTF8Reader(r io.Reader) *utf8Reader { return &utf8Reader{r: r, line: 1, recLine: 1} }

func (u *utf8Reader) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	if len(p) < 2*utf8.UTFMax {
		return 0, io.ErrShortBuffer
	}
	n := copy(p, u.held[:u.nheld])
	u.nheld = 0
	m, err := u.r.Read(p[n:])
	n += m
	end := n
	if err == nil {
		end = completeRunes(p[:n])
		u.nheld = copy(u.held[:], p[end:n])
	}
	chunk := p[:end]
	if u.off == 0 {
		if bytes.HasPrefix(chunk, []byte("\xff\xfe")) || bytes.HasPrefix(chunk, []byte("\xfe\xff")) {
			u.err = &utf8Error{line: 1, col: 1, utf16: true}
			return 0, u.err
		}
		u.bom = bytes.HasPrefix(chunk, []byte("\xef\xbb\xbf"))
	}
	if !utf8.Valid(chunk) {
		bad := firstInvalid(chunk)
		u.advance(chunk[:bad])
		col := int(u.off-u.lineOff) + 1
		if u.line == 1 && u.bom {
			col -= 3 // csv columns do not count the skipped mark
		}
		u.err = &utf8Error{line: u.line, col: col}
		return bad, nil
	}
	u.advance(chunk)
	// csvFile.next moves recOff to the end of each record it reads. Bytes
	// read past it beyond the bound plus one buffer of read-ahead are a
	// record too long: stop reading before it takes more memory.
	if u.off-u.recOff > MaxRecordBytes+readBufSize {
		u.err = &boundError{line: u.recLine}
		return 0, u.err
	}
	if err != nil {
		u.err = err
	}
	return end, err
}

func (u *utf8Reader) advance(b []byte) {
	u.off += int64(len(b))
	if nl := bytes.Count(b, []byte{'\n'}); nl > 0 {
		u.line += nl
		u.lineOff = u.off - int64(len(b)-1-bytes.LastIndexByte(b, '\n'))
	}
}

// completeRunes returns the length of b without a rune cut off at its end.
func completeRunes(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return len(b)
			}
			return i
		}
	}
	return len(b)
}

// firstInvalid returns the index of the first byte of b that is not UTF-8.
func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}
