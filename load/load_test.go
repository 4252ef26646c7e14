package load

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"github.com/licenseplan/licenseplan/demo/demoplan"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/reports"
	"github.com/licenseplan/licenseplan/rules"
)

var update = flag.Bool("update", false, "rewrite golden files")

// demoPlan is the demo org's plan as `licenseplan plan` makes it, written
// as plan.json and read back: the load files must need nothing else.
func demoPlan(t *testing.T) *planner.Plan {
	t.Helper()
	return demoPlanWith(t, nil)
}

// channelManager is the demo org's internal role "Channel Manager".
const channelManager = "00EDn00000bK003MAC"

// demoPlanWith is demoPlan with Options.OwnerRoles ownerRoles.
func demoPlanWith(t *testing.T, ownerRoles map[string]string) *planner.Plan {
	t.Helper()
	ctx := context.Background()
	p, err := demoplan.PlanWith(ctx, planner.Options{OwnerRoles: ownerRoles})
	if err != nil {
		t.Fatal(err)
	}
	back, err := demoplan.RoundTrip(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// readCSV reads a written load file back with encoding/csv.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

// Every load file, read back with encoding/csv, holds exactly the rows
// plan.json implies, and every step of the plan is in a file or in
// not-loaded.csv, once.
func TestFilesMatchPlan(t *testing.T) {
	// With a role for every owner, so that 00 has rows too.
	p := demoPlanWith(t, map[string]string{planner.OwnerRoleAll: channelManager})
	dir := t.TempDir()
	s := Build(p)
	if err := WriteDir(context.Background(), dir, p, s); err != nil {
		t.Fatal(err)
	}
	users := map[string]planner.UserPlan{}
	for _, u := range p.Users.All() {
		users[u.UserID] = u
	}
	// want: per file, the rows plan.json implies, in step order.
	want := map[string][][]string{}
	add := func(file string, row ...string) {
		for i, v := range row {
			row[i] = reports.SafeCell(v)
		}
		want[file] = append(want[file], row)
	}
	for _, st := range p.Steps.All() {
		u := users[st.UserID]
		switch {
		case st.Action == planner.AssignOwnerRole:
			add(FileOwnerRole, st.OwnerID, st.RoleID)
		case u.HasWarning(rules.TargetProfileMismatch):
			// not loaded: the profile would set another license
		case st.Action == planner.EnablePartnerAccount:
			add(FileAccounts, st.AccountID, "true")
		case st.Action == planner.ChangeLicense && u.Outcome == rules.ChangeInPlace && u.ToProfileID != "",
			st.Action == planner.ChangeProfile && u.Outcome == rules.ChangeProfile && u.ToProfileID != "":
			add(FileInPlace, u.UserID, u.ToProfileID)
		case st.Action == planner.DisableUser && u.Outcome == rules.DisableReenable:
			add(FileDisable, u.UserID, "false")
		case st.Action == planner.ReassignPermissionSets && u.Outcome == rules.ChangeInPlace:
			for _, g := range u.Restore.PermissionSetLicenses {
				add(FilePSL, u.UserID, g.ID)
			}
			for _, g := range u.Restore.PermissionSets {
				add(FilePS, u.UserID, g.ID)
			}
		case st.Action == planner.CreateUser && u.Outcome == rules.DisableReenable:
			n := u.NewUser
			add(FileCreate, n.ContactID, n.ProfileID, n.Username, n.Email, n.FirstName, n.LastName, n.Alias,
				n.CommunityNickname, n.TimeZoneSidKey, n.LocaleSidKey, n.EmailEncodingKey, n.LanguageLocaleKey)
		}
	}
	headers := map[string]string{
		FileOwnerRole: "Id,UserRoleId",
		FileAccounts:  "Id,IsPartner",
		FileInPlace:   "Id,ProfileId",
		FileDisable:   "Id,IsPortalEnabled",
		FileCreate:    "ContactId,ProfileId,Username,Email,FirstName,LastName,Alias,CommunityNickname,TimeZoneSidKey,LocaleSidKey,EmailEncodingKey,LanguageLocaleKey",
		FilePSL:       "AssigneeId,PermissionSetLicenseId",
		FilePS:        "AssigneeId,PermissionSetId",
	}
	for _, name := range []string{FileOwnerRole, FileAccounts, FileInPlace, FileDisable, FileCreate, FilePSL, FilePS} {
		t.Run(name, func(t *testing.T) {
			if len(want[name]) == 0 {
				t.Fatalf("the demo plan has no rows for %s: the test checks nothing", name)
			}
			recs := readCSV(t, filepath.Join(dir, name))
			if got := strings.Join(recs[0], ","); got != headers[name] {
				t.Errorf("header %s, want %s", got, headers[name])
			}
			if !slices.EqualFunc(recs[1:], want[name], slices.Equal) {
				t.Errorf("rows:\n got %q\nwant %q", recs[1:], want[name])
			}
		})
	}

	// A reassign step may have rows in both 05 and 06, one per
	// assignment: it counts once.
	seen := map[int]int{}
	grants := map[int]bool{}
	for _, f := range s.Files {
		for _, seq := range f.Seqs {
			if f.Grants {
				grants[seq] = true
			} else {
				seen[seq]++
			}
		}
	}
	for seq := range grants {
		seen[seq]++
	}
	left := readCSV(t, filepath.Join(dir, FileLeft))[1:]
	if len(left) != len(s.Left) {
		t.Errorf("not-loaded.csv has %d rows, Build left %d steps", len(left), len(s.Left))
	}
	for _, l := range s.Left {
		seen[l.Seq]++
	}
	for _, st := range p.Steps.All() {
		if seen[st.Seq] != 1 {
			t.Errorf("step %d (%s) is in %d load files or not-loaded.csv, want 1", st.Seq, st.Action, seen[st.Seq])
		}
	}
}

// The demo org's load folder is kept as golden files: the README's order,
// commands and checks, and each CSV.
func TestGoldenDemo(t *testing.T) {
	p := demoPlan(t)
	dir := t.TempDir()
	if err := WriteDir(context.Background(), dir, p, Build(p)); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "demo")
	for _, e := range ents {
		t.Run(e.Name(), func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(golden, e.Name())
			if *update {
				if err := os.MkdirAll(golden, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./load -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run go test ./load -update after checking)", e.Name(), path)
			}
		})
	}
	goldens, _ := os.ReadDir(golden)
	if len(goldens) != len(ents) {
		t.Errorf("wrote %d files, testdata/demo has %d", len(ents), len(goldens))
	}
}

// hostilePlan is a hand-made plan: one account to enable, one user changed
// in place whose name is a formula, one user disabled and enabled again
// whose values are formulas, and one whose snapshot had none of the
// new-user fields.
func hostilePlan(newUser *planner.NewUser) *planner.Plan {
	users := []planner.UserPlan{
		{UserID: "005A", Username: "=cmd|' /C calc'!A0@x", Outcome: rules.ChangeInPlace, ToProfileID: "00eP", Steps: []int{2}},
		{UserID: "005B", Username: "b@x", Outcome: rules.DisableReenable, ToProfileID: "00eP",
			Seen: &planner.UserSeen{ContactID: "003B"}, NewUser: newUser, Steps: []int{3, 4}},
	}
	steps := []planner.Step{
		{Seq: 1, Phase: planner.Prepare, Action: planner.EnablePartnerAccount, AccountID: "001A"},
		{Seq: 2, Phase: planner.Convert, Action: planner.ChangeLicense, UserID: "005A", DependsOn: []int{1}},
		{Seq: 3, Phase: planner.Convert, Action: planner.DisableUser, UserID: "005B"},
		{Seq: 4, Phase: planner.RecreatePhase, Action: planner.CreateUser, UserID: "005B", DependsOn: []int{3}},
		{Seq: 5, Phase: planner.FollowUp, Action: planner.TransferRecords, UserID: "005B", DependsOn: []int{3, 4}},
	}
	return &planner.Plan{Users: planner.NewUsers(users...), Steps: planner.NewSteps(steps...),
		Overview: planner.Overview{Source: planner.Source{Environment: org.EnvProduction}}}
}

func TestHostileValues(t *testing.T) {
	p := hostilePlan(&planner.NewUser{ContactID: "003B", ProfileID: "00eP", Username: "b@x", Email: "b@x",
		LastName: "=HYPERLINK(\"http://evil\")", Alias: "+1", TimeZoneSidKey: "Europe/Paris", LocaleSidKey: "fr_FR",
		EmailEncodingKey: "UTF-8", LanguageLocaleKey: "fr"})
	dir := t.TempDir()
	s := Build(p)
	if err := WriteDir(context.Background(), dir, p, s); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, filepath.Join(dir, FileCreate))
	row := map[string]string{}
	for j, h := range recs[0] {
		row[h] = recs[1][j]
	}
	if row["LastName"] != `'=HYPERLINK("http://evil")` || row["Alias"] != "'+1" {
		t.Errorf("formulas not neutralised: %q", recs[1])
	}
	// Build keeps the raw values (apply loads those).
	f := s.Files[slices.IndexFunc(s.Files, func(f *File) bool { return f.Name == FileCreate })]
	if got := f.Rows[0][slices.Index(f.Header, "LastName")]; got != `=HYPERLINK("http://evil")` {
		t.Errorf("raw LastName %q", got)
	}
	readme, err := os.ReadFile(filepath.Join(dir, FileReadme))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"**This plan is for a production org.**",
		"| 04-users-create.csv | 2 | LastName | 4 |",
		"| 04-users-create.csv | 2 | Alias | 4 |",
		"1: acts on the new user",
	} {
		if !bytes.Contains(readme, []byte(want)) {
			t.Errorf("README.md lacks %q:\n%s", want, readme)
		}
	}
	if bytes.Contains(readme, []byte("=cmd")) || bytes.Contains(readme, []byte("HYPERLINK")) {
		t.Errorf("README.md holds org data:\n%s", readme)
	}
}

// A snapshot without the new-user fields still gives 04, with only the
// columns it knows, and the README says which required fields are missing.
func TestMissingNewUserFields(t *testing.T) {
	p := hostilePlan(nil)
	dir := t.TempDir()
	if err := WriteDir(context.Background(), dir, p, Build(p)); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, filepath.Join(dir, FileCreate))
	if got := strings.Join(recs[0], ","); got != "ContactId,ProfileId,Username" {
		t.Errorf("header %s", got)
	}
	if got := strings.Join(recs[1], ","); got != "003B,00eP,b@x" {
		t.Errorf("row %s", got)
	}
	readme, _ := os.ReadFile(filepath.Join(dir, FileReadme))
	want := "Salesforce requires Email, LastName, Alias, TimeZoneSidKey, LocaleSidKey, EmailEncodingKey, LanguageLocaleKey"
	if !bytes.Contains(readme, []byte(want)) {
		t.Errorf("README.md lacks %q:\n%s", want, readme)
	}
}

func TestLeftReasons(t *testing.T) {
	tests := []struct {
		name string
		edit func(u []planner.UserPlan)
		want map[int]Reason // seq -> reason
	}{
		{"complete", func([]planner.UserPlan) {}, map[int]Reason{5: NeedsNewUserID}},
		{"no profile Id", func(u []planner.UserPlan) { u[0].ToProfileID = ""; u[1].ToProfileID = "" },
			map[int]Reason{2: NoProfileID, 4: NoProfileID, 5: NeedsNewUserID}},
		{"no contact", func(u []planner.UserPlan) { u[1].Seen = &planner.UserSeen{} },
			map[int]Reason{4: NoContact, 5: NeedsNewUserID}},
		{"recreate", func(u []planner.UserPlan) { u[1].Outcome = rules.Recreate },
			map[int]Reason{3: NeedsDecision, 4: NeedsDecision, 5: NeedsDecision}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := hostilePlan(nil)
			us := p.Users.Slice()
			tt.edit(us)
			p.Users = planner.NewUsers(us...)
			got := map[int]Reason{}
			for _, l := range Build(p).Left {
				got[l.Seq] = l.Reason
			}
			if len(got) != len(tt.want) {
				t.Fatalf("left %v, want %v", got, tt.want)
			}
			for seq, r := range tt.want {
				if g, ok := got[seq]; !ok || g != r {
					t.Errorf("step %d: left %v (%v), want %q", seq, ok, g, r)
				}
			}
		})
	}
}

// A second run into the same folder removes the files the first wrote
// and the second does not.
func TestStaleFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	p := hostilePlan(nil)
	if err := WriteDir(context.Background(), dir, p, Build(p)); err != nil {
		t.Fatal(err)
	}
	empty := &planner.Plan{}
	if err := WriteDir(context.Background(), dir, empty, Build(empty)); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != FileReadme {
		t.Errorf("files %v, want only README.md", ents)
	}
}

// An assign_owner_role step is a row of 00 when the plan knows the owner
// and the role, and is left, with its reason, when it does not; a
// change_profile step is a row of 02.
func TestOwnerRoleAndProfileRows(t *testing.T) {
	tests := []struct {
		name         string
		step         planner.Step
		wantFile     string
		wantRow      []string
		wantLeft     bool
		wantReason   Reason
		wantInReadme string
	}{
		{"role configured", planner.Step{Action: planner.AssignOwnerRole, AccountID: "001A", OwnerID: "005O", RoleID: "00ER"},
			FileOwnerRole, []string{"005O", "00ER"}, false, 0, "| 00 | 00-users-assign-owner-role.csv | User | update | 1 |"},
		{"no role configured", planner.Step{Action: planner.AssignOwnerRole, AccountID: "001A", OwnerID: "005O"},
			"", nil, true, NoOwnerRole, "choose an internal role"},
		{"owner unknown", planner.Step{Action: planner.AssignOwnerRole, AccountID: "001A", RoleID: "00ER"},
			"", nil, true, NoOwnerID, "does not know the owner's user Id"},
		{"profile change", planner.Step{Action: planner.ChangeProfile, UserID: "005U", AccountID: "001A"},
			FileInPlace, []string{"005U", "00eP"}, false, 0, "| 02 | 02-users-change-in-place.csv | User | update | 1 |"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := tt.step
			st.Seq, st.Phase, st.DependsOn = 1, planner.Prepare, []int{}
			users := []planner.UserPlan{{UserID: "005U", Username: "u@x", AccountID: "001A", Outcome: rules.ChangeProfile, ToProfileID: "00eP"}}
			p := &planner.Plan{Users: planner.NewUsers(users...), Steps: planner.NewSteps(st)}
			s := Build(p)
			for _, f := range s.Files {
				switch {
				case f.Name == tt.wantFile && (len(f.Rows) != 1 || !slices.Equal(f.Rows[0], tt.wantRow) || f.Seqs[0] != 1):
					t.Errorf("%s: rows %q, want [%q]", f.Name, f.Rows, tt.wantRow)
				case f.Name != tt.wantFile && len(f.Rows) > 0:
					t.Errorf("%s has rows %q, want none", f.Name, f.Rows)
				}
			}
			if got := len(s.Left) == 1; got != tt.wantLeft || (got && (s.Left[0].Reason != tt.wantReason || s.Left[0].AccountID != "001A")) {
				t.Errorf("left %+v, want left %v with reason %v", s.Left, tt.wantLeft, tt.wantReason)
			}
			var readme bytes.Buffer
			if err := writeReadme(&readme, p, s); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(readme.String(), tt.wantInReadme) {
				t.Errorf("README.md lacks %q:\n%s", tt.wantInReadme, readme.String())
			}
		})
	}
}

// 04 carries UserRoleId where the plan knows the new user's role, and
// leaves the column out, unreported, when it knows none.
func TestCreateRole(t *testing.T) {
	p := demoPlanWith(t, nil)
	if got := Build(p).Files[4].Header; slices.Contains(got, "UserRoleId") {
		t.Fatalf("04 header %v has UserRoleId with no role known", got)
	}
	var nu *planner.NewUser
	for _, u := range p.Users.All() {
		if u.NewUser != nil {
			nu = u.NewUser // shared with the plan: setting it sets the plan's
			break
		}
	}
	if nu == nil {
		t.Fatal("the demo plan re-creates no user")
	}
	nu.UserRoleID = "00EDn00000bK0ZZMAS"
	f := Build(p).Files[4]
	if f.Name != FileCreate || f.Header[len(f.Header)-1] != "UserRoleId" {
		t.Fatalf("04 header %v, want UserRoleId last", f.Header)
	}
	if slices.ContainsFunc(f.Omitted, func(o Omitted) bool { return o.Field == "UserRoleId" }) {
		t.Error("UserRoleId reported as left out")
	}
	found := 0
	for _, r := range f.Rows {
		if r[len(r)-1] == nu.UserRoleID && r[0] == nu.ContactID {
			found++
		}
	}
	if found != 1 {
		t.Errorf("%d rows of 04 carry the role, want 1", found)
	}
}
