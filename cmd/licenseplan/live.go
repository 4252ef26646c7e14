package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/licenseplan/licenseplan/internal/readgc"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/sfclient"
)

// liveConfig holds the settings of a live-org pull. It is squashed into
// Config, so its keys are top-level config keys.
//
// Secrets (access-token, client-secret, password, security-token) come
// only from the config file or the SF_* environment variables, never from
// flags: a flag lands in shell history and in the process list.
type liveConfig struct {
	TargetOrg      string `mapstructure:"target-org"`
	InstanceURL    string `mapstructure:"instance-url"`
	ClientID       string `mapstructure:"client-id"`
	Username       string `mapstructure:"username"`
	JWTKeyFile     string `mapstructure:"jwt-key-file"`
	LoginURL       string `mapstructure:"login-url"`
	APIVersion     string `mapstructure:"api-version"`
	RequireSandbox bool   `mapstructure:"require-sandbox"`
	SaveSnapshot   string `mapstructure:"save-snapshot"`
	API            string `mapstructure:"api"`
	BulkThreshold  int    `mapstructure:"bulk-threshold"`
	APIReserve     string `mapstructure:"api-reserve"`

	AccessToken   string `mapstructure:"access-token"`
	ClientSecret  string `mapstructure:"client-secret"`
	Password      string `mapstructure:"password"`
	SecurityToken string `mapstructure:"security-token"`
}

// liveFlagKeys are the live settings that are flags (and LICENSEPLAN_<KEY>
// variables). The secrets are not among them.
var liveFlagKeys = []string{"target-org", "instance-url", "client-id", "username", "jwt-key-file", "login-url",
	"api-version", "require-sandbox", "save-snapshot", "api", "bulk-threshold", "api-reserve"}

func init() {
	for _, k := range liveFlagKeys {
		configKeys[k] = true
	}
}

// sfEnv maps config keys to the Salesforce environment variables that set
// them. They rank below a flag and LICENSEPLAN_<KEY>, above the file.
var sfEnv = []struct{ key, env string }{
	{"target-org", "SF_TARGET_ORG"},
	{"instance-url", "SF_INSTANCE_URL"},
	{"username", "SF_USERNAME"},
	{"access-token", "SF_ACCESS_TOKEN"},
	{"client-secret", "SF_CLIENT_SECRET"},
	{"password", "SF_PASSWORD"},
	{"security-token", "SF_SECURITY_TOKEN"},
}

// addLiveFlags adds the live-org flags to plan.
func addLiveFlags(f *pflag.FlagSet) {
	f.StringP("target-org", "o", "", "pull the org of this Salesforce CLI `alias` or username (also SF_TARGET_ORG; default: sf's target-org)")
	f.String("instance-url", "", "instance `URL` of the org, with SF_ACCESS_TOKEN (also SF_INSTANCE_URL)")
	f.String("client-id", "", "connected app consumer `key`, for --jwt-key-file or SF_CLIENT_SECRET")
	f.String("username", "", "Salesforce `user` for the JWT bearer flow (also SF_USERNAME, with SF_PASSWORD for SOAP login)")
	f.String("jwt-key-file", "", "PEM private key `file` of the connected app's certificate (JWT bearer flow)")
	f.String("login-url", "", "login `URL`: https://test.salesforce.com for sandboxes, the My Domain URL for client credentials (default https://login.salesforce.com)")
	f.String("api-version", "", "Salesforce REST API `version` (default "+sfclient.DefaultAPIVersion+")")
	f.String("api", "", "how to read the org: `rest`, bulk (Bulk API 2.0 query jobs) or auto: Bulk for an object of more than --bulk-threshold records (default auto)")
	f.Int("bulk-threshold", 0, fmt.Sprintf("with --api auto, read an object with Bulk API 2.0 when it has more than this many `records` (default %d)", sfclient.DefaultBulkThreshold))
	f.String("api-reserve", "", "leave this part of the org's daily API limit unused: a number of `calls` or a percentage (default "+sfclient.DefaultReserve+"); the pull stops before it")
	f.Bool("require-sandbox", false, "refuse to run unless the org is a sandbox (Organization.IsSandbox)")
	f.String("save-snapshot", "", "also write the planned org as a snapshot into `folder`, to re-run offline with --input")
	addSecretFlags(f)
}

// loadPlanInput loads what resolveInput chose: a live org, the snapshot
// folder or the demo org. --save-snapshot and --require-sandbox apply to
// every input.
func loadPlanInput(ctx context.Context, s *Streams, cfg *Config, in input) (*org.Snapshot, planner.Source, error) {
	warnSecretFile(s, cfg)
	var snap *org.Snapshot
	var src planner.Source
	var err error
	switch {
	case in.auth != nil:
		snap, src, err = pullOrg(ctx, s, cfg, in.auth)
	case in.demo:
		snap, src, err = pullDemo(ctx, s, cfg)
	default:
		snap, src, err = readInput(ctx, s, cfg)
	}
	if err == nil && in.auth == nil && cfg.Live.RequireSandbox {
		if err = org.RequireSandbox(snap.Organization); err != nil {
			err = fmt.Errorf("--require-sandbox: %w", err)
		}
	}
	if err != nil {
		return nil, planner.Source{}, err
	}
	if dir := cfg.Live.SaveSnapshot; dir != "" {
		if err := org.WriteSnapshot(ctx, dir, snap); err != nil {
			return nil, planner.Source{}, fmt.Errorf("--save-snapshot %s: %w", dir, err)
		}
		if s.human() && !cfg.Quiet {
			fmt.Fprintf(s.ErrOut, "Saved the snapshot to %s (plan it offline with --input %s)\n", dir, dir)
		}
	}
	return snap, src, nil
}

// checkSaveSnapshot checks --save-snapshot before the pull.
func checkSaveSnapshot(cfg *Config) error {
	dir := cfg.Live.SaveSnapshot
	if dir == "" {
		return nil
	}
	if cfg.Input != "" && sameDir(dir, cfg.Input) {
		return flagErrorf("--save-snapshot %s is the --input folder: give another folder", dir)
	}
	return checkWritableDir(dir, "--save-snapshot")
}

// checkWritableDir checks, without changing anything, that dir is a folder
// that can be written, or can be made: its nearest existing ancestor is a
// folder in which a file can be created (a temporary file is made and
// removed to know for sure). It runs before the org is pulled, so an
// unusable --out costs nothing.
func checkWritableDir(dir, flag string) error {
	p := filepath.Clean(dir)
	for {
		st, err := os.Stat(p)
		if err == nil {
			if !st.IsDir() {
				if p == filepath.Clean(dir) {
					return flagErrorf("%s %s is a file, not a folder: give a folder", flag, dir)
				}
				return flagErrorf("%s %s cannot be made: %s is a file", flag, dir, p)
			}
			f, err := os.CreateTemp(p, ".licenseplan-check-*")
			if err != nil {
				return flagErrorf("%s %s cannot be written: %v", flag, dir, pathError(err))
			}
			name := f.Name()
			f.Close()
			os.Remove(name)
			return nil
		}
		if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return flagErrorf("%s %s: %v", flag, dir, pathError(err))
		}
		parent := filepath.Dir(p)
		if parent == p {
			return flagErrorf("%s %s cannot be made", flag, dir)
		}
		p = parent
	}
}

// loginConfig starts every command that may log in to an org: a secret
// given as a flag is refused, then the config is loaded.
func loginConfig(cmd *cobra.Command, s *Streams) (*Config, error) {
	if err := refuseSecretFlags(cmd); err != nil {
		return nil, err
	}
	return loadConfig(cmd, s)
}

// refuseSecretFlags turns a secret given as a flag into an error naming the
// variable to use. The flags exist only to say this (they are hidden): a
// secret on the command line stays in shell history and shows in the
// process list. The value is never repeated.
func refuseSecretFlags(cmd *cobra.Command) error {
	for _, e := range sfEnv {
		if !slices.Contains(secretKeys, e.key) {
			continue
		}
		if f := cmd.Flags().Lookup(e.key); f != nil && f.Changed {
			return flagErrorf("--%s: secrets are not taken as flags (a flag stays in shell history and shows in the process list): "+
				"set %s in the environment, or %s in the config file (mode 600)", e.key, e.env, e.key)
		}
	}
	return nil
}

// secretKeys are the settings that are secrets.
var secretKeys = []string{"access-token", "client-secret", "password", "security-token"}

// addSecretFlags adds the hidden flags refuseSecretFlags refuses.
func addSecretFlags(f *pflag.FlagSet) {
	for _, k := range secretKeys {
		f.String(k, "", "not accepted: use the environment or the config file")
		_ = f.MarkHidden(k)
	}
}

func sameDir(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	if err1 == nil && err2 == nil {
		return os.SameFile(sa, sb)
	}
	return filepath.Clean(a) == filepath.Clean(b)
}

// warnSecretFile notes a config file that holds a secret and that other
// users may read.
func warnSecretFile(s *Streams, cfg *Config) {
	l := &cfg.Live
	if cfg.Quiet || cfg.File == "" || (l.AccessToken == "" && l.ClientSecret == "" && l.Password == "" && l.SecurityToken == "") {
		return
	}
	st, err := os.Stat(cfg.File)
	if err == nil && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(s.ErrOut, "note: config file %s may hold a secret and others can read it (mode %s): chmod 600 %s\n",
			cfg.File, st.Mode().Perm(), cfg.File)
	}
}

// pullOrg pulls the org that auth logs in to, through sfclient, with
// progress bars on a terminal, and returns the snapshot and plan source.
// The demo run can call it with sfclient.AccessToken{InstanceURL, Token}.
func pullOrg(ctx context.Context, s *Streams, cfg *Config, auth sfclient.Authenticator) (*org.Snapshot, planner.Source, error) {
	red := sfclient.NewRedactor()
	routeLibraryLog(s, red)
	var prog sfclient.Progress
	if s.ErrTTY && !cfg.Quiet {
		prog = &bars{w: s.ErrOut}
	}
	opts, err := pullOptions(cfg)
	if err != nil {
		return nil, planner.Source{}, err
	}
	opts.Progress, opts.Redactor = prog, red
	opts.BeforeRead = func(ctx context.Context, dir string) func() { return readgc.AfterPull(ctx, dir, s.Getenv) }
	c, err := sfclient.New(auth, opts)
	if err != nil {
		return nil, planner.Source{}, flagErrorf("%w", err)
	}
	res, err := c.Pull(ctx)
	if err != nil {
		return nil, planner.Source{}, err
	}
	if !cfg.Quiet {
		for _, n := range res.Notes {
			fmt.Fprintf(s.ErrOut, "note: %s\n", n)
		}
		fmt.Fprintln(s.ErrOut, pulledLine(res))
	}
	return res.Snapshot, res.Source(), nil
}

// pullOptions are the sfclient options of the live settings; a bad
// value is a usage error naming its setting.
func pullOptions(cfg *Config) (sfclient.Options, error) {
	l := cfg.Live
	o := sfclient.Options{APIVersion: l.APIVersion, RequireSandbox: l.RequireSandbox, BulkThreshold: l.BulkThreshold}
	if l.API != "" {
		api, err := sfclient.ParseAPI(l.API)
		if err != nil {
			return o, flagErrorf("--api %q: want rest, bulk or auto", l.API)
		}
		o.API = api
	}
	if l.BulkThreshold < 0 {
		return o, flagErrorf("--bulk-threshold %d: want a number of records, 0 or more", l.BulkThreshold)
	}
	if l.APIReserve != "" {
		r, err := sfclient.ParseReserve(l.APIReserve)
		if err != nil {
			return o, flagErrorf("--api-reserve %q: want a number of calls (5000) or a percentage of the daily limit (10%%)", l.APIReserve)
		}
		o.Reserve = r
	}
	return o, nil
}

// pulledLine summarises a pull for stderr, marking production plainly.
func pulledLine(res *sfclient.Result) string {
	kind := "org of unknown kind (no Organization record)"
	if o := res.Snapshot.Organization; o != nil {
		switch o.Environment() {
		case org.EnvSandbox:
			kind = fmt.Sprintf("sandbox %q", o.Name)
		case org.EnvProduction:
			kind = fmt.Sprintf("PRODUCTION org %q", o.Name)
		default:
			kind = fmt.Sprintf("org %q (sandbox or production unknown)", o.Name)
		}
	}
	return fmt.Sprintf("Pulled %d users from %s at %s (read only) with %d API calls; %s",
		len(res.Snapshot.Users), kind, res.InstanceURL, res.APICalls, res.Usage)
}

// routeLibraryLog sends the standard log package, which simpleforce writes
// to on failures and logins, to stderr through the redactor when
// LICENSEPLAN_DEBUG is set, and nowhere otherwise, so it never reaches
// stdout (or the JSON there). log.SetOutput is process-wide; licenseplan
// pulls at most one org per run, and nothing else in it uses log.
func routeLibraryLog(s *Streams, red *sfclient.Redactor) {
	var w io.Writer = io.Discard
	if s.Getenv("LICENSEPLAN_DEBUG") != "" {
		w = red.Writer(s.ErrOut)
	}
	log.SetOutput(w)
	log.SetFlags(0)
	log.SetPrefix("debug: ")
}

var _ sfclient.Progress = (*bars)(nil)
