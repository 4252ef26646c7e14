package reports

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/planner"
)

func TestSafeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{hostileHyperlink, "'" + hostileHyperlink},
		{hostilePlus, "'+1+2"},
		{hostileMinus, "'-2"},
		{hostileAt, "'@SUM(A1)"},
		{hostileTab, "'\tTab"},
		{"\rcr", "'\rcr"},
		{"a=b", "a=b"},
		{" =1", " =1"},
		{"'already", "'already"},
		{"1-2", "1-2"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := SafeCell(tt.in); got != tt.want {
				t.Errorf("SafeCell(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// parseCSV writes p as CSV and parses it back.
func parseCSV(t *testing.T, p *planner.Plan) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(render(t, CSV{}, p)))
	r.FieldsPerRecord = len(csvHeader)
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("output is not valid CSV: %v", err)
	}
	return recs
}

func TestCSVNoFormulaCells(t *testing.T) {
	recs := parseCSV(t, fixturePlan())
	for i, rec := range recs {
		for j, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d column %s starts with %q: %q", i, recs[0][j], cell[0], cell)
			}
		}
	}
	// The hostile names are there, quote-prefixed, not dropped.
	all := map[string]bool{}
	for _, rec := range recs {
		for _, c := range rec {
			all[c] = true
		}
	}
	for _, want := range []string{"'" + hostileMinus, "'" + hostileAt, "'" + hostilePlus, "'" + hostileTab + "@acme.example", hostileNewline, hostilePipe, hostileScript} {
		if !all[want] {
			t.Errorf("no cell is %q", want)
		}
	}
}

func TestCSVEnvironment(t *testing.T) {
	tests := []struct {
		name string
		org  *planner.OrgInfo
		want string
	}{
		{"production", &planner.OrgInfo{IsSandbox: ptr(false)}, "production"},
		{"sandbox", &planner.OrgInfo{IsSandbox: ptr(true)}, "sandbox"},
		{"IsSandbox blank", &planner.OrgInfo{}, "unknown"},
		{"no Organization record", nil, "unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := fixturePlan()
			setOrg(p, tc.org)
			recs := parseCSV(t, p)
			col := slices.Index(recs[0], "Environment")
			for _, rec := range recs[1:] {
				if rec[col] != tc.want {
					t.Fatalf("step %s: Environment %q, want %q on every row", rec[0], rec[col], tc.want)
				}
			}
		})
	}
}

func TestCSVRows(t *testing.T) {
	p := fixturePlan()
	recs := parseCSV(t, p)
	if got, want := strings.Join(recs[0], ","), "Seq,Phase,Action,UserId,Username,Name,AccountId,AccountName,FromLicense,ToLicense,FromProfile,ToProfile,Outcome,RuleId,DependsOn,Reversible,Description,Warnings,Environment"; got != want {
		t.Fatalf("header = %s\nwant     %s", got, want)
	}
	if len(recs) != 1+p.Steps.Len() {
		t.Fatalf("got %d rows, want %d (header + one per step)", len(recs), 1+p.Steps.Len())
	}
	col := func(name string) int { return slices.Index(csvHeader, name) }
	tests := []struct {
		seq  string
		col  string
		want string
	}{
		{"1", "Action", "enable_partner_account"},
		{"1", "Phase", "prepare"},
		{"1", "UserId", ""},
		{"1", "Username", ""},
		{"1", "Outcome", ""},
		{"1", "Warnings", ""},
		{"1", "AccountId", "001000000000001AAA"},
		{"1", "AccountName", hostileScript},
		{"1", "Environment", "production"}, // the fixture's org is production
		{"3", "Name", "'-2"},
		{"3", "DependsOn", "1"},
		{"3", "Outcome", "change_in_place"},
		// The user has PERMISSION_SETS_REMOVED twice: it is listed once.
		{"3", "Warnings", "IRREVERSIBLE PARTNER_ACCOUNT_REQUIRED PERMISSION_SETS_REMOVED ROLE_CREATED"},
		{"3", "Reversible", "false"},
		{"8", "DependsOn", "6 7"},
		{"8", "Phase", "recreate"},
		{"8", "Action", "transfer_records"},
		{"8", "AccountId", ""},
		{"8", "AccountName", ""},
		{"8", "Name", hostileNewline},
		{"6", "Reversible", "true"},
		{"6", "Action", "deactivate_user"},
		{"4", "Action", "disable_user"},
		{"5", "Action", "create_user"},
		{"10", "Phase", "follow-up"},
		{"10", "Action", "reassign_permission_sets"},
		{"10", "FromLicense", "Customer Community"},
		{"10", "ToProfile", "Partner Community User"},
		{"10", "RuleId", "customer-community-to-partner-community-reenable"},
		{"2", "AccountName", hostilePipe},
		{"2", "Description", "Assign profile Partner Community User"},
	}
	bySeq := map[string][]string{}
	for _, rec := range recs[1:] {
		bySeq[rec[0]] = rec
	}
	for _, tt := range tests {
		t.Run(tt.seq+"/"+tt.col, func(t *testing.T) {
			rec, ok := bySeq[tt.seq]
			if !ok {
				t.Fatalf("no row for step %s", tt.seq)
			}
			if got := rec[col(tt.col)]; got != tt.want {
				t.Errorf("step %s %s = %q, want %q", tt.seq, tt.col, got, tt.want)
			}
		})
	}
}

func TestCSVStepOfUnknownUser(t *testing.T) {
	p := &planner.Plan{
		Overview: planner.Overview{
			Accounts: []planner.AccountPlan{{AccountID: "001a", AccountName: "Known account"}},
		},
		Steps: planner.NewSteps(planner.Step{Seq: 1, Action: planner.ChangeLicense, UserID: "005missing", AccountID: "001a"}),
	}
	recs := parseCSV(t, p)
	rec := recs[1]
	if rec[3] != "005missing" || rec[4] != "" || rec[12] != "" || rec[7] != "Known account" {
		t.Errorf("row = %q", rec)
	}
}
