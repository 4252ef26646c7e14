package org

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// An error in User.csv must be the first one in the file, at its place,
// whichever check (the parser's or the store's) finds it. The records
// around 512 and 1024 are where the two-goroutine reader that issue 10
// removed handed over batches; they stay as cases.
func TestReadUsersErrorsAcrossBatches(t *testing.T) {
	const header = "Id,Username,Profile.UserLicense.Name,IsActive\n"
	// Record i (1-based) is 005%07d,u<i>@x,Salesforce,true: Ids increase
	// with i, and the record starts on line i+1.
	type fault struct {
		record int
		kind   string // "dup" (the Id of record 1), "bool", "blank" (no username)
	}
	tests := []struct {
		name     string
		faults   []fault
		n        int
		wantLine int
		wantCol  int
		wantIs   error
	}{
		{"duplicate Id, last of a batch", []fault{{512, "dup"}}, 3 * 512, 512 + 1, 1, ErrDuplicateID},
		{"duplicate Id, first of a batch", []fault{{512 + 1, "dup"}}, 3 * 512, 512 + 2, 1, ErrDuplicateID},
		{"bad boolean in a later batch", []fault{{2*512 + 7, "bool"}}, 3 * 512, 2*512 + 8, 31, ErrInvalidBool},
		{"parse-stage error after a store-stage one", []fault{{700, "dup"}, {701, "blank"}}, 3 * 512, 701, 1, ErrDuplicateID},
		{"store-stage error after a parse-stage one", []fault{{700, "blank"}, {701, "dup"}}, 3 * 512, 701, 12, ErrBlankValue},
		{"bad boolean and duplicate Id in one record", []fault{{1000, "dup"}, {1000, "bool"}}, 3 * 512, 1001, 1, ErrDuplicateID},
		{"blank value in the last record", []fault{{3 * 512, "blank"}}, 3 * 512, 3*512 + 1, 12, ErrBlankValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString(header)
			for i := 1; i <= tt.n; i++ {
				id, username, active := fmt.Sprintf("005%07d", i), fmt.Sprintf("u%d@x", i), "true"
				for _, f := range tt.faults {
					if f.record != i {
						continue
					}
					switch f.kind {
					case "dup":
						id = "0050000001"
					case "bool":
						active = "yes"
					case "blank":
						username = ""
					}
				}
				fmt.Fprintf(&b, "%s,%s,Salesforce,%s\n", id, username, active)
			}
			_, err := ReadSnapshot(context.Background(), fstest.MapFS{"User.csv": file(b.String())}, "snap")
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *InputError", err)
			}
			if !errors.Is(err, tt.wantIs) || ie.Line != tt.wantLine || ie.Column != tt.wantCol {
				t.Errorf("err = %v (line %d, column %d), want %v at line %d, column %d",
					err, ie.Line, ie.Column, tt.wantIs, tt.wantLine, tt.wantCol)
			}
		})
	}
}
