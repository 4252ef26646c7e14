package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orgsim"
	"github.com/licenseplan/licenseplan/sfclient"
)

// configFor parses plan's flags and environment into a Config, without
// running the plan.
func configFor(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	s := &Streams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}, Getenv: testEnv(t, env)}
	var cfg *Config
	var cfgErr error
	cmd := newPlanCmd(s)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, cfgErr = loadConfig(cmd, s)
		return nil
	}
	cmd.SetArgs(args)
	cmd.SetOut(s.Out)
	cmd.SetErr(s.ErrOut)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("flags %q: %v", args, err)
	}
	return cfg, cfgErr
}

func writeKey(t *testing.T, dir string) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	return writeFile(t, dir, "server.key", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
}

// TestLiveAuthSelection: flags, SF_* variables, the config file and the
// Salesforce CLI's default org pick one input, or give a usage error that
// says what is missing or what would be ignored. Nothing falls back to the
// demo org but the case where nothing at all is configured.
func TestLiveAuthSelection(t *testing.T) {
	dir := t.TempDir()
	key := writeKey(t, dir)
	cfgFile := writeFile(t, dir, "lp.yaml", "instance-url: https://file.my.salesforce.com\naccess-token: 00Dfile!tok\n")
	demoIn := input{demo: true, implicit: true}
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		defaultOrg string // the Salesforce CLI's default target-org
		want       input
		wantErr    string
	}{
		{name: "nothing: demo", want: demoIn},
		{name: "--input: offline", args: []string{"--input", dir}},
		{name: "--demo", args: []string{"--demo"}, want: input{demo: true}},
		{name: "--demo beats the sf default", args: []string{"--demo"}, defaultOrg: "sfdefault", want: input{demo: true}},
		{name: "sf default target-org", defaultOrg: "sfdefault",
			want: input{auth: sfclient.SFCLI{Alias: "sfdefault"}, from: "sf config target-org (test)"}},
		{name: "--input beats the sf default", args: []string{"--input", dir}, defaultOrg: "sfdefault"},
		{name: "--target-org", args: []string{"--target-org", "dev"}, want: input{auth: sfclient.SFCLI{Alias: "dev"}, from: "--target-org"}},
		{name: "-o is --target-org", args: []string{"-o", "dev"}, want: input{auth: sfclient.SFCLI{Alias: "dev"}, from: "--target-org"}},
		{name: "--target-org beats the sf default", args: []string{"-o", "dev"}, defaultOrg: "sfdefault",
			want: input{auth: sfclient.SFCLI{Alias: "dev"}, from: "--target-org"}},
		{name: "SF_TARGET_ORG", env: map[string]string{"SF_TARGET_ORG": "dev"}, want: input{auth: sfclient.SFCLI{Alias: "dev"}, from: "SF_TARGET_ORG"}},
		{name: "flag beats SF_TARGET_ORG", env: map[string]string{"SF_TARGET_ORG": "env"}, args: []string{"--target-org", "flag"},
			want: input{auth: sfclient.SFCLI{Alias: "flag"}, from: "--target-org"}},
		{name: "LICENSEPLAN_TARGET_ORG beats SF_TARGET_ORG", env: map[string]string{"SF_TARGET_ORG": "sf", "LICENSEPLAN_TARGET_ORG": "lp"},
			want: input{auth: sfclient.SFCLI{Alias: "lp"}, from: "LICENSEPLAN_TARGET_ORG"}},
		{name: "access token", env: map[string]string{"SF_ACCESS_TOKEN": "00Dx!t", "SF_INSTANCE_URL": "https://a.my.salesforce.com"},
			want: input{auth: sfclient.AccessToken{InstanceURL: "https://a.my.salesforce.com", Token: "00Dx!t"}, from: "SF_ACCESS_TOKEN"}},
		{name: "access token with --instance-url", env: map[string]string{"SF_ACCESS_TOKEN": "00Dx!t", "SF_INSTANCE_URL": "https://env.my.salesforce.com"},
			args: []string{"--instance-url", "https://flag.my.salesforce.com"},
			want: input{auth: sfclient.AccessToken{InstanceURL: "https://flag.my.salesforce.com", Token: "00Dx!t"}, from: "SF_ACCESS_TOKEN"}},
		{name: "access token from the config file", args: []string{"--config", cfgFile},
			want: input{auth: sfclient.AccessToken{InstanceURL: "https://file.my.salesforce.com", Token: "00Dfile!tok"}, from: "access-token in config file " + cfgFile}},
		{name: "SF_ACCESS_TOKEN beats the config file", env: map[string]string{"SF_ACCESS_TOKEN": "00Denv!tok"}, args: []string{"--config", cfgFile},
			want: input{auth: sfclient.AccessToken{InstanceURL: "https://file.my.salesforce.com", Token: "00Denv!tok"}, from: "SF_ACCESS_TOKEN"}},
		{name: "JWT", args: []string{"--client-id", "3MVG", "--username", "u@x", "--jwt-key-file", key, "--login-url", "https://test.salesforce.com"},
			want: input{auth: sfclient.JWTBearer{ClientID: "3MVG", Username: "u@x", LoginURL: "https://test.salesforce.com", PrivateKey: mustRead(t, key)}, from: "--jwt-key-file"}},
		{name: "client credentials", env: map[string]string{"SF_CLIENT_SECRET": "sec"}, args: []string{"--client-id", "3MVG", "--login-url", "https://acme.my.salesforce.com"},
			want: input{auth: sfclient.ClientCredentials{ClientID: "3MVG", ClientSecret: "sec", LoginURL: "https://acme.my.salesforce.com"}, from: "SF_CLIENT_SECRET"}},
		{name: "SOAP", env: map[string]string{"SF_USERNAME": "u@x", "SF_PASSWORD": "pw", "SF_SECURITY_TOKEN": "tk"},
			want: input{auth: sfclient.Password{Username: "u@x", Password: "pw", SecurityToken: "tk"}, from: "SF_PASSWORD"}},

		// Seen: SF_USERNAME without SF_PASSWORD planned the demo org, exit 0.
		{name: "SF_USERNAME alone is a partial login", env: map[string]string{"SF_USERNAME": "a@b"},
			wantErr: "SF_USERNAME is set, but not how to log in as that user: add SF_PASSWORD"},
		{name: "partial login beats the sf default", env: map[string]string{"SF_USERNAME": "a@b"}, defaultOrg: "sfdefault",
			wantErr: "SF_USERNAME is set, but not how to log in"},
		{name: "client id alone", args: []string{"--client-id", "3MVG"}, wantErr: "--client-id is set, but no key or secret"},
		{name: "instance without token", args: []string{"--instance-url", "https://a.my.salesforce.com"}, wantErr: "--instance-url is set, but no access token"},
		{name: "security token alone", env: map[string]string{"SF_SECURITY_TOKEN": "tk"}, wantErr: "SF_SECURITY_TOKEN is set, but it is used only by SOAP login"},
		{name: "login URL alone", args: []string{"--login-url", "https://test.salesforce.com"}, wantErr: "--login-url is set, but no way to log in"},
		{name: "token without instance", env: map[string]string{"SF_ACCESS_TOKEN": "t"}, wantErr: "access token login (SF_ACCESS_TOKEN) needs instance-url too"},
		{name: "JWT without username", args: []string{"--client-id", "3MVG", "--jwt-key-file", key}, wantErr: "JWT bearer flow (--jwt-key-file) needs username too: give --username or SF_USERNAME"},
		{name: "JWT key missing", args: []string{"--client-id", "3MVG", "--username", "u", "--jwt-key-file", filepath.Join(dir, "nope.key")}, wantErr: "no such file"},
		{name: "JWT key not a key", args: []string{"--client-id", "3MVG", "--username", "u", "--jwt-key-file", cfgFile}, wantErr: "is not PEM"},
		{name: "client credentials without My Domain", env: map[string]string{"SF_CLIENT_SECRET": "sec"}, args: []string{"--client-id", "3MVG"}, wantErr: "needs login-url too: give the org's My Domain URL"},
		{name: "password without username", env: map[string]string{"SF_PASSWORD": "pw"}, wantErr: "SOAP login (SF_PASSWORD) needs username too"},

		// A setting the chosen login ignores is an error, not silence.
		{name: "SF_INSTANCE_URL with SOAP login", env: map[string]string{"SF_USERNAME": "u@x", "SF_PASSWORD": "pw", "SF_INSTANCE_URL": "https://a.my.salesforce.com"},
			wantErr: "SF_INSTANCE_URL is set, but the SOAP login (SF_PASSWORD) does not use it"},
		{name: "SF_USERNAME with --target-org", env: map[string]string{"SF_USERNAME": "u@x"}, args: []string{"-o", "dev"},
			wantErr: "SF_USERNAME is set, but the Salesforce CLI login (--target-org) does not use it"},
		{name: "SF_USERNAME with SF_TARGET_ORG", env: map[string]string{"SF_USERNAME": "u@x", "SF_TARGET_ORG": "dev"},
			wantErr: "SF_USERNAME is set, but the Salesforce CLI login (--target-org) (from SF_TARGET_ORG) does not use it"},
		{name: "--login-url with an access token", env: map[string]string{"SF_ACCESS_TOKEN": "t", "SF_INSTANCE_URL": "https://a.my.salesforce.com"},
			args: []string{"--login-url", "https://test.salesforce.com"}, wantErr: "--login-url is set, but the access token login"},
		{name: "instance URL with JWT", args: []string{"--client-id", "3MVG", "--username", "u@x", "--jwt-key-file", key, "--instance-url", "https://a.my.salesforce.com"},
			wantErr: "--instance-url is set, but the JWT bearer flow"},
		{name: "username with client credentials", env: map[string]string{"SF_CLIENT_SECRET": "sec", "SF_USERNAME": "u@x"},
			args: []string{"--client-id", "3MVG", "--login-url", "https://acme.my.salesforce.com"}, wantErr: "SF_USERNAME is set, but the client credentials flow"},
		{name: "security token with a target org", env: map[string]string{"SF_SECURITY_TOKEN": "tk"}, args: []string{"-o", "dev"},
			wantErr: "SF_SECURITY_TOKEN is set, but the Salesforce CLI login"},

		{name: "--input and a live org", env: map[string]string{"SF_TARGET_ORG": "dev"}, args: []string{"--input", dir},
			wantErr: "--input reads a snapshot offline, but a live org is configured too (SF_TARGET_ORG)"},
		{name: "--demo and a live org", args: []string{"--demo", "-o", "dev"}, wantErr: "--demo plans the built-in demo org, but a live org is configured too (--target-org)"},
		{name: "--input and --demo", args: []string{"--demo", "--input", dir}, wantErr: "--input and --demo each say what to plan"},
		{name: "two methods", env: map[string]string{"SF_ACCESS_TOKEN": "t", "SF_INSTANCE_URL": "https://a.my.salesforce.com"}, args: []string{"--target-org", "dev"},
			wantErr: "several ways to log in are configured: --target-org (Salesforce CLI login (--target-org)), SF_ACCESS_TOKEN (access token login (SF_ACCESS_TOKEN)); keep one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, demoFlag, err := configAndDemo(t, tt.env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			s := &Streams{Getenv: testEnv(t, tt.env)}
			if tt.defaultOrg != "" {
				s.DefaultOrg = func(context.Context) (string, string, error) {
					return tt.defaultOrg, "sf config target-org (test)", nil
				}
			}
			got, err := cfg.resolveInput(context.Background(), s, demoFlag)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				if !isUsage(err) {
					t.Errorf("err %v is not a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

// configAndDemo is configFor, also returning --demo.
func configAndDemo(t *testing.T, env map[string]string, args ...string) (*Config, bool, error) {
	t.Helper()
	cfg, err := configFor(t, env, args...)
	return cfg, slices.Contains(args, "--demo"), err
}

// TestDefaultOrgErrorStops: a Salesforce CLI config that cannot be read is
// an error, not the demo org.
func TestDefaultOrgErrorStops(t *testing.T) {
	cfg, err := configFor(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &Streams{Getenv: testEnv(t, nil),
		DefaultOrg: func(context.Context) (string, string, error) {
			return "", "", errors.New("/home/u/.sf/config.json: invalid character")
		}}
	_, err = cfg.resolveInput(context.Background(), s, false)
	if err == nil || !strings.Contains(err.Error(), "reading the Salesforce CLI's default org: /home/u/.sf/config.json") {
		t.Fatalf("err %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSecretsAreNotFlags: no flag can carry a secret. The secrets' flags
// exist, hidden, only to say where a secret goes instead.
func TestSecretsAreNotFlags(t *testing.T) {
	cmd := newPlanCmd(&Streams{Getenv: testEnv(t, nil)})
	for _, name := range []string{"token", "secret"} {
		if cmd.Flags().Lookup(name) != nil {
			t.Errorf("plan has a --%s flag", name)
		}
	}
	vars := map[string]string{"access-token": "SF_ACCESS_TOKEN", "client-secret": "SF_CLIENT_SECRET", "password": "SF_PASSWORD", "security-token": "SF_SECURITY_TOKEN"}
	for _, command := range []string{"plan", "snapshot"} {
		for name, env := range vars {
			t.Run(command+" --"+name, func(t *testing.T) {
				if f := cmd.Flags().Lookup(name); f == nil || !f.Hidden {
					t.Errorf("--%s is not a hidden flag", name)
				}
				r := run(t, nil, command, "--"+name, "s3kr1t", "--out", t.TempDir())
				if r.code != exitError || !strings.Contains(r.stderr, "--"+name+": secrets are not taken as flags") ||
					!strings.Contains(r.stderr, "set "+env+" in the environment") {
					t.Errorf("exit %d, stderr %q", r.code, r.stderr)
				}
				if strings.Contains(r.stderr+r.stdout, "s3kr1t") {
					t.Errorf("the secret was repeated: %q", r.stderr)
				}
			})
		}
	}
	for _, name := range liveFlagKeys {
		if cmd.Flags().Lookup(name) == nil {
			t.Errorf("plan lacks --%s", name)
		}
	}
}

func TestLiveUsageErrorsThroughCLI(t *testing.T) {
	inTempDir(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"input and live", map[string]string{"SF_TARGET_ORG": "dev"}, []string{"plan", "--input", "."}, "a live org is configured too"},
		{"bad API version", map[string]string{"SF_ACCESS_TOKEN": "t"}, []string{"plan", "--instance-url", "https://a.my.salesforce.com", "--api-version", "latest"}, `API version "latest"`},
		{"bad --api", map[string]string{"SF_ACCESS_TOKEN": "t"}, []string{"plan", "--instance-url", "https://a.my.salesforce.com", "--api", "soap"}, `--api "soap": want rest, bulk or auto`},
		{"bad --api-reserve", map[string]string{"SF_ACCESS_TOKEN": "t"}, []string{"plan", "--instance-url", "https://a.my.salesforce.com", "--api-reserve", "lots"}, `--api-reserve "lots"`},
		{"negative --bulk-threshold", map[string]string{"SF_ACCESS_TOKEN": "t"}, []string{"plan", "--instance-url", "https://a.my.salesforce.com", "--bulk-threshold", "-5"}, `--bulk-threshold -5`},
		{"plain http to a remote host", map[string]string{"SF_ACCESS_TOKEN": "00Dx!sekrit"}, []string{"plan", "--instance-url", "http://a.my.salesforce.com"}, "use https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.env, tt.args...)
			if r.code != exitError || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "--help") {
				t.Fatalf("exit %d, stderr %q; want a usage error with %q", r.code, r.stderr, tt.want)
			}
			if strings.Contains(r.stderr, "sekrit") || r.stdout != "" {
				t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
			}
		})
	}
}

func TestRequireSandboxOffline(t *testing.T) {
	dir := inTempDir(t)
	snap := filepath.Join(dir, "snap")
	os.Mkdir(snap, 0o755)
	writeFile(t, snap, "User.csv", "Id,Username,Profile.UserLicense.Name\n005000000000001,a@x,Salesforce\n")
	r := run(t, nil, "plan", "--input", snap, "--require-sandbox", "--format", "json")
	if r.code != exitError || !strings.Contains(r.stderr, "--require-sandbox: no Organization record was read (Organization.csv") {
		t.Fatalf("no Organization.csv: exit %d, %q", r.code, r.stderr)
	}
	writeFile(t, snap, "Organization.csv", "Id,Name,IsSandbox\n00D000000000001,Acme,false\n")
	r = run(t, nil, "plan", "--input", snap, "--require-sandbox", "--format", "json")
	if r.code != exitError || !strings.Contains(r.stderr, `org "Acme" (00D000000000001) is a production org`) {
		t.Fatalf("production: exit %d, %q", r.code, r.stderr)
	}
	// The demo org is a sandbox.
	if r := run(t, nil, "plan", "--require-sandbox", "--format", "json"); r.code != 0 {
		t.Fatalf("demo: exit %d, %q", r.code, r.stderr)
	}
}

func TestSaveSnapshotOffline(t *testing.T) {
	dir := inTempDir(t)
	saved := filepath.Join(dir, "saved")
	tg := writeFile(t, dir, "targets.csv", string(demo.Targets()))
	first := run(t, nil, "plan", "--save-snapshot", saved, "--format", "json", "--targets", tg)
	if first.code != 0 || !strings.Contains(first.stderr, "Saved the snapshot to "+saved) {
		t.Fatalf("exit %d: %s", first.code, first.stderr)
	}
	again := run(t, nil, "plan", "--input", saved, "--format", "json", "--targets", tg)
	if again.code != 0 {
		t.Fatalf("exit %d: %s", again.code, again.stderr)
	}
	if stripSource(t, first.stdout) != stripSource(t, again.stdout) {
		t.Error("the plan of the saved snapshot differs from the first plan")
	}
	if r := run(t, nil, "plan", "--input", saved, "--save-snapshot", saved); r.code != exitError || !strings.Contains(r.stderr, "is the --input folder") {
		t.Errorf("same folder: exit %d, %q", r.code, r.stderr)
	}
}

// stripSource returns plan.json without its source and fingerprint (which
// covers the source).
func stripSource(t *testing.T, planJSON string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(planJSON), &m); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	delete(m, "source")
	delete(m, "fingerprint")
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestProgressBars(t *testing.T) {
	var buf bytes.Buffer
	b := &bars{w: &buf}
	b.Begin("User", 4000)
	b.Begin("Contact", 10)
	b.Advance("User", 3000)
	b.Begin("User", 3999) // a new Bulk job: the count starts over
	b.Advance("Contact", 10)
	b.Advance("User", 3999)
	b.End("Contact", nil)
	b.End("User", nil)
	b.Begin("UserRole", 0) // nothing to draw
	b.Advance("UserRole", 0)
	b.End("UserRole", nil)
	out := buf.String()
	if !strings.Contains(out, "3999/3999") || strings.Contains(out, "6999") || !strings.Contains(out, "10/10") || strings.Contains(out, "UserRole") {
		t.Errorf("bars drew %q", out)
	}
	// The last block drawn has one line per object, User's first.
	last := out[strings.LastIndex(out, "\x1b[2A")+len("\x1b[2A"):]
	lines := strings.Split(strings.TrimSuffix(last, "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "User") || !strings.Contains(lines[0], "3999/3999") ||
		!strings.Contains(lines[1], "Contact") || !strings.Contains(lines[1], "10/10") {
		t.Errorf("last block %q", last)
	}
}

// simOrg serves snap with orgsim on loopback and returns its instance URL
// and an access token.
func simOrg(t *testing.T, snap *org.Snapshot) (string, string) {
	t.Helper()
	srv, err := orgsim.New(snap, orgsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs.URL, srv.AccessToken()
}

func demoSnap(t *testing.T) *org.Snapshot {
	t.Helper()
	s, err := org.ReadSnapshot(context.Background(), demo.Snapshot(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPlanLiveOrg plans the demo org pulled from orgsim with SF_ACCESS_TOKEN:
// the plan equals the offline plan of the same snapshot, its source says
// org, and --save-snapshot writes a snapshot that plans the same offline.
func TestPlanLiveOrg(t *testing.T) {
	dir := inTempDir(t)
	url, token := simOrg(t, demoSnap(t))
	tg := writeFile(t, dir, "targets.csv", string(demo.Targets()))
	env := map[string]string{"SF_INSTANCE_URL": url, "SF_ACCESS_TOKEN": token, "LICENSEPLAN_DEBUG": "1"}
	saved := filepath.Join(dir, "pulled")
	live := run(t, env, "plan", "--targets", tg, "--format", "json", "--save-snapshot", saved, "--require-sandbox")
	if live.code != 0 {
		t.Fatalf("exit %d: %s", live.code, live.stderr)
	}
	p, err := printedPlan(live.stdout)
	if err != nil {
		t.Fatalf("stdout is not only JSON: %v", err)
	}
	if p.Source.Kind != "org" || p.Source.Path != url || p.Source.APICalls != 10 || p.Source.Org == nil || p.Source.Environment == org.EnvProduction {
		t.Errorf("source %+v org %+v", p.Source, p.Source.Org)
	}
	if !strings.Contains(live.stderr, `Pulled 159 users from sandbox "Acme Demo (Sandbox)" at `+url+" (read only) with 10 API calls; api-usage=10/") {
		t.Errorf("stderr %q", live.stderr)
	}
	if strings.Contains(live.stderr, token) || strings.Contains(live.stdout, token) {
		t.Error("the access token was printed")
	}
	offline := run(t, nil, "plan", "--targets", tg, "--format", "json", "--input", saved)
	if offline.code != 0 {
		t.Fatalf("exit %d: %s", offline.code, offline.stderr)
	}
	if stripSource(t, live.stdout) != stripSource(t, offline.stdout) {
		t.Error("the plan of the saved snapshot differs from the live plan")
	}
	quiet := run(t, env, "plan", "--targets", tg, "--format", "json", "--quiet")
	if quiet.code != 0 || quiet.stderr != "" {
		t.Errorf("--quiet: exit %d, stderr %q", quiet.code, quiet.stderr)
	}
}

func TestPlanLiveProduction(t *testing.T) {
	inTempDir(t)
	snap := demoSnap(t)
	o := *snap.Organization
	o.IsSandbox = org.False
	o.Name = "Acme Production"
	snap.Organization = &o
	url, token := simOrg(t, snap)
	env := map[string]string{"SF_INSTANCE_URL": url, "SF_ACCESS_TOKEN": token}
	r := run(t, env, "plan", "--format", "json", "--require-sandbox")
	if r.code != exitError || !strings.Contains(r.stderr, "is a production org") || r.stdout != "" {
		t.Fatalf("--require-sandbox: exit %d, stderr %q", r.code, r.stderr)
	}
	r = run(t, env, "plan", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stderr, `PRODUCTION org "Acme Production"`) {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	p, err := printedPlan(r.stdout)
	if err != nil || p.Source.Org == nil || p.Source.Environment != org.EnvProduction {
		t.Fatalf("plan source org %+v (%v)", p.Source.Org, err)
	}
}

func TestPlanLiveSOAPNotice(t *testing.T) {
	inTempDir(t)
	url, _ := simOrg(t, demoSnap(t))
	c := orgsim.DefaultCredentials()
	env := map[string]string{"SF_USERNAME": c.Username, "SF_PASSWORD": c.Password, "SF_SECURITY_TOKEN": c.SecurityToken}
	r := run(t, env, "plan", "--login-url", url, "--format", "json")
	if r.code != 0 || !strings.Contains(r.stderr, "note: logged in with SOAP login()") || !strings.Contains(r.stderr, "Summer '27") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	env["SF_PASSWORD"] = "wrong-Pa55word"
	env["LICENSEPLAN_DEBUG"] = "1"
	r = run(t, env, "plan", "--login-url", url, "--format", "json")
	if r.code != exitError || !strings.Contains(r.stderr, "INVALID_LOGIN") || strings.Contains(r.stderr, "wrong-Pa55word") {
		t.Fatalf("bad password: exit %d, stderr %q", r.code, r.stderr)
	}
	// simpleforce's own log goes to stderr only with LICENSEPLAN_DEBUG.
	if !strings.Contains(r.stderr, "debug: [simpleforce]") || r.stdout != "" {
		t.Errorf("debug log: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	delete(env, "LICENSEPLAN_DEBUG")
	if r = run(t, env, "plan", "--login-url", url, "--format", "json"); strings.Contains(r.stderr, "[simpleforce]") {
		t.Errorf("simpleforce logged without LICENSEPLAN_DEBUG: %q", r.stderr)
	}
}

// TestPlanLiveProgress: progress bars appear on a terminal stderr only,
// and never with --quiet.
func TestPlanLiveProgress(t *testing.T) {
	inTempDir(t)
	url, token := simOrg(t, demoSnap(t))
	env := map[string]string{"SF_INSTANCE_URL": url, "SF_ACCESS_TOKEN": token, "SOURCE_DATE_EPOCH": "1795000000"}
	tests := []struct {
		name     string
		tty      bool
		args     []string
		wantBars bool
	}{
		{"terminal", true, nil, true},
		{"terminal, --quiet", true, []string{"--quiet"}, false},
		{"pipe", false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			s := &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, ErrTTY: tt.tty, Getenv: testEnv(t, env)}
			args := append([]string{"plan", "--format", "json"}, tt.args...)
			if code := Execute(context.Background(), args, s); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			bars := strings.Contains(errOut.String(), "159/159")
			if bars != tt.wantBars {
				t.Errorf("bars %v, want %v; stderr %q", bars, tt.wantBars, errOut.String())
			}
			if strings.Contains(out.String(), "159/159") || !json.Valid(out.Bytes()) {
				t.Error("progress reached stdout")
			}
		})
	}
}

// TestPlanLiveOrgAPIs: --api rest, bulk and auto (also from the config
// file) plan the pulled demo org the same; bulk uses more API calls (a
// job's create, polls and results for each object).
func TestPlanLiveOrgAPIs(t *testing.T) {
	dir := inTempDir(t)
	url, token := simOrg(t, demoSnap(t))
	tg := writeFile(t, dir, "targets.csv", string(demo.Targets()))
	cfgFile := writeFile(t, dir, "bulk.yaml", "api: bulk\napi-reserve: 5%\n")
	env := map[string]string{"SF_INSTANCE_URL": url, "SF_ACCESS_TOKEN": token}
	var plans []string
	calls := map[string]int{}
	for _, args := range [][]string{{"--api", "rest"}, {"--api", "bulk"}, {"--api", "auto", "--bulk-threshold", "20"}, {"--config", cfgFile}} {
		r := run(t, env, append([]string{"plan", "--targets", tg, "--format", "json"}, args...)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		p, err := printedPlan(r.stdout)
		if err != nil {
			t.Fatal(err)
		}
		calls[strings.Join(args, " ")] = p.Source.APICalls
		plans = append(plans, stripSource(t, r.stdout))
	}
	for i, p := range plans[1:] {
		if p != plans[0] {
			t.Errorf("plan %d differs from the REST plan", i+1)
		}
	}
	if calls["--api bulk"] <= calls["--api rest"] || calls["--config "+cfgFile] != calls["--api bulk"] {
		t.Errorf("API calls %v: want bulk above rest, and the config file's bulk equal to --api bulk", calls)
	}
}
