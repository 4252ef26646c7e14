package org

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// roundTrip writes s into a new folder and reads it back.
func roundTrip(t *testing.T, s *Snapshot) (*Snapshot, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	if err := WriteSnapshot(context.Background(), dir, s); err != nil {
		t.Fatalf("WriteSnapshot: %v", err)
	}
	got, err := ReadSnapshot(context.Background(), os.DirFS(dir), dir)
	if err != nil {
		t.Fatalf("ReadSnapshot of written snapshot: %v", err)
	}
	return got, dir
}

func TestWriteSnapshotRoundTripTestdata(t *testing.T) {
	for _, name := range []string{"full", "minimal"} {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join("testdata", name)
			s, err := ReadSnapshot(context.Background(), os.DirFS(src), src)
			if err != nil {
				t.Fatal(err)
			}
			got, dir := roundTrip(t, s)
			// The testdata records are one line each except a quoted
			// multi-line value, which is written the same way: even Line
			// survives.
			diffSnapshots(t, got, s)

			// Exactly the files that were read are written.
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			want := slices.Clone(s.Files)
			slices.Sort(want)
			if !reflect.DeepEqual(names, want) {
				t.Errorf("wrote %v, want %v", names, want)
			}
		})
	}
}

func TestWriteSnapshotDerivedAccounts(t *testing.T) {
	s := fullSnapshot()
	_, dir := roundTrip(t, s)
	data, err := os.ReadFile(filepath.Join(dir, "Account.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("001000000000003AAA")) {
		t.Errorf("Account.csv holds the account known only from User.csv:\n%s", data)
	}
	want := "Id,Name,IsPartner,IsCustomerPortal,OwnerId,Owner.UserRoleId\n"
	if !bytes.HasPrefix(data, []byte(want)) {
		t.Errorf("Account.csv header:\n%s\nwant %s", data, want)
	}
}

// Optional columns that were absent stay absent, so Presence survives.
func TestWriteSnapshotOptionalColumns(t *testing.T) {
	tests := []struct {
		name      string
		s         *Snapshot
		userCols  string // User.csv header
		acctCols  string // Account.csv header, "" when not written
		wantFiles []string
	}{
		{
			name:      "nothing optional",
			s:         &Snapshot{Users: []User{{ID: "005A", Username: "a", License: "L"}}},
			userCols:  "Id,Username,Name,ProfileId,Profile.Name,Profile.UserLicense.Name,UserRoleId,UserRole.Name,UserRole.PortalType,UserRole.PortalRole,ContactId,AccountId,Account.Name,Account.OwnerId,IsPortalEnabled",
			wantFiles: []string{"User.csv"},
		},
		{
			name: "values without Has flags",
			s: &Snapshot{
				Users: []User{{ID: "005A", Username: "a", License: "L", IsActive: False, UserType: "Standard",
					New: mustNewUserFields([NumNewUserFields]string{"a@example.com", "Ann", "Lee", "alee", "annl", "Europe/Paris", "fr_FR", "UTF-8", "fr"})}},
				Accounts: []Account{{ID: "001A", IsPartner: True, OwnerRoleID: "00EA", OwnerHasRole: True}},
			},
			userCols:  strings.Join(Queries[0].Fields, ","),
			acctCols:  strings.Join(Queries[1].Fields, ","),
			wantFiles: []string{"User.csv", "Account.csv"},
		},
		{
			name: "Has flags without values, empty files",
			s: &Snapshot{
				Users: []User{{ID: "005A", Username: "a", License: "L"}},
				Has: Presence{Accounts: true, Roles: true, Organization: true, AccountIsPartner: true,
					AccountOwnerRole: true, UserType: true, IsActive: true,
					NewUserFields: [NumNewUserFields]bool{true, true, true, true, true, true, true, true, true}},
			},
			userCols:  strings.Join(Queries[0].Fields, ","),
			acctCols:  strings.Join(Queries[1].Fields, ","),
			wantFiles: []string{"User.csv", "Account.csv", "UserRole.csv", "Organization.csv"},
		},
		{
			name: "some of the new-user columns",
			s: &Snapshot{
				Users: []User{{ID: "005A", Username: "a", License: "L", New: mustNewUserFields([NumNewUserFields]string{NewUserLastName: "Lee"})}},
				Has:   Presence{NewUserFields: [NumNewUserFields]bool{NewUserEmail: true, NewUserLastName: true}},
			},
			userCols:  "Id,Username,Name,ProfileId,Profile.Name,Profile.UserLicense.Name,UserRoleId,UserRole.Name,UserRole.PortalType,UserRole.PortalRole,ContactId,AccountId,Account.Name,Account.OwnerId,IsPortalEnabled,Email,LastName",
			wantFiles: []string{"User.csv"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, dir := roundTrip(t, tt.s)
			if !reflect.DeepEqual(got.Files, tt.wantFiles) {
				t.Errorf("Files = %v, want %v", got.Files, tt.wantFiles)
			}
			if header := firstLine(t, filepath.Join(dir, "User.csv")); header != tt.userCols {
				t.Errorf("User.csv header:\n got %s\nwant %s", header, tt.userCols)
			}
			if tt.acctCols != "" {
				if header := firstLine(t, filepath.Join(dir, "Account.csv")); header != tt.acctCols {
					t.Errorf("Account.csv header:\n got %s\nwant %s", header, tt.acctCols)
				}
			}
			// Reading what was written and writing it again is stable.
			again, _ := roundTrip(t, got)
			diffSnapshots(t, again, got)
		})
	}
}

func firstLine(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	return line
}

// The snapshot format is raw data: hostile values must come back unchanged
// and must not be neutralised.
func TestWriteSnapshotHostileValues(t *testing.T) {
	hostile := []string{
		`=HYPERLINK("http://evil.example","click")`,
		"+1+1", "-2+3", "@SUM(A1:A2)", "\t=tab", " leading and trailing ",
		`a, comma`, `"quoted"`, `half"quote`, "line\nbreak", "trailing newline\n", "\nleading newline",
		`<script>alert(1)</script>`, `\N`, `NULL`, "naïve ✓ 名前", `''`, ",", `"`, "\u2028sep",
	}
	s := &Snapshot{Has: Presence{UserType: true, IsActive: true, AccountIsPartner: true}}
	for i, v := range hostile {
		id := "005" + string(rune('A'+i))
		s.Users = append(s.Users, User{
			ID: id, Username: v, Name: v, IsActive: True, UserType: v, ProfileID: v, ProfileName: v,
			License: v, RoleID: v, RoleName: v, RolePortalType: v, RolePortalRole: v, ContactID: v,
			AccountName: v, AccountIsPartner: False, AccountOwnerID: v, IsPortalEnabled: Unknown,
		})
		s.Roles = append(s.Roles, Role{ID: "00E" + v, Name: v, PortalType: v, PortalRole: v, PortalAccountID: v})
		s.PermissionSetLicenses = append(s.PermissionSetLicenses, PermissionSetLicenseAssign{AssigneeID: id, Label: v})
	}
	s.Has.Roles, s.Has.PermissionSetLicenses = true, true
	s.Files = []string{"User.csv", "UserRole.csv", "PermissionSetLicenseAssign.csv"}

	got, dir := roundTrip(t, s)
	for i := range got.Users {
		got.Users[i].Line = 0 // values with line breaks move later records
	}
	diffSnapshots(t, got, s)

	data, err := os.ReadFile(filepath.Join(dir, "User.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"\n005A,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",", "\n005B,+1+1,+1+1,", ",<script>alert(1)</script>,"} {
		if !bytes.Contains(data, []byte(raw)) {
			t.Errorf("User.csv does not hold the raw value %q:\n%s", raw, data)
		}
	}
}

func TestWriteSnapshotRemovesStaleFiles(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if err := WriteSnapshot(ctx, dir, fullSnapshot()); err != nil {
		t.Fatal(err)
	}
	// Files that are not snapshot files stay; snapshot files under another
	// case are stale too.
	for _, name := range []string{"notes.txt", "organization.CSV"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	min := minimalSnapshot()
	if err := WriteSnapshot(ctx, dir, min); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSnapshot(ctx, os.DirFS(dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	diffSnapshots(t, got, min)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"User.csv", "notes.txt"}; !reflect.DeepEqual(names, want) {
		t.Errorf("folder holds %v, want %v", names, want)
	}
}

func TestWriteSnapshotErrors(t *testing.T) {
	ctx := context.Background()
	if err := WriteSnapshot(ctx, t.TempDir(), nil); err == nil {
		t.Error("WriteSnapshot(nil) succeeded")
	}

	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteSnapshot(ctx, filepath.Join(blocker, "sub"), minimalSnapshot()); err == nil {
		t.Error("WriteSnapshot under a regular file succeeded")
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	dir := t.TempDir()
	if err := WriteSnapshot(cancelled, dir, minimalSnapshot()); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteSnapshot with a cancelled context: err = %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("cancelled write left %d files", len(entries))
	}
}

func mustNewUserFields(v [NumNewUserFields]string) NewUserFields {
	f, err := MakeNewUserFields(v)
	if err != nil {
		panic(err)
	}
	return f
}
