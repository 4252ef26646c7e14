package main

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/apply"
	"github.com/licenseplan/licenseplan/demo/demoplan"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/sfclient"
)

// A scoped read (apply.ReadScoped) through the live client gives the
// records a plan touches exactly as the whole pull does, and only them:
// apply's drift check, re-reads and verify then cost the plan's size, not
// the org's.
func TestReadScoped(t *testing.T) {
	ctx := context.Background()
	for name, snap := range map[string]*org.Snapshot{"demo": demoSnap(t), "generated": orggen.Generate(orggen.Options{Users: 3000, Seed: 7})} {
		t.Run(name, func(t *testing.T) {
			p, err := demoplan.Build(ctx, snap, planner.Options{})
			if err != nil {
				t.Fatal(err)
			}
			url, token := simOrg(t, snap)
			c, err := sfclient.New(sfclient.AccessToken{InstanceURL: url, Token: token}, sfclient.Options{})
			if err != nil {
				t.Fatal(err)
			}
			full, err := c.Pull(ctx)
			if err != nil {
				t.Fatal(err)
			}
			scope := apply.ScopeOf(p)
			if len(scope.UserIDs) == 0 || len(scope.ContactIDs) == 0 || len(scope.AccountIDs) == 0 {
				t.Fatalf("the plan's scope is empty (%d users, %d contacts, %d accounts): the test checks nothing",
					len(scope.UserIDs), len(scope.ContactIDs), len(scope.AccountIDs))
			}
			got, err := apply.ReadScoped(ctx, &liveOrg{r: c}, scope)
			if err != nil {
				t.Fatal(err)
			}
			in := func(ids []string, id string) bool { _, ok := slices.BinarySearch(ids, id); return ok }
			var wantUsers []org.User
			for _, u := range full.Snapshot.Users {
				if in(scope.UserIDs, u.ID) || (u.ContactID != "" && in(scope.ContactIDs, u.ContactID)) {
					wantUsers = append(wantUsers, u)
				}
			}
			// Line is the record's line in its file, which differs.
			for _, us := range [][]org.User{got.Users, wantUsers} {
				for i := range us {
					us[i].Line = 0
				}
			}
			if !reflect.DeepEqual(got.Users, wantUsers) {
				t.Errorf("scoped read: %d users, the pull has %d of the scope's; first difference:\n%s", len(got.Users), len(wantUsers), firstDiff(got.Users, wantUsers))
			}
			if len(got.Users) >= len(full.Snapshot.Users) && name == "generated" {
				t.Errorf("the scoped read has %d users, the whole org %d: it is not scoped", len(got.Users), len(full.Snapshot.Users))
			}
			held := map[string]bool{}
			for _, u := range got.Users {
				held[u.ID] = true
			}
			var wantPS []org.PermissionSetAssignment
			for _, a := range full.Snapshot.PermissionSets {
				if held[a.AssigneeID] {
					wantPS = append(wantPS, a)
				}
			}
			// In assignee order (the pull's is the assignments' Ids).
			byAssignee := func(a, b org.PermissionSetAssignment) int {
				return cmp.Or(strings.Compare(a.AssigneeID, b.AssigneeID), strings.Compare(a.PermissionSetID, b.PermissionSetID))
			}
			slices.SortFunc(got.PermissionSets, byAssignee)
			slices.SortFunc(wantPS, byAssignee)
			if !reflect.DeepEqual(got.PermissionSets, wantPS) {
				t.Errorf("scoped read: %d permission set assignments, want %d: %+v\n%+v", len(got.PermissionSets), len(wantPS), got.PermissionSets[:3], wantPS[:3])
			}
			if !reflect.DeepEqual(got.Licenses, full.Snapshot.Licenses) || !reflect.DeepEqual(got.Organization, full.Snapshot.Organization) {
				t.Error("licenses or the organization differ from the pull")
			}
			for _, id := range scope.AccountIDs {
				if !slices.ContainsFunc(got.Accounts, func(a org.Account) bool { return a.ID == id }) {
					t.Errorf("account %s of the scope was not read", id)
				}
			}
		})
	}
}

func firstDiff(got, want []org.User) string {
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("got  %+v\nwant %+v", got[i], want[i])
		}
	}
	return "(one list is a prefix of the other)"
}
