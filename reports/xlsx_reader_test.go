package reports

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/licenseplan/licenseplan/planner"
)

// The second reader of plan.xlsx is Debian's openpyxl (apt package
// python3-openpyxl) under Debian's own Python: openpyxl shares no code with
// excelize, so a workbook both read the same way is not an excelize quirk.
const (
	openpyxlPython = "/usr/bin/python3"
	// requireOpenpyxlEnv, set to 1 (as .ci/run does), makes the test fail
	// instead of skip when openpyxl is missing.
	requireOpenpyxlEnv = "LICENSEPLAN_REQUIRE_OPENPYXL"
)

// openpyxlSheet is what testdata/xlsx_openpyxl.py reports of a worksheet.
type openpyxlSheet struct {
	Name  string            `json:"name"`
	Rows  [][]any           `json:"rows"`
	Quote [][]bool          `json:"quote"`
	Links map[string]string `json:"links"`
	// RoRows are the rows read-only mode sees; RoMaxRow is the row count
	// it takes from the <dimension>.
	RoRows      [][]any `json:"roRows"`
	RoMaxRow    int     `json:"roMaxRow"`
	Validations []struct {
		Type       string `json:"type"`
		Sqref      string `json:"sqref"`
		Formula1   string `json:"formula1"`
		AllowBlank bool   `json:"allowBlank"`
	} `json:"validations"`
	Orientation    string `json:"orientation"`
	FitToWidth     int    `json:"fitToWidth"`
	FitToHeight    int    `json:"fitToHeight"`
	FitToPage      bool   `json:"fitToPage"`
	PrintTitleRows string `json:"printTitleRows"`
	Header         string `json:"header"`
	HeaderRight    string `json:"headerRight"`
	Footer         string `json:"footer"`
}

// readOpenpyxl writes raw to a file and reads it with openpyxl. It skips
// the test when openpyxl is not installed, and fails it then when
// LICENSEPLAN_REQUIRE_OPENPYXL=1.
func readOpenpyxl(t *testing.T, raw []byte) map[string]*openpyxlSheet {
	t.Helper()
	if err := exec.Command(openpyxlPython, "-c", "import openpyxl").Run(); err != nil {
		msg := "openpyxl not found for " + openpyxlPython + " (apt-get install -y python3-openpyxl): " + err.Error()
		if os.Getenv(requireOpenpyxlEnv) == "1" {
			t.Fatal(msg + " (" + requireOpenpyxlEnv + "=1 makes this a failure)")
		}
		t.Skip(msg)
	}
	file := filepath.Join(t.TempDir(), "plan.xlsx")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, openpyxlPython, filepath.Join("testdata", "xlsx_openpyxl.py"), file)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openpyxl could not read the workbook: %v\n%s", err, stderr.String())
	}
	var sheets []*openpyxlSheet
	if err := json.Unmarshal(out, &sheets); err != nil {
		t.Fatal(err)
	}
	m := map[string]*openpyxlSheet{}
	for _, s := range sheets {
		m[s.Name] = s
	}
	return m
}

// column returns the values of the named column below the header.
func (s *openpyxlSheet) column(t *testing.T, name string) (j int, values []any) {
	t.Helper()
	j = slices.Index(s.Rows[0], any(name))
	if j < 0 {
		t.Fatalf("%s has no column %s in %v", s.Name, name, s.Rows[0])
	}
	for _, r := range s.Rows[1:] {
		values = append(values, r[j])
	}
	return j, values
}

// TestXLSXSecondReader (Seen: text cells showed a literal '; <dimension
// ref="A1"> made openpyxl's read-only mode see one row) reads plan.xlsx with openpyxl and checks that it
// sees what excelize sees: hostile names exactly as the org holds them,
// quoted by the cell format and not by a ', every row in read-only mode,
// real booleans, the links, the Status dropdown and the print setup.
func TestXLSXSecondReader(t *testing.T) {
	hostile := []string{
		`=HYPERLINK("http://x")`, "@Home Services", "+1", "-x", "\tTab", "<script>", "\rCR", "'apostrophe",
	}
	p := xlsxAdminPlan()
	p.Fingerprint = "sha256:" + strings.Repeat("0f", 32)
	editUsers(p, func(i int, u *planner.UserPlan) { u.Name = hostile[i%len(hostile)] })
	p.Accounts[0].AccountName = "@Home Services"
	b := writeXLSX(t, XLSX{}, p)
	sheets := readOpenpyxl(t, b.raw)

	t.Run("hostile names", func(t *testing.T) {
		users := sheets[sheetUsers]
		j, names := users.column(t, "Name")
		var got []string
		for i, v := range names {
			s, ok := v.(string)
			if !ok {
				t.Errorf("row %d Name = %#v, want text", i+2, v)
				continue
			}
			got = append(got, s)
			if want := startsFormula(s); users.Quote[i+1][j] != want {
				t.Errorf("row %d Name %q quotePrefix = %v, want %v", i+2, s, users.Quote[i+1][j], want)
			}
		}
		header, data := b.table(t, sheetUsers)
		var excelized []string
		for _, r := range data {
			excelized = append(excelized, xlCell(header, r, "Name"))
		}
		if !slices.Equal(got, excelized) {
			t.Errorf("openpyxl reads names %q, excelize %q", got, excelized)
		}
		want := slices.Clone(hostile)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("names read back as %q, want %q", got, want)
		}
		acct := sheets[sheetAccounts]
		if v := acct.Rows[1][1]; v != "@Home Services" || !acct.Quote[1][1] {
			t.Errorf("Accounts B2 = %#v (quotePrefix %v), want @Home Services, quoted", v, acct.Quote[1][1])
		}
	})

	t.Run("every row in read-only mode", func(t *testing.T) {
		for _, name := range b.f.GetSheetList() {
			s := sheets[name]
			want := len(b.rows(t, name))
			if len(s.Rows) != want || len(s.RoRows) != want || s.RoMaxRow != want {
				t.Errorf("%s: openpyxl sees %d rows, %d in read-only mode (max_row %d); excelize %d",
					name, len(s.Rows), len(s.RoRows), s.RoMaxRow, want)
			}
		}
	})

	t.Run("booleans", func(t *testing.T) {
		acct := sheets[sheetAccounts]
		for _, col := range []string{"Partner Account", "Owner Has Role"} {
			_, vals := acct.column(t, col)
			for i, v := range vals {
				if _, ok := v.(bool); !ok && v != "unknown" {
					t.Errorf("Accounts %s row %d = %#v, want a boolean or unknown", col, i+2, v)
				}
			}
		}
		_, vals := sheets[sheetSteps].column(t, "Reversible")
		for i, v := range vals {
			if _, ok := v.(bool); !ok {
				t.Errorf("Steps Reversible row %d = %#v, want a boolean", i+2, v)
			}
		}
	})

	t.Run("links", func(t *testing.T) {
		steps := sheets[sheetSteps]
		j, vals := steps.column(t, "Record Link")
		n := 0
		for i, v := range vals {
			if v == nil {
				continue
			}
			n++
			ref, _ := excelize.CoordinatesToCellName(j+1, i+2)
			if steps.Links[ref] != v {
				t.Errorf("%s shows %#v and links to %q", ref, v, steps.Links[ref])
			}
		}
		if n == 0 || len(steps.Links) != n {
			t.Errorf("%d Record Link cells, %d hyperlinks: %v", n, len(steps.Links), steps.Links)
		}
		for ref, target := range steps.Links {
			if !strings.HasPrefix(target, "https://acme.my.salesforce.com/") {
				t.Errorf("%s links to %q", ref, target)
			}
			if got := b.link(t, sheetSteps, ref); got != target {
				t.Errorf("%s: openpyxl reads link %q, excelize %q", ref, target, got)
			}
		}
	})

	t.Run("status dropdown", func(t *testing.T) {
		vs := sheets[sheetSteps].Validations
		if len(vs) != 1 || vs[0].Type != "list" || vs[0].Formula1 != `"To do,In progress,Done,Blocked,Skipped"` || !vs[0].AllowBlank {
			t.Errorf("Steps validations = %+v, want the Status list", vs)
		}
	})

	t.Run("print setup", func(t *testing.T) {
		for _, name := range b.f.GetSheetList() {
			s := sheets[name]
			if s.Orientation != "landscape" || s.FitToWidth != 1 || s.FitToHeight != 0 || !s.FitToPage {
				t.Errorf("%s: %s, fit %d wide %d tall (fitToPage %v); want landscape, 1 wide, 0 tall",
					name, s.Orientation, s.FitToWidth, s.FitToHeight, s.FitToPage)
			}
			if s.PrintTitleRows != "$1:$1" && s.PrintTitleRows != "1:1" {
				t.Errorf("%s: print title rows %q, want row 1", name, s.PrintTitleRows)
			}
			if !strings.Contains(s.Header, "Acme | <Corp> *prod* (production)") || s.HeaderRight != p.Fingerprint {
				t.Errorf("%s: page header %q / %q, want the org and %s", name, s.Header, s.HeaderRight, p.Fingerprint)
			}
			if s.Footer != "Page &P of &N" {
				t.Errorf("%s: page footer %q, want page x of y", name, s.Footer)
			}
		}
	})
}
