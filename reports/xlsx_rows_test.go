package reports

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// excelizeRow is the XML excelize's StreamWriter.SetRow writes for values
// as row r of a worksheet.
func excelizeRow(t testing.TB, r int, values []any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	cell, _ := excelize.CoordinatesToCellName(1, r)
	if err := sw.SetRow(cell, values); err != nil {
		t.Fatal(err)
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "<sheetData>") + len("<sheetData>")
	end := strings.LastIndex(s, "</sheetData>")
	return s[start:end]
}

// encoderRow is what xlsxRowEncoder writes for the same row.
func encoderRow(t testing.TB, r int, values []any) string {
	t.Helper()
	cols := make([]string, len(values))
	for j := range cols {
		cols[j], _ = excelize.ColumnNumberToName(j + 1)
	}
	var b bytes.Buffer
	if err := newXLSXRowEncoder(cols).row(&b, r, values); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestXLSXRowEncoderMatchesExcelize(t *testing.T) {
	long := strings.Repeat("é", 20000) + strings.Repeat("😀", 10000)
	tests := []struct {
		name   string
		r      int
		values []any
	}{
		{"plain", 2, []any{"005000000000001AAA", "ada@example.com", "Ada Lovelace"}},
		{"gaps", 7, []any{nil, "b", nil, nil, "e"}},
		{"numbers and booleans", 12, []any{0, 7, -3, 1 << 40, true, false}},
		{"styled", 1000000, []any{excelize.Cell{StyleID: 3, Value: "no_change"}, excelize.Cell{StyleID: 9, Value: 4},
			excelize.Cell{StyleID: 2, Value: true}, excelize.Cell{StyleID: 5}, excelize.Cell{}}},
		{"XML specials", 3, []any{`a<b>&"c"'d'`, "->", "Smith & Co. <Partner>"}},
		{"white space", 4, []any{" lead", "trail ", "\tTab", "line\nbreak", "cr\rhere", "two\r\nlines", " "}},
		{"empty text", 5, []any{""}},
		{"control and invalid", 6, []any{"bell\x07", "nul\x00", "bad\xffutf8", "\ufffe", "bidi\u202e"}},
		{"underscore escapes", 8, []any{"_x0041_", "a_x00e9_b", "_x005F_", "_x005F_x0041_", "_x005F_xZZ", "_xD800_", "x_x12345_", "snake_case_x", "_x"}},
		{"formula-looking", 9, []any{"=1+2", "+x", "-y", "@z"}},
		{"unicode", 10, []any{"Zoë Ångström", "日本語", "😀"}},
		{"over the cell limit", 11, []any{long}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := excelizeRow(t, tc.r, tc.values)
			if got := encoderRow(t, tc.r, tc.values); got != want {
				t.Errorf("row encoder\n got %.400q\nwant %.400q", got, want)
			}
		})
	}
}

func TestXLSXRowEncoderRefusesOtherValues(t *testing.T) {
	for _, v := range []any{1.5, int64(3), []byte("x"), excelize.Cell{Formula: "SUM(A1)"}} {
		var b bytes.Buffer
		if err := newXLSXRowEncoder([]string{"A"}).row(&b, 2, []any{v}); err == nil {
			t.Errorf("%T %v: no error", v, v)
		}
	}
}

func FuzzXLSXRowEncoder(f *testing.F) {
	for _, s := range []string{"plain", "a<b", " x", "_x0041_", "_x005F_x0041_", "\x00", "\xff", "a\r\nb", "_xd83d_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		values := []any{s, excelize.Cell{StyleID: 2, Value: s}}
		if got, want := encoderRow(t, 2, values), excelizeRow(t, 2, values); got != want {
			t.Errorf("%q:\n got %q\nwant %q", s, got, want)
		}
	})
}
