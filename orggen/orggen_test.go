package orggen

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/org"
)

func TestGenerateDeterministic(t *testing.T) {
	a := Generate(Options{Users: 1000, Seed: 42})
	b := Generate(Options{Users: 1000, Seed: 42})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same Options gave different snapshots")
	}
	c := Generate(Options{Users: 1000, Seed: 43})
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds gave the same snapshot")
	}
	if reflect.DeepEqual(a.Users, c.Users) {
		t.Fatal("different seeds gave the same users")
	}
}

func TestGenerateSizes(t *testing.T) {
	for _, n := range []int{0, 1, 2, 5, 10, 37, 200} {
		s := Generate(Options{Users: n, Seed: 1})
		if len(s.Users) != n {
			t.Errorf("Users=%d: got %d users", n, len(s.Users))
		}
		checkIntegrity(t, s)
	}
}

func TestEveryLicenseUsed(t *testing.T) {
	for _, n := range []int{200, 1000} {
		for seed := int64(0); seed < 5; seed++ {
			s := Generate(Options{Users: n, Seed: seed})
			count := map[string]int{}
			for _, u := range s.Users {
				count[u.License]++
			}
			for _, l := range Catalog() {
				if count[l.Name] == 0 {
					t.Errorf("Users=%d Seed=%d: no user of license %q", n, seed, l.Name)
				}
			}
		}
	}
}

func TestGenerateShape(t *testing.T) {
	const n = 10000
	s := Generate(Options{Users: n, Seed: 7})
	var internal, inactive, contactless, partnerAccts, ownersNoRole int
	for _, u := range s.Users {
		if u.AccountID == "" && u.UserType != CspLitePortal {
			internal++
		}
		if u.IsActive.IsFalse() {
			inactive++
		}
		if u.UserType == CspLitePortal && u.ContactID == "" {
			contactless++
		}
		lic := license(t, u.License)
		if u.UserType != lic.UserType {
			t.Fatalf("user %s: UserType %s, license %s", u.ID, u.UserType, u.License)
		}
		switch u.UserType {
		case PowerCustomerSuccess:
			if u.RolePortalType != org.PortalTypeCustomer {
				t.Fatalf("customer user %s has role portal type %q", u.ID, u.RolePortalType)
			}
		case PowerPartner:
			if u.RolePortalType != org.PortalTypePartner {
				t.Fatalf("partner user %s has role portal type %q", u.ID, u.RolePortalType)
			}
		case Standard, CsnOnly:
			if u.ContactID != "" || u.AccountID != "" {
				t.Fatalf("internal user %s has a contact or account", u.ID)
			}
			if u.RoleID != "" && u.RolePortalType != org.PortalTypeNone {
				t.Fatalf("internal user %s has a portal role", u.ID)
			}
		}
		if u.RoleID != "" && u.RolePortalType != org.PortalTypeNone {
			if !strings.HasPrefix(u.RoleName, u.AccountName+" ") {
				t.Fatalf("user %s on %q has role %q", u.ID, u.AccountName, u.RoleName)
			}
		}
	}
	for _, a := range s.Accounts {
		if a.IsPartner.IsTrue() {
			partnerAccts++
		}
		if a.OwnerHasRole.IsFalse() {
			ownersNoRole++
		}
	}
	if internal < n/12 || internal > n/8 {
		t.Errorf("%d internal users of %d, want about 10%%", internal, n)
	}
	if inactive < n/30 || inactive > n/14 {
		t.Errorf("%d inactive users of %d, want about 5%%", inactive, n)
	}
	if contactless == 0 {
		t.Error("no contactless External Identity user")
	}
	if partnerAccts == 0 || partnerAccts == len(s.Accounts) {
		t.Errorf("%d partner accounts of %d, want a mix", partnerAccts, len(s.Accounts))
	}
	if ownersNoRole == 0 {
		t.Error("every account owner has a role")
	}
	rolesByAccount := map[string]int{}
	for _, r := range s.Roles {
		rolesByAccount[r.PortalAccountID]++
	}
	if withRoles := len(rolesByAccount) - 1; withRoles <= 0 || withRoles >= len(s.Accounts) {
		t.Errorf("%d of %d accounts have portal roles, want some", withRoles, len(s.Accounts))
	}
	sizes := map[string]int{}
	for _, u := range s.Users {
		if u.AccountID != "" {
			sizes[u.AccountID]++
		}
	}
	small := 0
	for _, k := range sizes {
		if k > 50 {
			t.Errorf("account with %d users", k)
		}
		if k <= 3 {
			small++
		}
	}
	if small < len(sizes)/3 {
		t.Errorf("%d of %d accounts have at most 3 users, want skew toward small", small, len(sizes))
	}
	var viewAll, modifyAll, custom int
	for _, op := range s.ObjectPermissions {
		if op.ViewAllRecords {
			viewAll++
		}
		if op.ModifyAllRecords {
			modifyAll++
		}
	}
	for _, a := range s.PermissionSets {
		if a.IsOwnedByProfile.IsFalse() {
			custom++
		}
	}
	if viewAll == 0 || modifyAll == 0 || custom == 0 || len(s.PermissionSetLicenses) == 0 {
		t.Errorf("viewAll=%d modifyAll=%d custom assignments=%d PSL assignments=%d, want all > 0",
			viewAll, modifyAll, custom, len(s.PermissionSetLicenses))
	}
	for _, l := range s.Licenses {
		if l.TotalLicenses < l.UsedLicenses {
			t.Errorf("license %s: %d used of %d", l.Name, l.UsedLicenses, l.TotalLicenses)
		}
	}
	if o := s.Organization; o == nil || !o.IsSandbox.IsTrue() || !strings.HasPrefix(o.ID, "00D") {
		t.Errorf("Organization = %+v, want a sandbox", o)
	}
	checkIntegrity(t, s)
}

func TestIntegrity(t *testing.T) {
	checkIntegrity(t, Generate(Options{Users: 1000, Seed: 3}))
}

func license(t *testing.T, name string) License {
	t.Helper()
	for _, l := range Catalog() {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("license %q not in the catalog", name)
	return License{}
}

// checkIntegrity checks references between the snapshot's objects and that
// Ids are unique, well-formed and carry the right key prefix.
func checkIntegrity(t *testing.T, s *org.Snapshot) {
	t.Helper()
	ids := map[string]string{}
	addID := func(id, prefix, what string) {
		t.Helper()
		if len(id) != 18 || !strings.HasPrefix(id, prefix) {
			t.Errorf("%s Id %q: want 18 characters starting %s", what, id, prefix)
		}
		if prev, dup := ids[id]; dup {
			t.Errorf("Id %s used by %s and %s", id, prev, what)
		}
		ids[id] = what
	}
	profiles := map[string]org.Profile{}
	for _, p := range s.Profiles {
		addID(p.ID, "00e", "profile")
		profiles[p.ID] = p
	}
	licenses := map[string]bool{}
	for _, l := range s.Licenses {
		addID(l.ID, "100", "license")
		licenses[l.Name] = true
	}
	for _, p := range s.Profiles {
		if !licenses[p.License] {
			t.Errorf("profile %s: license %q has no UserLicense row", p.Name, p.License)
		}
	}
	roles := map[string]org.Role{}
	for _, r := range s.Roles {
		addID(r.ID, "00E", "role")
		roles[r.ID] = r
	}
	accounts := map[string]org.Account{}
	for _, a := range s.Accounts {
		addID(a.ID, "001", "account")
		accounts[a.ID] = a
	}
	users := map[string]org.User{}
	usernames := map[string]bool{}
	for _, u := range s.Users {
		addID(u.ID, "005", "user")
		users[u.ID] = u
		if usernames[u.Username] {
			t.Errorf("duplicate username %s", u.Username)
		}
		usernames[u.Username] = true
		if u.ContactID != "" {
			addID(u.ContactID, "003", "contact")
		}
	}
	for _, u := range s.Users {
		p, ok := profiles[u.ProfileID]
		if !ok {
			t.Errorf("user %s: profile %s not in Profiles", u.ID, u.ProfileID)
		} else if p.Name != u.ProfileName || p.License != u.License {
			t.Errorf("user %s: profile %q/%q, Profiles says %q/%q", u.ID, u.ProfileName, u.License, p.Name, p.License)
		}
		if u.RoleID != "" {
			r, ok := roles[u.RoleID]
			if !ok {
				t.Errorf("user %s: role %s not in Roles", u.ID, u.RoleID)
			} else if r.Name != u.RoleName || r.PortalType != u.RolePortalType || r.PortalRole != u.RolePortalRole {
				t.Errorf("user %s: role fields differ from Roles", u.ID)
			} else if r.PortalAccountID != "" && r.PortalAccountID != u.AccountID {
				t.Errorf("user %s: portal role of account %s, user on %s", u.ID, r.PortalAccountID, u.AccountID)
			}
		}
		if u.AccountID != "" {
			a, ok := accounts[u.AccountID]
			if !ok {
				t.Errorf("user %s: account %s not in Accounts", u.ID, u.AccountID)
			} else if a.Name != u.AccountName || a.IsPartner != u.AccountIsPartner || a.OwnerID != u.AccountOwnerID {
				t.Errorf("user %s: account fields differ from Accounts", u.ID)
			}
			if u.ContactID == "" {
				t.Errorf("user %s: account without contact", u.ID)
			}
		}
	}
	for _, r := range s.Roles {
		if r.PortalAccountID != "" {
			if _, ok := accounts[r.PortalAccountID]; !ok {
				t.Errorf("role %s: account %s not in Accounts", r.Name, r.PortalAccountID)
			}
		}
	}
	for _, a := range s.Accounts {
		o, ok := users[a.OwnerID]
		if !ok {
			t.Errorf("account %s: owner %s not a user", a.Name, a.OwnerID)
			continue
		}
		if o.AccountID != "" {
			t.Errorf("account %s: owner %s is external", a.Name, a.OwnerID)
		}
		if a.OwnerRoleID != o.RoleID {
			t.Errorf("account %s: Owner.UserRoleId %q, owner's role %q", a.Name, a.OwnerRoleID, o.RoleID)
		}
	}
	permSets := map[string]bool{}
	for _, a := range s.PermissionSets {
		if _, ok := users[a.AssigneeID]; !ok {
			t.Errorf("permission set assignment to %s: not a user", a.AssigneeID)
		}
		if !strings.HasPrefix(a.PermissionSetID, "0PS") || len(a.PermissionSetID) != 18 {
			t.Errorf("permission set Id %q", a.PermissionSetID)
		}
		permSets[a.PermissionSetID] = true
	}
	for _, a := range s.PermissionSetLicenses {
		if _, ok := users[a.AssigneeID]; !ok {
			t.Errorf("permission set license assignment to %s: not a user", a.AssigneeID)
		}
	}
	for _, op := range s.ObjectPermissions {
		if op.ModifyAllRecords && !op.ViewAllRecords {
			t.Errorf("permission set %s: Modify All without View All on %s", op.ParentID, op.SobjectType)
		}
	}
	if len(s.Users) > 0 {
		// Every user has exactly one profile-owned permission set.
		profileOwned := map[string]int{}
		for _, a := range s.PermissionSets {
			if a.IsOwnedByProfile.IsTrue() {
				profileOwned[a.AssigneeID]++
			}
		}
		for _, u := range s.Users {
			if profileOwned[u.ID] != 1 {
				t.Errorf("user %s has %d profile-owned permission sets", u.ID, profileOwned[u.ID])
			}
		}
	}
}

func TestAppendID(t *testing.T) {
	// The case-safe form of 001A0000006Vm9r is 001A0000006Vm9rIAC.
	var n uint64
	for _, c := range []byte("00006Vm9r") {
		n = n*62 + uint64(strings.IndexByte(base62, c))
	}
	if got, want := string(AppendID(nil, "001", "A0", n)), "001A0000006Vm9rIAC"; got != want {
		t.Errorf("AppendID = %q, want %q", got, want)
	}
	if got := string(AppendID([]byte("x"), "005", "5g", 0)); got != "x0055g0000000000AAA" {
		t.Errorf("AppendID after a prefix = %q", got)
	}
}

func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Generate(Options{Users: 100_000, Seed: 1})
	}
}

func BenchmarkGenerateMillion(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Generate(Options{Users: 1_000_000, Seed: 1})
	}
}

// TestRoundTrip checks that a generated org survives the snapshot format.
func TestRoundTrip(t *testing.T) {
	s := Generate(Options{Users: 2000, Seed: 11})
	dir := t.TempDir()
	ctx := context.Background()
	if err := org.WriteSnapshot(ctx, dir, s); err != nil {
		t.Fatal(err)
	}
	r, err := org.ReadSnapshot(ctx, os.DirFS(dir), "generated")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Users) != len(s.Users) || len(r.Accounts) != len(s.Accounts) || len(r.Roles) != len(s.Roles) ||
		len(r.PermissionSets) != len(s.PermissionSets) || len(r.Licenses) != len(s.Licenses) {
		t.Fatalf("read back %d users, %d accounts, %d roles, %d assignments, %d licenses; wrote %d, %d, %d, %d, %d",
			len(r.Users), len(r.Accounts), len(r.Roles), len(r.PermissionSets), len(r.Licenses),
			len(s.Users), len(s.Accounts), len(s.Roles), len(s.PermissionSets), len(s.Licenses))
	}
	for i := range s.Users {
		w, g := s.Users[i], r.Users[i]
		g.Line = 0
		if w.New.IsZero() {
			t.Fatalf("user %d has no new-user fields", i)
		}
		if w != g {
			t.Fatalf("user %d: wrote %+v, read %+v", i, w, g)
		}
	}
}
