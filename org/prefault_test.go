package org

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

func TestPrefault(t *testing.T) {
	defer func(c int) { prefaultChunk = c }(prefaultChunk)
	prefaultChunk = 64 // eight int64s
	tests := []struct {
		name    string
		n, fill int
		wantNil bool
	}{
		{"too small", 31, 31, true},
		{"whole slice", 1000, 1000, false},
		{"uneven last chunk", 1003, 1003, false},
		{"filler stops early", 1000, 100, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := make([]int64, 0, tt.n)
			p := prefault(s[:cap(s)])
			if (p == nil) != tt.wantNil {
				t.Fatalf("prefault = %v, want nil %v", p, tt.wantNil)
			}
			for i := range tt.fill {
				p.wait(i)
				s = append(s, int64(i)+1)
			}
			p.done()
			for i, v := range s {
				if v != int64(i)+1 {
					t.Fatalf("s[%d] = %d after filling, want %d", i, v, i+1)
				}
			}
		})
	}
}

// With chunks of one page, a snapshot's big slices are prefaulted while
// they are filled (run with -race); what is read must not change.
func TestReadSnapshotPrefaulted(t *testing.T) {
	var u, psa strings.Builder
	u.WriteString("Id,Username,Profile.UserLicense.Name,IsActive,AccountId,Account.Name\n")
	psa.WriteString("AssigneeId,PermissionSetId,PermissionSet.Name\n")
	for i := range 3000 {
		fmt.Fprintf(&u, "005%07d,u%d@x,Customer Community,%t,001%07d,Account %d\n", i, i, i%7 != 0, i/5, i/5)
		for j := range i % 3 {
			fmt.Fprintf(&psa, "005%07d,0PS%07d,Set %d\n", i, j, j)
		}
	}
	fsys := fstest.MapFS{"User.csv": file(u.String()), "PermissionSetAssignment.csv": file(psa.String())}
	read := func(chunk int) *Snapshot {
		t.Helper()
		defer func(c int) { prefaultChunk = c }(prefaultChunk)
		prefaultChunk = chunk
		s, err := ReadSnapshot(context.Background(), fsys, "snap")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := read(1 << 40) // never prefaults
	got := read(4096)
	if len(got.Users) != 3000 || len(got.PermissionSets) != 3000 {
		t.Fatalf("read %d users and %d assignments, want 3000 and 3000", len(got.Users), len(got.PermissionSets))
	}
	diffSnapshots(t, got, want)
}
