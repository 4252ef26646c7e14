package org

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

func TestQueriesCatalogue(t *testing.T) {
	wantFiles := []string{"User.csv", "Account.csv", "UserRole.csv", "UserLicense.csv", "Profile.csv",
		"PermissionSetAssignment.csv", "ObjectPermissions.csv", "PermissionSetLicenseAssign.csv", "Organization.csv"}
	var files []string
	for _, q := range Queries {
		files = append(files, q.File)
	}
	if !reflect.DeepEqual(files, wantFiles) {
		t.Fatalf("Queries files = %v, want %v", files, wantFiles)
	}

	tests := []struct {
		file string
		soql string
	}{
		{"User.csv", "SELECT Id, Username, Name, IsActive, UserType, ProfileId, Profile.Name, Profile.UserLicense.Name, " +
			"UserRoleId, UserRole.Name, UserRole.PortalType, UserRole.PortalRole, ContactId, AccountId, Account.Name, " +
			"Account.IsPartner, Account.OwnerId, IsPortalEnabled, Email, FirstName, LastName, Alias, CommunityNickname, " +
			"TimeZoneSidKey, LocaleSidKey, EmailEncodingKey, LanguageLocaleKey FROM User WHERE ProfileId != null ORDER BY Id"},
		{"Account.csv", "SELECT Id, Name, IsPartner, IsCustomerPortal, OwnerId, Owner.UserRoleId FROM Account ORDER BY Id"},
		{"UserRole.csv", "SELECT Id, Name, PortalType, PortalRole, PortalAccountId FROM UserRole ORDER BY Id"},
		{"UserLicense.csv", "SELECT Id, Name, LicenseDefinitionKey, Status, TotalLicenses, UsedLicenses FROM UserLicense ORDER BY Id"},
		{"Profile.csv", "SELECT Id, Name, UserLicense.Name FROM Profile ORDER BY Id"},
		{"PermissionSetAssignment.csv", "SELECT AssigneeId, PermissionSetId, PermissionSet.Name, " +
			"PermissionSet.IsOwnedByProfile, PermissionSet.LicenseId FROM PermissionSetAssignment ORDER BY Id"},
		{"ObjectPermissions.csv", "SELECT ParentId, SobjectType, PermissionsViewAllRecords, PermissionsModifyAllRecords " +
			"FROM ObjectPermissions WHERE PermissionsViewAllRecords = true OR PermissionsModifyAllRecords = true ORDER BY Id"},
		{"PermissionSetLicenseAssign.csv", "SELECT AssigneeId, PermissionSetLicense.MasterLabel, PermissionSetLicenseId FROM PermissionSetLicenseAssign ORDER BY Id"},
		{"Organization.csv", "SELECT Id, Name, OrganizationType, IsSandbox, InstanceName FROM Organization ORDER BY Id"},
	}
	for i, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			q := Queries[i]
			if q.File != tt.file {
				t.Fatalf("Queries[%d].File = %q, want %q", i, q.File, tt.file)
			}
			if got := q.SOQL(); got != tt.soql {
				t.Errorf("SOQL:\n got %s\nwant %s", got, tt.soql)
			}
			if q.Required != (q.File == "User.csv") {
				t.Errorf("Required = %v", q.Required)
			}
			if q.Object+".csv" != q.File {
				t.Errorf("Object %q does not match file %q", q.Object, q.File)
			}
		})
	}
}

func TestQueryNotes(t *testing.T) {
	for _, file := range []string{"User.csv", "Account.csv"} {
		q := queryFor(t, file)
		if !strings.Contains(q.Note, "IsPartner") || !strings.Contains(q.Note, "INVALID_FIELD") {
			t.Errorf("%s note %q does not explain dropping IsPartner on INVALID_FIELD", file, q.Note)
		}
	}
	psa := queryFor(t, "PermissionSetAssignment.csv")
	if strings.Contains(psa.Where, "IsOwnedByProfile") {
		t.Errorf("PermissionSetAssignment is filtered on IsOwnedByProfile: %q", psa.Where)
	}
	if !strings.Contains(psa.Note, "profile-owned") {
		t.Errorf("PermissionSetAssignment note %q does not say why profile-owned sets are kept", psa.Note)
	}
}

func queryFor(t *testing.T, file string) Query {
	t.Helper()
	for _, q := range Queries {
		if q.File == file {
			return q
		}
	}
	t.Fatalf("no query for %s", file)
	return Query{}
}

// The column index constants must match the column tables.
func TestColumnTables(t *testing.T) {
	tests := []struct {
		spec *fileSpec
		n    int
	}{
		{&userFile, uCount}, {&accountFile, aCount}, {&roleFile, rCount}, {&licenseFile, lCount},
		{&profileFile, pCount}, {&psAssignFile, psaCount}, {&objectPermFile, opCount},
		{&pslAssignFile, pslCount}, {&orgFile, oCount},
	}
	for i, tt := range tests {
		t.Run(tt.spec.name, func(t *testing.T) {
			if len(tt.spec.cols) != tt.n {
				t.Errorf("%d columns, want %d", len(tt.spec.cols), tt.n)
			}
			for j, c := range tt.spec.cols {
				if c.name == "" {
					t.Errorf("column %d has no name", j)
				}
			}
			if !reflect.DeepEqual(Queries[i].Fields, tt.spec.query().Fields) {
				t.Errorf("Queries[%d] is not built from %s", i, tt.spec.name)
			}
		})
	}
	if c := userFile.cols[uLicense]; c.name != "Profile.UserLicense.Name" || !c.required {
		t.Errorf("userFile.cols[uLicense] = %+v", c)
	}
	if c := accountFile.cols[aOwnerRoleID]; c.name != "Owner.UserRoleId" {
		t.Errorf("accountFile.cols[aOwnerRoleID] = %+v", c)
	}
}

func TestSFCommand(t *testing.T) {
	org := queryFor(t, "Organization.csv")
	tests := []struct {
		name  string
		q     Query
		alias string
		want  string
	}{
		{"plain alias", org, "my-org",
			`sf data query --query "SELECT Id, Name, OrganizationType, IsSandbox, InstanceName FROM Organization ORDER BY Id" ` +
				`--result-format csv --output-file Organization.csv --target-org my-org`},
		{"username alias", org, "admin@example.com.sandbox",
			`sf data query --query "SELECT Id, Name, OrganizationType, IsSandbox, InstanceName FROM Organization ORDER BY Id" ` +
				`--result-format csv --output-file Organization.csv --target-org admin@example.com.sandbox`},
		{"default org", org, "",
			`sf data query --query "SELECT Id, Name, OrganizationType, IsSandbox, InstanceName FROM Organization ORDER BY Id" ` +
				`--result-format csv --output-file Organization.csv`},
		{"alias with a space and a quote", org, "it's mine", `--target-org "it's mine"`},
		{"alias with shell specials", org, "$HOME`x`!", `--target-org '$HOME` + "`x`" + `!'`},
		{"where clause with string literal", Query{File: "X.csv", Object: "User", Fields: []string{"Id"},
			Where: "UserType = 'Standard'"}, "o",
			`sf data query --query "SELECT Id FROM User WHERE UserType = 'Standard' ORDER BY Id" --result-format csv --output-file X.csv --target-org o`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.q.SFCommand(tt.alias)
			if !strings.Contains(got, tt.want) {
				t.Errorf("SFCommand(%q) =\n%s\nwant it to contain\n%s", tt.alias, got, tt.want)
			}
		})
	}
}

// shellQuote must give back the same word when a POSIX shell parses it.
func TestShellQuoteRoundTrip(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh:", err)
	}
	words := []string{
		"plain", "", "my org", "it's", `say "hi"`, `back\slash`, "$HOME", "`id`", "bang!", "a'b$c",
		"semi;colon", "glob*?[x]", "tab\there", "new\nline", "~user", "#hash", "a&b|c", "(x)", "<in>",
		Queries[0].SOQL(), Queries[6].SOQL(),
	}
	for _, w := range words {
		t.Run(w, func(t *testing.T) {
			out, err := exec.Command(sh, "-c", "printf '%s' "+shellQuote(w)).Output()
			if err != nil {
				t.Fatalf("sh: %v", err)
			}
			if string(out) != w {
				t.Errorf("sh read %q back as %q (quoted %s)", w, out, shellQuote(w))
			}
		})
	}
}
