package soql

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics, that every error is an *Error
// whose position lies inside the query and whose message formats, and that
// a parsed query has what every caller relies on.
//
//	go test ./orgsim/soql -run '^$' -fuzz FuzzParse -fuzztime 30s
func FuzzParse(f *testing.F) {
	seeds := []string{
		"SELECT Id FROM User",
		"SELECT Id, Username, Profile.UserLicense.Name FROM User WHERE ProfileId != null ORDER BY Id",
		"SELECT ParentId FROM ObjectPermissions WHERE PermissionsViewAllRecords = true OR PermissionsModifyAllRecords = true ORDER BY Id",
		"SELECT COUNT() FROM User WHERE IsActive = false LIMIT 5",
		"select id from user where (a = 1 or b <= -2.5) and not c like 'x\\_%' and d not in ('a', null) order by e desc nulls last limit 1 offset 2",
		"SELECT Id FROM User WHERE Name = 'O\\'Brien\\n'",
		"SELECT Id FROM User WHERE Name = '",
		"SELECT Id FROM User WHERE CreatedDate > 2024-01-01T00:00:00Z",
		"SELECT COUNT(Id) FROM User GROUP BY Name",
		"SELECT Id FROM User WHERE ((((Id = '1'))))",
		"SELECT\n Id\r\nFROM\tUser WHERE Name <> 'é'",
		"SELECT Id FROM User WHERE Id = :x;",
		"",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		q, err := Parse(query)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if e.Code == "" || e.Msg == "" {
				t.Fatalf("error without code or message: %+v", e)
			}
			if e.Pos < -1 || e.Pos > len(query) {
				t.Fatalf("error position %d outside the query of %d bytes", e.Pos, len(query))
			}
			msg := e.Message(query)
			if e.Pos >= 0 && utf8.ValidString(query) && !strings.Contains(msg, "ERROR at Row:") {
				t.Fatalf("message without position: %q", msg)
			}
			return
		}
		if q.Object.Name == "" {
			t.Fatal("parsed query without an object")
		}
		if q.Count == (len(q.Fields) > 0) {
			t.Fatalf("Count = %v with %d fields", q.Count, len(q.Fields))
		}
		for _, p := range q.Fields {
			if len(p.Parts) == 0 {
				t.Fatal("empty path")
			}
		}
		if q.Limit != nil && q.Limit.N < 0 || q.Offset != nil && q.Offset.N < 0 {
			t.Fatal("negative LIMIT or OFFSET")
		}
		walk(t, q.Where)
	})
}

func walk(t *testing.T, e Expr) {
	switch e := e.(type) {
	case nil:
	case *Logical:
		if len(e.Terms) < 2 {
			t.Fatalf("%s with %d terms", e.Op, len(e.Terms))
		}
		for _, x := range e.Terms {
			walk(t, x)
		}
	case *Not:
		walk(t, e.X)
	case *Comparison, *Like:
	case *In:
		if len(e.Values) == 0 {
			t.Fatal("IN without values")
		}
	default:
		t.Fatalf("unknown condition %T", e)
	}
}
