package orgsim

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

const jobsPath = "/services/data/v" + testVersion + "/jobs/query"

func createJob(t *testing.T, s *Server, soql string) response {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"operation": "query", "query": soql})
	return serve(s, http.MethodPost, jobsPath, s.AccessToken(), strings.NewReader(string(body)))
}

type jobInfo struct {
	ID        string `json:"id"`
	State     string `json:"state"`
	Processed int    `json:"numberRecordsProcessed"`
	ErrorMsg  string `json:"errorMessage"`
}

func pollJob(t *testing.T, s *Server, id string) jobInfo {
	t.Helper()
	r := serve(s, http.MethodGet, jobsPath+"/"+id, s.AccessToken(), nil)
	if r.status != http.StatusOK {
		t.Fatalf("poll: %d %s", r.status, r.body)
	}
	var j jobInfo
	if err := json.Unmarshal(r.body, &j); err != nil {
		t.Fatal(err)
	}
	return j
}

func TestBulkQueryJob(t *testing.T) {
	for _, tc := range []struct {
		users, max int
		pages      int
	}{{0, 0, 1}, {5, 0, 1}, {5, 2, 3}, {2001, 1000, 3}} {
		t.Run(fmt.Sprintf("%d users max %d", tc.users, tc.max), func(t *testing.T) {
			s := newServer(t, usersSnapshot(tc.users), Options{})
			r := createJob(t, s, "SELECT Id, Username, Profile.Name FROM User ORDER BY Id")
			if r.status != http.StatusOK {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			var j jobInfo
			r.json(t, &j)
			if j.State != "UploadComplete" {
				t.Fatalf("state after create %s", j.State)
			}
			if r := serve(s, http.MethodGet, jobsPath+"/"+j.ID+"/results", s.AccessToken(), nil); r.status != http.StatusPreconditionFailed {
				t.Fatalf("results before completion: %d, want 412", r.status)
			}
			for _, want := range []string{"InProgress", "JobComplete", "JobComplete"} {
				if got := pollJob(t, s, j.ID); got.State != want {
					t.Fatalf("state %s, want %s", got.State, want)
				}
			}
			if got := pollJob(t, s, j.ID).Processed; got != tc.users {
				t.Fatalf("numberRecordsProcessed %d, want %d", got, tc.users)
			}
			var rows [][]string
			locator, pages := "", 0
			for {
				target := jobsPath + "/" + j.ID + "/results?"
				if locator != "" {
					target += "locator=" + locator + "&"
				}
				if tc.max > 0 {
					target += "maxRecords=" + strconv.Itoa(tc.max)
				}
				r := serve(s, http.MethodGet, target, s.AccessToken(), nil)
				if r.status != http.StatusOK {
					t.Fatalf("results: %d %s", r.status, r.body)
				}
				pages++
				recs, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if strings.Join(recs[0], ",") != "Id,Username,Profile.Name" {
					t.Fatalf("header %q", recs[0])
				}
				if n, _ := strconv.Atoi(r.header.Get("Sforce-NumberOfRecords")); n != len(recs)-1 {
					t.Fatalf("Sforce-NumberOfRecords %d, rows %d", n, len(recs)-1)
				}
				if lines := strings.SplitN(string(r.body), "\n", 3); len(recs) > 1 && !strings.HasPrefix(lines[1], `"`) {
					t.Fatalf("row not quoted as the guide's sample: %s", lines[1])
				}
				rows = append(rows, recs[1:]...)
				if locator = r.header.Get("Sforce-Locator"); locator == "null" {
					break
				}
			}
			if len(rows) != tc.users || pages != tc.pages {
				t.Fatalf("%d rows in %d pages, want %d in %d", len(rows), pages, tc.users, tc.pages)
			}
			for i := 1; i < len(rows); i++ {
				if rows[i][0] <= rows[i-1][0] {
					t.Fatalf("row %d: Id %s after %s", i, rows[i][0], rows[i-1][0])
				}
			}
		})
	}
}

func TestBulkQueryErrors(t *testing.T) {
	s := newServer(t, usersSnapshot(3), Options{BulkFailEvery: 2})
	for _, tc := range []struct {
		name, soql string
		status     int
		code       string
	}{
		{"unknown field", "SELECT Nope FROM User", 400, "INVALID_FIELD"},
		{"malformed", "SELECT FROM", 400, "MALFORMED_QUERY"},
		{"aggregate", "SELECT COUNT() FROM User", 400, "API_ERROR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := createJob(t, s, tc.soql)
			if r.status != tc.status || r.apiErr(t).ErrorCode != tc.code {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, tc.status, tc.code)
			}
		})
	}
	t.Run("failed job", func(t *testing.T) {
		var states []string
		for range 2 {
			var j jobInfo
			createJob(t, s, "SELECT Id FROM User").json(t, &j)
			pollJob(t, s, j.ID)
			got := pollJob(t, s, j.ID)
			states = append(states, got.State)
			if got.State == "Failed" && got.ErrorMsg == "" {
				t.Error("a Failed job has no errorMessage")
			}
		}
		if strings.Join(states, ",") != "JobComplete,Failed" {
			t.Fatalf("states %v, want JobComplete,Failed (every 2nd job fails)", states)
		}
	})
	t.Run("abort and version mismatch", func(t *testing.T) {
		var j jobInfo
		createJob(t, s, "SELECT Id FROM User").json(t, &j)
		r := serve(s, http.MethodPatch, jobsPath+"/"+j.ID, s.AccessToken(), strings.NewReader(`{"state":"Aborted"}`))
		if r.status != http.StatusOK || pollJob(t, s, j.ID).State != "Aborted" {
			t.Fatalf("abort: %d %s", r.status, r.body)
		}
		otherVersion := ""
		for _, v := range s.opts.APIVersions {
			if v != testVersion {
				otherVersion = v
			}
		}
		if otherVersion == "" {
			t.Fatal("orgsim serves one API version only; the 409 case needs two")
		}
		other := strings.Replace(jobsPath, "v"+testVersion, "v"+otherVersion, 1)
		if r := serve(s, http.MethodGet, other+"/"+j.ID+"/results", s.AccessToken(), nil); r.status != http.StatusConflict {
			t.Fatalf("results at another version: %d, want 409", r.status)
		}
		if r := serve(s, http.MethodDelete, jobsPath+"/"+j.ID, s.AccessToken(), nil); r.status != http.StatusNoContent {
			t.Fatalf("delete: %d", r.status)
		}
		if r := serve(s, http.MethodGet, jobsPath+"/"+j.ID, s.AccessToken(), nil); r.status != http.StatusNotFound {
			t.Fatalf("poll after delete: %d, want 404", r.status)
		}
	})
}
