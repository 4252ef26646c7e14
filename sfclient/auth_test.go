package sfclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestMain keeps simpleforce's log lines out of the test output.
func TestMain(m *testing.M) {
	log.SetOutput(io.Discard)
	os.Exit(m.Run())
}

var (
	keyOnce sync.Once
	keyPEM  []byte
	keyPub  *rsa.PublicKey
)

// testKey returns a PKCS #8 PEM RSA key, made once per test binary.
func testKey(t *testing.T) ([]byte, *rsa.PublicKey) {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			panic(err)
		}
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		keyPub = &k.PublicKey
	})
	return keyPEM, keyPub
}

// sfRunner is a fake `sf` that hands out the fake org's sessions.
func sfRunner(f *fakeOrg, calls *int) CommandRunner {
	return func(_ context.Context, name string, args ...string) ([]byte, error) {
		*calls++
		if name != "sf" || strings.Join(args, " ") != "org display --target-org my-sandbox --json" {
			return []byte(`{"status":1,"name":"BadArgs","message":"unexpected command"}`), &exec.ExitError{}
		}
		f.mu.Lock()
		tok := f.issue()
		f.mu.Unlock()
		return fmt.Appendf(nil, `{"status":0,"result":{"id":"00Dfake","accessToken":%q,"instanceUrl":%q,"username":"admin@example.com","connectedStatus":"Connected"},"warnings":[]}`,
			tok, f.url()), nil
	}
}

// TestAuthFlows logs in with every method, pulls, and survives one session
// expiry by logging in again through the same method.
func TestAuthFlows(t *testing.T) {
	key, pub := testKey(t)
	var sfCalls int
	tests := []struct {
		name       string
		auth       func(f *fakeOrg) Authenticator
		version    string
		logins     int // logins after one expiry
		wantNotice bool
		loginPath  string
	}{
		{"sf CLI alias", func(f *fakeOrg) Authenticator { return SFCLI{Alias: "my-sandbox", Run: sfRunner(f, &sfCalls)} }, "", 2, false, ""},
		{"JWT bearer", func(f *fakeOrg) Authenticator {
			return JWTBearer{ClientID: f.clientID, Username: f.username, LoginURL: f.url(), PrivateKey: key}
		}, "", 2, false, "POST /services/oauth2/token"},
		{"client credentials", func(f *fakeOrg) Authenticator { return ccAuth(f) }, "", 2, false, "POST /services/oauth2/token"},
		{"SOAP password", func(f *fakeOrg) Authenticator {
			return Password{LoginURL: f.url(), Username: f.username, Password: f.password, SecurityToken: f.secToken}
		}, "", 2, true, "POST /services/Soap/u/64.0"},
		{"SOAP password logs in at 64.0 under a newer REST version", func(f *fakeOrg) Authenticator {
			return Password{LoginURL: f.url(), Username: f.username, Password: f.password, SecurityToken: f.secToken}
		}, "66.0", 2, true, "POST /services/Soap/u/64.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeOrg(t)
			f.jwtKey = pub
			f.token = "" // only a login gives a valid token
			addUsers(f, 2500)
			f.onRequest(isMore, 1, func(w http.ResponseWriter, r *http.Request) {
				f.expireSession()
				sfErrorJSON(w, 401, "INVALID_SESSION_ID", "Session expired or invalid")
			})
			sfCalls = 0
			c, _ := testClient(t, tt.auth(f), Options{APIVersion: tt.version})
			res, err := c.Pull(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Snapshot.Users) != 2500 {
				t.Errorf("%d users", len(res.Snapshot.Users))
			}
			if f.tokens != tt.logins {
				t.Errorf("%d logins, want %d", f.tokens, tt.logins)
			}
			if tt.loginPath != "" && f.got(tt.loginPath) != tt.logins {
				t.Errorf("%d requests %s, want %d", f.got(tt.loginPath), tt.loginPath, tt.logins)
			}
			if tt.name == "sf CLI alias" && sfCalls != 2 {
				t.Errorf("sf ran %d times, want 2", sfCalls)
			}
			hasNotice := strings.Contains(strings.Join(res.Notes, "\n"), "retires SOAP login() in Summer '27")
			if hasNotice != tt.wantNotice {
				t.Errorf("notes %q: SOAP notice %v, want %v", res.Notes, hasNotice, tt.wantNotice)
			}
			if tt.version != "" && !strings.Contains(strings.Join(f.requests, "\n"), "GET /services/data/v"+tt.version+"/query") {
				t.Errorf("REST requests did not use v%s: %q", tt.version, f.requests)
			}
		})
	}
}

// TestAuthFailures checks each failing login: the error says what failed
// and what to do, classifies as ErrAuth or ErrConfig, and never holds a
// secret, even when the server echoes it.
func TestAuthFailures(t *testing.T) {
	key, pub := testKey(t)
	other, _ := rsa.GenerateKey(rand.Reader, 1024)
	otherDER, _ := x509.MarshalPKCS8PrivateKey(other)
	otherPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: otherDER})
	const secret = "S3cr3t-value-never-shown"
	tests := []struct {
		name   string
		auth   func(f *fakeOrg) Authenticator
		echo   bool // the fake puts the secret into its error text
		target error
		words  []string
	}{
		{"client credentials, wrong secret", func(f *fakeOrg) Authenticator {
			return ClientCredentials{ClientID: f.clientID, ClientSecret: secret, LoginURL: f.url()}
		}, false, ErrAuth, []string{"client credentials", "invalid_client"}},
		{"client credentials, server echoes the secret", func(f *fakeOrg) Authenticator {
			return ClientCredentials{ClientID: f.clientID, ClientSecret: secret, LoginURL: f.url()}
		}, true, ErrAuth, []string{"[REDACTED]"}},
		{"client credentials without My Domain", func(f *fakeOrg) Authenticator {
			return ClientCredentials{ClientID: f.clientID, ClientSecret: secret}
		}, false, ErrConfig, []string{"--login-url https://MYDOMAIN.my.salesforce.com"}},
		{"JWT signed by another key", func(f *fakeOrg) Authenticator {
			return JWTBearer{ClientID: f.clientID, Username: f.username, LoginURL: f.url(), PrivateKey: otherPEM}
		}, false, ErrAuth, []string{"JWT bearer", "invalid_grant"}},
		{"JWT key not PEM", func(f *fakeOrg) Authenticator {
			return JWTBearer{ClientID: f.clientID, Username: f.username, LoginURL: f.url(), PrivateKey: []byte(secret)}
		}, false, ErrConfig, []string{"not PEM"}},
		{"JWT without username", func(f *fakeOrg) Authenticator {
			return JWTBearer{ClientID: f.clientID, LoginURL: f.url(), PrivateKey: key}
		}, false, ErrConfig, []string{"--username"}},
		{"SOAP wrong password", func(f *fakeOrg) Authenticator {
			return Password{LoginURL: f.url(), Username: f.username, Password: secret, SecurityToken: "TOK" + secret}
		}, false, ErrAuth, []string{"INVALID_LOGIN", "SF_SECURITY_TOKEN"}},
		{"SOAP, server echoes the password", func(f *fakeOrg) Authenticator {
			return Password{LoginURL: f.url(), Username: f.username, Password: secret, SecurityToken: "x"}
		}, true, ErrAuth, []string{"[REDACTED]"}},
		{"access token over plain http to a remote host", func(f *fakeOrg) Authenticator {
			return AccessToken{InstanceURL: "http://example.com", Token: secret}
		}, false, ErrConfig, []string{"use https"}},
		{"access token rejected", func(f *fakeOrg) Authenticator {
			return AccessToken{InstanceURL: f.url(), Token: secret}
		}, false, ErrSessionExpired, []string{"SF_ACCESS_TOKEN", "get a new one"}},
		{"access token, server echoes it", func(f *fakeOrg) Authenticator {
			return AccessToken{InstanceURL: f.url(), Token: secret}
		}, true, ErrSessionExpired, []string{"[REDACTED]"}},
		{"sf alias unknown", func(f *fakeOrg) Authenticator {
			return SFCLI{Alias: "nope", Run: func(context.Context, string, ...string) ([]byte, error) {
				return []byte(`{"status":1,"name":"NamedOrgNotFoundError","message":"No authorization information found for nope."}`), &exec.ExitError{}
			}}
		}, false, ErrAuth, []string{"NamedOrgNotFoundError", "sf org login web --alias nope"}},
		{"sf prints something else", func(f *fakeOrg) Authenticator {
			return SFCLI{Alias: "x", Run: func(context.Context, string, ...string) ([]byte, error) {
				return []byte("accessToken " + secret), nil
			}}
		}, false, ErrAuth, []string{"did not print a JSON document"}},
		{"sf not installed", func(f *fakeOrg) Authenticator {
			return SFCLI{Alias: "x", Run: func(context.Context, string, ...string) ([]byte, error) { return nil, exec.ErrNotFound }}
		}, false, ErrAuth, []string{"not on PATH"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeOrg(t)
			f.jwtKey = pub
			if tt.echo {
				f.onRequest(func(*http.Request) bool { return true }, 10, func(w http.ResponseWriter, r *http.Request) {
					if strings.Contains(r.URL.Path, "Soap") {
						w.WriteHeader(500)
						fmt.Fprintf(w, `<?xml version="1.0"?><e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><e:Fault><faultcode>sf:INVALID_LOGIN</faultcode><faultstring>bad password %s</faultstring></e:Fault></e:Body></e:Envelope>`, secret)
						return
					}
					if strings.Contains(r.URL.Path, "oauth2") {
						w.WriteHeader(400)
						fmt.Fprintf(w, `{"error":"invalid_client","error_description":"secret %s is wrong"}`, secret)
						return
					}
					sfErrorJSON(w, 401, "INVALID_SESSION_ID", "token "+secret+" is invalid")
				})
			}
			var logBuf bytes.Buffer
			red := NewRedactor()
			log.SetOutput(red.Writer(&logBuf))
			defer log.SetOutput(io.Discard)
			c, _ := testClient(t, tt.auth(f), Options{Redactor: red})
			_, err := c.Pull(context.Background())
			if !errors.Is(err, tt.target) {
				t.Fatalf("err %v, want %v", err, tt.target)
			}
			// A refused login is never retried: repeating a wrong
			// password can lock the user out.
			if n := f.got("POST /services/Soap") + f.got("POST /services/oauth2"); n > 1 {
				t.Errorf("%d login requests, want at most 1", n)
			}
			for _, w := range tt.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, s := range []string{secret, "S3cr3t", string(key[30:60])} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error shows a secret: %q", err)
				}
				if strings.Contains(logBuf.String(), s) {
					t.Errorf("simpleforce's log shows a secret: %q", logBuf.String())
				}
			}
		})
	}
}

// TestSFCLIExec runs a fake sf executable from PATH through ExecRunner.
func TestSFCLIExec(t *testing.T) {
	dir := t.TempDir()
	script := `#!/bin/sh
if [ "$*" = "org display --target-org my-sandbox --json" ]; then
  echo "Warning: a newer version of sf is available" >&2
  printf '{"status":0,"result":{"accessToken":"00Dx!sfexec","instanceUrl":"https://acme--dev.sandbox.my.salesforce.com/"}}'
  exit 0
fi
# sf from late 2025 hides the token in org display.
if [ "$*" = "org display --target-org new-sf --json" ]; then
  printf '{"status":0,"result":{"accessToken":"[REDACTED] Use '"'"'sf org auth show-access-token'"'"' to view","instanceUrl":"https://acme.my.salesforce.com/"},"warnings":["Secrets are now hidden"]}'
  exit 0
fi
if [ "$*" = "org auth show-access-token --target-org new-sf --json" ]; then
  printf '{"status":0,"result":{"accessToken":"00Dx!fromauth"},"warnings":["This command exposes a sensitive Access Token"]}'
  exit 0
fi
if [ "$*" = "org display --target-org hidden --json" ]; then
  printf '{"status":0,"result":{"accessToken":"[REDACTED]","instanceUrl":"https://acme.my.salesforce.com/"}}'
  exit 0
fi
if [ "$*" = "org display --target-org empty --json" ]; then
  printf '{"status":0,"result":{"accessToken":"","instanceUrl":"https://acme.my.salesforce.com/"}}'
  exit 0
fi
if [ "$1 $2 $3" = "org auth show-access-token" ]; then
  printf '{"status":1,"name":"CommandNotFound","message":"%s is not a sf command"}' "$2"
  exit 127
fi
printf '{"status":1,"name":"NoOrgFound","message":"No org configuration found for name %s"}' "$4"
exit 1
`
	if err := os.WriteFile(filepath.Join(dir, "sf"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	tests := []struct {
		alias   string
		want    Session
		wantErr string
	}{
		{"my-sandbox", Session{InstanceURL: "https://acme--dev.sandbox.my.salesforce.com", AccessToken: "00Dx!sfexec"}, ""},
		{"other", Session{}, "NoOrgFound: No org configuration found for name other"},
		{"new-sf", Session{InstanceURL: "https://acme.my.salesforce.com", AccessToken: "00Dx!fromauth"}, ""},
		{"hidden", Session{}, "sf org auth show-access-token --target-org hidden: CommandNotFound"},
		{"empty", Session{}, "sf org auth show-access-token --target-org empty: CommandNotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.alias, func(t *testing.T) {
			s, err := SFCLI{Alias: tt.alias}.Authenticate(context.Background(), nil, "")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || s != tt.want {
				t.Fatalf("got %v, %v", s, err)
			}
		})
	}
}

func TestSessionNeverPrintsToken(t *testing.T) {
	s := Session{InstanceURL: "https://x.my.salesforce.com", AccessToken: "00Dx!secret"}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(format, s); strings.Contains(out, "secret") || !strings.Contains(out, "x.my.salesforce.com") {
			t.Errorf("%s: %s", format, out)
		}
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"https://acme.my.salesforce.com", "https://acme.my.salesforce.com", ""},
		{"https://acme.my.salesforce.com/", "https://acme.my.salesforce.com", ""},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"http://localhost:8080/", "http://localhost:8080", ""},
		{"http://[::1]:9", "http://[::1]:9", ""},
		{"http://acme.my.salesforce.com", "", "use https"},
		{"acme.my.salesforce.com", "", "want https://HOST"},
		{"https://u:p@acme.my.salesforce.com", "", "without a path"},
		{"https://acme.my.salesforce.com/services/data", "", "without a path"},
		{"", "", "no instance URL"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := checkURL("instance URL", tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), ":p@") {
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

func TestJWTAudience(t *testing.T) {
	tests := []struct{ login, want string }{
		{"https://login.salesforce.com", "https://login.salesforce.com"},
		{"https://test.salesforce.com", "https://test.salesforce.com"},
		{"https://acme.my.salesforce.com", "https://login.salesforce.com"},
		{"https://acme--dev.sandbox.my.salesforce.com", "https://test.salesforce.com"},
		{"https://ACME--DEV.SANDBOX.MY.SALESFORCE.COM", "https://test.salesforce.com"},
		{"https://acme.my.site.com", "https://acme.my.site.com"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
	}
	for _, tt := range tests {
		if got := jwtAudience(tt.login); got != tt.want {
			t.Errorf("jwtAudience(%q) = %q, want %q", tt.login, got, tt.want)
		}
	}
}

func TestCheckPrivateKey(t *testing.T) {
	key, _ := testKey(t)
	block, _ := pem.Decode(key)
	k, _ := x509.ParsePKCS8PrivateKey(block.Bytes)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k.(*rsa.PrivateKey))})
	tests := []struct {
		name string
		key  []byte
		err  string
	}{
		{"PKCS #8", key, ""},
		{"PKCS #1", pkcs1, ""},
		{"not PEM", []byte("hello"), "not PEM"},
		{"certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2}}), "not an unencrypted RSA private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPrivateKey(tt.key)
			if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("err %v, want %q", err, tt.err)
			}
		})
	}
}
