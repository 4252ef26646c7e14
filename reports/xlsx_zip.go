package reports

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxZip is the zip writer excelize writes the workbook through
// (excelize.File.ZipWriter). It deflates at the fastest level, and it
// writes the two things excelize cannot write quickly, on the fly while the
// parts pass through, without reading any part back:
//
//   - the hyperlinks of a worksheet: excelize's SetCellHyperLink scans every
//     link of the sheet on each call and cannot add links to a streamed
//     worksheet, so the worksheet's <hyperlinks> element is spliced in after
//     its </sheetData>, and its relationships part is written at Close;
//   - quotePrefix="1" on the cell formats in quoted: excelize's Style has no
//     such field, so styles.xml (a small part) is patched.
type xlsxZip struct {
	zw *zip.Writer
	// links holds the hyperlinks of each worksheet part, by part name
	// ("xl/worksheets/sheet2.xml").
	links map[string][]xlsxHyperlink
	// quoted are the cell format (style) Ids that get quotePrefix.
	quoted []int
	// cur is the part being written when it is one that is changed on its
	// way through; nil otherwise.
	cur interface{ finish() error }
}

// xlsxHyperlink is a link from a cell to an address outside the workbook.
type xlsxHyperlink struct {
	ref, url string
}

var _ excelize.ZipWriter = (*xlsxZip)(nil)

func newXLSXZip(w io.Writer, links map[string][]xlsxHyperlink, quoted []int) *xlsxZip {
	zw := zip.NewWriter(w)
	// Deflate at its fastest level: about three times faster than the
	// default for a slightly larger file.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return &xlsxZip{zw: zw, links: links, quoted: quoted}
}

// Create implements excelize.ZipWriter.
func (z *xlsxZip) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	for part := range z.links {
		if name == relsName(part) {
			return nil, fmt.Errorf("%s: the workbook already has relationships for a worksheet with links", name)
		}
	}
	w, err := z.zw.Create(name)
	if err != nil {
		return nil, err
	}
	switch {
	case name == "xl/styles.xml" && len(z.quoted) > 0:
		s := &xlsxStylesPatch{w: w, quoted: z.quoted}
		z.cur = s
		return s, nil
	case len(z.links[name]) > 0:
		s := &xlsxLinkSplice{w: w, insert: hyperlinksXML(z.links[name])}
		z.cur = s
		return s, nil
	}
	return w, nil
}

// AddFS implements excelize.ZipWriter; excelize does not call it when
// writing a new workbook.
func (z *xlsxZip) AddFS(fs.FS) error {
	return errors.New("xlsx: AddFS is not supported")
}

// Close writes the relationships of the worksheets with links, then the
// zip's directory.
func (z *xlsxZip) Close() error {
	if err := z.finish(); err != nil {
		return err
	}
	parts := make([]string, 0, len(z.links))
	for name, links := range z.links {
		if len(links) > 0 {
			parts = append(parts, name)
		}
	}
	slices.Sort(parts)
	for _, name := range parts {
		w, err := z.zw.Create(relsName(name))
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, hyperlinkRelsXML(z.links[name])); err != nil {
			return err
		}
	}
	return z.zw.Close()
}

// relsName is the name of the relationships part of part:
// xl/worksheets/_rels/sheet2.xml.rels for xl/worksheets/sheet2.xml.
func relsName(part string) string {
	i := strings.LastIndexByte(part, '/') + 1
	return part[:i] + "_rels/" + part[i:] + ".rels"
}

func (z *xlsxZip) finish() error {
	if z.cur == nil {
		return nil
	}
	err := z.cur.finish()
	z.cur = nil
	return err
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

// xlsxLinkSplice passes a worksheet through and puts its <hyperlinks>
// element in place. Cell text is escaped XML, so the first </sheetData> is
// the end of the cells; everything after it is short and is held until
// finish.
type xlsxLinkSplice struct {
	w      io.Writer
	insert []byte
	// pending is the tail after </sheetData> once inTail, and before that
	// the last bytes, which may be the start of </sheetData>.
	pending []byte
	inTail  bool
}

func (s *xlsxLinkSplice) Write(b []byte) (int, error) {
	n := len(b)
	s.pending = append(s.pending, b...)
	if s.inTail {
		return n, nil
	}
	if i := bytes.Index(s.pending, sheetDataEnd); i >= 0 {
		end := i + len(sheetDataEnd)
		if _, err := s.w.Write(s.pending[:end]); err != nil {
			return 0, err
		}
		s.pending = append([]byte(nil), s.pending[end:]...)
		s.inTail = true
		return n, nil
	}
	if keep := len(sheetDataEnd) - 1; len(s.pending) > keep {
		if _, err := s.w.Write(s.pending[:len(s.pending)-keep]); err != nil {
			return 0, err
		}
		s.pending = append(s.pending[:0], s.pending[len(s.pending)-keep:]...)
	}
	return n, nil
}

func (s *xlsxLinkSplice) finish() error {
	if !s.inTail {
		return errors.New("xlsx: a worksheet with links has no </sheetData>")
	}
	tail := string(s.pending)
	if strings.Contains(tail, "<hyperlinks") {
		return errors.New("xlsx: a worksheet with links has hyperlinks already")
	}
	at := -1
	for _, tag := range worksheetAfterHyperlinks {
		if i := strings.Index(tail, tag); i >= 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at < 0 {
		return errors.New("xlsx: a worksheet with links has no end tag")
	}
	for _, part := range [][]byte{s.pending[:at], s.insert, s.pending[at:]} {
		if _, err := s.w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// xlsxStylesPatch holds styles.xml and writes it at finish with
// quotePrefix="1" on the cell formats in quoted.
type xlsxStylesPatch struct {
	w      io.Writer
	buf    bytes.Buffer
	quoted []int
}

func (s *xlsxStylesPatch) Write(b []byte) (int, error) { return s.buf.Write(b) }

func (s *xlsxStylesPatch) finish() error {
	out, err := quotePrefixXfs(s.buf.String(), s.quoted)
	if err != nil {
		return err
	}
	_, err = io.WriteString(s.w, out)
	return err
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
