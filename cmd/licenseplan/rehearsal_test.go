package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/load"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orgsim"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/sfclient"
)

// serveWritable serves snap with orgsim, which accepts writes, and returns
// the login environment and the server.
func serveWritable(t *testing.T, snap *org.Snapshot, opts orgsim.Options) (map[string]string, *orgsim.Server) {
	t.Helper()
	srv, err := orgsim.New(snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return map[string]string{"SF_INSTANCE_URL": hs.URL, "SF_ACCESS_TOKEN": srv.AccessToken()}, srv
}

// pullSim pulls the served org, as verify and a second plan see it.
func pullSim(t *testing.T, env map[string]string) *org.Snapshot {
	t.Helper()
	c, err := sfclient.New(sfclient.AccessToken{InstanceURL: env["SF_INSTANCE_URL"], Token: env["SF_ACCESS_TOKEN"]}, sfclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Pull(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res.Snapshot
}

// TestRehearsal is the whole migration of the demo org on orgsim: plan,
// apply, verify; then a second plan has nothing left to change in place
// or to disable and enable again but what apply leaves to a person. With
// write faults and lost answers too: no user is made twice, and --resume
// finishes what a run could not.
func TestRehearsal(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts orgsim.Options
	}{
		{"clean", orgsim.Options{ExtraSeats: 30}},
		{"20% write faults", orgsim.Options{ExtraSeats: 30, WriteErrorRate: 0.2, Seed: 3}},
		{"5% errors on every request", orgsim.Options{ExtraSeats: 30, ErrorRate: 0.05, Seed: 4}},
		{"lost answers", orgsim.Options{ExtraSeats: 30, LostResponseEvery: 3}},
		{"lock errors", orgsim.Options{ExtraSeats: 30, LockErrorRate: 0.2, Seed: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := inTempDir(t)
			env, srv := serveWritable(t, demoSnap(t), tc.opts)
			cfg := writeFile(t, dir, "lp.yaml", "owner-roles:\n  - account: \"*\"\n    role: 00EDn00000bK003MAC\n")
			p := planAgainst(t, dir, env["SF_INSTANCE_URL"], env["SF_ACCESS_TOKEN"], "--config", cfg)
			plan, err := readPlan(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				faults := 0
				for _, n := range srv.Stats().FaultsInjected {
					faults += n
				}
				if (faults == 0) != (tc.name == "clean") {
					t.Errorf("%d faults injected", faults)
				}
			}()

			// The demo org has an account whose owner has no role: the
			// plan gives the owner the role the config names first
			// (assign_owner_role), or Salesforce (and orgsim) would refuse
			// its users' role-based licenses.
			blocked := map[string]bool{}
			r := run(t, env, "apply", "--plan", p, "--auto-approve")
			for try := 0; !onlyBlocked(t, r, blocked) && try < 6; try++ {
				// A run the faults stopped: --resume finishes it.
				r = run(t, env, "apply", "--plan", p, "--auto-approve", "--resume")
			}
			if !onlyBlocked(t, r, blocked) {
				t.Fatalf("apply did not finish: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
			}
			if r.code != 0 || !strings.Contains(r.stdout, "every check passed") {
				t.Errorf("apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if v := run(t, env, "verify", "--plan", p); v.code != 0 {
				t.Errorf("verify: exit %d\n%s", v.code, v.stdout)
			}

			// No contact has two active users.
			snap := pullSim(t, env)
			active := map[string]int{}
			for _, u := range snap.Users {
				if u.ContactID != "" && u.IsActive.IsTrue() {
					active[u.ContactID]++
				}
			}
			for c, n := range active {
				if n > 1 {
					t.Errorf("contact %s has %d active users", c, n)
				}
			}

			// Plan again: what is left is what apply left to a person.
			left := map[string]bool{}
			for _, u := range plan.Users.All() {
				if blocked[u.Username] {
					left[u.UserID] = true
				}
			}
			for _, l := range load.Build(plan).Left {
				if l.Reason != load.NeedsNewUserID {
					left[l.UserID] = true
				}
			}
			again := run(t, env, "plan", "--config", cfg, "--targets", filepath.Join(dir, "targets.csv"), "--preset", "experience-cloud", "--format", "json", "-q")
			p2, err := printedPlan(again.stdout)
			if err != nil {
				t.Fatalf("second plan: %v\n%s", err, again.stderr)
			}
			for _, u := range p2.Users.All() {
				if u.Outcome.IsChange() && u.Outcome != rules.Recreate && !left[u.UserID] {
					t.Errorf("after apply, %s (%s) is still %s: %s -> %s", u.Username, u.UserID, u.Outcome, u.FromLicense, u.ToLicense)
				}
			}

			// The journal and the reports.
			journal := filepath.Join(filepath.Dir(p), "apply-journal.jsonl")
			if _, err := os.Stat(journal); err != nil {
				t.Fatal(err)
			}
			rr := run(t, nil, "report", "--plan", p, "--journal", journal, "--format", "md", "-q")
			md, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "report.md"))
			if rr.code != 0 || !strings.Contains(string(md), "Execution (licenseplan apply)") || !strings.Contains(string(md), "**Verification**") {
				t.Errorf("report --journal: exit %d %s", rr.code, rr.stderr)
			}
		})
	}
}

// TestRehearsalDriftOnTheSameOrg: a write to the org between plan and
// apply (another admin's) is drift.
func TestRehearsalDriftOnTheSameOrg(t *testing.T) {
	dir := inTempDir(t)
	env, _ := serveWritable(t, demoSnap(t), orgsim.Options{ExtraSeats: 30})
	p := planAgainst(t, dir, env["SF_INSTANCE_URL"], env["SF_ACCESS_TOKEN"])
	plan, err := readPlan(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	var victim string
	for _, u := range plan.Users.All() {
		if u.Outcome == rules.DisableReenable {
			victim = u.UserID
			break
		}
	}
	w, err := sfclient.NewWriter(sfclient.AccessToken{InstanceURL: env["SF_INSTANCE_URL"], Token: env["SF_ACCESS_TOKEN"]}, sfclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.Update(context.Background(), []sfclient.Record{{Object: "User", Fields: map[string]any{"Id": victim, "IsActive": false}}})
	if err != nil || !res[0].Success {
		t.Fatalf("deactivating %s: %v %+v", victim, err, res)
	}
	r := run(t, env, "apply", "--plan", p, "--auto-approve")
	if r.code != 1 || !strings.Contains(r.stdout, victim) || !strings.Contains(r.stderr, "drifted") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, env, "apply", "--plan", p, "--auto-approve", "--skip-drifted")
	if r.code != 1 || !strings.Contains(r.stdout, "drifted") {
		t.Fatalf("--skip-drifted: exit %d (verify must still find the drifted user)\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "Drifted:") {
		t.Errorf("the report does not list the drifted steps:\n%s", r.stdout)
	}
}

// TestRehearsalWrongPlan: orgsim refuses, with Salesforce's message, an
// in-place change that the tables forbid, here made by a wrong rule
// override in the config file; the rest of the plan goes on.
func TestRehearsalWrongPlan(t *testing.T) {
	dir := inTempDir(t)
	env, _ := serveWritable(t, demoSnap(t), orgsim.Options{ExtraSeats: 30})
	cfg := writeFile(t, dir, "lp.yaml", `rules:
  overrides:
    - from: Customer Community Plus
      to: Customer Community
      outcome: change_in_place
      note: "a wrong override, to see Salesforce refuse it"
`)
	tg := writeFile(t, dir, "targets.csv", string(demo.Targets()))
	out := filepath.Join(dir, "plan")
	if r := run(t, env, "plan", "--config", cfg, "--targets", tg, "--preset", "experience-cloud", "--out", out, "-q"); r.code != 0 {
		t.Fatalf("plan: %d %s", r.code, r.stderr)
	}
	p := filepath.Join(out, "plan.json")
	r := run(t, env, "apply", "--plan", p, "--auto-approve")
	if r.code != 1 || !strings.Contains(r.stdout, "FIELD_INTEGRITY_EXCEPTION: You can only reassign this user to a profile of the current license.") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "bobby.obrien@acmewidgets.example.com.uat") {
		t.Errorf("the refused user is not named:\n%s", r.stdout)
	}
}

// onlyBlocked reports whether an apply run ended with every step done,
// already done or left to a person, except the steps of blocked users.
func onlyBlocked(t *testing.T, r result, blocked map[string]bool) bool {
	t.Helper()
	if r.code == 0 {
		return true
	}
	if !strings.Contains(r.stdout, "Applied plan") {
		return false // it stopped before or while writing
	}
	section := ""
	for _, line := range strings.Split(r.stdout, "\n") {
		switch {
		case strings.HasSuffix(line, ":") && !strings.HasPrefix(line, " "):
			section = line
		case line == "":
			section = ""
		case strings.HasPrefix(line, "Stopped:"):
			return false
		case (section == "Failed:" || section == "Skipped:" || section == "Not run:") && !mentionsAny(line, blocked):
			return false
		}
	}
	return true
}

func mentionsAny(line string, names map[string]bool) bool {
	for n := range names {
		if strings.Contains(line, n) {
			return true
		}
	}
	return false
}
