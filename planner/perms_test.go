package planner

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/org"
)

func TestJoinRows(t *testing.T) {
	users := []org.User{{ID: "005A"}, {ID: "005C"}, {ID: "005D"}}
	tests := []struct {
		name     string
		sorted   bool
		rows     []string
		wantUser []int32
		wantFrom int
	}{
		{"in step", true, []string{"005A", "005A", "005B", "005C", "005D", "005D", "005E"}, []int32{0, 0, -1, 1, 2, 2, -1}, 7},
		{"stops at the first row out of order", true, []string{"005A", "005D", "005C", "005A"}, []int32{0, 2}, 2},
		{"users not sorted", false, []string{"005A"}, nil, 0},
		{"no rows", true, nil, []int32{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := joinRows(users, tt.sorted, len(tt.rows), func(i int) string { return tt.rows[i] })
			if !slices.Equal(got.user, tt.wantUser) || got.from != tt.wantFrom {
				t.Errorf("joinRows = %v from %d, want %v from %d", got.user, got.from, tt.wantUser, tt.wantFrom)
			}
		})
	}
}

// Rows the walk in step could not place are found by Id, so a file whose
// rows are out of order links every user's rows all the same.
func TestPermissionsWithRowsOutOfOrder(t *testing.T) {
	withRows := func(reverse bool) *Plan {
		snap := fixture()
		extra := org.PermissionSetAssignment{AssigneeID: "0051", PermissionSetID: "0PS9", PermissionSetName: "Partner_Tools", IsOwnedByProfile: org.False}
		snap.PermissionSets = append([]org.PermissionSetAssignment{extra}, snap.PermissionSets...)
		if reverse {
			slices.Reverse(snap.PermissionSets)
		}
		return Build(snap, table(t), fixtureTargets(t), Options{Now: now})
	}
	want, got := withRows(false), withRows(true)
	for i := range want.Users.Len() {
		w, g := want.Users.At(i), got.Users.At(i)
		if !slices.Equal(codesOf(w.Warnings), codesOf(g.Warnings)) || !slices.EqualFunc(w.Warnings, g.Warnings, func(a, b Warning) bool { return a.Message == b.Message }) {
			t.Errorf("%s: warnings %v with rows reversed, want %v", w.Username, g.Warnings, w.Warnings)
		}
	}
	if up := user(t, got, "cc.a@x"); !strings.Contains(fmt.Sprint(up.Warnings), "Partner_Tools") {
		t.Errorf("cc.a@x's assignment, out of order, was not linked: %v", up.Warnings)
	}
}

// A role-based upgrade removes permission sets and permission set
// licenses; the plan gives back what the target license allows, and
// says why it leaves the others.
func TestRestore(t *testing.T) {
	ps := func(id, name, lic string, owned org.Tri) org.PermissionSetAssignment {
		return org.PermissionSetAssignment{AssigneeID: "0051", PermissionSetID: id, PermissionSetName: name, IsOwnedByProfile: owned, LicenseID: lic}
	}
	tests := []struct {
		name         string
		ps           []org.PermissionSetAssignment
		psl          []org.PermissionSetLicenseAssign
		checked      bool // the snapshot has PermissionSet.LicenseId
		wantPS       []string
		wantPSL      []string
		wantNot      []string // "name: reason" fragments
		wantNoResult bool
	}{
		{name: "no license: given back", checked: true,
			ps: []org.PermissionSetAssignment{ps("0PSa", "Any", "", org.False)}, wantPS: []string{"0PSa"}},
		{name: "the target license: given back", checked: true,
			ps: []org.PermissionSetAssignment{ps("0PSb", "Partner_Only", "100000000000PC0", org.False)}, wantPS: []string{"0PSb"}},
		{name: "another user license: not given back", checked: true,
			ps:      []org.PermissionSetAssignment{ps("0PSc", "Customer_Only", "100000000000CC0", org.False)},
			wantNot: []string{"Customer_Only: it needs another user license than Partner Community"}},
		{name: "a permission set license the user keeps: both given back", checked: true,
			ps:     []org.PermissionSetAssignment{ps("0PSd", "Needs_PSL", "0PL000000000001", org.False)},
			psl:    []org.PermissionSetLicenseAssign{{AssigneeID: "0051", Label: "Loyalty", ID: "0PL000000000001AAA"}},
			wantPS: []string{"0PSd"}, wantPSL: []string{"0PL000000000001AAA"}},
		{name: "a permission set license the user lacks", checked: true,
			ps:      []org.PermissionSetAssignment{ps("0PSe", "Needs_Other_PSL", "0PL000000000009", org.False)},
			wantNot: []string{"Needs_Other_PSL: it needs a permission set license the user does not have"}},
		{name: "View All Records, which Partner Community lacks", checked: true,
			ps:      []org.PermissionSetAssignment{ps("0PSv", "Case_View_All", "", org.False)},
			wantNot: []string{"Case_View_All: it grants View All Records, which Partner Community does not allow"}},
		{name: "a permission set license with no Id in the snapshot",
			psl:     []org.PermissionSetLicenseAssign{{AssigneeID: "0051", Label: "Old Export"}},
			wantNot: []string{"Old Export: the snapshot has no PermissionSetLicenseId for it"}},
		{name: "licenses unknown: everything given back, unchecked",
			ps: []org.PermissionSetAssignment{ps("0PSc", "Customer_Only", "", org.False)}, wantPS: []string{"0PSc"}},
		{name: "profile-owned only: nothing removed", checked: true,
			ps: []org.PermissionSetAssignment{ps("0PSp", "X00e", "", org.True)}, wantNoResult: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := fixture()
			for i := range snap.Licenses {
				switch snap.Licenses[i].Name {
				case "Partner Community":
					snap.Licenses[i].ID = "100000000000PC0AAA"
				case "Customer Community":
					snap.Licenses[i].ID = "100000000000CC0AAA"
				}
			}
			snap.PermissionSets = append(snap.PermissionSets, tt.ps...)
			snap.PermissionSetLicenses = append(snap.PermissionSetLicenses, tt.psl...)
			snap.ObjectPermissions = append(snap.ObjectPermissions, org.ObjectPermission{ParentID: "0PSv", SobjectType: "Case", ViewAllRecords: true})
			snap.Has.PermissionSetLicense = tt.checked
			up := user(t, Build(snap, table(t), fixtureTargets(t), Options{Now: now}), "cc.a@x")
			if tt.wantNoResult {
				if up.Restore != nil {
					t.Fatalf("Restore = %+v, want none", up.Restore)
				}
				return
			}
			rs := up.Restore
			if rs == nil {
				t.Fatal("no Restore")
			}
			ids := func(gs []Grant) []string {
				out := []string{}
				for _, g := range gs {
					out = append(out, g.ID)
				}
				return out
			}
			if got := ids(rs.PermissionSets); !slices.Equal(got, nonNilList(tt.wantPS)) {
				t.Errorf("permission sets %v, want %v", got, tt.wantPS)
			}
			if got := ids(rs.PermissionSetLicenses); !slices.Equal(got, nonNilList(tt.wantPSL)) {
				t.Errorf("permission set licenses %v, want %v", got, tt.wantPSL)
			}
			var not []string
			for _, g := range rs.NotRestored {
				not = append(not, g.Name+": "+g.Reason)
			}
			if !slices.Equal(not, tt.wantNot) {
				t.Errorf("not restored %q, want %q", not, tt.wantNot)
			}
			if rs.LicenseChecked != tt.checked {
				t.Errorf("LicenseChecked %v, want %v", rs.LicenseChecked, tt.checked)
			}
		})
	}
}
