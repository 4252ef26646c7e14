package sfclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DefaultOrgLookup finds the Salesforce CLI's configured default org, as sf
// itself resolves it after --target-org and SF_TARGET_ORG (which the caller
// handles).
type DefaultOrgLookup struct {
	// Run runs sf; nil means do not run sf, read its config files only.
	Run CommandRunner
	// Command is the sf executable (default "sf").
	Command string
	// Home is the user's home folder, where the global config lives.
	Home string
	// Dir is the working folder, where the search for the local project
	// config starts.
	Dir string
}

// maxSFConfig caps an sf config file read whole; sf writes a few hundred
// bytes.
const maxSFConfig = 1 << 20

// DefaultTargetOrg returns the default target-org and where it is set, or
// "", "" when none is.
//
// With Run set it asks sf (`sf config get target-org --json`), which knows
// every rule of its own; the answer names the file and whether it is Local
// or Global. Without Run (sf is not on PATH) it reads the files sf writes,
// in sf's order (checked with sf 2.146.3):
//
//  1. the project's .sf/config.json, key target-org, in the nearest folder
//     from Dir upward that holds sfdx-project.json;
//  2. the same project's legacy .sfdx/sfdx-config.json, key defaultusername;
//  3. the global ~/.sf/config.json, key target-org;
//  4. the global legacy ~/.sfdx/sfdx-config.json, key defaultusername.
//
// A file that exists but cannot be read or parsed is an error naming it: a
// default org that might be set is never taken as unset.
func (l DefaultOrgLookup) DefaultTargetOrg(ctx context.Context) (alias, origin string, err error) {
	if l.Run != nil {
		return l.fromCLI(ctx)
	}
	return l.fromFiles()
}

func (l DefaultOrgLookup) fromCLI(ctx context.Context) (string, string, error) {
	name := l.Command
	if name == "" {
		name = "sf"
	}
	out, err := l.Run(ctx, name, "config", "get", "target-org", "--json")
	if err != nil && len(out) == 0 {
		return "", "", fmt.Errorf("%s config get target-org: %w", name, err)
	}
	alias, origin, perr := parseConfigGet(out)
	if perr != nil {
		return "", "", fmt.Errorf("%s config get target-org --json: %w", name, perr)
	}
	return alias, origin, nil
}

// parseConfigGet reads the answer of `sf config get target-org --json`:
//
//	{"status": 0, "result": [{"name": "target-org", "value": "orgsim",
//	  "path": "/home/u/.sf/config.json", "success": true, "location": "Global"}]}
//
// An unset key has no value.
func parseConfigGet(out []byte) (string, string, error) {
	var doc struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
		Result  []struct {
			Name     string `json:"name"`
			Value    any    `json:"value"`
			Path     string `json:"path"`
			Location string `json:"location"`
		} `json:"result"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return "", "", fmt.Errorf("the answer is not the JSON expected: %w", err)
	}
	if doc.Status != 0 {
		return "", "", fmt.Errorf("sf answered status %d: %s", doc.Status, cleanText(doc.Message, maxMessage))
	}
	for _, r := range doc.Result {
		if r.Name != "target-org" {
			continue
		}
		v, ok := r.Value.(string)
		if r.Value != nil && !ok {
			return "", "", fmt.Errorf("target-org is not text: %s", cleanText(fmt.Sprint(r.Value), 80))
		}
		if v == "" {
			return "", "", nil
		}
		where := strings.ToLower(r.Location)
		if where == "" {
			where = "sf config"
		}
		if r.Path != "" {
			where += " " + r.Path
		}
		return v, fmt.Sprintf("sf config target-org (%s)", where), nil
	}
	return "", "", nil
}

func (l DefaultOrgLookup) fromFiles() (string, string, error) {
	var files []struct{ path, key, where string }
	if root := projectRoot(l.Dir); root != "" {
		files = append(files,
			struct{ path, key, where string }{filepath.Join(root, ".sf", "config.json"), "target-org", "local"},
			struct{ path, key, where string }{filepath.Join(root, ".sfdx", "sfdx-config.json"), "defaultusername", "local, legacy"})
	}
	if l.Home != "" {
		files = append(files,
			struct{ path, key, where string }{filepath.Join(l.Home, ".sf", "config.json"), "target-org", "global"},
			struct{ path, key, where string }{filepath.Join(l.Home, ".sfdx", "sfdx-config.json"), "defaultusername", "global, legacy"})
	}
	for _, f := range files {
		v, err := readConfigKey(f.path, f.key)
		if err != nil {
			return "", "", err
		}
		if v != "" {
			return v, fmt.Sprintf("sf config %s (%s %s)", f.key, f.where, f.path), nil
		}
	}
	return "", "", nil
}

// projectRoot is the nearest folder from dir upward that holds
// sfdx-project.json, or "".
func projectRoot(dir string) string {
	if dir == "" {
		return ""
	}
	d := filepath.Clean(dir)
	for {
		if st, err := os.Stat(filepath.Join(d, "sfdx-project.json")); err == nil && st.Mode().IsRegular() {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// readConfigKey reads key from the JSON object in file; "" when the file or
// the key is missing.
func readConfigKey(file, key string) (string, error) {
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		//lint:ignore ST1005 "Salesforce" is a proper noun, which ST1005 allows but cannot tell from a capitalised word
		return "", fmt.Errorf("Salesforce CLI config %s: %w", file, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSFConfig+1))
	if err != nil {
		//lint:ignore ST1005 "Salesforce" is a proper noun, which ST1005 allows but cannot tell from a capitalised word
		return "", fmt.Errorf("Salesforce CLI config %s: %w", file, err)
	}
	if len(data) > maxSFConfig {
		//lint:ignore ST1005 "Salesforce" is a proper noun, which ST1005 allows but cannot tell from a capitalised word
		return "", fmt.Errorf("Salesforce CLI config %s is over 1 MiB: it is not a file sf wrote", file)
	}
	if strings.TrimSpace(string(data)) == "" {
		return "", nil
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		//lint:ignore ST1005 "Salesforce" is a proper noun, which ST1005 allows but cannot tell from a capitalised word
		return "", fmt.Errorf("Salesforce CLI config %s is not valid JSON (%v): fix it, or run sf config unset target-org", file, err)
	}
	switch v := doc[key].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		//lint:ignore ST1005 "Salesforce" is a proper noun, which ST1005 allows but cannot tell from a capitalised word
		return "", fmt.Errorf("Salesforce CLI config %s: %s is not text", file, key)
	}
}
