package demo_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
)

// noProfileLicense deliberately has no profile in the demo, so a target of
// that license shows the missing-profile warning; without a profile the org
// cannot have users of it either.
const noProfileLicense = "Customer Community Plus Login"

func readDemo(t *testing.T) *org.Snapshot {
	t.Helper()
	s, err := org.ReadSnapshot(context.Background(), demo.Snapshot(), "demo")
	if err != nil {
		t.Fatalf("reading the demo snapshot: %v", err)
	}
	return s
}

func TestSnapshotReads(t *testing.T) {
	s := readDemo(t)
	if len(s.Users) < 150 {
		t.Errorf("%d users, want at least 150", len(s.Users))
	}
	want := []string{"User.csv", "Account.csv", "UserRole.csv", "UserLicense.csv", "Profile.csv",
		"PermissionSetAssignment.csv", "ObjectPermissions.csv", "PermissionSetLicenseAssign.csv", "Organization.csv"}
	for _, f := range want {
		if !slices.Contains(s.Files, f) {
			t.Errorf("snapshot lacks %s (files: %v)", f, s.Files)
		}
	}
	if o := s.Organization; o == nil || o.Name != "Acme Demo (Sandbox)" || !o.IsSandbox.IsTrue() {
		t.Errorf("Organization = %+v, want Acme Demo (Sandbox), a sandbox", o)
	}
}

func TestEveryLicense(t *testing.T) {
	s := readDemo(t)
	active := map[string]int{}
	for _, u := range s.Users {
		if u.IsActive.IsTrue() {
			active[u.License]++
		}
	}
	rows := map[string]org.UserLicense{}
	for _, l := range s.Licenses {
		rows[l.Name] = l
		if l.UsedLicenses != active[l.Name] {
			t.Errorf("license %s: UsedLicenses %d, %d active users", l.Name, l.UsedLicenses, active[l.Name])
		}
		if l.TotalLicenses < l.UsedLicenses {
			t.Errorf("license %s: %d used of %d", l.Name, l.UsedLicenses, l.TotalLicenses)
		}
	}
	profiles := map[string]int{}
	for _, p := range s.Profiles {
		profiles[p.License]++
	}
	for _, l := range orggen.Catalog() {
		if _, ok := rows[l.Name]; !ok {
			t.Errorf("no UserLicense row for %s", l.Name)
		}
		if l.Name == noProfileLicense {
			if profiles[l.Name] != 0 || active[l.Name] != 0 {
				t.Errorf("%s: %d profiles, %d users; want none", l.Name, profiles[l.Name], active[l.Name])
			}
			continue
		}
		if active[l.Name] == 0 {
			t.Errorf("no active user of %s", l.Name)
		}
	}
	// One license outside the catalog.
	if active["Legacy Widget Portal"] != 1 {
		t.Errorf("%d users of Legacy Widget Portal, want 1", active["Legacy Widget Portal"])
	}
}

func TestShape(t *testing.T) {
	s := readDemo(t)
	profiles := map[string]org.Profile{}
	for _, p := range s.Profiles {
		profiles[p.ID] = p
	}
	roles := map[string]bool{}
	for _, r := range s.Roles {
		roles[r.ID] = true
	}
	accounts := map[string]org.Account{}
	for _, a := range s.Accounts {
		accounts[a.ID] = a
	}
	users := map[string]bool{}
	inactive, contactless := 0, 0
	for _, u := range s.Users {
		users[u.ID] = true
		if p, ok := profiles[u.ProfileID]; !ok || p.License != u.License {
			t.Errorf("user %s: profile %s of %s not in Profile.csv", u.Username, u.ProfileID, u.License)
		}
		if u.RoleID != "" && !roles[u.RoleID] {
			t.Errorf("user %s: role %s not in UserRole.csv", u.Username, u.RoleID)
		}
		if _, ok := accounts[u.AccountID]; u.AccountID != "" && !ok {
			t.Errorf("user %s: account %s not in Account.csv", u.Username, u.AccountID)
		}
		if u.IsActive.IsFalse() {
			inactive++
		}
		if org.EqualFold(u.UserType, "CspLitePortal") && u.ContactID == "" {
			contactless++
		}
		if !strings.HasSuffix(u.Username, ".uat") {
			t.Errorf("username %s lacks the sandbox suffix", u.Username)
		}
	}
	if inactive < 6 || inactive > 10 {
		t.Errorf("%d inactive users, want about 8", inactive)
	}
	if contactless != 1 {
		t.Errorf("%d contactless external users, want 1", contactless)
	}
	for _, a := range s.PermissionSets {
		if !users[a.AssigneeID] {
			t.Errorf("permission set assigned to unknown user %s", a.AssigneeID)
		}
	}
	var partner, customer, withRoles, ownerNoRole int
	rolesOf := map[string]int{}
	for _, r := range s.Roles {
		rolesOf[r.PortalAccountID]++
	}
	for _, a := range s.Accounts {
		if a.IsPartner.IsTrue() {
			partner++
		} else {
			customer++
		}
		if rolesOf[a.ID] > 0 {
			withRoles++
		}
		if a.OwnerHasRole.IsFalse() {
			ownerNoRole++
		}
	}
	if partner == 0 || customer == 0 || withRoles == 0 || withRoles == len(s.Accounts) || ownerNoRole != 1 {
		t.Errorf("partner=%d customer=%d withRoles=%d of %d ownerNoRole=%d", partner, customer, withRoles, len(s.Accounts), ownerNoRole)
	}
	// View All / Modify All on custom and on one profile-owned permission set.
	owned := map[string]bool{}
	for _, a := range s.PermissionSets {
		if a.IsOwnedByProfile.IsTrue() {
			owned[a.PermissionSetID] = true
		}
	}
	var viewAllCustom, modifyAllCustom, viewAllProfile int
	for _, op := range s.ObjectPermissions {
		switch {
		case owned[op.ParentID] && op.ViewAllRecords && !op.ModifyAllRecords:
			viewAllProfile++
		case !owned[op.ParentID] && op.ModifyAllRecords:
			modifyAllCustom++
		case !owned[op.ParentID] && op.ViewAllRecords:
			viewAllCustom++
		}
	}
	if viewAllCustom == 0 || modifyAllCustom == 0 || viewAllProfile == 0 {
		t.Errorf("View All custom=%d, Modify All custom=%d, View All profile-owned=%d; want all > 0",
			viewAllCustom, modifyAllCustom, viewAllProfile)
	}
	if len(s.PermissionSetLicenses) == 0 {
		t.Error("no permission set license assignments")
	}
}

func TestHostileNames(t *testing.T) {
	s := readDemo(t)
	var accountNames, userNames []string
	for _, a := range s.Accounts {
		accountNames = append(accountNames, a.Name)
	}
	for _, u := range s.Users {
		userNames = append(userNames, u.Name)
	}
	checks := []struct {
		what string
		ok   func(string) bool
	}{
		{"starts with =", func(s string) bool { return strings.HasPrefix(s, "=") }},
		{"starts with +", func(s string) bool { return strings.HasPrefix(s, "+") }},
		{"starts with -", func(s string) bool { return strings.HasPrefix(s, "-") }},
		{"starts with @", func(s string) bool { return strings.HasPrefix(s, "@") }},
		{"contains <script>", func(s string) bool { return strings.Contains(s, "<script>alert(1)</script>") }},
		{`contains "`, func(s string) bool { return strings.Contains(s, `"`) }},
		{"contains a comma", func(s string) bool { return strings.Contains(s, ",") }},
		{"contains |", func(s string) bool { return strings.Contains(s, "|") }},
		{"contains non-ASCII", func(s string) bool { return utf8.RuneCountInString(s) != len(s) }},
	}
	for _, c := range checks {
		if !slices.ContainsFunc(accountNames, c.ok) {
			t.Errorf("no account name %s", c.what)
		}
		if !slices.ContainsFunc(userNames, c.ok) {
			t.Errorf("no user name %s", c.what)
		}
	}
	if !slices.Contains(accountNames, `=HYPERLINK("http://evil.example","Click")`) {
		t.Error("the =HYPERLINK account is missing")
	}
}

func TestTargets(t *testing.T) {
	s := readDemo(t)
	recs, err := csv.NewReader(bytes.NewReader(demo.Targets())).ReadAll()
	if err != nil {
		t.Fatalf("targets.csv: %v", err)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], []string{"Username", "TargetLicense", "TargetProfile"}) {
		t.Fatalf("targets.csv header = %q", recs[:min(len(recs), 1)])
	}
	rows := recs[1:]
	if len(rows) < 25 || len(rows) > 40 {
		t.Errorf("%d target rows, want 25 to 40", len(rows))
	}
	users := map[string]org.User{}
	for _, u := range s.Users {
		users[u.Username] = u
	}
	licenses := map[string]bool{}
	for _, l := range s.Licenses {
		licenses[l.Name] = true
	}
	profiles := map[string]bool{}
	for _, p := range s.Profiles {
		profiles[p.Name] = true
	}
	seen := map[string]bool{}
	for i, r := range rows {
		u, ok := users[r[0]]
		switch {
		case !ok:
			t.Errorf("targets.csv line %d: no user %q in User.csv", i+2, r[0])
		case u.IsActive.IsFalse():
			t.Errorf("targets.csv line %d: user %q is inactive", i+2, r[0])
		}
		if seen[r[0]] {
			t.Errorf("targets.csv line %d: %q listed twice", i+2, r[0])
		}
		seen[r[0]] = true
		if !licenses[r[1]] {
			t.Errorf("targets.csv line %d: license %q has no UserLicense row", i+2, r[1])
		}
		if r[2] != "" && !profiles[r[2]] {
			t.Errorf("targets.csv line %d: no profile %q", i+2, r[2])
		}
	}
	// Targets returns a copy.
	b := demo.Targets()
	b[0] = 'x'
	if demo.Targets()[0] != 'U' {
		t.Error("Targets shares its buffer with callers")
	}
}
