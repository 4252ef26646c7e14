package orggen

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// EquivalentTargets returns two targets files that give every user of snap
// the same target, to measure per-user targets against selectors: a
// per-user CSV (Id, Username, TargetLicense) with a row per user whose
// license cat knows, giving what the experience-cloud preset gives (else
// the user's own license), and a YAML file of the preset's selectors, then
// one per license keeping it. rows is the CSV's rows.
func EquivalentTargets(snap *org.Snapshot, cat *rules.Catalog) (csvText, yamlText []byte, rows int, err error) {
	preset, err := targets.Preset("experience-cloud", cat)
	if err != nil {
		return nil, nil, 0, err
	}
	var c, y bytes.Buffer
	c.WriteString("Id,Username,TargetLicense\n")
	for _, u := range snap.Users {
		l, ok := cat.CanonicalName(u.License)
		if !ok {
			continue
		}
		to := l
		if m, ok := preset.Lookup(targets.UserRef{License: l}); ok {
			to = m.License
		}
		fmt.Fprintf(&c, "%s,%s,%s\n", u.ID, u.Username, to)
		rows++
	}
	y.WriteString("# The experience-cloud preset, then every other license kept: the\n# targets of the per-user file, as selectors.\n")
	for _, s := range preset.Selectors {
		fmt.Fprintf(&y, "- match: {license: [%s]}\n  to: {license: %s}\n", strings.Join(s.Licenses, ", "), s.To.License)
	}
	for _, l := range cat.Licenses {
		fmt.Fprintf(&y, "- match: {license: %q}\n  to: {license: %q}\n", l.Name, l.Name)
	}
	return c.Bytes(), y.Bytes(), rows, nil
}
