// Package targets says what each user should become: per-user rows from a
// CSV file, selectors from a YAML file, and built-in presets. It parses what
// it is given and does no file I/O of its own.
package targets

import (
	"embed"
	"fmt"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/org"
)

// Target is the license (and optionally profile) a user should have.
type Target struct {
	License string
	Profile string
	// Origin names where the target came from, e.g. "targets.csv:4" or
	// "preset experience-cloud:2" (file and line).
	Origin string
	// Source is the index in Set.Sources of the file or preset the target
	// came from.
	Source int
}

// UserRef is what selectors match on.
type UserRef struct {
	ID, Username string
	// License is the canonical catalog name when known, else the org's name.
	License          string
	UserType         string
	Profile          string
	AccountName      string
	AccountIsPartner org.Tri
}

// Selector matches users by attributes; empty fields match anything.
type Selector struct {
	Licenses     []string
	UserTypes    []string
	Profiles     []string // '*' wildcards allowed
	AccountNames []string // '*' wildcards allowed
	// PartnerAccount matches on Account.IsPartner when known; a user whose
	// partner status is unknown never matches a selector that names it.
	PartnerAccount *bool
	To             Target
}

func (s *Selector) matches(u UserRef) bool {
	eq := func(list []string, v string) bool {
		return len(list) == 0 || slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, v) })
	}
	glob := func(list []string, v string) bool {
		return len(list) == 0 || slices.ContainsFunc(list, func(p string) bool { return Glob(p, v) })
	}
	if s.PartnerAccount != nil && (!u.AccountIsPartner.Known() || u.AccountIsPartner.IsTrue() != *s.PartnerAccount) {
		return false
	}
	return eq(s.Licenses, u.License) && eq(s.UserTypes, u.UserType) && glob(s.Profiles, u.Profile) && glob(s.AccountNames, u.AccountName)
}

// Glob matches v against pattern p ignoring case; '*' matches any run of
// characters (including none), every other character matches itself.
func Glob(p, v string) bool {
	p, v = strings.ToLower(p), strings.ToLower(v)
	parts := strings.Split(p, "*")
	if len(parts) == 1 {
		return p == v
	}
	if !strings.HasPrefix(v, parts[0]) {
		return false
	}
	v = v[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(v, mid)
		if i < 0 {
			return false
		}
		v = v[i+len(mid):]
	}
	return strings.HasSuffix(v, parts[len(parts)-1])
}

// Row is one per-user target.
type Row struct {
	UserID   string
	Username string
	Target
}

// Set is an ordered collection of targets: per-user rows first (by Id, then
// Username), then selectors in order; the first match wins. NumRows and
// Row give the rows.
type Set struct {
	Selectors []Selector
	rows      rowTable
	// Describe says where the set came from, for the plan's source.
	Describe string
	// Sources names each file or preset the set holds, in precedence
	// order ("targets t.csv", "preset experience-cloud"); Target.Source
	// indexes it, so a plan can say how many users each one matched.
	Sources []string
}

// NumRows returns the number of per-user rows.
func (s *Set) NumRows() int { return s.rows.n }

// Row returns per-user row i, 0 <= i < NumRows(), in the order the files
// gave them.
func (s *Set) Row(i int) Row { return s.rows.row(i) }

// Match is the result of a lookup.
type Match struct {
	Target
	// Row is the index (for Set.Row) of the per-user row that matched, or
	// -1 when a selector matched.
	Row int
}

// Lookup returns the target for u, if any.
func (s *Set) Lookup(u UserRef) (Match, bool) {
	if s == nil {
		return Match{}, false
	}
	if s.rows.n > 0 {
		if i, ok := s.rows.find(u.ID, u.Username); ok {
			return Match{s.rows.target(i), i}, true
		}
	}
	for i := range s.Selectors {
		if s.Selectors[i].matches(u) {
			return Match{s.Selectors[i].To, -1}, true
		}
	}
	return Match{}, false
}

// Merge combines sets: rows of all sets (a user may have one row in total),
// then the selectors of each set in order. When one set has every row (the
// usual case: one targets CSV and a preset), the result shares them
// rather than copying a million.
func Merge(sets ...*Set) (*Set, error) {
	out := &Set{}
	var desc []string
	var withRows []*Set
	var rowBase []int // per set in withRows: its first source in out
	for _, s := range sets {
		if s == nil {
			continue
		}
		base := len(out.Sources)
		srcs := s.Sources
		if len(srcs) == 0 {
			srcs = []string{s.Describe}
		}
		out.Sources = append(out.Sources, srcs...)
		if s.rows.n > 0 {
			withRows, rowBase = append(withRows, s), append(rowBase, base)
		}
		for _, sel := range s.Selectors {
			sel.To.Source += base
			out.Selectors = append(out.Selectors, sel)
		}
		desc = append(desc, s.Describe)
	}
	out.Describe = strings.Join(desc, " + ")
	if out.Describe == "" {
		out.Describe = "none"
	}
	switch len(withRows) {
	case 0:
	case 1:
		out.rows = withRows[0].rows.shifted(rowBase[0])
	default:
		for i, s := range withRows {
			if err := out.rows.addFrom(&s.rows, rowBase[i]); err != nil {
				return nil, err
			}
		}
		if err := out.rows.index(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

//go:embed presets/*.yaml
var presetFS embed.FS

// Presets lists the built-in preset names.
func Presets() []string {
	ents, _ := presetFS.ReadDir("presets")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// Preset returns a built-in preset. lic is the license catalog (see
// ParseYAML).
func Preset(name string, lic Licenses) (*Set, error) {
	data, err := presetFS.ReadFile("presets/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("unknown preset %q (built-in presets: %s)", name, strings.Join(Presets(), ", "))
	}
	s, err := ParseYAML("preset "+name, data, lic)
	if err != nil {
		return nil, err
	}
	s.Describe = "preset " + name
	s.Sources = []string{s.Describe}
	return s, nil
}
