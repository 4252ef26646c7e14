package planner

import (
	"fmt"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
)

// Limits at which an export is probably cut off (README, "Nothing is
// silently missing"): sf data query stops at 50,000 records unless its
// org-max-query-limit is raised, and the REST API returns 2,000 records a
// page, so a client that reads one page only gets exactly 2,000.
var truncationLimits = []struct {
	rows int
	why  string
}{
	{50000, "exactly the Salesforce CLI's default query limit (sf data query stops there unless SF_ORG_MAX_QUERY_LIMIT is higher)"},
	{2000, "exactly one page of a REST query: a client that does not follow nextRecordsUrl stops there"},
}

// seatSlack is how far UserLicense.UsedLicenses may exceed the active users
// of User.csv before the snapshot is taken as incomplete: Salesforce updates
// UsedLicenses now and then (UsedLicensesLastUpdated), not on every change,
// and counts a few users a User.csv export leaves out (such as users
// without a profile). More than a tenth, and at least 100 seats, above is
// not lag.
func seatSlack(active int) int { return max(100, active/10) }

// completenessWarnings are the SNAPSHOT_INCOMPLETE warnings: a snapshot
// file that has exactly a known cap of rows, or seats in use well above
// the active users in User.csv. A plan of part of an org looks like a
// plan of all of it; these say it is not.
func completenessWarnings(s *org.Snapshot) []Warning {
	var out []Warning
	warn := func(format string, args ...any) {
		out = append(out, Warning{Code: rules.SnapshotIncomplete, Message: fmt.Sprintf(format, args...)})
	}
	// A file whose records the source counted (a pull checks every
	// object's records against totalSize) is complete when it has that
	// many rows, whatever the number; with another number it was cut or
	// edited after the pull.
	for _, f := range dataRows(s) {
		if n, ok := s.Counted[f.file]; ok {
			if n != f.rows {
				warn("%s has %s data rows, but %s says the pull counted %s: the file was cut or edited after the pull. Pull the org again with licenseplan snapshot, or delete %s if the edit is intended.",
					f.file, thousands(f.rows), org.CountsFile, thousands(n), org.CountsFile)
			}
			continue
		}
		for _, l := range truncationLimits {
			if f.rows == l.rows {
				warn("%s has %s data rows, %s: the export was probably cut off. Export it again with the script from licenseplan query, or pull the org with licenseplan snapshot.",
					f.file, thousands(f.rows), l.why)
			}
		}
	}
	if _, counted := s.Counted["User.csv"]; len(s.Licenses) > 0 && !counted {
		used := 0
		for _, l := range s.Licenses {
			used += max(l.UsedLicenses, 0)
		}
		active := 0
		for i := range s.Users {
			if !s.Users[i].IsActive.IsFalse() {
				active++
			}
		}
		if used > active+seatSlack(active) {
			warn("UserLicense.csv says %s seats are in use, but User.csv has %s active users: User.csv is probably incomplete. Export it again with the script from licenseplan query, or pull the org with licenseplan snapshot.",
				thousands(used), thousands(active))
		}
	}
	return out
}

type fileRows struct {
	file string
	rows int
}

// dataRows counts the data rows of each snapshot file that was read. Every
// row of a file becomes one record, so the records count the rows;
// accounts known only from User.csv are not rows of Account.csv.
func dataRows(s *org.Snapshot) []fileRows {
	accounts := 0
	for i := range s.Accounts {
		if !s.Accounts[i].FromUserCSV {
			accounts++
		}
	}
	rows := map[string]int{
		"User.csv": len(s.Users), "Account.csv": accounts, "UserRole.csv": len(s.Roles),
		"UserLicense.csv": len(s.Licenses), "Profile.csv": len(s.Profiles),
		"PermissionSetAssignment.csv": len(s.PermissionSets), "ObjectPermissions.csv": len(s.ObjectPermissions),
		"PermissionSetLicenseAssign.csv": len(s.PermissionSetLicenses),
	}
	var out []fileRows
	for _, f := range s.Files {
		if n, ok := rows[f]; ok {
			out = append(out, fileRows{f, n})
		}
	}
	return out
}

// thousands writes n with commas: 50,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
