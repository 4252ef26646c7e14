package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSignOffSettings: the sign-off block of report.html is filled in from
// flags, the environment and the config file, on plan and on report, a
// flag winning; what is not given stays a blank field. Hostile values are
// escaped.
func TestSignOffSettings(t *testing.T) {
	dir := inTempDir(t)
	writeFile(t, dir, "signoff.yaml", "change-id: CHG-FILE\nwindow: from the file\napprovers:\n  - File Approver\n  - \"=cmd|' /C calc'!A0\"\n")
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		want    []string
		notWant []string
	}{
		{"flags", nil, []string{"plan", "--format", "html", "--change-id", "CHG-1 <script>", "--window", "Sat 20:00-23:00 UTC",
			"--backout", "https://wiki.example/backout", "--approver", "Ada Lovelace", "--approver", "Grace Hopper"},
			[]string{"CHG-1 &lt;script&gt;", "Sat 20:00-23:00 UTC", "https://wiki.example/backout", "<tr><td>Ada Lovelace</td>", "<tr><td>Grace Hopper</td>"}, []string{"CHG-1 <script>"}},
		{"config file", nil, []string{"plan", "--format", "html", "--config", "signoff.yaml"},
			[]string{"CHG-FILE", "from the file", "<tr><td>File Approver</td>", "<tr><td>=cmd|&#39; /C calc&#39;!A0</td>"}, nil},
		{"a flag beats the file", nil, []string{"plan", "--format", "html", "--config", "signoff.yaml", "--change-id", "CHG-FLAG", "--approver", "Flag Approver"},
			[]string{"CHG-FLAG", "from the file", "<tr><td>Flag Approver</td>"}, []string{"CHG-FILE", "File Approver"}},
		{"environment", map[string]string{"LICENSEPLAN_CHANGE_ID": "CHG-ENV"}, []string{"plan", "--format", "html"},
			[]string{"CHG-ENV"}, nil},
		{"nothing given: blanks", nil, []string{"plan", "--format", "html"},
			[]string{`<th scope="row">Change ID</th><td><span class="blank"></span></td>`}, nil},
		{"report.md: flags", nil, []string{"plan", "--format", "md", "--change-id", "CHG-1 <script>", "--window", "Sat 20:00-23:00 UTC",
			"--approver", "Ada Lovelace", "--approver", "Grace Hopper"},
			[]string{"- **Change ID:** CHG-1 \\<script>\n", "- **Implementation window:** Sat 20:00-23:00 UTC\n", "| Ada Lovelace |  |  |  |\n",
				"| Grace Hopper |  |  |  |\n", "- **Backout plan:** \\_\\_"}, []string{"CHG-1 <script>"}},
		{"report.md: config file", nil, []string{"plan", "--format", "md", "--config", "signoff.yaml"},
			[]string{"- **Change ID:** CHG-FILE\n", "| \\=cmd\\|' /C calc'!A0 |  |  |  |\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.env, tt.args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("report.html has no %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(r.stdout, w) {
					t.Errorf("report.html has %q", w)
				}
			}
		})
	}
	t.Run("report re-renders with a sign-off, same fingerprint", func(t *testing.T) {
		if r := run(t, nil, "plan", "--out", "plan", "--format", "json"); r.code != 0 {
			t.Fatalf("plan: exit %d: %s", r.code, r.stderr)
		}
		r := run(t, nil, "report", "--plan", filepath.Join("plan", "plan.json"), "--format", "html", "--config", "signoff.yaml", "--approver", "Katherine Johnson", "--backout", "BO-7")
		if r.code != 0 {
			t.Fatalf("report: exit %d: %s", r.code, r.stderr)
		}
		page, err := os.ReadFile(filepath.Join("plan", "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"CHG-FILE", "BO-7", "<tr><td>Katherine Johnson</td>"} {
			if !strings.Contains(string(page), w) {
				t.Errorf("report.html has no %q", w)
			}
		}
	})
}
