package orgsim

import (
	"context"
	"encoding/csv"
	"errors"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
)

// TestRoundTrip runs every query of org.Queries against the simulator, over
// real loopback HTTP with a plain net/http client, and checks that the
// records are exactly the snapshot's rows: the CSV that org.WriteSnapshot
// writes, value for value, and the same Snapshot once read back.
func TestRoundTrip(t *testing.T) {
	generated := orggen.Generate(orggen.Options{Users: 3000, Seed: 7})
	tests := []struct {
		name  string
		snap  *org.Snapshot
		batch string // Sforce-Query-Options, or ""
	}{
		{"demo", demoSnapshot(t), ""},
		{"generated 3000 users", generated, ""},
		{"generated 3000 users, batches of 500", generated, "batchSize=500"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkRoundTrip(t, tc.snap, tc.batch) })
	}
}

// checkRoundTrip serves snap, pulls every snapshot file with its SOQL (less
// Account.IsPartner when the snapshot lacks it, as a client must) and
// compares.
func checkRoundTrip(t *testing.T, snap *org.Snapshot, batch string) {
	srv := newServer(t, snap, Options{})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c := &httpClient{t: t, base: hs.URL, token: srv.AccessToken(), batch: batch}

	wantDir, gotDir := t.TempDir(), t.TempDir()
	if err := org.WriteSnapshot(context.Background(), wantDir, snap); err != nil {
		t.Fatal(err)
	}
	for _, q := range org.Queries {
		want, err := readCSV(filepath.Join(wantDir, q.File))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		header := want[0]
		rows := want[1:]
		if q.File == "ObjectPermissions.csv" {
			// The export query keeps only rows that grant View All or
			// Modify All; the snapshot has the others too.
			rows = slices.DeleteFunc(rows, func(r []string) bool { return r[2] != "true" && r[3] != "true" })
		}
		if header[0] == "Id" {
			slices.SortStableFunc(rows, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
		}
		if !snap.Has.AccountIsPartner {
			q.Fields = slices.DeleteFunc(slices.Clone(q.Fields), func(f string) bool {
				return f == "Account.IsPartner" || q.Object == "Account" && f == "IsPartner"
			})
		}

		records := c.queryAll(q.SOQL())
		got := [][]string{header}
		for _, rec := range records {
			checkAttributes(t, rec, q.Object, testVersion)
			row := make([]string, len(header))
			for i, col := range header {
				row[i] = flatten(t, rec, col)
			}
			got = append(got, row)
		}
		if !reflect.DeepEqual(got[1:], rows) {
			t.Errorf("%s: %d records differ from the snapshot's %d rows; first difference: %s",
				q.File, len(got)-1, len(rows), firstDiff(got[1:], rows))
		}
		if err := writeCSV(filepath.Join(gotDir, q.File), got); err != nil {
			t.Fatal(err)
		}
	}

	// The pulled files read back as the same snapshot.
	back, err := org.ReadSnapshot(context.Background(), os.DirFS(gotDir), "pulled")
	if err != nil {
		t.Fatal(err)
	}
	orig, err := org.ReadSnapshot(context.Background(), os.DirFS(wantDir), "written")
	if err != nil {
		t.Fatal(err)
	}
	orig.ObjectPermissions = slices.DeleteFunc(orig.ObjectPermissions, func(p org.ObjectPermission) bool {
		return !p.ViewAllRecords && !p.ModifyAllRecords
	})
	normalize(orig)
	normalize(back)
	bv, ov := reflect.ValueOf(back).Elem(), reflect.ValueOf(orig).Elem()
	for i := range bv.NumField() {
		if !reflect.DeepEqual(bv.Field(i).Interface(), ov.Field(i).Interface()) {
			t.Errorf("pulled snapshot's %s differs from the original's", bv.Type().Field(i).Name)
		}
	}
}

// normalize clears what legitimately differs between two reads of the
// same data: the line numbers, which follow file order.
func normalize(s *org.Snapshot) {
	for i := range s.Users {
		s.Users[i].Line = 0
	}
	slices.SortFunc(s.Users, func(a, b org.User) int { return strings.Compare(a.ID, b.ID) })
	if len(s.ObjectPermissions) == 0 {
		s.ObjectPermissions = nil
	}
}

func checkAttributes(t *testing.T, rec map[string]any, object, version string) {
	t.Helper()
	attrs, ok := rec["attributes"].(map[string]any)
	if !ok {
		t.Fatalf("record without attributes: %v", rec)
	}
	if attrs["type"] != object {
		t.Errorf("attributes.type = %v, want %s", attrs["type"], object)
	}
	url, _ := attrs["url"].(string)
	prefix := "/services/data/v" + version + "/sobjects/" + object + "/"
	if !strings.HasPrefix(url, prefix) || len(url) != len(prefix)+18 {
		t.Errorf("attributes.url = %q, want %s<18-character Id>", url, prefix)
	}
	if id, ok := rec["Id"].(string); ok && url != prefix+id {
		t.Errorf("attributes.url = %q, want %s", url, prefix+id)
	}
	for k, v := range rec {
		if m, ok := v.(map[string]any); ok && k != "attributes" {
			if _, ok := m["attributes"]; !ok {
				t.Errorf("parent %s without attributes: %v", k, m)
			}
		}
	}
}

func firstDiff(got, want [][]string) string {
	for i := range max(len(got), len(want)) {
		var g, w []string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !slices.Equal(g, w) {
			return "row " + strings.Join(g, "|") + " != " + strings.Join(w, "|")
		}
	}
	return "none"
}

func readCSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return csv.NewReader(f).ReadAll()
}

func writeCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// partialSnapshot is an export with gaps and contradictions that a real
// one can have: no Account.IsPartner (an org without partner licenses),
// denormalised User.csv columns that disagree with the parent files or
// name parents those files lack, an owner role that disagrees with the
// owner's row, hostile and non-ASCII values, and missing optional files.
var partialSnapshot = fstest.MapFS{
	"User.csv": {Data: []byte(`Id,Username,Name,IsActive,UserType,ProfileId,Profile.Name,Profile.UserLicense.Name,UserRoleId,UserRole.Name,UserRole.PortalType,UserRole.PortalRole,ContactId,AccountId,Account.Name,Account.OwnerId,IsPortalEnabled
005SM0000000001AAA,ann@example.com,"Zoë ""Q"" <script>",true,Standard,00eSM0000000001AAA,System Administrator,Salesforce,00ESM0000000001AAA,CEO,None,,,,,,false
005SM0000000002AAA,bob@example.com,Bob,true,PowerCustomerSuccess,00eSM0000000002AAA,Renamed Profile,Customer Community Plus,00ESM0000000002AAA,Old Role Name,CustomerPortal,Worker,003SM0000000001AAA,001SM0000000001AAA,Acme (as the user saw it),005SM0000000001AAA,true
005SM0000000003AAA,carl@example.com,Carl,,CspLitePortal,00eSM0000000009AAA,Ghost Profile,Ghost License,,,,,003SM0000000002AAA,001SM0000000002AAA,"Beta, ""Inc""",005SM0000000009AAA,true
005SM0000000004AAA,dee@example.com,Dee,false,PowerCustomerSuccess,00eSM0000000002AAA,Customer Community Plus User,Customer Community Plus,00ESM0000000002AAA,Acme Customer User,CustomerPortal,Worker,003SM0000000003AAA,001SM0000000001AAA,Acme,005SM0000000001AAA,true
`)},
	"Account.csv": {Data: []byte(`Id,Name,IsCustomerPortal,OwnerId,Owner.UserRoleId
001SM0000000001AAA,Acme,true,005SM0000000001AAA,00ESM0000000007AAA
001SM0000000003AAA,"=HYPERLINK(""http://x"")
second line",,005SM0000000002AAA,
`)},
	"UserRole.csv": {Data: []byte(`Id,Name,PortalType,PortalRole,PortalAccountId
00ESM0000000001AAA,CEO,None,,
00ESM0000000002AAA,Acme Customer User,CustomerPortal,Worker,001SM0000000001AAA
`)},
	"UserLicense.csv": {Data: []byte(`Id,Name,LicenseDefinitionKey,Status,TotalLicenses,UsedLicenses
100SM0000000001AAA,Salesforce,SFDC,Active,10,1
100SM0000000002AAA,Customer Community Plus,PID_Customer_Community_Plus,Active,,2
`)},
	"Profile.csv": {Data: []byte(`Id,Name,UserLicense.Name
00eSM0000000001AAA,System Administrator,Salesforce
00eSM0000000002AAA,Customer Community Plus User,Customer Community Plus
`)},
}

func TestRoundTripPartialSnapshot(t *testing.T) {
	snap, err := org.ReadSnapshot(context.Background(), partialSnapshot, "partial")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Has.AccountIsPartner {
		t.Fatal("test snapshot should lack Account.IsPartner")
	}
	checkRoundTrip(t, snap, "")

	// Selecting IsPartner fails as in an org without partner licenses.
	srv := newServer(t, snap, Options{})
	for _, q := range []string{org.Queries[0].SOQL(), "SELECT Id, IsPartner FROM Account"} {
		r := serve(srv, "GET", queryPath(q), srv.AccessToken(), nil)
		e := r.apiErr(t)
		if r.status != 400 || e.ErrorCode != "INVALID_FIELD" || !strings.Contains(e.Message, "No such column 'IsPartner' on entity 'Account'") {
			t.Errorf("%s: %d %+v, want 400 INVALID_FIELD No such column 'IsPartner' on entity 'Account'", q, r.status, e)
		}
	}
}
