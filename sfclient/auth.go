package sfclient

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/simpleforce/simpleforce"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/jwt"
)

// DefaultLoginURL is where the JWT bearer and password flows log in when no
// login URL is given. Sandboxes use https://test.salesforce.com; the client
// credentials flow needs the org's My Domain URL.
const DefaultLoginURL = "https://login.salesforce.com"

// Session is an authenticated session: an access token (or SOAP session
// id) and the org's instance URL. Its String and GoString never show the
// token.
type Session struct {
	InstanceURL string
	AccessToken string
}

func (s Session) String() string {
	return fmt.Sprintf("Session{InstanceURL: %s, AccessToken: %s}", s.InstanceURL, redacted)
}

// GoString keeps %#v from printing the token.
func (s Session) GoString() string { return s.String() }

// Authenticator obtains a session. A Client calls Authenticate once to
// connect, and once more each time the session turns out to be invalid.
type Authenticator interface {
	// Method names the method and its non-secret settings, for messages.
	Method() string
	// Secrets lists the secrets the method holds, so the Client can keep
	// them out of every error and log line.
	Secrets() []string
	// Authenticate gets a session. hc sends the requests (it is the
	// Client's read-only transport); apiVersion is the REST API version,
	// such as "64.0".
	Authenticate(ctx context.Context, hc *http.Client, apiVersion string) (Session, error)
}

// Noticer is implemented by authenticators that have a notice for the user
// (the SOAP login retirement); the Client adds it to Result.Notes.
type Noticer interface {
	Notice() string
}

// AccessToken uses an existing access token (SF_ACCESS_TOKEN) for the org
// at InstanceURL. The token cannot be renewed: when it expires the run
// fails, asking for a new one.
type AccessToken struct {
	InstanceURL string
	Token       string
}

func (a AccessToken) Method() string { return "access token (SF_ACCESS_TOKEN) for " + a.InstanceURL }

func (a AccessToken) Secrets() []string { return []string{a.Token} }

func (a AccessToken) Authenticate(context.Context, *http.Client, string) (Session, error) {
	if a.Token == "" {
		return Session{}, fmt.Errorf("%w: no access token: set SF_ACCESS_TOKEN", ErrConfig)
	}
	u, err := checkURL("instance URL", a.InstanceURL)
	if err != nil {
		return Session{}, err
	}
	return Session{InstanceURL: u, AccessToken: a.Token}, nil
}

// CommandRunner runs a command and returns its standard output. Errors from
// a command that ran and failed are *exec.ExitError.
type CommandRunner func(ctx context.Context, name string, args ...string) ([]byte, error)

// ExecRunner runs the command with os/exec. Standard error is discarded:
// sf writes warnings there, and --json puts errors on standard output.
func ExecRunner(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	err := cmd.Run()
	return out.Bytes(), err
}

// SFCLI reads the session of a Salesforce CLI org alias (--target-org,
// SF_TARGET_ORG) from `sf org display --target-org ALIAS --json`. sf
// refreshes an expired token itself, so re-authenticating runs it again.
type SFCLI struct {
	Alias string
	// Command is the sf executable (default "sf").
	Command string
	// Run runs it (default ExecRunner).
	Run CommandRunner
}

func (a SFCLI) Method() string { return fmt.Sprintf("Salesforce CLI org %q", a.Alias) }

func (a SFCLI) Secrets() []string { return nil }

func (a SFCLI) Authenticate(ctx context.Context, _ *http.Client, _ string) (Session, error) {
	if a.Alias == "" {
		return Session{}, fmt.Errorf("%w: no org alias: give --target-org or set SF_TARGET_ORG", ErrConfig)
	}
	name, run := a.Command, a.Run
	if name == "" {
		name = "sf"
	}
	if run == nil {
		run = ExecRunner
	}
	doc, err := runSFJSON(ctx, run, name, a.Alias, "org", "display", "--target-org", a.Alias, "--json")
	if err != nil {
		return Session{}, err
	}
	token := doc.Result.AccessToken
	// sf 2.x from late 2025 hides the token in 'org display' ("[REDACTED]
	// Use 'sf org auth show-access-token' to view"); older releases show it
	// and have no 'org auth show-access-token'. Ask the newer command only
	// when display did not give a token.
	if !looksLikeToken(token) {
		doc2, err := runSFJSON(ctx, run, name, a.Alias, "org", "auth", "show-access-token", "--target-org", a.Alias, "--json")
		if err != nil {
			return Session{}, err
		}
		token = doc2.Result.AccessToken
	}
	if !looksLikeToken(token) || doc.Result.InstanceURL == "" {
		return Session{}, fmt.Errorf("%w: %s org display --target-org %s gave no access token or instance URL; "+
			"log in again with: sf org login web --alias %s", ErrAuth, name, a.Alias, a.Alias)
	}
	u, err := checkURL("instance URL from sf", doc.Result.InstanceURL)
	if err != nil {
		return Session{}, err
	}
	return Session{InstanceURL: u, AccessToken: token}, nil
}

// looksLikeToken reports whether s can be an access token: not empty and
// not a placeholder such as sf's "[REDACTED] Use ... to view".
func looksLikeToken(s string) bool {
	return s != "" && !strings.ContainsAny(s, " []")
}

// sfDoc is the JSON document sf --json prints, on success and on failure.
type sfDoc struct {
	Status  *int   `json:"status"`
	Name    string `json:"name"`
	Message string `json:"message"`
	Result  struct {
		AccessToken string `json:"accessToken"`
		InstanceURL string `json:"instanceUrl"`
	} `json:"result"`
}

// runSFJSON runs an sf --json command and returns its document, or an
// error that says what failed. The output can hold the access token, so it
// never goes into a message.
func runSFJSON(ctx context.Context, run CommandRunner, name, alias string, args ...string) (*sfDoc, error) {
	out, runErr := run(ctx, name, args...)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	cmdline := name + " " + strings.Join(args[:len(args)-1], " ") // without --json
	if errors.Is(runErr, exec.ErrNotFound) {
		return nil, fmt.Errorf("%w: the Salesforce CLI (%s) is not on PATH: install it "+
			"(https://developer.salesforce.com/tools/salesforcecli) or use another way to log in", ErrAuth, name)
	}
	var doc sfDoc
	if err := json.Unmarshal(bytes.TrimSpace(out), &doc); err != nil || doc.Status == nil {
		if runErr != nil {
			return nil, fmt.Errorf("%w: %s failed (%v) without a JSON answer", ErrAuth, cmdline, exitText(runErr))
		}
		return nil, fmt.Errorf("%w: %s --json did not print a JSON document; is %s the Salesforce CLI?", ErrAuth, cmdline, name)
	}
	if *doc.Status != 0 || runErr != nil {
		why := cleanText(doc.Message, maxMessage)
		if doc.Name != "" {
			why = cleanText(doc.Name, 80) + ": " + why
		}
		return nil, fmt.Errorf("%w: %s: %s (log in with: sf org login web --alias %s)", ErrAuth, cmdline, why, alias)
	}
	return &doc, nil
}

func exitText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return "exit status " + strconv.Itoa(ee.ExitCode())
	}
	return err.Error()
}

// JWTBearer runs the OAuth 2.0 JWT bearer flow: a connected app (ClientID,
// its consumer key) that trusts the certificate of PrivateKey, for the user
// Username. LoginURL is the audience and the token endpoint's host
// (default DefaultLoginURL).
type JWTBearer struct {
	ClientID   string
	Username   string
	LoginURL   string
	PrivateKey []byte // PEM: PKCS #1 or PKCS #8 RSA private key, unencrypted
}

func (a JWTBearer) Method() string {
	return fmt.Sprintf("OAuth JWT bearer flow (client id %s, user %s, %s)", a.ClientID, a.Username, orDefault(a.LoginURL))
}

func (a JWTBearer) Secrets() []string { return []string{string(a.PrivateKey)} }

func (a JWTBearer) Authenticate(ctx context.Context, hc *http.Client, _ string) (Session, error) {
	if a.ClientID == "" || a.Username == "" {
		return Session{}, fmt.Errorf("%w: the JWT bearer flow needs --client-id and --username", ErrConfig)
	}
	if err := CheckPrivateKey(a.PrivateKey); err != nil {
		return Session{}, err
	}
	login, err := checkURL("login URL", orDefault(a.LoginURL))
	if err != nil {
		return Session{}, err
	}
	conf := &jwt.Config{
		Email:      a.ClientID,
		Subject:    a.Username,
		Audience:   jwtAudience(login),
		TokenURL:   login + "/services/oauth2/token",
		PrivateKey: a.PrivateKey,
		// Salesforce rejects assertions that expire more than three
		// minutes ahead.
		Expires: 3 * time.Minute,
	}
	tok, err := conf.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, hc)).Token()
	if err != nil {
		return Session{}, tokenError(ctx, a.Method(), err)
	}
	return sessionFromToken(a.Method(), tok)
}

// jwtAudience is the aud claim for a login URL. Salesforce takes
// https://login.salesforce.com, https://test.salesforce.com or an Experience
// Cloud site URL, not a My Domain URL: a My Domain login uses
// login.salesforce.com (test.salesforce.com for a sandbox's My Domain)
// while the assertion still goes to the My Domain's token endpoint. Any
// other host (a site, or orgsim on loopback) is its own audience.
func jwtAudience(login string) string {
	u, err := url.Parse(login)
	if err != nil {
		return login
	}
	h := strings.ToLower(u.Hostname())
	switch {
	case h == "test.salesforce.com" || strings.HasSuffix(h, ".sandbox.my.salesforce.com"):
		return "https://test.salesforce.com"
	case h == "login.salesforce.com" || strings.HasSuffix(h, ".my.salesforce.com"):
		return "https://login.salesforce.com"
	}
	return login
}

// CheckPrivateKey reports whether key is an unencrypted PEM RSA private key,
// with a message that never shows the key.
func CheckPrivateKey(key []byte) error {
	block, _ := pem.Decode(key)
	if block == nil {
		return fmt.Errorf("%w: the JWT key is not PEM (want an unencrypted RSA private key, "+
			"-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)", ErrConfig)
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return fmt.Errorf("%w: the JWT key (PEM block %q) is not an unencrypted RSA private key "+
			"(convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem)", ErrConfig, block.Type)
	}
	if _, ok := k.(*rsa.PrivateKey); !ok {
		return fmt.Errorf("%w: the JWT key is not an RSA key: Salesforce signs JWT bearer assertions with RS256", ErrConfig)
	}
	return nil
}

// ClientCredentials runs the OAuth 2.0 client credentials flow against the
// org's My Domain URL (LoginURL): the connected app's consumer key and
// secret, with a run-as user set in the app.
type ClientCredentials struct {
	ClientID     string
	ClientSecret string
	LoginURL     string
}

func (a ClientCredentials) Method() string {
	return fmt.Sprintf("OAuth client credentials flow (client id %s, %s)", a.ClientID, a.LoginURL)
}

func (a ClientCredentials) Secrets() []string { return []string{a.ClientSecret} }

func (a ClientCredentials) Authenticate(ctx context.Context, hc *http.Client, _ string) (Session, error) {
	if a.ClientID == "" || a.ClientSecret == "" {
		return Session{}, fmt.Errorf("%w: the client credentials flow needs --client-id and SF_CLIENT_SECRET", ErrConfig)
	}
	if a.LoginURL == "" {
		return Session{}, fmt.Errorf("%w: the client credentials flow needs the org's My Domain URL: "+
			"give --login-url https://MYDOMAIN.my.salesforce.com", ErrConfig)
	}
	login, err := checkURL("login URL", a.LoginURL)
	if err != nil {
		return Session{}, err
	}
	conf := &clientcredentials.Config{
		ClientID:     a.ClientID,
		ClientSecret: a.ClientSecret,
		TokenURL:     login + "/services/oauth2/token",
		// Salesforce documents client_id and client_secret in the body.
		AuthStyle: oauth2.AuthStyleInParams,
	}
	tok, err := conf.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
	if err != nil {
		return Session{}, tokenError(ctx, a.Method(), err)
	}
	return sessionFromToken(a.Method(), tok)
}

// Password logs in with a username, password and security token through
// simpleforce's SOAP login() (SF_USERNAME, SF_PASSWORD, SF_SECURITY_TOKEN).
// SOAP login() does not exist from API 65.0, so the login runs at API 64.0
// at most, whatever the REST version.
type Password struct {
	LoginURL      string
	Username      string
	Password      string
	SecurityToken string
}

// SOAPNotice is Password's notice.
const SOAPNotice = "logged in with SOAP login() (SF_USERNAME/SF_PASSWORD): Salesforce retires SOAP login() " +
	"in Summer '27 and it does not exist from API 65.0; move to --target-org, SF_ACCESS_TOKEN or an OAuth flow " +
	"(--client-id with --jwt-key-file or SF_CLIENT_SECRET)."

// maxSOAPVersion is the last API version with SOAP login().
const maxSOAPVersion = "64.0"

func (a Password) Method() string {
	return fmt.Sprintf("SOAP login (user %s, %s)", a.Username, orDefault(a.LoginURL))
}

func (a Password) Secrets() []string { return []string{a.Password, a.SecurityToken} }

func (a Password) Notice() string { return SOAPNotice }

func (a Password) Authenticate(ctx context.Context, hc *http.Client, apiVersion string) (Session, error) {
	if a.Username == "" || a.Password == "" {
		return Session{}, fmt.Errorf("%w: the password login needs SF_USERNAME and SF_PASSWORD", ErrConfig)
	}
	login, err := checkURL("login URL", orDefault(a.LoginURL))
	if err != nil {
		return Session{}, err
	}
	version := apiVersion
	if v, err := strconv.ParseFloat(apiVersion, 64); err != nil || v >= 65 {
		version = maxSOAPVersion
	}
	sc := simpleforce.NewClient(login, simpleforce.DefaultClientID, version)
	sc.SetHttpClient(hc)
	// simpleforce escapes the password for XML but not the username or the
	// token, which it writes into the envelope as they are.
	if err := sc.LoginPassword(html.EscapeString(a.Username), a.Password, html.EscapeString(a.SecurityToken)); err != nil {
		if ctx.Err() != nil {
			return Session{}, ctx.Err()
		}
		var ae *APIError
		if errors.As(err, &ae) {
			hint := ""
			if ae.Code == "INVALID_LOGIN" || ae.Code == "LOGIN_MUST_USE_SECURITY_TOKEN" {
				hint = "; check SF_USERNAME, SF_PASSWORD and SF_SECURITY_TOKEN, and the login URL (sandboxes use https://test.salesforce.com)"
			}
			return Session{}, fmt.Errorf("%w: %s: %s %s%s", ErrAuth, a.Method(), ae.Code, ae.Message, hint)
		}
		return Session{}, fmt.Errorf("%w: %s: %s", ErrAuth, a.Method(), cleanText(plainCause(err).Error(), maxMessage))
	}
	if sc.GetSid() == "" {
		return Session{}, fmt.Errorf("%w: %s: the login answer had no sessionId", ErrAuth, a.Method())
	}
	u, err := checkURL("instance URL from the login answer", sc.GetLoc())
	if err != nil {
		return Session{}, err
	}
	return Session{InstanceURL: u, AccessToken: sc.GetSid()}, nil
}

func orDefault(login string) string {
	if login == "" {
		return DefaultLoginURL
	}
	return login
}

// tokenError describes a failed OAuth token request. x/oauth2's JWT flow
// formats the transport error with %v, so the *APIError may be only text.
func tokenError(ctx context.Context, method string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%w: %s: %s %s", ErrAuth, method, ae.Code, ae.Message)
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return fmt.Errorf("%w: %s: %s %s", ErrAuth, method, cleanText(re.ErrorCode, 80), cleanText(re.ErrorDescription, maxMessage))
	}
	return fmt.Errorf("%w: %s: %s", ErrAuth, method, cleanText(plainCause(err).Error(), maxMessage))
}

// plainCause drops the "Post \"URL\": " that net/http puts before a
// transport error.
func plainCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func sessionFromToken(method string, tok *oauth2.Token) (Session, error) {
	inst, _ := tok.Extra("instance_url").(string)
	if tok.AccessToken == "" || inst == "" {
		return Session{}, fmt.Errorf("%w: %s: the token answer had no access_token or instance_url", ErrAuth, method)
	}
	u, err := checkURL("instance_url from the token answer", inst)
	if err != nil {
		return Session{}, err
	}
	return Session{InstanceURL: u, AccessToken: tok.AccessToken}, nil
}

// checkURL validates an instance or login URL and returns it without a
// trailing slash. Tokens travel in it, so it must be https, or http on a
// loopback address (orgsim).
func checkURL(what, raw string) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("%w: no %s", ErrConfig, what)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("%w: %s %s: want https://HOST", ErrConfig, what, shortValue(raw))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
		return "", fmt.Errorf("%w: %s %s: want just https://HOST, without a path, query or credentials", ErrConfig, what, shortValue(u.Redacted()))
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("%w: %s %s: tokens must not travel unencrypted: use https (plain http only for a loopback address such as orgsim)", ErrConfig, what, shortValue(raw))
	}
	return u.Scheme + "://" + u.Host, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
