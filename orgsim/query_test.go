package orgsim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/org"
)

// peopleSnapshot has six users whose values exercise comparison, LIKE,
// nulls and ordering.
func peopleSnapshot() *org.Snapshot {
	s := usersSnapshot(6)
	set := func(i int, name, userType string, active org.Tri) {
		u := &s.Users[i-1]
		u.Name, u.UserType, u.IsActive = name, userType, active
	}
	set(1, "Alice Smith", "Standard", org.True)
	set(2, "bob jones", "CspLitePortal", org.False)
	set(3, "", "CSPLitePortal", org.Unknown)
	set(4, "Émile Zola", "PowerPartner", org.True)
	set(5, "alice smith", "Standard", org.True)
	set(6, "50% off_sale", "Guest", org.True)
	s.Licenses = []org.UserLicense{
		{ID: synthID("100", 1), Name: "Salesforce", TotalLicenses: 10, UsedLicenses: 6},
		{ID: synthID("100", 2), Name: "Guest", TotalLicenses: -1, UsedLicenses: -1},
	}
	s.Has.Licenses = true
	return s
}

// users returns the user numbers of the records, in order.
func users(t *testing.T, records []map[string]any) string {
	t.Helper()
	var out []string
	for _, r := range records {
		name, _ := r["Username"].(string)
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(name, "user"), "@example.com"))
	}
	return strings.Join(out, ",")
}

func TestQuerySemantics(t *testing.T) {
	s := newServer(t, peopleSnapshot(), Options{})
	tok := s.AccessToken()
	id1, id2 := synthID("005", 1), synthID("005", 2)
	tests := []struct {
		where string // the query after "SELECT Username FROM User "
		want  string // user numbers in order
	}{
		{"", "1,2,3,4,5,6"},
		{"WHERE Name = 'ALICE SMITH'", "1,5"},
		{"WHERE Name != 'alice smith'", "2,3,4,6"}, // != matches null
		{"WHERE Name <> 'alice smith'", "2,3,4,6"},
		{"WHERE Name = null", "3"},
		{"WHERE Name != null", "1,2,4,5,6"},
		{"WHERE UserType = 'csplitePortal'", "2,3"},
		{"WHERE Name LIKE 'a%'", "1,5"},
		{`WHERE Name LIKE '%\%%'`, "6"},
		{`WHERE Name LIKE '50\% off\_%'`, "6"},
		{"WHERE Name LIKE '50_ off_sale'", "6"},
		{"WHERE Name LIKE 'é%'", "4"},
		{"WHERE NOT Name LIKE 'a%'", "2,3,4,6"},
		{"WHERE IsActive = false", "2"},
		{"WHERE IsActive != true", "2,3"},
		{"WHERE IsActive = null", "3"},
		{"WHERE UserType IN ('Guest', 'powerpartner')", "4,6"},
		{"WHERE UserType NOT IN ('Standard')", "2,3,4,6"},
		{"WHERE Name IN (null, 'BOB JONES')", "2,3"},
		{"WHERE (UserType = 'Standard' OR UserType = 'Guest') AND IsActive = true", "1,5,6"},
		{"WHERE NOT (UserType = 'Standard' OR UserType = 'Guest')", "2,3,4"},
		{"WHERE UserType = 'Standard' AND (Name LIKE 'alice%' OR IsActive = false) AND NOT Id = '" + id1 + "'", "5"},
		{"WHERE Name > 'b'", "2,4"},
		{"WHERE Name <= 'alice smith'", "1,5,6"},
		{"WHERE Id = '" + id1 + "'", "1"},
		{"WHERE Id = '" + id1[:15] + "'", "1"}, // 15-character Ids match
		{"WHERE Id IN ('" + id1[:15] + "', '" + strings.ToLower(id2) + "')", "1"},
		{"WHERE Id > '" + id2 + "'", "3,4,5,6"},
		{"WHERE Profile.Name = 'standard user' AND Profile.UserLicense.Name = 'Salesforce'", "1,2,3,4,5,6"},
		{"WHERE Account.Name = null", "1,2,3,4,5,6"},
		{"WHERE User.Name = 'bob jones'", "2"},
		{"ORDER BY Name", "3,6,1,5,2,4"}, // nulls first; ties keep Id order
		{"ORDER BY Name ASC NULLS LAST", "6,1,5,2,4,3"},
		{"ORDER BY Name DESC", "3,4,2,1,5,6"},
		{"ORDER BY Name DESC NULLS LAST", "4,2,1,5,6,3"},
		{"ORDER BY IsActive, Id DESC", "3,2,6,5,4,1"},
		{"ORDER BY UserType, Name DESC", "3,2,6,4,1,5"},
		{"ORDER BY Profile.Name, Id DESC LIMIT 2", "6,5"},
		{"ORDER BY Id DESC LIMIT 2 OFFSET 1", "5,4"},
	}
	for _, tc := range tests {
		t.Run(tc.where, func(t *testing.T) {
			records, _ := queryAll(t, s, tok, "SELECT Username FROM User "+tc.where)
			if got := users(t, records); got != tc.want {
				t.Errorf("users %s, want %s", got, tc.want)
			}
		})
	}

	lic := []struct{ where, want string }{
		{"WHERE TotalLicenses > 9.5", "Salesforce"},
		{"WHERE TotalLicenses = 10.0", "Salesforce"},
		{"WHERE TotalLicenses = 9.5", ""},
		{"WHERE TotalLicenses != 9.5", "Salesforce,Guest"},
		{"WHERE TotalLicenses >= -1", "Salesforce"},
		{"WHERE TotalLicenses = null", "Guest"},
		{"ORDER BY UsedLicenses DESC NULLS LAST", "Salesforce,Guest"},
	}
	for _, tc := range lic {
		t.Run("UserLicense "+tc.where, func(t *testing.T) {
			records, _ := queryAll(t, s, tok, "SELECT Name FROM UserLicense "+tc.where)
			var names []string
			for _, r := range records {
				names = append(names, r["Name"].(string))
			}
			if got := strings.Join(names, ","); got != tc.want {
				t.Errorf("licenses %s, want %s", got, tc.want)
			}
		})
	}
}

func TestQueryErrors(t *testing.T) {
	s := newServer(t, peopleSnapshot(), Options{})
	tok := s.AccessToken()
	tests := []struct {
		soql string
		code string
		msg  string // part of the message
		col  string // "Column:N", or "" when the message has no position
	}{
		{"SELECT Id FRM User", "MALFORMED_QUERY", "unexpected token: 'FRM'", "Column:11"},
		{"SELECT Id FROM User WHERE", "MALFORMED_QUERY", "unexpected token: '<EOF>'", "Column:26"},
		{"SELECT Id FROM User WHERE Name = 'a' AND Name = 'b' OR Name = 'c'", "MALFORMED_QUERY", "unexpected token: 'OR'", "Column:53"},
		{"SELECT Id FROM User GROUP BY Name", "MALFORMED_QUERY", "unexpected token: 'GROUP'", "Column:21"},
		{"SELECT COUNT(Id) FROM User", "MALFORMED_QUERY", "unexpected token: 'Id'", "Column:14"},
		{"SELECT Id FROM User WHERE CreatedDate = LAST_N_DAYS:3", "MALFORMED_QUERY", "unexpected token: 'LAST_N_DAYS'", "Column:41"},
		{"SELECT Id, id FROM User", "MALFORMED_QUERY", "duplicate field selected: Id", "Column:12"},
		{"SELECT COUNT() FROM User ORDER BY Id", "MALFORMED_QUERY", "ORDER BY is not allowed with COUNT()", "Column:26"},
		{"SELECT Id, Nme FROM User", "INVALID_FIELD", "No such column 'Nme' on entity 'User'", "Column:12"},
		{"SELECT Id FROM User WHERE Nme = 'x'", "INVALID_FIELD", "No such column 'Nme' on entity 'User'", "Column:27"},
		{"SELECT Id FROM User ORDER BY Nme", "INVALID_FIELD", "No such column 'Nme' on entity 'User'", "Column:30"},
		{"SELECT Id, Profile FROM User", "INVALID_FIELD", "No such column 'Profile' on entity 'User'", "Column:12"},
		{"SELECT Id, Profile.Nme FROM User", "INVALID_FIELD", "No such column 'Nme' on entity 'Profile'", "Column:12"},
		{"SELECT Id, Foo.Name FROM User", "INVALID_FIELD", "Didn't understand relationship 'Foo' in field path", "Column:12"},
		{"SELECT Id FROM User WHERE IsActive = 'true'", "INVALID_FIELD",
			"value of filter criterion for field 'IsActive' must be of type boolean and should not be enclosed in quotes", "Column:38"},
		{"SELECT Id FROM User WHERE Name = 5", "INVALID_FIELD",
			"value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes", "Column:34"},
		{"SELECT Id FROM User WHERE Id IN ('a', 5)", "INVALID_FIELD",
			"value of filter criterion for field 'Id' must be of type id and should be enclosed in quotes", "Column:39"},
		{"SELECT Id FROM UserLicense WHERE TotalLicenses = '5'", "INVALID_FIELD",
			"value of filter criterion for field 'TotalLicenses' must be of type integer and should not be enclosed in quotes", "Column:50"},
		{"SELECT Id FROM Organization WHERE TrialExpirationDate > '2024'", "INVALID_FIELD",
			"must be of type dateTime", "Column:57"},
		{"SELECT Id FROM User WHERE IsActive LIKE 'x'", "INVALID_QUERY_FILTER_OPERATOR", "invalid operator LIKE on boolean field: IsActive", "Column:27"},
		{"SELECT Id FROM User WHERE IsActive < true", "INVALID_QUERY_FILTER_OPERATOR", "invalid operator < on boolean field: IsActive", "Column:36"},
		{"SELECT Id FROM User WHERE Name < null", "INVALID_QUERY_FILTER_OPERATOR", "invalid operator < on string field: Name", "Column:32"},
		{"SELECT Id FROM User OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000", "Column:21"},
		{"SELECT Id FROM Foo", "INVALID_TYPE", "sObject type 'Foo' is not supported.", "Column:16"},
		{"SELECT Id FROM ScratchOrgInfo LIMIT 1", "INVALID_TYPE", "sObject type 'ScratchOrgInfo' is not supported.", "Column:16"},
		{"", "MALFORMED_QUERY", "A query string has to be specified", ""},
	}
	for _, tc := range tests {
		t.Run(tc.soql, func(t *testing.T) {
			r := serve(s, http.MethodGet, queryPath(tc.soql), tok, nil)
			e := r.apiErr(t)
			if r.status != http.StatusBadRequest || e.ErrorCode != tc.code || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("%d %s %q; want 400 %s containing %q", r.status, e.ErrorCode, e.Message, tc.code, tc.msg)
			}
			if tc.col != "" && !strings.Contains(e.Message, "ERROR at Row:1:"+tc.col+"\n") {
				t.Errorf("message %q lacks ERROR at Row:1:%s", e.Message, tc.col)
			}
			if tc.col == "" && strings.Contains(e.Message, "ERROR at") {
				t.Errorf("message %q has a position", e.Message)
			}
		})
	}
}
