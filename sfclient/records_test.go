package sfclient

import (
	"encoding/json"
	"strings"
	"testing"

	orgpkg "github.com/licenseplan/licenseplan/org"
)

func TestCell(t *testing.T) {
	var rec map[string]any
	err := json.Unmarshal([]byte(`{
		"attributes": {"type": "User"},
		"Id": "005000000000001AAA",
		"IsActive": true,
		"TotalLicenses": 250,
		"Ratio": 0.5,
		"Big": 12345678901,
		"Profile": {"attributes": {"type": "Profile"}, "Name": "Partner User",
			"UserLicense": {"attributes": {"type": "UserLicense"}, "Name": "Partner Community"}},
		"UserRole": null,
		"Account": {"attributes": {"type": "Account"}, "IsPartner": false, "Name": null},
		"Weird": [1, 2]
	}`), &rec)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, want, err string
	}{
		{"Id", "005000000000001AAA", ""},
		{"IsActive", "true", ""},
		{"TotalLicenses", "250", ""},
		{"Ratio", "0.5", ""},
		{"Big", "12345678901", ""},
		{"Profile.UserLicense.Name", "Partner Community", ""},
		{"profile.userlicense.name", "Partner Community", ""}, // Salesforce's case may differ from the query's
		{"UserRole.Name", "", ""},                             // null parent: blank
		{"UserRole.PortalAccount.Name", "", ""},
		{"Account.IsPartner", "false", ""},
		{"Account.Name", "", ""},
		{"Account.OwnerId", "", "is missing from the record"},
		{"Username", "", "is missing from the record"},
		{"Profile", "", "not a value"},
		{"Weird", "", "not a value"},
		{"IsActive.Name", "", "IsActive is not a relationship object"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := cell(rec, strings.Split(tt.path, "."))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"005000000000001", true},
		{"005000000000001AAA", true},
		{"005Zz9000000001", true},
		{"00500000000001", false},
		{"005000000000001' OR Id != '", false},
		{"0050000000000-1", false},
		{"", false},
	}
	for _, tt := range tests {
		if orgpkg.ValidID(tt.id) != tt.ok {
			t.Errorf("ValidID(%q) = %v", tt.id, !tt.ok)
		}
	}
}
