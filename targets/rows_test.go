package targets

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestRows checks what the compact row table gives back: every row, by
// Id and by username in any case, with its license, profile, origin and
// source, across Merge; and that a Finder answers as Lookup does in any
// order of users.
func TestRows(t *testing.T) {
	lic := catalog(t)
	parse := func(t *testing.T, name, in string) *Set {
		t.Helper()
		s, err := ParseCSV(name, strings.NewReader(in), lic)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	many := func(n int, key string) string {
		var b strings.Builder
		b.WriteString(key + ",TargetLicense,TargetProfile\n")
		for i := range n {
			fmt.Fprintf(&b, "%s%06d,Customer Community,P%d\n", map[string]string{"Id": "005X", "Username": "U.Ser"}[key], i, i%3)
		}
		return b.String()
	}
	long := strings.Repeat("x", arenaBlock+10) // a value bigger than an arena block
	preset, err := Preset("experience-cloud", lic)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		set  func(t *testing.T) *Set
		want []Row // Row(i) for each i
		miss []UserRef
	}{
		{"ids and usernames", func(t *testing.T) *Set {
			return parse(t, "a.csv", "Id,Username,TargetLicense,TargetProfile\n005A,Ann@X,Partner Community,PC User\n,bob@x,customer community,\n005C,,Salesforce,\n")
		}, []Row{
			{"005A", "Ann@X", Target{"Partner Community", "PC User", "a.csv:2", 0}},
			{"", "bob@x", Target{"Customer Community", "", "a.csv:3", 0}},
			{"005C", "", Target{"Salesforce", "", "a.csv:4", 0}},
		}, []UserRef{{ID: "005a"}, {Username: "carl@x"}, {ID: "005B", Username: "ann"}}},
		{"rows after a preset take its next source", func(t *testing.T) *Set {
			m, err := Merge(preset, parse(t, "b.csv", "Id,TargetLicense\n005A,Partner Community\n"))
			if err != nil {
				t.Fatal(err)
			}
			return m
		}, []Row{{"005A", "", Target{"Partner Community", "", "b.csv:2", 1}}}, nil},
		{"two files merged", func(t *testing.T) *Set {
			m, err := Merge(parse(t, "a.csv", "Id,TargetLicense\n005A,Partner Community\n"), preset,
				parse(t, "b.csv", "\n\nUsername,TargetLicense,TargetProfile\nZ@x,Salesforce,Std\n"))
			if err != nil {
				t.Fatal(err)
			}
			return m
		}, []Row{
			{"005A", "", Target{"Partner Community", "", "a.csv:2", 0}},
			{"", "Z@x", Target{"Salesforce", "Std", "b.csv:4", 2}},
		}, []UserRef{{ID: "005Z"}}},
		{"a value bigger than an arena block", func(t *testing.T) *Set {
			return parse(t, "c.csv", "Id,Username,TargetLicense\n005A,a@x,Salesforce\n005"+long+",b@x,Salesforce\n005C,c@x,Salesforce\n")
		}, []Row{
			{"005A", "a@x", Target{"Salesforce", "", "c.csv:2", 0}},
			{"005" + long, "b@x", Target{"Salesforce", "", "c.csv:3", 0}},
			{"005C", "c@x", Target{"Salesforce", "", "c.csv:4", 0}},
		}, []UserRef{{ID: "005" + long[1:]}}},
		{"many rows by Id", func(t *testing.T) *Set { return parse(t, "d.csv", many(20_000, "Id")) }, nil, []UserRef{{ID: "005X020000"}, {ID: "005X"}}},
		{"many rows by username", func(t *testing.T) *Set { return parse(t, "e.csv", many(20_000, "Username")) }, nil, []UserRef{{Username: "u.ser020000"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.set(t)
			if tt.want != nil && s.NumRows() != len(tt.want) {
				t.Fatalf("%d rows, want %d", s.NumRows(), len(tt.want))
			}
			var users []UserRef
			for i := range s.NumRows() {
				r := s.Row(i)
				if tt.want != nil && r != tt.want[i] {
					t.Errorf("Row(%d) = %+v\nwant     %+v", i, r, tt.want[i])
				}
				// Found by Id, and by username in another case.
				for _, u := range []UserRef{{ID: r.UserID}, {Username: strings.ToUpper(r.Username)}} {
					if u == (UserRef{}) {
						continue
					}
					users = append(users, u)
					if m, ok := s.Lookup(u); !ok || m.Row != i || m.Target != r.Target {
						t.Fatalf("Lookup(%+v) = %+v %v, want row %d %+v", u, m, ok, i, r.Target)
					}
				}
			}
			for _, u := range tt.miss {
				if m, ok := s.Lookup(u); ok && m.Row >= 0 {
					t.Errorf("Lookup(%+v) found row %d", u, m.Row)
				}
				users = append(users, u)
			}
			// A Finder answers as Lookup does, users in order, shuffled,
			// and each asked twice.
			shuffled := append([]UserRef(nil), users...)
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			for _, order := range [][]UserRef{users, shuffled, append(users, users...)} {
				f := s.Finder()
				for _, u := range order {
					m, ok := f.Lookup(u)
					wm, wok := s.Lookup(u)
					if m != wm || ok != wok {
						t.Fatalf("Finder.Lookup(%+v) = %+v %v, Lookup = %+v %v", u, m, ok, wm, wok)
					}
				}
				checkFindRows(t, s, order, 4)
			}
		})
	}
}

// checkFindRows checks that FindRows finds the rows Lookup finds.
func checkFindRows(t *testing.T, s *Set, users []UserRef, workers int) {
	t.Helper()
	rows := s.FindRows(len(users), func(i int) (string, string) { return users[i].ID, users[i].Username }, workers)
	for i, u := range users {
		want := int32(-1)
		if m, ok := s.Lookup(u); ok && m.Row >= 0 {
			want = int32(m.Row)
			if m.Origin == "" {
				t.Fatalf("Lookup(%+v) has no origin", u)
			}
			if m.Origin = ""; s.MatchRow(m.Row) != m {
				t.Fatalf("MatchRow(%d) = %+v, Lookup = %+v", m.Row, s.MatchRow(m.Row), m)
			}
		}
		if rows[i] != want {
			t.Fatalf("FindRows: user %d (%+v) has row %d, Lookup finds %d", i, u, rows[i], want)
		}
	}
}

// TestFindRowsSplit has enough users for FindRows to split them among
// goroutines: in the rows' order, shuffled, and with users no row names.
func TestFindRowsSplit(t *testing.T) {
	const n = 3 * findRowsChunk
	var b strings.Builder
	b.WriteString("Id,Username,TargetLicense\n")
	for i := range n {
		if i%5 == 0 {
			fmt.Fprintf(&b, ",u%d@x,Customer Community\n", i) // by username alone
		} else {
			fmt.Fprintf(&b, "005X%07d,u%d@x,Customer Community\n", i, i)
		}
	}
	s, err := ParseCSV("t.csv", strings.NewReader(b.String()), catalog(t))
	if err != nil {
		t.Fatal(err)
	}
	users := make([]UserRef, 0, n+n/10)
	for i := range n {
		users = append(users, UserRef{ID: fmt.Sprintf("005X%07d", i), Username: fmt.Sprintf("U%d@x", i)})
		if i%10 == 0 {
			users = append(users, UserRef{ID: fmt.Sprintf("005Y%07d", i), Username: "nobody@x"})
		}
	}
	shuffled := append([]UserRef(nil), users...)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, workers := range []int{1, 2, 3, 8} {
		for name, order := range map[string][]UserRef{"in order": users, "shuffled": shuffled} {
			t.Run(fmt.Sprintf("%s/%d workers", name, workers), func(t *testing.T) { checkFindRows(t, s, order, workers) })
		}
	}
}

// A user whose Id is in one row and whose username is in the next: Lookup
// goes by Id first, and so must a Finder, though it tries the next row.
func TestFinderIdFirst(t *testing.T) {
	s, err := ParseCSV("t.csv", strings.NewReader("Id,Username,TargetLicense\n005B,,Salesforce\n005A,b@x,Partner Community\n"), catalog(t))
	if err != nil {
		t.Fatal(err)
	}
	f := s.Finder()
	for _, tt := range []struct {
		u    UserRef
		want int
	}{
		{UserRef{ID: "005B"}, 0},
		{UserRef{ID: "005B", Username: "b@x"}, 0},
		{UserRef{ID: "005Q", Username: "B@X"}, 1},
	} {
		if m, ok := f.Lookup(tt.u); !ok || m.Row != tt.want {
			t.Errorf("Lookup(%+v) = row %d %v, want %d", tt.u, m.Row, ok, tt.want)
		}
	}
}
