package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiffCommand(t *testing.T) {
	dir := inTempDir(t)
	for _, args := range [][]string{
		{"plan", "--format", "json"},
		{"plan", "--format", "json", "--preset", "none"},
	} {
		r := run(t, map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		name := "with-preset.json"
		if len(args) > 3 {
			name = "without-preset.json"
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		args     []string
		stdin    string
		code     int
		stdout   []string // substrings
		stderrIn string
	}{
		{"same plan", []string{"diff", "with-preset.json", "with-preset.json", "--detailed-exitcode"}, "", 0,
			[]string{"No change"}, ""},
		{"changed, text", []string{"diff", "with-preset.json", "without-preset.json"}, "", 0,
			[]string{"Users changed (30):", "change_in_place -> no_change", "no_change: 84 -> 114 (+30)"}, ""},
		{"changed, detailed exit code", []string{"diff", "with-preset.json", "without-preset.json", "--detailed-exitcode"}, "", 2,
			[]string{"Users changed (30):"}, ""},
		{"markdown", []string{"diff", "with-preset.json", "without-preset.json", "-f", "md"}, "", 0,
			[]string{"# Plan diff", "## Users changed (30)"}, ""},
		{"json", []string{"diff", "with-preset.json", "without-preset.json", "--format", "json"}, "", 0,
			[]string{`"empty": false`, `"changed": [`}, ""},
		{"stdin", []string{"diff", "-", "with-preset.json"}, "", 1, nil, "stdin"},
		{"both stdin", []string{"diff", "-", "-"}, "", 1, nil, "only one of the plans"},
		{"bad format", []string{"diff", "with-preset.json", "with-preset.json", "-f", "xlsx"}, "", 1, nil, "want one of text, md, json"},
		{"missing file", []string{"diff", "with-preset.json", "nope.json"}, "", 1, nil, "nope.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runStdin(t, nil, tt.stdin, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", r.code, tt.code, r.stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			if tt.stderrIn != "" && !strings.Contains(r.stderr, tt.stderrIn) {
				t.Errorf("stderr %q lacks %q", r.stderr, tt.stderrIn)
			}
		})
	}
	// The root --json flag wraps the same document in the envelope.
	r := run(t, nil, "--json", "diff", "with-preset.json", "without-preset.json")
	var env struct {
		Status int `json:"status"`
		Result struct {
			Changed []any `json:"changed"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &env); err != nil || env.Status != 0 || len(env.Result.Changed) != 30 {
		t.Errorf("--json: %v %+v\n%s", err, env, r.stdout)
	}
}
