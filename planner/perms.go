package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/rules"
)

// permissionChecks names what the change removes for users whose rule may
// remove permission sets, permission set licenses or View/Modify All
// Records. Only those users' assignments are linked (see assigneeJoin), and
// users with the same permissions and target share one warning list.
func (b *builder) permissionChecks() {
	if len(b.psCheck) == 0 {
		return
	}
	snap := b.snap
	j := b.newAssigneeJoin()
	psHead, psNext := j.link(len(snap.PermissionSets), func(i int) string { return snap.PermissionSets[i].AssigneeID })
	pslHead, pslNext := j.link(len(snap.PermissionSetLicenses), func(i int) string { return snap.PermissionSetLicenses[i].AssigneeID })

	type cached struct {
		ws      []Warning
		removes bool
		id      int32
	}
	cache := map[string]cached{}
	// Merged lists are shared too: users with the same permissions and
	// the same warnings get the same list.
	merged := map[[2]int32]int32{}
	var sig []byte
	for k, pi := range b.psCheck {
		d := &b.dec[pi]
		r := d.rule
		sig = append(sig[:0], r.To.Name...)
		for i := psHead[k]; i >= 0; i = psNext[i] {
			sig = append(append(sig, '|'), snap.PermissionSets[i].PermissionSetID...)
		}
		sig = append(sig, '#')
		for i := pslHead[k]; i >= 0; i = pslNext[i] {
			sig = append(append(sig, '|'), snap.PermissionSetLicenses[i].Label...)
		}
		c, ok := cache[string(sig)]
		if !ok {
			c.ws, c.removes = b.permissionWarnings(r, psHead[k], psNext, pslHead[k], pslNext)
			c.id = int32(len(cache))
			cache[string(sig)] = c
		}
		if len(c.ws) > 0 {
			key := [2]int32{c.id, d.warn}
			id, ok := merged[key]
			if !ok {
				id = b.addList(merge(b.lists[d.warn], c.ws...))
				merged[key] = id
			}
			d.warn = id
		}
		d.removesAccess = c.removes
	}
}

// assigneeJoin finds, for an assignment row's AssigneeId, the user to check
// it belongs to (an index into psCheck). When the users are sorted by Id
// (a snapshot exported with ORDER BY Id is) and the rows by AssigneeId, it
// walks both in step, with no map; from the first row out of order on, it
// looks the Id up in a map of the users to check.
type assigneeJoin struct {
	b      *builder
	sorted bool    // users are sorted by Id
	check  []int32 // when sorted: per user index, the index in psCheck or -1
	byID   map[string]int32
}

func (b *builder) newAssigneeJoin() *assigneeJoin {
	users := b.snap.Users
	j := &assigneeJoin{b: b, sorted: true}
	for i := 1; i < len(users); i++ {
		if users[i-1].ID >= users[i].ID {
			j.sorted = false
			break
		}
	}
	if j.sorted {
		j.check = make([]int32, len(users))
		for i := range j.check {
			j.check[i] = -1
		}
		for k, pi := range b.psCheck {
			j.check[b.order[pi]] = int32(k)
		}
	}
	return j
}

// lookup returns the psCheck index of the user with Id id, or -1.
func (j *assigneeJoin) lookup(id string) int32 {
	if j.byID == nil {
		j.byID = make(map[string]int32, len(j.b.psCheck))
		for k, pi := range j.b.psCheck {
			j.byID[j.b.snap.Users[j.b.order[pi]].ID] = int32(k)
		}
	}
	if k, ok := j.byID[id]; ok {
		return k
	}
	return -1
}

// link chains n rows by the user they are assigned to: head[k] is the
// last row of user psCheck[k], next[row] the row before it of the same
// user, -1 at the end.
func (j *assigneeJoin) link(n int, assignee func(int) string) (head, next []int32) {
	head = make([]int32, len(j.b.psCheck))
	for i := range head {
		head[i] = -1
	}
	next = make([]int32, n)
	users := j.b.snap.Users
	merging := j.sorted
	cur := 0 // merge cursor in users
	// A user's assignments are usually adjacent (created together), so
	// the previous row's answer is reused.
	last, lastK := "", int32(-1)
	for i := range n {
		id := assignee(i)
		if i == 0 || id != last {
			if merging && i > 0 && id < last {
				merging = false
			}
			last = id
			if merging {
				for cur < len(users) && users[cur].ID < id {
					cur++
				}
				lastK = -1
				if cur < len(users) && users[cur].ID == id {
					lastK = j.check[cur]
				}
			} else {
				lastK = j.lookup(id)
			}
		}
		if lastK >= 0 {
			next[i], head[lastK] = head[lastK], int32(i)
		}
	}
	return head, next
}

func (b *builder) permissionWarnings(r *rules.Rule, psHead int32, psNext []int32, pslHead int32, pslNext []int32) ([]Warning, bool) {
	snap := b.snap
	var names, psl, view, modify []string
	for i := psHead; i >= 0; i = psNext[i] {
		a := &snap.PermissionSets[i]
		if acc := b.objPerms[a.PermissionSetID]; acc != nil {
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
