package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/sfclient"
)

// demoNotice is what plan and snapshot say on stderr when nothing at all is
// configured and they read the built-in demo org.
const demoNotice = "No org configured: planning the built-in demo org. Use --target-org ALIAS or --input DIR for your own."

// DefaultOrgFunc returns the Salesforce CLI's configured default target-org
// and where that setting lives ("", "", nil when none is set).
type DefaultOrgFunc func(ctx context.Context) (alias, origin string, err error)

// input is the answer to "what does this run read": a live org (auth), a
// snapshot folder, or the built-in demo org.
type input struct {
	// auth logs in to the live org; nil for a snapshot or the demo.
	auth sfclient.Authenticator
	// from names the setting that chose the login ("--target-org",
	// "SF_TARGET_ORG", "sf config target-org (global)", ...).
	from string
	// demo is set for the built-in demo org; implicit when nothing at all
	// was configured (not even --demo).
	demo, implicit bool
}

// sourceLogin is the plan's record of the login, nil when there was none.
func (in input) sourceLogin() *planner.Login {
	if in.auth == nil || in.demo {
		return nil
	}
	return &planner.Login{Method: in.auth.Method(), From: in.from}
}

// loginKeys are the settings that take part in choosing a login. The
// others (api-version, require-sandbox, save-snapshot) apply to any input.
var loginKeys = []string{"target-org", "access-token", "instance-url", "client-id", "username", "jwt-key-file",
	"client-secret", "password", "security-token", "login-url"}

// loginMethod is one way to log in. Exactly one method's key may be set;
// it needs its needs and may take its allows. Any other login setting is
// an error: a setting the chosen login would ignore is a sign that the
// user meant another org or another login.
type loginMethod struct {
	key    string // the setting that picks the method
	name   string // for messages
	needs  []string
	allows []string
}

var loginMethods = []loginMethod{
	{key: "target-org", name: "Salesforce CLI login (--target-org)"},
	{key: "access-token", name: "access token login (SF_ACCESS_TOKEN)", needs: []string{"instance-url"}},
	{key: "jwt-key-file", name: "JWT bearer flow (--jwt-key-file)", needs: []string{"client-id", "username"}, allows: []string{"login-url"}},
	{key: "client-secret", name: "client credentials flow (SF_CLIENT_SECRET)", needs: []string{"client-id", "login-url"}},
	{key: "password", name: "SOAP login (SF_PASSWORD)", needs: []string{"username"}, allows: []string{"login-url", "security-token"}},
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

// keyHint names how a setting is given, for "needs" messages.
func keyHint(key string) string {
	env := ""
	for _, e := range sfEnv {
		if e.key == key {
			env = e.env
		}
	}
	switch {
	case !slices.Contains(liveFlagKeys, key): // a secret
		return fmt.Sprintf("%s (or %s in the config file)", env, key)
	case env != "":
		return fmt.Sprintf("--%s or %s", key, env)
	}
	return "--" + key
}

// settingName names a set setting by where it came from: "--username",
// "SF_USERNAME", "username in config file lp.yaml".
func (c *Config) settingName(key string) string {
	if o := c.origin(key); o != "" {
		return o
	}
	return key
}

func (l *liveConfig) value(key string) string {
	switch key {
	case "target-org":
		return l.TargetOrg
	case "access-token":
		return l.AccessToken
	case "instance-url":
		return l.InstanceURL
	case "client-id":
		return l.ClientID
	case "username":
		return l.Username
	case "jwt-key-file":
		return l.JWTKeyFile
	case "client-secret":
		return l.ClientSecret
	case "password":
		return l.Password
	case "security-token":
		return l.SecurityToken
	case "login-url":
		return l.LoginURL
	}
	return ""
}

// setLoginKeys returns the login settings that are set, in loginKeys order.
func (c *Config) setLoginKeys() []string {
	var set []string
	for _, k := range loginKeys {
		if c.Live.value(k) != "" {
			set = append(set, k)
		}
	}
	return set
}

// resolveInput decides what the run reads, the way the Salesforce CLI
// resolves an org:
//
//  1. --input DIR: that snapshot folder (and no login setting may be set).
//  2. --demo: the built-in demo org (and no login setting may be set).
//  3. The login settings: --target-org, then LICENSEPLAN_TARGET_ORG, then
//     SF_TARGET_ORG, then target-org in the config file; or one of the other
//     logins (access token, JWT, client credentials, SOAP). One login only,
//     with everything it needs and nothing it ignores.
//  4. The Salesforce CLI's default target-org (sf config get target-org).
//  5. Only when nothing at all is configured: the built-in demo org, said
//     plainly on stderr (demoNotice).
//
// A partial login never falls back to anything: it is an error naming
// what is missing.
func (c *Config) resolveInput(ctx context.Context, s *Streams, demoFlag bool) (input, error) {
	set := c.setLoginKeys()
	names := func(keys []string) string {
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = c.settingName(k)
		}
		return strings.Join(out, ", ")
	}
	switch {
	case c.Input != "" && demoFlag:
		return input{}, flagErrorf("--input and --demo each say what to plan: keep one")
	case c.Input != "" && len(set) > 0:
		return input{}, flagErrorf("--input reads a snapshot offline, but a live org is configured too (%s): "+
			"unset those, or drop --input to pull the org", names(set))
	case c.Input != "":
		return input{}, nil
	case demoFlag && len(set) > 0:
		return input{}, flagErrorf("--demo plans the built-in demo org, but a live org is configured too (%s): "+
			"unset those, or drop --demo", names(set))
	case demoFlag:
		return input{demo: true}, nil
	case len(set) == 0:
		return c.defaultOrg(ctx, s)
	}

	var chosen []loginMethod
	for _, m := range loginMethods {
		if c.Live.value(m.key) != "" {
			chosen = append(chosen, m)
		}
	}
	switch len(chosen) {
	case 0:
		return input{}, c.partialLogin(set)
	case 1:
	default:
		var ms []string
		for _, m := range chosen {
			ms = append(ms, fmt.Sprintf("%s (%s)", c.settingName(m.key), m.name))
		}
		return input{}, flagErrorf("several ways to log in are configured: %s; keep one", strings.Join(ms, ", "))
	}
	m := chosen[0]
	for _, k := range m.needs {
		if c.Live.value(k) == "" {
			return input{}, flagErrorf("the %s needs %s too: %s", m.name, k, needHint(m.key, k))
		}
	}
	for _, k := range set {
		if k == m.key || slices.Contains(m.needs, k) || slices.Contains(m.allows, k) {
			continue
		}
		name := m.name
		if from := c.settingName(m.key); !strings.Contains(name, from) {
			name += " (from " + from + ")"
		}
		return input{}, flagErrorf("%s is set, but the %s does not use it: %s. Unset %s, or choose the login that uses it",
			c.settingName(k), name, unusedReason[k], c.settingName(k))
	}
	auth, err := c.authenticator(m.key)
	if err != nil {
		return input{}, err
	}
	return input{auth: auth, from: c.settingName(m.key)}, nil
}

// needHint says how to give setting need of the login picked by key.
func needHint(key, need string) string {
	switch {
	case key == "access-token" && need == "instance-url":
		return "give the org's instance URL with " + keyHint(need) + " (sf org display --json shows it)"
	case key == "client-secret" && need == "login-url":
		return "give the org's My Domain URL with --login-url https://MYDOMAIN.my.salesforce.com"
	}
	return "give " + keyHint(need)
}

// partialLogin explains login settings that pick no login.
func (c *Config) partialLogin(set []string) error {
	has := func(k string) bool { return slices.Contains(set, k) }
	switch {
	case has("client-id"):
		return flagErrorf("%s is set, but no key or secret to log in with it: add --jwt-key-file and %s (JWT bearer flow), "+
			"or %s and --login-url (client credentials flow)", c.settingName("client-id"), keyHint("username"), keyHint("client-secret"))
	case has("username"):
		return flagErrorf("%s is set, but not how to log in as that user: add %s (SOAP login), "+
			"or --jwt-key-file and --client-id (JWT bearer flow)", c.settingName("username"), keyHint("password"))
	case has("instance-url"):
		return flagErrorf("%s is set, but no access token to use with it: set %s (sf org display --json shows one), or unset %s",
			c.settingName("instance-url"), keyHint("access-token"), c.settingName("instance-url"))
	case has("security-token"):
		return flagErrorf("%s is set, but it is used only by SOAP login: add %s and %s, or unset it",
			c.settingName("security-token"), keyHint("username"), keyHint("password"))
	}
	return flagErrorf("%s is set, but no way to log in: add --target-org ALIAS, %s with %s, "+
		"--client-id with --jwt-key-file or %s, or %s with %s", c.settingName(set[0]), keyHint("access-token"),
		keyHint("instance-url"), keyHint("client-secret"), keyHint("username"), keyHint("password"))
}

// defaultOrg is step 4 and 5 of resolveInput: the Salesforce CLI's default
// org, else the demo.
func (c *Config) defaultOrg(ctx context.Context, s *Streams) (input, error) {
	if s.DefaultOrg != nil {
		alias, origin, err := s.DefaultOrg(ctx)
		if err != nil {
			return input{}, fmt.Errorf("reading the Salesforce CLI's default org: %w (give --target-org ALIAS or --input DIR, or --demo for the built-in demo org)", err)
		}
		if alias != "" {
			return input{auth: sfclient.SFCLI{Alias: alias}, from: origin}, nil
		}
	}
	return input{demo: true, implicit: true}, nil
}

// authenticator builds the login picked by key; resolveInput has checked
// that its settings are complete.
func (c *Config) authenticator(key string) (sfclient.Authenticator, error) {
	l := &c.Live
	switch key {
	case "target-org":
		return sfclient.SFCLI{Alias: l.TargetOrg}, nil
	case "access-token":
		return sfclient.AccessToken{InstanceURL: l.InstanceURL, Token: l.AccessToken}, nil
	case "jwt-key-file":
		key, err := os.ReadFile(l.JWTKeyFile)
		if err != nil {
			return nil, fmt.Errorf("--jwt-key-file %s: %w", l.JWTKeyFile, pathError(err))
		}
		if err := sfclient.CheckPrivateKey(key); err != nil {
			return nil, fmt.Errorf("--jwt-key-file %s: %w", l.JWTKeyFile, err)
		}
		return sfclient.JWTBearer{ClientID: l.ClientID, Username: l.Username, LoginURL: l.LoginURL, PrivateKey: key}, nil
	case "client-secret":
		return sfclient.ClientCredentials{ClientID: l.ClientID, ClientSecret: l.ClientSecret, LoginURL: l.LoginURL}, nil
	case "password":
		return sfclient.Password{LoginURL: l.LoginURL, Username: l.Username, Password: l.Password, SecurityToken: l.SecurityToken}, nil
	}
	return nil, fmt.Errorf("no login method for %s", key)
}

// sfDefaultOrg asks the Salesforce CLI for its default target-org: sf
// itself when it is on PATH (it knows its own rules), else the config files
// sf writes (sfclient.DefaultOrgLookup).
func sfDefaultOrg(ctx context.Context) (string, string, error) {
	home, _ := os.UserHomeDir()
	dir, _ := os.Getwd()
	l := sfclient.DefaultOrgLookup{Home: home, Dir: dir}
	if path, err := exec.LookPath("sf"); err == nil {
		l.Run, l.Command = sfclient.ExecRunner, path
	}
	return l.DefaultTargetOrg(ctx)
}
