package reports

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	orgpkg "github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// XLSX writes plan.xlsx, a workbook for the admins who carry out the plan:
//
//   - Summary: the org, the source, production or sandbox, when the plan was
//     generated, its fingerprint, the counts per outcome and per warning code,
//     the sheets and their rows, and the plan's notes;
//   - Steps: the ordered steps, with the Ids an admin acts on (contact,
//     target profile, current and target role), a link to the record of
//     each step when the instance is known, and empty Owner, Status (a
//     dropdown) and Notes columns for the admin to fill in;
//   - Users, Accounts, Warnings (plan-level first, then every user warning),
//     Licenses (capacity before and after) and Rules (every rule the plan
//     used, with its source).
//
// Every sheet has its header row frozen and an autofilter, a <dimension>
// that covers its cells, and a print setup: landscape, fit to the page's
// width, the header row repeated on every page, the org and the plan's
// fingerprint in the page header and page x of y in the footer. Numbers are
// numeric cells, booleans are boolean cells, generatedAt is a date-time
// cell, outcomes and severities are colour-coded, and no cell holds a
// formula. Text is stored as text, with control characters made visible as
// in the terminal output; a text that begins with =, +, -, @, tab or
// carriage return has a cell format with quotePrefix, so a spreadsheet
// shows it unchanged and never evaluates it (plan.csv quotes it with a
// leading ' instead, see SafeCell). A sheet holds at most 1,048,576 rows,
// header included; a longer list continues in "Steps (2)", "Steps (3)" and
// so on, and Summary says so.
//
// The output is deterministic: the same plan gives the same bytes.
type XLSX struct {
	// rowLimit is how many rows a sheet holds, header included; 0 means
	// Excel's limit (excelize.TotalRows). Tests lower it to exercise the
	// split without writing a million rows.
	rowLimit int
	// linkLimit is how many hyperlinks a worksheet holds; 0 means Excel's
	// limit (excelize.TotalSheetHyperlinks). Tests lower it.
	linkLimit int

	// FingerprintLater, when set and the plan has no fingerprint yet,
	// gives the fingerprint the workbook shows; it may block until
	// plan.json, which computes it, is written. The workbook is built
	// with a stand-in of the same length, and the parts that show it
	// come last in the zip (see xlsxZip.later), so the big worksheets'
	// rows are encoded and compressed while plan.json is written. The
	// bytes are those of a plan whose fingerprint was set before.
	FingerprintLater func() (string, error)
}

// Sheet names, in workbook order.
const (
	sheetSummary  = "Summary"
	sheetSteps    = "Steps"
	sheetUsers    = "Users"
	sheetAccounts = "Accounts"
	sheetWarnings = "Warnings"
	sheetLicenses = "Licenses"
	sheetRules    = "Rules"
)

// xlsxDateFormat is the number format of the generatedAt cell. The plan's
// times are UTC and a spreadsheet date has no zone, so the format says it.
const xlsxDateFormat = `yyyy-mm-dd hh:mm:ss "UTC"`

// Fill colours (RGB hex) of the colour-coded cells.
var (
	outcomeFills = map[rules.Outcome]string{
		rules.NoChange:        "EDEDED", // grey
		rules.ChangeInPlace:   "C6EFCE", // green
		rules.ChangeProfile:   "E2EFDA", // pale green
		rules.DisableReenable: "FFEB9C", // amber
		rules.Recreate:        "FFC7CE", // red
		rules.Skipped:         "DDEBF7", // light blue
		rules.NoPath:          "F8CBAD", // orange
		rules.Invalid:         "E4D2F2", // violet
	}
	severityFills = map[rules.Severity]string{
		rules.High:   "FFC7CE",
		rules.Medium: "FFEB9C",
		rules.Low:    "EDEDED",
	}
)

const (
	fillHeader     = "D9E1F2"
	fillAdmin      = "FFF2CC" // header of the columns the admin fills in
	fillProduction = "FFC7CE"
	fillSandbox    = "C6EFCE"
	fillShortfall  = "FFC7CE"
)

// xlsxCol is one column of a sheet.
type xlsxCol struct {
	name  string
	width float64
	// admin marks a column the admin fills in (Owner, Status, Notes).
	admin bool
	// choices, when set, make the column's data cells a dropdown of these
	// values (a data validation list).
	choices []string
}

// stepStatuses are the choices of the Steps sheet's Status column.
var stepStatuses = []string{"To do", "In progress", "Done", "Blocked", "Skipped"}

// xlsxLink is a cell value that is a hyperlink: the address, shown as the
// cell's text and linked to.
type xlsxLink string

// xlsxTable is one logical sheet: a header and n data rows, split over as
// many worksheets as the row limit needs.
type xlsxTable struct {
	name string
	cols []xlsxCol
	n    int
	// fill sets row (len(cols) cells, all nil on entry) to data row i. It is
	// called with i = 0, 1, ..., n-1 in order, so it may keep a cursor.
	fill func(i int, row []any)
	// excelizeRows sends the rows through excelize's StreamWriter (Summary,
	// which holds a date); the other tables' rows are written by
	// xlsxRowEncoder as the workbook is written (xlsxZip).
	excelizeRows bool
}

// xlsxStyles are the style IDs the writer uses.
type xlsxStyles struct {
	header, admin, date, unknown int
	// quote is plain text with quotePrefix (see xlsxZip); link is a
	// hyperlink's text.
	quote, link                    int
	production, sandbox, shortfall int
	outcome                        map[rules.Outcome]int
	severity                       map[rules.Severity]int
	// outcomeByName holds the style of each outcome's name.
	outcomeByName map[string]int
}

// Write implements Writer.
func (x XLSX) Write(ctx context.Context, w io.Writer, p *planner.Plan) (err error) {
	if p == nil {
		return fmt.Errorf("XLSX: %w", errNilPlan)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("XLSX: %w", err)
	}
	later, err := x.fingerprintLater(p)
	if err != nil {
		return fmt.Errorf("XLSX: %w", err)
	}
	if later != nil && p.Fingerprint == "" {
		q := *p // the copy shows the stand-in
		q.Fingerprint = string(later.marker)
		p = &q
	}
	f := excelize.NewFile()
	defer func() {
		// Close removes the stream writers' temporary files.
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("XLSX: removing temporary files: %w", cerr)
		}
	}()
	st, err := newXLSXStyles(f)
	if err != nil {
		return fmt.Errorf("XLSX: styles: %w", err)
	}
	sw := &xlsxSheetWriter{f: f, st: st, limit: x.limit(), linkLimit: x.links(),
		headerFooter: pageHeaderFooter(p), parts: map[string]string{}, links: map[string][]xlsxHyperlink{}, bodies: map[string]*xlsxBody{}}
	out := &firstErrWriter{w: w}
	z := &xlsxZip{ctx: ctx, out: out, parts: map[string]*bytes.Buffer{}, bodies: sw.bodies, links: sw.links,
		prepare: sw.prepareRow, quoted: []int{st.quote}, later: later}
	f.ZipWriter = func(io.Writer) excelize.ZipWriter { return z }
	data, err := dataTables(ctx, p, st)
	if err != nil {
		return fmt.Errorf("XLSX: %w", err)
	}
	summary := summaryTable(p, st, data, sw.limit, sw.linkLimit)
	tables := append([]*xlsxTable{summary}, data...)

	// Create every worksheet first, so the workbook order is the table
	// order whatever order they are written in.
	first := true
	for _, t := range tables {
		for _, name := range partNames(t.name, partsOf(t.n, sw.limit)) {
			if first {
				err = f.SetSheetName("Sheet1", name)
				first = false
			} else {
				_, err = f.NewSheet(name)
			}
			if err != nil {
				return fmt.Errorf("XLSX: sheet %s: %w", name, err)
			}
		}
	}
	// excelize names the part of the worksheet with sheetId n
	// xl/worksheets/sheetn.xml.
	for id, name := range f.GetSheetMap() {
		sw.parts[name] = "xl/worksheets/sheet" + strconv.Itoa(id) + ".xml"
	}
	for _, t := range tables {
		if err := sw.writeTable(ctx, t); err != nil {
			return fmt.Errorf("XLSX: %w", err)
		}
	}
	// Summary, the first sheet, is the active one already. SetActiveSheet
	// would read every streamed sheet back into memory.
	if err := setDocProps(f, p); err != nil {
		return fmt.Errorf("XLSX: document properties: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("XLSX: %w", err)
	}
	// The workbook goes to w as xlsxZip writes it, not to the buffer
	// excelize hands its zip writer, which stays empty.
	if _, err := f.WriteToBuffer(); err != nil {
		if out.err != nil {
			return fmt.Errorf("writing XLSX: %w", out.err)
		}
		return fmt.Errorf("XLSX: building the workbook: %w", err)
	}
	return nil
}

// fingerprintLater is the fingerprint marker of the workbook of p: its
// fingerprint, or when it has none and x.FingerprintLater is set, a
// random stand-in of the same length that FingerprintLater's answer
// replaces; nil when the plan shows no fingerprint.
func (x XLSX) fingerprintLater(p *planner.Plan) (*xlsxLater, error) {
	if p.Fingerprint != "" {
		return &xlsxLater{marker: []byte(p.Fingerprint), value: p.Fingerprint, known: true}, nil
	}
	if x.FingerprintLater == nil {
		return nil, nil
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	return &xlsxLater{marker: []byte(FingerprintPrefix + hex.EncodeToString(b[:])), get: x.FingerprintLater}, nil
}

// xlsxLater is the fingerprint a workbook shows, known or to come.
type xlsxLater struct {
	marker []byte // what the parts hold where the fingerprint goes
	get    func() (string, error)
	value  string
	known  bool
}

// fill returns part with the fingerprint in place of the marker, waiting
// for it if need be.
func (l *xlsxLater) fill(part []byte) ([]byte, error) {
	if l == nil || !bytes.Contains(part, l.marker) {
		return part, nil
	}
	if !l.known {
		v, err := l.get()
		if err != nil {
			return nil, fmt.Errorf("the plan's fingerprint: %w", err)
		}
		if len(v) != len(l.marker) || !strings.HasPrefix(v, FingerprintPrefix) {
			return nil, fmt.Errorf("the plan's fingerprint %q is not of the form %s and 64 hex digits", v, FingerprintPrefix)
		}
		l.value, l.known = v, true
	}
	if string(l.marker) == l.value {
		return part, nil
	}
	return bytes.ReplaceAll(part, l.marker, []byte(l.value)), nil
}

// shows reports whether part holds the marker.
func (l *xlsxLater) shows(part []byte) bool {
	return l != nil && bytes.Contains(part, l.marker)
}

// firstErrWriter passes writes to w and keeps the first error.
type firstErrWriter struct {
	w   io.Writer
	err error
}

func (e *firstErrWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	if err != nil {
		e.err = err
	}
	return n, err
}

// xlsxSheetWriter writes the tables of one workbook into its worksheets.
type xlsxSheetWriter struct {
	f            *excelize.File
	st           *xlsxStyles
	limit        int // rows per worksheet, header included
	linkLimit    int // hyperlinks per worksheet
	headerFooter *excelize.HeaderFooterOptions
	// parts maps each worksheet's name to its part in the zip.
	parts map[string]string
	// links collects the hyperlinks of each worksheet part, for xlsxZip.
	links map[string][]xlsxHyperlink
	// bodies are the data rows xlsxZip writes into each worksheet part.
	bodies map[string]*xlsxBody
}

// limit returns the rows per worksheet, header included. A limit below 3
// is ignored: with one data row per worksheet, Summary, which lists its own
// worksheets, would never fit.
func (x XLSX) limit() int {
	if x.rowLimit < 3 || x.rowLimit > excelize.TotalRows {
		return excelize.TotalRows
	}
	return x.rowLimit
}

// partsOf returns how many worksheets n data rows need: each holds limit-1
// data rows under its header, and an empty table still has one.
func partsOf(n, limit int) int {
	per := limit - 1
	return max(1, (n+per-1)/per)
}

// partNames names the worksheets of a table: "Steps", "Steps (2)", ...
func partNames(name string, parts int) []string {
	names := make([]string, parts)
	for k := range names {
		names[k] = partName(name, k)
	}
	return names
}

func partName(name string, k int) string {
	if k == 0 {
		return name
	}
	return name + " (" + strconv.Itoa(k+1) + ")"
}

// links returns the hyperlinks per worksheet; past them a link's address
// is plain text.
func (x XLSX) links() int {
	if x.linkLimit < 1 || x.linkLimit > excelize.TotalSheetHyperlinks {
		return excelize.TotalSheetHyperlinks
	}
	return x.linkLimit
}

// writeTable streams t into its worksheets.
func (sw *xlsxSheetWriter) writeTable(ctx context.Context, t *xlsxTable) error {
	f, st := sw.f, sw.st
	per := sw.limit - 1
	parts := partsOf(t.n, sw.limit)
	colNames := make([]string, len(t.cols))
	for j := range t.cols {
		name, err := excelize.ColumnNumberToName(j + 1)
		if err != nil {
			return fmt.Errorf("sheet %s: %w", t.name, err)
		}
		colNames[j] = name
	}
	lastCol := colNames[len(colNames)-1]
	header := make([]any, len(t.cols))
	for j, c := range t.cols {
		s := st.header
		if c.admin {
			s = st.admin
		}
		header[j] = excelize.Cell{StyleID: s, Value: c.name}
	}
	row := make([]any, len(t.cols))
	i := 0 // data row
	for k := range parts {
		name := partName(t.name, k)
		rows := min(per, t.n-k*per) // data rows on this worksheet
		last := strconv.Itoa(1 + max(rows, 0))
		// The autofilter, dimension, dropdowns and print setup are set
		// before the stream writer reads the worksheet.
		if err := f.AutoFilter(name, "A1:"+lastCol+last, nil); err != nil {
			return fmt.Errorf("sheet %s: autofilter: %w", name, err)
		}
		if err := f.SetSheetDimension(name, "A1:"+lastCol+last); err != nil {
			return fmt.Errorf("sheet %s: dimension: %w", name, err)
		}
		if err := sw.pageSetup(name); err != nil {
			return fmt.Errorf("sheet %s: print setup: %w", name, err)
		}
		for j, c := range t.cols {
			if c.choices == nil {
				continue
			}
			dv := excelize.NewDataValidation(true)
			dv.Sqref = colNames[j] + "2:" + colNames[j] + strconv.Itoa(1+max(rows, 1))
			if err := dv.SetDropList(c.choices); err != nil {
				return fmt.Errorf("sheet %s: %s dropdown: %w", name, c.name, err)
			}
			if err := f.AddDataValidation(name, dv); err != nil {
				return fmt.Errorf("sheet %s: %s dropdown: %w", name, c.name, err)
			}
		}
		stream, err := f.NewStreamWriter(name)
		if err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
		// Right to left: excelize puts each new column before the ones it
		// has, and Excel wants them in ascending order.
		for j := len(t.cols) - 1; j >= 0; j-- {
			if err := stream.SetColWidth(j+1, j+1, t.cols[j].width); err != nil {
				return fmt.Errorf("sheet %s: column width: %w", name, err)
			}
		}
		if err := stream.SetPanes(&excelize.Panes{
			Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
		}); err != nil {
			return fmt.Errorf("sheet %s: freezing the header: %w", name, err)
		}
		if err := stream.SetRow("A1", header); err != nil {
			return fmt.Errorf("sheet %s: header: %w", name, err)
		}
		part := sw.parts[name]
		if !t.excelizeRows {
			sw.bodies[part] = &xlsxBody{t: t, cols: colNames, from: i, n: max(rows, 0)}
			i += max(rows, 0)
			if err := stream.Flush(); err != nil {
				return fmt.Errorf("sheet %s: %w", name, err)
			}
			continue
		}
		for r := range rows {
			if err := checkCtx(ctx, i); err != nil {
				return err
			}
			clear(row)
			t.fill(i, row)
			i++
			sw.prepareRow(row, part, r+2)
			if err := stream.SetRow("A"+strconv.Itoa(r+2), row); err != nil {
				return fmt.Errorf("sheet %s row %d: %w", name, r+2, err)
			}
		}
		if err := stream.Flush(); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	return nil
}

// prepareRow readies data row number at (1-based) of worksheet part for
// writing: a text that a spreadsheet would read as a formula gets the
// quotePrefix format, and a link is a hyperlink while the worksheet has
// room for one, else its address as text.
func (sw *xlsxSheetWriter) prepareRow(row []any, part string, at int) {
	st := sw.st
	for j, v := range row {
		switch v := v.(type) {
		case string:
			if startsFormula(v) {
				row[j] = excelize.Cell{StyleID: st.quote, Value: v}
			}
		case excelize.Cell:
			// A styled text never holds org data that needs
			// quoting; if one did, quotePrefix wins over its style.
			if s, ok := v.Value.(string); ok && startsFormula(s) {
				row[j] = excelize.Cell{StyleID: st.quote, Value: s}
			}
		case xlsxLink:
			if len(sw.links[part]) < sw.linkLimit {
				ref, _ := excelize.CoordinatesToCellName(j+1, at)
				sw.links[part] = append(sw.links[part], xlsxHyperlink{ref: ref, url: string(v)})
				row[j] = excelize.Cell{StyleID: st.link, Value: string(v)}
			} else {
				row[j] = string(v)
			}
		}
	}
}

// pageSetup sets up worksheet name for print: landscape, as wide as the
// page and as many pages long as it takes, the header row repeated on
// every page, the org and fingerprint in the page header and page x of y
// in the footer.
func (sw *xlsxSheetWriter) pageSetup(name string) error {
	f := sw.f
	fitToPage := true
	if err := f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fitToPage}); err != nil {
		return err
	}
	wide, tall, landscape := 1, 0, "landscape"
	if err := f.SetPageLayout(name, &excelize.PageLayoutOptions{
		Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall,
	}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(name, sw.headerFooter); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: quoteSheetName(name) + "!$1:$1", Scope: name,
	})
}

// quoteSheetName quotes a sheet name for a reference: 'Steps (2)'.
func quoteSheetName(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// pageHeaderFooter is the page header and footer of every worksheet: the
// org (name and environment) on the left of the header and the plan's
// fingerprint on the right; the sheet's name and page x of y in the footer.
func pageHeaderFooter(p *planner.Plan) *excelize.HeaderFooterOptions {
	org := "org not named"
	if o := p.Source.Org; o != nil && o.Name != "" {
		org = o.Name
	}
	org = truncateRunes(escapeCell(org), 80) + " (" + p.Source.Environment.String() + ")"
	fp := p.Fingerprint
	if fp == "" {
		fp = "fingerprint not computed"
	}
	return &excelize.HeaderFooterOptions{
		OddHeader: "&L" + headerFooterText(org) + "&R" + headerFooterText(truncateRunes(escapeCell(fp), 100)),
		OddFooter: "&L&A&RPage &P of &N",
	}
}

// headerFooterText makes s literal text in a page header or footer, where
// & starts a code (&P is the page number).
func headerFooterText(s string) string { return strings.ReplaceAll(s, "&", "&&") }

// recordBase is the address that record links start with: the instance
// URL of a plan of a live org ("https://acme.my.salesforce.com"), when it
// is a plain https address. A snapshot or the demo org has none: its
// instance is not known.
func recordBase(src planner.Source) string {
	if src.Kind != "org" {
		return ""
	}
	u, err := url.Parse(src.Path)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "" ||
		u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return ""
	}
	for i := 0; i < len(u.Host); i++ {
		c := u.Host[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '.' || c == '-' || c == ':') {
			return ""
		}
	}
	return "https://" + u.Host
}

// recordLink is the link to record id under base, nil when either is not
// known or id is not a record Id.
func recordLink(base, id string) any {
	if base == "" || !orgpkg.ValidID(id) {
		return nil
	}
	return xlsxLink(base + "/" + id)
}

func setDocProps(f *excelize.File, p *planner.Plan) error {
	props := &excelize.DocProperties{
		Title:       "License migration plan",
		Creator:     "licenseplan",
		Description: "Plan fingerprint " + p.Fingerprint,
	}
	if p.Fingerprint == "" {
		props.Description = ""
	}
	if !p.GeneratedAt.IsZero() {
		props.Created = p.GeneratedAt.UTC().Format(time.RFC3339)
		props.Modified = props.Created
	}
	return f.SetDocProps(props)
}

func newXLSXStyles(f *excelize.File) (*xlsxStyles, error) {
	var errs []error
	style := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		errs = append(errs, err)
		return id
	}
	fill := func(color string) *excelize.Style {
		return &excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}}
	}
	headerStyle := func(color string) *excelize.Style {
		s := fill(color)
		s.Font = &excelize.Font{Bold: true}
		s.Border = []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}
		return s
	}
	dateFmt := xlsxDateFormat
	st := &xlsxStyles{
		header:  style(headerStyle(fillHeader)),
		admin:   style(headerStyle(fillAdmin)),
		date:    style(&excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Horizontal: "left"}}),
		unknown: style(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}}),
		// The default format, set apart from it by an explicit "locked"
		// (the default), so excelize does not merge the two; xlsxZip adds
		// quotePrefix to it.
		quote:         style(&excelize.Style{Protection: &excelize.Protection{Locked: true}}),
		link:          style(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}}),
		production:    style(func() *excelize.Style { s := fill(fillProduction); s.Font = &excelize.Font{Bold: true}; return s }()),
		sandbox:       style(fill(fillSandbox)),
		shortfall:     style(func() *excelize.Style { s := fill(fillShortfall); s.Font = &excelize.Font{Bold: true}; return s }()),
		outcome:       map[rules.Outcome]int{},
		severity:      map[rules.Severity]int{},
		outcomeByName: map[string]int{},
	}
	for _, o := range rules.Outcomes {
		st.outcome[o] = style(fill(outcomeFills[o]))
		st.outcomeByName[o.String()] = st.outcome[o]
	}
	for sev, c := range severityFills {
		st.severity[sev] = style(fill(c))
	}
	return st, errors.Join(errs...)
}

// outcomeCell is an outcome name, filled with the outcome's colour.
func (st *xlsxStyles) outcomeCell(o rules.Outcome) any {
	if id, ok := st.outcome[o]; ok {
		return excelize.Cell{StyleID: id, Value: o.String()}
	}
	return text(o.String())
}

// severityCell is a code's severity, filled with its colour; "" for a code
// outside the vocabulary.
func (st *xlsxStyles) severityCell(c rules.Code) any {
	info, ok := rules.Info(c)
	if !ok {
		return nil
	}
	return excelize.Cell{StyleID: st.severity[info.Severity], Value: info.Severity.String()}
}

// intOrUnknown is n, or a grey "unknown" when n is nil.
func (st *xlsxStyles) intOrUnknown(n *int) any {
	if n == nil {
		return excelize.Cell{StyleID: st.unknown, Value: "unknown"}
	}
	return *n
}

// text returns s as a text cell value that is safe in a spreadsheet, or nil
// (no cell) for "". See cellText.
func text(s string) any {
	if s == "" {
		return nil
	}
	return cellText(s)
}

// xlsxTruncated ends a text cut to fit Excel's cell limit.
const xlsxTruncated = "… [truncated: the full text is in plan.json]"

// cellText makes an org-derived string safe as a spreadsheet text cell:
//
//   - control characters other than tab, newline and carriage return, bidi
//     controls, and bytes that are not UTF-8 are shown as escapes (\x1b,
//     \u202e), as on the terminal: XML cannot hold most of them, and the
//     others could hide or reorder what the reviewer sees;
//   - a value longer than a cell holds (32,767 characters) is cut and ends
//     with a note that says so.
//
// A value that begins with =, +, -, @, tab or carriage return keeps its
// text: writeTable gives its cell the quotePrefix format.
func cellText(s string) string {
	if needsEscape(s) {
		s = escapeCell(s)
	}
	if len(s) > excelize.TotalCellChars {
		s = truncateCell(s)
	}
	return s
}

// needsEscape reports whether s has a rune escapeCell changes.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' || b == 0x7f {
			return true
		}
		if b >= utf8.RuneSelf {
			for _, r := range s[i:] {
				if r == utf8.RuneError || cellUnsafe(r) {
					return true
				}
			}
			return false
		}
	}
	return false
}

// cellUnsafe reports whether r is escaped in a cell: what the terminal
// escapes, except tab, newline and carriage return, plus the two code points
// XML forbids.
func cellUnsafe(r rune) bool {
	switch r {
	case '\t', '\n', '\r':
		return false
	case 0xfffe, 0xffff:
		return true
	}
	return unsafeRune(r)
}

func escapeCell(s string) string { return escapeRunes(s, cellUnsafe) }

// truncateCell cuts s to Excel's cell limit, counted in UTF-16 units as
// Excel counts, and appends xlsxTruncated; s fits already when it is short.
func truncateCell(s string) string {
	units := 0
	for _, r := range s {
		units += utf16.RuneLen(r)
	}
	if units <= excelize.TotalCellChars {
		return s
	}
	room := excelize.TotalCellChars - utf16.RuneLen('…') - (len(xlsxTruncated) - len("…"))
	units = 0
	for i, r := range s {
		n := utf16.RuneLen(r)
		if units+n > room {
			return s[:i] + xlsxTruncated
		}
		units += n
	}
	return s
}

// triState shows a "true"/"false"/"" field of the plan: a boolean cell,
// or a grey "unknown" when the plan does not know.
func (st *xlsxStyles) triState(s string) any {
	switch s {
	case "true":
		return true
	case "false":
		return false
	case "":
		return excelize.Cell{StyleID: st.unknown, Value: "unknown"}
	}
	return text(s)
}

// dataTables returns the sheets after Summary, in workbook order.
func dataTables(ctx context.Context, p *planner.Plan, st *xlsxStyles) ([]*xlsxTable, error) {
	// The Warnings sheet's size is known before it is written: the user
	// warnings are counted in the index's pass over the users.
	userWarnings := 0
	for i, u := range p.Users.All() {
		if err := checkCtx(ctx, i); err != nil {
			return nil, err
		}
		userWarnings += len(u.Warnings)
	}
	accounts := p.AccountNames()
	return []*xlsxTable{
		stepsTable(p, st),
		usersTable(p, st),
		accountsTable(p, st),
		warningsTable(p, st, accounts, userWarnings),
		licensesTable(p, st),
		rulesTable(p, st),
	}, nil
}

// The columns of the Steps sheet, in order.
const (
	stepSeq = iota
	stepPhase
	stepAction
	stepUserID
	stepUsername
	stepName
	stepAccountID
	stepAccountName
	stepContactID
	stepFromLicense
	stepToLicense
	stepFromProfile
	stepToProfile
	stepToProfileID
	stepRoleID
	stepToRoleID
	stepOutcome
	stepRuleID
	stepDependsOn
	stepReversible
	stepDescription
	stepWarnings
	stepLink
	stepOwner
	stepStatus
	stepNotes
	stepCols
)

// stepCols are the columns of the Steps sheet, indexed by the step*
// constants.
var stepColumns = [stepCols]xlsxCol{
	stepSeq: {name: "Seq", width: 7}, stepPhase: {name: "Phase", width: 11}, stepAction: {name: "Action", width: 25},
	stepUserID: {name: "User Id", width: 20}, stepUsername: {name: "Username", width: 32}, stepName: {name: "Name", width: 24},
	stepAccountID: {name: "Account Id", width: 20}, stepAccountName: {name: "Account Name", width: 28},
	stepContactID:   {name: "Contact Id", width: 20},
	stepFromLicense: {name: "From License", width: 26}, stepToLicense: {name: "To License", width: 26},
	stepFromProfile: {name: "From Profile", width: 28}, stepToProfile: {name: "To Profile", width: 28},
	stepToProfileID: {name: "To Profile Id", width: 20},
	stepRoleID:      {name: "Current Role Id", width: 20}, stepToRoleID: {name: "Target Role Id", width: 20},
	stepOutcome: {name: "Outcome", width: 18}, stepRuleID: {name: "Rule Id", width: 22}, stepDependsOn: {name: "Depends On", width: 14},
	stepReversible: {name: "Reversible", width: 11}, stepDescription: {name: "Description", width: 60}, stepWarnings: {name: "Warnings", width: 40},
	stepLink:  {name: "Record Link", width: 48},
	stepOwner: {name: "Owner", width: 18, admin: true}, stepStatus: {name: "Status", width: 14, admin: true, choices: stepStatuses},
	stepNotes: {name: "Notes", width: 40, admin: true},
}

// What the Target Role Id column shows when the plan names no role Id.
const (
	// roleBySalesforce: the step gives the user a role-based license and
	// the plan picks no role: Salesforce gives the user the lowest portal
	// role of the account (the ROLE_REQUIRED warning names it).
	roleBySalesforce = "set by Salesforce"
	// roleByAdmin: an assign_owner_role step with no role configured.
	roleByAdmin = "admin chooses"
)

func stepsTable(p *planner.Plan, st *xlsxStyles) *xlsxTable {
	// fill is called for each row in order, so it pulls the rows one by
	// one; after the last it stops the iterator.
	next, stop := iter.Pull2(p.StepRows())
	n := p.Steps.Len()
	if n == 0 {
		stop()
	}
	base := recordBase(p.Source)
	return &xlsxTable{
		name: sheetSteps,
		cols: stepColumns[:],
		n:    n,
		fill: func(i int, row []any) {
			_, r, _ := next()
			if i == n-1 {
				stop()
			}
			s, u := &r.Step, r.User
			row[stepSeq] = s.Seq
			row[stepPhase] = text(s.Phase.String())
			row[stepAction] = text(s.Action.String())
			row[stepUserID] = text(s.UserID)
			row[stepAccountID] = text(r.AccountID)
			row[stepAccountName] = text(r.AccountName)
			if u != nil {
				row[stepUsername] = text(u.Username)
				row[stepName] = text(u.Name)
				row[stepFromLicense] = text(u.FromLicense)
				row[stepToLicense] = text(u.ToLicense)
				row[stepFromProfile] = text(u.FromProfile)
				row[stepToProfile] = text(u.ToProfile)
				row[stepToProfileID] = text(u.ToProfileID)
				row[stepOutcome] = st.outcomeCell(u.Outcome)
				row[stepWarnings] = text(joinCodes(u.Warnings))
				if u.Seen != nil {
					row[stepContactID] = text(u.Seen.ContactID)
					row[stepRoleID] = text(u.Seen.RoleID)
				}
				if nu := u.NewUser; nu != nil {
					if row[stepContactID] == nil {
						row[stepContactID] = text(nu.ContactID)
					}
					if row[stepToProfileID] == nil {
						row[stepToProfileID] = text(nu.ProfileID)
					}
				}
			}
			row[stepToRoleID] = st.targetRole(s, u)
			row[stepRuleID] = text(s.RuleID)
			row[stepDependsOn] = text(joinInts(s.DependsOn, ", "))
			row[stepReversible] = s.Reversible
			row[stepDescription] = text(s.Description)
			row[stepLink] = recordLink(base, stepRecord(s, u))
		},
	}
}

// targetRole is the Target Role Id cell of step s of user u (nil for an
// account step): the role an assign_owner_role step gives; for a step
// that gives u a license that needs a role, a grey roleBySalesforce, as
// the plan picks none; else nothing, as the step changes no role.
func (st *xlsxStyles) targetRole(s *planner.Step, u *planner.UserPlan) any {
	switch {
	case s.Action == planner.AssignOwnerRole && s.RoleID != "":
		return text(s.RoleID)
	case s.Action == planner.AssignOwnerRole:
		return excelize.Cell{StyleID: st.unknown, Value: roleByAdmin}
	case u != nil && (s.Action == planner.ChangeLicense || s.Action == planner.CreateUser) && u.HasWarning(rules.RoleRequired):
		return excelize.Cell{StyleID: st.unknown, Value: roleBySalesforce}
	}
	return nil
}

// stepRecord is the Id of the record step s of user u (nil for an account
// step) acts on, which its Record Link opens: the account to enable, the
// owner to give a role, the contact to enable as a new user, else the
// user.
func stepRecord(s *planner.Step, u *planner.UserPlan) string {
	switch s.Action {
	case planner.EnablePartnerAccount:
		return s.AccountID
	case planner.AssignOwnerRole:
		return s.OwnerID
	case planner.CreateUser:
		if u != nil && u.NewUser != nil && u.NewUser.ContactID != "" {
			return u.NewUser.ContactID
		}
		if u != nil && u.Seen != nil && u.Seen.ContactID != "" {
			return u.Seen.ContactID
		}
	}
	return s.UserID
}

func usersTable(p *planner.Plan, st *xlsxStyles) *xlsxTable {
	return &xlsxTable{
		name: sheetUsers,
		cols: []xlsxCol{
			{name: "User Id", width: 20}, {name: "Username", width: 32}, {name: "Name", width: 24},
			{name: "Account Id", width: 20}, {name: "Account Name", width: 28},
			{name: "From License", width: 26}, {name: "To License", width: 26},
			{name: "From Profile", width: 28}, {name: "To Profile", width: 28},
			{name: "Outcome", width: 18}, {name: "Rule Id", width: 22}, {name: "Steps", width: 14},
			{name: "Warnings", width: 10}, {name: "Warning Codes", width: 50},
		},
		n: p.Users.Len(),
		fill: func(i int, row []any) {
			u := p.Users.At(i)
			row[0] = text(u.UserID)
			row[1] = text(u.Username)
			row[2] = text(u.Name)
			row[3] = text(u.AccountID)
			row[4] = text(u.AccountName)
			row[5] = text(u.FromLicense)
			row[6] = text(u.ToLicense)
			row[7] = text(u.FromProfile)
			row[8] = text(u.ToProfile)
			row[9] = st.outcomeCell(u.Outcome)
			row[10] = text(u.RuleID)
			row[11] = text(joinInts(u.Steps, ", "))
			row[12] = len(u.Warnings)
			row[13] = text(joinCodes(u.Warnings))
		},
	}
}

func accountsTable(p *planner.Plan, st *xlsxStyles) *xlsxTable {
	return &xlsxTable{
		name: sheetAccounts,
		cols: []xlsxCol{
			{name: "Account Id", width: 20}, {name: "Account Name", width: 28},
			{name: "Partner Account", width: 16}, {name: "Enable Partner Step", width: 20},
			{name: "Users", width: 9}, {name: "Changing", width: 10},
			{name: "Roles Created", width: 14}, {name: "Role Names", width: 60},
			{name: "Owner Has Role", width: 16},
		},
		n: len(p.Accounts),
		fill: func(i int, row []any) {
			a := &p.Accounts[i]
			row[0] = text(a.AccountID)
			row[1] = text(a.AccountName)
			row[2] = st.triState(a.IsPartner)
			if a.EnablePartnerStep != 0 {
				row[3] = a.EnablePartnerStep
			}
			row[4] = a.Users
			row[5] = a.Changing
			row[6] = len(a.RolesCreated)
			row[7] = text(strings.Join(a.RolesCreated, "; "))
			row[8] = st.triState(a.OwnerHasRole)
		},
	}
}

// warningsTable lists the plan-level warnings, then every user's warnings
// (userWarnings in all) in user order.
func warningsTable(p *planner.Plan, st *xlsxStyles, accounts map[string]string, userWarnings int) *xlsxTable {
	n := len(p.Warnings) + userWarnings
	// cursor over the user warnings: user ui (cur, once loaded) and its
	// warning wi
	ui, wi := 0, 0
	var cur planner.UserPlan
	loaded := false
	return &xlsxTable{
		name: sheetWarnings,
		cols: []xlsxCol{
			{name: "Code", width: 28}, {name: "Severity", width: 10}, {name: "Scope", width: 8},
			{name: "User Id", width: 20}, {name: "Username", width: 32},
			{name: "Account Id", width: 20}, {name: "Account Name", width: 28},
			{name: "License", width: 26}, {name: "Message", width: 100},
		},
		n: n,
		fill: func(i int, row []any) {
			var w *planner.Warning
			var u *planner.UserPlan
			if i < len(p.Warnings) {
				w = &p.Warnings[i]
				row[2] = "plan"
			} else {
				for {
					if !loaded {
						cur, loaded = p.Users.At(ui), true
					}
					if wi < len(cur.Warnings) {
						break
					}
					ui, wi, loaded = ui+1, 0, false
				}
				u, w = &cur, &cur.Warnings[wi]
				wi++
				row[2] = "user"
			}
			row[0] = text(string(w.Code))
			row[1] = st.severityCell(w.Code)
			if u != nil {
				row[3] = text(u.UserID)
				row[4] = text(u.Username)
			}
			acct, acctName := planner.RowAccount(w.AccountID, u, accounts)
			row[5] = text(acct)
			row[6] = text(acctName)
			row[7] = text(w.License)
			row[8] = text(w.Message)
		},
	}
}

func licensesTable(p *planner.Plan, st *xlsxStyles) *xlsxTable {
	return &xlsxTable{
		name: sheetLicenses,
		cols: []xlsxCol{
			{name: "License", width: 34}, {name: "Total", width: 10}, {name: "Used", width: 10},
			{name: "Moving In", width: 11}, {name: "Moving Out", width: 12},
			{name: "After", width: 10}, {name: "Shortfall", width: 11},
		},
		n: len(p.Licenses),
		fill: func(i int, row []any) {
			l := &p.Licenses[i]
			row[0] = text(l.License)
			row[1] = st.intOrUnknown(l.Total)
			row[2] = st.intOrUnknown(l.Used)
			row[3] = l.MovingIn
			row[4] = l.MovingOut
			row[5] = st.intOrUnknown(l.After)
			row[6] = l.Shortfall
			if l.Shortfall > 0 {
				row[6] = excelize.Cell{StyleID: st.shortfall, Value: l.Shortfall}
			}
		},
	}
}

func rulesTable(p *planner.Plan, st *xlsxStyles) *xlsxTable {
	return &xlsxTable{
		name: sheetRules,
		cols: []xlsxCol{
			{name: "Rule Id", width: 24}, {name: "From", width: 28}, {name: "To", width: 28},
			{name: "Outcome", width: 18}, {name: "Users", width: 9}, {name: "Source", width: 50},
			{name: "Explanation", width: 80}, {name: "Conflict", width: 80},
		},
		n: len(p.Rules),
		fill: func(i int, row []any) {
			r := &p.Rules[i]
			row[0] = text(r.ID)
			row[1] = text(r.From)
			row[2] = text(r.To)
			row[3] = st.outcomeCell(r.Outcome)
			row[4] = r.Users
			row[5] = text(r.Source)
			row[6] = text(r.Explanation)
			row[7] = text(r.Conflict)
		},
	}
}

// summaryRow is one row of the Summary sheet.
type summaryRow struct {
	section, item string
	// itemStyle colours the item cell (0: none).
	itemStyle int
	value     any // already a cell value: int, Cell or text(...)
	detail    string
}

// summaryTable builds the Summary sheet: the plan's header, its counts, the
// sheets of the workbook with their rows, and the plan's notes.
func summaryTable(p *planner.Plan, st *xlsxStyles, data []*xlsxTable, limit, linkLimit int) *xlsxTable {
	var rows []summaryRow
	add := func(section, item string, value any, detail string) {
		rows = append(rows, summaryRow{section: section, item: item, value: value, detail: detail})
	}
	num := func(n int) any { return n }

	if org := p.Source.Org; org != nil {
		add("Org", "Name", text(org.Name), "")
		add("Org", "Id", text(org.ID), "")
		add("Org", "Organization type", text(org.OrganizationType), "")
		add("Org", "Instance", text(org.InstanceName), "")
		switch p.Source.Environment {
		case orgpkg.EnvDemo:
			add("Org", "Environment", excelize.Cell{StyleID: st.production, Value: "DEMO"}, demoDetail)
		case orgpkg.EnvProduction:
			add("Org", "Environment", excelize.Cell{StyleID: st.production, Value: orgpkg.EnvProduction.String()}, "the org is not a sandbox")
		case orgpkg.EnvSandbox:
			add("Org", "Environment", excelize.Cell{StyleID: st.sandbox, Value: orgpkg.EnvSandbox.String()}, "")
		default:
			add("Org", "Environment", excelize.Cell{StyleID: st.unknown, Value: "unknown"}, "the input does not say whether the org is a sandbox")
		}
	} else {
		add("Org", "Environment", excelize.Cell{StyleID: st.unknown, Value: "unknown"}, "the input had no Organization record")
	}
	add("Source", "Kind", text(p.Source.Kind), "")
	add("Source", "Path", text(p.Source.Path), "")
	add("Source", "Targets", text(p.Source.Targets), "")
	add("Source", "Files read", text(strings.Join(p.Source.Files, ", ")), "")
	if p.Source.APICalls > 0 {
		add("Source", "API calls", num(p.Source.APICalls), "")
	}
	if l := p.Source.Login; l != nil {
		add("Source", "Login", text(l.Method), "from "+l.From)
	}
	if base := recordBase(p.Source); base != "" {
		add("Source", "Record links", text(base), fmt.Sprintf(
			"Steps' Record Link opens each step's record in the org; a worksheet holds at most %d links, later rows show the address as text", linkLimit))
	} else {
		add("Source", "Record links", excelize.Cell{StyleID: st.unknown, Value: "none"},
			"the org's instance is not known (a snapshot folder, the demo org, or an address that is not https), so Steps has no record links")
	}
	if p.GeneratedAt.IsZero() {
		add("Plan", "Generated", excelize.Cell{StyleID: st.unknown, Value: "unknown"}, "")
	} else {
		add("Plan", "Generated", excelize.Cell{StyleID: st.date, Value: p.GeneratedAt.UTC()}, "")
	}
	add("Plan", "Fingerprint", text(p.Fingerprint), "sha256 of plan.json without generatedAt")
	add("Plan", "Schema version", num(p.SchemaVersion), "")
	add("Plan", "Made by", text(p.Source.Tool), "the licenseplan version that made the plan")
	add("Plan", "Rules version", text(p.Source.RulesVersion), "sha256 of the rule data (and any overrides)")

	s := p.Summary
	add("Counts", "Users", num(s.Users), "")
	add("Counts", "Steps", num(s.Steps), "")
	add("Counts", "Partner accounts to enable", num(s.PartnerAccountsToEnable), "")
	add("Counts", "Roles created", num(s.RolesCreated), "portal roles Salesforce creates")
	add("Counts", "Irreversible changes", num(s.IrreversibleChanges), "")
	add("Counts", "New user records", num(s.NewUserRecords), "")
	add("Counts", "Licenses short", num(s.LicensesShort), "")
	add("Counts", "Warnings", num(s.TotalWarnings()), "user-level and plan-level")

	// Every outcome (zeros included), then any other key the plan holds.
	for _, o := range rules.Outcomes {
		rows = append(rows, summaryRow{section: "Outcomes", item: o.String(), itemStyle: st.outcome[o],
			value: s.Outcomes[o.String()], detail: o.Label()})
	}
	for _, k := range slices.Sorted(maps.Keys(s.Outcomes)) {
		if _, known := st.outcomeByName[k]; !known {
			add("Outcomes", cellText(k), num(s.Outcomes[k]), "")
		}
	}
	codes := make([]rules.Code, 0, len(s.Warnings))
	for c := range s.Warnings {
		codes = append(codes, rules.Code(c))
	}
	sortCodes(codes)
	for _, c := range codes {
		r := summaryRow{section: "Warnings", item: cellText(string(c)), value: s.Warnings[string(c)]}
		if info, ok := rules.Info(c); ok {
			r.itemStyle = st.severity[info.Severity]
			r.detail = info.Severity.String()
		}
		rows = append(rows, r)
	}

	// The sheets and their rows. Summary lists itself too, so how many
	// worksheets it needs depends on its own length: grow until it fits.
	var sheetRows []summaryRow
	for _, t := range data {
		sheetRows = append(sheetRows, sheetParts(t.name, t.n, limit)...)
	}
	notes := make([]summaryRow, len(p.Notes))
	for i, n := range p.Notes {
		notes[i] = summaryRow{section: "Notes", item: "Note " + strconv.Itoa(i+1), value: text(n)}
	}
	own := 1
	for {
		n := len(rows) + own + len(sheetRows) + len(notes)
		if partsOf(n, limit) <= own {
			break
		}
		own = partsOf(n, limit)
	}
	total := len(rows) + own + len(sheetRows) + len(notes)
	rows = append(rows, sheetParts(sheetSummary, total, limit)...)
	rows = append(rows, sheetRows...)
	rows = append(rows, notes...)

	return &xlsxTable{
		name:         sheetSummary,
		cols:         []xlsxCol{{name: "Section", width: 12}, {name: "Item", width: 30}, {name: "Value", width: 60}, {name: "Detail", width: 70}},
		n:            len(rows),
		excelizeRows: true,
		fill: func(i int, row []any) {
			r := &rows[i]
			row[0] = r.section
			row[1] = r.item
			if r.itemStyle != 0 {
				row[1] = excelize.Cell{StyleID: r.itemStyle, Value: r.item}
			}
			row[2] = r.value
			if r.detail != "" {
				row[3] = text(r.detail)
			}
		},
	}
}

// sheetParts describes the worksheets of a table of n data rows for the
// Summary: one row per worksheet with its row count, and where a table is
// split, which of its rows each worksheet holds.
func sheetParts(name string, n, limit int) []summaryRow {
	per := limit - 1
	parts := partsOf(n, limit)
	out := make([]summaryRow, parts)
	for k := range parts {
		rows := min(per, n-k*per)
		r := summaryRow{section: "Sheets", item: partName(name, k), value: rows}
		if parts > 1 {
			first, last := k*per+1, k*per+rows
			r.detail = fmt.Sprintf("rows %d to %d of %d: a sheet holds at most %d rows including its header", first, last, n, limit)
			if k == 0 {
				r.detail += "; " + name + " continues in " + strings.Join(partNames(name, parts)[1:], ", ")
			}
		}
		out[k] = r
	}
	return out
}
