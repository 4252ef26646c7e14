package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/internal/version"
	"github.com/licenseplan/licenseplan/rules"
)

// runWith is run with a Salesforce CLI default org (as sf config get
// target-org would report it) instead of none.
func runWith(t *testing.T, env map[string]string, defaultOrg DefaultOrgFunc, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	if env == nil {
		env = map[string]string{}
	}
	env["SOURCE_DATE_EPOCH"] = "1795000000"
	s := &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, Getenv: testEnv(t, env), DefaultOrg: defaultOrg}
	code := Execute(context.Background(), args, s)
	return result{code, out.String(), errOut.String()}
}

// TestSeenWrongOrg: each way a plan of the wrong org came out with exit 0.
func TestSeenWrongOrg(t *testing.T) {
	t.Run("-o is --target-org, not --out", func(t *testing.T) {
		dir := inTempDir(t)
		// No sf on this machine's PATH is used: the alias does not resolve
		// through a fake runner, so the pull fails, naming the alias. What
		// matters is that the demo org is not planned into ./my-sandbox.
		r := run(t, map[string]string{"PATH": ""}, "plan", "-o", "my-sandbox")
		if r.code == 0 {
			t.Fatalf("plan -o my-sandbox exit 0; stderr %q", r.stderr)
		}
		if !strings.Contains(r.stderr, `my-sandbox`) || strings.Contains(r.stderr, demoNotice) {
			t.Errorf("stderr %q: want the org my-sandbox, not the demo", r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "my-sandbox")); !os.IsNotExist(err) {
			t.Errorf("plan -o my-sandbox made a folder my-sandbox (%v)", err)
		}
	})
	t.Run("the sf default target-org is used", func(t *testing.T) {
		inTempDir(t)
		asked := false
		r := runWith(t, nil, func(context.Context) (string, string, error) {
			asked = true
			return "sfdefault", "sf config target-org (global)", nil
		}, "plan", "--require-sandbox")
		if !asked {
			t.Fatal("the Salesforce CLI's default org was not asked for")
		}
		if r.code == 0 || strings.Contains(r.stderr, demoNotice) {
			t.Fatalf("exit %d, stderr %q: want a pull of sfdefault, not the demo", r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, `Org: Salesforce CLI org "sfdefault" (from sf config target-org (global))`) {
			t.Errorf("stderr %q does not say which org and why", r.stderr)
		}
	})
	t.Run("SF_USERNAME without SF_PASSWORD", func(t *testing.T) {
		inTempDir(t)
		r := run(t, map[string]string{"SF_USERNAME": "admin@acme.example"}, "plan")
		if r.code != exitError || !strings.Contains(r.stderr, "SF_USERNAME is set, but not how to log in as that user: add SF_PASSWORD") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
		if strings.Contains(r.stderr, demoNotice) || r.stdout != "" {
			t.Errorf("fell back: stdout %q stderr %q", r.stdout, r.stderr)
		}
	})
	t.Run("nothing configured: the demo, said plainly", func(t *testing.T) {
		inTempDir(t)
		r := runWith(t, nil, func(context.Context) (string, string, error) { return "", "", nil }, "plan", "--format", "json")
		if r.code != 0 {
			t.Fatalf("exit %d %s", r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, demoNotice) {
			t.Errorf("stderr %q lacks %q", r.stderr, demoNotice)
		}
		var p struct {
			Source struct {
				Kind, Tool, RulesVersion string
				Login                    any
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
			t.Fatal(err)
		}
		if p.Source.Kind != "demo" || p.Source.Login != nil || p.Source.Tool != version.Tool() || p.Source.RulesVersion != rules.DataVersion {
			t.Errorf("source = %+v", p.Source)
		}
	})
}

// TestChecksBeforePull: mistakes in what the user typed stop the run before
// any org is read. The org here is the Salesforce CLI default, whose pull
// would fail differently (no sf), so each error shows the check ran first.
func TestChecksBeforePull(t *testing.T) {
	dir := inTempDir(t)
	writeFile(t, dir, "bad.yaml", "- match: {license: Customer Comunity}\n  to: {license: Partner Community}\n")
	writeFile(t, dir, "file", "x")
	writeFile(t, dir, "typo.yaml", "fromat: json\n")
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"targets file typo", []string{"--targets", "bad.yaml"}, `bad.yaml:1:20: selector 1: unknown license "Customer Comunity" in match.license (did you mean "Customer Community"?)`},
		{"missing targets file", []string{"--targets", "nope.csv"}, "nope.csv"},
		{"bad preset", []string{"--preset", "experience-clod"}, "--preset"},
		{"config typo", []string{"--config", "typo.yaml"}, "config file typo.yaml:1: unknown key `fromat` (did you mean `format`?)"},
		{"bad format in a list", []string{"--format", "json,pfd", "--out", "o"}, `--format "pfd"`},
		{"--out is a file", []string{"--out", "file"}, "--out file is a file, not a folder"},
		{"--out under a file", []string{"--out", "file/sub"}, "--out file/sub cannot be made: file is a file"},
		{"--save-snapshot is a file", []string{"--save-snapshot", "file"}, "--save-snapshot file is a file"},
	}
	if os.Geteuid() != 0 { // root writes anywhere
		tests = append(tests, struct {
			name string
			args []string
			want string
		}{"--out not writable", []string{"--out", filepath.Join(ro, "plan")}, "cannot be written"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runWith(t, nil, func(context.Context) (string, string, error) {
				return "sfdefault", "sf config target-org (global)", nil
			}, append([]string{"plan"}, tt.args...)...)
			if r.code != exitError || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %q", r.code, r.stderr, tt.want)
			}
			// The org is announced just before it is pulled.
			if strings.Contains(r.stderr, "Org: ") {
				t.Errorf("the org was pulled before the check: %q", r.stderr)
			}
		})
	}
}

// TestJSONEnvelope: --json prints the Salesforce CLI's envelope on every
// command, for errors too, and nothing else on stdout.
func TestJSONEnvelope(t *testing.T) {
	dir := inTempDir(t)
	if r := run(t, nil, "plan", "--out", "planned", "--quiet"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	tests := []struct {
		name       string
		args       []string
		status     int
		resultKeys []string // keys the result object must have ("" for a list)
		errName    string
	}{
		{"plan", []string{"plan", "--json", "-d", "p2"}, 0, []string{"fingerprint", "files", "outDir", "source", "summary", "targets"}, ""},
		{"plan detailed exit code", []string{"plan", "--json", "-d", "p3", "--detailed-exitcode"}, 2, []string{"summary"}, ""},
		{"report", []string{"report", "--json", "--plan", "planned/plan.json", "-d", "r"}, 0, []string{"fingerprint", "files", "outDir"}, ""},
		{"rules", []string{"rules", "--json"}, 0, nil, ""},
		{"rules explain", []string{"rules", "explain", "Customer Community", "Partner Community", "--json"}, 0, []string{"outcome", "ruleId", "steps", "provenance"}, ""},
		{"rules licenses", []string{"rules", "licenses", "--json"}, 0, nil, ""},
		{"snapshot", []string{"snapshot", "--json", "--demo", "-d", "snap"}, 0, []string{"outDir", "files", "users", "source"}, ""},
		{"orgsim generate", []string{"orgsim", "generate", "--json", "--users", "20", "-d", "gen"}, 0, []string{"outDir", "users"}, ""},
		{"usage error", []string{"plan", "--json", "--format", "pdf"}, 1, nil, "UsageError"},
		{"wrong argument count", []string{"rules", "explain", "--json", "Customer Community"}, 1, nil, "UsageError"},
		{"error", []string{"report", "--json", "--plan", "nope.json", "-d", "x"}, 1, nil, "LicensePlanError"},
		{"--json with --format", []string{"plan", "--json", "--format", "csv"}, 1, nil, "UsageError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(dir)
			r := run(t, nil, tt.args...)
			if r.code != tt.status {
				t.Fatalf("exit %d, want %d; stderr %q", r.code, tt.status, r.stderr)
			}
			dec := json.NewDecoder(strings.NewReader(r.stdout))
			var env map[string]json.RawMessage
			if err := dec.Decode(&env); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
			}
			if dec.More() {
				t.Fatalf("stdout has more than one JSON value:\n%s", r.stdout)
			}
			var status int
			_ = json.Unmarshal(env["status"], &status)
			if status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			if _, ok := env["warnings"]; !ok {
				t.Error("no warnings list")
			}
			if tt.errName != "" {
				var name, msg string
				var exit int
				_ = json.Unmarshal(env["name"], &name)
				_ = json.Unmarshal(env["message"], &msg)
				_ = json.Unmarshal(env["exitCode"], &exit)
				if name != tt.errName || msg == "" || exit != tt.status {
					t.Errorf("error envelope name %q message %q exitCode %d, want %s", name, msg, exit, tt.errName)
				}
				return
			}
			raw := env["result"]
			if tt.resultKeys == nil {
				var list []any
				if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
					t.Errorf("result is not a non-empty list: %v %.80s", err, raw)
				}
				return
			}
			var obj map[string]any
			if err := json.Unmarshal(raw, &obj); err != nil {
				t.Fatalf("result is not an object: %v", err)
			}
			for _, k := range tt.resultKeys {
				if _, ok := obj[k]; !ok {
					t.Errorf("result lacks %q: %.200s", k, raw)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	r := run(t, nil, "--version")
	want := "licenseplan " + version.String() + " (rules " + rules.DataVersion + ")\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("--version: exit %d, stdout %q, want %q", r.code, r.stdout, want)
	}
}

// TestUserFacingErrors: error messages are written for users.
func TestUserFacingErrors(t *testing.T) {
	dir := inTempDir(t)
	writeFile(t, dir, "typo.yaml", "# settings\ninput: snap\nfromat: json\n")
	writeFile(t, dir, "nested.yaml", "rules:\n  overides: []\n")
	writeFile(t, dir, "override.yaml", "rules:\n  overrides:\n    - from: Customer Community\n      to: Partner Community\n      outcom: recreate\n")
	writeFile(t, dir, "type.yaml", "quiet: sometimes\n")
	writeFile(t, dir, "list.yaml", "input: [a, b]\n")
	writeFile(t, dir, "alias.yaml", "input: &x snap\ntargets: *x\n")
	writeFile(t, dir, "syntax.yaml", "input: a\n  b: c\n")
	writeFile(t, dir, "twodocs.yaml", "input: a\n---\ninput: b\n")
	writeFile(t, dir, "api.yaml", "api-version: 64.0\ninput: snap\n")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
		not  []string
	}{
		{name: "unknown config key", args: []string{"plan", "--config", "typo.yaml"},
			want: []string{"config file typo.yaml:3: unknown key `fromat` (did you mean `format`?)"}, not: []string{"mapstructure", "decoding"}},
		{name: "unknown nested key", args: []string{"plan", "--config", "nested.yaml"},
			want: []string{"config file nested.yaml:2: unknown key `rules.overides` (did you mean `overrides`?)"}},
		{name: "unknown override key", args: []string{"plan", "--config", "override.yaml"},
			want: []string{"config file override.yaml:5: unknown key `rules.overrides[0].outcom` (did you mean `outcome`?)"}},
		{name: "bad boolean in the file", args: []string{"plan", "--config", "type.yaml"},
			want: []string{"config file type.yaml:1: `quiet`: want true or false, not \"sometimes\""}},
		{name: "list for a text key", args: []string{"plan", "--config", "list.yaml"}, want: []string{"list.yaml:1: `input`: want a single value, not a list"}},
		{name: "YAML alias", args: []string{"plan", "--config", "alias.yaml"}, want: []string{"alias.yaml:1: `input`: YAML anchors and aliases"}},
		{name: "YAML syntax", args: []string{"plan", "--config", "syntax.yaml"}, want: []string{"config file syntax.yaml:2: not valid YAML"}, not: []string{"yaml: line"}},
		{name: "two documents", args: []string{"plan", "--config", "twodocs.yaml"}, want: []string{"twodocs.yaml:2: a second YAML document (after ---)"}},
		{name: "missing config file", args: []string{"plan", "--config", "nope.yaml"}, want: []string{"config file nope.yaml (from --config): no such file"}},
		{name: "bad environment boolean names the variable", env: map[string]string{"LICENSEPLAN_QUIET": "sometimes"}, args: []string{"plan"},
			want: []string{`LICENSEPLAN_QUIET="sometimes": want true or false`}, not: []string{"config file"}},
		{name: "--access-token", args: []string{"plan", "--access-token", "00Dx!secret"},
			want: []string{"--access-token: secrets are not taken as flags", "set SF_ACCESS_TOKEN in the environment"}, not: []string{"00Dx!secret", "unknown flag"}},
		{name: "wrong argument count shows usage and an example", args: []string{"rules", "explain", "Customer Community"},
			want: []string{"accepts 2 arg(s), received 1", "Usage: licenseplan rules explain FROM TO", `Example: licenseplan rules explain "Customer Community Plus" "Customer Community"`}},
		{name: "unexpected argument", args: []string{"plan", "my-sandbox"},
			want: []string{"Usage: licenseplan plan [flags]", "Example: licenseplan plan"}},
		{name: "no package prefix on a plan file error", args: []string{"report", "--plan", "typo.yaml", "-d", "x"},
			want: []string{"typo.yaml"}, not: []string{"reports:", "json:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(dir)
			r := run(t, tt.env, tt.args...)
			if r.code != exitError {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(r.stderr, n) {
					t.Errorf("stderr %q has %q", r.stderr, n)
				}
			}
		})
	}
	t.Run("api-version stays text", func(t *testing.T) {
		t.Chdir(dir)
		cfg, err := configFor(t, nil, "--config", "api.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Live.APIVersion != "64.0" || cfg.Input != "snap" {
			t.Errorf("api-version %q, input %q; want 64.0 and snap", cfg.Live.APIVersion, cfg.Input)
		}
	})
}

// TestSeenTruncatedSnapshot: a User.csv cut at sf's 50,000 records, with
// UserLicense.csv saying many more seats are used, planned with exit 0 and
// no word. Now it warns SNAPSHOT_INCOMPLETE (HIGH), and --strict stops.
func TestSeenTruncatedSnapshot(t *testing.T) {
	dir := inTempDir(t)
	snap := filepath.Join(dir, "snap")
	os.Mkdir(snap, 0o755)
	var b strings.Builder
	b.WriteString("Id,Username,Profile.UserLicense.Name,IsActive\n")
	for i := range 50000 {
		fmt.Fprintf(&b, "005%015d,u%d@x.example,Customer Community,true\n", i, i)
	}
	writeFile(t, snap, "User.csv", b.String())
	writeFile(t, snap, "UserLicense.csv", "Id,Name,LicenseDefinitionKey,Status,TotalLicenses,UsedLicenses\n"+
		"100000000000001AAA,Customer Community,,Active,200000,190412\n")

	r := run(t, nil, "plan", "--input", snap, "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	p, err := printedPlan(r.stdout)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, w := range p.Warnings {
		if w.Code == rules.SnapshotIncomplete {
			msgs = append(msgs, w.Message)
		}
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"User.csv has 50,000 data rows", "UserLicense.csv says 190,412 seats are in use, but User.csv has 50,000 active users"} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings %q lack %q", all, want)
		}
	}
	if info, _ := rules.Info(rules.SnapshotIncomplete); info.Severity != rules.High {
		t.Errorf("SNAPSHOT_INCOMPLETE is %s, want high", info.Severity)
	}

	r = run(t, nil, "plan", "--input", snap, "--strict", "-d", "out")
	if r.code != exitError || !strings.Contains(r.stderr, "--strict: the input looks incomplete (SNAPSHOT_INCOMPLETE): User.csv has 50,000 data rows") {
		t.Fatalf("--strict: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat("out"); !os.IsNotExist(err) {
		t.Errorf("--strict wrote files (%v)", err)
	}
	// A complete snapshot passes --strict.
	writeFile(t, snap, "User.csv", "Id,Username,Profile.UserLicense.Name,IsActive\n005000000000001AAA,a@x,Customer Community,true\n")
	writeFile(t, snap, "UserLicense.csv", "Id,Name,LicenseDefinitionKey,Status,TotalLicenses,UsedLicenses\n100000000000001AAA,Customer Community,,Active,10,1\n")
	if r := run(t, nil, "plan", "--input", snap, "--strict", "--format", "json"); r.code != 0 {
		t.Errorf("complete snapshot with --strict: exit %d %s", r.code, r.stderr)
	}
}
