package sfclient

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	orgpkg "github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/orgsim"
)

// TestDecodePageCells: each selected field of a record becomes the CSV
// cell the map-based decoder made (the cases of the old TestCell).
func TestDecodePageCells(t *testing.T) {
	const rec = `{
		"attributes": {"type": "User"},
		"Id": "005000000000001AAA",
		"IsActive": true,
		"TotalLicenses": 250,
		"Ratio": 0.5,
		"Big": 12345678901,
		"Exp": 1e3,
		"Profile": {"attributes": {"type": "Profile"}, "Name": "Partner User",
			"UserLicense": {"attributes": {"type": "UserLicense"}, "Name": "Partner Community"}},
		"UserRole": null,
		"Account": {"attributes": {"type": "Account"}, "IsPartner": false, "Name": null},
		"Weird": [1, 2],
		"Unselected": {"deep": [{"x": [1, {"y": null}]}]}
	}`
	tests := []struct {
		path, want, err string
	}{
		{"Id", "005000000000001AAA", ""},
		{"IsActive", "true", ""},
		{"TotalLicenses", "250", ""},
		{"Ratio", "0.5", ""},
		{"Big", "12345678901", ""},
		{"Exp", "1000", ""},
		{"Profile.UserLicense.Name", "Partner Community", ""},
		{"profile.userlicense.name", "Partner Community", ""}, // Salesforce's case may differ from the query's
		{"UserRole.Name", "", ""},                             // null parent: blank
		{"UserRole.PortalAccount.Name", "", ""},
		{"Account.IsPartner", "false", ""},
		{"Account.Name", "", ""},
		{"Account.OwnerId", "", "field Account.OwnerId is missing from the record"},
		{"Username", "", "field Username is missing from the record"},
		{"Profile", "", "an object, not a value"},
		{"Weird", "", "a list, not a value"},
		{"IsActive.Name", "", "IsActive is not a relationship object"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			paths := splitPaths([]string{"Id", tt.path})
			page, rows, err := decodePage([]byte(`{"totalSize":1,"done":true,"records":[`+rec+`]}`), paths, 0)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(rows) != 1 || rows[0][1] != tt.want {
				t.Fatalf("got %q, %v; want %q", rows, err, tt.want)
			}
			if page.TotalSize != 1 || !page.Done || page.Records != 1 {
				t.Errorf("page %+v", page)
			}
		})
	}
}

// TestDecodePageShapes: answers that are not a query page fail, and what
// a page says besides its records is kept.
func TestDecodePageShapes(t *testing.T) {
	paths := splitPaths([]string{"Id", "Name"})
	tests := []struct {
		name, body, err string
		total, records  int
		next            string
	}{
		{"two records and a locator", `{"totalSize":5,"done":false,"nextRecordsUrl":"/services/data/v64.0/query/01g-2",` +
			`"records":[{"Id":"005000000000001","Name":"a"},{"Id":"005000000000002","Name":null}]}`, "", 5, 2, "/services/data/v64.0/query/01g-2"},
		{"records null", `{"totalSize":0,"done":true,"records":null}`, "", 0, 0, ""},
		{"unknown keys skipped", `{"x":[{"y":1}],"totalSize":0,"done":true,"records":[]}`, "", 0, 0, ""},
		{"null record", `{"totalSize":1,"done":true,"records":[null]}`, "record 1 is null", 0, 0, ""},
		{"string record", `{"totalSize":1,"done":true,"records":["x"]}`, "record 1 is a string, not an object", 0, 0, ""},
		{"records object", `{"totalSize":1,"done":true,"records":{}}`, "records is an object, not a list", 0, 0, ""},
		{"bad Id", `{"totalSize":1,"done":true,"records":[{"Id":"x' OR '1'='1","Name":"a"}]}`, "is not a Salesforce Id", 0, 0, ""},
		{"truncated", `{"totalSize":1,"done":true,"records":[{"Id":"005000000000001","Na`, "the answer is not valid JSON", 0, 0, ""},
		// fastjson's parser alone takes these; the grammar does not.
		{"control character in a skipped key", "{\"totalSize\":1,\"done\":true,\"records\":[{\"Id\":\"005000000000001\",\"Name\":\"a\",\"attributes\":{\"t\x01e\":\"User\"}}]}", "invalid character", 0, 0, ""},
		{"control character in a value", "{\"totalSize\":1,\"done\":true,\"records\":[{\"Id\":\"005000000000001\",\"Name\":\"a\tb\"}]}", "invalid character", 0, 0, ""},
		{"control character before an escape", "{\"totalSize\":1,\"done\":true,\"records\":[{\"Id\":\"005000000000001\",\"Name\":\"a\",\"X\":\"\x16\\\\b\"}]}", "invalid character", 0, 0, ""},
		{"bad escape in a skipped field", `{"totalSize":1,"done":true,"records":[{"Id":"005000000000001","Name":"a","X":"\q"}]}`, "the answer is not valid JSON", 0, 0, ""},
		{"bad number in a skipped field", `{"totalSize":1,"done":true,"records":[{"Id":"005000000000001","Name":"a","X":01}]}`, "the answer is not valid JSON", 0, 0, ""},
		{"trailing data", `{"totalSize":0,"done":true,"records":[]}{}`, "after top-level value at byte 41", 0, 0, ""},
		{"array", `[{"errorCode":"X"}]`, `the answer is a list, not a query result object`, 0, 0, ""},
		{"number record", `{"totalSize":1,"done":true,"records":[{"Id":"005000000000001","Name":"a"},7]}`, "record 2 is a number, not an object", 0, 0, ""},
		{"no totalSize", `{"done":true,"records":[]}`, "no totalSize", 0, 0, ""},
		{"misspelled totalSize", `{"totAlSiZe":1,"done":true,"records":[]}`, "totalSize twice or misspelled", 0, 0, ""},
		{"records twice", `{"totalSize":0,"done":true,"records":[],"records":[]}`, "records twice", 0, 0, ""},
		{"done not a boolean", `{"totalSize":1,"done":"yes","records":[]}`, "done is a string, not a boolean", 0, 0, ""},
		{"fractional totalSize", `{"totalSize":1.5,"done":true,"records":[]}`, "is not a count", 0, 0, ""},
		{"huge totalSize", `{"totalSize":99999999999,"done":true,"records":[]}`, "is not a count", 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, rows, err := decodePage([]byte(tt.body), paths, 0)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if page.TotalSize != tt.total || page.Records != tt.records || len(rows) != tt.records || page.NextRecordsURL != tt.next {
				t.Errorf("page %+v, %d rows", page, len(rows))
			}
		})
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"005000000000001", true},
		{"005000000000001AAA", true},
		{"005Zz9000000001", true},
		{"00500000000001", false},
		{"005000000000001' OR Id != '", false},
		{"0050000000000-1", false},
		{"", false},
	}
	for _, tt := range tests {
		if orgpkg.ValidID(tt.id) != tt.ok {
			t.Errorf("ValidID(%q) = %v", tt.id, !tt.ok)
		}
	}
}

// BenchmarkDecodePage decodes a page of 2,000 users as orgsim writes it:
// "decodePage" is fastjson, "maps" the json.Unmarshal into map[string]any
// that it replaced (kept here, flattening included, as the baseline), so
// one run gives the ratio:
//
//	go test ./sfclient -run '^$' -bench DecodePage -benchmem
func BenchmarkDecodePage(b *testing.B) {
	snap := orggen.Generate(orggen.Options{Users: 2000, Seed: 1})
	srv, err := orgsim.New(snap, orgsim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	q := queryOf("User")
	req, _ := http.NewRequest(http.MethodGet, hs.URL+"/services/data/v64.0/query?q="+url.QueryEscape(q.SOQL()), nil)
	req.Header.Set("Authorization", "Bearer "+srv.AccessToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	paths := splitPaths(q.Fields)
	b.Run("decodePage", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			if _, rows, err := decodePage(page, paths, 0); err != nil || len(rows) != 2000 {
				b.Fatal(err, len(rows))
			}
		}
	})
	b.Run("maps", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			var p struct {
				Records []map[string]any `json:"records"`
			}
			if err := json.Unmarshal(page, &p); err != nil || len(p.Records) != 2000 {
				b.Fatal(err)
			}
			for _, r := range p.Records {
				row := make([]string, len(paths))
				for j, path := range paths {
					var cur any = r
					for _, k := range path {
						m, _ := cur.(map[string]any)
						cur = m[k]
					}
					row[j], _ = cur.(string)
				}
			}
		}
	})
}
