package org

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
)

// ReadSnapshot reads the snapshot files at the root of fsys. label is how the
// folder is named in error messages (e.g. the --input path, or "demo").
//
// User.csv is required; the other files of Queries are optional. File names
// match ignoring case when no file has the exact name. In every file the
// header names columns by SOQL field path, ignoring case; column order is
// free and unknown columns are ignored. Booleans are true or false in any
// case, a blank value is null, and a UTF-8 byte order mark is skipped.
//
// An optional file with no header line at all is read as present and empty:
// sf data query writes a bare line break when a query returns no records.
//
// Bad input gives an *InputError naming the file, line and column.
//
// User.csv is read while a second goroutine reads the optional files, so
// fsys must allow two files to be open and read at once (os.DirFS,
// embed.FS and fstest.MapFS do). Errors are reported as if the files were
// read one after the other: User.csv's first, then the optional files' in
// the order of Queries.
func ReadSnapshot(ctx context.Context, fsys fs.FS, label string) (*Snapshot, error) {
	d := openDir(fsys, label)
	s := &Snapshot{}
	accts := &accountSet{}

	c, err := d.open(ctx, &userFile)
	if err != nil {
		if errors.Is(err, errNoHeader) {
			return nil, &InputError{File: d.path(userFile.name), Err: fmt.Errorf(
				"%w: expected a header line of SOQL field names (Id, Username, Profile.UserLicense.Name, ...)",
				ErrEmptyFile)}
		}
		return nil, err
	}
	if c == nil {
		return nil, &InputError{File: d.path(userFile.name), Err: fmt.Errorf(
			"%w; run \"licenseplan query\" to print the sf commands that export a snapshot", ErrMissingFile)}
	}
	s.Files = append(s.Files, userFile.name)

	// The optional files are read in a second goroutine while User.csv is
	// read here, into their own Snapshot; the two are joined at the end.
	// Errors are reported as if the files were read one after the other:
	// User.csv's first, then the optional files' in order.
	opt := &Snapshot{}
	optAccts := &accountSet{}
	optErr := make(chan error, 1)
	optCtx, stop := context.WithCancel(ctx)
	defer stop()
	if d.holdsAny(optionalFiles) {
		go func() { optErr <- readOptional(optCtx, d, opt, optAccts) }()
	} else {
		optErr <- nil
	}
	err = readUsers(c, s, accts)
	c.Close()
	if err != nil {
		stop() // the optional files' error no longer matters
		<-optErr
		return nil, err
	}
	oerr := <-optErr
	if oerr != nil {
		return nil, oerr
	}
	s.Organization = opt.Organization
	s.Roles, s.Licenses, s.Profiles = opt.Roles, opt.Licenses, opt.Profiles
	s.PermissionSets, s.ObjectPermissions, s.PermissionSetLicenses = opt.PermissionSets, opt.ObjectPermissions, opt.PermissionSetLicenses
	s.Files = append(s.Files, opt.Files...)
	h := opt.Has
	h.UserType, h.IsActive = s.Has.UserType, s.Has.IsActive
	h.AccountIsPartner = h.AccountIsPartner || s.Has.AccountIsPartner
	s.Has = h
	accts.listed = optAccts.listed
	s.Accounts = accts.merge(s.Users)
	if s.Counted, err = readCounts(d); err != nil {
		return nil, err
	}
	return s, nil
}

// optionalFiles are the snapshot files besides User.csv, in read order.
var optionalFiles = []*fileSpec{&accountFile, &roleFile, &licenseFile, &profileFile, &psAssignFile, &objectPermFile, &pslAssignFile, &orgFile}

// readOptional reads the optional files of the snapshot in d into s (and
// Account.csv into accts), stopping at the first error.
func readOptional(ctx context.Context, d *dir, s *Snapshot, accts *accountSet) error {
	read := map[*fileSpec]struct {
		has  *bool
		read func(c *csvFile) error
	}{
		&accountFile: {&s.Has.Accounts, func(c *csvFile) error { return readAccounts(c, s, accts) }},
		&roleFile:    {&s.Has.Roles, func(c *csvFile) (err error) { s.Roles, err = readRoles(c); return }},
		&licenseFile: {&s.Has.Licenses, func(c *csvFile) (err error) { s.Licenses, err = readLicenses(c); return }},
		&profileFile: {&s.Has.Profiles, func(c *csvFile) (err error) { s.Profiles, err = readProfiles(c); return }},
		&psAssignFile: {&s.Has.PermissionSets, func(c *csvFile) (err error) {
			s.PermissionSets, err = readPermissionSets(c, s)
			return
		}},
		&objectPermFile: {&s.Has.ObjectPermissions, func(c *csvFile) (err error) {
			s.ObjectPermissions, err = readObjectPermissions(c)
			return
		}},
		&pslAssignFile: {&s.Has.PermissionSetLicenses, func(c *csvFile) (err error) {
			s.PermissionSetLicenses, err = readPermissionSetLicenses(c, s)
			return
		}},
		&orgFile: {&s.Has.Organization, func(c *csvFile) (err error) { s.Organization, err = readOrganization(c); return }},
	}
	for _, spec := range optionalFiles {
		o := read[spec]
		c, err := d.open(ctx, spec)
		if errors.Is(err, errNoHeader) {
			*o.has = true
			s.Files = append(s.Files, spec.name)
			continue
		}
		if err != nil {
			return err
		}
		if c == nil {
			continue
		}
		*o.has = true
		s.Files = append(s.Files, spec.name)
		err = o.read(c)
		c.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// dir finds snapshot files in fsys. It lists the folder once so that a file
// whose name differs only in case (user.csv) is found too.
type dir struct {
	fsys  fs.FS
	label string
	names []string // file names at the root; nil when the listing failed
}

func openDir(fsys fs.FS, label string) *dir {
	d := &dir{fsys: fsys, label: label}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		// Fall back to opening exact names: fs.Open reports what is missing.
		return d
	}
	d.names = make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() {
			d.names = append(d.names, e.Name())
		}
	}
	return d
}

// path names file name of the snapshot for messages.
func (d *dir) path(name string) string {
	if d.label == "" {
		return name
	}
	return filepath.Join(d.label, name)
}

// find returns the name under which the snapshot holds the file called
// name, or "" when it does not hold it.
func (d *dir) find(name string) (string, error) {
	if d.names == nil {
		return name, nil
	}
	var found []string
	for _, n := range d.names {
		if n == name {
			return n, nil
		}
		if strings.EqualFold(n, name) {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", &InputError{File: d.path(name), Err: fmt.Errorf(
		"several files match %s ignoring case: %s; keep one", name, strings.Join(found, ", "))}
}

// holdsAny reports whether the snapshot may hold any of the files of specs
// (always true when the folder could not be listed).
func (d *dir) holdsAny(specs []*fileSpec) bool {
	if d.names == nil {
		return true
	}
	for _, spec := range specs {
		if name, err := d.find(spec.name); name != "" || err != nil {
			return true
		}
	}
	return false
}

// open opens the file of spec. It returns nil, nil when the snapshot does
// not hold the file and errNoHeader when the file has no header line.
func (d *dir) open(ctx context.Context, spec *fileSpec) (*csvFile, error) {
	if err := checkCtx(ctx, d.path(spec.name)); err != nil {
		return nil, err
	}
	name, err := d.find(spec.name)
	if err != nil || name == "" {
		return nil, err
	}
	c, err := openCSV(ctx, d.fsys, name, d.path(name), spec)
	if err != nil && errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return c, err
}

// accountSet gathers accounts from User.csv and Account.csv.
type accountSet struct {
	// derived are the accounts named by User.csv, in first-seen order. Each
	// column takes its value from the first user with a non-blank one;
	// the references are user indexes, so the slice holds no pointers and
	// grows cheaply while the big user slice is being filled.
	derived []accountRef
	byID    map[string]int32 // index in derived by account Id
	lastID  string           // account of the last user seen
	last    int32            // its index in derived
	// listed are the rows of Account.csv.
	listed []Account
}

// accountRef locates an account's values in the user slice: the index of
// the user that names it and of the first users with a name, a partner
// flag and an owner, or -1.
type accountRef struct {
	id, name, partner, owner int32
}

// fromUser records the account of users[i], which has an AccountID.
func (a *accountSet) fromUser(users []User, i int) {
	u := &users[i]
	ui := int32(i)
	// Users of one account tend to come together.
	if u.AccountID != a.lastID {
		if a.byID == nil {
			a.byID = make(map[string]int32)
		}
		k, ok := a.byID[u.AccountID]
		if !ok {
			k = int32(len(a.derived))
			a.byID[u.AccountID] = k
			a.derived = append(a.derived, accountRef{id: ui, name: -1, partner: -1, owner: -1})
		}
		a.lastID, a.last = u.AccountID, k
	}
	r := &a.derived[a.last]
	if r.name < 0 && u.AccountName != "" {
		r.name = ui
	}
	if r.partner < 0 && u.AccountIsPartner != Unknown {
		r.partner = ui
	}
	if r.owner < 0 && u.AccountOwnerID != "" {
		r.owner = ui
	}
}

// account builds the account that r describes.
func (r accountRef) account(users []User) Account {
	a := Account{ID: users[r.id].AccountID, FromUserCSV: true}
	if r.name >= 0 {
		a.Name = users[r.name].AccountName
	}
	if r.partner >= 0 {
		a.IsPartner = users[r.partner].AccountIsPartner
	}
	if r.owner >= 0 {
		a.OwnerID = users[r.owner].AccountOwnerID
	}
	return a
}

// merge returns Account.csv's accounts, their blanks filled from User.csv,
// plus the accounts known only from User.csv, sorted by Id.
func (a *accountSet) merge(users []User) []Account {
	used := make([]bool, len(a.derived))
	out := make([]Account, 0, len(a.listed)+len(a.derived))
	for _, acc := range a.listed {
		if k, ok := a.byID[acc.ID]; ok {
			d := a.derived[k].account(users)
			if acc.Name == "" {
				acc.Name = d.Name
			}
			if acc.IsPartner == Unknown {
				acc.IsPartner = d.IsPartner
			}
			if acc.OwnerID == "" {
				acc.OwnerID = d.OwnerID
			}
			used[k] = true
		}
		out = append(out, acc)
	}
	for k, r := range a.derived {
		if !used[k] {
			out = append(out, r.account(users))
		}
	}
	if len(out) == 0 {
		return nil
	}
	slices.SortFunc(out, func(x, y Account) int { return strings.Compare(x.ID, y.ID) })
	return out
}

func readAccounts(c *csvFile, s *Snapshot, accts *accountSet) error {
	s.Has.AccountIsPartner = s.Has.AccountIsPartner || c.has(aIsPartner)
	s.Has.AccountOwnerRole = c.has(aOwnerRoleID)
	var err error
	accts.listed, err = readRows(c, aID, func(a *Account) (err error) {
		a.ID = c.str(aID)
		a.Name = c.str(aName)
		a.OwnerID = c.str(aOwnerID)
		if c.has(aOwnerRoleID) {
			a.OwnerRoleID = c.str(aOwnerRoleID)
			a.OwnerHasRole = TriOf(a.OwnerRoleID != "")
		}
		if a.IsPartner, err = c.tri(aIsPartner); err != nil {
			return err
		}
		a.IsCustomerPortal, err = c.tri(aIsCustomerPortal)
		return err
	})
	return err
}

func readRoles(c *csvFile) ([]Role, error) {
	return readRows(c, rID, func(r *Role) error {
		r.ID = c.str(rID)
		r.Name = c.str(rName)
		r.PortalType = c.str(rPortalType)
		r.PortalRole = c.str(rPortalRole)
		r.PortalAccountID = c.str(rPortalAccountID)
		return nil
	})
}

func readLicenses(c *csvFile) ([]UserLicense, error) {
	return readRows(c, lID, func(l *UserLicense) (err error) {
		l.ID = c.str(lID)
		l.Name = c.str(lName)
		l.LicenseDefinitionKey = c.str(lKey)
		l.Status = c.str(lStatus)
		if l.TotalLicenses, err = c.integer(lTotal); err != nil {
			return err
		}
		l.UsedLicenses, err = c.integer(lUsed)
		return err
	})
}

func readProfiles(c *csvFile) ([]Profile, error) {
	return readRows(c, pID, func(p *Profile) error {
		p.ID = c.str(pID)
		p.Name = c.str(pName)
		p.License = c.str(pLicense)
		return nil
	})
}

// readPermissionSets reads the assignments, often the second largest file.
// Its values repeat (a user's assignments are usually adjacent, and an org
// has few permission sets), so they are kept through an interner rather
// than the records' own strings, as in readUsers: the assignments then take
// about their file's size in memory instead of two and a half times it.
func readPermissionSets(c *csvFile, s *Snapshot) ([]PermissionSetAssignment, error) {
	s.Has.PermissionSetLicense = c.has(psaLicenseID)
	in := newInterner(psaCount, internChunk)
	return readRows(c, -1, func(p *PermissionSetAssignment) (err error) {
		p.AssigneeID = in.value(psaAssigneeID, c.str(psaAssigneeID))
		p.PermissionSetID = in.value(psaPermSetID, c.str(psaPermSetID))
		p.PermissionSetName = in.value(psaPermSetName, c.str(psaPermSetName))
		p.LicenseID = in.value(psaLicenseID, c.str(psaLicenseID))
		p.IsOwnedByProfile, err = c.tri(psaOwnedByProfile)
		return err
	})
}

func readObjectPermissions(c *csvFile) ([]ObjectPermission, error) {
	return readRows(c, -1, func(p *ObjectPermission) (err error) {
		p.ParentID = c.str(opParentID)
		p.SobjectType = c.str(opSobjectType)
		if p.ViewAllRecords, err = c.boolean(opViewAll); err != nil {
			return err
		}
		p.ModifyAllRecords, err = c.boolean(opModifyAll)
		return err
	})
}

func readPermissionSetLicenses(c *csvFile, s *Snapshot) ([]PermissionSetLicenseAssign, error) {
	s.Has.PermissionSetLicenseID = c.has(pslID)
	in := newInterner(pslCount, internChunk)
	return readRows(c, -1, func(p *PermissionSetLicenseAssign) error {
		p.AssigneeID = in.value(pslAssigneeID, c.str(pslAssigneeID))
		p.Label = in.value(pslLabel, c.str(pslLabel))
		p.ID = in.value(pslID, c.str(pslID))
		return nil
	})
}

func readOrganization(c *csvFile) (*Organization, error) {
	first := 0
	orgs, err := readRows(c, -1, func(o *Organization) (err error) {
		if first > 0 {
			return c.colError(oID, fmt.Errorf("more than one organization record (first on line %d)", first))
		}
		first = c.line()
		o.ID = c.str(oID)
		o.Name = c.str(oName)
		o.OrganizationType = c.str(oType)
		o.InstanceName = c.str(oInstance)
		o.IsSandbox, err = c.tri(oIsSandbox)
		return err
	})
	if err != nil || len(orgs) == 0 {
		return nil, err
	}
	return &orgs[0], nil
}

// readRows reads the records of c into a slice, calling parse for each.
// When key is a column, its values must be unique. An empty result is nil.
func readRows[T any](c *csvFile, key int, parse func(*T) error) ([]T, error) {
	rows := make([]T, 0, c.sizeHint)
	var seen map[string]int32
	if key >= 0 {
		seen = make(map[string]int32, c.sizeHint)
	}
	for {
		ok, err := c.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if seen != nil {
			id := c.str(key)
			if first, dup := seen[id]; dup {
				return nil, c.colError(key, fmt.Errorf("%w %q (first on line %d)", ErrDuplicateID, id, first))
			}
			seen[id] = int32(min(c.line(), 1<<31-1))
		}
		var zero T
		rows = append(rows, zero)
		if err := parse(&rows[len(rows)-1]); err != nil {
			return nil, err
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows, nil
}
