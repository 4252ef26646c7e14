package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// xlsxRowEncoder writes worksheet rows as the XML that excelize's
// StreamWriter.SetRow writes for them, byte for byte, without excelize's
// per-cell cost (an xlsxC per cell, a cell name built from coordinates, a
// strings.Builder and an xml.EscapeText per text). The large sheets (Steps,
// Users, Warnings: a row per step, user or warning) are written with it; a
// reader can skip it and read it as "SetRow". It takes only the values the
// workbook's tables hold: string, int, bool, nil (no cell) and an
// excelize.Cell of a string, int or bool; anything else is an error, so a
// new kind of value is sent through excelize (the Summary sheet, which has
// a date, is).
//
// TestXLSXRowEncoderMatchesExcelize and FuzzXLSXRowEncoder compare it with
// SetRow; BenchmarkWriteXLSX measures it.
type xlsxRowEncoder struct {
	// cols are the column names A, B, ... of the table's columns.
	cols []string
	buf  []byte
}

func newXLSXRowEncoder(cols []string) *xlsxRowEncoder {
	return &xlsxRowEncoder{cols: cols, buf: make([]byte, 0, 4096)}
}

// row writes row number r (1-based) holding values to w.
func (e *xlsxRowEncoder) row(w io.Writer, r int, values []any) error {
	b := e.buf[:0]
	var num, vnum [20]byte
	rs := strconv.AppendInt(num[:0], int64(r), 10)
	b = append(b, `<row r="`...)
	b = append(b, rs...)
	b = append(b, `">`...)
	for j, v := range values {
		if v == nil {
			continue // SetRow writes no cell for nil
		}
		style := 0
		if c, ok := v.(excelize.Cell); ok {
			if c.Formula != "" {
				return fmt.Errorf("row %d column %s: a formula cell", r, e.cols[j])
			}
			style, v = c.StyleID, c.Value
		}
		var (
			t       string
			val     []byte
			inline  string
			isText  bool
			preserv bool
		)
		switch v := v.(type) {
		case nil:
		case string:
			t, isText = "inlineStr", true
			inline, preserv = cellXMLText(v)
		case int:
			val = strconv.AppendInt(vnum[:0], int64(v), 10)
		case bool:
			t = "b"
			val = []byte("0")
			if v {
				val = []byte("1")
			}
		default:
			return fmt.Errorf("row %d column %s: a cell of type %T", r, e.cols[j], v)
		}
		b = append(b, `<c r="`...)
		b = append(b, e.cols[j]...)
		b = append(b, rs...)
		b = append(b, '"')
		if style != 0 {
			b = append(b, ` s="`...)
			b = strconv.AppendInt(b, int64(style), 10)
			b = append(b, '"')
		}
		if t != "" {
			b = append(b, ` t="`...)
			b = append(b, t...)
			b = append(b, '"')
		}
		b = append(b, '>')
		if len(val) > 0 {
			b = append(b, `<v>`...)
			b = append(b, val...)
			b = append(b, `</v>`...)
		}
		if isText {
			if preserv {
				b = append(b, `<is><t xml:space="preserve">`...)
			} else {
				b = append(b, `<is><t>`...)
			}
			b = append(b, inline...)
			b = append(b, `</t></is>`...)
		}
		b = append(b, `</c>`...)
	}
	b = append(b, `</row>`...)
	e.buf = b
	_, err := w.Write(b)
	return err
}

// cellXMLText is the text of an inline string cell as excelize writes it
// (trimCellValue): cut to the cell limit, escaped as xml.EscapeText escapes
// it but with newlines kept, and with "_xHHHH_" sequences, which a
// spreadsheet reads as escapes, escaped in turn. preserve reports whether
// the text begins or ends with white space (xml:space="preserve").
func cellXMLText(s string) (text string, preserve bool) {
	if len(s) > excelize.TotalCellChars {
		s = truncateUTF16(s, excelize.TotalCellChars)
	}
	if s == "" {
		return "", false
	}
	switch s[0] {
	case '\t', '\n', '\r', ' ':
		preserve = true
	}
	switch s[len(s)-1] {
	case '\t', '\n', '\r', ' ':
		preserve = true
	}
	if plainXMLText(s) {
		return s, preserve
	}
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	s = strings.ReplaceAll(b.String(), "&#xA;", "\n")
	if strings.Contains(s, "_x") {
		s = escapeBstr(s)
	}
	return s, preserve
}

// plainXMLText reports whether s is printable ASCII that XML escaping and
// excelize's "_x" escaping leave as it is.
func plainXMLText(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f:
			return false
		case c == '"' || c == '\'' || c == '&' || c == '<' || c == '>':
			return false
		case c == '_' && i+1 < len(s) && s[i+1] == 'x':
			return false
		}
	}
	return true
}

// truncateUTF16 cuts s to at most n UTF-16 units, as excelize does.
func truncateUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		if units += utf16.RuneLen(r); units > n {
			return s[:i]
		}
	}
	return s
}

// escapeBstr is excelize's bstrMarshal, the same steps on the same
// patterns: each "_xHHHH_" (H a hex digit) of s becomes "_x005F_xHHHH_", so
// a spreadsheet shows it as it is rather than as the character HHHH, with
// bstrMarshal's handling of "_x005F_" itself and of surrogate code points
// (dropped, as excelize drops them).
func escapeBstr(s string) string {
	var b strings.Builder
	cursor := 0
	for _, m := range bstrPattern.FindAllStringIndex(s, -1) {
		b.WriteString(s[cursor:m[0]])
		sub := s[m[0]:m[1]]
		cursor = m[1]
		if sub == "_x005F_" {
			if m[1]+6 <= len(s) && bstrEscapePattern.MatchString(s[m[1]:m[1]+6]) {
				if _, err := strconv.Unquote(`"\u` + s[m[1]+1:m[1]+5] + `"`); err == nil {
					b.WriteString(sub + "x005F" + sub)
					continue
				}
			}
			b.WriteString(sub + "x005F_")
			continue
		}
		if _, err := strconv.Unquote(`"\u` + s[m[0]+2:m[1]-1] + `"`); err == nil {
			b.WriteString("_x005F" + sub)
		}
	}
	b.WriteString(s[cursor:])
	return b.String()
}

// The patterns of excelize's bstrMarshal.
var (
	bstrPattern       = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)
	bstrEscapePattern = regexp.MustCompile(`x[a-fA-F\d]{4}_`)
)
