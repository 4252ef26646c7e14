package targets

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

// checkSet fails unless s is consistent: every row and selector names
// catalog licenses by their catalog names, every row has a key, no user has
// two rows, and every target's source is one of the set's sources.
func checkSet(t *testing.T, lic Licenses, s *Set, origin string) {
	t.Helper()
	canonical := func(l string) bool {
		c, ok := lic.CanonicalName(l)
		return ok && c == l
	}
	ids, users := map[string]bool{}, map[string]bool{}
	for i := range s.NumRows() {
		r := s.Row(i)
		if !canonical(r.License) {
			t.Fatalf("row %+v: license %q is not a catalog name", r, r.License)
		}
		if r.UserID == "" && r.Username == "" {
			t.Fatalf("row %+v has no key", r)
		}
		if r.UserID != "" && ids[r.UserID] || r.Username != "" && users[strings.ToLower(r.Username)] {
			t.Fatalf("row %+v: user has two rows", r)
		}
		ids[r.UserID], users[strings.ToLower(r.Username)] = true, true
		if !strings.HasPrefix(r.Origin, origin+":") || r.Source < 0 || r.Source >= len(s.Sources) {
			t.Fatalf("row %+v: origin or source is wrong", r)
		}
	}
	values := 0
	for _, sel := range s.Selectors {
		if !canonical(sel.To.License) {
			t.Fatalf("selector to %q is not a catalog name", sel.To.License)
		}
		for _, l := range sel.Licenses {
			if !canonical(l) {
				t.Fatalf("selector license %q is not a catalog name", l)
			}
		}
		values += len(sel.Licenses) + len(sel.UserTypes) + len(sel.Profiles) + len(sel.AccountNames)
		if !strings.HasPrefix(sel.To.Origin, origin+":") || sel.To.Source < 0 || sel.To.Source >= len(s.Sources) {
			t.Fatalf("selector %+v: origin or source is wrong", sel)
		}
	}
	if len(s.Selectors) > MaxSelectors || values > MaxYAMLValues {
		t.Fatalf("%d selectors and %d values: over the limits", len(s.Selectors), values)
	}
}

// seeds returns the repository's real targets files and the hostile cases.
func seeds(t testing.TB, csv bool) [][]byte {
	var out [][]byte
	if csv {
		data, err := os.ReadFile("../demo/targets.csv")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
		for _, c := range hostileCSV() {
			if len(c.in) < 4096 {
				out = append(out, []byte(c.in))
			}
		}
		return out
	}
	for _, name := range Presets() {
		data, err := presetFS.ReadFile("presets/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	for _, c := range hostileYAML() {
		if len(c.in) < 4096 {
			out = append(out, []byte(c.in))
		}
	}
	out = append(out, []byte("- match: {license: [gold partner, Partner], userType: PowerPartner, profile: 'Gold*', accountName: 'Acme*', partnerAccount: true}\n  to: {license: Partner Community, profile: Partner Community User}\n"))
	return out
}

var fuzzLineRE = regexp.MustCompile(`^f\.(csv|yaml):\d+(:\d+)?: `)

func FuzzParseCSV(f *testing.F) {
	lic := catalog(f)
	for _, s := range seeds(f, true) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseCSV("f.csv", bytes.NewReader(data), lic)
		if err != nil {
			if msg := err.Error(); !fuzzLineRE.MatchString(msg) && msg != "f.csv: empty file: want a header row with Id or Username, and TargetLicense" {
				t.Fatalf("error does not name the file and a line: %q", msg)
			}
			return
		}
		checkSet(t, lic, s, "f.csv")
	})
}

func FuzzParseYAML(f *testing.F) {
	lic := catalog(f)
	for _, s := range seeds(f, false) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseYAML("f.yaml", data, lic)
		if err != nil {
			if msg := err.Error(); !fuzzLineRE.MatchString(msg) {
				t.Fatalf("error does not name the file and a line: %q", msg)
			}
			return
		}
		checkSet(t, lic, s, "f.yaml")
	})
}
