package reports

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/xuri/excelize/v2"
)

// xlsxZip is the zip writer excelize writes the workbook through
// (excelize.File.ZipWriter). excelize writes every part to it in map order
// and, as the workbook is built with header-only worksheets, the parts are
// small: xlsxZip holds them and, at Close, writes them to the workbook's
// writer in a fixed order (xlsxPartCompare), deflated at the fastest level,
// with what excelize cannot write quickly added on the way:
//
//   - the data rows of the worksheets (bodies), made one at a time by
//     xlsxRowEncoder after the header row excelize wrote, so a workbook of
//     a million rows is neither held in memory nor in excelize's temporary
//     files;
//   - the hyperlinks of a worksheet: excelize's SetCellHyperLink scans every
//     link of the sheet on each call and cannot add links to a streamed
//     worksheet, so the worksheet's <hyperlinks> element is put in after
//     its </sheetData>, and its relationships part is written last;
//   - quotePrefix="1" on the cell formats in quoted: excelize's Style has no
//     such field, so styles.xml (a small part) is patched.
type xlsxZip struct {
	ctx context.Context
	out io.Writer
	// parts holds what excelize wrote, by part name.
	parts map[string]*bytes.Buffer
	// bodies are the rows to write into worksheet parts, by part name.
	bodies map[string]*xlsxBody
	// links holds the hyperlinks of each worksheet part, by part name
	// ("xl/worksheets/sheet2.xml"); a body adds its own as it is written.
	links map[string][]xlsxHyperlink
	// prepare readies a data row for the encoder (xlsxSheetWriter.prepareRow).
	prepare func(row []any, part string, at int)
	// quoted are the cell format (style) Ids that get quotePrefix.
	quoted []int
	// later is the fingerprint the parts show (nil: none). A part that
	// shows it before its rows (the Summary sheet, the document
	// properties, the small sheets) is written after the others, and a
	// worksheet with rows shows it only in its page header, after the
	// rows: so when the fingerprint is still being computed, the rows are
	// written first and only then is it waited for. The order is the
	// same whether it is known or not.
	later *xlsxLater
}

// xlsxHyperlink is a link from a cell to an address outside the workbook.
type xlsxHyperlink struct {
	ref, url string
}

// xlsxBody is the data rows of one worksheet: rows from to from+n-1
// (0-based) of table t, whose columns are named cols (A, B, ...).
type xlsxBody struct {
	t       *xlsxTable
	cols    []string
	from, n int
}

var _ excelize.ZipWriter = (*xlsxZip)(nil)

// Create implements excelize.ZipWriter.
func (z *xlsxZip) Create(name string) (io.Writer, error) {
	if _, ok := z.parts[name]; ok {
		return nil, fmt.Errorf("%s: written twice", name)
	}
	b := new(bytes.Buffer)
	z.parts[name] = b
	return b, nil
}

// AddFS implements excelize.ZipWriter; excelize does not call it when
// writing a new workbook.
func (z *xlsxZip) AddFS(fs.FS) error {
	return errors.New("xlsx: AddFS is not supported")
}

// Close writes the workbook: the parts in xlsxPartCompare order, then the
// relationships of the worksheets with links, then the zip's directory.
func (z *xlsxZip) Close() error {
	zw := zip.NewWriter(z.out)
	// Deflate at its fastest level: about three times faster than the
	// default for a slightly larger file.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	var names, last []string
	for _, name := range slices.SortedFunc(maps.Keys(z.parts), xlsxPartCompare) {
		if z.later.shows(z.head(name)) {
			last = append(last, name)
		} else {
			names = append(names, name)
		}
	}
	for _, name := range append(names, last...) {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		part := z.parts[name].Bytes()
		switch {
		case name == "xl/styles.xml" && len(z.quoted) > 0:
			out, err := quotePrefixXfs(string(part), z.quoted)
			if err != nil {
				return err
			}
			if _, err := io.WriteString(w, out); err != nil {
				return err
			}
		case z.bodies[name] != nil || len(z.links[name]) > 0:
			if err := z.writeWorksheet(w, name, part); err != nil {
				return err
			}
		default:
			if part, err = z.later.fill(part); err != nil {
				return err
			}
			if _, err := w.Write(part); err != nil {
				return err
			}
		}
	}
	parts := make([]string, 0, len(z.links))
	for name, links := range z.links {
		if len(links) > 0 {
			parts = append(parts, name)
		}
	}
	slices.Sort(parts)
	for _, name := range parts {
		if _, ok := z.parts[relsName(name)]; ok {
			return fmt.Errorf("%s: the workbook already has relationships for a worksheet with links", relsName(name))
		}
		w, err := zw.Create(relsName(name))
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, hyperlinkRelsXML(z.links[name])); err != nil {
			return err
		}
	}
	return zw.Close()
}

// writeWorksheet writes worksheet part name, as excelize wrote it, to w:
// its body's rows before its </sheetData>, and its <hyperlinks> in place
// after it. Cell text is escaped XML, so the first </sheetData> is the end
// of the cells.
func (z *xlsxZip) writeWorksheet(w io.Writer, name string, part []byte) error {
	i := bytes.Index(part, sheetDataEnd)
	if i < 0 {
		return errors.New("xlsx: a worksheet has no </sheetData>")
	}
	head, err := z.later.fill(part[:i])
	if err != nil {
		return err
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	if b := z.bodies[name]; b != nil {
		if err := z.writeBody(w, name, b); err != nil {
			return err
		}
	}
	tail, err := z.later.fill(part[i:]) // the page header: waits for the fingerprint
	if err != nil {
		return err
	}
	if links := z.links[name]; len(links) > 0 {
		if tail, err = spliceHyperlinks(tail, hyperlinksXML(links)); err != nil {
			return err
		}
	}
	_, err = w.Write(tail)
	return err
}

// head is what part shows before its data rows: a worksheet with rows up
// to its </sheetData>, any other part whole.
func (z *xlsxZip) head(name string) []byte {
	part := z.parts[name].Bytes()
	if z.bodies[name] != nil || len(z.links[name]) > 0 {
		if i := bytes.Index(part, sheetDataEnd); i >= 0 {
			return part[:i]
		}
	}
	return part
}

// writeBody writes body b's rows of worksheet part to w.
func (z *xlsxZip) writeBody(w io.Writer, part string, b *xlsxBody) (err error) {
	// Rows are encoded here while another goroutine deflates the ones
	// before them (BenchmarkWriteXLSX).
	aw := newAsyncWriter(w)
	defer func() {
		if cerr := aw.Close(); err == nil {
			err = cerr
		}
	}()
	bw := bufio.NewWriterSize(aw, 64<<10)
	enc := newXLSXRowEncoder(b.cols)
	row := make([]any, len(b.t.cols))
	for r := range b.n {
		if err := checkCtx(z.ctx, b.from+r); err != nil {
			return err
		}
		clear(row)
		b.t.fill(b.from+r, row)
		at := r + 2
		z.prepare(row, part, at)
		if err := enc.row(bw, at, row); err != nil {
			return fmt.Errorf("sheet %s row %d: %w", b.t.name, at, err)
		}
	}
	return bw.Flush()
}

// xlsxPartCompare orders the workbook's parts by name, the numbers in
// names by value (sheet2.xml before sheet10.xml), so the worksheets are
// written in workbook order and each table's rows in turn.
func xlsxPartCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), strings.Compare(na, nb), cmp.Compare(da, db)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

// digitRun is the length of the run of ASCII digits s begins with.
func digitRun(s string) int {
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	return n
}

// relsName is the name of the relationships part of part:
// xl/worksheets/_rels/sheet2.xml.rels for xl/worksheets/sheet2.xml.
func relsName(part string) string {
	i := strings.LastIndexByte(part, '/') + 1
	return part[:i] + "_rels/" + part[i:] + ".rels"
}

// xlsxLinkID is the relationship Id of the k-th link (0-based) of a
// worksheet.
func xlsxLinkID(k int) string { return "rId" + strconv.Itoa(k+1) }

// hyperlinksXML is the <hyperlinks> element of a worksheet's links.
func hyperlinksXML(links []xlsxHyperlink) []byte {
	var b bytes.Buffer
	b.Grow(len(links) * 40)
	b.WriteString("<hyperlinks>")
	for k, l := range links {
		b.WriteString(`<hyperlink ref="`)
		b.WriteString(l.ref)
		b.WriteString(`" r:id="`)
		b.WriteString(xlsxLinkID(k))
		b.WriteString(`"/>`)
	}
	b.WriteString("</hyperlinks>")
	return b.Bytes()
}

// hyperlinkRelsXML is the relationships part of a worksheet's links.
func hyperlinkRelsXML(links []xlsxHyperlink) string {
	var b strings.Builder
	b.Grow(len(links) * 160)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for k, l := range links {
		b.WriteString(`<Relationship Id="`)
		b.WriteString(xlsxLinkID(k))
		b.WriteString(`" Type="` + excelize.SourceRelationshipHyperLink + `" Target="`)
		xmlEscapeAttr(&b, l.url)
		b.WriteString(`" TargetMode="External"/>`)
	}
	b.WriteString(`</Relationships>`)
	return b.String()
}

func xmlEscapeAttr(b *strings.Builder, s string) {
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
}

var sheetDataEnd = []byte("</sheetData>")

// worksheetAfterHyperlinks are the elements a worksheet may have after
// <hyperlinks>, in the schema's order (CT_Worksheet), and its end tag.
var worksheetAfterHyperlinks = []string{
	"<printOptions", "<pageMargins", "<pageSetup", "<headerFooter", "<rowBreaks", "<colBreaks",
	"<customProperties", "<cellWatches", "<ignoredErrors", "<smartTags", "<drawing", "<legacyDrawing",
	"<legacyDrawingHF", "<drawingHF", "<picture", "<oleObjects", "<controls", "<webPublishItems",
	"<tableParts", "<extLst", "</worksheet>",
}

// spliceHyperlinks returns tail, a worksheet from its </sheetData> on,
// with the <hyperlinks> element insert put where the schema wants it.
func spliceHyperlinks(tail, insert []byte) ([]byte, error) {
	t := string(tail)
	if strings.Contains(t, "<hyperlinks") {
		return nil, errors.New("xlsx: a worksheet with links has hyperlinks already")
	}
	at := -1
	for _, tag := range worksheetAfterHyperlinks {
		if i := strings.Index(t, tag); i >= 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at < 0 {
		return nil, errors.New("xlsx: a worksheet with links has no end tag")
	}
	return slices.Concat(tail[:at], insert, tail[at:]), nil
}

// quotePrefixXfs sets quotePrefix="1" on the cell formats (the <xf>
// elements of <cellXfs>, counted from 0) whose index is in ids.
func quotePrefixXfs(styles string, ids []int) (string, error) {
	start := strings.Index(styles, "<cellXfs")
	end := strings.Index(styles, "</cellXfs>")
	if start < 0 || end < start {
		return "", errors.New("xlsx: styles.xml has no cellXfs")
	}
	var b strings.Builder
	b.Grow(len(styles) + len(ids)*16)
	b.WriteString(styles[:start])
	xfs := styles[start:end]
	k := 0
	for {
		i := nextXf(xfs)
		if i < 0 {
			break
		}
		b.WriteString(xfs[:i+len("<xf")])
		if slices.Contains(ids, k) {
			b.WriteString(` quotePrefix="1"`)
		}
		xfs = xfs[i+len("<xf"):]
		k++
	}
	for _, id := range ids {
		if id >= k {
			return "", fmt.Errorf("xlsx: styles.xml has no cell format %d", id)
		}
	}
	b.WriteString(xfs)
	b.WriteString(styles[end:])
	return b.String(), nil
}

// nextXf returns the index of the next <xf> start tag in s, -1 if none.
func nextXf(s string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], "<xf")
		if i < 0 {
			return -1
		}
		i += off
		if j := i + len("<xf"); j < len(s) && strings.IndexByte(" />", s[j]) >= 0 {
			return i
		}
		off = i + len("<xf")
	}
}

// asyncWriter passes what is written to w from a goroutine of its own, a
// buffer at a time, so the writer's work (deflating) runs beside the
// caller's (encoding rows). At most asyncBuffers buffers are in flight.
// Close waits for the last and returns w's first error; a Write after w
// failed returns that error. It is not safe for concurrent Writes.
type asyncWriter struct {
	w       io.Writer
	full    chan []byte
	free    chan []byte
	done    chan struct{}
	err     error // w's first error, set before done is closed
	errSeen atomic.Bool
}

const asyncBuffers = 4

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{w: w, full: make(chan []byte, asyncBuffers), free: make(chan []byte, asyncBuffers), done: make(chan struct{})}
	for range asyncBuffers {
		a.free <- make([]byte, 0, 64<<10)
	}
	go func() {
		defer close(a.done)
		for b := range a.full {
			if a.err == nil {
				if _, err := a.w.Write(b); err != nil {
					a.err = err
					a.errSeen.Store(true)
				}
			}
			a.free <- b[:0]
		}
	}()
	return a
}

// Write copies p; the bufio.Writer in front of it hands it 64 KB at a time.
func (a *asyncWriter) Write(p []byte) (int, error) {
	if a.errSeen.Load() { // a.err was set before errSeen
		return 0, a.err
	}
	b := append(<-a.free, p...)
	a.full <- b
	return len(p), nil
}

// Close sends what is left and waits for w.
func (a *asyncWriter) Close() error {
	close(a.full)
	<-a.done
	return a.err
}
