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

// resolveInput decides what the run reads, the way the Salesforce CLI
// resolves an org:
//
//  1. --input DIR: that snapshot folder (and no login setting may be set).
//  2. --demo: the built-in demo org (and no login setting may be set).
//  3. The login settings: --target-org, then LICENSEPLAN_TARGET_ORG, then
//     SF_TARGET_ORG, then target-org in the config file; or one of the other
//     logins (access token, JWT, client credentials, SOAP). One login only,
//     with everything it needs and nothing it ignores: sfclient.ChooseLogin
//     decides which.
//  4. The Salesforce CLI's default target-org (sf config get target-org).
//  5. Only when nothing at all is configured: the built-in demo org, said
//     plainly on stderr (demoNotice).
//
// A partial login never falls back to anything: it is an error naming
// what is missing.
func (c *Config) resolveInput(ctx context.Context, s *Streams, demoFlag bool) (input, error) {
	login := c.loginSettings()
	set := login.Set()
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
	auth, key, err := sfclient.ChooseLogin(ctx, login)
	if err != nil {
		return input{}, err
	}
	return input{auth: auth, from: c.settingName(key)}, nil
}

// loginSettings are the run's login settings, named for messages by where
// each came from (settingName) and how to give it (keyHint).
func (c *Config) loginSettings() *sfclient.LoginSettings {
	l := &c.Live
	return &sfclient.LoginSettings{
		TargetOrg: l.TargetOrg, AccessToken: l.AccessToken, InstanceURL: l.InstanceURL, ClientID: l.ClientID,
		Username: l.Username, JWTKeyFile: l.JWTKeyFile, ClientSecret: l.ClientSecret, Password: l.Password,
		SecurityToken: l.SecurityToken, LoginURL: l.LoginURL,
		Name: c.settingName, Hint: keyHint,
	}
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
