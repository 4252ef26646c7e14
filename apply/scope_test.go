package apply

import (
	"context"
	"strings"
	"testing"
)

// countingQuerier answers every query with no rows and remembers them.
type countingQuerier struct{ soql []string }

func (q *countingQuerier) Query(_ context.Context, soql string, _ []string) ([][]string, error) {
	q.soql = append(q.soql, soql)
	return nil, nil
}

// A plan's Ids go into SOQL IN lists as they are, so one that is not an Id
// (a damaged or hostile plan.json) stops the read before any query with it.
func TestReadScopedRefusesNonIDs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		scope Scope
		bad   bool
	}{
		{"Ids", Scope{UserIDs: []string{"005000000000001AAA"}, ContactIDs: []string{"003000000000001"}, AccountIDs: []string{"001000000000001AAA"}}, false},
		{"a quote in a user Id", Scope{UserIDs: []string{"005' OR Name != '"}}, true},
		{"a short contact Id", Scope{ContactIDs: []string{"003x"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &countingQuerier{}
			_, err := ReadScoped(context.Background(), q, tc.scope)
			if tc.bad != (err != nil && strings.Contains(err.Error(), "is not a Salesforce Id")) {
				t.Fatalf("ReadScoped error %v, want a refusal: %v", err, tc.bad)
			}
			for _, s := range q.soql {
				if strings.Contains(s, "Name != '") {
					t.Errorf("query sent with the hostile Id: %s", s)
				}
			}
			if !tc.bad && !strings.Contains(strings.Join(q.soql, "\n"), "AND (Id IN ('005000000000001AAA'))") {
				t.Errorf("no scoped user query among %q", q.soql)
			}
		})
	}
}
