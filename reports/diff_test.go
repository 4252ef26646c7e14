package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/plandiff"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// hostileDiff compares the fixture plan with a copy in which one user is
// gone, one is new (with a hostile name) and one changed outcome.
func hostileDiff(t *testing.T) *plandiff.Diff {
	t.Helper()
	old := fixturePlan()
	us := old.Users.Slice()
	cur := *old
	next := append([]planner.UserPlan(nil), us[1:]...)
	next[0].Outcome = rules.Recreate
	next = append(next, planner.UserPlan{UserID: "005<b>", Username: "\x1b[2J=cmd|`x`*y*", Outcome: rules.NoChange,
		ToLicense: "<script>", Warnings: []planner.Warning{{Code: rules.UnknownLicense, Message: "# heading\nline"}}})
	cur.Users = planner.NewUsers(next...)
	cur.Warnings = nil
	cur.Fingerprint = "sha256:ffffffffffffffff"
	return plandiff.Compare(old, &cur)
}

func TestDiffGolden(t *testing.T) {
	d := hostileDiff(t)
	for _, format := range DiffFormats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteDiff(context.Background(), &buf, d, format); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			path := filepath.Join("testdata", "diff."+format)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run go test -update if the change is intended)\n%s", path, firstDiff(got, want))
			}
			switch format {
			case "text":
				if bytes.ContainsRune(got, 0x1b) {
					t.Error("escape byte in the text diff")
				}
			case "md":
				for _, bad := range []string{"<script>", "\n# heading", "*y*"} {
					if strings.Contains(strings.ReplaceAll(buf.String(), `\<`, ""), bad) {
						t.Errorf("markdown holds %q unescaped", bad)
					}
				}
			case "json":
				var v map[string]any
				if err := json.Unmarshal(got, &v); err != nil {
					t.Fatal(err)
				}
				if v["empty"] != false || len(v["added"].([]any)) != 1 || len(v["removed"].([]any)) != 1 {
					t.Errorf("json %v", v)
				}
			}
		})
	}
	if err := WriteDiff(context.Background(), &bytes.Buffer{}, d, "xlsx"); err == nil {
		t.Error("WriteDiff accepted format xlsx")
	}
}
