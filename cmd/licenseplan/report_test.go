package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportRerendersSavedPlan: a change board re-rendering plan.json gets
// byte for byte the files the plan run wrote.
func TestReportRerendersSavedPlan(t *testing.T) {
	dir := inTempDir(t)
	if r := run(t, nil, "plan", "--out", "planned", "--quiet"); r.code != 0 {
		t.Fatalf("plan: exit %d: %s", r.code, r.stderr)
	}
	r := run(t, nil, "report", "--plan", "planned/plan.json", "--out", "again")
	if r.code != 0 {
		t.Fatalf("report: exit %d: %s", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("report wrote to stdout: %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "Wrote ") || !strings.Contains(r.stderr, "sha256:") {
		t.Errorf("stderr %q: want the files written and the plan fingerprint", r.stderr)
	}
	for _, name := range fileNames(t, filepath.Join(dir, "again")) {
		if name == "plan.json" {
			t.Errorf("default formats include json")
		}
		want, err := os.ReadFile(filepath.Join(dir, "planned", name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, "again", name))
		if err != nil {
			t.Fatal(err)
		}
		// XLSX files are zip archives with timestamps inside; the text
		// formats must match exactly.
		if filepath.Ext(name) != ".xlsx" && !bytes.Equal(got, want) {
			t.Errorf("%s re-rendered differs from the one plan wrote", name)
		}
	}
}

func fileNames(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		names = append(names, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatalf("%s is empty", dir)
	}
	return names
}

func TestReportFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		stdin     string
		code      int
		files     []string // in the out folder "o"
		errSubstr string
	}{
		{name: "one format", args: []string{"--format", "md", "--out", "o"}, files: []string{"report.md"}},
		{name: "list with spaces and repeats", args: []string{"--format", "csv, md,csv", "--out", "o"}, files: []string{"plan.csv", "report.md"}},
		{name: "json on request", args: []string{"--format", "json", "--out", "o"}, files: []string{"plan.json"}},
		{name: "unknown format", args: []string{"--format", "md,pdf", "--out", "o"}, code: 1, errSubstr: `--format "pdf"`},
		{name: "empty format", args: []string{"--format", ",", "--out", "o"}, code: 1, errSubstr: `--format "," names no format`},
		{name: "text is not a file format", args: []string{"--format", "text", "--out", "o"}, code: 1, errSubstr: `--format "text"`},
		{name: "stdin needs out", args: []string{"--plan", "-"}, code: 1, errSubstr: "give --out"},
		{name: "missing plan file", args: []string{"--plan", "nope.json", "--out", "o"}, code: 1, errSubstr: "plan file: open nope.json"},
		{name: "not a plan", args: []string{"--plan", "-", "--out", "o"}, stdin: `{"users": []}`, code: 1, errSubstr: "no schemaVersion"},
		{name: "malformed JSON names the line", args: []string{"--plan", "-", "--out", "o"}, stdin: "{\n \"schemaVersion\": 1,\n oops}", code: 1, errSubstr: "line 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := inTempDir(t)
			if r := run(t, nil, "plan", "--format", "json"); r.code != 0 {
				t.Fatal(r.stderr)
			} else {
				writeFile(t, dir, "plan.json", r.stdout)
			}
			args := append([]string{"report"}, tc.args...)
			if !containsArg(tc.args, "--plan") {
				args = append(args, "--plan", "plan.json")
			}
			r := runStdin(t, nil, tc.stdin, args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s", r.code, tc.code, r.stderr)
			}
			if tc.errSubstr != "" && !strings.Contains(r.stderr, tc.errSubstr) {
				t.Errorf("stderr %q, want it to contain %q", r.stderr, tc.errSubstr)
			}
			if tc.files != nil {
				got := fileNames(t, filepath.Join(dir, "o"))
				if strings.Join(got, ",") != strings.Join(tc.files, ",") {
					t.Errorf("wrote %v, want %v", got, tc.files)
				}
			}
		})
	}
}

func TestReportRefusesEditedPlan(t *testing.T) {
	dir := inTempDir(t)
	r := run(t, nil, "plan", "--format", "json")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	edited := strings.Replace(r.stdout, `"outcome": "recreate"`, `"outcome": "change_in_place"`, 1)
	if edited == r.stdout {
		t.Fatal("demo plan has no recreate outcome to edit")
	}
	writeFile(t, dir, "plan.json", edited)
	r = run(t, nil, "report", "--plan", "plan.json", "--out", "o")
	if r.code != 1 || !strings.Contains(r.stderr, "fingerprint does not match") {
		t.Fatalf("exit %d, stderr %q: want the edited plan refused", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "o")); err == nil {
		t.Error("an output folder was created for a refused plan")
	}
}

func containsArg(args []string, a string) bool {
	for _, x := range args {
		if x == a {
			return true
		}
	}
	return false
}

// TestPlanBinaryFormatToTerminal: a spreadsheet is never dumped on a
// terminal, but it can be piped.
func TestPlanBinaryFormatToTerminal(t *testing.T) {
	for _, tc := range []struct {
		name string
		tty  bool
		code int
	}{
		{"terminal", true, 1},
		{"pipe", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inTempDir(t)
			var out, errOut bytes.Buffer
			s := &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, OutTTY: tc.tty,
				Getenv: testEnv(t, map[string]string{"SOURCE_DATE_EPOCH": "1795000000"})}
			code := Execute(t.Context(), []string{"plan", "--format", "xlsx"}, s)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tc.code, errOut.String())
			}
			if tc.tty {
				if out.Len() != 0 || !strings.Contains(errOut.String(), "redirect it") {
					t.Errorf("stdout %d bytes, stderr %q: want nothing written and advice to redirect", out.Len(), errOut.String())
				}
				return
			}
			if !bytes.HasPrefix(out.Bytes(), []byte("PK")) {
				t.Errorf("stdout does not start like a zip (xlsx) file: % x", out.Bytes()[:min(8, out.Len())])
			}
		})
	}
}
