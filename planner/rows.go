package planner

import "iter"

// StepRow is one step with what a row of it shows besides the step itself:
// its user and its account.
type StepRow struct {
	Step Step
	// UserPos is the position in Users of the step's user: -1 for an
	// account step, or for a UserID the plan has no user for.
	UserPos int
	// User is that user, nil when UserPos is -1. It belongs to the
	// iterator: it is good until the next row, and must not be modified.
	User *UserPlan
	// AccountID is the step's account: its own, else its user's.
	AccountID string
	// AccountName is that account's name: the user's when it is the user's
	// account, else the one Accounts gives, "" when neither does.
	AccountName string
}

// StepRows yields every step in execution order, with its position in
// Steps, its user and its account. A built plan knows each step's user; a
// plan read from plan.json looks users up by Id (the first user with it),
// in a map made on the first step that needs it. Users are made one at a
// time, as the steps reach them.
func (p *Plan) StepRows() iter.Seq2[int, StepRow] {
	return func(yield func(int, StepRow) bool) {
		names := p.AccountNames()
		users := stepUsers{p: p, last: -1}
		for i, s := range p.Steps.All() {
			row := StepRow{Step: s, UserPos: -1}
			if s.UserID != "" {
				row.UserPos, row.User = users.of(i, s.UserID)
			}
			row.AccountID, row.AccountName = RowAccount(s.AccountID, row.User, names)
			if !yield(i, row) {
				return
			}
		}
	}
}

// stepUsers finds the users of a plan's steps, keeping the last one made
// (a user's steps often come together).
type stepUsers struct {
	p    *Plan
	byID map[string]int // nil until a step needs it
	last int
	user UserPlan
}

// of returns the position and the user of step i, whose UserID is id:
// -1 and nil when the plan has no such user.
func (su *stepUsers) of(i int, id string) (int, *UserPlan) {
	pos, ok := su.p.Steps.userPos(i)
	if !ok {
		if su.byID == nil {
			su.byID = su.p.usersByID()
		}
		if pos, ok = su.byID[id]; !ok {
			return -1, nil
		}
	}
	if pos != su.last {
		su.user, su.last = su.p.Users.At(pos), pos
	}
	return pos, &su.user
}

// RowAccount returns the account Id and name that a row about account id
// and user u (nil for none) shows, as StepRows does: an empty id means the
// user's account; the name is the user's account name when it is the
// user's account, else the one names (from AccountNames) gives.
func RowAccount(id string, u *UserPlan, names map[string]string) (string, string) {
	if u != nil && id == "" {
		id = u.AccountID
	}
	if u != nil && u.AccountID == id && u.AccountName != "" {
		return id, u.AccountName
	}
	return id, names[id]
}

// AccountNames maps the Id of every account in Accounts to its name (the
// first entry for an Id wins).
func (o *Overview) AccountNames() map[string]string {
	m := make(map[string]string, len(o.Accounts))
	for _, a := range o.Accounts {
		if _, dup := m[a.AccountID]; !dup && a.AccountID != "" {
			m[a.AccountID] = a.AccountName
		}
	}
	return m
}

// usersByID maps each user Id to the position of the first user with it.
func (p *Plan) usersByID() map[string]int {
	m := make(map[string]int, p.Users.Len())
	for j, u := range p.Users.All() {
		if _, dup := m[u.UserID]; !dup {
			m[u.UserID] = j
		}
	}
	return m
}

// StepRowsAt returns the rows of the steps at the given positions, as
// StepRows makes them, for a report that shows a few steps (each row's
// User is its own). A built plan knows each step's user; for a plan read
// from plan.json the users are found in one pass over Users, without a
// map of every user.
func (p *Plan) StepRowsAt(positions []int) []StepRow {
	names := p.AccountNames()
	rows := make([]StepRow, len(positions))
	var byID map[string]int // user Id -> position, -1 until found
	for j, i := range positions {
		s := p.Steps.At(i)
		rows[j] = StepRow{Step: s, UserPos: -1}
		if s.UserID == "" {
			continue
		}
		if pos, ok := p.Steps.userPos(i); ok {
			rows[j].UserPos = pos
			continue
		}
		if byID == nil {
			byID = map[string]int{}
		}
		byID[s.UserID] = -1
	}
	if len(byID) > 0 {
		left := len(byID)
		for pos, u := range p.Users.All() {
			if at, ok := byID[u.UserID]; ok && at < 0 {
				byID[u.UserID] = pos
				if left--; left == 0 {
					break
				}
			}
		}
		for j := range rows {
			if pos, ok := byID[rows[j].Step.UserID]; ok {
				rows[j].UserPos = pos
			}
		}
	}
	for j := range rows {
		r := &rows[j]
		if r.UserPos >= 0 {
			u := p.Users.At(r.UserPos)
			r.User = &u
		}
		r.AccountID, r.AccountName = RowAccount(r.Step.AccountID, r.User, names)
	}
	return rows
}
