package org

import (
	"fmt"
	"slices"
)

// readUsers reads User.csv, the big file, record by record: it fills User
// structs by column index, keeping values through an interner, not the
// records' own strings.
//
// Duplicate Ids are found without a map while Ids come in increasing order,
// as the exporting query (ORDER BY Id) usually gives them: each Id need only
// exceed the one before. At the first Id out of order, a set of the Ids so
// far is built and used from then on.
//
// (Until issue 10, a second goroutine parsed records into batches while
// this one stored them, and a third wrote every page of the new slice
// ahead of it. Measured on a 1,000,000-user snapshot they saved less than
// the 10% of plan --format text a speed trick must save to stay, so they
// went; see the README's performance notes.)
func readUsers(c *csvFile, s *Snapshot, accts *accountSet) error {
	s.Has.UserType = c.has(uUserType)
	s.Has.IsActive = c.has(uIsActive)
	s.Has.AccountIsPartner = s.Has.AccountIsPartner || c.has(uAccountIsPartner)

	users := make([]User, 0, c.sizeHint)
	for i := range NumNewUserFields {
		s.Has.NewUserFields[i] = c.has(uNewUserFields + i)
	}
	withNew := slices.Contains(s.Has.NewUserFields[:], true)
	var newVals [NumNewUserFields]string
	var newBuf []byte
	in := newInterner(uCount, internChunk)
	var seen map[string]struct{} // nil while Ids increase
	prev := ""
	for {
		ok, err := c.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		users = append(users, User{})
		u := &users[len(users)-1]
		u.ID = in.copy(c.str(uID))
		u.Line = c.line()
		if seen == nil && u.ID > prev {
			prev = u.ID
		} else {
			if seen == nil {
				seen = make(map[string]struct{}, max(c.sizeHint, len(users)))
				for i := range len(users) - 1 {
					seen[users[i].ID] = struct{}{}
				}
			}
			n := len(seen)
			seen[u.ID] = struct{}{}
			if len(seen) == n {
				first := slices.IndexFunc(users, func(v User) bool { return v.ID == u.ID })
				return c.colError(uID, fmt.Errorf("%w %q (first on line %d)", ErrDuplicateID, u.ID, users[first].Line))
			}
		}
		// Id, Username, Name and ContactId are unique to a user; the other
		// columns repeat.
		u.Username = in.copy(c.str(uUsername))
		u.Name = in.copy(c.str(uName))
		u.ContactID = in.copy(c.str(uContactID))
		u.UserType = in.value(uUserType, c.str(uUserType))
		u.ProfileID = in.value(uProfileID, c.str(uProfileID))
		u.ProfileName = in.value(uProfileName, c.str(uProfileName))
		u.License = in.value(uLicense, c.str(uLicense))
		u.RoleID = in.value(uRoleID, c.str(uRoleID))
		u.RoleName = in.value(uRoleName, c.str(uRoleName))
		u.RolePortalType = in.value(uRolePortalType, c.str(uRolePortalType))
		u.RolePortalRole = in.value(uRolePortalRole, c.str(uRolePortalRole))
		u.AccountID = in.value(uAccountID, c.str(uAccountID))
		u.AccountName = in.value(uAccountName, c.str(uAccountName))
		u.AccountOwnerID = in.value(uAccountOwnerID, c.str(uAccountOwnerID))
		if u.IsActive, err = c.tri(uIsActive); err != nil {
			return err
		}
		if u.AccountIsPartner, err = c.tri(uAccountIsPartner); err != nil {
			return err
		}
		if u.IsPortalEnabled, err = c.tri(uIsPortalEnabled); err != nil {
			return err
		}
		if withNew {
			for i := range newVals {
				newVals[i] = c.str(uNewUserFields + i)
			}
			if u.New, newBuf, err = JoinNewUserFields(&newVals, newBuf, in.copyBytes); err != nil {
				return c.colError(uNewUserFields, err)
			}
		}
		if u.AccountID != "" {
			accts.fromUser(users, len(users)-1)
		}
	}
	if len(users) > 0 {
		s.Users = users
	}
	return nil
}
