package soql

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// dump renders a condition compactly, so tests can compare trees as text.
func dump(e Expr) string {
	switch e := e.(type) {
	case nil:
		return ""
	case *Logical:
		parts := make([]string, len(e.Terms))
		for i, t := range e.Terms {
			parts[i] = dump(t)
		}
		return "(" + strings.Join(parts, " "+e.Op.String()+" ") + ")"
	case *Not:
		return "NOT " + dump(e.X)
	case *Comparison:
		return e.Field.String() + e.Op.String() + lit(e.Value)
	case *In:
		vals := make([]string, len(e.Values))
		for i, v := range e.Values {
			vals[i] = lit(v)
		}
		op := " IN "
		if e.Negate {
			op = " NOT IN "
		}
		return e.Field.String() + op + "[" + strings.Join(vals, ",") + "]"
	case *Like:
		return e.Field.String() + " LIKE " + e.Pattern.String()
	}
	return fmt.Sprintf("?%T", e)
}

func lit(l Literal) string {
	switch l.Kind {
	case LitString:
		return fmt.Sprintf("%q", l.Str)
	case LitNumber:
		return fmt.Sprint(l.Num)
	case LitBool:
		return fmt.Sprint(l.Bool)
	}
	return "null"
}

func TestParse(t *testing.T) {
	tests := []struct {
		name   string
		query  string
		fields string // comma-joined
		object string
		where  string
		order  string
		limit  int64 // -1: none
		offset int64
		count  bool
	}{
		{name: "simple", query: "SELECT Id, Name FROM User", fields: "Id,Name", object: "User", limit: -1, offset: -1},
		{name: "keywords any case, relationship paths", query: "select Id, Profile.UserLicense.Name from User where ProfileId != null order by Id",
			fields: "Id,Profile.UserLicense.Name", object: "User", where: "ProfileId!=null", order: "Id ASC", limit: -1, offset: -1},
		{name: "or chain", query: "SELECT ParentId FROM ObjectPermissions WHERE PermissionsViewAllRecords = true OR PermissionsModifyAllRecords = true",
			fields: "ParentId", object: "ObjectPermissions", where: "(PermissionsViewAllRecords=true OR PermissionsModifyAllRecords=true)", limit: -1, offset: -1},
		{name: "and of parenthesised or, not, in, not in, like",
			query:  "SELECT Id FROM User WHERE (IsActive = true OR UserType = 'Standard') AND NOT Name LIKE 'a\\_b%' AND Id IN ('1','2') AND UserType NOT IN ('Guest')",
			fields: "Id", object: "User",
			where: `((IsActive=true OR UserType="Standard") AND NOT Name LIKE a_b% AND Id IN ["1","2"] AND UserType NOT IN ["Guest"])`,
			limit: -1, offset: -1},
		{name: "numbers, signs, <>", query: "SELECT Id FROM UserLicense WHERE TotalLicenses >= -1 AND UsedLicenses < 2.5 AND Name <> 'x'",
			fields: "Id", object: "UserLicense", where: `(TotalLicenses>=-1 AND UsedLicenses<2.5 AND Name!="x")`, limit: -1, offset: -1},
		{name: "escapes", query: `SELECT Id FROM Account WHERE Name = 'O\'Brien \\ \n'`,
			fields: "Id", object: "Account", where: `Name="O'Brien \\ \n"`, limit: -1, offset: -1},
		{name: "order by list, nulls, limit, offset", query: "SELECT Id FROM User ORDER BY Name DESC NULLS LAST, Id ASC NULLS FIRST, Username LIMIT 10 OFFSET 5",
			fields: "Id", object: "User", order: "Name DESC LAST,Id ASC FIRST,Username ASC", limit: 10, offset: 5},
		{name: "count", query: "SELECT COUNT() FROM User WHERE IsActive = false", count: true, object: "User", where: "IsActive=false", limit: -1, offset: -1},
		{name: "field named count", query: "SELECT Count, Id FROM Thing", fields: "Count,Id", object: "Thing", limit: -1, offset: -1},
		{name: "white space and newlines", query: "SELECT\n\tId\r\n,Name\nFROM\nUser\n", fields: "Id,Name", object: "User", limit: -1, offset: -1},
		{name: "null in list", query: "SELECT Id FROM User WHERE UserRoleId IN (null, '00E')", fields: "Id", object: "User",
			where: `UserRoleId IN [null,"00E"]`, limit: -1, offset: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.query)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var fields []string
			for _, f := range q.Fields {
				fields = append(fields, f.String())
			}
			if got := strings.Join(fields, ","); got != tc.fields {
				t.Errorf("fields = %q, want %q", got, tc.fields)
			}
			if q.Count != tc.count {
				t.Errorf("count = %v, want %v", q.Count, tc.count)
			}
			if q.Object.Name != tc.object {
				t.Errorf("object = %q, want %q", q.Object.Name, tc.object)
			}
			if got := dump(q.Where); got != tc.where {
				t.Errorf("where = %s, want %s", got, tc.where)
			}
			var order []string
			for _, o := range q.OrderBy {
				s := o.Field.String()
				if o.Desc {
					s += " DESC"
				} else {
					s += " ASC"
				}
				switch o.Nulls {
				case NullsFirst:
					s += " FIRST"
				case NullsLast:
					s += " LAST"
				}
				order = append(order, s)
			}
			if got := strings.Join(order, ","); got != tc.order {
				t.Errorf("order = %q, want %q", got, tc.order)
			}
			limit, offset := int64(-1), int64(-1)
			if q.Limit != nil {
				limit = q.Limit.N
			}
			if q.Offset != nil {
				offset = q.Offset.N
			}
			if limit != tc.limit || offset != tc.offset {
				t.Errorf("limit, offset = %d, %d; want %d, %d", limit, offset, tc.limit, tc.offset)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		query string
		col   int    // 1-based column of the error
		msg   string // the error message's last line
	}{
		{"empty", "", 1, "unexpected token: '<EOF>'"},
		{"misspelt FROM", "SELECT Id FRM User", 11, "unexpected token: 'FRM'"},
		{"missing object", "SELECT Id FROM", 15, "unexpected token: '<EOF>'"},
		{"trailing WHERE", "SELECT Id FROM User WHERE", 26, "unexpected token: '<EOF>'"},
		{"alias", "SELECT Id FROM User u", 21, "unexpected token: 'u'"},
		{"mixed AND OR", "SELECT Id FROM User WHERE IsActive = true AND Name = 'a' OR Name = 'b'", 58, "unexpected token: 'OR'"},
		{"aggregate", "SELECT COUNT(Id) FROM User", 14, "unexpected token: 'Id'"},
		{"group by", "SELECT Name FROM User GROUP BY Name", 23, "unexpected token: 'GROUP'"},
		{"subquery", "SELECT Id, (SELECT Id FROM Contacts) FROM Account", 12, "unexpected token: '('"},
		{"date literal", "SELECT Id FROM User WHERE CreatedDate > 2024-01-01", 41, "unexpected token: '2024-01-01'"},
		{"datetime literal", "SELECT Id FROM User WHERE CreatedDate > 2024-01-01T00:00:00Z", 41, "unexpected token: '2024-01-01T00:00:00Z'"},
		{"exponent", "SELECT Id FROM User WHERE N > 1e5", 31, "unexpected token: '1e5'"},
		{"date function", "SELECT Id FROM User WHERE CreatedDate = TODAY", 41, "unexpected token: 'TODAY'"},
		{"bind variable", "SELECT Id FROM User WHERE Id = :ids", 32, "line 1:31 no viable alternative at character ':'"},
		{"double quotes", `SELECT Id FROM User WHERE Name = "x"`, 34, `line 1:33 no viable alternative at character '"'`},
		{"unterminated string", "SELECT Id FROM User WHERE Name = 'x", 36, "line 1:35 mismatched character '<EOF>' expecting '''"},
		{"bad escape", `SELECT Id FROM User WHERE Name = 'a\qb'`, 34, `Invalid string literal 'a\qb'. Illegal character sequence '\q' in string literal.`},
		{"like escape outside like", `SELECT Id FROM User WHERE Name = 'a\%'`, 34, `Invalid string literal 'a\%'. Illegal character sequence '\%' in string literal.`},
		{"like needs a string", "SELECT Id FROM User WHERE Name LIKE 5", 37, "unexpected token: '5'"},
		{"in needs a list", "SELECT Id FROM User WHERE Id IN 'a'", 33, "unexpected token: ''a''"},
		{"empty in list", "SELECT Id FROM User WHERE Id IN ()", 34, "unexpected token: ')'"},
		{"not without in", "SELECT Id FROM User WHERE Id NOT LIKE 'a'", 34, "unexpected token: 'LIKE'"},
		{"limit not a number", "SELECT Id FROM User LIMIT x", 27, "unexpected token: 'x'"},
		{"limit decimal", "SELECT Id FROM User LIMIT 1.5", 27, "unexpected token: '1.5'"},
		{"offset before limit", "SELECT Id FROM User OFFSET 1 LIMIT 2", 30, "unexpected token: 'LIMIT'"},
		{"nulls without first or last", "SELECT Id FROM User ORDER BY Id NULLS", 38, "unexpected token: '<EOF>'"},
		{"reserved word as field", "SELECT Id, From FROM User", 12, "unexpected token: 'From'"},
		{"reserved word after a dot", "SELECT Owner.Limit FROM Account", 14, "unexpected token: 'Limit'"},
		{"trailing comma", "SELECT Id, FROM User", 12, "unexpected token: 'FROM'"},
		{"dangling dot", "SELECT Profile. FROM User", 17, "unexpected token: 'FROM'"},
		{"sign apart from number", "SELECT Id FROM User WHERE N = - 1", 33, "unexpected token: '1'"},
		{"semicolon", "SELECT Id FROM User;", 20, "line 1:19 no viable alternative at character ';'"},
		{"second line", "SELECT Id\nFROM User\nWHERE Name ==", 13, "unexpected token: '='"},
		{"typeof", "SELECT TYPEOF What WHEN Account THEN Name END FROM Event", 15, "unexpected token: 'What'"},
		{"fields function", "SELECT FIELDS(ALL) FROM User", 14, "unexpected token: '('"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.query)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tc.query, q)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if e.Code != MalformedQuery {
				t.Errorf("code = %s, want %s", e.Code, MalformedQuery)
			}
			msg := e.Message(tc.query)
			lines := strings.Split(msg, "\n")
			if got := lines[len(lines)-1]; got != tc.msg {
				t.Errorf("message ends %q, want %q\nfull message:%s", got, tc.msg, msg)
			}
			if got := colOf(tc.query, e.Pos); got != tc.col {
				t.Errorf("column = %d, want %d\n%s", got, tc.col, msg)
			}
			wantAt := fmt.Sprintf("ERROR at Row:%d:Column:%d", rowOf(tc.query, e.Pos), tc.col)
			if !strings.Contains(msg, wantAt) {
				t.Errorf("message lacks %q:\n%s", wantAt, msg)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	q := "SELECT Id\nFROM User\nWHERE Name ==  'x'"
	_, err := Parse(q)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %v", err)
	}
	want := "\nWHERE Name ==  'x'\n            ^\nERROR at Row:3:Column:13\nunexpected token: '='"
	if got := e.Message(q); got != want {
		t.Errorf("Message:\n%q\nwant\n%q", got, want)
	}
	if got := (&Error{Code: "X", Pos: -1, Msg: "m"}).Message(q); got != "m" {
		t.Errorf("Message without position = %q, want %q", got, "m")
	}
}

func TestTooLongAndTooDeep(t *testing.T) {
	long := "SELECT Id FROM User WHERE Name = '" + strings.Repeat("x", MaxLength) + "'"
	if _, err := Parse(long); err == nil || !strings.Contains(err.Error(), "cannot be longer") {
		t.Errorf("long query: err = %v, want a length error", err)
	}
	deep := "SELECT Id FROM User WHERE " + strings.Repeat("(", 200) + "Id = '1'" + strings.Repeat(")", 200)
	if _, err := Parse(deep); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("deep query: err = %v, want a nesting error", err)
	}
	ok := "SELECT Id FROM User WHERE " + strings.Repeat("(", 50) + "Id = '1'" + strings.Repeat(")", 50)
	if _, err := Parse(ok); err != nil {
		t.Errorf("50 levels: %v", err)
	}
}

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		pattern string // as in the query, between quotes
		s       string
		want    bool
	}{
		{"abc", "ABC", true},
		{"abc", "abcd", false},
		{"a%", "a", true},
		{"a%", "Axyz", true},
		{"%z", "xyz", true},
		{"%y%", "xyz", true},
		{"%y%", "xz", false},
		{"a_c", "abc", true},
		{"a_c", "ac", false},
		{"a_c", "aéc", true},
		{`a\_c`, "abc", false},
		{`a\_c`, "a_c", true},
		{`100\%`, "100%", true},
		{`100\%`, "1000", false},
		{"%a%b%c%", "xxaxxbxxcxx", true},
		{"%a%b%c%", "xxcxxbxxaxx", false},
		{"ÉCOLE%", "école normale", true},
		{"", "", true},
		{"%", "", true},
		{"_", "", false},
		{"%%_", "x", true},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+"~"+tc.s, func(t *testing.T) {
			p, err := decodePattern(tc.pattern, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Match(tc.s); got != tc.want {
				t.Errorf("%q LIKE %q = %v, want %v", tc.s, tc.pattern, got, tc.want)
			}
		})
	}
}
