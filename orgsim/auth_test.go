package orgsim

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/simpleforce/simpleforce"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	oauthjwt "golang.org/x/oauth2/jwt"
)

// accessTokenRE is the Salesforce CLI's check of an access token's shape.
var accessTokenRE = regexp.MustCompile(`^(00D\w{12,15})![.\w]*$`)

func TestAccessTokenShape(t *testing.T) {
	s := newServer(t, demoSnapshot(t), Options{})
	tok := s.AccessToken()
	if !accessTokenRE.MatchString(tok) || !strings.HasPrefix(tok, "00DDn00000b0000!") {
		t.Errorf("token %q does not look like a Salesforce access token of org 00DDn00000b0000", tok)
	}
	if s.AccessToken() != tok {
		t.Error("AccessToken changed while the session is valid")
	}
	if other := newServer(t, demoSnapshot(t), Options{}).AccessToken(); other == tok {
		t.Error("two servers handed out the same token")
	}
}

func TestBadTokens(t *testing.T) {
	s := newServer(t, demoSnapshot(t), Options{})
	good := s.AccessToken()
	for _, h := range []string{"", "Bearer", "Bearer nope", "Bearer " + good + "x", "Basic " + good, "Bearer 00DDn00000b0000!AQforged"} {
		req := httptest.NewRequest(http.MethodGet, "http://example.com"+queryPath(oneUser), nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		r := response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
		if e := r.apiErr(t); r.status != 401 || e.ErrorCode != "INVALID_SESSION_ID" {
			t.Errorf("Authorization %q: %d %+v, want 401 INVALID_SESSION_ID", h, r.status, e)
		}
	}
	for _, p := range []string{"/services/oauth2/userinfo", "/id/00DDn00000b0000MAA/005SM0000000001YAA"} {
		if r := serve(s, http.MethodGet, p, "nope", nil); r.status != 401 {
			t.Errorf("%s with a bad token: %d", p, r.status)
		}
	}
	// "OAuth <token>" is accepted too, as Salesforce does.
	req := httptest.NewRequest(http.MethodGet, "http://example.com"+queryPath(oneUser), nil)
	req.Header.Set("Authorization", "OAuth "+good)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("OAuth scheme: %d %s", rec.Code, rec.Body)
	}
}

// startServer serves s on loopback for clients that need a URL.
func startServer(t *testing.T, s *Server) string {
	t.Helper()
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return hs.URL
}

// checkToken uses a token from a grant for a query, and checks the token
// response's fields.
func checkToken(t *testing.T, base string, tok *oauth2.Token) {
	t.Helper()
	if !accessTokenRE.MatchString(tok.AccessToken) || tok.TokenType != "Bearer" {
		t.Errorf("token %q type %q", tok.AccessToken, tok.TokenType)
	}
	if got := tok.Extra("instance_url"); got != base {
		t.Errorf("instance_url %v, want %s", got, base)
	}
	if id, _ := tok.Extra("id").(string); !strings.HasPrefix(id, base+"/id/00DDn00000b0000MAA/005") {
		t.Errorf("id %q", id)
	}
	for _, k := range []string{"issued_at", "signature"} {
		if v, _ := tok.Extra(k).(string); v == "" {
			t.Errorf("no %s", k)
		}
	}
	c := &httpClient{t: t, base: base, token: tok.AccessToken}
	if recs := c.queryAll("SELECT Id FROM Organization"); len(recs) != 1 {
		t.Errorf("query with the new token: %d records", len(recs))
	}
}

func TestPasswordGrant(t *testing.T) {
	s := newServer(t, demoSnapshot(t), Options{})
	base := startServer(t, s)
	d := DefaultCredentials()
	conf := &oauth2.Config{ClientID: d.ClientID, ClientSecret: d.ClientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: base + "/services/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	tok, err := conf.PasswordCredentialsToken(context.Background(), d.Username, d.Password+d.SecurityToken)
	if err != nil {
		t.Fatal(err)
	}
	checkToken(t, base, tok)

	tests := []struct {
		name             string
		id, secret, user string
		password         string
		wantErr, wantMsg string
	}{
		{"bad client id", "nope", d.ClientSecret, d.Username, d.Password + d.SecurityToken, "invalid_client_id", "client identifier invalid"},
		{"bad secret", d.ClientID, "nope", d.Username, d.Password + d.SecurityToken, "invalid_client", "invalid client credentials"},
		{"bad password", d.ClientID, d.ClientSecret, d.Username, "wrong", "invalid_grant", "authentication failure"},
		{"password without token", d.ClientID, d.ClientSecret, d.Username, d.Password, "invalid_grant", "authentication failure"},
		{"unknown user", d.ClientID, d.ClientSecret, "who@example.com", d.Password + d.SecurityToken, "invalid_grant", "authentication failure"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conf := &oauth2.Config{ClientID: tc.id, ClientSecret: tc.secret,
				Endpoint: oauth2.Endpoint{TokenURL: base + "/services/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
			_, err := conf.PasswordCredentialsToken(context.Background(), tc.user, tc.password)
			checkOAuthErr(t, err, tc.wantErr, tc.wantMsg)
		})
	}
}

func checkOAuthErr(t *testing.T, err error, code, desc string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want an oauth2.RetrieveError", err)
	}
	// x/oauth2/jwt leaves the body unparsed: read it here.
	var e oauthError
	if err := json.Unmarshal(re.Body, &e); err != nil {
		t.Fatalf("error body %q: %v", re.Body, err)
	}
	if re.Response.StatusCode != 400 || e.Error != code || e.Description != desc {
		t.Errorf("%d %q %q, want 400 %q %q", re.Response.StatusCode, e.Error, e.Description, code, desc)
	}
}

func TestClientCredentialsGrant(t *testing.T) {
	s := newServer(t, demoSnapshot(t), Options{})
	base := startServer(t, s)
	d := DefaultCredentials()
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleAutoDetect, oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		conf := &clientcredentials.Config{ClientID: d.ClientID, ClientSecret: d.ClientSecret,
			TokenURL: base + "/services/oauth2/token", AuthStyle: style}
		tok, err := conf.Token(context.Background())
		if err != nil {
			t.Fatalf("auth style %d: %v", style, err)
		}
		checkToken(t, base, tok)
	}
	for _, tc := range []struct{ id, secret, code, desc string }{
		{"nope", d.ClientSecret, "invalid_client_id", "client identifier invalid"},
		{d.ClientID, "nope", "invalid_client", "invalid client credentials"},
	} {
		conf := &clientcredentials.Config{ClientID: tc.id, ClientSecret: tc.secret,
			TokenURL: base + "/services/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}
		_, err := conf.Token(context.Background())
		checkOAuthErr(t, err, tc.code, tc.desc)
	}
}

func TestJWTBearerGrant(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemOf := func(k *rsa.PrivateKey) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	}
	d := DefaultCredentials()
	s := newServer(t, demoSnapshot(t), Options{JWTPublicKey: &key.PublicKey})
	base := startServer(t, s)
	tokenURL := base + "/services/oauth2/token"

	for _, aud := range []string{"https://login.salesforce.com", "https://test.salesforce.com", base, ""} {
		conf := &oauthjwt.Config{Email: d.ClientID, Subject: d.Username, PrivateKey: pemOf(key),
			TokenURL: tokenURL, Audience: aud}
		tok, err := conf.TokenSource(context.Background()).Token()
		if aud == "" { // x/oauth2 then uses the token URL, which is no login URL
			checkOAuthErr(t, err, "invalid_grant", "audience is invalid")
			continue
		}
		if err != nil {
			t.Fatalf("audience %q: %v", aud, err)
		}
		checkToken(t, base, tok)
	}

	sign := func(k *rsa.PrivateKey, method jwt.SigningMethod, claims jwt.MapClaims) string {
		t.Helper()
		var signKey any = k
		if method == jwt.SigningMethodHS256 {
			signKey = []byte("secret")
		}
		s, err := jwt.NewWithClaims(method, claims).SignedString(signKey)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": d.ClientID, "sub": d.Username, "aud": "https://login.salesforce.com",
			"exp": time.Now().Add(3 * time.Minute).Unix()}
	}
	with := func(k string, v any) jwt.MapClaims {
		c := good()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name      string
		assertion string
		code      string
		desc      string
	}{
		{"other key", sign(other, jwt.SigningMethodRS256, good()), "invalid_grant", "invalid assertion"},
		{"HS256", sign(key, jwt.SigningMethodHS256, good()), "invalid_grant", "invalid assertion"},
		{"not a JWT", "abc.def.ghi", "invalid_grant", "invalid assertion"},
		{"empty", "", "invalid_grant", "invalid assertion"},
		{"expired", sign(key, jwt.SigningMethodRS256, with("exp", time.Now().Add(-time.Hour).Unix())), "invalid_grant", "expired authorization code"},
		{"no exp", sign(key, jwt.SigningMethodRS256, with("exp", nil)), "invalid_grant", "invalid assertion"},
		{"wrong issuer", sign(key, jwt.SigningMethodRS256, with("iss", "someone")), "invalid_client_id", "client identifier invalid"},
		{"wrong subject", sign(key, jwt.SigningMethodRS256, with("sub", "who@example.com")), "invalid_grant", "user hasn't approved this consumer"},
		{"wrong audience", sign(key, jwt.SigningMethodRS256, with("aud", "https://evil.example.com")), "invalid_grant", "audience is invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := postForm(t, base, url.Values{"grant_type": {grantJWTBearer}, "assertion": {tc.assertion}})
			var e oauthError
			r.json(t, &e)
			if r.status != 400 || e.Error != tc.code || e.Description != tc.desc {
				t.Errorf("%d %+v, want 400 %s %q", r.status, e, tc.code, tc.desc)
			}
		})
	}

	// Without a registered key every JWT grant is refused.
	noKey := startServer(t, newServer(t, demoSnapshot(t), Options{}))
	r := postForm(t, noKey, url.Values{"grant_type": {grantJWTBearer}, "assertion": {sign(key, jwt.SigningMethodRS256, good())}})
	var e oauthError
	r.json(t, &e)
	if r.status != 400 || e.Error != "invalid_grant" {
		t.Errorf("no key: %d %+v", r.status, e)
	}
}

func postForm(t *testing.T, base string, form url.Values) response {
	t.Helper()
	resp, err := http.PostForm(base+"/services/oauth2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

func TestTokenEndpointErrors(t *testing.T) {
	base := startServer(t, newServer(t, demoSnapshot(t), Options{}))
	for _, tc := range []struct {
		form url.Values
		code string
	}{
		{url.Values{}, "invalid_request"},
		{url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, "unsupported_grant_type"},
		{url.Values{"grant_type": {"refresh_token"}}, "unsupported_grant_type"},
	} {
		r := postForm(t, base, tc.form)
		var e oauthError
		r.json(t, &e)
		if r.status != 400 || e.Error != tc.code || e.Description == "" {
			t.Errorf("%v: %d %+v, want 400 %s", tc.form, r.status, e, tc.code)
		}
	}
	resp, err := http.Get(base + "/services/oauth2/token")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("GET token: %d", resp.StatusCode)
	}
}

// quietLog sends the standard logger, which simpleforce writes to, to the
// test log for the duration of a test.
func quietLog(t *testing.T) {
	w := log.Writer()
	log.SetOutput(io.Discard)
	t.Cleanup(func() { log.SetOutput(w) })
}

func TestSOAPLogin(t *testing.T) {
	quietLog(t)
	s := newServer(t, demoSnapshot(t), Options{})
	base := startServer(t, s)
	d := DefaultCredentials()

	c := simpleforce.NewClient(base, simpleforce.DefaultClientID, simpleforce.DefaultAPIVersion)
	if err := c.LoginPassword(d.Username, d.Password, d.SecurityToken); err != nil {
		t.Fatalf("LoginPassword: %v", err)
	}
	if c.GetLoc() != base || !accessTokenRE.MatchString(c.GetSid()) {
		t.Errorf("instance %q, session %q", c.GetLoc(), c.GetSid())
	}
	res, err := c.Query("SELECT Id, Name, IsSandbox FROM Organization")
	if err != nil || res.TotalSize != 1 || res.Records[0].StringField("Name") != "Acme Demo (Sandbox)" {
		t.Errorf("query after SOAP login: %+v, %v", res, err)
	}

	tests := []struct {
		name, version, user, password, token string
		code, msg                            string
	}{
		{"bad password", "54.0", d.Username, "wrong", d.SecurityToken, "sf:INVALID_LOGIN",
			"INVALID_LOGIN: Invalid username, password, security token; or user locked out."},
		{"missing security token", "54.0", d.Username, d.Password, "", "sf:INVALID_LOGIN",
			"INVALID_LOGIN: Invalid username, password, security token; or user locked out."},
		{"unknown user", "54.0", "who@example.com", d.Password, d.SecurityToken, "sf:INVALID_LOGIN",
			"INVALID_LOGIN: Invalid username, password, security token; or user locked out."},
		{"API 65.0 has no login()", "65.0", d.Username, d.Password, d.SecurityToken, "soapenv:Client",
			"No operation available for request {urn:partner.soap.sforce.com}login, please check the WSDL for the service."},
		{"retired API version", "20.0", d.Username, d.Password, d.SecurityToken, "sf:UNSUPPORTED_API_VERSION",
			"UNSUPPORTED_API_VERSION: Invalid Api version specified on URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := simpleforce.NewClient(base, simpleforce.DefaultClientID, tc.version)
			err := c.LoginPassword(tc.user, tc.password, tc.token)
			var se simpleforce.SalesforceError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a simpleforce.SalesforceError", err)
			}
			if se.HttpCode != 500 || se.ErrorCode != tc.code || se.ErrorMessage != tc.msg {
				t.Errorf("%d %q %q; want 500 %q %q", se.HttpCode, se.ErrorCode, se.ErrorMessage, tc.code, tc.msg)
			}
		})
	}
}

func TestSOAPLoginResponse(t *testing.T) {
	s := newServer(t, demoSnapshot(t), Options{})
	d := DefaultCredentials()
	env := `<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">` +
		`<env:Body><n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>` + d.Username +
		`</n1:username><n1:password>` + d.Password + d.SecurityToken + `</n1:password></n1:login></env:Body></env:Envelope>`
	r := serve(s, http.MethodPost, "/services/Soap/u/54.0", "", strings.NewReader(env), "Content-Type", "text/xml", "SOAPAction", "login")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/xml") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	golden(t, "soap-login.xml", tokenRE.ReplaceAll(r.body, []byte("TOKEN")))

	r = serve(s, http.MethodPost, "/services/Soap/u/54.0", "", strings.NewReader(strings.ReplaceAll(env, "wrong", "")[:40]))
	if r.status != 500 || !strings.Contains(string(r.body), "<faultcode>soapenv:Client</faultcode>") {
		t.Errorf("malformed envelope: %d %s", r.status, r.body)
	}
	r = serve(s, http.MethodPost, "/services/Soap/u/54.0", "", strings.NewReader(strings.ReplaceAll(env, d.Password, "bad")))
	golden(t, "soap-invalid-login.xml", r.body)
	query := strings.Replace(strings.Replace(env, "n1:login ", "n1:query ", 1), "</n1:login>", "</n1:query>", 1)
	r = serve(s, http.MethodPost, "/services/Soap/u/54.0", "", strings.NewReader(query))
	if r.status != 500 || !strings.Contains(string(r.body), "{urn:partner.soap.sforce.com}query") {
		t.Errorf("other SOAP call: %d %s", r.status, r.body)
	}
}

func TestSessionsFromSimpleforce(t *testing.T) {
	quietLog(t)
	s := newServer(t, usersSnapshot(4500), Options{})
	base := startServer(t, s)
	c := simpleforce.NewClient(base, simpleforce.DefaultClientID, simpleforce.DefaultAPIVersion)
	c.SetSidLoc(s.AccessToken(), base)
	res, err := c.Query("SELECT Id, Username FROM User ORDER BY Id")
	if err != nil {
		t.Fatal(err)
	}
	n := len(res.Records)
	for !res.Done {
		if res, err = c.Query(res.NextRecordsURL); err != nil {
			t.Fatal(err)
		}
		n += len(res.Records)
	}
	if n != 4500 || res.TotalSize != 4500 {
		t.Errorf("%d records of totalSize %d, want 4500", n, res.TotalSize)
	}
	meta := c.SObject("Account").Describe()
	if meta == nil || (*meta)["name"] != "Account" {
		t.Errorf("describe Account via simpleforce: %v", meta)
	}
	bad := simpleforce.NewClient(base, simpleforce.DefaultClientID, simpleforce.DefaultAPIVersion)
	bad.SetSidLoc("00DSM0000000001!AQnope", base)
	_, err = bad.Query("SELECT Id FROM User")
	var se simpleforce.SalesforceError
	if !errors.As(err, &se) || se.HttpCode != 401 || se.ErrorCode != "INVALID_SESSION_ID" {
		t.Errorf("bad session: %v", err)
	}
}
