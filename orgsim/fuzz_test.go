package orgsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/licenseplan/licenseplan/org"
)

var (
	fuzzOnce sync.Once
	fuzzSrv  *Server
)

// FuzzQuery sends arbitrary SOQL to the query endpoint of the demo org: the
// answer is always a page (200) or Salesforce's error array (400), never a
// panic.
//
//	go test ./orgsim -run '^$' -fuzz FuzzQuery -fuzztime 30s
func FuzzQuery(f *testing.F) {
	for _, q := range org.Queries {
		f.Add(q.SOQL())
	}
	for _, q := range []string{
		"SELECT COUNT() FROM User WHERE Name LIKE '%a_%' LIMIT 3",
		"SELECT Id, Account.Owner.UserRoleId FROM User WHERE NOT (Account.IsPartner = true OR IsActive != false) ORDER BY Account.Name DESC NULLS LAST, Id LIMIT 5 OFFSET 2",
		"SELECT Name FROM UserLicense WHERE TotalLicenses > 2.5 AND UsedLicenses IN (1, 2, null)",
		"SELECT Id FROM User WHERE Id IN ('005Dn00000bP000', '005Dn00000bP001IAC')",
		"SELECT Id, id FROM User",
		"SELECT Id FROM Nope",
		"SELECT Id FROM User OFFSET 5000",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, soql string) {
		fuzzOnce.Do(func() {
			snap := demoSnapshot(t)
			var err error
			if fuzzSrv, err = New(snap, Options{APILimit: 1 << 30}); err != nil {
				t.Fatal(err)
			}
		})
		r := serve(fuzzSrv, http.MethodGet, queryPath(soql), fuzzSrv.AccessToken(), nil)
		checkAnswer(t, r, &page{})
	})
}

// FuzzWrite sends arbitrary sObject Collections bodies to a writable demo
// org: the answer is always one result per record (200) or Salesforce's
// error array (400), never a panic, and the org can still be queried.
//
//	go test ./orgsim -run '^$' -fuzz FuzzWrite -fuzztime 30s
func FuzzWrite(f *testing.F) {
	for _, b := range []string{
		`{"allOrNone":false,"records":[{"attributes":{"type":"User"},"Id":"005Dn00000bP00NIAS","ProfileId":"00eDn00000bA00JIAS"}]}`,
		`{"records":[{"attributes":{"type":"User"},"Id":"005Dn00000bP00cIAC","IsPortalEnabled":false}]}`,
		`{"allOrNone":true,"records":[{"attributes":{"type":"Account"},"Id":"001Dn00000bU000IAC","IsPartner":"yes"}]}`,
		`{"records":[{"attributes":{"type":"User"},"ContactId":"003Dn00000bZ000IAC","Username":"a@b","ProfileId":null}]}`,
		`{"records":[null,{},{"attributes":null},{"attributes":{"type":7}}]}`,
		`{"records":{}}`, `[]`, `null`,
	} {
		f.Add(true, b)
		f.Add(false, b)
	}
	var once sync.Once
	var srv *Server
	f.Fuzz(func(t *testing.T, insert bool, body string) {
		once.Do(func() {
			var err error
			if srv, err = New(demoSnapshot(t), Options{APILimit: 1 << 30, ExtraSeats: 3}); err != nil {
				t.Fatal(err)
			}
		})
		method := http.MethodPatch
		if insert {
			method = http.MethodPost
		}
		r := serve(srv, method, "/services/data/v"+testVersion+"/composite/sobjects", srv.AccessToken(), strings.NewReader(body))
		checkAnswer(t, r, &[]saveResult{})
		if q := serve(srv, http.MethodGet, queryPath("SELECT Id, Profile.Name, UserRole.Name FROM User"), srv.AccessToken(), nil); q.status != http.StatusOK {
			t.Fatalf("the org cannot be queried after the write: %d %s", q.status, q.body)
		}
	})
}

// checkAnswer fails unless r is a 200 whose body decodes into ok, or a 400
// with Salesforce's one-element error array.
func checkAnswer(t *testing.T, r response, ok any) {
	t.Helper()
	switch r.status {
	case http.StatusOK:
		if err := json.Unmarshal(r.body, ok); err != nil {
			t.Fatalf("200 with a body that is not a %T: %v\n%s", ok, err, r.body)
		}
	case http.StatusBadRequest:
		var errs []apiError
		if err := json.Unmarshal(r.body, &errs); err != nil || len(errs) != 1 || errs[0].ErrorCode == "" {
			t.Fatalf("400 without an error array: %s", r.body)
		}
	default:
		t.Fatalf("status %d: %s", r.status, r.body)
	}
}
