package planner

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/rules"
)

// checkPermissions names what the change removes for the users in
// d.psCheck, whose rule may remove permission sets, permission set licenses
// or View/Modify All Records. Only those users' assignments are linked (see
// assigneeJoin), and users with the same permissions and target share one
// warning list.
func checkPermissions(d *decider, snap *org.Snapshot, rows assigneeRows) {
	if len(d.psCheck) == 0 {
		return
	}
	j := newAssigneeJoin(d.pop, d.psCheck)
	psHead, psNext := j.link(rows.ps, len(snap.PermissionSets), func(i int) string { return snap.PermissionSets[i].AssigneeID })
	pslHead, pslNext := j.link(rows.psl, len(snap.PermissionSetLicenses), func(i int) string { return snap.PermissionSetLicenses[i].AssigneeID })
	objPerms := objectAccess(snap)
	licID := licenseIDs(snap)

	type cached struct {
		perm    int32 // index into permLists, or -1
		removes bool
	}
	// Users with the same rule and the same assignments share one answer
	// (the warnings depend on the rule: which of them it may give, and the
	// target license they name).
	cache := map[string]cached{}
	var sig []byte
	for k, pi := range d.psCheck {
		dec := &d.out.dec[pi]
		sig = append(sig[:0], byte(dec.from), byte(dec.from>>8), byte(dec.to), byte(dec.to>>8))
		for i := psHead[k]; i >= 0; i = psNext[i] {
			sig = append(append(sig, '|'), snap.PermissionSets[i].PermissionSetID...)
		}
		sig = append(sig, '#')
		for i := pslHead[k]; i >= 0; i = pslNext[i] {
			p := &snap.PermissionSetLicenses[i]
			sig = append(append(append(append(sig, '|'), p.Label...), '/'), p.ID...)
		}
		c, ok := cache[string(sig)]
		if !ok {
			var ws []Warning
			ws, c.removes = permissionWarnings(snap, objPerms, ruleOf(d.table, dec), psHead[k], psNext, pslHead[k], pslNext)
			c.perm = -1
			if len(ws) > 0 {
				c.perm = int32(len(d.sh.permLists))
				d.sh.permLists = append(d.sh.permLists, ws)
				var rs *Restore
				if c.removes {
					rs = restoreOf(snap, licID, objPerms, ruleOf(d.table, dec), psHead[k], psNext, pslHead[k], pslNext)
				}
				d.sh.restores = append(d.sh.restores, rs)
			}
			cache[string(sig)] = c
		}
		dec.perm, dec.removesAccess = c.perm, c.removes
	}
}

type objAccess struct{ viewAll, modifyAll []string }

// objectAccess returns, per permission set Id, the objects it gives View
// All and Modify All Records on.
func objectAccess(snap *org.Snapshot) map[string]*objAccess {
	out := map[string]*objAccess{}
	for _, op := range snap.ObjectPermissions {
		acc := out[op.ParentID]
		if acc == nil {
			acc = &objAccess{}
			out[op.ParentID] = acc
		}
		if op.ViewAllRecords {
			acc.viewAll = append(acc.viewAll, op.SobjectType)
		}
		if op.ModifyAllRecords {
			acc.modifyAll = append(acc.modifyAll, op.SobjectType)
		}
	}
	return out
}

// rowUsers is, for each row of an assignment file, the index of the user
// it is assigned to (-1 when no user has its AssigneeId), for the rows
// before from; rows from on were not placed (see joinRows).
type rowUsers struct {
	user []int32
	from int
}

// assigneeRows are the rows of both assignment files placed on users.
type assigneeRows struct{ ps, psl rowUsers }

// pendingJoin is the placing of the assignment rows on users, done in a
// goroutine of its own while the users are decided: it needs neither the
// order nor the decisions, and with a second core it is then free.
type pendingJoin chan assigneeRows

func startJoin(snap *org.Snapshot) pendingJoin {
	done := make(pendingJoin, 1)
	go func() {
		sorted := usersSortedByID(snap.Users)
		done <- assigneeRows{
			ps:  joinRows(snap.Users, sorted, len(snap.PermissionSets), func(i int) string { return snap.PermissionSets[i].AssigneeID }),
			psl: joinRows(snap.Users, sorted, len(snap.PermissionSetLicenses), func(i int) string { return snap.PermissionSetLicenses[i].AssigneeID }),
		}
	}()
	return done
}

// wait returns the rows placed on users.
func (j pendingJoin) wait() assigneeRows { return <-j }

func usersSortedByID(users []org.User) bool {
	for i := 1; i < len(users); i++ {
		if users[i-1].ID >= users[i].ID {
			return false
		}
	}
	return true
}

// joinRows places n rows on users. When the users are sorted by Id (a
// snapshot exported with ORDER BY Id is) and the rows by AssigneeId, it
// walks both in step, with no map; it stops at the first row out of order
// (or at once when the users are not sorted), leaving the rest to a map.
func joinRows(users []org.User, sorted bool, n int, assignee func(int) string) rowUsers {
	if !sorted {
		return rowUsers{}
	}
	user := make([]int32, n)
	cur := 0 // merge cursor in users
	// A user's assignments are usually adjacent (created together), so
	// the previous row's answer is reused.
	last, lastU := "", int32(-1)
	for i := range n {
		id := assignee(i)
		if i == 0 || id != last {
			if i > 0 && id < last {
				return rowUsers{user[:i], i}
			}
			last = id
			for cur < len(users) && users[cur].ID < id {
				cur++
			}
			lastU = -1
			if cur < len(users) && users[cur].ID == id {
				lastU = int32(cur)
			}
		}
		user[i] = lastU
	}
	return rowUsers{user, n}
}

// assigneeJoin finds, for an assignment row, the user to check it belongs
// to (an index into psCheck): from the rows' users joinRows found, and for
// the rows it left, from a map of the users to check by Id.
type assigneeJoin struct {
	pop     *population
	psCheck []int32
	check   []int32 // per user index, the index in psCheck or -1
	byID    map[string]int32
}

func newAssigneeJoin(pop *population, psCheck []int32) *assigneeJoin {
	j := &assigneeJoin{pop: pop, psCheck: psCheck, check: make([]int32, len(pop.users))}
	for i := range j.check {
		j.check[i] = -1
	}
	for k, pi := range psCheck {
		j.check[pop.order[pi]] = int32(k)
	}
	return j
}

// lookup returns the psCheck index of the user with Id id, or -1.
func (j *assigneeJoin) lookup(id string) int32 {
	if j.byID == nil {
		j.byID = make(map[string]int32, len(j.psCheck))
		for k, pi := range j.psCheck {
			j.byID[j.pop.users[j.pop.order[pi]].ID] = int32(k)
		}
	}
	if k, ok := j.byID[id]; ok {
		return k
	}
	return -1
}

// link chains the rows of one file by the user they are assigned to:
// head[k] is the last row of user psCheck[k], next[row] the row before it
// of the same user, -1 at the end.
func (j *assigneeJoin) link(rows rowUsers, n int, assignee func(int) string) (head, next []int32) {
	head = make([]int32, len(j.psCheck))
	for i := range head {
		head[i] = -1
	}
	next = make([]int32, n)
	for i, u := range rows.user[:rows.from] {
		if u >= 0 {
			if k := j.check[u]; k >= 0 {
				next[i], head[k] = head[k], int32(i)
			}
		}
	}
	last, lastK := "", int32(-1)
	for i := rows.from; i < n; i++ {
		id := assignee(i)
		if i == rows.from || id != last {
			last, lastK = id, j.lookup(id)
		}
		if lastK >= 0 {
			next[i], head[lastK] = head[lastK], int32(i)
		}
	}
	return head, next
}

// permissionWarnings returns the warnings of a user taking rule r whose
// assignment rows are chained from psHead and pslHead, and whether the
// change removes any of them.
func permissionWarnings(snap *org.Snapshot, objPerms map[string]*objAccess, r *rules.Rule, psHead int32, psNext []int32, pslHead int32, pslNext []int32) ([]Warning, bool) {
	var names, psl, view, modify []string
	for i := psHead; i >= 0; i = psNext[i] {
		a := &snap.PermissionSets[i]
		if acc := objPerms[a.PermissionSetID]; acc != nil {
			view = append(view, acc.viewAll...)
			modify = append(modify, acc.modifyAll...)
		}
		if a.IsOwnedByProfile.IsTrue() {
			continue
		}
		n := a.PermissionSetName
		if n == "" {
			n = a.PermissionSetID
		}
		names = append(names, n)
	}
	for i := pslHead; i >= 0; i = pslNext[i] {
		psl = append(psl, snap.PermissionSetLicenses[i].Label)
	}
	sorted := func(s []string) string {
		slices.Sort(s)
		return strings.Join(slices.Compact(s), ", ")
	}
	var ws []Warning
	removes := false
	if slices.Contains(r.MayWarn, rules.PermissionSetsRemoved) && (len(names) > 0 || len(psl) > 0) {
		removes = true
		var parts []string
		if len(names) > 0 {
			parts = append(parts, "permission sets "+sorted(names))
		}
		if len(psl) > 0 {
			parts = append(parts, "permission set licenses "+sorted(psl))
		}
		ws = append(ws, Warning{Code: rules.PermissionSetsRemoved, Message: "The change removes " + strings.Join(parts, "; ") + ", and any sharing-set access: reassign what the new license allows."})
	}
	if slices.Contains(r.MayWarn, rules.ViewAllRecordsLost) {
		if len(view) > 0 {
			ws = append(ws, Warning{Code: rules.ViewAllRecordsLost, License: r.To.Name, Message: fmt.Sprintf("The user has View All Records on %s, which %s does not allow: the user loses it.", sorted(view), r.To.Name)})
		}
		if len(modify) > 0 {
			ws = append(ws, Warning{Code: rules.ModifyAllRecordsLost, License: r.To.Name, Message: fmt.Sprintf("The user has Modify All Records on %s, which %s does not allow: the user loses it.", sorted(modify), r.To.Name)})
		}
	}
	return ws, removes
}

// licenseIDs maps UserLicense names, lower-cased, to their Ids.
func licenseIDs(snap *org.Snapshot) map[string]string {
	out := make(map[string]string, len(snap.Licenses))
	for _, l := range snap.Licenses {
		if l.ID != "" {
			out[strings.ToLower(l.Name)] = l.ID
		}
	}
	return out
}

// Id prefixes of the records a permission set's LicenseId names.
const (
	userLicensePrefix    = "100"
	permSetLicensePrefix = "0PL"
)

// restoreOf is what a user taking rule r had that the change removes,
// split into what the target license allows back and what it does not.
// A permission set that names a user license (PermissionSet.LicenseId)
// can only be assigned to users of that license; one that names a
// permission set license needs that license assigned first; one with
// none can be assigned to users of any license whose license allows its
// permissions, which the snapshot cannot tell, so Salesforce has the last
// word (Help: "User Licenses in Permission Sets",
// securityImplGuide/perm_sets_about_licenses.htm), except for View All
// and Modify All Records, which the snapshot does show and the rule says
// the target license lacks (000: not available with Customer Community
// Plus or Partner Community). Profile-owned permission sets go with the
// profile and are not restored.
func restoreOf(snap *org.Snapshot, licID map[string]string, objPerms map[string]*objAccess, r *rules.Rule, psHead int32, psNext []int32, pslHead int32, pslNext []int32) *Restore {
	rs := &Restore{PermissionSets: []Grant{}, PermissionSetLicenses: []Grant{}, LicenseChecked: snap.Has.PermissionSetLicense}
	target := licID[strings.ToLower(r.To.Name)]
	var psl []string // Ids of the permission set licenses restored
	for i := pslHead; i >= 0; i = pslNext[i] {
		a := &snap.PermissionSetLicenses[i]
		if a.ID == "" {
			rs.NotRestored = append(rs.NotRestored, Grant{Name: a.Label, Reason: "the snapshot has no PermissionSetLicenseId for it"})
			continue
		}
		rs.PermissionSetLicenses = append(rs.PermissionSetLicenses, Grant{ID: a.ID, Name: a.Label})
		psl = append(psl, a.ID)
	}
	for i := psHead; i >= 0; i = psNext[i] {
		a := &snap.PermissionSets[i]
		if a.IsOwnedByProfile.IsTrue() {
			continue
		}
		g := Grant{ID: a.PermissionSetID, Name: cmp.Or(a.PermissionSetName, a.PermissionSetID)}
		switch lic := a.LicenseID; {
		case strings.HasPrefix(lic, userLicensePrefix) && target != "" && !org.SameID(lic, target):
			g.Reason = "it needs another user license than " + r.To.Name
		case strings.HasPrefix(lic, permSetLicensePrefix) && !slices.ContainsFunc(psl, func(id string) bool { return org.SameID(id, lic) }):
			g.Reason = "it needs a permission set license the user does not have"
		case objPerms[a.PermissionSetID] != nil && len(objPerms[a.PermissionSetID].viewAll) > 0 && slices.Contains(r.MayWarn, rules.ViewAllRecordsLost):
			g.Reason = "it grants View All Records, which " + r.To.Name + " does not allow"
		case objPerms[a.PermissionSetID] != nil && len(objPerms[a.PermissionSetID].modifyAll) > 0 && slices.Contains(r.MayWarn, rules.ModifyAllRecordsLost):
			g.Reason = "it grants Modify All Records, which " + r.To.Name + " does not allow"
		}
		if g.Reason != "" {
			rs.NotRestored = append(rs.NotRestored, g)
		} else {
			rs.PermissionSets = append(rs.PermissionSets, g)
		}
	}
	byID := func(a, b Grant) int { return cmp.Or(strings.Compare(a.ID, b.ID), strings.Compare(a.Name, b.Name)) }
	slices.SortFunc(rs.PermissionSets, byID)
	slices.SortFunc(rs.PermissionSetLicenses, byID)
	slices.SortFunc(rs.NotRestored, byID)
	rs.PermissionSets = slices.CompactFunc(rs.PermissionSets, func(a, b Grant) bool { return a == b })
	rs.PermissionSetLicenses = slices.CompactFunc(rs.PermissionSetLicenses, func(a, b Grant) bool { return a == b })
	rs.NotRestored = slices.CompactFunc(rs.NotRestored, func(a, b Grant) bool { return a == b })
	return rs
}
