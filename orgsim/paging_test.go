package orgsim

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"
)

var nextURLRE = regexp.MustCompile(`^/services/data/v54\.0/query/(01g[0-9A-Za-z]{15})-(\d+)$`)

func TestPaging(t *testing.T) {
	batches := []struct {
		header string // Sforce-Query-Options
		size   int    // the page size it should give
	}{
		{"", 2000},
		{"batchSize=200", 200},
		{"batchSize=500", 500},
		{"batchSize=100", 200},   // below the minimum: clamped up
		{"batchSize=9999", 2000}, // above the maximum: clamped down
		{"batchSize=lots", 2000}, // unreadable: the default
	}
	servers := map[int]*Server{}
	for _, n := range []int{0, 1, 199, 200, 2000, 2001, 5000} {
		servers[n] = newServer(t, usersSnapshot(n), Options{})
		for _, b := range batches {
			t.Run(fmt.Sprintf("%d users %q", n, b.header), func(t *testing.T) {
				s := servers[n]
				var header []string
				if b.header != "" {
					header = []string{"Sforce-Query-Options", b.header}
				}
				records, pages := queryAll(t, s, s.AccessToken(), "SELECT Id, Username FROM User ORDER BY Id", header...)
				if len(records) != n {
					t.Fatalf("%d records, want %d", len(records), n)
				}
				wantPages := max(1, (n+b.size-1)/b.size)
				if len(pages) != wantPages {
					t.Errorf("%d pages, want %d", len(pages), wantPages)
				}
				offset := 0
				for i, p := range pages {
					if p.TotalSize != n {
						t.Errorf("page %d: totalSize %d, want %d", i, p.TotalSize, n)
					}
					want := min(b.size, n-offset)
					if len(p.Records) != want {
						t.Errorf("page %d: %d records, want %d", i, len(p.Records), want)
					}
					offset += len(p.Records)
					if p.Done != (i == len(pages)-1) {
						t.Errorf("page %d: done = %v", i, p.Done)
					}
					if !p.Done {
						m := nextURLRE.FindStringSubmatch(p.NextRecordsURL)
						if m == nil || m[2] != strconv.Itoa(offset) {
							t.Errorf("page %d: nextRecordsUrl %q, want /services/data/v54.0/query/<locator>-%d", i, p.NextRecordsURL, offset)
						}
					}
				}
				for i, rec := range records {
					if want := fmt.Sprintf("user%d@example.com", i+1); rec["Username"] != want {
						t.Fatalf("record %d: Username %v, want %s (lost, duplicated or out of order)", i, rec["Username"], want)
					}
				}
			})
		}
	}
}

func TestPagingWithLimitOffsetAndCount(t *testing.T) {
	s := newServer(t, usersSnapshot(5000), Options{})
	tok := s.AccessToken()
	tests := []struct {
		soql       string
		total      int
		pages      int
		firstIndex int // 1-based user number of the first record
	}{
		{"SELECT Id, Username FROM User ORDER BY Id LIMIT 2500", 2500, 2, 1},
		{"SELECT Id, Username FROM User ORDER BY Id LIMIT 2000", 2000, 1, 1},
		{"SELECT Id, Username FROM User ORDER BY Id LIMIT 10 OFFSET 2000", 10, 1, 2001},
		{"SELECT Id, Username FROM User ORDER BY Id OFFSET 1990", 3010, 2, 1991},
		{"SELECT Id, Username FROM User ORDER BY Username DESC LIMIT 1", 1, 1, 9}, // "user9@" sorts after "user999@"
		{"SELECT Id, Username FROM User ORDER BY Id LIMIT 0", 0, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.soql, func(t *testing.T) {
			records, pages := queryAll(t, s, tok, tc.soql)
			if len(records) != tc.total || pages[0].TotalSize != tc.total || len(pages) != tc.pages {
				t.Fatalf("%d records, totalSize %d, %d pages; want %d, %d, %d",
					len(records), pages[0].TotalSize, len(pages), tc.total, tc.total, tc.pages)
			}
			if tc.total > 0 {
				if want := fmt.Sprintf("user%d@example.com", tc.firstIndex); records[0]["Username"] != want {
					t.Errorf("first record %v, want %s", records[0]["Username"], want)
				}
			}
		})
	}

	for _, tc := range []struct {
		soql  string
		total int
	}{
		{"SELECT COUNT() FROM User", 5000},
		{"SELECT COUNT() FROM User WHERE Username LIKE 'user1%'", 1111},
		{"SELECT COUNT() FROM User LIMIT 7", 7},
		{"SELECT COUNT() FROM UserLicense", 0},
	} {
		t.Run(tc.soql, func(t *testing.T) {
			r := serve(s, http.MethodGet, queryPath(tc.soql), tok, nil)
			var p page
			r.json(t, &p)
			if r.status != 200 || p.TotalSize != tc.total || !p.Done || p.Records == nil || len(p.Records) != 0 {
				t.Errorf("%d %s; want totalSize %d, done, records []", r.status, r.body, tc.total)
			}
		})
	}
}

func TestCursors(t *testing.T) {
	s := newServer(t, usersSnapshot(500), Options{MaxCursors: 2})
	tok := s.AccessToken()
	first := func() string {
		r := serve(s, http.MethodGet, queryPath("SELECT Id FROM User"), tok, nil, "Sforce-Query-Options", "batchSize=200")
		var p page
		r.json(t, &p)
		return p.NextRecordsURL
	}
	a, b, c := first(), first(), first()
	// A third open cursor closes the oldest.
	if r := serve(s, http.MethodGet, a, tok, nil); r.status != 400 || r.apiErr(t).ErrorCode != "INVALID_QUERY_LOCATOR" {
		t.Errorf("oldest cursor: %d %s, want 400 INVALID_QUERY_LOCATOR", r.status, r.body)
	}
	for _, u := range []string{b, c, b} { // a page can be fetched again
		if r := serve(s, http.MethodGet, u, tok, nil); r.status != 200 {
			t.Errorf("GET %s: %d %s", u, r.status, r.body)
		}
	}
	m := nextURLRE.FindStringSubmatch(b)
	for _, bad := range []string{
		"/services/data/v54.0/query/" + m[1] + "-500",       // past the end
		"/services/data/v54.0/query/" + m[1] + "--1",        // negative
		"/services/data/v54.0/query/" + m[1] + "-x",         // not a number
		"/services/data/v54.0/query/" + m[1],                // no offset
		"/services/data/v54.0/query/01gSM0000000099AAA-200", // unknown
	} {
		if r := serve(s, http.MethodGet, bad, tok, nil); r.status != 400 || r.apiErr(t).ErrorCode != "INVALID_QUERY_LOCATOR" {
			t.Errorf("GET %s: %d %s, want 400 INVALID_QUERY_LOCATOR", bad, r.status, r.body)
		}
	}
}

// TestConcurrentPulls pulls the same org from several clients at once,
// each through its own cursor.
func TestConcurrentPulls(t *testing.T) {
	s := newServer(t, usersSnapshot(3000), Options{})
	base := startServer(t, s)
	tok := s.AccessToken()
	var wg sync.WaitGroup
	counts := make([]int, 8)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &httpClient{t: t, base: base, token: tok, batch: "batchSize=200"}
			counts[i] = len(c.queryAll("SELECT Id, Username, Profile.Name FROM User ORDER BY Id"))
		}()
	}
	wg.Wait()
	for i, n := range counts {
		if n != 3000 {
			t.Errorf("client %d got %d records, want 3000", i, n)
		}
	}
	if st := s.Stats(); st.Endpoints["query"] != 8 || st.Endpoints["query_more"] != 8*14 {
		t.Errorf("endpoints %v, want 8 queries and 112 next pages", st.Endpoints)
	}
}
