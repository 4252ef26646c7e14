package sfclient

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The answers of sf 2.146.3 to `sf config get target-org --json`.
const (
	sfGetGlobal = `{"status": 0, "result": [{"name": "target-org", "key": "target-org", "value": "orgsim",
  "path": "/tmp/sfhome1/.sf/config.json", "success": true, "location": "Global"}], "warnings": []}`
	sfGetLocal = `{"status": 0, "result": [{"name": "target-org", "key": "target-org", "value": "admin@orgsim.example.com",
  "path": "/tmp/sfproj/proj2/.sf/config.json", "success": true, "location": "Local"}], "warnings": []}`
	sfGetUnset = `{"status": 0, "result": [{"name": "target-org", "key": "target-org", "success": true}], "warnings": []}`
)

func TestDefaultTargetOrgFromCLI(t *testing.T) {
	tests := []struct {
		name       string
		out        string
		err        error
		alias      string
		origin     string
		wantErrSub string
	}{
		{name: "global", out: sfGetGlobal, alias: "orgsim", origin: "sf config target-org (global /tmp/sfhome1/.sf/config.json)"},
		{name: "local", out: sfGetLocal, alias: "admin@orgsim.example.com", origin: "sf config target-org (local /tmp/sfproj/proj2/.sf/config.json)"},
		{name: "unset", out: sfGetUnset},
		{name: "empty result", out: `{"status":0,"result":[]}`},
		{name: "not JSON", out: "Warning: update available\n", wantErrSub: "not the JSON expected"},
		{name: "error status", out: `{"status":1,"message":"boom"}`, err: errors.New("exit status 1"), wantErrSub: "status 1: boom"},
		{name: "sf fails without output", err: errors.New("exec: killed"), wantErrSub: "exec: killed"},
		{name: "value not text", out: `{"status":0,"result":[{"name":"target-org","value":7}]}`, wantErrSub: "not text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args []string
			l := DefaultOrgLookup{Run: func(_ context.Context, name string, a ...string) ([]byte, error) {
				args = append([]string{name}, a...)
				return []byte(tt.out), tt.err
			}}
			alias, origin, err := l.DefaultTargetOrg(context.Background())
			if strings.Join(args, " ") != "sf config get target-org --json" {
				t.Errorf("ran %q", args)
			}
			if tt.wantErrSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrSub) {
					t.Fatalf("err %v, want %q", err, tt.wantErrSub)
				}
				return
			}
			if err != nil || alias != tt.alias || origin != tt.origin {
				t.Errorf("got %q, %q, %v; want %q, %q", alias, origin, err, tt.alias, tt.origin)
			}
		})
	}
}

func TestDefaultTargetOrgFromFiles(t *testing.T) {
	write := func(t *testing.T, path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name       string
		files      map[string]string // relative to a temp root: home/..., proj/...
		dir        string            // working folder, relative
		alias      string
		originSub  string
		wantErrSub string
	}{
		{name: "nothing", dir: "proj/sub"},
		{name: "global", files: map[string]string{"home/.sf/config.json": `{"target-org": "g"}`}, dir: "elsewhere", alias: "g", originSub: "global"},
		{name: "global legacy", files: map[string]string{"home/.sfdx/sfdx-config.json": `{"defaultusername": "old"}`}, alias: "old", originSub: "global, legacy"},
		{name: "local beats global", files: map[string]string{
			"home/.sf/config.json": `{"target-org": "g"}`, "proj/sfdx-project.json": `{}`, "proj/.sf/config.json": `{"target-org": "l"}`},
			dir: "proj/sub/deeper", alias: "l", originSub: "local"},
		{name: "local config outside a project is not read", files: map[string]string{
			"home/.sf/config.json": `{"target-org": "g"}`, "proj/.sf/config.json": `{"target-org": "l"}`}, dir: "proj", alias: "g"},
		{name: "empty global file", files: map[string]string{"home/.sf/config.json": `{}`}},
		{name: "malformed file", files: map[string]string{"home/.sf/config.json": `{"target-org": `}, wantErrSub: "config.json is not valid JSON"},
		{name: "not text", files: map[string]string{"home/.sf/config.json": `{"target-org": ["a"]}`}, wantErrSub: "target-org is not text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for p, c := range tt.files {
				write(t, filepath.Join(root, p), c)
			}
			dir := filepath.Join(root, tt.dir)
			os.MkdirAll(dir, 0o755)
			l := DefaultOrgLookup{Home: filepath.Join(root, "home"), Dir: dir}
			alias, origin, err := l.DefaultTargetOrg(context.Background())
			if tt.wantErrSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrSub) {
					t.Fatalf("err %v, want %q", err, tt.wantErrSub)
				}
				return
			}
			if err != nil || alias != tt.alias || !strings.Contains(origin, tt.originSub) {
				t.Errorf("got %q, %q, %v; want %q from %q", alias, origin, err, tt.alias, tt.originSub)
			}
		})
	}
}
