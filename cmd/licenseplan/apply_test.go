package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/org"
)

// planAgainst plans the org served at url (with the demo's targets) into
// dir/plan and returns the plan.json path.
func planAgainst(t *testing.T, dir, url, token string, extra ...string) string {
	t.Helper()
	tg := filepath.Join(dir, "targets.csv")
	if _, err := os.Stat(tg); err != nil {
		writeFile(t, dir, "targets.csv", string(demo.Targets()))
	}
	out := filepath.Join(dir, "plan")
	r := run(t, map[string]string{"SF_INSTANCE_URL": url, "SF_ACCESS_TOKEN": token},
		append([]string{"plan", "--targets", tg, "--preset", "experience-cloud", "--out", out, "-q"}, extra...)...)
	if r.code != 0 {
		t.Fatalf("plan: exit %d: %s", r.code, r.stderr)
	}
	return filepath.Join(out, "plan.json")
}

func TestApplyNeedsANamedOrg(t *testing.T) {
	dir := inTempDir(t)
	writeFile(t, dir, "plan.json", "{}")
	for _, cmd := range []string{"apply", "verify"} {
		r := run(t, nil, cmd, "--plan", "plan.json")
		if r.code != 1 || !strings.Contains(r.stderr, "plan.json") {
			t.Errorf("%s with a bad plan: exit %d, stderr %q", cmd, r.code, r.stderr)
		}
	}
	url, token := simOrg(t, demoSnap(t))
	p := planAgainst(t, dir, url, token)
	for _, cmd := range []string{"apply", "verify"} {
		r := run(t, nil, cmd, "--plan", p)
		if r.code != 1 || !strings.Contains(r.stderr, "needs the org to be named") || !strings.Contains(r.stderr, "--help") {
			t.Errorf("%s without an org: exit %d, stderr %q", cmd, r.code, r.stderr)
		}
	}
}

func TestApplyRefuses(t *testing.T) {
	prod := demoSnap(t)
	prod.Organization.IsSandbox = org.False
	for _, tc := range []struct {
		name  string
		snap  *org.Snapshot
		args  []string
		stdin string
		msg   string
	}{
		{"production", prod, []string{"--auto-approve"}, "", "refused to write to a production org"},
		{"production, the name typed wrong", prod, []string{"--allow-production", "--auto-approve"}, "Acme\n", "not confirmed"},
		{"no yes", demoSnap(t), nil, "y\n", "not confirmed"},
		{"no answer", demoSnap(t), nil, "", "no answer on stdin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := inTempDir(t)
			url, token := simOrg(t, tc.snap)
			p := planAgainst(t, dir, url, token)
			env := map[string]string{"SF_INSTANCE_URL": url, "SF_ACCESS_TOKEN": token}
			r := runStdin(t, env, tc.stdin, append([]string{"apply", "--plan", p}, tc.args...)...)
			if r.code != 1 || !strings.Contains(r.stderr, tc.msg) {
				t.Fatalf("exit %d, stderr %q; want 1 and %q", r.code, r.stderr, tc.msg)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(p), "apply-journal.jsonl")); err == nil {
				t.Error("a refused apply left a journal")
			}
		})
	}
}

// TestApplyDrift: a user changed in the org after the plan is listed, and
// nothing is written.
func TestApplyDrift(t *testing.T) {
	dir := inTempDir(t)
	url, token := simOrg(t, demoSnap(t))
	p := planAgainst(t, dir, url, token)

	moved := demoSnap(t)
	var who string
	for i := range moved.Users {
		u := &moved.Users[i]
		if u.License == "Customer Community" && u.IsActive.IsTrue() {
			u.IsActive, who = org.False, u.Username
			break
		}
	}
	url2, token2 := simOrg(t, moved)
	env := map[string]string{"SF_INSTANCE_URL": url2, "SF_ACCESS_TOKEN": token2}
	r := run(t, env, "apply", "--plan", p, "--auto-approve")
	if r.code != 1 || !strings.Contains(r.stderr, "drifted") || !strings.Contains(r.stdout, who) ||
		!strings.Contains(r.stdout, `IsActive was "true" in the plan, is "false" in the org`) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
}

// TestVerifyBeforeApply: the org before apply does not match the plan's
// target state: verify lists the mismatches and exits 1, in text and JSON.
func TestVerifyBeforeApply(t *testing.T) {
	dir := inTempDir(t)
	url, token := simOrg(t, demoSnap(t))
	p := planAgainst(t, dir, url, token)
	env := map[string]string{"SF_INSTANCE_URL": url, "SF_ACCESS_TOKEN": token}
	r := run(t, env, "verify", "--plan", p)
	if r.code != 1 || !strings.Contains(r.stdout, "mismatches") || !strings.Contains(r.stdout, "ProfileId: want") ||
		!strings.Contains(r.stdout, "Not verified") || !strings.Contains(r.stderr, "does not match the plan") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, env, "verify", "--plan", p, "--format", "json")
	var v struct {
		Users      int `json:"users"`
		Mismatches []struct {
			Field string `json:"field"`
		} `json:"mismatches"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.code != 1 || v.Users == 0 || len(v.Mismatches) == 0 {
		t.Fatalf("exit %d, %v: %s", r.code, err, r.stdout)
	}
}
