package reports

import (
	"context"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// userOnlyPlan is the demo org planned from its User.csv alone: no
// Account.csv, UserRole.csv, UserLicense.csv or any other optional file.
func userOnlyPlan(tb testing.TB) *planner.Plan {
	tb.Helper()
	data, err := fs.ReadFile(demo.Snapshot(), "User.csv")
	if err != nil {
		tb.Fatal(err)
	}
	snap, err := org.ReadSnapshot(context.Background(), fstest.MapFS{"User.csv": {Data: data}}, "users only")
	if err != nil {
		tb.Fatal(err)
	}
	return planFromSnapshot(tb, snap, planner.Source{Kind: "snapshot", Path: "users-only", Files: snap.Files}, demo.Targets())
}

// TestUnknownIsNotZero: a tile whose figure needs an input file that is
// missing shows "unknown" and why, never a green 0 (issue 12: with only
// User.csv, "Licenses short of seats" was a green 0). Every tile is
// covered: a tile this test does not know fails it.
func TestUnknownIsNotZero(t *testing.T) {
	// want[key] is whether the tile is known with User.csv alone (every
	// tile is known with the full demo snapshot), and what the reason names.
	// why[key] is what the reason of an unknown tile names; a tile with
	// no entry is always known.
	why := map[string]string{
		"users": "", "steps": "", "irreversibleChanges": "", "newUserRecords": "", "noTarget": "", "warnings": "",
		"licensesShort": "UserLicense.csv", "partnerAccountsToEnable": "Account.IsPartner", "rolesCreated": "UserRole.csv",
	}
	noPartnerFlag := demoPlan(t)
	for i := range noPartnerFlag.Accounts {
		noPartnerFlag.Accounts[i].IsPartner = ""
	}
	for _, tc := range []struct {
		name    string
		p       *planner.Plan
		unknown []string // the tiles that are unknown
	}{
		{"full demo snapshot", demoPlan(t), nil},
		// The demo's User.csv has Account.IsPartner, so partner status is known.
		{"User.csv only", userOnlyPlan(t), []string{"licensesShort", "rolesCreated"}},
		{"no Account.IsPartner", noPartnerFlag, []string{"partnerAccountsToEnable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBoard(tc.p, nil, SignOff{})
			page := string(render(t, HTML{}, tc.p))
			seen := map[string]bool{}
			for _, tile := range b.Tiles {
				seen[tile.Key] = true
				w, ok := why[tile.Key]
				if !ok {
					t.Errorf("tile %s (%s) is not covered by this test", tile.Key, tile.Label)
					continue
				}
				wantKnown := !slices.Contains(tc.unknown, tile.Key)
				if tile.Known != wantKnown {
					t.Errorf("tile %s: known = %v, want %v (why %q)", tile.Key, tile.Known, wantKnown, tile.Why)
				}
				if !tile.Known {
					if tile.Tone != "unknown" || w == "" || !strings.Contains(tile.Why, w) {
						t.Errorf("tile %s: tone %q, why %q; want unknown and a reason naming %s", tile.Key, tile.Tone, tile.Why, w)
					}
					cell := `data-metric="` + tile.Key + `" data-value="` + itoa(tile.Value) + `" data-known="false">unknown</dd>`
					if !strings.Contains(page, cell) {
						t.Errorf("tile %s: the page does not show unknown (%s)", tile.Key, cell)
					}
				} else if tile.Tone == "unknown" {
					t.Errorf("tile %s is known but toned unknown", tile.Key)
				}
			}
			for k := range why {
				if !seen[k] {
					t.Errorf("no tile %s", k)
				}
			}
		})
	}
	t.Run("User.csv only: no green 0 for seats", func(t *testing.T) {
		page := string(render(t, HTML{}, userOnlyPlan(t)))
		if strings.Contains(page, `tone-good"><dt>Licenses short of seats</dt>`) {
			t.Error("Licenses short of seats is a green tile although capacity is unknown")
		}
		b := NewBoard(userOnlyPlan(t), nil, SignOff{})
		if c := check(b, "seats"); c.State != Unknown {
			t.Errorf("seats check is %s, want unknown", c.State)
		}
	})
}

func itoa(n int) string { return htmlThousands(n) }

func check(b *Board, key string) Check {
	for _, c := range b.Checklist {
		if c.Key == key {
			return c
		}
	}
	return Check{}
}

// TestRiskRegisterRanked: the register is ranked by severity times users,
// every line has a mitigation, an owner to fill in and a status, and low
// codes share one line (issue 12: SITE_MEMBERSHIP, low, 60 users, had as
// much room as the high codes, and there was no mitigation, owner or
// status).
func TestRiskRegisterRanked(t *testing.T) {
	p := demoPlan(t)
	b := NewBoard(p, nil, SignOff{})
	if len(b.Risks) == 0 || b.Low == nil {
		t.Fatalf("risks %d, low %v", len(b.Risks), b.Low)
	}
	for i, r := range b.Risks {
		if r.Severity == rules.Low {
			t.Errorf("low code %s has a line of its own", r.Code)
		}
		if r.Score != severityWeight(r.Severity)*r.Users {
			t.Errorf("%s: score %d, want %d x %d", r.Code, r.Score, severityWeight(r.Severity), r.Users)
		}
		if i > 0 && r.Score > b.Risks[i-1].Score {
			t.Errorf("%s (score %d) ranks below %s (score %d)", r.Code, r.Score, b.Risks[i-1].Code, b.Risks[i-1].Score)
		}
		if r.Mitigation == "" || r.Mitigation != r.Code.Advice() || r.Status == "" {
			t.Errorf("%s: mitigation %q, status %q", r.Code, r.Mitigation, r.Status)
		}
	}
	if !slices.Contains(b.Low.Codes, rules.SiteMembership) {
		t.Errorf("SITE_MEMBERSHIP is not folded into the low line: %v", b.Low.Codes)
	}
	page := string(render(t, HTML{}, p))
	for _, want := range []string{`<th scope="col">Mitigation</th><th scope="col">Owner</th><th scope="col">Status</th>`, rules.SiteMembership.Advice()} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html has no %q", want)
		}
	}
	if i := strings.Index(page, `id="risk-site-membership"`); i < 0 || strings.Contains(page[i:i+3000], "Users affected") {
		t.Error("the low code SITE_MEMBERSHIP still lists its users")
	}
}

// TestBlockersOnPage1: what Salesforce will refuse is a named blocker on
// page 1, not a red "no" in a table (issue 12: ACCOUNT_OWNER_NO_ROLE).
func TestBlockersOnPage1(t *testing.T) {
	p := demoPlan(t)
	b := NewBoard(p, nil, SignOff{})
	if c := check(b, "owner-roles"); c.State != Blocker || !slices.Contains(c.Items, "Brightwater Outfitters") {
		t.Errorf("owner roles: %+v, want a blocker naming Brightwater Outfitters", c)
	}
	if c := check(b, "seats"); c.State != Blocker || !strings.Contains(c.Title, "16 seats") {
		t.Errorf("seats: %+v, want a blocker for 16 seats", c)
	}
	if c := check(b, "refused"); c.State != Blocker || len(c.Items) == 0 {
		t.Errorf("refused: %+v, want a blocker", c)
	}
	if c := check(b, "partner-accounts"); c.State != InPlan || len(c.Items) != 3 || c.More != 1 {
		t.Errorf("partner accounts: %+v, want in plan, 3 named and 1 more", c)
	}
	if b.Checklist[0].State != Blocker {
		t.Errorf("the checklist does not start with the blockers: %+v", b.Checklist[0])
	}
	page1 := pageOne(t, render(t, HTML{}, p))
	for _, want := range []string{`class="check check-blocker"><span class="mark">Blocker</span> Choose a role`, "Brightwater Outfitters", "Buy or free 16 seats"} {
		if !strings.Contains(page1, want) {
			t.Errorf("page 1 has no %q", want)
		}
	}
	t.Run("an owner role the config names is in the plan", func(t *testing.T) {
		q := demoPlan(t)
		steps := q.Steps.Slice()
		for i := range steps {
			if steps[i].Action == planner.AssignOwnerRole {
				steps[i].RoleID = "00EDn00000bK003MAC"
			}
		}
		q.Steps = planner.NewSteps(steps...)
		if c := check(NewBoard(q, nil, SignOff{}), "owner-roles"); c.State != InPlan {
			t.Errorf("owner roles with a role configured: %s, want in plan", c.State)
		}
	})
}

// pageOne is the decision section of a report.
func pageOne(t *testing.T, page []byte) string {
	t.Helper()
	s := string(page)
	i := strings.Index(s, `<section id="decision"`)
	j := strings.Index(s, `<div class="appendix"`)
	if i < 0 || j < i {
		t.Fatalf("no page 1 in the report")
	}
	return s[i:j]
}

// TestSignOff: the sign-off is on page 1 with every approver, the change
// ID, the window and the backout plan, and names the org and the full
// fingerprint (issue 12: it sat alone on the last page, said "the org
// named above" with no org on the page, and had one approver line).
func TestSignOff(t *testing.T) {
	p := demoPlan(t)
	t.Run("filled in", func(t *testing.T) {
		page := render(t, HTML{SignOff: manyApprovers}, p)
		page1 := pageOne(t, page)
		so := page1[strings.Index(page1, `<div class="signoff"`):]
		for _, want := range []string{"CHG0012345 &lt;script&gt;x&lt;/script&gt;", "Saturday 9 January 2027, 20:00 to 23:00 UTC",
			"=cmd|&#39; /C calc&#39;!A0 https://wiki.example/backout/CHG0012345", "Ada Lovelace (Head of CRM)", "&lt;script&gt;alert(1)&lt;/script&gt;",
			"Grace Hopper", p.Fingerprint, "Acme Demo (Sandbox)", "4 more approvers"} {
			if !strings.Contains(so, want) {
				t.Errorf("the sign-off has no %q", want)
			}
		}
		if strings.Contains(string(page), "<script>alert(1)</script></td>") || strings.Contains(string(page), "the org named above") {
			t.Error("an approver name is not escaped, or the sign-off points at an org it does not name")
		}
		if rest := string(page)[strings.Index(string(page), `id="signoff-more"`):]; !strings.Contains(rest, "Margaret Hamilton") || !strings.Contains(rest, "Edsger Dijkstra") {
			t.Error("the approvers beyond page 1 are not in the appendix")
		}
	})
	t.Run("blank", func(t *testing.T) {
		page1 := pageOne(t, render(t, HTML{}, p))
		so := page1[strings.Index(page1, `<div class="signoff"`):]
		if n := strings.Count(so, `<span class="blank"></span>`); n != 3+2 {
			t.Errorf("%d blank fields, want change ID, window, backout and two approvers", n)
		}
		if strings.Count(so, "<tr><td>") != 2 {
			t.Errorf("want two approver lines to fill in")
		}
	})
}

// TestPage1Words: page 1 speaks to people, not about internals (issue 12:
// "served by orgsim over loopback", "targets demo targets.csv + preset
// experience-cloud").
func TestPage1Words(t *testing.T) {
	page := render(t, HTML{}, demoPlan(t))
	page1 := pageOne(t, page)
	for _, bad := range []string{"orgsim", "loopback", "targets.csv", "+ preset", ".txt", "preset experience-cloud"} {
		if strings.Contains(page1, bad) {
			t.Errorf("page 1 says %q", bad)
		}
	}
	for _, bad := range []string{"orgsim", "loopback"} {
		if strings.Contains(string(page), bad) {
			t.Errorf("the report says %q", bad)
		}
	}
	if !strings.Contains(page1, "Targets: the demo org&#39;s own targets file and the Experience Cloud preset") {
		t.Error("page 1 does not say where the targets came from in words")
	}
}

// TestSourcesByTitleInHTML: the report cites the documents by title, links
// the Help article, and keeps the file name once per rule at most (issue
// 12: 000_7706ceabebc363c0.txt 44 times, the title and address nowhere).
func TestSourcesByTitleInHTML(t *testing.T) {
	p := demoPlan(t)
	page := string(render(t, HTML{}, p))
	for _, want := range []string{"&#34;Experience Cloud Licenses Eligible for Upgrades&#34; (Salesforce Help)",
		`<a href="https://help.salesforce.com/s/articleView?id=platform.networks_license_upgrade_eligible.htm&amp;language=en_US&amp;type=5" rel="noreferrer">`,
		"License change matrix (observed Salesforce results)"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html has no %q", want)
		}
	}
	cites := 0
	for _, r := range p.Rules {
		if r.Cite.Doc == rules.Doc000 {
			cites++
		}
	}
	if n := strings.Count(page, rules.Doc000); n > cites {
		t.Errorf("report.html names %s %d times, more than the %d rules that cite it", rules.Doc000, n, cites)
	}
}
