package sfclient

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// LoginSettings are the settings that choose and make a login, as one run
// was given them; "" is unset. ChooseLogin picks the login from them. Name
// and Hint put its messages in the caller's words: where a setting came
// from and how to give one (flags, environment, config file). The messages
// themselves name licenseplan's flags and the SF_ variables, which are the
// Salesforce CLI's names.
type LoginSettings struct {
	TargetOrg, AccessToken, InstanceURL, ClientID, Username     string
	JWTKeyFile, ClientSecret, Password, SecurityToken, LoginURL string

	// Name names a set setting by where it came from ("--username",
	// "SF_USERNAME", "username in config file lp.yaml"); nil means the key.
	Name func(key string) string
	// Hint says how to give a setting ("--username or SF_USERNAME"); nil
	// means "--" and the key.
	Hint func(key string) string
}

// LoginKeys are the keys of the settings that take part in choosing a
// login, in the order messages list them. Other settings (API version,
// sandbox check) apply to any login.
var LoginKeys = []string{"target-org", "access-token", "instance-url", "client-id", "username", "jwt-key-file",
	"client-secret", "password", "security-token", "login-url"}

// Value returns the setting key ("" when unset or unknown).
func (s *LoginSettings) Value(key string) string {
	switch key {
	case "target-org":
		return s.TargetOrg
	case "access-token":
		return s.AccessToken
	case "instance-url":
		return s.InstanceURL
	case "client-id":
		return s.ClientID
	case "username":
		return s.Username
	case "jwt-key-file":
		return s.JWTKeyFile
	case "client-secret":
		return s.ClientSecret
	case "password":
		return s.Password
	case "security-token":
		return s.SecurityToken
	case "login-url":
		return s.LoginURL
	}
	return ""
}

// Set returns the keys of the login settings that are set, in LoginKeys
// order.
func (s *LoginSettings) Set() []string {
	var set []string
	for _, k := range LoginKeys {
		if s.Value(k) != "" {
			set = append(set, k)
		}
	}
	return set
}

func (s *LoginSettings) name(key string) string {
	if s.Name != nil {
		if n := s.Name(key); n != "" {
			return n
		}
	}
	return key
}

func (s *LoginSettings) hint(key string) string {
	if s.Hint != nil {
		return s.Hint(key)
	}
	return "--" + key
}

// ChooseLogin picks the one login that s configures and makes its
// Authenticator; key is the setting that picked it. With no login setting
// set at all it returns nil, "", nil: what to do then (the Salesforce CLI's
// default org, say) is the caller's choice.
//
// Exactly one method's key may be set; the method needs its needs and may
// take its allows. Any other login setting is an error, since a setting the
// chosen login would ignore is a sign that the user meant another org or
// another login. A partial login is an error naming what is missing. These
// errors wrap ErrConfig; so do a JWT key file's, which ChooseLogin reads.
func ChooseLogin(ctx context.Context, s *LoginSettings) (auth Authenticator, key string, err error) {
	set := s.Set()
	if len(set) == 0 {
		return nil, "", nil
	}
	m, err := s.method(set)
	if err != nil {
		return nil, "", err
	}
	auth, err = m.make(ctx, s)
	if err != nil {
		return nil, "", err
	}
	return auth, m.key, nil
}

// loginMethod is one way to log in.
type loginMethod struct {
	key    string // the setting that picks the method
	name   string // for messages
	needs  []string
	allows []string
	make   func(ctx context.Context, s *LoginSettings) (Authenticator, error)
}

var loginMethods = []loginMethod{
	{key: "target-org", name: "Salesforce CLI login (--target-org)", make: sfCLILogin},
	{key: "access-token", name: "access token login (SF_ACCESS_TOKEN)", needs: []string{"instance-url"}, make: accessTokenLogin},
	{key: "jwt-key-file", name: "JWT bearer flow (--jwt-key-file)", needs: []string{"client-id", "username"}, allows: []string{"login-url"}, make: jwtLogin},
	{key: "client-secret", name: "client credentials flow (SF_CLIENT_SECRET)", needs: []string{"client-id", "login-url"}, make: clientCredentialsLogin},
	{key: "password", name: "SOAP login (SF_PASSWORD)", needs: []string{"username"}, allows: []string{"login-url", "security-token"}, make: passwordLogin},
}

func sfCLILogin(_ context.Context, s *LoginSettings) (Authenticator, error) {
	return SFCLI{Alias: s.TargetOrg}, nil
}

func accessTokenLogin(_ context.Context, s *LoginSettings) (Authenticator, error) {
	return AccessToken{InstanceURL: s.InstanceURL, Token: s.AccessToken}, nil
}

// jwtLogin reads and checks the key file now, so a bad key is reported
// before anything else happens.
func jwtLogin(ctx context.Context, s *LoginSettings) (Authenticator, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key, err := os.ReadFile(s.JWTKeyFile)
	if err != nil {
		return nil, configErrorf("--jwt-key-file %s: %w", s.JWTKeyFile, pathError(err))
	}
	if err := CheckPrivateKey(key); err != nil {
		return nil, fmt.Errorf("--jwt-key-file %s: %w", s.JWTKeyFile, err)
	}
	return JWTBearer{ClientID: s.ClientID, Username: s.Username, LoginURL: s.LoginURL, PrivateKey: key}, nil
}

func clientCredentialsLogin(_ context.Context, s *LoginSettings) (Authenticator, error) {
	return ClientCredentials{ClientID: s.ClientID, ClientSecret: s.ClientSecret, LoginURL: s.LoginURL}, nil
}

func passwordLogin(_ context.Context, s *LoginSettings) (Authenticator, error) {
	return Password{LoginURL: s.LoginURL, Username: s.Username, Password: s.Password, SecurityToken: s.SecurityToken}, nil
}

// unusedReason says why a setting does not belong to a login that does not
// take it.
var unusedReason = map[string]string{
	"instance-url":   "the login itself says which instance the org is on; only an access token needs it given",
	"client-id":      "only the JWT bearer flow and the client credentials flow use a connected app",
	"username":       "only SOAP login and the JWT bearer flow log in as a named user",
	"login-url":      "it logs in without a login host",
	"security-token": "only SOAP login (SF_PASSWORD) takes one",
}

// method returns the one login method that the set settings configure,
// with everything it needs and nothing it ignores.
func (s *LoginSettings) method(set []string) (*loginMethod, error) {
	var chosen []*loginMethod
	for i := range loginMethods {
		if s.Value(loginMethods[i].key) != "" {
			chosen = append(chosen, &loginMethods[i])
		}
	}
	switch len(chosen) {
	case 0:
		return nil, s.partialLogin(set)
	case 1:
	default:
		var ms []string
		for _, m := range chosen {
			ms = append(ms, fmt.Sprintf("%s (%s)", s.name(m.key), m.name))
		}
		return nil, configErrorf("several ways to log in are configured: %s; keep one", strings.Join(ms, ", "))
	}
	m := chosen[0]
	for _, k := range m.needs {
		if s.Value(k) == "" {
			return nil, configErrorf("the %s needs %s too: %s", m.name, k, s.needHint(m.key, k))
		}
	}
	for _, k := range set {
		if k == m.key || slices.Contains(m.needs, k) || slices.Contains(m.allows, k) {
			continue
		}
		name := m.name
		if from := s.name(m.key); !strings.Contains(name, from) {
			name += " (from " + from + ")"
		}
		return nil, configErrorf("%s is set, but the %s does not use it: %s. Unset %s, or choose the login that uses it",
			s.name(k), name, unusedReason[k], s.name(k))
	}
	return m, nil
}

// needHint says how to give setting need of the login picked by key.
func (s *LoginSettings) needHint(key, need string) string {
	switch {
	case key == "access-token" && need == "instance-url":
		return "give the org's instance URL with " + s.hint(need) + " (sf org display --json shows it)"
	case key == "client-secret" && need == "login-url":
		return "give the org's My Domain URL with --login-url https://MYDOMAIN.my.salesforce.com"
	}
	return "give " + s.hint(need)
}

// partialLogin explains login settings that pick no login.
func (s *LoginSettings) partialLogin(set []string) error {
	has := func(k string) bool { return slices.Contains(set, k) }
	switch {
	case has("client-id"):
		return configErrorf("%s is set, but no key or secret to log in with it: add --jwt-key-file and %s (JWT bearer flow), "+
			"or %s and --login-url (client credentials flow)", s.name("client-id"), s.hint("username"), s.hint("client-secret"))
	case has("username"):
		return configErrorf("%s is set, but not how to log in as that user: add %s (SOAP login), "+
			"or --jwt-key-file and --client-id (JWT bearer flow)", s.name("username"), s.hint("password"))
	case has("instance-url"):
		return configErrorf("%s is set, but no access token to use with it: set %s (sf org display --json shows one), or unset %s",
			s.name("instance-url"), s.hint("access-token"), s.name("instance-url"))
	case has("security-token"):
		return configErrorf("%s is set, but it is used only by SOAP login: add %s and %s, or unset it",
			s.name("security-token"), s.hint("username"), s.hint("password"))
	}
	return configErrorf("%s is set, but no way to log in: add --target-org ALIAS, %s with %s, "+
		"--client-id with --jwt-key-file or %s, or %s with %s", s.name(set[0]), s.hint("access-token"),
		s.hint("instance-url"), s.hint("client-secret"), s.hint("username"), s.hint("password"))
}

// configError is an ErrConfig whose message is only its own.
type configError struct{ err error }

func configErrorf(format string, args ...any) error {
	return &configError{fmt.Errorf(format, args...)}
}

func (e *configError) Error() string        { return e.err.Error() }
func (e *configError) Unwrap() error        { return e.err }
func (e *configError) Is(target error) bool { return target == ErrConfig }

// pathError drops the operation and path from an *os.PathError, for
// messages that name the path themselves.
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
