package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// xlsxBook is a written workbook, opened again.
type xlsxBook struct {
	f   *excelize.File
	raw []byte
}

// writeXLSX writes p with x and opens the result with excelize.
func writeXLSX(t testing.TB, x XLSX, p *planner.Plan) *xlsxBook {
	t.Helper()
	raw := render(t, x, p)
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return &xlsxBook{f: f, raw: raw}
}

// rows returns every row of a worksheet, header first, formatted as a
// spreadsheet shows them.
func (b *xlsxBook) rows(t testing.TB, sheet string) [][]string {
	t.Helper()
	rows, err := b.f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	return rows
}

// table returns the header and the data rows of a logical sheet, joining its
// worksheets ("Steps", "Steps (2)", ...) and checking each one repeats the
// header.
func (b *xlsxBook) table(t testing.TB, name string) (header []string, data [][]string) {
	t.Helper()
	for _, sheet := range b.parts(name) {
		rows := b.rows(t, sheet)
		if len(rows) == 0 {
			t.Fatalf("sheet %s has no header row", sheet)
		}
		if header == nil {
			header = rows[0]
		} else if !slices.Equal(rows[0], header) {
			t.Errorf("sheet %s header = %q, want %q", sheet, rows[0], header)
		}
		data = append(data, rows[1:]...)
	}
	return header, data
}

// parts returns the worksheets of a logical sheet, in workbook order.
func (b *xlsxBook) parts(name string) []string {
	re := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `( \([0-9]+\))?$`)
	var out []string
	for _, s := range b.f.GetSheetList() {
		if re.MatchString(s) {
			out = append(out, s)
		}
	}
	return out
}

// cell returns a row's value in the named column ("" when the row is short).
func xlCell(header, row []string, col string) string {
	j := slices.Index(header, col)
	if j < 0 {
		panic("no column " + col)
	}
	if j >= len(row) {
		return ""
	}
	return row[j]
}

// ref is the cell reference of column col (by header name) on row r
// (1-based, header = 1).
func xlRef(t testing.TB, header []string, col string, r int) string {
	t.Helper()
	j := slices.Index(header, col)
	if j < 0 {
		t.Fatalf("no column %s in %q", col, header)
	}
	name, err := excelize.CoordinatesToCellName(j+1, r)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// sheetXML returns the XML of a worksheet, found through the workbook's
// relationships.
func (b *xlsxBook) sheetXML(t testing.TB, sheet string) string {
	t.Helper()
	return b.part(t, b.sheetPart(t, sheet))
}

// part returns the content of a part of the workbook's zip.
func (b *xlsxBook) part(t testing.TB, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b.raw), int64(len(b.raw)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// sheetPart returns the name of a worksheet's part, found through the
// workbook's relationships.
func (b *xlsxBook) sheetPart(t testing.TB, sheet string) string {
	t.Helper()
	read := func(name string) []byte { return []byte(b.part(t, name)) }
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(read("xl/workbook.xml"), &wb); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(read("xl/_rels/workbook.xml.rels"), &rels); err != nil {
		t.Fatal(err)
	}
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range rels.Rels {
			if r.ID == s.RID {
				return path.Join("xl", r.Target)
			}
		}
	}
	t.Fatalf("no worksheet %s", sheet)
	return ""
}

// fillOf returns the fill colour of a cell ("" when it has none).
func (b *xlsxBook) fillOf(t testing.TB, sheet, ref string) string {
	t.Helper()
	id, err := b.f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Fill.Color) == 0 {
		return ""
	}
	return strings.ToUpper(s.Fill.Color[0])
}

// summaryValue returns the Value and Detail of the Summary row with the
// given section and item, and its 1-based row number.
func (b *xlsxBook) summaryValue(t testing.TB, section, item string) (value, detail string, row int) {
	t.Helper()
	header, data := b.table(t, sheetSummary)
	for i, r := range data {
		if xlCell(header, r, "Section") == section && xlCell(header, r, "Item") == item {
			return xlCell(header, r, "Value"), xlCell(header, r, "Detail"), i + 2
		}
	}
	t.Fatalf("Summary has no row %s / %s", section, item)
	return "", "", 0
}

var xlsxSheets = []string{sheetSummary, sheetSteps, sheetUsers, sheetAccounts, sheetWarnings, sheetLicenses, sheetRules}

func TestXLSXSheetsAndHeaders(t *testing.T) {
	b := writeXLSX(t, XLSX{}, fixturePlan())
	if got := b.f.GetSheetList(); !slices.Equal(got, xlsxSheets) {
		t.Fatalf("sheets = %q, want %q", got, xlsxSheets)
	}
	if got := b.f.GetActiveSheetIndex(); got != 0 {
		t.Errorf("active sheet = %d, want 0 (Summary)", got)
	}
	headers := map[string]string{
		sheetSummary: "Section,Item,Value,Detail",
		sheetSteps: "Seq,Phase,Action,User Id,Username,Name,Account Id,Account Name,Contact Id,From License,To License,From Profile,To Profile,To Profile Id," +
			"Current Role Id,Target Role Id,Outcome,Rule Id,Depends On,Reversible,Description,Warnings,Record Link,Owner,Status,Notes",
		sheetUsers:    "User Id,Username,Name,Account Id,Account Name,From License,To License,From Profile,To Profile,Outcome,Rule Id,Steps,Warnings,Warning Codes",
		sheetAccounts: "Account Id,Account Name,Partner Account,Enable Partner Step,Users,Changing,Roles Created,Role Names,Owner Has Role",
		sheetWarnings: "Code,Severity,Scope,User Id,Username,Account Id,Account Name,License,Message",
		sheetLicenses: "License,Total,Used,Moving In,Moving Out,After,Shortfall",
		sheetRules:    "Rule Id,From,To,Outcome,Users,Source,Explanation,Conflict",
	}
	p := fixturePlan()
	wantRows := map[string]int{
		sheetSteps: p.Steps.Len(), sheetUsers: p.Users.Len(), sheetAccounts: len(p.Accounts),
		sheetWarnings: len(p.Warnings) + xlsxUserWarnings(p), sheetLicenses: len(p.Licenses), sheetRules: len(p.Rules),
	}
	for _, sheet := range xlsxSheets {
		t.Run(sheet, func(t *testing.T) {
			rows := b.rows(t, sheet)
			if got := strings.Join(rows[0], ","); got != headers[sheet] {
				t.Errorf("header = %s\nwant     %s", got, headers[sheet])
			}
			if want, ok := wantRows[sheet]; ok && len(rows)-1 != want {
				t.Errorf("%d data rows, want %d", len(rows)-1, want)
			}
			panes, err := b.f.GetPanes(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
				t.Errorf("panes = %+v, want the header row frozen", panes)
			}
			last, _ := excelize.ColumnNumberToName(len(rows[0]))
			wantRef := "A1:" + last + strconv.Itoa(len(rows))
			if x := b.sheetXML(t, sheet); !strings.Contains(x, `<autoFilter ref="`+xlAbsRef(wantRef)+`"`) {
				t.Errorf("no autofilter over %s in the worksheet", wantRef)
			}
			var filter bool
			for _, dn := range b.f.GetDefinedName() {
				if dn.Name == "_xlnm._FilterDatabase" && dn.Scope == sheet {
					filter = strings.HasSuffix(dn.RefersTo, "!"+xlAbsRef(wantRef))
				}
			}
			if !filter {
				t.Errorf("no _FilterDatabase name for %s over %s", sheet, wantRef)
			}
			// Excel wants the column definitions in ascending order.
			var mins []int
			for _, m := range regexp.MustCompile(`<col min="([0-9]+)"`).FindAllStringSubmatch(b.sheetXML(t, sheet), -1) {
				n, _ := strconv.Atoi(m[1])
				mins = append(mins, n)
			}
			if len(mins) != len(rows[0]) || !slices.IsSorted(mins) {
				t.Errorf("column definitions start at %v, want one per column in ascending order", mins)
			}
			for j := range rows[0] {
				col, _ := excelize.ColumnNumberToName(j + 1)
				w, err := b.f.GetColWidth(sheet, col)
				if err != nil {
					t.Fatal(err)
				}
				if w < 7 || w > 100 {
					t.Errorf("column %s (%s) width %v, want a set width between 7 and 100", col, rows[0][j], w)
				}
			}
		})
	}
	// The columns the admin fills in stand out, and they are empty.
	hdr, steps := b.table(t, sheetSteps)
	for _, col := range []string{"Owner", "Status", "Notes"} {
		if got := b.fillOf(t, sheetSteps, xlRef(t, hdr, col, 1)); got != fillAdmin {
			t.Errorf("%s header fill = %q, want %q", col, got, fillAdmin)
		}
		for _, r := range steps {
			if v := xlCell(hdr, r, col); v != "" {
				t.Errorf("%s = %q, want empty", col, v)
			}
		}
	}
	if got := b.fillOf(t, sheetSteps, "A1"); got != fillHeader {
		t.Errorf("header fill = %q, want %q", got, fillHeader)
	}
}

// xlAbsRef turns A1:C3 into $A$1:$C$3.
func xlAbsRef(r string) string {
	return regexp.MustCompile(`([A-Z]+)([0-9]+)`).ReplaceAllString(r, `$$$1$$$2`)
}

func TestXLSXContent(t *testing.T) {
	p := fixturePlan()
	p.Fingerprint = "sha256:0123456789abcdef"
	b := writeXLSX(t, XLSX{}, p)
	type wantCell struct{ sheet, key, col, value string }
	// key is the first column's value (Seq, User Id, Account Id, Code,
	// License, Rule Id), or Section/Item on Summary.
	tests := []wantCell{
		{sheetSteps, "1", "Action", "enable_partner_account"},
		{sheetSteps, "1", "Account Name", hostileScript},
		{sheetSteps, "1", "Username", ""},
		{sheetSteps, "1", "Reversible", "FALSE"},
		{sheetSteps, "3", "Name", hostileMinus},
		{sheetSteps, "3", "Outcome", "change_in_place"},
		{sheetSteps, "3", "Warnings", "IRREVERSIBLE PARTNER_ACCOUNT_REQUIRED PERMISSION_SETS_REMOVED ROLE_CREATED"},
		{sheetSteps, "3", "Rule Id", ""}, // the step's own rule: the fixture's steps have none
		{sheetSteps, "6", "Reversible", "TRUE"},
		{sheetSteps, "8", "Depends On", "6, 7"},
		{sheetSteps, "8", "Name", hostileNewline},
		{sheetSteps, "10", "Phase", "follow-up"},
		{sheetSteps, "4", "Username", hostileTab + "@acme.example"},
		{sheetUsers, "005000000000001AAA", "Name", hostileHyperlink},
		{sheetUsers, "005000000000001AAA", "Account Name", hostilePipe},
		{sheetUsers, "005000000000001AAA", "Warnings", "0"},
		{sheetUsers, "005000000000002AAA", "Name", hostilePlus},
		{sheetUsers, "005000000000004AAA", "Name", hostileAt},
		{sheetUsers, "005000000000006AAA", "Name", `Esc\x1b[31mRed\x1b]0;pwned\x07`},
		{sheetUsers, "005000000000006AAA", "Account Name", `Globex\x1b[2J`},
		{sheetUsers, "005000000000003AAA", "Steps", "3, 9"},
		{sheetUsers, "005000000000003AAA", "Warnings", "5"},
		{sheetUsers, "005000000000005AAA", "Outcome", "recreate"},
		{sheetAccounts, "001000000000001AAA", "Enable Partner Step", "1"},
		{sheetAccounts, "001000000000001AAA", "Roles Created", "3"},
		{sheetAccounts, "001000000000001AAA", "Role Names", hostileScript + " Partner Executive; " + hostileScript + " Partner Manager; " + hostileScript + " Partner User"},
		{sheetAccounts, "001000000000003AAA", "Partner Account", "unknown"},
		{sheetAccounts, "001000000000003AAA", "Enable Partner Step", ""},
		{sheetAccounts, "001000000000002AAA", "Owner Has Role", "FALSE"},
		{sheetAccounts, "001000000000002AAA", "Partner Account", "TRUE"},
		{sheetLicenses, "Partner Community", "Shortfall", "2"},
		{sheetLicenses, "Customer Community", "Total", "unknown"},
		{sheetLicenses, "Chatter Free", "Total", "5000"},
		{sheetRules, "customer-community-to-partner-community-reenable", "Conflict", "Overrides the catalog rule (change in place) from " + rules.Doc000},
		{sheetRules, "same-license", "Users", "1"},
		{sheetSummary, "Org/Name", "Value", "Acme | <Corp> *prod*"},
		{sheetSummary, "Org/Environment", "Value", "production"},
		{sheetSummary, "Source/Kind", "Value", "org"},
		{sheetSummary, "Source/API calls", "Value", "9"},
		{sheetSummary, "Plan/Fingerprint", "Value", "sha256:0123456789abcdef"},
		{sheetSummary, "Plan/Generated", "Value", "2025-03-14 09:26:53 UTC"},
		{sheetSummary, "Counts/Users", "Value", "8"},
		{sheetSummary, "Counts/Steps", "Value", "10"},
		{sheetSummary, "Outcomes/change_in_place", "Value", "2"},
		{sheetSummary, "Outcomes/disable_reenable", "Value", "1"},
		{sheetSummary, "Warnings/NEW_USER_RECORD", "Value", "2"},
		{sheetSummary, "Warnings/NEW_USER_RECORD", "Detail", "high"},
		{sheetSummary, "Sheets/Steps", "Value", "10"},
		{sheetSummary, "Sheets/Warnings", "Value", strconv.Itoa(len(p.Warnings) + xlsxUserWarnings(p))},
		{sheetSummary, "Notes/Note 3", "Value", "# not a heading | not a cell\nsecond line"},
	}
	for _, tt := range tests {
		t.Run(tt.sheet+"/"+tt.key+"/"+tt.col, func(t *testing.T) {
			header, data := b.table(t, tt.sheet)
			for _, r := range data {
				k := r[0]
				if tt.sheet == sheetSummary {
					k = r[0] + "/" + r[1]
				}
				if k == tt.key {
					if got := xlCell(header, r, tt.col); got != tt.value {
						t.Errorf("%s = %q, want %q", tt.col, got, tt.value)
					}
					return
				}
			}
			t.Errorf("no row %s", tt.key)
		})
	}
	// Warnings: plan-level first, then each user's in user order.
	header, data := b.table(t, sheetWarnings)
	var got []string
	for _, r := range data {
		got = append(got, xlCell(header, r, "Scope")+" "+xlCell(header, r, "Code")+" "+xlCell(header, r, "User Id"))
	}
	var want []string
	for _, w := range p.Warnings {
		want = append(want, "plan "+string(w.Code)+" ")
	}
	for _, u := range p.Users.All() {
		for _, w := range u.Warnings {
			want = append(want, "user "+string(w.Code)+" "+u.UserID)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings =\n%q\nwant\n%q", got, want)
	}
	// A plan-level warning about an account names it.
	if r := data[1]; xlCell(header, r, "Account Name") != hostilePipe || xlCell(header, r, "Message") != "The owner of account "+hostilePipe+" has no role." {
		t.Errorf("account warning row = %q", r)
	}
}

// TestXLSXHostileNamesAreInertText checks that no cell is a formula, and
// that a text that begins like one is stored as it is, as text, in a cell
// whose format has quotePrefix, with no ' added to it.
func TestXLSXHostileNamesAreInertText(t *testing.T) {
	for _, pc := range []struct {
		name string
		p    *planner.Plan
	}{{"fixture", fixturePlan()}, {"demo", xlsxDemoPlan(t)}} {
		t.Run(pc.name, func(t *testing.T) {
			b := writeXLSX(t, XLSX{}, pc.p)
			quoted := b.quotePrefixed(t)
			checked := 0
			for _, sheet := range b.f.GetSheetList() {
				if x := b.sheetXML(t, sheet); strings.Contains(x, "<f>") || strings.Contains(x, "<f ") {
					t.Errorf("sheet %s holds a formula", sheet)
				}
				rows := b.rows(t, sheet)
				for i, r := range rows {
					for j, v := range r {
						if v == "" {
							continue
						}
						if strings.ContainsAny(v, "\x1b\x07\u202e") {
							t.Errorf("%s row %d column %d holds a raw control character: %q", sheet, i+1, j+1, v)
						}
						if v[0] == '\'' {
							t.Errorf("%s row %d column %d begins with a literal ': %q", sheet, i+1, j+1, v)
						}
						if !strings.ContainsRune("=+-@\t\r", rune(v[0])) {
							continue
						}
						checked++
						name, _ := excelize.CoordinatesToCellName(j+1, i+1)
						typ, err := b.f.GetCellType(sheet, name)
						if err != nil {
							t.Fatal(err)
						}
						if typ != excelize.CellTypeInlineString {
							t.Errorf("%s!%s (%q) type %v, want an inline string", sheet, name, v, typ)
						}
						if fo, _ := b.f.GetCellFormula(sheet, name); fo != "" {
							t.Errorf("%s!%s has formula %q", sheet, name, fo)
						}
						if id, _ := b.f.GetCellStyle(sheet, name); !quoted[id] {
							t.Errorf("%s!%s (%q) has format %d, want one with quotePrefix", sheet, name, v, id)
						}
					}
				}
			}
			if checked == 0 {
				t.Error("no cell begins with a formula character")
			}
		})
	}
	// The demo's =HYPERLINK account is there, as it is, and a string.
	b := writeXLSX(t, XLSX{}, xlsxDemoPlan(t))
	header, data := b.table(t, sheetAccounts)
	i := slices.IndexFunc(data, func(r []string) bool {
		return xlCell(header, r, "Account Name") == `=HYPERLINK("http://evil.example","Click")`
	})
	if i < 0 {
		t.Fatal("the demo's =HYPERLINK account is not on Accounts as text")
	}
	at := xlRef(t, header, "Account Name", i+2)
	if typ, _ := b.f.GetCellType(sheetAccounts, at); typ != excelize.CellTypeInlineString {
		t.Errorf("%s type %v, want an inline string", at, typ)
	}
	if fo, _ := b.f.GetCellFormula(sheetAccounts, at); fo != "" {
		t.Errorf("%s has formula %q", at, fo)
	}
}

// quotePrefixed returns the cell formats (style Ids) of the workbook that
// have quotePrefix="1", read from styles.xml.
func (b *xlsxBook) quotePrefixed(t testing.TB) map[int]bool {
	t.Helper()
	var styles struct {
		Xfs []struct {
			QuotePrefix string `xml:"quotePrefix,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := xml.Unmarshal([]byte(b.part(t, "xl/styles.xml")), &styles); err != nil {
		t.Fatal(err)
	}
	out := map[int]bool{}
	for i, xf := range styles.Xfs {
		if xf.QuotePrefix == "1" || xf.QuotePrefix == "true" {
			out[i] = true
		}
	}
	return out
}

func TestXLSXNumbersAndBooleans(t *testing.T) {
	b := writeXLSX(t, XLSX{}, fixturePlan())
	numeric := []struct{ sheet, col string }{
		{sheetSteps, "Seq"}, {sheetUsers, "Warnings"}, {sheetAccounts, "Users"}, {sheetAccounts, "Changing"},
		{sheetAccounts, "Roles Created"}, {sheetLicenses, "Moving In"}, {sheetLicenses, "Moving Out"},
		{sheetLicenses, "Shortfall"}, {sheetLicenses, "Used"}, {sheetRules, "Users"},
	}
	for _, tt := range numeric {
		t.Run(tt.sheet+"/"+tt.col, func(t *testing.T) {
			header, data := b.table(t, tt.sheet)
			checked := 0
			for i, r := range data {
				if xlCell(header, r, tt.col) == "unknown" {
					continue
				}
				at := xlRef(t, header, tt.col, i+2)
				typ, err := b.f.GetCellType(tt.sheet, at)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := b.f.GetCellValue(tt.sheet, at, excelize.Options{RawCellValue: true})
				if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
					t.Errorf("%s type %v, want a number", at, typ)
				}
				if _, err := strconv.Atoi(raw); err != nil {
					t.Errorf("%s = %q, want an integer", at, raw)
				}
				checked++
			}
			if checked == 0 {
				t.Error("no numeric cell checked")
			}
		})
	}
	header, _ := b.table(t, sheetSteps)
	at := xlRef(t, header, "Reversible", 2)
	if typ, _ := b.f.GetCellType(sheetSteps, at); typ != excelize.CellTypeBool {
		t.Errorf("Reversible type %v, want a boolean", typ)
	}
	// Unknown capacity is text, so it is never read as 0.
	header, data := b.table(t, sheetLicenses)
	i := slices.IndexFunc(data, func(r []string) bool { return r[0] == "Customer Community" })
	at = xlRef(t, header, "Total", i+2)
	if typ, _ := b.f.GetCellType(sheetLicenses, at); typ != excelize.CellTypeInlineString {
		t.Errorf("unknown Total type %v, want a string", typ)
	}
}

func TestXLSXGeneratedAtIsADate(t *testing.T) {
	p := fixturePlan()
	b := writeXLSX(t, XLSX{}, p)
	_, _, row := b.summaryValue(t, "Plan", "Generated")
	at := "C" + strconv.Itoa(row)
	raw, err := b.f.GetCellValue(sheetSummary, at, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	serial, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("%s = %q, want a date serial number", at, raw)
	}
	got, err := excelize.ExcelDateToTime(serial, false)
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Sub(p.GeneratedAt); d < -time.Second || d > time.Second {
		t.Errorf("date = %v, want %v", got, p.GeneratedAt)
	}
	id, _ := b.f.GetCellStyle(sheetSummary, at)
	s, err := b.f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if s.CustomNumFmt == nil || *s.CustomNumFmt != xlsxDateFormat {
		t.Errorf("number format = %v, want %q", s.CustomNumFmt, xlsxDateFormat)
	}

	// A plan without a time says so instead of showing 1900.
	b = writeXLSX(t, XLSX{}, &planner.Plan{})
	if v, _, _ := b.summaryValue(t, "Plan", "Generated"); v != "unknown" {
		t.Errorf("zero generatedAt = %q, want unknown", v)
	}
}

func TestXLSXFills(t *testing.T) {
	b := writeXLSX(t, XLSX{}, xlsxDemoPlan(t))
	seen := map[rules.Outcome]bool{}
	header, data := b.table(t, sheetUsers)
	for i, r := range data {
		o, err := rules.ParseOutcome(xlCell(header, r, "Outcome"))
		if err != nil {
			t.Fatalf("row %d: %v", i+2, err)
		}
		if seen[o] {
			continue
		}
		seen[o] = true
		if got := b.fillOf(t, sheetUsers, xlRef(t, header, "Outcome", i+2)); got != outcomeFills[o] {
			t.Errorf("%s fill = %q, want %q", o, got, outcomeFills[o])
		}
	}
	if len(seen) != len(rules.Outcomes) {
		t.Errorf("the demo shows outcomes %v, want all %d", seen, len(rules.Outcomes))
	}
	// Severities on Warnings, environment on Summary.
	header, data = b.table(t, sheetWarnings)
	sevs := map[string]bool{}
	for i, r := range data {
		c := rules.Code(xlCell(header, r, "Code"))
		want := severityFills[c.Severity()]
		if sev := xlCell(header, r, "Severity"); !sevs[sev] {
			sevs[sev] = true
			if got := b.fillOf(t, sheetWarnings, xlRef(t, header, "Severity", i+2)); got != want {
				t.Errorf("severity %s fill = %q, want %q", sev, got, want)
			}
		}
	}
	if len(sevs) != 3 {
		t.Errorf("severities seen %v, want high, medium and low", sevs)
	}
	// The demo plan's Organization record says sandbox, but the demo is
	// marked DEMO in the production fill: it is no org of the reader's.
	v, _, row := b.summaryValue(t, "Org", "Environment")
	if got := b.fillOf(t, sheetSummary, "C"+strconv.Itoa(row)); got != fillProduction || v != "DEMO" {
		t.Errorf("demo environment = %q with fill %q, want DEMO with %q", v, got, fillProduction)
	}
	sp := fixturePlan()
	setOrg(sp, &planner.OrgInfo{Name: "S", IsSandbox: ptr(true)})
	sb := writeXLSX(t, XLSX{}, sp)
	_, _, row = sb.summaryValue(t, "Org", "Environment")
	if got := sb.fillOf(t, sheetSummary, "C"+strconv.Itoa(row)); got != fillSandbox {
		t.Errorf("sandbox fill = %q, want %q", got, fillSandbox)
	}
	fx := writeXLSX(t, XLSX{}, fixturePlan())
	_, _, row = fx.summaryValue(t, "Org", "Environment")
	if got := fx.fillOf(t, sheetSummary, "C"+strconv.Itoa(row)); got != fillProduction {
		t.Errorf("production fill = %q, want %q", got, fillProduction)
	}
	header, data = fx.table(t, sheetLicenses)
	i := slices.IndexFunc(data, func(r []string) bool { return r[0] == "Partner Community" })
	if got := fx.fillOf(t, sheetLicenses, xlRef(t, header, "Shortfall", i+2)); got != fillShortfall {
		t.Errorf("shortfall fill = %q, want %q", got, fillShortfall)
	}
}

// TestXLSXRowSplit writes a generated plan with a low row limit and checks
// that every list continues on numbered sheets, in order, with nothing lost,
// and that Summary names every worksheet. Writing 1,048,576 real rows takes
// far longer than a unit test should; TestXLSXRowLimit checks the arithmetic
// at the real limit instead.
func TestXLSXRowSplit(t *testing.T) {
	const limit = 150
	p := xlsxGeneratedPlan(t, 3000)
	userWarnings := xlsxUserWarnings(p)
	counts := map[string]int{
		sheetSteps: p.Steps.Len(), sheetUsers: p.Users.Len(), sheetAccounts: len(p.Accounts),
		sheetWarnings: len(p.Warnings) + userWarnings, sheetLicenses: len(p.Licenses), sheetRules: len(p.Rules),
	}
	for _, s := range []string{sheetSteps, sheetUsers, sheetAccounts, sheetWarnings} {
		if counts[s] < 2*limit {
			t.Fatalf("the generated plan has %d %s rows; the test needs more than %d", counts[s], s, 2*limit)
		}
	}
	b := writeXLSX(t, XLSX{rowLimit: limit}, p)

	// Workbook order: each sheet, then its continuations.
	var want []string
	for _, s := range xlsxSheets {
		n := counts[s]
		if s == sheetSummary {
			n = 1
		}
		want = append(want, partNames(s, partsOf(n, limit))...)
	}
	if got := b.f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets =\n%q\nwant\n%q", got, want)
	}
	for _, s := range b.f.GetSheetList() {
		if n := len(b.rows(t, s)); n > limit {
			t.Errorf("sheet %s has %d rows, more than the limit %d", s, n, limit)
		}
	}

	// Nothing lost, nothing reordered.
	_, steps := b.table(t, sheetSteps)
	for i, r := range steps {
		if r[0] != strconv.Itoa(p.Steps.At(i).Seq) {
			t.Fatalf("step row %d has Seq %s, want %d", i, r[0], p.Steps.At(i).Seq)
		}
	}
	_, users := b.table(t, sheetUsers)
	for i, r := range users {
		if r[0] != p.Users.At(i).UserID {
			t.Fatalf("user row %d is %s, want %s", i, r[0], p.Users.At(i).UserID)
		}
	}
	_, accts := b.table(t, sheetAccounts)
	for i, r := range accts {
		if r[0] != p.Accounts[i].AccountID {
			t.Fatalf("account row %d is %s, want %s", i, r[0], p.Accounts[i].AccountID)
		}
	}
	wh, warns := b.table(t, sheetWarnings)
	k := len(p.Warnings)
	for _, u := range p.Users.All() {
		for _, w := range u.Warnings {
			if r := warns[k]; xlCell(wh, r, "User Id") != u.UserID || xlCell(wh, r, "Code") != string(w.Code) {
				t.Fatalf("warning row %d = %q, want %s %s", k, r, u.UserID, w.Code)
			}
			k++
		}
	}
	for s, n := range map[string]int{sheetSteps: len(steps), sheetUsers: len(users), sheetAccounts: len(accts), sheetWarnings: len(warns)} {
		if n != counts[s] {
			t.Errorf("%s: %d rows in all, want %d", s, n, counts[s])
		}
	}

	// Summary names every worksheet with its rows, and says where each
	// split list continues.
	for _, s := range xlsxSheets[1:] {
		parts := b.parts(s)
		for i, part := range parts {
			v, detail, _ := b.summaryValue(t, "Sheets", part)
			if got, want := v, strconv.Itoa(len(b.rows(t, part))-1); got != want {
				t.Errorf("Summary says %s has %s rows, it has %s", part, got, want)
			}
			if len(parts) > 1 && !strings.Contains(detail, fmt.Sprintf("of %d", counts[s])) {
				t.Errorf("Summary detail for %s = %q, want the total %d", part, detail, counts[s])
			}
			if i == 0 && len(parts) > 1 && !strings.Contains(detail, s+" continues in "+strings.Join(parts[1:], ", ")) {
				t.Errorf("Summary detail for %s = %q, want it to say where %s continues", part, detail, s)
			}
		}
	}
}

// TestXLSXRowSplitTiny uses a limit so low that Summary itself continues,
// and checks every list of the fixture survives.
func TestXLSXRowSplitTiny(t *testing.T) {
	p := fixturePlan()
	b := writeXLSX(t, XLSX{rowLimit: 4}, p)
	full := writeXLSX(t, XLSX{}, p)
	for _, s := range xlsxSheets {
		hs, split := b.table(t, s)
		hf, whole := full.table(t, s)
		if !slices.Equal(hs, hf) {
			t.Errorf("%s header %q, want %q", s, hs, hf)
		}
		if s == sheetSummary {
			// Summary lists the worksheets, which differ; the rest is equal.
			notSheets := func(rows [][]string) [][]string {
				return slices.DeleteFunc(slices.Clone(rows), func(r []string) bool { return r[0] == "Sheets" })
			}
			split, whole = notSheets(split), notSheets(whole)
		}
		if !slices.EqualFunc(split, whole, slices.Equal) {
			t.Errorf("%s differs when split over %q", s, b.parts(s))
		}
	}
	if parts := b.parts(sheetSummary); len(parts) < 2 {
		t.Fatalf("Summary parts = %q, want it split", parts)
	}
	for _, part := range b.parts(sheetSummary) {
		b.summaryValue(t, "Sheets", part) // fails the test when missing
	}
}

func TestXLSXRowLimit(t *testing.T) {
	if got := (XLSX{}).limit(); got != 1_048_576 {
		t.Errorf("default limit = %d, want 1,048,576", got)
	}
	for _, bad := range []int{-1, 1, 2, excelize.TotalRows + 1} {
		if got := (XLSX{rowLimit: bad}).limit(); got != excelize.TotalRows {
			t.Errorf("limit(%d) = %d, want %d", bad, got, excelize.TotalRows)
		}
	}
	tests := []struct{ n, limit, parts int }{
		{0, excelize.TotalRows, 1},
		{1, excelize.TotalRows, 1},
		{excelize.TotalRows - 1, excelize.TotalRows, 1}, // fills the sheet under its header
		{excelize.TotalRows, excelize.TotalRows, 2},
		{2 * (excelize.TotalRows - 1), excelize.TotalRows, 2},
		{2*(excelize.TotalRows-1) + 1, excelize.TotalRows, 3},
		{3, 4, 1},
		{4, 4, 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%d", tt.n, tt.limit), func(t *testing.T) {
			if got := partsOf(tt.n, tt.limit); got != tt.parts {
				t.Errorf("partsOf(%d, %d) = %d, want %d", tt.n, tt.limit, got, tt.parts)
			}
		})
	}
	rows := sheetParts(sheetSteps, excelize.TotalRows, excelize.TotalRows)
	if len(rows) != 2 || rows[0].value != excelize.TotalRows-1 || rows[1].value != 1 || rows[1].item != "Steps (2)" {
		t.Errorf("sheetParts = %+v", rows)
	}
	if !strings.Contains(rows[0].detail, "Steps continues in Steps (2)") ||
		!strings.Contains(rows[1].detail, "rows 1048576 to 1048576 of 1048576") {
		t.Errorf("details = %q, %q", rows[0].detail, rows[1].detail)
	}
}

func TestXLSXEmptyPlan(t *testing.T) {
	for _, pc := range []struct {
		name string
		p    *planner.Plan
	}{{"zero", &planner.Plan{}}, {"nil lists", nilPlan()}} {
		t.Run(pc.name, func(t *testing.T) {
			b := writeXLSX(t, XLSX{}, pc.p)
			if got := b.f.GetSheetList(); !slices.Equal(got, xlsxSheets) {
				t.Fatalf("sheets = %q", got)
			}
			for _, s := range xlsxSheets {
				if len(b.rows(t, s)) == 0 {
					t.Errorf("sheet %s has no header", s)
				}
			}
		})
	}
	b := writeXLSX(t, XLSX{}, &planner.Plan{})
	for _, s := range xlsxSheets[1:] {
		if n := len(b.rows(t, s)); n != 1 {
			t.Errorf("sheet %s has %d rows, want the header only", s, n)
		}
	}
	if v, detail, _ := b.summaryValue(t, "Org", "Environment"); v != "unknown" || detail == "" {
		t.Errorf("environment = %q (%q), want unknown with a reason", v, detail)
	}
}

// errAfter is a context whose Err starts failing after n calls, so a test can
// cancel in the middle of the rows without racing a goroutine.
type errAfter struct {
	context.Context
	n int
}

func (c *errAfter) Err() error {
	if c.n <= 0 {
		return context.Canceled
	}
	c.n--
	return nil
}

func TestXLSXCancelled(t *testing.T) {
	p := syntheticPlan(20000)
	for _, after := range []int{0, 1, 5, 40} {
		t.Run(strconv.Itoa(after), func(t *testing.T) {
			var buf bytes.Buffer
			err := XLSX{}.Write(&errAfter{Context: context.Background(), n: after}, &buf, p)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Write = %v, want context.Canceled", err)
			}
			// The workbook is streamed, so some of it may be written (plan
			// writes files atomically), but never its zip directory: what
			// was written is not a workbook.
			if _, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err == nil {
				t.Errorf("wrote a readable workbook of %d bytes after the cancel", buf.Len())
			}
		})
	}
}

func TestXLSXDeterministic(t *testing.T) {
	p := xlsxGeneratedPlan(t, 500)
	a := render(t, XLSX{}, p)
	for range 3 {
		if b := render(t, XLSX{}, p); !bytes.Equal(a, b) {
			t.Fatal("two writes of the same plan differ")
		}
	}
	// A plan of a live org has links, written from a map of worksheets.
	linked := render(t, XLSX{rowLimit: 4}, xlsxAdminPlan())
	for range 3 {
		if b := render(t, XLSX{rowLimit: 4}, xlsxAdminPlan()); !bytes.Equal(linked, b) {
			t.Fatal("two writes of the same plan with links differ")
		}
	}
	// The zip entries are in name order, [Content_Types].xml first.
	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if !slices.IsSorted(names) || names[0] != "[Content_Types].xml" {
		t.Errorf("zip entries = %q, want them sorted", names)
	}
}

func TestXLSXWriteError(t *testing.T) {
	err := XLSX{}.Write(context.Background(), failWriter{}, fixturePlan())
	if !errors.Is(err, errBoom) || !strings.HasPrefix(err.Error(), "writing XLSX: ") {
		t.Errorf("Write = %v, want a reports: error wrapping %v", err, errBoom)
	}
}

func TestXLSXDocProps(t *testing.T) {
	p := fixturePlan()
	p.Fingerprint = "sha256:abc"
	b := writeXLSX(t, XLSX{}, p)
	props, err := b.f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Creator != "licenseplan" || props.Created != "2025-03-14T09:26:53Z" || !strings.Contains(props.Description, "sha256:abc") {
		t.Errorf("doc props = %+v", props)
	}
}

func TestXLSXLongCell(t *testing.T) {
	p := fixturePlan()
	long := strings.Repeat("é", 20000) + strings.Repeat("😀", 10000) // 40,000 UTF-16 units
	editUsers(p, func(i int, u *planner.UserPlan) {
		if i == 0 {
			u.Name = long
		}
	})
	b := writeXLSX(t, XLSX{}, p)
	header, data := b.table(t, sheetUsers)
	got := xlCell(header, data[0], "Name")
	if n := len(utf16.Encode([]rune(got))); n > excelize.TotalCellChars {
		t.Errorf("cell holds %d UTF-16 units, more than %d", n, excelize.TotalCellChars)
	}
	if !strings.HasSuffix(got, xlsxTruncated) || !strings.HasPrefix(got, strings.Repeat("é", 20000)) {
		t.Errorf("long name = %.40q...%q, want it cut with a note", got, got[max(0, len(got)-60):])
	}
}

func TestCellText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		// A leading =, +, -, @, tab or carriage return stays: the cell's
		// format quotes it (quotePrefix), not a ' in its text.
		{hostileHyperlink, hostileHyperlink},
		{hostilePlus, hostilePlus},
		{hostileMinus, hostileMinus},
		{hostileAt, hostileAt},
		{hostileTab, hostileTab},
		{"\rcr", "\rcr"},
		{hostileNewline, hostileNewline},
		{hostileScript, hostileScript},
		{hostileEsc, `Esc\x1b[31mRed\x1b]0;pwned\x07`},
		{"\x1b=cmd", `\x1b=cmd`},
		{"\u202e=1", `\u202e=1`},
		{"a\x00b", `a\x00b`},
		{"bad \xff byte", `bad \xff byte`},
		{"del\x7f", `del\x7f`},
		{"\ufffe", `\ufffe`},
		{"Ünïcödé 名前", "Ünïcödé 名前"},
		{"_x0041_", "_x0041_"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := cellText(tt.in); got != tt.want {
				t.Errorf("cellText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	// The escape-looking value and the stored value round-trip as text.
	p := fixturePlan()
	editUsers(p, func(i int, u *planner.UserPlan) {
		if i == 0 {
			u.Name = "_x0041_"
		}
	})
	b := writeXLSX(t, XLSX{}, p)
	header, data := b.table(t, sheetUsers)
	if got := xlCell(header, data[0], "Name"); got != "_x0041_" {
		t.Errorf("name _x0041_ read back as %q", got)
	}
}

// xlsxUserWarnings counts the user-level warnings of p.
func xlsxUserWarnings(p *planner.Plan) int {
	n := 0
	for _, u := range p.Users.All() {
		n += len(u.Warnings)
	}
	return n
}

// xlsxDemoPlan plans the built-in demo org with its own targets and the
// experience-cloud preset, as `licenseplan plan` does with no flags.
func xlsxDemoPlan(t testing.TB) *planner.Plan {
	t.Helper()
	snap, err := org.ReadSnapshot(context.Background(), demo.Snapshot(), "demo")
	if err != nil {
		t.Fatalf("reading the demo org: %v", err)
	}
	tb, tg := xlsxPlanInputs(t)
	own, err := targets.ParseCSV("demo targets.csv", bytes.NewReader(demo.Targets()), tb.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	if tg, err = targets.Merge(own, tg); err != nil {
		t.Fatal(err)
	}
	p := planner.Build(snap, tb, tg, planner.Options{Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Source: planner.Source{Kind: "demo", Path: "built-in demo org", Files: snap.Files, Targets: tg.Describe}})
	return p
}

// xlsxGeneratedPlan plans an orggen org of n users with the
// experience-cloud preset.
func xlsxGeneratedPlan(t testing.TB, n int) *planner.Plan {
	t.Helper()
	snap := orggen.Generate(orggen.Options{Users: n, Seed: 1})
	tb, tg := xlsxPlanInputs(t)
	return planner.Build(snap, tb, tg, planner.Options{Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Source: planner.Source{Kind: "snapshot", Path: "orggen", Files: snap.Files, Targets: tg.Describe}})
}

// xlsxPlanInputs returns the default rule table and the experience-cloud preset.
func xlsxPlanInputs(t testing.TB) (*rules.Table, *targets.Set) {
	t.Helper()
	tb, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	canon := tb.Catalog
	tg, err := targets.Preset("experience-cloud", canon)
	if err != nil {
		t.Fatal(err)
	}
	return tb, tg
}
