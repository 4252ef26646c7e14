package orggen

import (
	"bytes"
	"testing"

	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// TestEquivalentTargets: the two files give every user the same target.
func TestEquivalentTargets(t *testing.T) {
	snap := Generate(Options{Users: 3000, Seed: 4})
	table, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	cat := table.Catalog
	csvText, yamlText, rows, err := EquivalentTargets(snap, cat)
	if err != nil {
		t.Fatal(err)
	}
	perUser, err := targets.ParseCSV("t.csv", bytes.NewReader(csvText), cat)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := targets.ParseYAML("t.yaml", yamlText, cat)
	if err != nil {
		t.Fatal(err)
	}
	if rows != perUser.NumRows() || rows < len(snap.Users)*9/10 {
		t.Fatalf("%d rows said, %d parsed, for %d users", rows, perUser.NumRows(), len(snap.Users))
	}
	changed := 0
	for _, u := range snap.Users {
		l, ok := cat.CanonicalName(u.License)
		if !ok {
			continue
		}
		a, aok := perUser.Lookup(targets.UserRef{ID: u.ID, Username: u.Username, License: l})
		b, bok := sel.Lookup(targets.UserRef{License: l})
		if !aok || !bok || a.License != b.License {
			t.Fatalf("user %s: per-user %q %v, selectors %q %v", u.ID, a.License, aok, b.License, bok)
		}
		if a.License != l {
			changed++
		}
	}
	if changed == 0 {
		t.Error("no user changes license: the files test nothing")
	}
}
