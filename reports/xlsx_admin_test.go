package reports

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// The Ids the admin plan adds to the fixture.
const (
	adminOwner       = "005000000000009AAA" // owner of account a|b, without a role
	adminOwnerRole   = "00E000000000001AAA" // the role to give that owner
	adminContact4    = "003000000000004AAA" // contact of the user disabled and enabled again
	adminContact3    = "003000000000003AAA"
	adminRole3       = "00E000000000003AAA"
	adminProfilePart = "00e000000000002AAA" // Partner Community User
)

// xlsxAdminPlan is the fixture with what a plan of a live org knows besides:
// what was seen of the changed users (contact, role, profile), target
// profile Ids, the new user record of the user disabled and enabled again,
// a ROLE_REQUIRED warning, and two assign_owner_role steps, one with a role
// and one without.
func xlsxAdminPlan() *planner.Plan {
	p := fixturePlan()
	editUsers(p, func(_ int, u *planner.UserPlan) {
		switch u.UserID {
		case "005000000000003AAA":
			u.Seen = &planner.UserSeen{ProfileID: "00e000000000001AAA", RoleID: adminRole3, ContactID: adminContact3, IsActive: "true", IsPortalEnabled: "true"}
			u.ToProfileID = adminProfilePart
			u.Warnings = append(u.Warnings, warn(rules.RoleRequired))
		case "005000000000004AAA":
			u.Seen = &planner.UserSeen{ProfileID: "00e000000000001AAA", ContactID: adminContact4, IsActive: "true", IsPortalEnabled: "true"}
			u.NewUser = &planner.NewUser{ContactID: adminContact4, ProfileID: adminProfilePart, Username: u.Username}
		}
	})
	ss := p.Steps.Slice()
	ss = append(ss,
		planner.Step{Seq: 11, Phase: planner.Prepare, Action: planner.AssignOwnerRole, AccountID: "001000000000002AAA",
			OwnerID: adminOwner, RoleID: adminOwnerRole, Description: "Give the owner a role", DependsOn: []int{}},
		planner.Step{Seq: 12, Phase: planner.Prepare, Action: planner.AssignOwnerRole, AccountID: "001000000000003AAA",
			OwnerID: "=HYPERLINK(\"http://x\")", Description: "Give the owner a role", DependsOn: []int{}})
	p.Steps = planner.NewSteps(ss...)
	return p
}

// stepRow returns the Steps row with sequence number seq, and its 1-based
// row number.
func (b *xlsxBook) stepRow(t testing.TB, seq int) (header, row []string, at int) {
	t.Helper()
	header, data := b.table(t, sheetSteps)
	for i, r := range data {
		if r[0] == strconv.Itoa(seq) {
			return header, r, i + 2
		}
	}
	t.Fatalf("Steps has no step %d", seq)
	return nil, nil, 0
}

// link returns the target of the hyperlink of a cell, "" for none.
func (b *xlsxBook) link(t testing.TB, sheet, ref string) string {
	t.Helper()
	ok, target, err := b.f.GetCellHyperLink(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return ""
	}
	return target
}

// Seen: there were no role columns, no ContactId, no target ProfileId and
// no record links.
func TestXLSXAdminColumns(t *testing.T) {
	b := writeXLSX(t, XLSX{}, xlsxAdminPlan())
	const base = "https://acme.my.salesforce.com/"
	tests := []struct {
		name string
		seq  int
		// want is the value of each named column; "Record Link" is also
		// the hyperlink's target.
		want map[string]string
	}{
		{"change in place keeps its role", 3, map[string]string{
			"Contact Id": adminContact3, "To Profile Id": adminProfilePart, "Current Role Id": adminRole3,
			"Target Role Id": "set by Salesforce", "Record Link": base + "005000000000003AAA"}},
		{"disable: the user", 4, map[string]string{
			"Contact Id": adminContact4, "Current Role Id": "", "Target Role Id": "", "Record Link": base + "005000000000004AAA"}},
		{"create user: the contact to enable", 5, map[string]string{
			"Contact Id": adminContact4, "To Profile Id": adminProfilePart, "Record Link": base + adminContact4}},
		{"enable partner account: the account", 1, map[string]string{
			"Contact Id": "", "Target Role Id": "", "Record Link": base + "001000000000001AAA"}},
		{"assign owner role: the owner and the role", 11, map[string]string{
			"Target Role Id": adminOwnerRole, "Record Link": base + adminOwner}},
		{"assign owner role without a role: the admin chooses; a hostile Id gets no link", 12, map[string]string{
			"Target Role Id": "admin chooses", "Record Link": ""}},
		{"internal user: no contact", 6, map[string]string{
			"Contact Id": "", "Record Link": base + "005000000000005AAA"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header, row, at := b.stepRow(t, tt.seq)
			for col, want := range tt.want {
				if got := xlCell(header, row, col); got != want {
					t.Errorf("%s = %q, want %q", col, got, want)
				}
			}
			ref := xlRef(t, header, "Record Link", at)
			if got, want := b.link(t, sheetSteps, ref), tt.want["Record Link"]; got != want {
				t.Errorf("Record Link %s links to %q, want %q", ref, got, want)
			}
		})
	}
	// A link is a hyperlink on a text cell, in the link style, never a
	// HYPERLINK formula.
	header, _, at := b.stepRow(t, 3)
	ref := xlRef(t, header, "Record Link", at)
	if typ, _ := b.f.GetCellType(sheetSteps, ref); typ != excelize.CellTypeInlineString {
		t.Errorf("%s type %v, want text", ref, typ)
	}
	if fo, _ := b.f.GetCellFormula(sheetSteps, ref); fo != "" {
		t.Errorf("%s has formula %q", ref, fo)
	}
	if v, detail, _ := b.summaryValue(t, "Source", "Record links"); v != "https://acme.my.salesforce.com" || !strings.Contains(detail, "Record Link") {
		t.Errorf("Summary record links = %q (%q), want the instance", v, detail)
	}
}

func TestXLSXRecordLinksNeedAnInstance(t *testing.T) {
	// TestRecordBase has the other addresses that make no links.
	tests := []struct{ name, kind, path string }{
		{"snapshot folder", "snapshot", "./snapshot"},
		{"demo org", "demo", "built-in demo org"},
		{"script", "org", "javascript:alert(1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := xlsxAdminPlan()
			p.Source.Kind, p.Source.Path = tt.kind, tt.path
			b := writeXLSX(t, XLSX{}, p)
			header, data := b.table(t, sheetSteps)
			for i, r := range data {
				if v := xlCell(header, r, "Record Link"); v != "" {
					t.Errorf("row %d Record Link = %q, want none", i+2, v)
				}
			}
			if strings.Contains(b.sheetXML(t, sheetSteps), "<hyperlink") {
				t.Error("Steps has hyperlinks")
			}
			if v, detail, _ := b.summaryValue(t, "Source", "Record links"); v != "none" || !strings.Contains(detail, "not known") {
				t.Errorf("Summary record links = %q (%q), want none, and why", v, detail)
			}
		})
	}
}

// A worksheet holds a limited number of links; past it the address is text.
func TestXLSXLinkLimit(t *testing.T) {
	b := writeXLSX(t, XLSX{linkLimit: 3}, xlsxAdminPlan())
	header, data := b.table(t, sheetSteps)
	linked := 0
	for i, r := range data {
		ref := xlRef(t, header, "Record Link", i+2)
		target := b.link(t, sheetSteps, ref)
		v := xlCell(header, r, "Record Link")
		if target != "" {
			linked++
			if target != v {
				t.Errorf("%s shows %q and links to %q", ref, v, target)
			}
		} else if v != "" && linked < 3 {
			t.Errorf("%s = %q has no link before the limit", ref, v)
		}
	}
	if linked != 3 {
		t.Errorf("%d links, want the limit 3", linked)
	}
}

// Each worksheet of a split Steps has its own links, and its own limit.
func TestXLSXLinksOnSplitSheets(t *testing.T) {
	b := writeXLSX(t, XLSX{rowLimit: 4, linkLimit: 2}, xlsxAdminPlan())
	parts := b.parts(sheetSteps)
	if len(parts) < 3 {
		t.Fatalf("Steps parts = %q, want it split", parts)
	}
	for _, sheet := range parts {
		rows := b.rows(t, sheet)
		linked := 0
		for i, r := range rows[1:] {
			ref := xlRef(t, rows[0], "Record Link", i+2)
			if target := b.link(t, sheet, ref); target != "" {
				linked++
				if v := xlCell(rows[0], r, "Record Link"); target != v {
					t.Errorf("%s!%s shows %q and links to %q", sheet, ref, v, target)
				}
			}
		}
		if want := min(2, len(rows)-1); linked != want {
			t.Errorf("%s has %d links, want %d", sheet, linked, want)
		}
	}
}

// Seen: Status had no dropdown.
func TestXLSXStatusDropdown(t *testing.T) {
	p := xlsxGeneratedPlan(t, 300)
	b := writeXLSX(t, XLSX{rowLimit: 30}, p)
	parts := b.parts(sheetSteps)
	if len(parts) < 2 {
		t.Fatalf("Steps parts = %q, want it split", parts)
	}
	for _, sheet := range parts {
		t.Run(sheet, func(t *testing.T) {
			header := b.rows(t, sheet)[0]
			n := len(b.rows(t, sheet))
			col := strings.TrimRight(xlRef(t, header, "Status", 1), "1")
			dvs, err := b.f.GetDataValidations(sheet)
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, dv := range dvs {
				if dv.Type != "list" {
					continue
				}
				found = true
				if want := col + "2:" + col + strconv.Itoa(n); dv.Sqref != want {
					t.Errorf("dropdown over %s, want %s", dv.Sqref, want)
				}
				if want := `"To do,In progress,Done,Blocked,Skipped"`; dv.Formula1 != want {
					t.Errorf("dropdown choices %s, want %s", dv.Formula1, want)
				}
				if !dv.AllowBlank {
					t.Error("the dropdown does not allow an empty Status")
				}
			}
			if !found {
				t.Errorf("%s has no dropdown on Status", sheet)
			}
		})
	}
}

// Seen: there was no print setup (LibreOffice printed 102 A4 pages with the
// columns split).
func TestXLSXPrintSetup(t *testing.T) {
	p := fixturePlan()
	p.Fingerprint = "sha256:" + strings.Repeat("ab", 32)
	setOrg(p, &planner.OrgInfo{Name: "Smith & Co &P <Corp>", IsSandbox: ptr(false)})
	b := writeXLSX(t, XLSX{rowLimit: 4}, p)
	titles := map[string]string{}
	for _, dn := range b.f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" {
			titles[dn.Scope] = dn.RefersTo
		}
	}
	for _, sheet := range b.f.GetSheetList() {
		t.Run(sheet, func(t *testing.T) {
			pl, err := b.f.GetPageLayout(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if pl.Orientation == nil || *pl.Orientation != "landscape" {
				t.Errorf("orientation %v, want landscape", pl.Orientation)
			}
			if pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
				t.Errorf("fit to %v wide, %v tall; want 1 page wide, any number tall", pl.FitToWidth, pl.FitToHeight)
			}
			props, err := b.f.GetSheetProps(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if props.FitToPage == nil || !*props.FitToPage {
				t.Error("fitToPage is off: Excel ignores fitToWidth without it")
			}
			if want := "'" + sheet + "'!$1:$1"; titles[sheet] != want {
				t.Errorf("print titles %q, want %q", titles[sheet], want)
			}
			hf, err := b.f.GetHeaderFooter(sheet)
			if err != nil || hf == nil {
				t.Fatalf("no header and footer: %v", err)
			}
			// & starts a code in a header, so the org's & is doubled.
			if !strings.Contains(hf.OddHeader, "Smith && Co &&P <Corp> (production)") || !strings.Contains(hf.OddHeader, p.Fingerprint) {
				t.Errorf("page header %q, want the org and the fingerprint", hf.OddHeader)
			}
			if !strings.Contains(hf.OddFooter, "Page &P of &N") {
				t.Errorf("page footer %q, want page x of y", hf.OddFooter)
			}
		})
	}
}

// Seen: <dimension ref="A1"> on every sheet, so a reader that trusts it
// (openpyxl's read-only mode) saw one row.
func TestXLSXDimension(t *testing.T) {
	for _, pc := range []struct {
		name  string
		p     *planner.Plan
		limit int
	}{{"fixture", fixturePlan(), 0}, {"split", xlsxGeneratedPlan(t, 300), 30}, {"empty", &planner.Plan{}, 0}} {
		t.Run(pc.name, func(t *testing.T) {
			b := writeXLSX(t, XLSX{rowLimit: pc.limit}, pc.p)
			re := regexp.MustCompile(`<dimension ref="([^"]*)"`)
			for _, sheet := range b.f.GetSheetList() {
				rows := b.rows(t, sheet)
				last, _ := excelize.ColumnNumberToName(len(rows[0]))
				want := "A1:" + last + strconv.Itoa(len(rows))
				m := re.FindStringSubmatch(b.sheetXML(t, sheet))
				if m == nil || m[1] != want {
					t.Errorf("%s: dimension %q, want %s", sheet, m, want)
				}
			}
		})
	}
}

// Seen: Reversible was a boolean, Partner Account the string "true".
func TestXLSXBooleansEverywhere(t *testing.T) {
	b := writeXLSX(t, XLSX{}, fixturePlan())
	for _, sheet := range b.f.GetSheetList() {
		rows := b.rows(t, sheet)
		for i, r := range rows[1:] {
			for j, v := range r {
				name, _ := excelize.CoordinatesToCellName(j+1, i+2)
				typ, err := b.f.GetCellType(sheet, name)
				if err != nil {
					t.Fatal(err)
				}
				if lv := strings.ToLower(v); (lv == "true" || lv == "false") && typ != excelize.CellTypeBool {
					t.Errorf("%s!%s = %q is %v, want a boolean cell", sheet, name, v, typ)
				}
			}
		}
	}
	// The plan's "" is unknown, not false.
	header, data := b.table(t, sheetAccounts)
	i := slices.IndexFunc(data, func(r []string) bool { return r[0] == "001000000000003AAA" })
	for _, col := range []string{"Partner Account", "Owner Has Role"} {
		if v := xlCell(header, data[i], col); v != "unknown" {
			t.Errorf("%s = %q, want unknown", col, v)
		}
	}
}

// TestXLSXGolden keeps a text picture of the admin plan's workbook in
// testdata/golden-plan.xlsx.txt, so a change to what an admin sees shows in
// review: each worksheet's dimension, print setup and dropdowns, then its
// cells, with [q] before a text whose format has quotePrefix and the
// target of a hyperlink after ->.
func TestXLSXGolden(t *testing.T) {
	p := xlsxAdminPlan()
	p.Fingerprint = "sha256:" + strings.Repeat("0f", 32)
	b := writeXLSX(t, XLSX{}, p)
	checkGolden(t, "golden-plan.xlsx.txt", []byte(b.dump(t)))
}

// dump describes the workbook as text (see TestXLSXGolden).
func (b *xlsxBook) dump(t *testing.T) string {
	t.Helper()
	quoted := b.quotePrefixed(t)
	var out strings.Builder
	dimension := regexp.MustCompile(`<dimension ref="([^"]*)"`)
	titles := map[string]string{}
	for _, dn := range b.f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" {
			titles[dn.Scope] = dn.RefersTo
		}
	}
	for _, sheet := range b.f.GetSheetList() {
		dim := dimension.FindStringSubmatch(b.sheetXML(t, sheet))
		pl, err := b.f.GetPageLayout(sheet)
		if err != nil {
			t.Fatal(err)
		}
		hf, err := b.f.GetHeaderFooter(sheet)
		if err != nil || hf == nil {
			t.Fatalf("%s: no header and footer: %v", sheet, err)
		}
		dvs, err := b.f.GetDataValidations(sheet)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "== %s %s\n", sheet, dim[1])
		fmt.Fprintf(&out, "print: %s, fit %d wide %d tall, titles %s\n", *pl.Orientation, *pl.FitToWidth, *pl.FitToHeight, titles[sheet])
		fmt.Fprintf(&out, "page header %q, footer %q\n", hf.OddHeader, hf.OddFooter)
		for _, dv := range dvs {
			fmt.Fprintf(&out, "dropdown %s: %s\n", dv.Sqref, dv.Formula1)
		}
		for i, r := range b.rows(t, sheet) {
			cells := make([]string, len(r))
			for j, v := range r {
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				typ, _ := b.f.GetCellType(sheet, ref)
				switch {
				case v == "":
				case typ == excelize.CellTypeBool || typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset:
					cells[j] = v
				default:
					cells[j] = strconv.Quote(v)
					if id, _ := b.f.GetCellStyle(sheet, ref); quoted[id] {
						cells[j] = "[q]" + cells[j]
					}
				}
				if target := b.link(t, sheet, ref); target != "" {
					cells[j] += " -> " + target
				}
			}
			fmt.Fprintf(&out, "%d: %s\n", i+1, strings.Join(cells, " | "))
		}
	}
	return out.String()
}
