package orgsim

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestEndpointShapes pins the JSON of every endpoint in golden files
// (testdata/*.json; go test ./orgsim -update rewrites them).
func TestEndpointShapes(t *testing.T) {
	s := newServer(t, demoSnapshot(t), Options{})
	tok := s.AccessToken()
	user := "005Dn00000bP01zIAC" // a Partner Community user of the demo org
	tests := []struct {
		name, target string
		auth         bool
	}{
		{"versions", "/services/data", false},
		{"resources", "/services/data/v54.0", true},
		{"query-users", queryPath("SELECT Id, Username, IsActive, Profile.Name, Profile.UserLicense.Name, UserRole.Name, " +
			"Account.Name, Account.IsPartner, Account.Owner.UserRoleId FROM User WHERE Id IN ('005Dn00000bP000IAC', '" + user + "') ORDER BY Id"), true},
		{"query-licenses", queryPath("SELECT Name, TotalLicenses, UsedLicenses FROM UserLicense ORDER BY Name LIMIT 2"), true},
		{"query-count", queryPath("SELECT COUNT() FROM User WHERE IsActive = true"), true},
		{"query-columns", queryPath("SELECT Id, Profile.Name, Profile.UserLicense.Name, IsActive FROM User") + "&columns=true", true},
		{"query-sf-cli-organization", queryPath("SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization"), true},
		{"describe-global", "/services/data/v54.0/sobjects", true},
		{"describe-account", "/services/data/v54.0/sobjects/Account/describe", true},
		{"sobject-account", "/services/data/v54.0/sobjects/Account", true},
		{"retrieve-user", "/services/data/v51.0/sobjects/User/" + user, true},
		{"retrieve-user-15", "/services/data/v51.0/sobjects/User/" + user[:15] + "?fields=Username,IsActive", true},
		{"limits", "/services/data/v54.0/limits", true},
		{"userinfo", "/services/oauth2/userinfo", true},
		{"identity", "/id/00DDn00000b0000MAA/005SM0000000001YAA", true},
		{"error-invalid-field", queryPath("SELECT Id, Nme FROM User"), true},
		{"error-not-found", "/services/data/v54.0/sobjects/User/005000000000000AAA", true},
		{"error-unknown-version", "/services/data/v20.0/limits", true},
		{"error-session", "/services/data/v54.0/limits", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token := ""
			if tc.auth {
				token = tok
			}
			r := serve(s, http.MethodGet, tc.target, token, nil)
			if ct := r.header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if !regexp.MustCompile(`^api-usage=\d+/100000$`).MatchString(r.header.Get("Sforce-Limit-Info")) {
				t.Errorf("Sforce-Limit-Info %q", r.header.Get("Sforce-Limit-Info"))
			}
			golden(t, tc.name+".json", append([]byte(http.StatusText(r.status)+"\n"), indent(t, r.body)...))
		})
	}
}

func TestTokenResponseShape(t *testing.T) {
	s := newServer(t, demoSnapshot(t), Options{})
	d := DefaultCredentials()
	form := url.Values{"grant_type": {"password"}, "client_id": {d.ClientID}, "client_secret": {d.ClientSecret},
		"username": {d.Username}, "password": {d.Password + d.SecurityToken}}
	r := serve(s, http.MethodPost, "/services/oauth2/token", "", strings.NewReader(form.Encode()),
		"Content-Type", "application/x-www-form-urlencoded")
	body := regexp.MustCompile(`"(issued_at|signature)": "[^"]+"`).ReplaceAll(indent(t, r.body), []byte(`"$1": "…"`))
	golden(t, "token.json", body)
	var tok tokenResponse
	r.json(t, &tok)
	if !regexp.MustCompile(`^\d{13}$`).MatchString(tok.IssuedAt) || len(tok.Signature) != 44 {
		t.Errorf("issued_at %q (want milliseconds), signature %q (want base64 SHA-256)", tok.IssuedAt, tok.Signature)
	}
	if r.header.Get("Sforce-Limit-Info") == "" {
		t.Error("token response without Sforce-Limit-Info")
	}
}

func TestDescribeWithoutIsPartner(t *testing.T) {
	s := newServer(t, usersSnapshot(1), Options{})
	r := serve(s, http.MethodGet, "/services/data/v54.0/sobjects/Account/describe", s.AccessToken(), nil)
	var d struct {
		Fields []struct{ Name string }
	}
	r.json(t, &d)
	var names []string
	for _, f := range d.Fields {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); got != "Id,Name,IsCustomerPortal,OwnerId" {
		t.Errorf("Account fields %s: IsPartner must be absent when the snapshot lacks it", got)
	}
	demo := newServer(t, demoSnapshot(t), Options{})
	r = serve(demo, http.MethodGet, "/services/data/v54.0/sobjects/Account/describe", demo.AccessToken(), nil)
	if !strings.Contains(string(r.body), `"name":"IsPartner"`) {
		t.Error("demo Account describe lacks IsPartner")
	}
}

func TestRouting(t *testing.T) {
	s := newServer(t, demoSnapshot(t), Options{})
	tok := s.AccessToken()
	q := "?q=" + url.QueryEscape("SELECT Id FROM Organization")
	tests := []struct {
		method, target string
		status         int
		code           string
	}{
		{"GET", "//services//data//v54.0//query/" + q, 200, ""},
		{"GET", "/services/data/v54.0/query/" + q, 200, ""},
		{"GET", "/services/data/v54.0/queryAll" + q, 200, ""},
		{"GET", "//services/data/", 200, ""},
		{"GET", "/services/data/v54.0/sobjects/Organization/00DDn00000b0000MAA", 200, ""},
		{"GET", "/services/data/v54.0/sobjects/Nope/describe", 404, "NOT_FOUND"},
		{"GET", "/services/data/v54.0/sobjects/Nope", 404, "NOT_FOUND"},
		{"GET", "/services/data/v54.0/sobjects/Nope/001000000000000AAA", 404, "NOT_FOUND"},
		{"GET", "/services/data/v54.0/sobjects/User/005Dn00000bP000IAC?fields=Nope", 400, "INVALID_FIELD"},
		{"GET", "/services/data/v54.0/tooling/query" + q, 404, "NOT_FOUND"},
		{"GET", "/services/data/v69.0/query" + q, 404, "NOT_FOUND"},
		{"GET", "/services/data/54.0/query" + q, 404, "NOT_FOUND"},
		{"GET", "/services/apexrest/x", 404, "NOT_FOUND"},
		{"GET", "/", 404, "NOT_FOUND"},
		{"POST", "/services/data/v54.0/sobjects/Account", 400, "JSON_PARSER_ERROR"}, // no body
		{"PUT", "/services/data/v54.0/sobjects/Account/001Dn00000bU000IAC", 405, "METHOD_NOT_ALLOWED"},
		{"POST", "/services/data/v54.0/composite", 405, "METHOD_NOT_ALLOWED"},
		{"DELETE", "/services/data/v54.0/sobjects/Account/001Dn00000bU000IAC", 405, "METHOD_NOT_ALLOWED"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			r := serve(s, tc.method, tc.target, tok, nil)
			if r.status != tc.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, tc.status)
			}
			if tc.code != "" {
				if e := r.apiErr(t); e.ErrorCode != tc.code {
					t.Errorf("errorCode %s, want %s", e.ErrorCode, tc.code)
				}
			}
			if r.header.Get("Sforce-Limit-Info") == "" {
				t.Error("no Sforce-Limit-Info")
			}
		})
	}
}

func TestVersionsAndReleaseNames(t *testing.T) {
	for v, want := range map[int]string{31: "Summer '14", 54: "Spring '22", 64: "Summer '25", 65: "Winter '26", 68: "Winter '27", 69: "Spring '27"} {
		if got := releaseName(v); got != want {
			t.Errorf("releaseName(%d) = %q, want %q", v, got, want)
		}
	}
	s := newServer(t, usersSnapshot(1), Options{APIVersions: []string{"60.0", "58.0"}})
	r := serve(s, http.MethodGet, "/services/data", "", nil)
	var vs []struct{ Version, URL, Label string }
	r.json(t, &vs)
	if len(vs) != 2 || vs[0].Version != "58.0" || vs[1].URL != "/services/data/v60.0" {
		t.Errorf("versions %+v", vs)
	}
	if r := serve(s, http.MethodGet, queryPath(oneUser), s.AccessToken(), nil); r.status != 404 {
		t.Errorf("v54.0 when not served: %d", r.status)
	}
	if _, err := New(usersSnapshot(1), Options{APIVersions: []string{"v60"}}); err == nil {
		t.Error("a bad version was accepted")
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{
		{ErrorRate: 1.5}, {RateLimitRate: -0.1}, {APILimit: -1}, {Latency: -1}, {DropEvery: -2}, {MaxCursors: -1},
	} {
		if _, err := New(usersSnapshot(1), o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
	if _, err := New(nil, Options{}); err == nil {
		t.Error("New(nil) accepted")
	}
}
