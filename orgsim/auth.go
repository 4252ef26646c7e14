package orgsim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Grant types of the OAuth token endpoint.
const (
	grantPassword          = "password"
	grantClientCredentials = "client_credentials"
	grantJWTBearer         = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

// maxAuthBody bounds the body of token and SOAP login requests.
const maxAuthBody = 1 << 20

// newSessionLocked mints an access token shaped like Salesforce's: the
// org's 15-character Id, "!", and random characters from [A-Za-z0-9._].
// The caller holds s.mu.
func (s *Server) newSessionLocked() string {
	var raw [72]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails
	body := strings.ReplaceAll(base64.RawURLEncoding.EncodeToString(raw[:]), "-", ".")
	token := s.orgID15 + "!AQ" + body
	s.sessions[token] = true
	return token
}

func (s *Server) newSession() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newSessionLocked()
}

// instanceURL is the scheme and host the request came to: the org's
// instance URL as clients must use it.
func instanceURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// equalSecret compares a presented credential in constant time.
func equalSecret(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// oauthError is the token endpoint's error body.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// tokenResponse is the token endpoint's success body, in Salesforce's
// field order.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	Signature   string `json:"signature"`
	Scope       string `json:"scope,omitempty"`
	InstanceURL string `json:"instance_url"`
	ID          string `json:"id"`
	TokenType   string `json:"token_type"`
	IssuedAt    string `json:"issued_at"`
}

func writeOAuthError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, oauthError{Error: code, Description: desc})
}

// handleToken is POST /services/oauth2/token: the password, client
// credentials and JWT bearer grants. Token requests are not API requests:
// they get no injected faults and do not count against the limit.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeOAuthError(w, "invalid_request", "must use HTTP POST")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAuthBody)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, "invalid_request", "request body is not a valid form")
		return
	}
	clientID, clientSecret, basic := r.BasicAuth()
	if !basic {
		clientID, clientSecret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	o := &s.opts
	switch grant := r.PostForm.Get("grant_type"); grant {
	case grantPassword:
		if !equalSecret(clientID, o.ClientID) {
			writeOAuthError(w, "invalid_client_id", "client identifier invalid")
			return
		}
		if !equalSecret(clientSecret, o.ClientSecret) {
			writeOAuthError(w, "invalid_client", "invalid client credentials")
			return
		}
		if !strings.EqualFold(r.PostForm.Get("username"), o.Username) ||
			!equalSecret(r.PostForm.Get("password"), o.Password+o.SecurityToken) {
			writeOAuthError(w, "invalid_grant", "authentication failure")
			return
		}
		s.writeToken(w, r, "")
	case grantClientCredentials:
		if !equalSecret(clientID, o.ClientID) {
			writeOAuthError(w, "invalid_client_id", "client identifier invalid")
			return
		}
		if !equalSecret(clientSecret, o.ClientSecret) {
			writeOAuthError(w, "invalid_client", "invalid client credentials")
			return
		}
		s.writeToken(w, r, "api")
	case grantJWTBearer:
		if code, desc := s.checkAssertion(r, r.PostForm.Get("assertion")); code != "" {
			writeOAuthError(w, code, desc)
			return
		}
		s.writeToken(w, r, "api")
	case "":
		writeOAuthError(w, "invalid_request", "grant type not specified")
	default:
		writeOAuthError(w, "unsupported_grant_type", "grant type not supported")
	}
}

// checkAssertion verifies a JWT bearer assertion: RS256 signed with the
// registered key, iss the client id, sub the username, aud a login URL or
// this instance, not expired. It returns the OAuth error, or "" when the
// assertion is good.
func (s *Server) checkAssertion(r *http.Request, assertion string) (code, desc string) {
	o := &s.opts
	if o.JWTPublicKey == nil {
		return "invalid_grant", "invalid assertion: no certificate is registered for JWT bearer grants"
	}
	if assertion == "" {
		return "invalid_grant", "invalid assertion"
	}
	tok, err := jwt.Parse(assertion, func(*jwt.Token) (any, error) { return o.JWTPublicKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithExpirationRequired(), jwt.WithLeeway(30*time.Second))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "invalid_grant", "expired authorization code"
	case err != nil:
		return "invalid_grant", "invalid assertion"
	}
	claims, _ := tok.Claims.(jwt.MapClaims)
	iss, _ := claims.GetIssuer()
	sub, _ := claims.GetSubject()
	aud, _ := claims.GetAudience()
	if !equalSecret(iss, o.ClientID) {
		return "invalid_client_id", "client identifier invalid"
	}
	if !strings.EqualFold(sub, o.Username) {
		return "invalid_grant", "user hasn't approved this consumer"
	}
	allowed := []string{"https://login.salesforce.com", "https://test.salesforce.com", instanceURL(r)}
	ok := false
	for _, a := range aud {
		ok = ok || slices.Contains(allowed, strings.TrimSuffix(a, "/"))
	}
	if !ok {
		return "invalid_grant", "audience is invalid"
	}
	return "", ""
}

// identityURL is the id of a token response and the sub of userinfo.
func (s *Server) identityURL(r *http.Request) string {
	u := s.apiUserRecord()
	return instanceURL(r) + "/id/" + s.current().org.ID + "/" + u.ID
}

func (s *Server) writeToken(w http.ResponseWriter, r *http.Request, scope string) {
	token := s.newSession()
	id := s.identityURL(r)
	issued := strconv.FormatInt(time.Now().UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(s.opts.ClientSecret))
	mac.Write([]byte(id + issued))
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: token, Signature: base64.StdEncoding.EncodeToString(mac.Sum(nil)), Scope: scope,
		InstanceURL: instanceURL(r), ID: id, TokenType: "Bearer", IssuedAt: issued,
	})
}

// apiUserRecord returns the session user.
func (s *Server) apiUserRecord() apiUser {
	d := s.current()
	u := d.b.users[d.apiUser]
	au := apiUser{ID: u.ID, Username: u.Username, Name: u.Name, UserType: u.UserType, ProfileID: u.ProfileID, RoleID: u.RoleID}
	if au.Name == "" {
		au.Name = au.Username
	}
	if au.UserType == "" {
		au.UserType = "Standard"
	}
	return au
}

type apiUser struct {
	ID, Username, Name, UserType, ProfileID, RoleID string
}

// handleUserinfo is GET /services/oauth2/userinfo, the OpenID Connect
// user info of the session user.
func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authenticate(r); !ok {
		writeInvalidSession(w)
		return
	}
	u := s.apiUserRecord()
	base := instanceURL(r)
	orgID := s.current().org.ID
	given, family, _ := strings.Cut(u.Name, " ")
	writeJSON(w, http.StatusOK, map[string]any{
		"sub": s.identityURL(r), "user_id": u.ID, "organization_id": orgID,
		"preferred_username": u.Username, "nickname": strings.SplitN(u.Username, "@", 2)[0], "name": u.Name,
		"email": u.Username, "email_verified": true, "given_name": given, "family_name": family,
		"zoneinfo": "America/Los_Angeles", "photos": map[string]string{}, "profile": base + "/" + u.ID,
		"picture": "", "address": map[string]string{}, "urls": s.urls(base),
		"active": true, "user_type": strings.ToUpper(u.UserType), "language": "en_US", "locale": "en_US",
		"utcOffset": -28800000, "updated_at": "2026-01-01T00:00:00Z", "is_app_installed": true,
	})
}

// urls are the identity service's links; Salesforce leaves {version} for
// the client to fill in.
func (s *Server) urls(base string) map[string]string {
	orgID := s.current().org.ID
	return map[string]string{
		"enterprise":    base + "/services/Soap/c/{version}/" + orgID,
		"partner":       base + "/services/Soap/u/{version}/" + orgID,
		"rest":          base + "/services/data/v{version}/",
		"sobjects":      base + "/services/data/v{version}/sobjects/",
		"query":         base + "/services/data/v{version}/query/",
		"limits":        base + "/services/data/v{version}/limits/",
		"custom_domain": base,
	}
}

// handleIdentity is GET /id/{orgId}/{userId}, the identity service that
// the token response's id names.
func (s *Server) handleIdentity(w http.ResponseWriter, r *http.Request, orgID, userID string) {
	if _, ok := s.authenticate(r); !ok {
		writeInvalidSession(w)
		return
	}
	u := s.apiUserRecord()
	if !idEqual(orgID, s.current().org.ID) || !idEqual(userID, u.ID) {
		writeError(w, http.StatusForbidden, "BAD_ID", "Bad_Id")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": s.identityURL(r), "asserted_user": true, "user_id": u.ID, "organization_id": s.current().org.ID,
		"username": u.Username, "nick_name": strings.SplitN(u.Username, "@", 2)[0], "display_name": u.Name,
		"email": u.Username, "email_verified": true, "active": true, "user_type": strings.ToUpper(u.UserType),
		"language": "en_US", "locale": "en_US", "utcOffset": -28800000, "timezone": "America/Los_Angeles",
		"urls": s.urls(instanceURL(r)), "is_app_installed": true, "last_modified_date": "2026-01-01T00:00:00.000+0000",
	})
}

// SOAP login: the request envelope and the response shapes of the partner
// API.
type soapEnvelope struct {
	Body struct {
		Login *struct {
			Username string `xml:"username"`
			Password string `xml:"password"`
		} `xml:"login"`
		Ops []struct {
			XMLName xml.Name
		} `xml:",any"`
	} `xml:"Body"`
}

const (
	soapEnvNS    = "http://schemas.xmlsoap.org/soap/envelope/"
	partnerNS    = "urn:partner.soap.sforce.com"
	partnerFault = "urn:fault.partner.soap.sforce.com"
	xsiNS        = "http://www.w3.org/2001/XMLSchema-instance"
	invalidLogin = "Invalid username, password, security token; or user locked out."
)

// handleSOAP is POST /services/Soap/u/{version}: the partner API's
// login(). Other SOAP calls are not simulated. login() does not exist from
// API 65.0: such requests get the fault Salesforce gives for an operation
// missing from the WSDL.
func (s *Server) handleSOAP(w http.ResponseWriter, r *http.Request, ver string) {
	major, ok := parseVersion(ver)
	if !ok || !slices.Contains(s.opts.APIVersions, strings.TrimPrefix(ver, "v")) || strings.HasPrefix(ver, "v") {
		writeSOAPFault(w, "sf:UNSUPPORTED_API_VERSION", "UNSUPPORTED_API_VERSION: Invalid Api version specified on URL", "", "")
		return
	}
	if r.Method != http.MethodPost {
		writeSOAPFault(w, "soapenv:Client", "SOAP requests must use HTTP POST", "", "")
		return
	}
	var env soapEnvelope
	dec := xml.NewDecoder(http.MaxBytesReader(w, r.Body, maxAuthBody))
	if err := dec.Decode(&env); err != nil {
		writeSOAPFault(w, "soapenv:Client", "Could not parse the SOAP request: "+err.Error(), "", "")
		return
	}
	op := "login"
	if env.Body.Login == nil {
		op = "(none)"
		if len(env.Body.Ops) > 0 {
			op = env.Body.Ops[0].XMLName.Local
		}
	}
	if env.Body.Login == nil || major >= soapLoginRemovedIn {
		writeSOAPFault(w, "soapenv:Client", fmt.Sprintf(
			"No operation available for request {%s}%s, please check the WSDL for the service.", partnerNS, op), "", "")
		return
	}
	o := &s.opts
	if !strings.EqualFold(env.Body.Login.Username, o.Username) || !equalSecret(env.Body.Login.Password, o.Password+o.SecurityToken) {
		writeSOAPFault(w, "sf:INVALID_LOGIN", "INVALID_LOGIN: "+invalidLogin, "INVALID_LOGIN", invalidLogin)
		return
	}
	token := s.newSession()
	u := s.apiUserRecord()
	base := instanceURL(r)
	version := strings.TrimPrefix(ver, "v")
	type userInfo struct {
		OrganizationID      string `xml:"organizationId"`
		OrganizationName    string `xml:"organizationName"`
		ProfileID           string `xml:"profileId"`
		RoleID              string `xml:"roleId,omitempty"`
		SessionSecondsValid int    `xml:"sessionSecondsValid"`
		UserEmail           string `xml:"userEmail"`
		UserFullName        string `xml:"userFullName"`
		UserID              string `xml:"userId"`
		UserLanguage        string `xml:"userLanguage"`
		UserLocale          string `xml:"userLocale"`
		UserName            string `xml:"userName"`
		UserTimeZone        string `xml:"userTimeZone"`
		UserType            string `xml:"userType"`
	}
	type result struct {
		MetadataServerURL string   `xml:"metadataServerUrl"`
		PasswordExpired   bool     `xml:"passwordExpired"`
		Sandbox           bool     `xml:"sandbox"`
		ServerURL         string   `xml:"serverUrl"`
		SessionID         string   `xml:"sessionId"`
		UserID            string   `xml:"userId"`
		UserInfo          userInfo `xml:"userInfo"`
	}
	type response struct {
		XMLName xml.Name `xml:"soapenv:Envelope"`
		Env     string   `xml:"xmlns:soapenv,attr"`
		NS      string   `xml:"xmlns,attr"`
		XSI     string   `xml:"xmlns:xsi,attr"`
		Result  result   `xml:"soapenv:Body>loginResponse>result"`
	}
	orgID := s.current().org.ID
	resp := response{Env: soapEnvNS, NS: partnerNS, XSI: xsiNS, Result: result{
		MetadataServerURL: base + "/services/Soap/m/" + version + "/" + orgID,
		Sandbox:           s.current().org.IsSandbox.IsTrue(),
		ServerURL:         base + "/services/Soap/u/" + version + "/" + orgID,
		SessionID:         token,
		UserID:            u.ID,
		UserInfo: userInfo{
			OrganizationID: orgID, OrganizationName: s.current().org.Name, ProfileID: u.ProfileID, RoleID: u.RoleID,
			SessionSecondsValid: 7200, UserEmail: u.Username, UserFullName: u.Name, UserID: u.ID,
			UserLanguage: "en_US", UserLocale: "en_US", UserName: u.Username, UserTimeZone: "America/Los_Angeles",
			UserType: u.UserType,
		},
	}}
	body, err := xml.Marshal(resp)
	if err != nil {
		writeSOAPFault(w, "soapenv:Server", "could not encode the login response", "", "")
		return
	}
	writeBody(w, http.StatusOK, "text/xml;charset=UTF-8", append([]byte(xml.Header), body...))
}

// writeSOAPFault answers HTTP 500 with a SOAP fault; exceptionCode and
// exceptionMessage, when set, add the sf:LoginFault detail.
func writeSOAPFault(w http.ResponseWriter, code, msg, exceptionCode, exceptionMessage string) {
	type loginFault struct {
		Type    string `xml:"xsi:type,attr"`
		Code    string `xml:"sf:exceptionCode"`
		Message string `xml:"sf:exceptionMessage"`
	}
	type fault struct {
		Code   string      `xml:"faultcode"`
		String string      `xml:"faultstring"`
		Detail *loginFault `xml:"detail>sf:LoginFault,omitempty"`
	}
	type envelope struct {
		XMLName xml.Name `xml:"soapenv:Envelope"`
		Env     string   `xml:"xmlns:soapenv,attr"`
		SF      string   `xml:"xmlns:sf,attr"`
		XSI     string   `xml:"xmlns:xsi,attr"`
		Fault   fault    `xml:"soapenv:Body>soapenv:Fault"`
	}
	e := envelope{Env: soapEnvNS, SF: partnerFault, XSI: xsiNS, Fault: fault{Code: code, String: msg}}
	if exceptionCode != "" {
		e.Fault.Detail = &loginFault{Type: "sf:LoginFault", Code: exceptionCode, Message: exceptionMessage}
	}
	body, err := xml.Marshal(e)
	if err != nil {
		body = []byte("<soapenv:Envelope/>")
	}
	writeBody(w, http.StatusInternalServerError, "text/xml;charset=UTF-8", append([]byte(xml.Header), body...))
}
