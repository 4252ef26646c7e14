package planner

import (
	"strings"

	"github.com/licenseplan/licenseplan/org"
)

// Stage 1, Resolve (part one): who the users are and in which order the
// plan lists them. The other part, what each user's license, target and
// profile resolve to, is the lookups type (lookups.go).

// population is the snapshot's users in plan order, with their accounts.
// resolveUsers makes it; nothing changes it after.
type population struct {
	users    []org.User // the snapshot's users, in input order
	order    []int32    // per plan position: index into users
	rank     []int32    // per plan position: index into accts
	pos      []int32    // per user index: plan position
	userRank []int32    // per user index: index into accts
	accts    []acctInfo // the users' distinct accounts, in plan order
}

// acctInfo is one distinct account of the users.
type acctInfo struct {
	id, name string
	acct     *org.Account // nil when Account.csv does not have it
	roles    uint8        // portal role bits the account has (see portalBit)
}

// resolveUsers orders the users of snap: by account name and Id, then by
// username and Id inside each account. It also works out which portal
// roles each account has, from UserRole.csv and from the users' roles.
func resolveUsers(snap *org.Snapshot) *population {
	seeds := newAccountSeeds(snap)
	p := &population{users: snap.Users}
	p.groupByAccount(seeds)
	p.sortAccounts()
	p.sortUsers()
	return p
}

// accountSeeds is what is known of each account Id before the users are
// read: its row of Account.csv, the portal roles UserRole.csv gives it, and
// the rank groupByAccount gave it (-1 until a user has the account).
type accountSeeds struct {
	byID  map[string]int32
	seeds []acctSeed
}

type acctSeed struct {
	acct  *org.Account // the last row of Account.csv with the Id, or nil
	roles uint8
	rank  int32
}

func newAccountSeeds(snap *org.Snapshot) *accountSeeds {
	s := &accountSeeds{byID: make(map[string]int32, len(snap.Accounts)+1)}
	for i := range snap.Accounts {
		s.get(snap.Accounts[i].ID).acct = &snap.Accounts[i]
	}
	for _, r := range snap.Roles {
		s.get(r.PortalAccountID).roles |= portalBit(r.PortalType)
	}
	return s
}

// get returns the seed of account Id id, adding one when there is none.
func (s *accountSeeds) get(id string) *acctSeed {
	k, ok := s.byID[id]
	if !ok {
		k = int32(len(s.seeds))
		s.byID[id] = k
		s.seeds = append(s.seeds, acctSeed{rank: -1})
	}
	return &s.seeds[k]
}

// groupByAccount gives every user its account, numbering the accounts in
// the order their first user appears, and adds the users' portal roles to
// their accounts.
func (p *population) groupByAccount(seeds *accountSeeds) {
	p.userRank = make([]int32, len(p.users))
	lastAcct, lastRank := "", int32(-1)
	for i := range p.users {
		u := &p.users[i]
		// Users of one account are usually next to each other (a snapshot
		// ordered by Id holds them in creation order), so the previous
		// user's rank saves most map lookups.
		if lastRank < 0 || u.AccountID != lastAcct {
			e := seeds.get(u.AccountID)
			if e.rank < 0 {
				e.rank = int32(len(p.accts))
				info := acctInfo{id: u.AccountID, name: u.AccountName, acct: e.acct, roles: e.roles}
				if info.acct != nil && info.acct.Name != "" {
					info.name = info.acct.Name
				}
				p.accts = append(p.accts, info)
			}
			lastAcct, lastRank = u.AccountID, e.rank
		}
		p.userRank[i] = lastRank
		if u.RoleID != "" && u.AccountID != "" {
			p.accts[lastRank].roles |= portalBit(u.RolePortalType)
		}
	}
}

// sortAccounts puts the accounts in plan order, by name and then Id, and
// renumbers the users' ranks to match.
func (p *population) sortAccounts() {
	keys := make([]sortKey, len(p.accts))
	for i := range keys {
		keys[i] = newSortKey(p.accts[i].name, int32(i))
	}
	sortKeys(keys, func(x, y int32) int {
		a, c := &p.accts[x], &p.accts[y]
		return compare2(a.name, c.name, a.id, c.id)
	})
	newRank := make([]int32, len(keys))
	sorted := make([]acctInfo, len(keys))
	for pos, k := range keys {
		newRank[k.i] = int32(pos)
		sorted[pos] = p.accts[k.i]
	}
	p.accts = sorted
	for i := range p.userRank {
		p.userRank[i] = newRank[p.userRank[i]]
	}
}

// sortUsers orders the users inside each account by username and Id. The
// accounts are already in order, so a counting sort by account rank
// leaves only the small per-account sorts.
func (p *population) sortUsers() {
	start := make([]int32, len(p.accts)+1)
	for _, r := range p.userRank {
		start[r+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	// The keys are made in input order, which reads the users
	// sequentially.
	keys := make([]sortKey, len(p.users))
	next := append([]int32(nil), start[:len(p.accts)]...)
	for i, r := range p.userRank {
		keys[next[r]] = newSortKey(p.users[i].Username, int32(i))
		next[r]++
	}
	users := p.users
	byUsername := func(x, y int32) int {
		a, c := &users[x], &users[y]
		return compare2(a.Username, c.Username, a.ID, c.ID)
	}
	p.order = make([]int32, len(users))
	p.rank = make([]int32, len(users))
	p.pos = make([]int32, len(users))
	for r := range p.accts {
		group := keys[start[r]:start[r+1]]
		if len(group) > 1 {
			sortKeys(group, byUsername)
		}
		for j, k := range group {
			pi := start[r] + int32(j)
			p.order[pi], p.rank[pi], p.pos[k.i] = k.i, int32(r), pi
		}
	}
}

// portalBit is an account's role bit for portal type t: 1 for customer
// portal roles, 2 for partner roles, 0 for none.
func portalBit(t string) uint8 {
	switch {
	case strings.EqualFold(t, org.PortalTypeCustomer):
		return 1
	case strings.EqualFold(t, org.PortalTypePartner):
		return 2
	}
	return 0
}
