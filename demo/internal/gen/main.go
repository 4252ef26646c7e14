// Command gen writes the built-in demo org: the snapshot CSV files under
// demo/snapshot and the per-user targets in demo/targets.csv. The output is
// deterministic; demo's tests regenerate it and compare it with the files
// checked in.
//
//	go run ./demo/internal/gen -out demo/snapshot
//
// The content is curated in data.go.
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stderr))
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	fl := flag.NewFlagSet("gen", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("out", filepath.Join("demo", "snapshot"), "snapshot `folder` to write")
	targets := fl.String("targets", "", "targets CSV `file` to write (default: targets.csv beside the snapshot folder)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "gen: unexpected arguments %q\n", fl.Args())
		return 2
	}
	if *targets == "" {
		*targets = filepath.Join(filepath.Dir(filepath.Clean(*out)), "targets.csv")
	}
	if err := generate(ctx, *out, *targets); err != nil {
		fmt.Fprintln(stderr, "gen:", err)
		return 1
	}
	return 0
}

// generate writes the demo snapshot into dir and the targets CSV to
// targetsPath.
func generate(ctx context.Context, dir, targetsPath string) error {
	s, targets, err := build()
	if err != nil {
		return err
	}
	if err := org.WriteSnapshot(ctx, dir, s); err != nil {
		return err
	}
	// WriteSnapshot keeps files private (0600), as they usually hold user
	// data; the demo is public and checked in.
	for _, q := range org.Queries {
		err := os.Chmod(filepath.Join(dir, q.File), 0o644)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.WriteFile(targetsPath, targets, 0o644); err != nil {
		return fmt.Errorf("writing targets: %w", err)
	}
	return nil
}

const (
	// pod is the instance part of every demo Id.
	pod = "Dn"
	// sandboxSuffix is appended to every username, as Salesforce does
	// when it copies users into a sandbox.
	sandboxSuffix = ".uat"
)

// ids hands out deterministic, increasing Ids per key prefix.
type ids map[string]uint64

func (m ids) next(prefix string) string {
	n, ok := m[prefix]
	if !ok {
		// Start where a few years of records would have taken the
		// counter: "0000Ab..." style Ids.
		n = 62*62*62*62*37 + uint64(len(m))*62*62*62*5
	}
	m[prefix] = n + 1
	return string(orggen.AppendID(nil, prefix, pod, n))
}

// build turns the tables of data.go into a snapshot and the targets CSV.
func build() (*org.Snapshot, []byte, error) {
	b := &builder{
		ids:      ids{},
		s:        &org.Snapshot{},
		profiles: map[string]*org.Profile{},
		std:      map[string]string{},
		permSets: map[string]string{},
		users:    map[string]*org.User{},
		seen:     map[string]bool{},
	}
	return b.build()
}

type builder struct {
	ids      ids
	s        *org.Snapshot
	profiles map[string]*org.Profile // by name
	std      map[string]string       // license name -> its standard profile
	profPS   map[string]string       // profile Id -> profile-owned permission set Id
	permSets map[string]string       // custom permission set name -> Id
	roles    map[string]*org.Role    // internal role name -> role
	users    map[string]*org.User    // internal user name -> user (for owners)
	seen     map[string]bool         // usernames
	targets  [][]string
	extra    []assignment // custom permission sets and PSLs, in user order
}

type assignment struct {
	userID   string
	permSets []string
	psls     []string
}

func (b *builder) build() (*org.Snapshot, []byte, error) {
	s := b.s
	s.Organization = &org.Organization{
		ID:               b.ids.next("00D"),
		Name:             "Acme Demo (Sandbox)",
		OrganizationType: "Enterprise Edition",
		IsSandbox:        org.True,
		InstanceName:     "CS201",
	}
	for _, l := range licenses {
		s.Licenses = append(s.Licenses, org.UserLicense{
			ID: b.ids.next("100"), Name: l.name, LicenseDefinitionKey: l.key, Status: "Active",
		})
	}
	s.Profiles = make([]org.Profile, 0, len(profiles))
	for _, p := range profiles {
		s.Profiles = append(s.Profiles, org.Profile{ID: b.ids.next("00e"), Name: p.name, License: p.license})
	}
	for i := range s.Profiles {
		p := &s.Profiles[i]
		if b.profiles[p.Name] != nil {
			return nil, nil, fmt.Errorf("profile %q listed twice", p.Name)
		}
		b.profiles[p.Name] = p
		if _, ok := b.std[p.License]; !ok && p.Name != pSysAdmin && p.Name != pPartnerAdm {
			b.std[p.License] = p.Name
		}
	}
	b.permissionSets()

	// Roles and users go into slices sized up front, so that pointers
	// into them stay valid.
	nRoles, nUsers := len(internalRoles), len(internalUsers)+2
	for _, a := range accounts {
		nRoles += a.custRoles + a.partRoles
		nUsers += len(a.users)
	}
	s.Roles = make([]org.Role, 0, nRoles)
	s.Users = make([]org.User, 0, nUsers)
	b.roles = map[string]*org.Role{}
	for _, name := range internalRoles {
		s.Roles = append(s.Roles, org.Role{ID: b.ids.next("00E"), Name: name, PortalType: org.PortalTypeNone})
		b.roles[name] = &s.Roles[len(s.Roles)-1]
	}

	// Internal users first: they own the accounts.
	for _, u := range internalUsers {
		ou, err := b.user(u, internalDomain, nil, nil)
		if err != nil {
			return nil, nil, err
		}
		b.users[u.name] = ou
	}

	type acctRoles struct{ cust, part []*org.Role }
	roles := make([]acctRoles, len(accounts))
	for i, a := range accounts {
		owner := b.users[a.owner]
		if owner == nil {
			return nil, nil, fmt.Errorf("account %q: owner %q is not an internal user", a.name, a.owner)
		}
		acc := org.Account{
			ID:               b.ids.next("001"),
			Name:             a.name,
			IsPartner:        org.TriOf(a.partner),
			IsCustomerPortal: org.False,
			OwnerID:          owner.ID,
			OwnerRoleID:      owner.RoleID,
			OwnerHasRole:     org.TriOf(owner.RoleID != ""),
		}
		for _, u := range a.users {
			if userType(u.license) == "CspLitePortal" || userType(u.license) == "PowerCustomerSuccess" {
				acc.IsCustomerPortal = org.True
			}
		}
		s.Accounts = append(s.Accounts, acc)
		for j := range a.custRoles {
			roles[i].cust = append(roles[i].cust, b.portalRole(acc, org.PortalTypeCustomer, "Customer", j))
		}
		for j := range a.partRoles {
			roles[i].part = append(roles[i].part, b.portalRole(acc, org.PortalTypePartner, "Partner", j))
		}
	}
	for i, a := range accounts {
		acc := &s.Accounts[i]
		for _, u := range a.users {
			var portal []*org.Role
			switch userType(u.license) {
			case "PowerCustomerSuccess":
				portal = roles[i].cust
			case "PowerPartner":
				portal = roles[i].part
			}
			if (userType(u.license) == "PowerCustomerSuccess" || userType(u.license) == "PowerPartner") && len(portal) == 0 {
				return nil, nil, fmt.Errorf("account %q: role-based user %q but no portal roles", a.name, u.name)
			}
			if _, err := b.user(u, a.domain, acc, portal); err != nil {
				return nil, nil, err
			}
		}
	}
	if _, err := b.user(contactlessUser, "", nil, nil); err != nil {
		return nil, nil, err
	}
	if _, err := b.user(guestUser, "", nil, nil); err != nil {
		return nil, nil, err
	}

	licenseID := map[string]string{}
	for _, l := range s.Licenses {
		licenseID[l.Name] = l.ID
	}
	psLicense := map[string]string{}
	for _, ps := range customPermSets {
		if ps.license != "" {
			if psLicense[ps.name] = licenseID[ps.license]; psLicense[ps.name] == "" {
				return nil, nil, fmt.Errorf("permission set %q: license %q has no UserLicense row", ps.name, ps.license)
			}
		}
	}
	pslID := map[string]string{}
	for _, a := range b.extra {
		for _, name := range a.permSets {
			id, ok := b.permSets[name]
			if !ok {
				return nil, nil, fmt.Errorf("unknown permission set %q", name)
			}
			s.PermissionSets = append(s.PermissionSets, org.PermissionSetAssignment{
				AssigneeID: a.userID, PermissionSetID: id, PermissionSetName: name, IsOwnedByProfile: org.False, LicenseID: psLicense[name],
			})
		}
		for _, label := range a.psls {
			if pslID[label] == "" {
				pslID[label] = b.ids.next("0PL")
			}
			s.PermissionSetLicenses = append(s.PermissionSetLicenses, org.PermissionSetLicenseAssign{AssigneeID: a.userID, Label: label, ID: pslID[label]})
		}
	}
	b.licenseCounts()
	s.Has = org.Presence{
		Accounts: true, Roles: true, Licenses: true, Profiles: true,
		PermissionSets: true, ObjectPermissions: true, PermissionSetLicenses: true,
		Organization: true, AccountIsPartner: true, AccountOwnerRole: true,
		UserType: true, IsActive: true, PermissionSetLicense: true, PermissionSetLicenseID: true,
	}

	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"Username", "TargetLicense", "TargetProfile"})
	w.WriteAll(b.targets)
	if err := w.Error(); err != nil {
		return nil, nil, err
	}
	return s, buf.Bytes(), nil
}

func (b *builder) permissionSets() {
	s := b.s
	b.profPS = map[string]string{}
	for i, p := range profiles {
		prof := &s.Profiles[i]
		id := b.ids.next("0PS")
		b.profPS[prof.ID] = id
		for _, op := range p.perms {
			s.ObjectPermissions = append(s.ObjectPermissions, org.ObjectPermission{
				ParentID: id, SobjectType: op.object, ViewAllRecords: op.viewAll, ModifyAllRecords: op.modifyAll,
			})
		}
	}
	for _, ps := range customPermSets {
		id := b.ids.next("0PS")
		b.permSets[ps.name] = id
		for _, op := range ps.perms {
			s.ObjectPermissions = append(s.ObjectPermissions, org.ObjectPermission{
				ParentID: id, SobjectType: op.object, ViewAllRecords: op.viewAll, ModifyAllRecords: op.modifyAll,
			})
		}
	} // The export query (org.Queries) keeps only rows that grant View All
	// or Modify All Records, so a real snapshot never holds the others;
	// neither does this one, and orgsim serves it back unchanged.
	s.ObjectPermissions = slices.DeleteFunc(s.ObjectPermissions, func(op org.ObjectPermission) bool {
		return !op.ViewAllRecords && !op.ModifyAllRecords
	})
}

// portalRole adds the level-th (0 = lowest) portal role of acc.
func (b *builder) portalRole(acc org.Account, portalType, kind string, level int) *org.Role {
	names := [...]string{"User", "Manager", "Executive"}
	portalRoles := [...]string{"Worker", "Manager", "Executive"}
	b.s.Roles = append(b.s.Roles, org.Role{
		ID:              b.ids.next("00E"),
		Name:            acc.Name + " " + kind + " " + names[level],
		PortalType:      portalType,
		PortalRole:      portalRoles[level],
		PortalAccountID: acc.ID,
	})
	return &b.s.Roles[len(b.s.Roles)-1]
}

// user adds u to the snapshot: on acc when acc is not nil, with one of the
// account's portal roles when portal is not empty.
func (b *builder) user(u user, domain string, acc *org.Account, portal []*org.Role) (*org.User, error) {
	typ := userType(u.license)
	if typ == "" {
		return nil, fmt.Errorf("user %q: license %q has no UserLicense row", u.name, u.license)
	}
	profName := u.profile
	if profName == "" {
		profName = b.std[u.license]
	}
	prof := b.profiles[profName]
	if prof == nil || prof.License != u.license {
		return nil, fmt.Errorf("user %q: no profile %q of license %q", u.name, profName, u.license)
	}
	username := u.username
	if username == "" {
		username = slug(u.name) + "@" + domain
	}
	username += sandboxSuffix
	if b.seen[username] {
		return nil, fmt.Errorf("duplicate username %s", username)
	}
	b.seen[username] = true

	b.s.Users = append(b.s.Users, org.User{
		ID:              b.ids.next("005"),
		Username:        username,
		Name:            u.name,
		IsActive:        org.TriOf(!u.inactive),
		UserType:        typ,
		ProfileID:       prof.ID,
		ProfileName:     prof.Name,
		License:         prof.License,
		IsPortalEnabled: org.TriOf(typ != "Standard" && typ != "CsnOnly" && typ != "Guest"),
	})
	ou := &b.s.Users[len(b.s.Users)-1]
	first, last, _ := strings.Cut(u.name, " ")
	nf := orggen.NewUserFields(first, last, username, len(b.s.Users)-1)
	// A sandbox copy appends ".invalid" to every user's email, so that
	// the sandbox sends no mail to real people.
	nf[org.NewUserEmail] = strings.TrimSuffix(username, sandboxSuffix) + ".invalid"
	var err error
	if ou.New, err = org.MakeNewUserFields(nf); err != nil {
		return nil, fmt.Errorf("user %q: %w", u.name, err)
	}
	switch {
	case u.role != "":
		r := b.roles[u.role]
		if r == nil {
			return nil, fmt.Errorf("user %q: unknown role %q", u.name, u.role)
		}
		setRole(ou, r)
	case len(portal) > 0:
		setRole(ou, portal[min(max(u.level, worker), len(portal))-1])
	}
	if acc != nil {
		ou.ContactID = b.ids.next("003")
		ou.AccountID, ou.AccountName, ou.AccountIsPartner, ou.AccountOwnerID = acc.ID, acc.Name, acc.IsPartner, acc.OwnerID
	}

	b.s.PermissionSets = append(b.s.PermissionSets, org.PermissionSetAssignment{
		AssigneeID: ou.ID, PermissionSetID: b.profPS[prof.ID], PermissionSetName: "X" + prof.ID[:15], IsOwnedByProfile: org.True,
	})
	if len(u.permSets) > 0 || len(u.psls) > 0 {
		b.extra = append(b.extra, assignment{userID: ou.ID, permSets: u.permSets, psls: u.psls})
	}
	if u.target != "" {
		b.targets = append(b.targets, []string{username, u.target, u.targetProfile})
	}
	return ou, nil
}

func setRole(u *org.User, r *org.Role) {
	u.RoleID, u.RoleName, u.RolePortalType, u.RolePortalRole = r.ID, r.Name, r.PortalType, r.PortalRole
}

// licenseCounts sets UsedLicenses to the active users of each license and
// TotalLicenses as the license table says.
func (b *builder) licenseCounts() {
	used := map[string]int{}
	for _, u := range b.s.Users {
		if u.IsActive.IsTrue() {
			used[u.License]++
		}
	}
	for i, l := range licenses {
		ul := &b.s.Licenses[i]
		ul.UsedLicenses = used[l.name]
		switch {
		case l.free > 0:
			ul.TotalLicenses = ul.UsedLicenses + l.free
		case l.total > 0:
			ul.TotalLicenses = l.total
		default:
			// Plenty: at least 20 free seats, rounded up to 10.
			ul.TotalLicenses = (ul.UsedLicenses + 20 + 9) / 10 * 10
		}
	}
}

func userType(license string) string {
	for _, l := range licenses {
		if l.name == license {
			return l.userType
		}
	}
	return ""
}

// slug makes "first.last" from a person's name: the first and last words,
// lower case, letters and digits only.
func slug(name string) string {
	words := strings.Fields(name)
	if len(words) == 0 {
		return "user"
	}
	keep := func(w string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
				return r
			case r >= 'A' && r <= 'Z':
				return r + 'a' - 'A'
			}
			return -1
		}, w)
	}
	first, last := keep(words[0]), keep(words[len(words)-1])
	if len(words) == 1 || last == "" {
		return first
	}
	return first + "." + last
}
