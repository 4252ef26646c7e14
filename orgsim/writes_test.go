package orgsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/org"
)

// Demo org records the write tests use.
const (
	ccGlobex    = "005Dn00000bP00NIAS" // Customer Community, Globex (owner has a role; customer roles exist)
	ccGlobex2   = "005Dn00000bP00OIAS"
	ccInitech   = "005Dn00000bP00eIAC" // Customer Community, Initech (no portal roles yet)
	ccPlusUser  = "005Dn00000bP00cIAC" // Customer Community Plus, Globex
	ccNoRole    = "005Dn00000bP011IAC" // Customer Community, on an account whose owner has no role
	profCC      = "00eDn00000bA00BIAS"
	profCCPlus  = "00eDn00000bA00JIAS"
	profPC      = "00eDn00000bA00OIAS"
	acctGlobex  = "001Dn00000bU000IAC"
	psCaseView  = "0PSDn00000bF00XOAS" // assigned to ccGlobex, not owned by a profile
	psKnowledge = "0PSDn00000bF00bOAC" // needs the Customer Community license
	psProfile   = "0PSDn00000bF000OAC" // owned by a profile
	pslCommerce = "0PLDn00000be002OAA" // B2B Commerce Buyer, assigned to ccGlobex
	writeTarget = "/services/data/v" + testVersion + "/composite/sobjects"
)

type result struct {
	ID      *string `json:"id"`
	Success bool    `json:"success"`
	Errors  []struct {
		StatusCode string   `json:"statusCode"`
		Message    string   `json:"message"`
		Fields     []string `json:"fields"`
	} `json:"errors"`
}

// collection sends an sObject Collections request and decodes its results.
func collection(t *testing.T, s *Server, method string, allOrNone bool, recs ...map[string]any) []result {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"allOrNone": allOrNone, "records": recs})
	r := serve(s, method, writeTarget, s.AccessToken(), bytes.NewReader(body))
	if r.status != http.StatusOK {
		t.Fatalf("%s: %d %s", method, r.status, r.body)
	}
	var out []result
	r.json(t, &out)
	if len(out) != len(recs) {
		t.Fatalf("%d results for %d records", len(out), len(recs))
	}
	return out
}

// assignRec is a PermissionSetAssignment or PermissionSetLicenseAssign
// record to insert.
func assignRec(object, assignee, field, id string) map[string]any {
	return map[string]any{"attributes": map[string]string{"type": object}, "AssigneeId": assignee, field: id}
}

func userRec(id string, fields ...any) map[string]any {
	m := map[string]any{"attributes": map[string]string{"type": "User"}, "Id": id}
	for i := 0; i+1 < len(fields); i += 2 {
		m[fields[i].(string)] = fields[i+1]
	}
	return m
}

// row reads one record's fields with a query.
func row(t *testing.T, s *Server, soql string) map[string]any {
	t.Helper()
	recs, _ := queryAll(t, s, s.AccessToken(), soql)
	if len(recs) != 1 {
		t.Fatalf("%s: %d records", soql, len(recs))
	}
	return recs[0]
}

func code(r result) string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].StatusCode
}

func TestWriteRules(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    Options
		insert  bool // POST, else PATCH
		recs    []map[string]any
		codes   []string // per record: "" for success
		message string   // of the first failure
		check   func(t *testing.T, s *Server)
	}{
		{
			name:  "upgrade in place gives the account's lowest role and removes permission sets",
			opts:  Options{ExtraSeats: 5},
			recs:  []map[string]any{userRec(ccGlobex, "ProfileId", profCCPlus)},
			codes: []string{""},
			check: func(t *testing.T, s *Server) {
				u := row(t, s, "SELECT Profile.UserLicense.Name, UserType, UserRole.Name FROM User WHERE Id = '"+ccGlobex+"'")
				if lic := u["Profile"].(map[string]any)["UserLicense"].(map[string]any)["Name"]; lic != "Customer Community Plus" ||
					u["UserType"] != "PowerCustomerSuccess" || u["UserRole"].(map[string]any)["Name"] != "Globex Corporation Customer User" {
					t.Errorf("user after the upgrade: %v", u)
				}
				recs, _ := queryAll(t, s, s.AccessToken(), "SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '"+ccGlobex+"' AND PermissionSet.IsOwnedByProfile = false")
				if len(recs) != 0 {
					t.Errorf("%d permission sets left after a role-based upgrade", len(recs))
				}
			},
		},
		{
			name:  "the account's portal roles are created when it has none",
			opts:  Options{ExtraSeats: 5},
			recs:  []map[string]any{userRec(ccInitech, "ProfileId", profCCPlus)},
			codes: []string{""},
			check: func(t *testing.T, s *Server) {
				recs, _ := queryAll(t, s, s.AccessToken(), "SELECT Name, PortalRole FROM UserRole WHERE PortalAccountId = '001Dn00000bU001IAC' ORDER BY Name")
				var names []string
				for _, r := range recs {
					names = append(names, r["Name"].(string)+"/"+r["PortalRole"].(string))
				}
				if strings.Join(names, ",") != "Initech Customer Executive/Executive,Initech Customer Manager/Manager,Initech Customer User/Worker" {
					t.Errorf("roles %v", names)
				}
				u := row(t, s, "SELECT UserRole.Name FROM User WHERE Id = '"+ccInitech+"'")
				if u["UserRole"].(map[string]any)["Name"] != "Initech Customer User" {
					t.Errorf("the user's role: %v", u)
				}
			},
		},
		{
			name:   "a permission set license, then a permission set",
			insert: true,
			recs: []map[string]any{
				assignRec("PermissionSetLicenseAssign", ccPlusUser, "PermissionSetLicenseId", pslCommerce),
				assignRec("PermissionSetLicenseAssign", ccGlobex, "PermissionSetLicenseId", pslCommerce),
				assignRec("PermissionSetAssignment", ccPlusUser, "PermissionSetId", psCaseView),
			},
			codes: []string{"", "DUPLICATE_VALUE", ""},
			check: func(t *testing.T, s *Server) {
				u := row(t, s, "SELECT PermissionSetLicense.MasterLabel FROM PermissionSetLicenseAssign WHERE AssigneeId = '"+ccPlusUser+"'")
				if u["PermissionSetLicense"].(map[string]any)["MasterLabel"] != "B2B Commerce Buyer" {
					t.Errorf("assigned permission set license: %v", u)
				}
			},
		},
		{
			name:    "a permission set of another user license",
			insert:  true,
			recs:    []map[string]any{assignRec("PermissionSetAssignment", ccPlusUser, "PermissionSetId", psKnowledge)},
			codes:   []string{"FIELD_INTEGRITY_EXCEPTION"},
			message: "Can't assign permission set Community_Knowledge_Reader to user",
		},
		{
			name:    "a profile's permission set",
			insert:  true,
			recs:    []map[string]any{assignRec("PermissionSetAssignment", ccPlusUser, "PermissionSetId", psProfile)},
			codes:   []string{"FIELD_INTEGRITY_EXCEPTION"},
			message: "associated with a profile",
		},
		{
			name:   "a permission set license the org does not have",
			insert: true,
			recs:   []map[string]any{assignRec("PermissionSetLicenseAssign", ccPlusUser, "PermissionSetLicenseId", "0PLDn00000zzzzzOAA")},
			codes:  []string{"INVALID_CROSS_REFERENCE_KEY"},
		},
		{
			name:    "a change the tables forbid",
			recs:    []map[string]any{userRec(ccPlusUser, "ProfileId", profCC)},
			codes:   []string{"FIELD_INTEGRITY_EXCEPTION"},
			message: "You can only reassign this user to a profile of the current license.",
		},
		{
			name:    "a partner license on an account that is not a partner account",
			recs:    []map[string]any{userRec(ccGlobex, "ProfileId", profPC)},
			codes:   []string{"FIELD_INTEGRITY_EXCEPTION"},
			message: "not enabled as a partner account",
		},
		{
			name:    "a role-based license when the account owner has no role",
			opts:    Options{ExtraSeats: 5},
			recs:    []map[string]any{userRec(ccNoRole, "ProfileId", profCCPlus)},
			codes:   []string{"UNKNOWN_EXCEPTION"},
			message: "portal account owner must have a role",
		},
		{
			name: "seats run out",
			recs: []map[string]any{userRec(ccGlobex, "ProfileId", profCCPlus), userRec(ccGlobex2, "ProfileId", profCCPlus),
				userRec("005Dn00000bP00PIAS", "ProfileId", profCCPlus), userRec("005Dn00000bP00QIAS", "ProfileId", profCCPlus)},
			codes:   []string{"", "", "", "LICENSE_LIMIT_EXCEEDED"}, // 3 of 16 free
			message: "License Limit Exceeded",
		},
		{
			name:    "a field apply never writes",
			recs:    []map[string]any{userRec(ccGlobex, "Title", "CEO")},
			codes:   []string{"INVALID_FIELD_FOR_INSERT_UPDATE"},
			message: "Title",
		},
		{
			name:  "an update without Id",
			recs:  []map[string]any{{"attributes": map[string]string{"type": "User"}, "IsActive": false}},
			codes: []string{"MISSING_ARGUMENT"},
		},
		{
			name:  "a record nobody has",
			recs:  []map[string]any{userRec("005000000000000AAA", "IsActive", false)},
			codes: []string{"NOT_FOUND"},
		},
		{
			name:  "partner account enabled, then its owner changed",
			recs:  []map[string]any{{"attributes": map[string]string{"type": "Account"}, "Id": acctGlobex, "IsPartner": true, "OwnerId": "005Dn00000bP001IAC"}},
			codes: []string{""},
			check: func(t *testing.T, s *Server) {
				a := row(t, s, "SELECT IsPartner, OwnerId FROM Account WHERE Id = '"+acctGlobex+"'")
				u := row(t, s, "SELECT Account.IsPartner FROM User WHERE Id = '"+ccGlobex+"'")
				if a["IsPartner"] != true || a["OwnerId"] != "005Dn00000bP001IAC" || u["Account"].(map[string]any)["IsPartner"] != true {
					t.Errorf("account %v, user %v", a, u)
				}
			},
		},
		{
			name:  "lock errors write nothing",
			opts:  Options{LockErrorRate: 1},
			recs:  []map[string]any{userRec(ccGlobex, "IsActive", false)},
			codes: []string{"UNABLE_TO_LOCK_ROW"},
			check: func(t *testing.T, s *Server) {
				if u := row(t, s, "SELECT IsActive FROM User WHERE Id = '"+ccGlobex+"'"); u["IsActive"] != true {
					t.Errorf("a record refused with a lock error was written: %v", u)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, demoSnapshot(t), tc.opts)
			method := http.MethodPatch
			if tc.insert {
				method = http.MethodPost
			}
			res := collection(t, s, method, false, tc.recs...)
			for i, r := range res {
				if code(r) != tc.codes[i] || r.Success != (tc.codes[i] == "") {
					t.Fatalf("record %d: %+v, want %q", i+1, r, tc.codes[i])
				}
				if !r.Success && tc.message != "" && !strings.Contains(r.Errors[0].Message, tc.message) {
					t.Errorf("record %d: message %q, want %q", i+1, r.Errors[0].Message, tc.message)
				}
			}
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}

func newUserRec(contact, username string) map[string]any {
	return map[string]any{"attributes": map[string]string{"type": "User"}, "ContactId": contact, "ProfileId": profCC,
		"Username": username, "Email": "x@example.invalid", "LastName": "Tables", "Alias": "tab",
		"TimeZoneSidKey": "Europe/Paris", "LocaleSidKey": "fr_FR", "EmailEncodingKey": "UTF-8", "LanguageLocaleKey": "fr"}
}

// TestDisableAndCreate: disabling frees the username and the contact, a
// new user for the contact takes them, and the refusals Salesforce gives.
func TestDisableAndCreate(t *testing.T) {
	s := newServer(t, demoSnapshot(t), Options{})
	old := row(t, s, "SELECT Username, ContactId FROM User WHERE Id = '"+ccPlusUser+"'")
	username, contact := old["Username"].(string), old["ContactId"].(string)
	seats := func() float64 {
		l := row(t, s, "SELECT UsedLicenses FROM UserLicense WHERE Name = 'Customer Community'")
		n, _ := l["UsedLicenses"].(json.Number).Float64()
		return n
	}
	before := seats()

	if r := collection(t, s, http.MethodPost, false, newUserRec(contact, "new@example.invalid")); code(r[0]) != "PORTAL_USER_ALREADY_EXISTS_FOR_CONTACT" {
		t.Errorf("a second active user for the contact: %+v", r[0])
	}
	other := row(t, s, "SELECT ContactId FROM User WHERE Id = '"+ccGlobex2+"'")["ContactId"].(string)
	if r := collection(t, s, http.MethodPatch, false, userRec(ccPlusUser, "IsPortalEnabled", false), userRec(ccGlobex2, "IsPortalEnabled", false)); !r[0].Success || !r[1].Success {
		t.Fatalf("disable: %+v", r)
	}
	d := row(t, s, "SELECT Username, IsActive, IsPortalEnabled, ContactId, UserRoleId FROM User WHERE Id = '"+ccPlusUser+"'")
	if d["IsActive"] != false || d["IsPortalEnabled"] != false || d["ContactId"] != nil || d["UserRoleId"] != nil || d["Username"] == username {
		t.Errorf("disabled user %v", d)
	}

	bad := newUserRec(contact, username)
	delete(bad, "Email")
	delete(bad, "LastName")
	r := collection(t, s, http.MethodPost, false, bad, newUserRec(other, "olivia.bennett@acme.example.com.uat"), newUserRec(contact, username))
	if code(r[0]) != "REQUIRED_FIELD_MISSING" || strings.Join(r[0].Errors[0].Fields, ",") != "Email,LastName" {
		t.Errorf("missing fields: %+v", r[0])
	}
	if code(r[1]) != "DUPLICATE_USERNAME" {
		t.Errorf("taken username: %+v", r[1])
	}
	if !r[2].Success || r[2].ID == nil || !strings.HasPrefix(*r[2].ID, "005") {
		t.Fatalf("the new user: %+v", r[2])
	}
	nu := row(t, s, "SELECT Username, IsActive, IsPortalEnabled, AccountId, Profile.UserLicense.Name FROM User WHERE ContactId = '"+contact+"'")
	if nu["Username"] != username || nu["IsActive"] != true || nu["IsPortalEnabled"] != true || nu["AccountId"] != acctGlobex {
		t.Errorf("new user %v", nu)
	}
	if got := seats(); got != before { // one freed (ccGlobex2), one taken
		t.Errorf("Customer Community seats used %v, want %v", got, before)
	}
	if r := collection(t, s, http.MethodPost, false, newUserRec("003Dn00000bZ0ZZIAC", "other@example.invalid")); code(r[0]) != "INVALID_CROSS_REFERENCE_KEY" {
		t.Errorf("an unknown contact: %+v", r[0])
	}

	// A role given on insert: a portal role of the contact's account, of
	// the license's type; another role is refused.
	manager := row(t, s, "SELECT Id FROM UserRole WHERE PortalAccountId = '"+acctGlobex+"' AND PortalRole = 'Manager' AND PortalType = 'CustomerPortal'")["Id"].(string)
	withRole := func(role string) map[string]any {
		r := newUserRec(other, "olivia.bennett+plus@acme.example.com.uat")
		r["ProfileId"], r["UserRoleId"] = profCCPlus, role
		return r
	}
	if r := collection(t, s, http.MethodPost, false, withRole("00EDn00000bK003MAC")); code(r[0]) != "FIELD_INTEGRITY_EXCEPTION" {
		t.Errorf("an internal role for a portal user: %+v", r[0])
	}
	if r := collection(t, s, http.MethodPost, false, withRole(manager)); !r[0].Success {
		t.Fatalf("the account's manager role: %+v", r[0])
	}
	if got := row(t, s, "SELECT UserRoleId FROM User WHERE ContactId = '"+other+"' AND IsActive = true")["UserRoleId"]; got != manager {
		t.Errorf("the new user's role %v, want %s", got, manager)
	}
}

func TestCollectionShapes(t *testing.T) {
	s := newServer(t, demoSnapshot(t), Options{})
	// allOrNone: one failure rolls the others back.
	r := collection(t, s, http.MethodPatch, true, userRec(ccGlobex, "IsActive", false), userRec(ccPlusUser, "ProfileId", profCC))
	if code(r[0]) != "ALL_OR_NONE_OPERATION_ROLLED_BACK" || code(r[1]) != "FIELD_INTEGRITY_EXCEPTION" {
		t.Errorf("allOrNone: %+v", r)
	}
	if u := row(t, s, "SELECT IsActive FROM User WHERE Id = '"+ccGlobex+"'"); u["IsActive"] != true {
		t.Error("allOrNone kept a write of a failed request")
	}
	// More than 200 records.
	many := make([]map[string]any, 201)
	for i := range many {
		many[i] = userRec(ccGlobex, "IsActive", true)
	}
	body, _ := json.Marshal(map[string]any{"records": many})
	if resp := serve(s, http.MethodPatch, writeTarget, s.AccessToken(), bytes.NewReader(body)); resp.status != 400 || resp.apiErr(t).ErrorCode != "EXCEEDED_ID_LIMIT" {
		t.Errorf("201 records: %d %s", resp.status, resp.body)
	}
	// Not JSON, and no type.
	if resp := serve(s, http.MethodPost, writeTarget, s.AccessToken(), strings.NewReader("{")); resp.status != 400 || resp.apiErr(t).ErrorCode != "JSON_PARSER_ERROR" {
		t.Errorf("bad body: %d %s", resp.status, resp.body)
	}
	if r := collection(t, s, http.MethodPost, false, map[string]any{"Username": "x"}); code(r[0]) != "INVALID_TYPE" {
		t.Errorf("no attributes: %+v", r[0])
	}
	// Single-record endpoints.
	resp := serve(s, http.MethodPatch, "/services/data/v"+testVersion+"/sobjects/User/"+ccGlobex, s.AccessToken(), strings.NewReader(`{"IsActive":false}`))
	if resp.status != http.StatusNoContent {
		t.Errorf("PATCH one: %d %s", resp.status, resp.body)
	}
	resp = serve(s, http.MethodPost, "/services/data/v"+testVersion+"/sobjects/PermissionSetAssignment", s.AccessToken(),
		strings.NewReader(`{"AssigneeId":"`+ccGlobex+`","PermissionSetId":"`+psCaseView+`"}`))
	if resp.status != http.StatusBadRequest || resp.apiErr(t).ErrorCode != "DUPLICATE_VALUE" {
		t.Errorf("a duplicate assignment: %d %s", resp.status, resp.body)
	}
	resp = serve(s, http.MethodPost, "/services/data/v"+testVersion+"/sobjects/PermissionSetAssignment", s.AccessToken(),
		strings.NewReader(`{"AssigneeId":"`+ccGlobex2+`","PermissionSetId":"`+psCaseView+`"}`))
	var created result
	resp.json(t, &created)
	if resp.status != http.StatusCreated || !created.Success || created.ID == nil {
		t.Errorf("POST one: %d %s", resp.status, resp.body)
	}
	if n := s.Stats().Writes; n < 5 {
		t.Errorf("Stats.Writes %d", n)
	}
}

// TestLostResponse: the write commits, the connection drops, and the
// record is written once.
func TestLostResponse(t *testing.T) {
	s := newServer(t, demoSnapshot(t), Options{LostResponseEvery: 1})
	hs := httptest.NewServer(s)
	defer hs.Close()
	body, _ := json.Marshal(map[string]any{"records": []map[string]any{userRec(ccGlobex, "IsActive", false)}})
	req, _ := http.NewRequest(http.MethodPatch, hs.URL+writeTarget, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.AccessToken())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got an answer (%d); want the connection dropped", resp.StatusCode)
	}
	if u := row(t, s, "SELECT IsActive FROM User WHERE Id = '"+ccGlobex+"'"); u["IsActive"] != false {
		t.Error("the write whose answer was lost did not commit")
	}
	if s.Stats().FaultsInjected[FaultLostResponse] != 1 {
		t.Errorf("faults %v", s.Stats().FaultsInjected)
	}
}

// TestWritesDoNotTouchTheSnapshot: New's snapshot stays as it was, and an
// open cursor keeps its records.
func TestWritesDoNotTouchTheSnapshot(t *testing.T) {
	snap := demoSnapshot(t)
	s := newServer(t, snap, Options{})
	collection(t, s, http.MethodPatch, false, userRec(ccGlobex, "IsActive", false))
	for _, u := range snap.Users {
		if u.ID == ccGlobex && u.IsActive != org.True {
			t.Fatal("a write changed the caller's snapshot")
		}
	}
}
