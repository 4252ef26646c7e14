package apply

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/sfclient"
)

// fakeOrg is an org in memory for apply's unit tests: writes change a
// snapshot with the few effects apply relies on (a disable deactivates the
// user and clears its contact; an insert makes a new active user; a
// role-based profile gives a role). It checks none of Salesforce's rules:
// orgsim does (see the rehearsal tests in cmd/licenseplan).
type fakeOrg struct {
	mu   sync.Mutex
	snap *org.Snapshot
	cat  *rules.Catalog
	// contactAccount maps a ContactId to its AccountId.
	contactAccount map[string]string
	nextID         int

	// Faults.
	lostEvery int            // every Nth write request commits, then its answer is lost
	locks     map[string]int // record key -> lock errors still to give
	refuse    map[string]sfclient.RecordError
	// cancelAfter cancels after that many write requests commit (a kill).
	cancelAfter int
	cancel      context.CancelFunc

	requests int
	sent     []sfclient.Record // every record sent, in order
	reads    int
}

func newFakeOrg(snap *org.Snapshot, cat *rules.Catalog) *fakeOrg {
	f := &fakeOrg{snap: snap, cat: cat, contactAccount: map[string]string{},
		locks: map[string]int{}, refuse: map[string]sfclient.RecordError{}}
	for _, u := range snap.Users {
		if u.ContactID != "" {
			f.contactAccount[u.ContactID] = u.AccountID
		}
	}
	return f
}

// clone copies the snapshot's slices that writes change.
func clone(s *org.Snapshot) *org.Snapshot {
	c := *s
	c.Users = slices.Clone(s.Users)
	c.Accounts = slices.Clone(s.Accounts)
	c.PermissionSets = slices.Clone(s.PermissionSets)
	c.PermissionSetLicenses = slices.Clone(s.PermissionSetLicenses)
	if s.Organization != nil {
		o := *s.Organization
		c.Organization = &o
	}
	return &c
}

func (f *fakeOrg) Read(context.Context) (*org.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	return clone(f.snap), nil
}

var (
	ownerQuery   = regexp.MustCompile(`^SELECT Id FROM (\w+) WHERE Id = '(\w+)' AND OwnerId = '(\w+)'`)
	ownersQuery  = regexp.MustCompile(`^SELECT Id, OwnerId FROM (\w+) WHERE OwnerId IN \(([^)]*)\)`)
	quotedIDList = regexp.MustCompile(`'(\w+)'`)
)

func (f *fakeOrg) Query(_ context.Context, soql string, _ []string) ([][]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	owners := map[string]bool{}
	m := ownerQuery.FindStringSubmatch(soql)
	if m != nil {
		owners[m[3]] = true
	} else if m = ownersQuery.FindStringSubmatch(soql); m != nil {
		for _, q := range quotedIDList.FindAllStringSubmatch(m[2], -1) {
			owners[q[1]] = true
		}
		m[2] = ""
	} else {
		return nil, fmt.Errorf("fake org: unexpected query %s", soql)
	}
	if m[1] != "Account" {
		return nil, &sfclient.APIError{Status: 400, Code: "INVALID_TYPE", Message: "sObject type '" + m[1] + "' is not supported."}
	}
	var out [][]string
	for _, a := range f.snap.Accounts {
		if owners[a.OwnerID] && (m[2] == "" || a.ID == m[2]) {
			out = append(out, []string{a.ID, a.OwnerID})
		}
	}
	return out, nil
}

func (f *fakeOrg) Insert(ctx context.Context, recs []sfclient.Record) ([]sfclient.RecordResult, error) {
	return f.write(ctx, recs, f.insert)
}

func (f *fakeOrg) Update(ctx context.Context, recs []sfclient.Record) ([]sfclient.RecordResult, error) {
	return f.write(ctx, recs, f.update)
}

func (f *fakeOrg) write(ctx context.Context, recs []sfclient.Record, one func(sfclient.Record) sfclient.RecordResult) ([]sfclient.RecordResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	out := make([]sfclient.RecordResult, len(recs))
	for i, r := range recs {
		f.sent = append(f.sent, r)
		key := recordKey(r)
		if e, ok := f.refuse[key]; ok {
			out[i] = sfclient.RecordResult{Errors: []sfclient.RecordError{e}}
			continue
		}
		if f.locks[key] > 0 {
			f.locks[key]--
			out[i] = sfclient.RecordResult{Errors: []sfclient.RecordError{{StatusCode: "UNABLE_TO_LOCK_ROW", Message: "unable to obtain exclusive access to this record"}}}
			continue
		}
		out[i] = one(r)
	}
	if f.cancelAfter > 0 && f.requests >= f.cancelAfter {
		f.cancel()
		return nil, context.Canceled
	}
	if f.lostEvery > 0 && f.requests%f.lostEvery == 0 {
		return nil, fmt.Errorf("%w: the connection dropped", sfclient.ErrOutcomeUnknown)
	}
	return out, nil
}

// recordKey names a record for the fault maps: its Id, else the
// ContactId or AssigneeId/PermissionSetId it inserts.
func recordKey(r sfclient.Record) string {
	for _, k := range []string{"Id", "ContactId"} {
		if v, ok := r.Fields[k].(string); ok {
			return v
		}
	}
	grant := r.Fields["PermissionSetId"]
	if grant == nil {
		grant = r.Fields["PermissionSetLicenseId"]
	}
	return fmt.Sprint(r.Fields["AssigneeId"], "/", grant)
}

func fail(code, msg string) sfclient.RecordResult {
	return sfclient.RecordResult{Errors: []sfclient.RecordError{{StatusCode: code, Message: msg}}}
}

func (f *fakeOrg) user(id string) *org.User {
	for i := range f.snap.Users {
		if f.snap.Users[i].ID == id {
			return &f.snap.Users[i]
		}
	}
	return nil
}

func (f *fakeOrg) setProfile(u *org.User, id string) bool {
	for _, p := range f.snap.Profiles {
		if p.ID == id {
			u.ProfileID, u.ProfileName, u.License = p.ID, p.Name, p.License
			if l, ok := f.cat.Lookup(p.License); ok {
				u.UserType = l.UserType
				if l.RequiresRole && u.RoleID == "" {
					// An upgrade to a role-based license gives a role and
					// removes the user's permission sets (000).
					u.RoleID = "00Efake" + u.ID[len(u.ID)-8:]
					f.snap.PermissionSets = slices.DeleteFunc(f.snap.PermissionSets, func(a org.PermissionSetAssignment) bool {
						return a.AssigneeID == u.ID && !a.IsOwnedByProfile.IsTrue()
					})
					f.snap.PermissionSetLicenses = slices.DeleteFunc(f.snap.PermissionSetLicenses, func(a org.PermissionSetLicenseAssign) bool {
						return a.AssigneeID == u.ID
					})
				}
			}
			return true
		}
	}
	return false
}

func (f *fakeOrg) update(r sfclient.Record) sfclient.RecordResult {
	id, _ := r.Fields["Id"].(string)
	switch r.Object {
	case "Account":
		for i := range f.snap.Accounts {
			a := &f.snap.Accounts[i]
			if a.ID != id {
				continue
			}
			if v, ok := r.Fields["IsPartner"].(bool); ok {
				a.IsPartner = org.TriOf(v)
				for j := range f.snap.Users {
					if f.snap.Users[j].AccountID == id {
						f.snap.Users[j].AccountIsPartner = org.TriOf(v)
					}
				}
			}
			if v, ok := r.Fields["OwnerId"].(string); ok {
				a.OwnerID = v
			}
			return sfclient.RecordResult{ID: id, Success: true}
		}
	case "User":
		u := f.user(id)
		if u == nil {
			break
		}
		if v, ok := r.Fields["ProfileId"].(string); ok && !f.setProfile(u, v) {
			return fail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
		}
		if v, ok := r.Fields["UserRoleId"].(string); ok {
			u.RoleID = v
		}
		if v, ok := r.Fields["IsPortalEnabled"].(bool); ok && !v {
			u.IsPortalEnabled, u.IsActive, u.ContactID, u.RoleID = org.False, org.False, "", ""
			u.Username = "_" + u.Username
		}
		return sfclient.RecordResult{ID: id, Success: true}
	default:
		return fail("INVALID_TYPE", "no such object "+r.Object)
	}
	return fail("ENTITY_IS_DELETED", "entity is deleted")
}

func (f *fakeOrg) insert(r sfclient.Record) sfclient.RecordResult {
	str := func(k string) string { s, _ := r.Fields[k].(string); return s }
	switch r.Object {
	case "User":
		for _, u := range f.snap.Users {
			if strings.EqualFold(u.Username, str("Username")) {
				return fail("DUPLICATE_USERNAME", "Duplicate Username.")
			}
			if u.ContactID == str("ContactId") && u.IsActive.IsTrue() {
				return fail("PORTAL_USER_ALREADY_EXISTS_FOR_CONTACT", "portal user already exists for contact")
			}
		}
		f.nextID++
		u := org.User{ID: fmt.Sprintf("005FAKE%011d", f.nextID), Username: str("Username"), Name: str("LastName"),
			ContactID: str("ContactId"), AccountID: f.contactAccount[str("ContactId")],
			IsActive: org.True, IsPortalEnabled: org.True}
		if !f.setProfile(&u, str("ProfileId")) {
			return fail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
		}
		f.snap.Users = append(f.snap.Users, u)
		return sfclient.RecordResult{ID: u.ID, Success: true}
	case "PermissionSetAssignment":
		a := org.PermissionSetAssignment{AssigneeID: str("AssigneeId"), PermissionSetID: str("PermissionSetId"), IsOwnedByProfile: org.False}
		for _, x := range f.snap.PermissionSets {
			if x.AssigneeID == a.AssigneeID && x.PermissionSetID == a.PermissionSetID {
				return fail("DUPLICATE_VALUE", "duplicate value found: duplicates value on record with id: 0Pa")
			}
		}
		f.snap.PermissionSets = append(f.snap.PermissionSets, a)
		return sfclient.RecordResult{ID: fmt.Sprintf("0PaFAKE%011d", len(f.snap.PermissionSets)), Success: true}
	case "PermissionSetLicenseAssign":
		a := org.PermissionSetLicenseAssign{AssigneeID: str("AssigneeId"), ID: str("PermissionSetLicenseId")}
		for _, x := range f.snap.PermissionSetLicenses {
			if x.AssigneeID == a.AssigneeID && x.ID == a.ID {
				return fail("DUPLICATE_VALUE", "duplicate value found: duplicates value on record with id: 2LA")
			}
		}
		f.snap.PermissionSetLicenses = append(f.snap.PermissionSetLicenses, a)
		return sfclient.RecordResult{ID: fmt.Sprintf("2LAFAKE%011d", len(f.snap.PermissionSetLicenses)), Success: true}
	}
	return fail("INVALID_TYPE", "no such object "+r.Object)
}
