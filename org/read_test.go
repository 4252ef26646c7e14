package org

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"testing/iotest"
)

// fullSnapshot is what testdata/full holds.
func fullSnapshot() *Snapshot {
	const (
		admin   = "005000000000001AAA"
		owner   = admin
		ceoRole = "00E000000000001AAA"
	)
	return &Snapshot{
		Organization: &Organization{
			ID: "00D000000000001AAA", Name: "Example Corp", OrganizationType: "Enterprise Edition",
			IsSandbox: False, InstanceName: "NA123",
		},
		Users: []User{
			{
				ID: admin, Username: "admin@example.com", Name: "Ada Admin", IsActive: True, UserType: "Standard",
				ProfileID: "00e000000000001AAA", ProfileName: "System Administrator", License: "Salesforce",
				RoleID: ceoRole, RoleName: "CEO", RolePortalType: "None", IsPortalEnabled: False, Line: 2,
			},
			{
				ID: "005000000000002AAA", Username: "carl@example.com", Name: "Carl Customer", IsActive: True,
				UserType: "PowerCustomerSuccess", ProfileID: "00e000000000002AAA",
				ProfileName: "Customer Community Plus User", License: "Customer Community Plus",
				RoleID: "00E000000000002AAA", RoleName: "Acme Customer User", RolePortalType: "CustomerPortal",
				RolePortalRole: "Worker", ContactID: "003000000000001AAA", AccountID: "001000000000001AAA",
				AccountName: "Acme", AccountIsPartner: False, AccountOwnerID: owner, IsPortalEnabled: True, Line: 3,
			},
			{
				ID: "005000000000003AAA", Username: "pat@example.com", Name: "Pat Partner", IsActive: False,
				UserType: "PowerPartner", ProfileID: "00e000000000003AAA", ProfileName: "Partner Community User",
				License: "Partner Community", RoleID: "00E000000000003AAA", RoleName: "Globex, Inc. Partner User",
				RolePortalType: "Partner", RolePortalRole: "Worker", ContactID: "003000000000002AAA",
				AccountID: "001000000000002AAA", AccountName: "Globex, Inc.", AccountIsPartner: True,
				AccountOwnerID: owner, IsPortalEnabled: True, Line: 4,
			},
			{
				ID: "005000000000004AAA", Username: "cleo@example.com", IsActive: Unknown,
				UserType: "PowerCustomerSuccess", ProfileID: "00e000000000004AAA",
				ProfileName: "Customer Community User", License: "Customer Community",
				ContactID: "003000000000003AAA", AccountID: "001000000000003AAA", AccountName: "Initech",
				AccountIsPartner: Unknown, AccountOwnerID: owner, IsPortalEnabled: True, Line: 5,
			},
			{
				ID: "005000000000005AAA", Username: "cody@example.com", Name: `Cody "CC" Coder`, IsActive: True,
				UserType: "PowerCustomerSuccess", ProfileID: "00e000000000004AAA",
				ProfileName: "Customer Community User", License: "Customer Community",
				ContactID: "003000000000004AAA", AccountID: "001000000000003AAA", AccountIsPartner: False,
				IsPortalEnabled: True, Line: 6,
			},
		},
		Accounts: []Account{
			{ID: "001000000000000AAA", Name: "Zeta", IsPartner: False, IsCustomerPortal: False, OwnerID: owner,
				OwnerRoleID: ceoRole, OwnerHasRole: True},
			{ID: "001000000000001AAA", Name: "Acme", IsPartner: False, IsCustomerPortal: True, OwnerID: owner,
				OwnerRoleID: ceoRole, OwnerHasRole: True},
			// Name and IsPartner are blank in Account.csv and come from User.csv.
			{ID: "001000000000002AAA", Name: "Globex, Inc.", IsPartner: True, IsCustomerPortal: False,
				OwnerID: owner, OwnerHasRole: False},
			// Only in User.csv: IsPartner comes from the second user of the account.
			{ID: "001000000000003AAA", Name: "Initech", IsPartner: False, OwnerID: owner, FromUserCSV: true},
		},
		Roles: []Role{
			{ID: ceoRole, Name: "CEO", PortalType: "None"},
			{ID: "00E000000000002AAA", Name: "Acme Customer User", PortalType: "CustomerPortal", PortalRole: "Worker",
				PortalAccountID: "001000000000001AAA"},
			{ID: "00E000000000003AAA", Name: "Globex, Inc. Partner User", PortalType: "Partner", PortalRole: "Worker",
				PortalAccountID: "001000000000002AAA"},
		},
		Licenses: []UserLicense{
			{ID: "100000000000001AAA", Name: "Salesforce", LicenseDefinitionKey: "SFDC", Status: "Active",
				TotalLicenses: 100, UsedLicenses: 42},
			{ID: "100000000000002AAA", Name: "Customer Community Plus", LicenseDefinitionKey: "PID_Customer_Community_Plus",
				Status: "Active", TotalLicenses: 500, UsedLicenses: 1},
			{ID: "100000000000003AAA", Name: "Partner Community", LicenseDefinitionKey: "PID_Partner_Community",
				Status: "Active", TotalLicenses: -1, UsedLicenses: -1},
		},
		Profiles: []Profile{
			{ID: "00e000000000001AAA", Name: "System Administrator", License: "Salesforce"},
			{ID: "00e000000000002AAA", Name: "Customer Community Plus User", License: "Customer Community Plus"},
		},
		PermissionSets: []PermissionSetAssignment{
			{AssigneeID: admin, PermissionSetID: "0PS000000000001AAA",
				PermissionSetName: "X00ex00000018ozh_128_09_04_12_1", IsOwnedByProfile: True},
			{AssigneeID: "005000000000002AAA", PermissionSetID: "0PS000000000002AAA",
				PermissionSetName: "Community_Extras", IsOwnedByProfile: False},
			{AssigneeID: "005000000000002AAA", PermissionSetID: "0PS000000000003AAA"},
		},
		ObjectPermissions: []ObjectPermission{
			{ParentID: "0PS000000000001AAA", SobjectType: "Account", ViewAllRecords: true, ModifyAllRecords: true},
			{ParentID: "0PS000000000002AAA", SobjectType: "Case", ViewAllRecords: true},
		},
		PermissionSetLicenses: []PermissionSetLicenseAssign{
			{AssigneeID: "005000000000002AAA", Label: "Customer Community Plus Add-On"},
		},
		Files: []string{"User.csv", "Account.csv", "UserRole.csv", "UserLicense.csv", "Profile.csv",
			"PermissionSetAssignment.csv", "ObjectPermissions.csv", "PermissionSetLicenseAssign.csv", "Organization.csv"},
		Has: Presence{
			Accounts: true, Roles: true, Licenses: true, Profiles: true, PermissionSets: true,
			ObjectPermissions: true, PermissionSetLicenses: true, Organization: true,
			AccountIsPartner: true, AccountOwnerRole: true, UserType: true, IsActive: true,
		},
	}
}

// minimalSnapshot is what testdata/minimal holds: User.csv with only the
// required columns, one Username spanning two lines.
func minimalSnapshot() *Snapshot {
	return &Snapshot{
		Users: []User{
			{ID: "005000000000001AAA", Username: "admin@example.com", License: "Salesforce", Line: 2},
			{ID: "005000000000002AAA", Username: "multi\nline@example.com", License: "Salesforce", Line: 3},
			{ID: "005000000000003AAA", Username: "c@example.com", License: "Chatter Free", Line: 5},
		},
		Files: []string{"User.csv"},
	}
}

func TestReadSnapshotTestdata(t *testing.T) {
	tests := []struct {
		dir  string
		want *Snapshot
	}{
		{"full", fullSnapshot()},
		{"minimal", minimalSnapshot()},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			got, err := ReadSnapshot(context.Background(), os.DirFS(filepath.Join("testdata", tt.dir)), tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			diffSnapshots(t, got, tt.want)
		})
	}
}

// diffSnapshots fails t with a readable difference when got != want.
func diffSnapshots(t *testing.T, got, want *Snapshot) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	gv, wv := reflect.ValueOf(*got), reflect.ValueOf(*want)
	for i := range gv.NumField() {
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if reflect.DeepEqual(g, w) {
			continue
		}
		name := gv.Type().Field(i).Name
		if gs, ws := gv.Field(i), wv.Field(i); gs.Kind() == reflect.Slice && gs.Len() == ws.Len() {
			for j := range gs.Len() {
				if !reflect.DeepEqual(gs.Index(j).Interface(), ws.Index(j).Interface()) {
					t.Errorf("%s[%d]:\n got %+v\nwant %+v", name, j, gs.Index(j).Interface(), ws.Index(j).Interface())
				}
			}
			continue
		}
		if p, ok := g.(*Organization); ok && p != nil {
			g = *p
		}
		if p, ok := w.(*Organization); ok && p != nil {
			w = *p
		}
		t.Errorf("%s:\n got %+v\nwant %+v", name, g, w)
	}
}

const userHeader = "Id,Username,Profile.UserLicense.Name\n"

// users returns a User.csv with the required columns and the given lines.
func users(lines ...string) *fstest.MapFile {
	return file(userHeader + strings.Join(lines, "\n") + "\n")
}

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

var okUsers = users("005A,a@x,Salesforce")

func TestReadSnapshotErrors(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
		// want is the exact position and is the sentinel; msg must be in
		// the message.
		wantFile     string
		wantLine     int
		wantCol      int
		wantIs       error
		wantContains string
	}{
		{
			name:     "missing User.csv",
			files:    fstest.MapFS{"Account.csv": file("Id\n001A\n")},
			wantFile: "snap/User.csv", wantIs: ErrMissingFile,
			wantContains: `required file not found; run "licenseplan query" to print the sf commands`,
		},
		{
			name:     "empty User.csv",
			files:    fstest.MapFS{"User.csv": file("")},
			wantFile: "snap/User.csv", wantIs: ErrEmptyFile,
			wantContains: "empty file: expected a header line",
		},
		{
			name:     "User.csv with only a BOM and blank lines",
			files:    fstest.MapFS{"User.csv": file("\xef\xbb\xbf\n\n")},
			wantFile: "snap/User.csv", wantIs: ErrEmptyFile,
			wantContains: "empty file",
		},
		{
			name:     "missing required column",
			files:    fstest.MapFS{"User.csv": file("Id,Username,Name\n005A,a,b\n")},
			wantFile: "snap/User.csv", wantLine: 1, wantIs: ErrMissingColumn,
			wantContains: `missing required column "Profile.UserLicense.Name" (header has: Id, Username, Name)`,
		},
		{
			name:     "missing two required columns",
			files:    fstest.MapFS{"User.csv": file("id\n005A\n")},
			wantFile: "snap/User.csv", wantLine: 1, wantIs: ErrMissingColumn,
			wantContains: `missing required column "Username", "Profile.UserLicense.Name" (header has: id)`,
		},
		{
			name:     "missing required column after blank lines",
			files:    fstest.MapFS{"User.csv": file("\n\nId,Username\n")},
			wantFile: "snap/User.csv", wantLine: 3, wantIs: ErrMissingColumn,
			wantContains: `missing required column "Profile.UserLicense.Name" (header has: Id, Username)`,
		},
		{
			name:     "duplicate header column",
			files:    fstest.MapFS{"User.csv": file("Id,Username,Profile.UserLicense.Name,ID\n")},
			wantFile: "snap/User.csv", wantLine: 1, wantCol: 38, wantIs: ErrDuplicateColumn,
			wantContains: `duplicate column "Id" (fields 1 and 4 of the header)`,
		},
		{
			name:     "blank required value",
			files:    fstest.MapFS{"User.csv": users("005A,a@x,Salesforce", "005B,,Salesforce")},
			wantFile: "snap/User.csv", wantLine: 3, wantCol: 6, wantIs: ErrBlankValue,
			wantContains: `blank value in required column "Username"`,
		},
		{
			name:     "blank license",
			files:    fstest.MapFS{"User.csv": users("005A,a@x,")},
			wantFile: "snap/User.csv", wantLine: 2, wantCol: 10, wantIs: ErrBlankValue,
			wantContains: `blank value in required column "Profile.UserLicense.Name"`,
		},
		{
			name:     "duplicate user Id",
			files:    fstest.MapFS{"User.csv": users("005A,a@x,Salesforce", "005B,b@x,Salesforce", "005A,c@x,Salesforce")},
			wantFile: "snap/User.csv", wantLine: 4, wantCol: 1, wantIs: ErrDuplicateID,
			wantContains: `duplicate Id "005A" (first on line 2)`,
		},
		{
			name:     "adjacent duplicate user Id",
			files:    fstest.MapFS{"User.csv": users("005A,a@x,Salesforce", "005A,b@x,Salesforce")},
			wantFile: "snap/User.csv", wantLine: 3, wantCol: 1, wantIs: ErrDuplicateID,
			wantContains: `duplicate Id "005A" (first on line 2)`,
		},
		{
			name: "duplicate user Id after Ids out of order",
			files: fstest.MapFS{"User.csv": users("005C,c@x,Salesforce", "005A,a@x,Salesforce",
				"005B,b@x,Salesforce", "005D,d@x,Salesforce", "005A,e@x,Salesforce")},
			wantFile: "snap/User.csv", wantLine: 6, wantCol: 1, wantIs: ErrDuplicateID,
			wantContains: `duplicate Id "005A" (first on line 3)`,
		},
		{
			name:     "blank required value named as in the catalogue",
			files:    fstest.MapFS{"User.csv": file("ID,USERNAME,profile.userlicense.name\n005A,,X\n")},
			wantFile: "snap/User.csv", wantLine: 2, wantCol: 6, wantIs: ErrBlankValue,
			wantContains: `blank value in required column "Username"`,
		},
		{
			name: "duplicate account Id",
			files: fstest.MapFS{"User.csv": okUsers,
				"Account.csv": file("Name,Id\nA,001A\nB,001B\nC,001A\n")},
			wantFile: "snap/Account.csv", wantLine: 4, wantCol: 3, wantIs: ErrDuplicateID,
			wantContains: `duplicate Id "001A" (first on line 2)`,
		},
		{
			name:     "duplicate role Id",
			files:    fstest.MapFS{"User.csv": okUsers, "UserRole.csv": file("Id\n00EA\n00EA\n")},
			wantFile: "snap/UserRole.csv", wantLine: 3, wantCol: 1, wantIs: ErrDuplicateID,
			wantContains: `duplicate Id "00EA" (first on line 2)`,
		},
		{
			name:     "duplicate license Id",
			files:    fstest.MapFS{"User.csv": okUsers, "UserLicense.csv": file("Id,Name\n100A,X\n100A,Y\n")},
			wantFile: "snap/UserLicense.csv", wantLine: 3, wantCol: 1, wantIs: ErrDuplicateID,
			wantContains: `duplicate Id "100A" (first on line 2)`,
		},
		{
			name: "duplicate profile Id",
			files: fstest.MapFS{"User.csv": okUsers,
				"Profile.csv": file("Id,Name,UserLicense.Name\n00eA,P,Salesforce\n00eA,Q,Salesforce\n")},
			wantFile: "snap/Profile.csv", wantLine: 3, wantCol: 1, wantIs: ErrDuplicateID,
			wantContains: `duplicate Id "00eA" (first on line 2)`,
		},
		{
			name:     "two organization records",
			files:    fstest.MapFS{"User.csv": okUsers, "Organization.csv": file("Id\n00DA\n00DB\n")},
			wantFile: "snap/Organization.csv", wantLine: 3, wantCol: 1,
			wantContains: "more than one organization record (first on line 2)",
		},
		{
			name:     "bare quote",
			files:    fstest.MapFS{"User.csv": users(`005A,a"b,Salesforce`)},
			wantFile: "snap/User.csv", wantLine: 2, wantCol: 7, wantIs: csv.ErrBareQuote,
			wantContains: `malformed CSV: bare " in non-quoted-field`,
		},
		{
			name:     "unterminated quote",
			files:    fstest.MapFS{"User.csv": users(`005A,a@x,Salesforce`, `005B,"b@x,Salesforce`, `005C,c@x,Salesforce`)},
			wantFile: "snap/User.csv", wantLine: 4, wantCol: 21, wantIs: csv.ErrQuote,
			wantContains: `malformed CSV: extraneous or missing " in quoted-field (record starts on line 3)`,
		},
		{
			name:     "wrong field count",
			files:    fstest.MapFS{"User.csv": users("005A,a@x,Salesforce", "005B,b@x")},
			wantFile: "snap/User.csv", wantLine: 3, wantIs: csv.ErrFieldCount,
			wantContains: "malformed CSV: wrong number of fields: record has 2 fields, header has 3",
		},
		{
			name:     "invalid boolean",
			files:    fstest.MapFS{"User.csv": file("Id,Username,Profile.UserLicense.Name,IsActive\n005A,a@x,Salesforce,yes\n")},
			wantFile: "snap/User.csv", wantLine: 2, wantCol: 21, wantIs: ErrInvalidBool,
			wantContains: `invalid boolean "yes" in column "IsActive": want true, false or blank`,
		},
		{
			name: "invalid required boolean",
			files: fstest.MapFS{"User.csv": okUsers, "ObjectPermissions.csv": file(
				"ParentId,SobjectType,PermissionsViewAllRecords,PermissionsModifyAllRecords\n0PSA,Account,1,0\n")},
			wantFile: "snap/ObjectPermissions.csv", wantLine: 2, wantCol: 14, wantIs: ErrInvalidBool,
			wantContains: `invalid boolean "1" in column "PermissionsViewAllRecords"`,
		},
		{
			name: "invalid integer",
			files: fstest.MapFS{"User.csv": okUsers,
				"UserLicense.csv": file("Id,Name,TotalLicenses,UsedLicenses\n100A,Salesforce,10,ten\n")},
			wantFile: "snap/UserLicense.csv", wantLine: 2, wantCol: 20, wantIs: ErrInvalidInt,
			wantContains: `invalid integer "ten" in column "UsedLicenses": invalid syntax`,
		},
		{
			name: "integer out of range",
			files: fstest.MapFS{"User.csv": okUsers,
				"UserLicense.csv": file("Id,Name,TotalLicenses\n100A,Salesforce,99999999999999999999\n")},
			wantFile: "snap/UserLicense.csv", wantLine: 2, wantCol: 17, wantIs: ErrInvalidInt,
			wantContains: "value out of range",
		},
		{
			name:     "not UTF-8",
			files:    fstest.MapFS{"User.csv": users("005A,a@x,Salesforce", "005B,b\xe9@x,Salesforce")},
			wantFile: "snap/User.csv", wantLine: 3, wantCol: 7, wantIs: ErrNotUTF8,
			wantContains: "text is not valid UTF-8: save the file as UTF-8",
		},
		{
			name: "not UTF-8 in an ignored column",
			files: fstest.MapFS{"User.csv": file(
				"Id,Username,Profile.UserLicense.Name,Notes\n005A,a@x,Salesforce,caf\xe9\n")},
			wantFile: "snap/User.csv", wantLine: 2, wantCol: 24, wantIs: ErrNotUTF8,
			wantContains: "text is not valid UTF-8",
		},
		{
			name:     "not UTF-8 header",
			files:    fstest.MapFS{"User.csv": file("Id,Username,Profile.UserLicense.Name,Caf\xe9\n")},
			wantFile: "snap/User.csv", wantLine: 1, wantCol: 41, wantIs: ErrNotUTF8,
			wantContains: "text is not valid UTF-8",
		},
		{
			name:     "not UTF-8 after a BOM",
			files:    fstest.MapFS{"User.csv": file("\xef\xbb\xbfId,Username,Profile.UserLicense.Name,\xe9\n")},
			wantFile: "snap/User.csv", wantLine: 1, wantCol: 38, wantIs: ErrNotUTF8,
			wantContains: "text is not valid UTF-8",
		},
		{
			name:     "not UTF-8 inside a quoted multi-line value",
			files:    fstest.MapFS{"User.csv": users("005A,\"a\n\nb\xe9\",Salesforce")},
			wantFile: "snap/User.csv", wantLine: 4, wantCol: 2, wantIs: ErrNotUTF8,
			wantContains: "text is not valid UTF-8",
		},
		{
			name:     "truncated rune at the end of the file",
			files:    fstest.MapFS{"User.csv": file(userHeader + "005A,a@x,Salesforce\xe2\x82")},
			wantFile: "snap/User.csv", wantLine: 2, wantCol: 20, wantIs: ErrNotUTF8,
			wantContains: "text is not valid UTF-8",
		},
		{
			name:     "UTF-16",
			files:    fstest.MapFS{"User.csv": file("\xff\xfeI\x00d\x00\n\x00")},
			wantFile: "snap/User.csv", wantLine: 1, wantCol: 1, wantIs: ErrNotUTF8,
			wantContains: "the file is UTF-16; save it as UTF-8",
		},
		{
			name: "missing required column in optional file",
			files: fstest.MapFS{"User.csv": okUsers, "ObjectPermissions.csv": file(
				"ParentId,SobjectType,PermissionsViewAllRecords\n0PSA,Account,true\n")},
			wantFile: "snap/ObjectPermissions.csv", wantLine: 1, wantIs: ErrMissingColumn,
			wantContains: `missing required column "PermissionsModifyAllRecords" (header has: ParentId, SobjectType, PermissionsViewAllRecords)`,
		},
		{
			name: "blank required value in optional file",
			files: fstest.MapFS{"User.csv": okUsers,
				"PermissionSetAssignment.csv": file("AssigneeId,PermissionSetId\n005A,0PSA\n005A,\n")},
			wantFile: "snap/PermissionSetAssignment.csv", wantLine: 3, wantCol: 6, wantIs: ErrBlankValue,
			wantContains: `blank value in required column "PermissionSetId"`,
		},
		{
			name: "malformed optional file",
			files: fstest.MapFS{"User.csv": okUsers,
				"PermissionSetLicenseAssign.csv": file("AssigneeId,PermissionSetLicense.MasterLabel\n005A,X,Y\n")},
			wantFile: "snap/PermissionSetLicenseAssign.csv", wantLine: 2, wantIs: csv.ErrFieldCount,
			wantContains: "record has 3 fields, header has 2",
		},
		// User.csv and the optional files are read at the same time, but
		// errors come as if they were read one after the other.
		{
			name: "bad User.csv and bad optional files",
			files: fstest.MapFS{"User.csv": users("005A,a@x,Salesforce", "005A,b@x,Salesforce"),
				"Account.csv":                 file("Id\n001A\n001A\n"),
				"PermissionSetAssignment.csv": file("AssigneeId,PermissionSetId\n005A,\n")},
			wantFile: "snap/User.csv", wantLine: 3, wantCol: 1, wantIs: ErrDuplicateID,
			wantContains: `duplicate Id "005A" (first on line 2)`,
		},
		{
			name: "two bad optional files",
			files: fstest.MapFS{"User.csv": okUsers,
				"PermissionSetAssignment.csv": file("AssigneeId,PermissionSetId\n005A,\n"),
				"UserRole.csv":                file("Id\n00EA\n00EA\n")},
			wantFile: "snap/UserRole.csv", wantLine: 3, wantCol: 1, wantIs: ErrDuplicateID,
			wantContains: `duplicate Id "00EA" (first on line 2)`,
		},
		{
			name:         "file names ambiguous ignoring case",
			files:        fstest.MapFS{"user.csv": okUsers, "USER.CSV": okUsers},
			wantFile:     "snap/User.csv",
			wantContains: "several files match User.csv ignoring case: USER.CSV, user.csv; keep one",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadSnapshot(context.Background(), tt.files, "snap")
			if err == nil {
				t.Fatalf("ReadSnapshot succeeded with %d users, want an error", len(s.Users))
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %q (%T) is not an *InputError", err, err)
			}
			if ie.File != tt.wantFile || ie.Line != tt.wantLine || ie.Column != tt.wantCol {
				t.Errorf("error at %s:%d:%d, want %s:%d:%d (%v)",
					ie.File, ie.Line, ie.Column, tt.wantFile, tt.wantLine, tt.wantCol, err)
			}
			if !strings.Contains(err.Error(), tt.wantContains) {
				t.Errorf("error %q does not contain %q", err, tt.wantContains)
			}
			prefix := tt.wantFile
			if tt.wantLine > 0 {
				prefix += fmt.Sprintf(":%d", tt.wantLine)
				if tt.wantCol > 0 {
					prefix += fmt.Sprintf(":%d", tt.wantCol)
				}
			}
			if !strings.HasPrefix(err.Error(), prefix+": ") {
				t.Errorf("error %q does not start with %q", err, prefix+": ")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%q, %v) = false", err, tt.wantIs)
			}
		})
	}
}

func TestReadSnapshotMissingFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nope")
	_, err := ReadSnapshot(context.Background(), os.DirFS(dir), dir)
	if !errors.Is(err, ErrMissingFile) {
		t.Fatalf("err = %v, want ErrMissingFile", err)
	}
	if want := filepath.Join(dir, "User.csv") + ": required file not found"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %q, want prefix %q", err, want)
	}
}

func TestInputErrorFormat(t *testing.T) {
	base := errors.New("boom")
	tests := []struct {
		err  InputError
		want string
	}{
		{InputError{File: "a/User.csv", Line: 3, Column: 7, Err: base}, "a/User.csv:3:7: boom"},
		{InputError{File: "a/User.csv", Line: 3, Err: base}, "a/User.csv:3: boom"},
		{InputError{File: "a/User.csv", Err: base}, "a/User.csv: boom"},
		{InputError{File: "a/User.csv", Column: 7, Err: base}, "a/User.csv: boom"},
		{InputError{Err: base}, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if !errors.Is(&tt.err, base) {
				t.Error("Unwrap does not reach Err")
			}
		})
	}
}

func TestReadSnapshotForms(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
		check func(t *testing.T, s *Snapshot)
	}{
		{
			name: "BOM, CRLF, any column order and case, unknown columns",
			files: fstest.MapFS{"User.csv": file("\xef\xbb\xbfprofile.userlicense.NAME,Junk,USERNAME,iD,IsActive\r\n" +
				"Salesforce,j,a@x,005A,TRUE\r\nChatter Free,k,b@x,005B,False\r\n")},
			check: func(t *testing.T, s *Snapshot) {
				want := []User{
					{ID: "005A", Username: "a@x", License: "Salesforce", IsActive: True, Line: 2},
					{ID: "005B", Username: "b@x", License: "Chatter Free", IsActive: False, Line: 3},
				}
				if !reflect.DeepEqual(s.Users, want) {
					t.Errorf("Users = %+v, want %+v", s.Users, want)
				}
				if !s.Has.IsActive || s.Has.UserType {
					t.Errorf("Has = %+v, want IsActive only", s.Has)
				}
			},
		},
		{
			name:  "no IsActive column: unknown",
			files: fstest.MapFS{"User.csv": okUsers},
			check: func(t *testing.T, s *Snapshot) {
				if s.Users[0].IsActive != Unknown || s.Has.IsActive {
					t.Errorf("IsActive = %v, Has.IsActive = %v; want unknown, false", s.Users[0].IsActive, s.Has.IsActive)
				}
				if s.Has != (Presence{}) || s.Accounts != nil || !reflect.DeepEqual(s.Files, []string{"User.csv"}) {
					t.Errorf("Has = %+v, Accounts = %v, Files = %v; want nothing optional", s.Has, s.Accounts, s.Files)
				}
			},
		},
		{
			name: "empty optional files are present and empty",
			files: fstest.MapFS{"User.csv": okUsers, "Account.csv": file("\n"),
				"ObjectPermissions.csv": file("\r\n"), "Organization.csv": file("Id,Name\n")},
			check: func(t *testing.T, s *Snapshot) {
				if !s.Has.Accounts || !s.Has.ObjectPermissions || !s.Has.Organization || s.Has.Roles {
					t.Errorf("Has = %+v", s.Has)
				}
				if s.Accounts != nil || s.ObjectPermissions != nil || s.Organization != nil {
					t.Errorf("got records: %v %v %v", s.Accounts, s.ObjectPermissions, s.Organization)
				}
				want := []string{"User.csv", "Account.csv", "ObjectPermissions.csv", "Organization.csv"}
				if !reflect.DeepEqual(s.Files, want) {
					t.Errorf("Files = %v, want %v", s.Files, want)
				}
				// No Owner.UserRoleId or IsPartner column: not present.
				if s.Has.AccountOwnerRole || s.Has.AccountIsPartner {
					t.Errorf("Has = %+v, want no account columns", s.Has)
				}
			},
		},
		{
			name:  "file names in another case",
			files: fstest.MapFS{"user.CSV": okUsers, "ACCOUNT.csv": file("Id,Owner.UserRoleId\n001A,\n")},
			check: func(t *testing.T, s *Snapshot) {
				if len(s.Users) != 1 || len(s.Accounts) != 1 || !reflect.DeepEqual(s.Files, []string{"User.csv", "Account.csv"}) {
					t.Errorf("Users = %v, Accounts = %v, Files = %v", s.Users, s.Accounts, s.Files)
				}
				if a := s.Accounts[0]; a.OwnerHasRole != False || !s.Has.AccountOwnerRole {
					t.Errorf("blank Owner.UserRoleId: OwnerHasRole = %v, Has = %v; want false, true", a.OwnerHasRole, s.Has.AccountOwnerRole)
				}
			},
		},
		{
			name:  "exact file name wins over another case",
			files: fstest.MapFS{"User.csv": okUsers, "user.csv": file("")},
			check: func(t *testing.T, s *Snapshot) {
				if len(s.Users) != 1 {
					t.Errorf("Users = %v", s.Users)
				}
			},
		},
		{
			name: "account without Owner.UserRoleId column: owner role unknown",
			files: fstest.MapFS{"User.csv": okUsers,
				"Account.csv": file("Id,IsPartner\n001A,TRUE\n001B,\n")},
			check: func(t *testing.T, s *Snapshot) {
				want := []Account{{ID: "001A", IsPartner: True}, {ID: "001B"}}
				if !reflect.DeepEqual(s.Accounts, want) || !s.Has.AccountIsPartner || s.Has.AccountOwnerRole {
					t.Errorf("Accounts = %+v, Has = %+v", s.Accounts, s.Has)
				}
			},
		},
		{
			name: "Account.IsPartner in User.csv only",
			files: fstest.MapFS{"User.csv": file(userHeader[:len(userHeader)-1] + ",AccountId,Account.IsPartner\n" +
				"005A,a@x,Partner Community,001B,true\n005B,b@x,Partner Community,001A,\n")},
			check: func(t *testing.T, s *Snapshot) {
				want := []Account{{ID: "001A", FromUserCSV: true}, {ID: "001B", IsPartner: True, FromUserCSV: true}}
				if !reflect.DeepEqual(s.Accounts, want) || !s.Has.AccountIsPartner || s.Has.Accounts {
					t.Errorf("Accounts = %+v, Has = %+v", s.Accounts, s.Has)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadSnapshot(context.Background(), tt.files, "snap")
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}

// cancelAfter is a context whose Err reports Canceled from its n-th call on.
type cancelAfter struct {
	context.Context
	n     int
	calls int
}

func (c *cancelAfter) Err() error {
	c.calls++
	if c.calls >= c.n {
		return context.Canceled
	}
	return nil
}

func TestReadSnapshotCancel(t *testing.T) {
	var b strings.Builder
	b.WriteString(userHeader)
	for i := range 3 * ctxCheckEvery {
		fmt.Fprintf(&b, "005%06d,u%d@x,Salesforce\n", i, i)
	}
	fsys := fstest.MapFS{"User.csv": file(b.String())}

	tests := []struct {
		name string
		n    int
	}{
		{"before reading", 1},
		// The first Err call is made on opening User.csv; the second comes
		// from the periodic check while reading its records.
		{"while reading", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := &cancelAfter{Context: context.Background(), n: tt.n}
			_, err := ReadSnapshot(ctx, fsys, "snap")
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if want := "reading snap/User.csv: "; !strings.HasPrefix(err.Error(), want) || ctx.calls != tt.n {
				t.Errorf("err = %q after %d checks, want prefix %q after %d", err, ctx.calls, want, tt.n)
			}
		})
	}
	// And a context that is never cancelled reads everything.
	s, err := ReadSnapshot(context.Background(), fsys, "snap")
	if err != nil || len(s.Users) != 3*ctxCheckEvery {
		t.Fatalf("got %d users, err %v", len(s.Users), err)
	}
}

// Reading must not depend on fs.ReadDir: an fs.FS whose root cannot be
// listed still finds files by their exact names.
type openOnly struct{ fs.FS }

func (o openOnly) Open(name string) (fs.File, error) {
	if name == "." {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return o.FS.Open(name)
}

func TestReadSnapshotWithoutListing(t *testing.T) {
	fsys := openOnly{fstest.MapFS{"User.csv": okUsers, "UserRole.csv": file("Id\n00EA\n")}}
	s, err := ReadSnapshot(context.Background(), fsys, "snap")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Users) != 1 || len(s.Roles) != 1 || !s.Has.Roles || s.Has.Accounts {
		t.Errorf("Users = %v, Roles = %v, Has = %+v", s.Users, s.Roles, s.Has)
	}
	_, err = ReadSnapshot(context.Background(), openOnly{fstest.MapFS{}}, "snap")
	if !errors.Is(err, ErrMissingFile) {
		t.Errorf("err = %v, want ErrMissingFile", err)
	}
}

func TestUTF8Reader(t *testing.T) {
	// 70,000 bytes of multi-byte runes: reads split runes everywhere.
	long := strings.Repeat("naïve ✓ 名前 😀\n", 70_000/len("naïve ✓ 名前 😀\n"))
	tests := []struct {
		name     string
		in       string
		wantLine int // 0: valid
		wantCol  int
	}{
		{"ascii", "a,b\nc,d\n", 0, 0},
		{"long multi-byte", long, 0, 0},
		{"invalid after many lines", long + "ab\xffc\n", strings.Count(long, "\n") + 1, 3},
		{"invalid continuation", "ok\n\xe2\x28\xa1\n", 2, 1},
		{"overlong encoding", "\xc0\xaf", 1, 1},
		{"surrogate half", "x\xed\xa0\x80", 1, 2},
		{"cut rune at end", "abc\xe2\x82", 1, 4},
		{"UTF-16 LE", "\xff\xfea\x00", 1, 1},
		{"UTF-16 BE", "\xfe\xff\x00a", 1, 1},
		{"BOM then invalid", "\xef\xbb\xbfab\xff", 1, 3},
	}
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"whole", func(r io.Reader) io.Reader { return r }},
		{"one byte", iotest.OneByteReader},
		{"half", iotest.HalfReader},
		{"data with EOF", iotest.DataErrReader},
	}
	for _, tt := range tests {
		for _, rd := range readers {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				u := newUTF8Reader(rd.wrap(strings.NewReader(tt.in)))
				got, err := io.ReadAll(bufio.NewReaderSize(u, 4096))
				var ue *utf8Error
				if tt.wantLine == 0 {
					if err != nil || string(got) != tt.in {
						t.Fatalf("read %d of %d bytes, err %v", len(got), len(tt.in), err)
					}
					return
				}
				if !errors.As(err, &ue) {
					t.Fatalf("err = %v, want a utf8Error", err)
				}
				if ue.line != tt.wantLine || ue.col != tt.wantCol {
					t.Errorf("invalid at %d:%d, want %d:%d", ue.line, ue.col, tt.wantLine, tt.wantCol)
				}
				if !strings.HasPrefix(tt.in, string(got)) {
					t.Errorf("passed on bytes that are not the input's")
				}
			})
		}
	}
}
