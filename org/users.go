package org

import (
	"fmt"
	"slices"
	"sync"
)

// readUsers reads User.csv, the big file, in two stages that run at the
// same time: a goroutine parses records with encoding/csv (and checks what
// csvFile.next checks), while this one fills User structs by column index,
// keeping values through an interner, not the records' own strings. The
// stages pass batches of records, with the positions of the fields whose
// values can still be found bad, so every error is the one, and names the
// place, that reading record by record would give.
//
// Duplicate Ids are found without a map while Ids come in increasing order,
// as the exporting query (ORDER BY Id) usually gives them: each Id need only
// exceed the one before. At the first Id out of order, a set of the Ids so
// far is built and used from then on.
func readUsers(c *csvFile, s *Snapshot, accts *accountSet) error {
	s.Has.UserType = c.has(uUserType)
	s.Has.IsActive = c.has(uIsActive)
	s.Has.AccountIsPartner = s.Has.AccountIsPartner || c.has(uAccountIsPartner)

	p := startUserParser(c)
	defer p.stop()

	users := make([]User, 0, c.sizeHint)
	var pf *prefaulter
	if c.counted {
		pf = prefault(users[:cap(users)])
		defer pf.done()
	}
	in := newInterner(uCount, internChunk)
	var seen map[string]struct{} // nil while Ids increase
	prev := ""
	for b := range p.full {
		for r := range b.n {
			v := b.vals[r*uCount : (r+1)*uCount]
			pos := b.pos[r*len(checkedCols) : (r+1)*len(checkedCols)]
			pf.wait(len(users))
			users = append(users, User{})
			u := &users[len(users)-1]
			u.ID = in.copy(v[uID])
			u.Line = b.lines[r]
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
					return pos[0].error(c, fmt.Errorf("%w %q (first on line %d)", ErrDuplicateID, u.ID, users[first].Line))
				}
			}
			// Id, Username, Name and ContactId are unique to a user; the
			// other columns repeat.
			u.Username = in.copy(v[uUsername])
			u.Name = in.copy(v[uName])
			u.ContactID = in.copy(v[uContactID])
			u.UserType = in.value(uUserType, v[uUserType])
			u.ProfileID = in.value(uProfileID, v[uProfileID])
			u.ProfileName = in.value(uProfileName, v[uProfileName])
			u.License = in.value(uLicense, v[uLicense])
			u.RoleID = in.value(uRoleID, v[uRoleID])
			u.RoleName = in.value(uRoleName, v[uRoleName])
			u.RolePortalType = in.value(uRolePortalType, v[uRolePortalType])
			u.RolePortalRole = in.value(uRolePortalRole, v[uRolePortalRole])
			u.AccountID = in.value(uAccountID, v[uAccountID])
			u.AccountName = in.value(uAccountName, v[uAccountName])
			u.AccountOwnerID = in.value(uAccountOwnerID, v[uAccountOwnerID])
			var err error
			if u.IsActive, err = pos[1].tri(c, uIsActive, v); err != nil {
				return err
			}
			if u.AccountIsPartner, err = pos[2].tri(c, uAccountIsPartner, v); err != nil {
				return err
			}
			if u.IsPortalEnabled, err = pos[3].tri(c, uIsPortalEnabled, v); err != nil {
				return err
			}
			if u.AccountID != "" {
				accts.fromUser(users, len(users)-1)
			}
		}
		if b.err != nil {
			return b.err
		}
		p.free <- b
	}
	if len(users) > 0 {
		s.Users = users
	}
	return nil
}

// checkedCols are the User.csv columns whose values readUsers checks
// after parsing (a duplicate Id, a bad boolean), so a batch carries their
// positions.
var checkedCols = [...]int{uID, uIsActive, uAccountIsPartner, uIsPortalEnabled}

const (
	// userBatchSize is the number of records in a batch: large enough
	// that handing batches over costs little, small enough that a batch
	// stays in cache.
	userBatchSize = 512
	// userBatches is the number of batches in flight.
	userBatches = 4
)

// userBatch is records of User.csv parsed but not yet stored.
type userBatch struct {
	n     int
	vals  []string   // uCount values per record, "" for absent columns
	lines []int      // per record, the line it starts on
	pos   []fieldPos // per record, the positions of checkedCols
	// err, on the last batch, is the error that stopped parsing after
	// its records.
	err error
}

// fieldPos is where a field of a record is, for errors.
type fieldPos struct{ line, col int32 }

// error places err at p in c's file.
func (p fieldPos) error(c *csvFile, err error) error {
	return &InputError{File: c.path, Line: int(p.line), Column: int(p.col), Err: err}
}

// tri returns column j of record v as a Tri, like csvFile.tri.
func (p fieldPos) tri(c *csvFile, j int, v []string) (Tri, error) {
	t, ok := parseTri(v[j])
	if !ok {
		return Unknown, p.error(c, fmt.Errorf("%w %q in column %q: want true, false or blank",
			ErrInvalidBool, v[j], c.spec.cols[j].name))
	}
	return t, nil
}

// userParser is the goroutine that parses User.csv into batches.
type userParser struct {
	full, free chan *userBatch
	done       chan struct{} // closed to stop the parser early
	wg         sync.WaitGroup
}

func startUserParser(c *csvFile) *userParser {
	p := &userParser{
		full: make(chan *userBatch, userBatches),
		free: make(chan *userBatch, userBatches),
		done: make(chan struct{}),
	}
	for range userBatches {
		p.free <- &userBatch{
			vals:  make([]string, 0, userBatchSize*uCount),
			lines: make([]int, 0, userBatchSize),
			pos:   make([]fieldPos, 0, userBatchSize*len(checkedCols)),
		}
	}
	p.wg.Go(func() { p.parse(c) })
	return p
}

// stop ends the parser, if it has not ended, and waits for it: c may be
// closed once stop returns.
func (p *userParser) stop() {
	close(p.done)
	p.wg.Wait()
}

func (p *userParser) parse(c *csvFile) {
	defer close(p.full)
	for {
		var b *userBatch
		select {
		case b = <-p.free:
		case <-p.done:
			return
		}
		b.n, b.vals, b.lines, b.pos = 0, b.vals[:0], b.lines[:0], b.pos[:0]
		more := true
		for more && b.n < userBatchSize {
			ok, err := c.next()
			if err != nil {
				b.err = err
			}
			if !ok {
				more = false
				break
			}
			for j := range uCount {
				b.vals = append(b.vals, c.str(j))
			}
			b.lines = append(b.lines, c.line())
			for _, j := range checkedCols {
				var fp fieldPos
				if i := c.idx[j]; i >= 0 {
					line, col := c.r.FieldPos(i)
					fp = fieldPos{int32(min(line, 1<<31-1)), int32(min(col, 1<<31-1))}
				}
				b.pos = append(b.pos, fp)
			}
			b.n++
		}
		select {
		case p.full <- b:
		case <-p.done:
			return
		}
		if !more {
			return
		}
	}
}
