package org

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/licenseplan/licenseplan/internal/atomicfile"
)

// WriteSnapshot writes s as snapshot CSV files into dir (created if missing),
// one file per non-empty part plus User.csv, with the headers from Queries,
// so that ReadSnapshot(os.DirFS(dir)) gives back an equal Snapshot.
//
// To keep that promise for snapshots that were read from partial exports:
//   - an optional file is also written, header only, when s.Has says the
//     snapshot held it, and Organization.csv when s.Organization is set;
//   - the optional columns that Presence tracks (IsActive, UserType,
//     Account.IsPartner, Owner.UserRoleId) are left out when s.Has says they
//     were absent and no record has a value for them;
//   - accounts with FromUserCSV are not written to Account.csv: User.csv's
//     AccountId and Account.* columns carry them.
//
// Values are written raw (no formula neutralising); encoding/csv quotes them
// as needed. Snapshot files already in dir that s does not fill are removed,
// so the folder never mixes two exports; other files are left alone. Each
// file is written to a temporary file and renamed into place; files are
// created with mode 0600, as they hold user data.
//
// What the format cannot carry: User.Line (it becomes the written line), an
// Account.OwnerHasRole that disagrees with OwnerRoleID (it is read back from
// OwnerRoleID), and "\r\n" inside a value (encoding/csv reads it as "\n").
func WriteSnapshot(ctx context.Context, dir string, s *Snapshot) error {
	if s == nil {
		return errors.New("WriteSnapshot: nil snapshot")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating snapshot folder: %w", err)
	}
	w := &snapshotWriter{ctx: ctx, dir: dir, s: s}
	return w.write()
}

type snapshotWriter struct {
	ctx     context.Context
	dir     string
	s       *Snapshot
	written map[string]bool
}

// snapshotFile is one file a snapshot may be written as.
type snapshotFile struct {
	spec *fileSpec
	// keep: the snapshot holds this file (it was read, or has records).
	keep bool
	// skip holds the spec columns to leave out.
	skip map[int]bool
	// n is the number of records; fill sets record i's values, indexed by
	// spec column.
	n    int
	fill func(i int, rec []string)
}

func (w *snapshotWriter) write() error {
	w.written = make(map[string]bool, len(Queries))
	for _, f := range w.files() {
		if !f.keep {
			continue
		}
		if err := w.file(f); err != nil {
			return err
		}
	}
	if err := w.removeStale(); err != nil {
		return err
	}
	return writeCounts(w.ctx, w.dir, w.s, w.written)
}

// files lists every file of the snapshot, in the order they are written:
// adding a snapshot file is one entry here.
func (w *snapshotWriter) files() []snapshotFile {
	s := w.s
	listed := listedAccounts(s)
	partner, ownerRole := accountColumns(s, listed)
	orgs := 0
	if s.Organization != nil {
		orgs = 1
	}
	return []snapshotFile{{
		spec: &userFile, keep: true, skip: userSkip(s, partner), n: len(s.Users),
		fill: func(i int, rec []string) {
			u := &s.Users[i]
			rec[uID] = u.ID
			rec[uUsername] = u.Username
			rec[uName] = u.Name
			rec[uIsActive] = u.IsActive.String()
			rec[uUserType] = u.UserType
			rec[uProfileID] = u.ProfileID
			rec[uProfileName] = u.ProfileName
			rec[uLicense] = u.License
			rec[uRoleID] = u.RoleID
			rec[uRoleName] = u.RoleName
			rec[uRolePortalType] = u.RolePortalType
			rec[uRolePortalRole] = u.RolePortalRole
			rec[uContactID] = u.ContactID
			rec[uAccountID] = u.AccountID
			rec[uAccountName] = u.AccountName
			rec[uAccountIsPartner] = u.AccountIsPartner.String()
			rec[uAccountOwnerID] = u.AccountOwnerID
			rec[uIsPortalEnabled] = u.IsPortalEnabled.String()
			v := u.New.Values()
			copy(rec[uNewUserFields:], v[:])
		},
	}, {
		spec: &accountFile, keep: s.Has.Accounts || len(listed) > 0, n: len(listed),
		skip: map[int]bool{aIsPartner: !partner, aOwnerRoleID: !ownerRole},
		fill: func(i int, rec []string) {
			a := &listed[i]
			rec[aID] = a.ID
			rec[aName] = a.Name
			rec[aIsPartner] = a.IsPartner.String()
			rec[aIsCustomerPortal] = a.IsCustomerPortal.String()
			rec[aOwnerID] = a.OwnerID
			rec[aOwnerRoleID] = a.OwnerRoleID
		},
	}, {
		spec: &roleFile, keep: s.Has.Roles || len(s.Roles) > 0, n: len(s.Roles),
		fill: func(i int, rec []string) {
			r := &s.Roles[i]
			rec[rID] = r.ID
			rec[rName] = r.Name
			rec[rPortalType] = r.PortalType
			rec[rPortalRole] = r.PortalRole
			rec[rPortalAccountID] = r.PortalAccountID
		},
	}, {
		spec: &licenseFile, keep: s.Has.Licenses || len(s.Licenses) > 0, n: len(s.Licenses),
		fill: func(i int, rec []string) {
			l := &s.Licenses[i]
			rec[lID] = l.ID
			rec[lName] = l.Name
			rec[lKey] = l.LicenseDefinitionKey
			rec[lStatus] = l.Status
			rec[lTotal] = formatCount(l.TotalLicenses)
			rec[lUsed] = formatCount(l.UsedLicenses)
		},
	}, {
		spec: &profileFile, keep: s.Has.Profiles || len(s.Profiles) > 0, n: len(s.Profiles),
		fill: func(i int, rec []string) {
			p := &s.Profiles[i]
			rec[pID] = p.ID
			rec[pName] = p.Name
			rec[pLicense] = p.License
		},
	}, {
		spec: &psAssignFile, keep: s.Has.PermissionSets || len(s.PermissionSets) > 0, n: len(s.PermissionSets),
		skip: map[int]bool{psaLicenseID: !s.Has.PermissionSetLicense && !slices.ContainsFunc(s.PermissionSets, func(p PermissionSetAssignment) bool { return p.LicenseID != "" })},
		fill: func(i int, rec []string) {
			p := &s.PermissionSets[i]
			rec[psaAssigneeID] = p.AssigneeID
			rec[psaPermSetID] = p.PermissionSetID
			rec[psaPermSetName] = p.PermissionSetName
			rec[psaOwnedByProfile] = p.IsOwnedByProfile.String()
			rec[psaLicenseID] = p.LicenseID
		},
	}, {
		spec: &objectPermFile, keep: s.Has.ObjectPermissions || len(s.ObjectPermissions) > 0, n: len(s.ObjectPermissions),
		fill: func(i int, rec []string) {
			p := &s.ObjectPermissions[i]
			rec[opParentID] = p.ParentID
			rec[opSobjectType] = p.SobjectType
			rec[opViewAll] = strconv.FormatBool(p.ViewAllRecords)
			rec[opModifyAll] = strconv.FormatBool(p.ModifyAllRecords)
		},
	}, {
		spec: &pslAssignFile, keep: s.Has.PermissionSetLicenses || len(s.PermissionSetLicenses) > 0, n: len(s.PermissionSetLicenses),
		skip: map[int]bool{pslID: !s.Has.PermissionSetLicenseID && !slices.ContainsFunc(s.PermissionSetLicenses, func(p PermissionSetLicenseAssign) bool { return p.ID != "" })},
		fill: func(i int, rec []string) {
			p := &s.PermissionSetLicenses[i]
			rec[pslAssigneeID] = p.AssigneeID
			rec[pslLabel] = p.Label
			rec[pslID] = p.ID
		},
	}, {
		spec: &orgFile, keep: s.Has.Organization || s.Organization != nil, n: orgs,
		fill: func(_ int, rec []string) {
			o := s.Organization
			rec[oID] = o.ID
			rec[oName] = o.Name
			rec[oType] = o.OrganizationType
			rec[oIsSandbox] = o.IsSandbox.String()
			rec[oInstance] = o.InstanceName
		},
	}}
}

// listedAccounts is the accounts Account.csv lists: those not known only
// from User.csv.
func listedAccounts(s *Snapshot) []Account {
	var listed []Account
	for _, a := range s.Accounts {
		if !a.FromUserCSV {
			listed = append(listed, a)
		}
	}
	return listed
}

// accountColumns reports whether the optional Account columns are written:
// IsPartner (also User.csv's Account.IsPartner) and Owner.UserRoleId, each
// when the snapshot had it or a record has a value for it.
func accountColumns(s *Snapshot, listed []Account) (partner, ownerRole bool) {
	partner = s.Has.AccountIsPartner
	for i := range s.Users {
		partner = partner || s.Users[i].AccountIsPartner.Known()
	}
	ownerRole = s.Has.AccountOwnerRole
	for _, a := range listed {
		partner = partner || a.IsPartner.Known()
		ownerRole = ownerRole || a.OwnerRoleID != "" || a.OwnerHasRole.Known()
	}
	return partner, ownerRole
}

// userSkip is the optional User.csv columns left out: those the snapshot
// did not have and no user has a value for.
func userSkip(s *Snapshot, partner bool) map[int]bool {
	skip := map[int]bool{uIsActive: !s.Has.IsActive, uUserType: !s.Has.UserType, uAccountIsPartner: !partner}
	for f, had := range s.Has.NewUserFields {
		skip[uNewUserFields+f] = !had
	}
	for i := range s.Users {
		u := &s.Users[i]
		skip[uIsActive] = skip[uIsActive] && !u.IsActive.Known()
		skip[uUserType] = skip[uUserType] && u.UserType == ""
		for f, v := range u.New.Values() {
			skip[uNewUserFields+f] = skip[uNewUserFields+f] && v == ""
		}
	}
	return skip
}

// formatCount writes a license count; -1 (unknown) is blank.
func formatCount(n int) string {
	if n == -1 {
		return ""
	}
	return strconv.Itoa(n)
}

// file writes f's records, leaving out the columns in f.skip.
func (w *snapshotWriter) file(f snapshotFile) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	cols := make([]int, 0, len(f.spec.cols))
	header := make([]string, 0, len(f.spec.cols))
	for j, c := range f.spec.cols {
		if !f.skip[j] {
			cols = append(cols, j)
			header = append(header, c.name)
		}
	}
	path := filepath.Join(w.dir, f.spec.name)
	err := atomicfile.Write(w.ctx, path, 0o600, func(bw io.Writer) error {
		cw := csv.NewWriter(bw)
		if err := cw.Write(header); err != nil {
			return err
		}
		full := make([]string, len(f.spec.cols))
		out := make([]string, len(cols))
		for i := range f.n {
			if i&(ctxCheckEvery-1) == ctxCheckEvery-1 {
				if err := w.ctx.Err(); err != nil {
					return err
				}
			}
			f.fill(i, full)
			for k, j := range cols {
				out[k] = full[j]
			}
			if err := cw.Write(out); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	w.written[f.spec.name] = true
	return nil
}

// removeStale removes the snapshot files in dir, under any case, that this
// write did not produce, so ReadSnapshot does not pick up an older export.
func (w *snapshotWriter) removeStale() error {
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		return fmt.Errorf("listing %s: %w", w.dir, err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		for _, q := range Queries {
			if w.written[e.Name()] || !strings.EqualFold(e.Name(), q.File) {
				continue
			}
			err := os.Remove(filepath.Join(w.dir, e.Name()))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("removing stale %s: %w", filepath.Join(w.dir, e.Name()), err)
			}
		}
	}
	return nil
}
