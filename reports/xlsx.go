package reports

import (
	"archive/zip"
	"bytes"
	"cmp"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	orgpkg "github.com/licenseplan/licenseplan/org"
	"io"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// XLSX writes plan.xlsx, a workbook for the admins who carry out the plan:
//
//   - Summary: the org, the source, production or sandbox, when the plan was
//     generated, its fingerprint, the counts per outcome and per warning code,
//     the sheets and their rows, and the plan's notes;
//   - Steps: the ordered steps, with empty Owner, Status and Notes columns for
//     the admin to fill in;
//   - Users, Accounts, Warnings (plan-level first, then every user warning),
//     Licenses (capacity before and after) and Rules (every rule the plan
//     used, with its source).
//
// Every sheet has its header row frozen and an autofilter; numbers are
// numeric cells, generatedAt is a date-time cell, outcomes and severities are
// colour-coded, and no cell holds a formula. Every text cell goes through
// SafeCell and has control characters made visible, as in the terminal
// output. A sheet holds at most 1,048,576 rows, header included; a longer
// list continues in "Steps (2)", "Steps (3)" and so on, and Summary says so.
//
// The output is deterministic: the same plan gives the same bytes.
type XLSX struct {
	// rowLimit is how many rows a sheet holds, header included; 0 means
	// Excel's limit (excelize.TotalRows). Tests lower it to exercise the
	// split without writing a million rows.
	rowLimit int
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
}

// xlsxTable is one logical sheet: a header and n data rows, split over as
// many worksheets as the row limit needs.
type xlsxTable struct {
	name string
	cols []xlsxCol
	n    int
	// fill sets row (len(cols) cells, all nil on entry) to data row i. It is
	// called with i = 0, 1, ..., n-1 in order, so it may keep a cursor.
	fill func(i int, row []any)
}

// xlsxStyles are the style IDs the writer uses.
type xlsxStyles struct {
	header, admin, date, unknown   int
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
	f := excelize.NewFile()
	// Deflate at its fastest level: about three times faster than the
	// default for a slightly larger file.
	f.ZipWriter = func(w io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	}
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
	limit := x.limit()
	data, err := dataTables(ctx, p, st)
	if err != nil {
		return fmt.Errorf("XLSX: %w", err)
	}
	summary := summaryTable(p, st, data, limit)
	tables := append([]*xlsxTable{summary}, data...)

	// Create every worksheet first, so the workbook order is the table
	// order whatever order they are written in.
	first := true
	for _, t := range tables {
		for _, name := range partNames(t.name, partsOf(t.n, limit)) {
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
	for _, t := range tables {
		if err := writeTable(ctx, f, t, limit, st); err != nil {
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
	buf, err := f.WriteToBuffer()
	if err != nil {
		return fmt.Errorf("XLSX: building the workbook: %w", err)
	}
	if err := sortedZip(w, buf.Bytes()); err != nil {
		return fmt.Errorf("writing XLSX: %w", err)
	}
	return nil
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

// writeTable streams t into its worksheets.
func writeTable(ctx context.Context, f *excelize.File, t *xlsxTable, limit int, st *xlsxStyles) error {
	per := limit - 1
	parts := partsOf(t.n, limit)
	lastCol, err := excelize.ColumnNumberToName(len(t.cols))
	if err != nil {
		return fmt.Errorf("sheet %s: %w", t.name, err)
	}
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
		// The autofilter covers the header and the data; it is set before
		// the stream writer reads the worksheet.
		if err := f.AutoFilter(name, "A1:"+lastCol+strconv.Itoa(1+max(rows, 0)), nil); err != nil {
			return fmt.Errorf("sheet %s: autofilter: %w", name, err)
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
		// Right to left: excelize puts each new column before the ones it
		// has, and Excel wants them in ascending order.
		for j := len(t.cols) - 1; j >= 0; j-- {
			if err := sw.SetColWidth(j+1, j+1, t.cols[j].width); err != nil {
				return fmt.Errorf("sheet %s: column width: %w", name, err)
			}
		}
		if err := sw.SetPanes(&excelize.Panes{
			Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
		}); err != nil {
			return fmt.Errorf("sheet %s: freezing the header: %w", name, err)
		}
		if err := sw.SetRow("A1", header); err != nil {
			return fmt.Errorf("sheet %s: header: %w", name, err)
		}
		for r := range rows {
			if err := checkCtx(ctx, i); err != nil {
				return err
			}
			clear(row)
			t.fill(i, row)
			i++
			if err := sw.SetRow("A"+strconv.Itoa(r+2), row); err != nil {
				return fmt.Errorf("sheet %s row %d: %w", name, r+2, err)
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	return nil
}

// sortedZip copies the zip archive in b to w with its entries sorted by name.
// excelize writes the stream-written worksheets in map order, so without
// this two writes of the same plan would differ in entry order. Entries are
// copied without recompressing them.
func sortedZip(w io.Writer, b []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int { return cmp.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(w)
	for _, zf := range files {
		if err := zw.Copy(zf); err != nil {
			return err
		}
	}
	return zw.Close()
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
		header:        style(headerStyle(fillHeader)),
		admin:         style(headerStyle(fillAdmin)),
		date:          style(&excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Horizontal: "left"}}),
		unknown:       style(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}}),
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
//     with a note that says so;
//   - SafeCell then quotes a leading =, +, -, @, tab or carriage return.
func cellText(s string) string {
	if needsEscape(s) {
		s = escapeCell(s)
	}
	if len(s) > excelize.TotalCellChars {
		s = truncateCell(s)
	}
	return SafeCell(s)
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

// triState shows a "true"/"false"/"" field of the plan.
func triState(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
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
		accountsTable(p),
		warningsTable(p, st, accounts, userWarnings),
		licensesTable(p, st),
		rulesTable(p, st),
	}, nil
}

func stepsTable(p *planner.Plan, st *xlsxStyles) *xlsxTable {
	// fill is called for each row in order, so it pulls the rows one by
	// one; after the last it stops the iterator.
	next, stop := iter.Pull2(p.StepRows())
	n := p.Steps.Len()
	if n == 0 {
		stop()
	}
	return &xlsxTable{
		name: sheetSteps,
		cols: []xlsxCol{
			{name: "Seq", width: 7}, {name: "Phase", width: 11}, {name: "Action", width: 25},
			{name: "User Id", width: 20}, {name: "Username", width: 32}, {name: "Name", width: 24},
			{name: "Account Id", width: 20}, {name: "Account Name", width: 28},
			{name: "From License", width: 26}, {name: "To License", width: 26},
			{name: "From Profile", width: 28}, {name: "To Profile", width: 28},
			{name: "Outcome", width: 18}, {name: "Rule Id", width: 22}, {name: "Depends On", width: 14},
			{name: "Reversible", width: 11}, {name: "Description", width: 60}, {name: "Warnings", width: 40},
			{name: "Owner", width: 18, admin: true}, {name: "Status", width: 14, admin: true}, {name: "Notes", width: 40, admin: true},
		},
		n: n,
		fill: func(i int, row []any) {
			_, r, _ := next()
			if i == n-1 {
				stop()
			}
			s, u, acct, acctName := &r.Step, r.User, r.AccountID, r.AccountName
			row[0] = s.Seq
			row[1] = text(s.Phase.String())
			row[2] = text(s.Action.String())
			row[3] = text(s.UserID)
			row[6] = text(acct)
			row[7] = text(acctName)
			if u != nil {
				row[4] = text(u.Username)
				row[5] = text(u.Name)
				row[8] = text(u.FromLicense)
				row[9] = text(u.ToLicense)
				row[10] = text(u.FromProfile)
				row[11] = text(u.ToProfile)
				row[12] = st.outcomeCell(u.Outcome)
				row[17] = text(joinCodes(u.Warnings))
			}
			row[13] = text(s.RuleID)
			row[14] = text(joinInts(s.DependsOn, ", "))
			row[15] = s.Reversible
			row[16] = text(s.Description)
		},
	}
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

func accountsTable(p *planner.Plan) *xlsxTable {
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
			row[2] = text(triState(a.IsPartner))
			if a.EnablePartnerStep != 0 {
				row[3] = a.EnablePartnerStep
			}
			row[4] = a.Users
			row[5] = a.Changing
			row[6] = len(a.RolesCreated)
			row[7] = text(strings.Join(a.RolesCreated, "; "))
			row[8] = text(triState(a.OwnerHasRole))
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
func summaryTable(p *planner.Plan, st *xlsxStyles, data []*xlsxTable, limit int) *xlsxTable {
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
		name: sheetSummary,
		cols: []xlsxCol{{name: "Section", width: 12}, {name: "Item", width: 30}, {name: "Value", width: 60}, {name: "Detail", width: 70}},
		n:    len(rows),
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
