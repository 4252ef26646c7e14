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
