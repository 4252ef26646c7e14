package planner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/rules"
)

func TestCompletenessWarnings(t *testing.T) {
	users := func(n, inactive int) []org.User {
		us := make([]org.User, n)
		for i := range us {
			us[i] = org.User{ID: fmt.Sprintf("005%015d", i), IsActive: org.TriOf(i >= inactive)}
		}
		return us
	}
	lic := func(used int) []org.UserLicense {
		return []org.UserLicense{{Name: "Customer Community", UsedLicenses: used}}
	}
	tests := []struct {
		name string
		snap *org.Snapshot
		want []string // substrings, one per warning; nil for none
	}{
		{"complete", &org.Snapshot{Users: users(10, 0), Licenses: lic(10), Files: []string{"User.csv", "UserLicense.csv"}}, nil},
		{"sf's 50,000", &org.Snapshot{Users: users(50000, 0), Files: []string{"User.csv"}}, []string{"User.csv has 50,000 data rows, exactly the Salesforce CLI's default query limit"}},
		{"one REST page", &org.Snapshot{Users: users(5, 0), PermissionSets: make([]org.PermissionSetAssignment, 2000),
			Files: []string{"User.csv", "PermissionSetAssignment.csv"}}, []string{"PermissionSetAssignment.csv has 2,000 data rows, exactly one page"}},
		{"a file not read is not counted", &org.Snapshot{Users: users(5, 0), PermissionSets: make([]org.PermissionSetAssignment, 2000),
			Files: []string{"User.csv"}}, nil},
		{"accounts from User.csv are not Account.csv rows", &org.Snapshot{Users: users(5, 0),
			Accounts: append(make([]org.Account, 1999), org.Account{FromUserCSV: true}), Files: []string{"User.csv", "Account.csv"}}, nil},
		{"UsedLicenses lagging a little", &org.Snapshot{Users: users(1000, 0), Licenses: lic(1100), Files: []string{"User.csv", "UserLicense.csv"}}, nil},
		{"seats well above active users", &org.Snapshot{Users: users(1000, 0), Licenses: lic(1101), Files: []string{"User.csv", "UserLicense.csv"}},
			[]string{"UserLicense.csv says 1,101 seats are in use, but User.csv has 1,000 active users"}},
		{"inactive users hold no seat", &org.Snapshot{Users: users(1000, 500), Licenses: lic(1000), Files: []string{"User.csv", "UserLicense.csv"}},
			[]string{"1,000 seats are in use, but User.csv has 500 active users"}},
		{"no UserLicense.csv", &org.Snapshot{Users: users(10, 0), Files: []string{"User.csv"}}, nil},
		// A pull counts every object against totalSize: 2,000 users that
		// the org counted are all of them, and seats then say nothing
		// about User.csv.
		{"a pull of exactly 2,000 users", &org.Snapshot{Users: users(2000, 0), Licenses: lic(5000), Files: []string{"User.csv", "UserLicense.csv"},
			Counted: map[string]int{"User.csv": 2000, "UserLicense.csv": 1}}, nil},
		{"a pulled file cut afterwards", &org.Snapshot{Users: users(1500, 0), Files: []string{"User.csv"}, Counted: map[string]int{"User.csv": 2000}},
			[]string{"User.csv has 1,500 data rows, but snapshot-counts.json says the pull counted 2,000"}},
		{"counted files only", &org.Snapshot{Users: users(10, 0), PermissionSets: make([]org.PermissionSetAssignment, 2000),
			Files: []string{"User.csv", "PermissionSetAssignment.csv"}, Counted: map[string]int{"User.csv": 10}},
			[]string{"PermissionSetAssignment.csv has 2,000 data rows, exactly one page"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := completenessWarnings(tt.snap)
			if len(got) != len(tt.want) {
				t.Fatalf("warnings %v, want %d", got, len(tt.want))
			}
			for i, w := range got {
				if w.Code != rules.SnapshotIncomplete || !strings.Contains(w.Message, tt.want[i]) {
					t.Errorf("warning %d = %s %q, want %q", i, w.Code, w.Message, tt.want[i])
				}
			}
		})
	}
}

// TestGeneratedOrgsAreComplete: orggen's orgs are consistent, so they never
// look truncated (sizes that are not a limit themselves).
func TestGeneratedOrgsAreComplete(t *testing.T) {
	for _, n := range []int{300, 4999, 20000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			snap := orggen.Generate(orggen.Options{Users: n, Seed: 3})
			if snap.Files == nil {
				for _, q := range org.Queries {
					snap.Files = append(snap.Files, q.File)
				}
			}
			if ws := completenessWarnings(snap); len(ws) != 0 {
				t.Errorf("orggen --users %d: %v", n, ws)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 190412: "190,412", 1234567: "1,234,567", -5000: "-5,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
