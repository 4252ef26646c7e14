package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/rules"
)

// permissionChecks names what the change removes for users whose rule may
// remove permission sets, permission set licenses or View/Modify All
// Records. It indexes only those users' assignments (one map of the users to
// check, linked lists over the assignments), and users with the same
// permissions and target share one warning list.
func (b *builder) permissionChecks() {
	if len(b.psCheck) == 0 {
		return
	}
	snap := b.snap
	pos := make(map[string]int32, len(b.psCheck))
	for k, pi := range b.psCheck {
		pos[b.plan.Users[pi].UserID] = int32(k)
	}
	link := func(n int, assignee func(int) string) (head, next []int32) {
		head = make([]int32, len(b.psCheck))
		for i := range head {
			head[i] = -1
		}
		next = make([]int32, n)
		// A user's assignments are usually adjacent (created together), so
		// the previous row's answer saves most map lookups.
		last, lastK, lastOK := "", int32(0), false
		for i := range n {
			id := assignee(i)
			if i == 0 || id != last {
				lastK, lastOK = pos[id]
				last = id
			}
			if lastOK {
				next[i], head[lastK] = head[lastK], int32(i)
			}
		}
		return head, next
	}
	psHead, psNext := link(len(snap.PermissionSets), func(i int) string { return snap.PermissionSets[i].AssigneeID })
	pslHead, pslNext := link(len(snap.PermissionSetLicenses), func(i int) string { return snap.PermissionSetLicenses[i].AssigneeID })

	type cached struct {
		ws      []Warning
		removes bool
	}
	cache := map[string]cached{}
	// Merged lists are shared too: users of one account with the same
	// permissions get the same slice. psCheck is in plan order, so the cache
	// only ever holds one account's entries.
	type mergeKey [2]*Warning
	merged := map[mergeKey][]Warning{}
	curRank := int32(-1)
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
			cache[string(sig)] = c
		}
		if len(c.ws) > 0 {
			if r := b.rank[pi]; r != curRank {
				curRank = r
				clear(merged)
			}
			up := &b.plan.Users[pi]
			key := mergeKey{&c.ws[0]}
			if len(up.Warnings) > 0 {
				key[1] = &up.Warnings[0]
			}
			ws, ok := merged[key]
			if !ok {
				ws = slices.Clip(merge(up.Warnings, c.ws...))
				merged[key] = ws
			}
			up.Warnings = ws
		}
		d.removesAccess = c.removes
	}
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
