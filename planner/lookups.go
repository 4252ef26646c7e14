package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/targets"
)

// Stage 1, Resolve (part two): what a user's license, target and profile
// resolve to. Every answer here depends only on the snapshot's licenses
// and profiles, the catalog and the targets, never on the user being
// decided, so each is worked out once and remembered. The caching is in
// this file and targetmemo.go alone; a reader can take each method as the
// plain lookup its comment describes.
type lookups struct {
	table *rules.Table
	snap  *org.Snapshot
	// byName: raw license name -> catalog entry (nil when unknown); last*
	// is the name asked for last and its answer.
	byName   map[string]*rules.License
	lastName string
	last     *rules.License
	profiles map[string]*org.Profile // lower-case name -> profile
	// defProfile is the profile used when a target names none, per license.
	defProfile map[*rules.License]string
	userLic    map[*rules.License]*org.UserLicense
	targets    targetMemo
}

func newLookups(snap *org.Snapshot, table *rules.Table, tg *targets.Set) *lookups {
	lk := &lookups{
		table: table, snap: snap,
		byName:     map[string]*rules.License{},
		profiles:   make(map[string]*org.Profile, len(snap.Profiles)),
		defProfile: map[*rules.License]string{},
		userLic:    map[*rules.License]*org.UserLicense{},
		targets:    targetMemo{set: tg, cat: table.Catalog},
	}
	for i := range snap.Licenses {
		ul := &snap.Licenses[i]
		if l := lk.license(ul.Name); l != nil {
			lk.userLic[l] = ul
		}
	}
	for i := range snap.Profiles {
		p := &snap.Profiles[i]
		lk.profiles[strings.ToLower(p.Name)] = p
	}
	lk.pickDefaultProfiles()
	return lk
}

// license resolves an org license name to the catalog, by name or alias and
// then by the LicenseDefinitionKey UserLicense.csv gives for that name. It
// returns nil for a license the catalog does not know.
func (lk *lookups) license(name string) *rules.License {
	// Users come grouped by license more often than not, and the reader
	// shares one string per value, so comparing with the last name is
	// cheaper than a map lookup.
	if name == lk.lastName && name != "" {
		return lk.last
	}
	l, ok := lk.byName[name]
	if !ok {
		l = lk.resolveLicense(name)
		lk.byName[name] = l
	}
	lk.lastName, lk.last = name, l
	return l
}

func (lk *lookups) resolveLicense(name string) *rules.License {
	if l, ok := lk.table.Catalog.Lookup(name); ok {
		return l
	}
	for _, ul := range lk.snap.Licenses {
		if strings.EqualFold(ul.Name, name) {
			if k, ok := lk.table.Catalog.LookupKey(ul.LicenseDefinitionKey); ok {
				return k
			}
			break
		}
	}
	return nil
}

// orgLicense returns the UserLicense row (the seat counts) of a license, or
// nil when the org reported none.
func (lk *lookups) orgLicense(name string) *org.UserLicense {
	if l := lk.license(name); l != nil {
		return lk.userLic[l]
	}
	for i := range lk.snap.Licenses {
		if strings.EqualFold(lk.snap.Licenses[i].Name, name) {
			return &lk.snap.Licenses[i]
		}
	}
	return nil
}

// pickDefaultProfiles chooses, per license, the profile used when a target
// names none: the standard "<License> User" profile if the org has it, else
// the profile named like the license, else the first by name.
func (lk *lookups) pickDefaultProfiles() {
	byLic := map[*rules.License][]string{}
	for _, p := range lk.snap.Profiles {
		if l := lk.license(p.License); l != nil {
			byLic[l] = append(byLic[l], p.Name)
		}
	}
	for l, names := range byLic {
		slices.Sort(names)
		best := names[0]
		for _, n := range names {
			if strings.EqualFold(n, l.Name+" User") {
				best = n
				break
			}
			if strings.EqualFold(n, l.Name) {
				best = n
			}
		}
		lk.defProfile[l] = best
	}
}

// profileID returns the Id of the profile named name (any case), or ""
// when Profile.csv does not list it.
func (lk *lookups) profileID(name string) string {
	if p := lk.profiles[strings.ToLower(name)]; p != nil {
		return p.ID
	}
	return ""
}

// targetProfile chooses the profile for a user moving to license to whose
// target names profile given ("" for none), with a warning when that
// profile is missing or belongs to another license.
func (lk *lookups) targetProfile(given string, to *rules.License) (string, *Warning) {
	if given == "" {
		if p, ok := lk.defProfile[to]; ok {
			return p, nil
		}
		return "", &Warning{Code: rules.NoTargetProfile, License: to.Name, Message: fmt.Sprintf(
			"No profile of license \"%s\" is known (Profile.csv): create one, then name it as the target profile.", to.Name)}
	}
	if !lk.snap.Has.Profiles {
		return given, nil
	}
	p, ok := lk.profiles[strings.ToLower(given)]
	if !ok {
		return given, &Warning{Code: rules.NoTargetProfile, License: to.Name, Message: fmt.Sprintf(
			"Target profile \"%s\" is not in Profile.csv: check the name, or create the profile with license \"%s\".", given, to.Name)}
	}
	if l := lk.license(p.License); l != to {
		return p.Name, &Warning{Code: rules.TargetProfileMismatch, License: to.Name, Message: fmt.Sprintf(
			"Target profile \"%s\" belongs to license \"%s\", not \"%s\": Salesforce sets the license from the profile, so choose a profile of \"%s\".", p.Name, p.License, to.Name, to.Name)}
	}
	return p.Name, nil
}
