package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"github.com/licenseplan/licenseplan/load"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/reports"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testdata is absolute: tests change directory.
var testdata = func() string {
	p, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	return p
}()

type result struct {
	code   int
	stdout string
	stderr string
}

// run executes the CLI in a fresh working directory with a fixed clock.
func run(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runStdin(t, env, "", args...)
}

// runStdin is run with stdin.
func runStdin(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["SOURCE_DATE_EPOCH"]; !ok {
		env["SOURCE_DATE_EPOCH"] = "1795000000"
	}
	s := &Streams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut, Getenv: testEnv(t, env)}
	code := Execute(context.Background(), args, s)
	return result{code, out.String(), errOut.String()}
}

// testEnv makes env the environment of one test and returns its Getenv
// for Streams. Streams.Getenv reads env only; viper reads the settings'
// variables (LICENSEPLAN_*, SF_*) from the process environment itself, so
// those are also set there, with any of them the real environment has
// cleared for the test.
func testEnv(t testing.TB, env map[string]string) func(string) string {
	t.Helper()
	ours := func(k string) bool { return strings.HasPrefix(k, "LICENSEPLAN_") || strings.HasPrefix(k, "SF_") }
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); ours(k) {
			t.Setenv(k, "") // viper treats an empty variable as unset
		}
	}
	for k, v := range env {
		if ours(k) {
			t.Setenv(k, v)
		}
	}
	return func(k string) string { return env[k] }
}

func inTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(testdata, name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/licenseplan -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./cmd/licenseplan -update and review the diff", name)
	}
}

func TestDefaultRunWritesEveryFile(t *testing.T) {
	dir := inTempDir(t)
	r := run(t, nil, "plan")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	first := strings.SplitN(r.stdout, "\n", 2)[0]
	if !strings.HasPrefix(first, "Plan: ") || !strings.Contains(first, "change in place") || !strings.Contains(first, "partner accounts to enable; ") {
		t.Errorf("summary line %q", first)
	}
	for _, f := range []string{"plan.json", "plan.csv", "plan.xlsx", "report.html", "report.md", "load/README.md", "load/" + load.FileInPlace} {
		if st, err := os.Stat(filepath.Join(dir, "licenseplan-out", f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if !strings.Contains(r.stderr, "Wrote plan.csv, plan.json, plan.xlsx, report.html, report.md, load/ to licenseplan-out") {
		t.Errorf("stderr %q", r.stderr)
	}
	if strings.ContainsRune(r.stdout, 0x1b) {
		t.Error("escape byte on stdout")
	}
	md, _ := os.ReadFile(filepath.Join(dir, "licenseplan-out", "report.md"))
	if bytes.Contains(bytes.ReplaceAll(md, []byte(`\<`), nil), []byte("<script>")) {
		t.Error("report.md carries a raw <script> from the demo's hostile names")
	}
}

// The demo plan exercises every outcome and every warning code, and is
// reproducible byte for byte.
func TestDemoPlanGolden(t *testing.T) {
	inTempDir(t)
	r := run(t, nil, "plan", "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat("licenseplan-out"); !os.IsNotExist(err) {
		t.Error("--format without --out wrote files")
	}
	p, err := printedPlan(r.stdout)
	if err != nil {
		t.Fatalf("stdout is not only JSON: %v", err)
	}
	for _, c := range rules.Codes {
		if c.Code == rules.SnapshotIncomplete {
			// The demo is complete; this warning must never appear in it.
			if p.Summary.Warnings[string(c.Code)] != 0 {
				t.Errorf("the demo plan warns %s", c.Code)
			}
			continue
		}
		if p.Summary.Warnings[string(c.Code)] == 0 {
			t.Errorf("warning code %s does not appear in the demo plan", c.Code)
		}
	}
	for _, o := range rules.Outcomes {
		if p.Summary.Outcomes[o.String()] == 0 {
			t.Errorf("outcome %s does not appear in the demo plan", o)
		}
	}
	if p.Summary.Users < 150 || p.Summary.PartnerAccountsToEnable == 0 {
		t.Errorf("summary %+v", p.Summary)
	}
	if p.GeneratedAt.Unix() != 1795000000 {
		t.Errorf("generatedAt %v ignores SOURCE_DATE_EPOCH", p.GeneratedAt)
	}
	golden(t, "demo-plan.json", []byte(r.stdout))
	again := run(t, nil, "plan", "--format", "json")
	if again.stdout != r.stdout {
		t.Error("two runs on the same input differ")
	}
}

func TestFormatsToStdout(t *testing.T) {
	inTempDir(t)
	tests := []struct {
		format string
		check  func(t *testing.T, out string)
	}{
		{"csv", func(t *testing.T, out string) {
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil || len(recs) < 2 || recs[0][0] != "Seq" {
				t.Fatalf("csv: %v %v", err, recs[:1])
			}
			for _, rec := range recs[1:] {
				for _, cell := range rec {
					if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
						t.Errorf("formula cell %q not neutralised", cell)
					}
				}
			}
		}},
		{"md", func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "# ") || strings.Contains(strings.ReplaceAll(out, `\<`, ""), "<script>") {
				t.Errorf("markdown starts %q", out[:min(40, len(out))])
			}
		}},
		{"text", func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "Plan: ") {
				t.Errorf("text starts %q", out[:min(40, len(out))])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			r := run(t, nil, "plan", "-f", tt.format)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			tt.check(t, r.stdout)
		})
	}
}

func TestExitCodes(t *testing.T) {
	dir := inTempDir(t)
	snap := filepath.Join(dir, "snap")
	os.Mkdir(snap, 0o755)
	writeFile(t, snap, "User.csv", "Id,Username,Profile.UserLicense.Name,IsActive\n005A,a@x,Customer Community,true\n")
	noChange := writeFile(t, dir, "none.csv", "Username,TargetLicense\na@x,Customer Community\n")
	change := writeFile(t, dir, "some.csv", "Username,TargetLicense\na@x,Customer Community Plus\n")
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stderr string
	}{
		{"changes, plain", []string{"plan", "-i", snap, "-t", change, "-f", "json"}, nil, 0, ""},
		{"changes, detailed", []string{"plan", "-i", snap, "-t", change, "-f", "json", "--detailed-exitcode"}, nil, 2, ""},
		{"no changes, detailed", []string{"plan", "-i", snap, "-t", noChange, "--preset", "none", "-f", "json", "--detailed-exitcode"}, nil, 0, ""},
		{"detailed from env", []string{"plan", "-i", snap, "-t", change, "-f", "json"}, map[string]string{"LICENSEPLAN_DETAILED_EXITCODE": "true"}, 2, ""},
		{"unknown flag", []string{"plan", "--nope"}, nil, 1, "Run 'licenseplan plan --help' for usage."},
		{"bad format", []string{"plan", "-f", "pdf"}, nil, 1, `--format "pdf": want one or more of csv, html, json, md, text, xlsx`},
		{"bad preset", []string{"plan", "--preset", "x", "-f", "json"}, nil, 1, `unknown preset "x"`},
		{"missing input", []string{"plan", "-i", filepath.Join(dir, "nope")}, nil, 1, "give --input the folder that holds User.csv"},
		{"input is a file", []string{"plan", "-i", change}, nil, 1, "is not a folder"},
		{"no User.csv", []string{"plan", "-i", dir}, nil, 1, "User.csv"},
		{"targets extension", []string{"plan", "-t", writeFile(t, dir, "t.txt", "x")}, nil, 1, "want a .csv"},
		{"targets missing", []string{"plan", "-t", filepath.Join(dir, "missing.csv")}, nil, 1, "targets file:"},
		{"bad epoch", []string{"plan", "-f", "json"}, map[string]string{"SOURCE_DATE_EPOCH": "soon"}, 1, "SOURCE_DATE_EPOCH"},
		{"unknown command", []string{"plna"}, nil, 1, "unknown command"},
		{"explain args", []string{"rules", "explain", "Gold Partner"}, nil, 1, "accepts 2 arg(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.env, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tt.code, r.stderr)
			}
			if tt.stderr != "" && !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q lacks %q", r.stderr, tt.stderr)
			}
			if tt.code == 1 && r.stdout != "" {
				t.Errorf("error wrote to stdout: %q", r.stdout)
			}
		})
	}
}

func TestBadSnapshotNamesFileAndLine(t *testing.T) {
	dir := inTempDir(t)
	writeFile(t, dir, "User.csv", "Id,Username,Profile.UserLicense.Name\n005A,a@x,Customer Community\n005A,b@x,Customer Community\n")
	r := run(t, nil, "plan", "-i", dir, "-f", "json")
	if r.code != 1 || !strings.Contains(r.stderr, "User.csv:3") || !strings.Contains(r.stderr, "005A") {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
}

func TestOutDir(t *testing.T) {
	dir := inTempDir(t)
	out := filepath.Join(dir, "a", "b")
	r := run(t, nil, "plan", "--out", out, "--quiet")
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	// --quiet drops every note but the one that says the demo org, not an
	// org of the user's, was planned.
	if r.stderr != demoNotice+"\n" {
		t.Errorf("--quiet printed %q", r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "Plan: ") {
		t.Errorf("stdout is not the summary: %q", r.stdout)
	}
	got := fileNames(t, out)
	want := []string{"load/" + load.FileAccounts, "load/" + load.FileInPlace, "load/" + load.FileDisable, "load/" + load.FileCreate, "load/" + load.FilePSL, "load/" + load.FilePS,
		"load/README.md", "load/" + load.FileLeft, "plan.csv", "plan.json", "plan.xlsx", "report.html", "report.md"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("files %v, want exactly %v (no temporaries)", got, want)
	}

	// With --out, --format chooses the files.
	out2 := filepath.Join(dir, "c")
	r = run(t, nil, "plan", "-d", out2, "--format", "html,json", "--quiet")
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	names := fileNames(t, out2)
	if strings.Join(names, ",") != "plan.json,report.html" {
		t.Errorf("--format html,json --out wrote %v, want plan.json and report.html", names)
	}
}

func TestTargetsYAMLAndInactive(t *testing.T) {
	dir := inTempDir(t)
	writeFile(t, dir, "User.csv", "Id,Username,Profile.UserLicense.Name,IsActive,AccountId,Account.Name,ContactId\n005A,a@x,Customer Community,true,001A,Acme,003A\n005B,b@x,Customer Community,false,001A,Acme,003B\n")
	y := writeFile(t, dir, "t.yaml", "- match: {license: customer community, accountName: 'ac*'}\n  to: {license: Customer Community Plus}\n")
	r := run(t, nil, "plan", "-i", dir, "-t", y, "-f", "json")
	p, err := printedPlan(r.stdout)
	if err != nil {
		t.Fatalf("%v: %s", err, r.stderr)
	}
	if p.Summary.Count(rules.ChangeInPlace) != 1 || p.Summary.Count(rules.Skipped) != 1 {
		t.Errorf("outcomes %v", p.Summary.Outcomes)
	}
	if !strings.Contains(r.stderr, "note: UserRole.csv was not in the input") {
		t.Errorf("missing-file notes not on stderr: %q", r.stderr)
	}
	r = run(t, nil, "plan", "-i", dir, "-t", y, "-f", "json", "--include-inactive")
	json.Unmarshal([]byte(r.stdout), &p)
	if p.Summary.Count(rules.ChangeInPlace) != 2 {
		t.Errorf("--include-inactive: outcomes %v", p.Summary.Outcomes)
	}
	bad := writeFile(t, dir, "bad.yaml", "- match: {license: customer community}\n  to: {license: Customer Comunity Plus}\n")
	r = run(t, nil, "plan", "-i", dir, "-t", bad)
	if r.code != 1 || !strings.Contains(r.stderr, `bad.yaml:2:17: selector 1: unknown license "Customer Comunity Plus" in to.license (did you mean "Customer Community Plus"?)`) {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
}

func TestConfigOverrides(t *testing.T) {
	dir := inTempDir(t)
	good := writeFile(t, dir, "good.yaml", `rules:
  overrides:
    - from: Customer Community Login
      to: Partner Community
      outcome: recreate
      note: refused in our sandbox
format: json
`)
	r := run(t, nil, "rules", "explain", "--config", good, "customer community login", "partner community")
	if r.code != 0 || !strings.Contains(r.stdout, "Outcome:  recreate") || !strings.Contains(r.stdout, "good.yaml: rules.overrides[0]") || !strings.Contains(r.stdout, "H000.CC.PC") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, map[string]string{"LICENSEPLAN_CONFIG": good}, "plan")
	if !json.Valid([]byte(r.stdout)) || !strings.Contains(r.stdout, "CONFIG.CUSTOMER-COMMUNITY-LOGIN.PARTNER-COMMUNITY") {
		t.Errorf("config format/override not applied to plan (exit %d): %.200s %s", r.code, r.stdout, r.stderr)
	}
	tests := []struct{ name, content, want string }{
		{"unknown license", "rules:\n  overrides:\n    - {from: Gold Partnr, to: Partner Community, outcome: recreate, note: x}\n", `rules.overrides[0]: unknown license "Gold Partnr" in from (did you mean "Gold Partner"?)`},
		{"unknown key", "inptu: x\n", "inptu"},
		{"bad yaml", "rules: [\n", "bad.yaml"},
		{"duplicate key", "out: a\nformat: json\nout: b\n", "bad.yaml:3: key `out` is set twice (first on line 1)"},
		{"duplicate nested key", "rules:\n  overrides: []\n  overrides: []\n", "bad.yaml:3: key `rules.overrides` is set twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := writeFile(t, dir, "bad.yaml", tt.content)
			r := run(t, nil, "plan", "--config", f, "-f", "json")
			if r.code != 1 || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "bad.yaml") {
				t.Errorf("exit %d stderr %q, want %q", r.code, r.stderr, tt.want)
			}
		})
	}
}

// TestReferenceConfig: configs/licenseplan.yaml holds only keys plan
// accepts, and its values are the defaults (the demo plan comes out).
func TestReferenceConfig(t *testing.T) {
	ref, err := filepath.Abs(filepath.Join("..", "..", "configs", "licenseplan.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	inTempDir(t)
	r := run(t, nil, "plan", "--config", ref, "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	p, err := printedPlan(r.stdout)
	if err != nil {
		t.Fatal(err)
	}
	if p.Source.Kind != "demo" || p.Summary.Users == 0 {
		t.Errorf("reference config did not plan the demo org: source %+v, %d users", p.Source, p.Summary.Users)
	}
}

func TestRulesCommand(t *testing.T) {
	r := run(t, nil, "rules", "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], []string{"From", "To", "Outcome", "RuleID", "Source"}) || !strings.HasPrefix(r.stdout, "From,To,Outcome,RuleID,Source\n") {
		t.Errorf("header %v", recs[0])
	}
	tb, _ := rules.Default()
	n := len(tb.Catalog.Licenses)
	if len(recs) != n*n+1 {
		t.Errorf("%d rows, want %d", len(recs)-1, n*n)
	}
	seen := map[string]bool{}
	for _, rec := range recs[1:] {
		seen[rec[0]+">"+rec[1]] = true
		if _, err := rules.ParseOutcome(rec[2]); err != nil || rec[3] == "" || rec[4] == "" {
			t.Errorf("row %v", rec)
		}
	}
	if len(seen) != n*n {
		t.Errorf("%d distinct pairs", len(seen))
	}
	r = run(t, nil, "rules", "--from", "gold partner")
	if strings.Count(r.stdout, "\n") != n+1 || !strings.Contains(r.stdout, "H000.PARTNER-PORTAL.PC") {
		t.Errorf("--from:\n%s", r.stdout)
	}
	r = run(t, nil, "rules", "-f", "json")
	if !json.Valid([]byte(r.stdout)) {
		t.Error("rules -f json is not JSON")
	}
	r = run(t, nil, "rules", "licenses")
	if !strings.Contains(r.stdout, "Customer Community Plus Login") || !strings.Contains(r.stdout, "PowerCustomerSuccess") {
		t.Errorf("licenses:\n%s", r.stdout)
	}
}

func TestExplain(t *testing.T) {
	tests := []struct {
		from, to string
		want     []string
	}{
		{"Customer Community Login", "Partner Community", []string{"Outcome:  change_in_place", "Rule:     H000.CC.PC", "Conflict:", "wins", "1. [prepare] assign_owner_role", "2. [prepare] enable_partner_account (after 1)", "3. [convert] change_license (after 1, 2) (irreversible)", "PARTNER_ACCOUNT_REQUIRED", "IRREVERSIBLE"}},
		{"Chatter Free", "Customer Community", []string{"Outcome:  recreate", "M001.R13.R", "You can only reassign this user to a profile of the current license.", "deactivate_user", "NO_CONVERSION_PATH"}},
		{"Customer Community Plus", "Customer Community", []string{"disable_reenable", "H000.CCPLUS.CC", "results in a loss in functionality", "FUNCTIONALITY_LOSS", "disable_user"}},
		{"salesforce", "SALESFORCE", []string{"no_change", "SAME", "Steps:\n  none"}},
	}
	for _, tt := range tests {
		t.Run(tt.from+" -> "+tt.to, func(t *testing.T) {
			r := run(t, nil, "rules", "explain", tt.from, tt.to)
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("explain lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
	r := run(t, nil, "rules", "explain", "Gold", "Partner Community")
	if r.code != 1 || !strings.Contains(r.stderr, `unknown license "Gold" (did you mean "Gold Partner"?)`) {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
}

// TestQuery: the script query prints runs as it is with bash, lifts sf's
// 50,000-record cap, falls back when a field is missing from the org, skips
// an optional file sf cannot read, writes the header of an empty result,
// and gives a folder plan --input reads. A fake sf stands in for the real
// one (checked by hand against orgsim; README).
func TestQuery(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash:", err)
	}
	dir := inTempDir(t)
	r := run(t, nil, "query", "-o", "my sandbox")
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	script := r.stdout
	if !strings.HasPrefix(script, "#!/usr/bin/env bash\n") || !strings.Contains(script, "set -euo pipefail") {
		t.Fatalf("not a bash script:\n%.300s", script)
	}
	for i, line := range strings.Split(script, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "SELECT") {
			t.Errorf("line %d is bare SOQL: %s", i+1, line)
		}
	}
	// The fake sf: records its arguments and the query limit; answers
	// Account's query with IsPartner as INVALID_FIELD; cannot read
	// ObjectPermissions; writes one row for User.csv and no records (an
	// empty line, as sf does) for the rest.
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	writeFile(t, bin, "sf", `#!/usr/bin/env bash
echo "sf $* limit=$SF_ORG_MAX_QUERY_LIMIT" >> "$SFLOG"
q=""; out=""
while [ $# -gt 0 ]; do case "$1" in --query) q="$2"; shift;; --output-file) out="$2"; shift;; esac; shift; done
case "$q" in
  *"FROM Account"*IsPartner*|*"IsPartner"*"FROM Account"*) echo "INVALID_FIELD: No such column 'IsPartner'" >&2; exit 1;;
  *"FROM ObjectPermissions"*) echo "INSUFFICIENT_ACCESS" >&2; exit 1;;
  *"FROM User "*) printf 'Id,Username,Profile.UserLicense.Name,IsActive\n005000000000001AAA,a@x.example,Customer Community,true\n' > "$out";;
  *) printf '\n' > "$out";;
esac
`)
	os.Chmod(filepath.Join(bin, "sf"), 0o755)
	snap := filepath.Join(dir, "snap")
	os.Mkdir(snap, 0o755)
	writeFile(t, dir, "export.sh", script)
	cmd := exec.Command(bash, filepath.Join(dir, "export.sh"))
	cmd.Dir = snap
	cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "SFLOG=" + filepath.Join(dir, "sf.log")}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bash export.sh: %v\n%s", err, stderr.String())
	}
	log := string(mustRead(t, filepath.Join(dir, "sf.log")))
	for _, f := range []string{"User.csv", "Account.csv", "UserRole.csv", "UserLicense.csv", "Profile.csv", "PermissionSetAssignment.csv", "ObjectPermissions.csv", "PermissionSetLicenseAssign.csv", "Organization.csv"} {
		if !strings.Contains(log, "--output-file "+f+" --target-org my sandbox limit=10000000") {
			t.Errorf("sf was not run for %s with the alias and the lifted limit:\n%s", f, log)
		}
	}
	for _, want := range []string{"note: Account.csv: retrying without IsPartner, IsCustomerPortal", "note: skipped ObjectPermissions.csv", "Next: licenseplan plan --input ."} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(snap, "ObjectPermissions.csv")); !os.IsNotExist(err) {
		t.Errorf("a failed optional file was left behind (%v)", err)
	}
	if got := string(mustRead(t, filepath.Join(snap, "Organization.csv"))); got != "Id,Name,OrganizationType,IsSandbox,InstanceName\n" {
		t.Errorf("an empty result's file is %q, want its header", got)
	}
	if r := run(t, nil, "plan", "--input", snap, "--format", "json", "--quiet"); r.code != 0 {
		t.Errorf("plan --input of the exported folder: exit %d %s", r.code, r.stderr)
	}
}

func TestHelpIsComplete(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"plan", "--help"}, {"report", "--help"}, {"rules", "--help"}, {"rules", "explain", "--help"},
		{"rules", "licenses", "--help"}, {"query", "--help"}, {"orgsim", "--help"}, {"orgsim", "serve", "--help"}, {"orgsim", "generate", "--help"}} {
		r := run(t, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%v: exit %d, no examples:\n%s", args, r.code, r.stdout)
		}
	}
}

func TestColorOnlyOnTerminal(t *testing.T) {
	inTempDir(t)
	tests := []struct {
		name string
		tty  bool
		env  map[string]string
		args []string
		want bool
	}{
		{"terminal", true, map[string]string{}, nil, true},
		{"pipe", false, map[string]string{}, nil, false},
		{"NO_COLOR", true, map[string]string{"NO_COLOR": "1"}, nil, false},
		{"--no-color", true, map[string]string{}, []string{"--no-color"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			tt.env["SOURCE_DATE_EPOCH"] = "1795000000"
			s := &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, OutTTY: tt.tty, Getenv: testEnv(t, tt.env)}
			if code := Execute(context.Background(), append([]string{"plan", "-f", "text"}, tt.args...), s); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			if got := strings.Contains(out.String(), "\x1b["); got != tt.want {
				t.Errorf("colour %v, want %v", got, tt.want)
			}
		})
	}
}

// Seen: a targets file for one user also converted every legacy portal user,
// because the default preset was applied after it. Now the preset applies by
// default only without --targets, --preset NAME adds it, and the summary
// says which targets matched how many users.
func TestTargetsAndPreset(t *testing.T) {
	dir := inTempDir(t)
	writeFile(t, dir, "User.csv", "Id,Username,Profile.UserLicense.Name,IsActive,AccountId,Account.Name,ContactId\n"+
		"005A,a@x,Customer Community,true,001A,Acme,003A\n005G,g@x,Gold Partner,true,001A,Acme,003G\n005H,h@x,High Volume Customer Portal,true,001A,Acme,003H\n")
	csv := writeFile(t, dir, "t.csv", "Username,TargetLicense\na@x,customer community plus\n")
	tests := []struct {
		name    string
		args    []string
		changes int
		summary []string
		source  string
	}{
		{"targets alone", []string{"-t", csv}, 1, []string{`(?m)^  targets \S+/t\.csv +1$`, `(?m)^  no target +2$`}, "targets " + csv},
		{"targets and a named preset", []string{"-t", csv, "--preset", "experience-cloud"}, 3,
			[]string{`(?m)^  targets \S+/t\.csv +1$`, `(?m)^  preset experience-cloud +2$`, `(?m)^  no target +0$`}, "targets " + csv + " + preset experience-cloud"},
		{"no targets: the default preset", nil, 2, []string{`(?m)^  preset experience-cloud +2$`, `(?m)^  no target +1$`}, "preset experience-cloud"},
		{"no targets, no preset", []string{"--preset", "none"}, 0, []string{`(?m)^Plan: 0 change in place`}, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, nil, append([]string{"plan", "-i", dir, "-f", "json"}, tt.args...)...)
			p, err := printedPlan(r.stdout)
			if err != nil {
				t.Fatalf("%v: %s", err, r.stderr)
			}
			if got := p.Summary.Count(rules.ChangeInPlace); got != tt.changes || p.Source.Targets != tt.source {
				t.Errorf("%d changes from targets %q, want %d from %q", got, p.Source.Targets, tt.changes, tt.source)
			}
			text := run(t, nil, append([]string{"plan", "-i", dir, "-f", "text"}, tt.args...)...)
			if (tt.source == "none") == strings.Contains(text.stdout, "Targets (users matched):") {
				t.Errorf("targets section shown wrongly for targets %q:\n%s", tt.source, text.stdout)
			}
			for _, want := range tt.summary {
				if !regexp.MustCompile(want).MatchString(text.stdout) {
					t.Errorf("summary lacks %q:\n%s", want, text.stdout)
				}
			}
		})
	}
	t.Run("unknown license in the targets CSV", func(t *testing.T) {
		bad := writeFile(t, dir, "bad.csv", "Username,TargetLicense\na@x,Customer Community Plus\ng@x,Customer Comunity Plus\n")
		r := run(t, nil, "plan", "-i", dir, "-t", bad, "-f", "json")
		want := bad + `:3:5: unknown license "Customer Comunity Plus" (did you mean "Customer Community Plus"?)`
		if r.code != 1 || !strings.Contains(r.stderr, want) || r.stdout != "" {
			t.Errorf("exit %d stdout %q stderr %q, want exit 1 and %q", r.code, r.stdout, r.stderr, want)
		}
	})
	// The targets are parsed while the folder is read: an error in either
	// is reported, and one in the targets first (readWithTargets).
	t.Run("errors in the targets and the folder", func(t *testing.T) {
		badDir := t.TempDir()
		writeFile(t, badDir, "User.csv", "Id,Username\n\"005x\n")
		good := writeFile(t, dir, "good.csv", "Username,TargetLicense\na@x,Customer Community Plus\n")
		bad := writeFile(t, dir, "bad2.csv", "Username,TargetLicense\ng@x,Customer Comunity Plus\n")
		tests := []struct{ name, in, targets, want, not string }{
			{"targets", dir, bad, bad + ":2:5: unknown license", "User.csv"},
			{"folder", badDir, good, "User.csv", "unknown license"},
			{"both: the targets first", badDir, bad, bad + ":2:5: unknown license", "User.csv"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := run(t, nil, "plan", "-i", tt.in, "-t", tt.targets, "-f", "json")
				if r.code != 1 || !strings.Contains(r.stderr, tt.want) || strings.Contains(r.stderr, tt.not) || r.stdout != "" {
					t.Errorf("exit %d stdout %q stderr %q, want exit 1 and %q without %q", r.code, r.stdout, r.stderr, tt.want, tt.not)
				}
			})
		}
	})
	t.Run("targets YAML over the limit", func(t *testing.T) {
		big := writeFile(t, dir, "big.yaml", strings.Repeat("# x\n", targets.MaxYAMLBytes/4+1))
		r := run(t, nil, "plan", "-i", dir, "-t", big, "-f", "json")
		if r.code != 1 || !strings.Contains(r.stderr, big+":1: the file has 1048577 bytes") {
			t.Errorf("exit %d stderr %q", r.code, r.stderr)
		}
	})
}

// printedPlan reads a plan.json that a command printed.
func printedPlan(s string) (*planner.Plan, error) { return reports.ReadJSON(strings.NewReader(s)) }

// TestConfigOwnerRoles: owner-roles reaches the plan's assign_owner_role
// step (per account, and "*"), and a bad entry is refused with its place.
func TestConfigOwnerRoles(t *testing.T) {
	dir := inTempDir(t)
	const brightwater = "001Dn00000bU004IAC" // the demo account whose owner has no role
	tests := []struct {
		name, content, wantRole, wantErr string
	}{
		{"none", "owner-roles: []\n", "", ""},
		{"every account", "owner-roles:\n  - account: \"*\"\n    role: 00EDn00000bK003MAC\n", "00EDn00000bK003MAC", ""},
		{"the account beats *", "owner-roles:\n  - {account: \"*\", role: 00EDn00000bK003MAC}\n  - {account: " + brightwater + ", role: 00EDn00000bK000MAC}\n", "00EDn00000bK000MAC", ""},
		{"not a role Id", "owner-roles:\n  - {account: \"*\", role: CEO}\n", "", "owner-roles[0]: role \"CEO\""},
		{"not an account Id", "owner-roles:\n  - {account: 005Dn00000bP005IAC, role: 00EDn00000bK003MAC}\n", "", "owner-roles[0]: account \"005Dn00000bP005IAC\""},
		{"twice", "owner-roles:\n  - {account: \"*\", role: 00EDn00000bK003MAC}\n  - {account: \"*\", role: 00EDn00000bK000MAC}\n", "", "owner-roles[1]: account * is named twice"},
		{"unknown field", "owner-roles:\n  - {acount: \"*\", role: 00EDn00000bK003MAC}\n", "", "unknown key `owner-roles[0].acount`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := writeFile(t, dir, "c.yaml", tt.content)
			r := run(t, nil, "plan", "--config", f, "--format", "json")
			if tt.wantErr != "" {
				if r.code != 1 || !strings.Contains(r.stderr, tt.wantErr) || !strings.Contains(r.stderr, "c.yaml") {
					t.Errorf("exit %d stderr %q, want %q", r.code, r.stderr, tt.wantErr)
				}
				return
			}
			p, err := printedPlan(r.stdout)
			if err != nil {
				t.Fatalf("exit %d: %v %s", r.code, err, r.stderr)
			}
			var got []planner.Step
			for _, s := range p.Steps.All() {
				if s.Action == planner.AssignOwnerRole {
					got = append(got, s)
				}
			}
			if len(got) != 1 || got[0].AccountID != brightwater || got[0].RoleID != tt.wantRole || got[0].OwnerID == "" {
				t.Errorf("assign_owner_role steps %+v, want one on %s with role %q", got, brightwater, tt.wantRole)
			}
		})
	}
}
