package apply

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
)

// A scoped read is the part of the org a plan touches, read with small
// queries instead of a whole pull: a sandbox of a million users is read in
// the time its plan's few thousand records take. An Org that can read a
// scope says so by implementing ScopedReader; apply then uses it for the
// drift check, the reads after an unknown outcome and verify.

// ScopedReader is an Org that can read just the records of a Scope.
type ScopedReader interface {
	ReadScope(ctx context.Context, s Scope) (*org.Snapshot, error)
}

// Scope is what apply and verify read of an org for a plan: the users it
// changes and the account owners it gives a role, the contacts' users
// (the new users a run creates), their accounts, and the small objects
// whole (licenses, profiles, the organization).
type Scope struct {
	UserIDs, ContactIDs, AccountIDs []string
}

// ScopeOf is the Scope of plan p.
func ScopeOf(p *planner.Plan) Scope {
	var s Scope
	for _, u := range p.Users.All() {
		if !u.Outcome.IsChange() {
			continue
		}
		s.UserIDs = append(s.UserIDs, u.UserID)
		if u.AccountID != "" {
			s.AccountIDs = append(s.AccountIDs, u.AccountID)
		}
		if u.Seen != nil && u.Seen.ContactID != "" {
			s.ContactIDs = append(s.ContactIDs, u.Seen.ContactID)
		}
	}
	for _, st := range p.Steps.All() {
		if st.OwnerID != "" {
			s.UserIDs = append(s.UserIDs, st.OwnerID)
		}
		if st.AccountID != "" {
			s.AccountIDs = append(s.AccountIDs, st.AccountID)
		}
	}
	for _, ids := range []*[]string{&s.UserIDs, &s.ContactIDs, &s.AccountIDs} {
		slices.Sort(*ids)
		*ids = slices.Compact(*ids)
	}
	return s
}

// Querier runs small SOQL reads (Org.Query).
type Querier interface {
	Query(ctx context.Context, soql string, fields []string) ([][]string, error)
}

// idsPerQuery bounds the Ids of one IN list (see ownersPerQuery).
const idsPerQuery = ownersPerQuery

// ReadScoped reads scope s through q with the snapshot's own queries
// (org.Queries), each narrowed to the scope's records, and returns it as
// a snapshot: users by Id (the scope's users and owners) and by ContactId
// (the contacts' users, old and new), their accounts, the accounts'
// portal roles and the internal roles, the permission set and permission
// set license assignments of every user read, and UserLicense, Profile
// and Organization whole. ObjectPermissions is not read: apply needs it
// for nothing.
func ReadScoped(ctx context.Context, q Querier, s Scope) (*org.Snapshot, error) {
	files := fstest.MapFS{}
	var userIDs []string
	for _, fq := range org.Queries {
		var conds [][2]string // condition, or a field and the Ids it must be IN
		switch fq.File {
		case "User.csv":
			conds = [][2]string{{"Id", ""}, {"ContactId", ""}}
		case "Account.csv":
			conds = [][2]string{{"Id", ""}}
		case "UserRole.csv":
			conds = [][2]string{{"PortalAccountId", ""}, {"", "PortalType = 'None'"}}
		case "PermissionSetAssignment.csv", "PermissionSetLicenseAssign.csv":
			conds = [][2]string{{"AssigneeId", ""}}
		case "ObjectPermissions.csv":
			continue
		default:
			conds = [][2]string{{"", ""}} // the whole object
		}
		ids := map[string][]string{"Id": s.UserIDs, "ContactId": s.ContactIDs, "PortalAccountId": s.AccountIDs, "AssigneeId": userIDs}
		if fq.File == "Account.csv" {
			ids["Id"] = s.AccountIDs
		}
		rows, err := scopedRows(ctx, q, fq, conds, ids)
		if err != nil {
			return nil, fmt.Errorf("reading %s for the plan's records: %w", fq.Object, err)
		}
		if fq.File == "User.csv" {
			for _, r := range rows {
				userIDs = append(userIDs, r[0])
			}
		}
		data, err := csvOf(fq.Fields, rows)
		if err != nil {
			return nil, err
		}
		files[fq.File] = &fstest.MapFile{Data: data}
	}
	return org.ReadSnapshot(ctx, files, "the plan's records in the org")
}

// scopedRows runs fq once per condition (per idsPerQuery Ids for an IN
// condition), and returns the rows of fq.Fields with no record twice, by
// Id (the first column when fq has none).
func scopedRows(ctx context.Context, q Querier, fq org.Query, conds [][2]string, ids map[string][]string) ([][]string, error) {
	fields := fq.Fields
	idCol := slices.Index(fields, "Id")
	if idCol < 0 {
		fields = append(slices.Clone(fields), "Id")
		idCol = len(fields) - 1
	}
	seen := map[string]bool{}
	var out [][]string
	run := func(cond string) error {
		where := fq.Where
		switch {
		case where != "" && cond != "":
			where = "(" + where + ") AND (" + cond + ")"
		case cond != "":
			where = cond
		}
		soql := "SELECT " + strings.Join(fields, ", ") + " FROM " + fq.Object
		if where != "" {
			soql += " WHERE " + where
		}
		rows, err := q.Query(ctx, soql+" ORDER BY Id", fields)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if id := r[idCol]; !seen[id] {
				seen[id] = true
				out = append(out, r[:len(fq.Fields)])
			}
		}
		return nil
	}
	for _, c := range conds {
		field, cond := c[0], c[1]
		if field == "" {
			if err := run(cond); err != nil {
				return nil, err
			}
			continue
		}
		for _, id := range ids[field] {
			if !org.ValidID(id) {
				return nil, fmt.Errorf("%q is not a Salesforce Id: the plan is damaged; make it again", id)
			}
		}
		for chunk := range slices.Chunk(ids[field], idsPerQuery) {
			if err := run(field + " IN (" + quoteIDs(chunk) + ")"); err != nil {
				return nil, err
			}
		}
	}
	// One order whatever the conditions found them in (the first column
	// is the Id, or the assignee: the order the pull gives).
	slices.SortStableFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out, nil
}

// csvOf is a snapshot file: the header, then the rows.
func csvOf(header []string, rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		return nil, err
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
