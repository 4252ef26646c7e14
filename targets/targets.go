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
// Username), then selectors in order; the first match wins.
type Set struct {
	Rows       []Row
	Selectors  []Selector
	byID       map[string]int
	byUsername map[string]int
	// Describe says where the set came from, for the plan's source.
	Describe string
	// Sources names each file or preset the set holds, in precedence
	// order ("targets t.csv", "preset experience-cloud"); Target.Source
	// indexes it, so a plan can say how many users each one matched.
	Sources []string
}

// Match is the result of a lookup.
type Match struct {
	Target
	// Row is the index into Set.Rows of the per-user row that matched, or
	// -1 when a selector matched.
	Row int
}

// Lookup returns the target for u, if any.
func (s *Set) Lookup(u UserRef) (Match, bool) {
	if s == nil {
		return Match{}, false
	}
	if len(s.byID) > 0 && u.ID != "" {
		if i, ok := s.byID[u.ID]; ok {
			return Match{s.Rows[i].Target, i}, true
		}
	}
	if len(s.byUsername) > 0 && u.Username != "" {
		if i, ok := s.byUsername[strings.ToLower(u.Username)]; ok {
			return Match{s.Rows[i].Target, i}, true
		}
	}
	for i := range s.Selectors {
		if s.Selectors[i].matches(u) {
			return Match{s.Selectors[i].To, -1}, true
		}
	}
	return Match{}, false
}

func (s *Set) index() error {
	// Sized up front: growing a map of a million keys rehashes it many
	// times over.
	ids, usernames := 0, 0
	for i := range s.Rows {
		if s.Rows[i].UserID != "" {
			ids++
		}
		if s.Rows[i].Username != "" {
			usernames++
		}
	}
	s.byID, s.byUsername = make(map[string]int, ids), make(map[string]int, usernames)
	for i, r := range s.Rows {
		if r.UserID != "" {
			if j, dup := s.byID[r.UserID]; dup {
				return fmt.Errorf("%s: user Id %s already has a target at %s", r.Origin, r.UserID, s.Rows[j].Origin)
			}
			s.byID[r.UserID] = i
		}
		if r.Username != "" {
			k := strings.ToLower(r.Username)
			if j, dup := s.byUsername[k]; dup {
				return fmt.Errorf("%s: username %s already has a target at %s", r.Origin, r.Username, s.Rows[j].Origin)
			}
			s.byUsername[k] = i
		}
	}
	return nil
}

// Merge combines sets: rows of all sets (a user may have one row in total),
// then the selectors of each set in order. The sets must not change
// afterwards: when one set holds every row (the usual case: one targets
// CSV and a preset), the result shares its rows and index rather than
// copying a million of them.
func Merge(sets ...*Set) (*Set, error) {
	out := &Set{}
	var desc []string
	var withRows []*Set
	for _, s := range sets {
		if s == nil {
			continue
		}
		if len(s.Rows) > 0 {
			withRows = append(withRows, s)
		}
		base := len(out.Sources)
		srcs := s.Sources
		if len(srcs) == 0 {
			srcs = []string{s.Describe}
		}
		out.Sources = append(out.Sources, srcs...)
		switch {
		case base == 0 && len(out.Rows) == 0:
			out.Rows = slices.Clip(s.Rows) // nothing to renumber
		case len(s.Rows) > 0:
			out.Rows = slices.Grow(out.Rows, len(s.Rows))
			for _, r := range s.Rows {
				r.Source += base
				out.Rows = append(out.Rows, r)
			}
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
	if len(withRows) == 1 && withRows[0].byID != nil && len(withRows[0].Rows) == len(out.Rows) {
		// The rows are the one set's, at the same indexes.
		out.byID, out.byUsername = withRows[0].byID, withRows[0].byUsername
		return out, nil
	}
	return out, out.index()
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
