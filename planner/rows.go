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
		var byID map[string]int
		var user UserPlan
		lastPos := -1
		for i, s := range p.Steps.All() {
			row := StepRow{Step: s, UserPos: -1, AccountID: s.AccountID}
			if s.UserID != "" {
				pos, ok := p.Steps.userPos(i)
				if !ok {
					if byID == nil {
						byID = p.usersByID()
					}
					if pos, ok = byID[s.UserID]; !ok {
						pos = -1
					}
				}
				if pos >= 0 {
					if pos != lastPos {
						user, lastPos = p.Users.At(pos), pos
					}
					row.UserPos, row.User = pos, &user
				}
			}
			row.AccountID, row.AccountName = RowAccount(row.AccountID, row.User, names)
			if !yield(i, row) {
				return
			}
		}
	}
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
