package targets

import (
	"slices"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
)

func catalog(t testing.TB) Licenses {
	tb, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return tb.Catalog
}

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name, in string
		wantErr  string
		check    func(*testing.T, *Set)
	}{
		{"by username with BOM", "\xEF\xBB\xBFusername,targetlicense,TargetProfile\nA@x,Customer Community Plus,CCP User\n", "", func(t *testing.T, s *Set) {
			m, ok := s.Lookup(UserRef{Username: "a@X"})
			if !ok || m.License != "Customer Community Plus" || m.Profile != "CCP User" || m.Origin != "t.csv:2" || m.Row != 0 {
				t.Errorf("lookup = %+v %v", m, ok)
			}
		}},
		{"by id, extra columns", "Note,Id,TargetLicense\nhi,005A,Partner Community\n", "", func(t *testing.T, s *Set) {
			if m, ok := s.Lookup(UserRef{ID: "005A"}); !ok || m.License != "Partner Community" {
				t.Errorf("lookup = %+v %v", m, ok)
			}
			if _, ok := s.Lookup(UserRef{ID: "005B"}); ok {
				t.Error("matched an unknown user")
			}
		}},
		{"empty", "", "t.csv: empty file", nil},
		{"no key column", "Name,TargetLicense\n", "t.csv:1: missing column Id or Username (header has Name, TargetLicense)", nil},
		{"no license column", "Id\n005A\n", "t.csv:1: missing column TargetLicense", nil},
		{"duplicate column", "Id,id,TargetLicense\n", `t.csv:1:2: duplicate column "id"`, nil},
		{"blank license", "Id,TargetLicense\n005A,\n", "t.csv:2:2: TargetLicense is blank", nil},
		{"no key", "Id,Username,TargetLicense\n,,Partner Community\n", "t.csv:2: row has neither Id nor Username", nil},
		{"duplicate user", "Username,TargetLicense\na@x,Customer Community\nA@X,Partner Community\n", "t.csv:3: username A@X already has a target at t.csv:2", nil},
		{"malformed", "Id,TargetLicense\n005A,\"Partner\n", "t.csv:2:", nil},
		// Seen: an unknown TargetLicense was accepted and the user came
		// out invalid; now it is an error with the nearest name.
		{"unknown license", "Id,TargetLicense\n005A,Customer Community Plus\n005B,Customer Comunity Plus\n", `t.csv:3:6: unknown license "Customer Comunity Plus" (did you mean "Customer Community Plus"?)`, nil},
		{"unknown license, no near name", "Username,TargetProfile,TargetLicense\na@x,P,Widget Portal Deluxe Edition\n", `t.csv:2:7: unknown license "Widget Portal Deluxe Edition"; known licenses: Authenticated Website,`, nil},
		{"canonical name", "Id,TargetLicense\n005A,  customer COMMUNITY plus \n", "", func(t *testing.T, s *Set) {
			if m, ok := s.Lookup(UserRef{ID: "005A"}); !ok || m.License != "Customer Community Plus" || m.Source != 0 {
				t.Errorf("lookup = %+v %v", m, ok)
			}
		}},
		{"alias", "Id,TargetLicense\n005A,Guest\n", "", func(t *testing.T, s *Set) {
			if m, _ := s.Lookup(UserRef{ID: "005A"}); m.License != "Guest User License" {
				t.Errorf("lookup = %+v", m)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseCSV("t.csv", strings.NewReader(tt.in), catalog(t))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}

func TestParseYAML(t *testing.T) {
	tests := []struct {
		name, in string
		wantErr  string
		user     UserRef
		want     string // target license, "" for no match
	}{
		{"license list", "- match: {license: [gold partner, Partner]}\n  to: {license: partner community}\n", "", UserRef{License: "Gold Partner"}, "Partner Community"},
		{"license scalar", "- match: {license: Partner}\n  to: {license: Partner Community}\n", "", UserRef{License: "Gold Partner"}, ""},
		{"user type ignores case", "- match: {userType: CSPLitePortal}\n  to: {license: Customer Community}\n", "", UserRef{UserType: "CspLitePortal"}, "Customer Community"},
		{"account glob", "- match: {accountName: 'acme*'}\n  to: {license: Customer Community}\n", "", UserRef{AccountName: "ACME Corp / EU"}, "Customer Community"},
		{"partner account true", "- match: {partnerAccount: true}\n  to: {license: Partner Community}\n", "", UserRef{AccountIsPartner: org.True}, "Partner Community"},
		{"partner unknown never matches", "- match: {partnerAccount: false}\n  to: {license: Partner Community}\n", "", UserRef{}, ""},
		{"first match wins", "- match: {profile: 'Gold*'}\n  to: {license: Partner Community}\n- match: {}\n  to: {license: Customer Community}\n", "", UserRef{Profile: "Silver"}, "Customer Community"},
		{"unknown to license", "- match: {license: Partner}\n  to: {license: Partner Comunity}\n", `t.yaml:2:17: selector 1: unknown license "Partner Comunity" in to.license (did you mean "Partner Community"?)`, UserRef{}, ""},
		{"unknown match license", "- match: {license: Partner}\n  to: {license: Partner Community}\n- match: {license: [Gold Partner, Nope]}\n  to: {license: Partner Community}\n", `t.yaml:3:35: selector 2: unknown license "Nope" in match.license; known licenses:`, UserRef{}, ""},
		{"typo suggests", "- match: {license: Customer Comunity Plus}\n  to: {license: Partner Community}\n", `t.yaml:1:20: selector 1: unknown license "Customer Comunity Plus" in match.license (did you mean "Customer Community Plus"?)`, UserRef{}, ""},
		{"unknown field", "- match: {licence: Partner}\n  to: {license: Partner Community}\n", `t.yaml:1:11: selector 1: match: unknown field "licence" (want license, userType, profile, accountName, partnerAccount)`, UserRef{}, ""},
		{"alias reused", "- match: {license: &p [Partner, Gold Partner]}\n  to: {license: Partner Community}\n- match: {license: *p, partnerAccount: false}\n  to: {license: Customer Community}\n", "", UserRef{License: "Gold Partner"}, "Partner Community"},
		{"null match matches all", "- match:\n  to: {license: Customer Community}\n", "", UserRef{License: "Salesforce"}, "Customer Community"},
		{"missing to", "- match: {license: Partner}\n", "to.license is required", UserRef{}, ""},
		{"not a list", "match: {}\n", "t.yaml:1:1: want a list of selectors", UserRef{}, ""},
		{"bad yaml", "- match: [\n", "t.yaml:", UserRef{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseYAML("t.yaml", []byte(tt.in), catalog(t))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m, ok := s.Lookup(tt.user)
			if ok != (tt.want != "") || m.License != tt.want {
				t.Errorf("lookup = %+v %v, want %q", m, ok, tt.want)
			}
			if ok && m.Row != -1 {
				t.Errorf("selector match has row %d", m.Row)
			}
		})
	}
}

func TestPresetAndMerge(t *testing.T) {
	p, err := Preset("experience-cloud", catalog(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"High Volume Customer Portal": "Customer Community", "Overage High Volume Customer Portal": "Customer Community",
		"Authenticated Website": "Customer Community", "Overage Authenticated Website": "Customer Community",
		"Customer Portal Manager Custom": "Customer Community Plus", "Overage Customer Portal Manager Standard": "Customer Community Plus",
		"Gold Partner": "Partner Community", "Partner": "Partner Community", "Bronze Partner": "Partner Community",
		"Customer Community": "",
	}
	for from, want := range tests {
		t.Run(from, func(t *testing.T) {
			m, ok := p.Lookup(UserRef{License: from})
			if ok != (want != "") || m.License != want {
				t.Errorf("%s -> %+v %v, want %q", from, m, ok, want)
			}
		})
	}
	if _, err := Preset("nope", catalog(t)); err == nil || !strings.Contains(err.Error(), "experience-cloud") {
		t.Errorf("unknown preset err = %v", err)
	}
	rows, _ := ParseCSV("t.csv", strings.NewReader("Username,TargetLicense\ng@x,Customer Community Plus\n"), catalog(t))
	m, err := Merge(rows, p)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Lookup(UserRef{Username: "g@x", License: "Gold Partner"}); got.License != "Customer Community Plus" {
		t.Errorf("per-user row did not win over the preset: %+v", got)
	}
	if got, _ := m.Lookup(UserRef{Username: "h@x", License: "Gold Partner"}); got.License != "Partner Community" {
		t.Errorf("preset not applied after rows: %+v", got)
	}
	if m.Describe != "targets t.csv + preset experience-cloud" {
		t.Errorf("describe %q", m.Describe)
	}
	if !slices.Equal(m.Sources, []string{"targets t.csv", "preset experience-cloud"}) {
		t.Errorf("sources %q", m.Sources)
	}
	if got, _ := m.Lookup(UserRef{Username: "g@x"}); got.Source != 0 {
		t.Errorf("row source %d, want 0", got.Source)
	}
	if got, _ := m.Lookup(UserRef{License: "Gold Partner"}); got.Source != 1 || m.Sources[got.Source] != "preset experience-cloud" {
		t.Errorf("preset source %d, want 1", got.Source)
	}
	if _, err := Merge(rows, rows); err == nil {
		t.Error("merge accepted two rows for one user")
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		p, v string
		want bool
	}{
		{"acme", "ACME", true}, {"acme*", "Acme Corp", true}, {"*corp", "Acme Corp", true},
		{"a*c*e", "abcde", true}, {"a*c*e", "abcd", false}, {"*", "", true}, {"ac", "acme", false},
		{"a*a", "a", false},
	}
	for _, tt := range tests {
		if got := Glob(tt.p, tt.v); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v", tt.p, tt.v, got)
		}
	}
}
