package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/licenseplan/licenseplan/internal/suggest"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/reports"
	"github.com/licenseplan/licenseplan/rules"
)

// Config is every setting of a run. Precedence: flag, then environment
// (LICENSEPLAN_<KEY>, dashes as underscores; for live settings then SF_*;
// see envNames), then the config file, then the default. Business code sees only this
// struct.
type Config struct {
	Input            string `mapstructure:"input"`
	Targets          string `mapstructure:"targets"`
	Preset           string `mapstructure:"preset"`
	Out              string `mapstructure:"out"`
	Format           string `mapstructure:"format"`
	IncludeInactive  bool   `mapstructure:"include-inactive"`
	DetailedExitcode bool   `mapstructure:"detailed-exitcode"`
	Quiet            bool   `mapstructure:"quiet"`
	Strict           bool   `mapstructure:"strict"`
	Rules            struct {
		Overrides []rules.Override `mapstructure:"overrides"`
	} `mapstructure:"rules"`
	// Apply holds apply's settings (file only).
	Apply struct {
		// TransferObjects are the objects whose records move from an old
		// user to its new user (--transfer-objects wins).
		TransferObjects []string `mapstructure:"transfer-objects"`
	} `mapstructure:"apply"`
	// OwnerRoles gives the role that the plan's assign_owner_role step
	// gives an account owner who has none (planner.Options.OwnerRoles). It
	// is a list, not a mapping from account Id to role, because viper
	// lower-cases mapping keys and a 15-character Salesforce Id is
	// case-sensitive.
	OwnerRoles []OwnerRole `mapstructure:"owner-roles"`
	// The sign-off block of report.html's page 1 (reports.SignOff):
	// the change request's id, the implementation window, where the
	// backout plan is, and who approves. Each is a flag of plan and
	// report too (--approver repeats); unset fields are blanks to fill in.
	ChangeID  string   `mapstructure:"change-id"`
	Window    string   `mapstructure:"window"`
	Backout   string   `mapstructure:"backout"`
	Approvers []string `mapstructure:"approvers"`
	// Live holds the live-org settings (live.go).
	Live liveConfig `mapstructure:",squash"`

	// File is the config file that was read ("" if none).
	File string `mapstructure:"-"`
	// origins says where each set key came from (origin).
	origins map[string]string
}

// configKeys are the keys that are also flags and LICENSEPLAN_<KEY>
// variables. (Secrets and rules are keys of the file only.)
var configKeys = map[string]bool{"input": true, "targets": true, "preset": true, "out": true, "format": true,
	"include-inactive": true, "detailed-exitcode": true, "quiet": true, "strict": true,
	"change-id": true, "window": true, "backout": true, "approvers": true}

// signOffKeys are the configKeys of the sign-off, which report binds too.
var signOffKeys = map[string]bool{"change-id": true, "window": true, "backout": true, "approvers": true}

// flagKey is the config key that flag name binds: its own name, except
// the repeatable --approver, which fills the list approvers.
func flagKey(name string) string {
	if name == "approver" {
		return "approvers"
	}
	return name
}

// signOff is the sign-off of c, for the HTML report.
func (c *Config) signOff() reports.SignOff {
	return reports.SignOff{ChangeID: c.ChangeID, Window: c.Window, Backout: c.Backout, Approvers: c.Approvers}
}

// commandKeys are the config keys each command binds to its flags of the
// same name. snapshot's --out is the snapshot folder, not the plan's output
// folder, so it is not bound to the out key.
func commandKeys(cmd string, key string) bool {
	switch cmd {
	case "plan":
		return configKeys[key]
	case "snapshot", "apply", "verify":
		return configKeys[key] && (key == "quiet" || slices.Contains(liveFlagKeys, key))
	case "report":
		return signOffKeys[key]
	}
	return false
}

// maxConfigBytes caps a config file. The reference file is 5 KB; a
// megabyte of settings is a mistake (or a hostile file), and refusing it
// keeps the YAML parser's memory bounded.
const maxConfigBytes = 1 << 20

// envName is the LICENSEPLAN_<KEY> variable of key.
func envName(key string) string {
	return "LICENSEPLAN_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// pullsOrg reports whether command cmd logs in to an org, and so takes
// the Salesforce CLI's SF_ variables (sfEnv).
func pullsOrg(cmd string) bool {
	return cmd == "plan" || cmd == "snapshot" || cmd == "apply" || cmd == "verify"
}

// envKeys are the keys command cmd reads from the environment, sorted: the
// configKeys, and for a command that pulls an org the sfEnv keys too.
func envKeys(cmd string) []string {
	keys := slices.Collect(maps.Keys(configKeys))
	if pullsOrg(cmd) {
		for _, e := range sfEnv {
			if !configKeys[e.key] {
				keys = append(keys, e.key)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// envNames are the variables that set key for command cmd, first one set
// wins: LICENSEPLAN_<KEY> for a configKey, then for a command that pulls an
// org the Salesforce CLI's variable (SF_TARGET_ORG, SF_PASSWORD, ...).
// Secrets have no LICENSEPLAN_ variable.
func envNames(cmd, key string) []string {
	var names []string
	if configKeys[key] {
		names = append(names, envName(key))
	}
	if pullsOrg(cmd) {
		for _, e := range sfEnv {
			if e.key == key {
				names = append(names, e.env)
			}
		}
	}
	return names
}

// loadConfig reads the config file named by --config (or LICENSEPLAN_CONFIG)
// and binds the command's flags to the same keys, in a viper instance of its
// own. Only flags named like Config keys are bound: other commands' flags
// (rules --format, --from) mean something else.
func loadConfig(cmd *cobra.Command, s *Streams) (*Config, error) {
	v := viper.New()
	var bindErr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !commandKeys(cmd.Name(), flagKey(f.Name)) {
			return
		}
		bindErr = errors.Join(bindErr, v.BindPFlag(flagKey(f.Name), f))
	})
	if bindErr != nil {
		return nil, bindErr
	}
	file, _ := cmd.Flags().GetString("config")
	fileFrom := "--config"
	if file == "" {
		file, fileFrom = s.Getenv("LICENSEPLAN_CONFIG"), "LICENSEPLAN_CONFIG"
	}
	cfg := &Config{File: file, origins: map[string]string{}}
	if file != "" {
		data, err := readConfigFile(file, fileFrom)
		if err != nil {
			return nil, err
		}
		clean, inFile, err := checkConfig(file, data)
		if err != nil {
			return nil, err
		}
		v.SetConfigType("yaml")
		if err := v.ReadConfig(bytes.NewReader(clean)); err != nil {
			return nil, fmt.Errorf("config file %s: %s", file, yamlMessage(err))
		}
		for _, k := range inFile {
			cfg.origins[k] = fmt.Sprintf("%s in config file %s", k, file)
		}
	}
	// Environment, through viper's BindEnv: a flag beats it, and it beats
	// the file. A key's variables are tried in their order (envNames); the
	// one that is set is the value's origin, and a bad boolean names it,
	// not the file. Streams.Getenv is the same environment viper reads (the
	// tests set both).
	kinds := configKinds()
	for _, key := range envKeys(cmd.Name()) {
		names := envNames(cmd.Name(), key)
		if err := v.BindEnv(append([]string{key}, names...)...); err != nil {
			return nil, err
		}
		if f := cmd.Flags().Lookup(key); f != nil && f.Changed {
			continue
		}
		if f := cmd.Flags().Lookup("approver"); key == "approvers" && f != nil && f.Changed {
			continue
		}
		for _, env := range names {
			val := s.Getenv(env)
			if val == "" {
				continue
			}
			if kinds[key] == reflect.Bool {
				if _, err := strconv.ParseBool(val); err != nil {
					return nil, fmt.Errorf("%s=%q: want true or false", env, val)
				}
			}
			cfg.origins[key] = env
			break
		}
	}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if commandKeys(cmd.Name(), flagKey(f.Name)) {
			cfg.origins[flagKey(f.Name)] = "--" + f.Name
		}
	})
	if err := v.UnmarshalExact(cfg); err != nil {
		// checkConfig has checked every key and type of the file, and the
		// environment's booleans are checked above, so this is unexpected.
		return nil, fmt.Errorf("settings: %w (see configs/licenseplan.yaml for the keys)", err)
	}
	cfg.File = file
	for i := range cfg.Rules.Overrides {
		cfg.Rules.Overrides[i].Origin = fmt.Sprintf("%s: rules.overrides[%d]", file, i)
	}
	return cfg, nil
}

// origin says where the value of key came from: "--out",
// "LICENSEPLAN_OUT", "SF_USERNAME", "out in config file c.yaml", or "" when
// it is not set.
func (c *Config) origin(key string) string { return c.origins[key] }

// readConfigFile reads a config file, refusing one over maxConfigBytes
// without reading all of it (a link to /dev/zero ends with an error).
func readConfigFile(file, from string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("config file %s (from %s): %w", file, from, pathError(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", file, pathError(err))
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("config file %s is over %d KiB: is it the right file? (licenseplan's reference config is 5 KB)", file, maxConfigBytes>>10)
	}
	return data, nil
}

// pathError drops the Go operation from an *os.PathError ("open x: no
// such file or directory" becomes "no such file or directory"), since the
// caller names the file already.
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkConfig checks a config file's YAML against Config before viper reads
// it, so every mistake gets the file, the line and a hint rather than
// viper's or mapstructure's own words:
//
//   - one document, a mapping at the top; no anchors or aliases (a config
//     file has no use for them, and refusing them bounds what a hostile
//     file can expand to);
//   - every key is a Config key: an unknown one is "unknown key `fromat`
//     (did you mean `format`?)";
//   - a boolean key holds true or false, a text key a single value (a
//     number is taken as the text it is written as, so api-version: 64.0
//     stays "64.0" instead of becoming 64).
//
// It returns the file as viper should read it (text values tagged as
// strings) and the top-level keys it sets.
func checkConfig(file string, data []byte) (clean []byte, keys []string, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, nil // an empty file sets nothing
		}
		return nil, nil, fmt.Errorf("config file %s%s", file, yamlMessage(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, nil, fmt.Errorf("config file %s%s", file, yamlMessage(err))
		}
		return nil, nil, fmt.Errorf("config file %s:%d: a second YAML document (after ---): put every setting in one document", file, line)
	}
	if len(doc.Content) == 0 {
		return nil, nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil, nil
	}
	c := configChecker{file: file}
	if err := c.check(root, reflect.TypeFor[Config](), ""); err != nil {
		return nil, nil, err
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		keys = append(keys, root.Content[i].Value)
	}
	clean, err = yaml.Marshal(&doc)
	if err != nil {
		return nil, nil, fmt.Errorf("config file %s: %w", file, err)
	}
	return clean, keys, nil
}

type configChecker struct{ file string }

func (c configChecker) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("config file %s:%d: %s", c.file, n.Line, fmt.Sprintf(format, args...))
}

// check checks node n against type t; path is the key so far ("rules.overrides[0]").
func (c configChecker) check(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return c.errorf(n, "%s: YAML anchors and aliases (&name, *name) are not supported in a config file: write the value out", keyName(path))
	}
	isNull := n.Kind == yaml.ScalarNode && n.Tag == "!!null"
	switch t.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return c.errorf(n, "%s: want a single value, not a %s", keyName(path), nodeKind(n))
		}
		if !isNull {
			n.Tag, n.Style = "!!str", yaml.DoubleQuotedStyle
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || !(n.Tag == "!!bool" || isNull) {
			return c.errorf(n, "%s: want true or false, not %s", keyName(path), nodeText(n))
		}
	case reflect.Slice:
		if isNull {
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return c.errorf(n, "%s: want a list (lines starting with -), not %s", keyName(path), nodeText(n))
		}
		for i, e := range n.Content {
			if err := c.check(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		if isNull {
			return nil
		}
		if n.Kind != yaml.MappingNode {
			return c.errorf(n, "%s: want keys (a mapping), not %s", keyName(path), nodeText(n))
		}
		fields := structKeys(t)
		seen := map[string]int{} // key -> line
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return c.errorf(k, "%s: a key must be a name, not a %s", keyName(path), nodeKind(k))
			}
			full := k.Value
			if path != "" {
				full = path + "." + k.Value
			}
			ft, ok := fields[k.Value]
			if !ok {
				return c.errorf(k, "unknown key `%s`%s", full, didYouMean(k.Value, slices.Sorted(maps.Keys(fields))))
			}
			if first, dup := seen[k.Value]; dup {
				return c.errorf(k, "key `%s` is set twice (first on line %d): keep one", full, first)
			}
			seen[k.Value] = k.Line
			if err := c.check(val, ft, full); err != nil {
				return err
			}
		}
	}
	return nil
}

func keyName(path string) string {
	if path == "" {
		return "the file"
	}
	return "`" + path + "`"
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}

func nodeText(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return "a " + nodeKind(n)
}

// didYouMean is " (did you mean `x`?)" for the nearest of keys, or a list
// of the keys when none is near.
func didYouMean(word string, keys []string) string {
	if k, ok := suggest.Nearest(word, keys); ok {
		return fmt.Sprintf(" (did you mean `%s`?)", k)
	}
	return "; the keys here are " + strings.Join(keys, ", ")
}

// structKeys maps the mapstructure keys of struct t (squashed fields
// included) to their types.
func structKeys(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("mapstructure")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case tag == "-" || !f.IsExported():
		case opts == "squash":
			for k, v := range structKeys(f.Type) {
				out[k] = v
			}
		case name != "":
			out[name] = f.Type
		}
	}
	return out
}

// configKinds maps every top-level Config key to its kind.
func configKinds() map[string]reflect.Kind {
	out := map[string]reflect.Kind{}
	for k, t := range structKeys(reflect.TypeFor[Config]()) {
		out[k] = t.Kind()
	}
	return out
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?(?:unmarshal errors:\s*)?line (\d+): (.*)$`)

// yamlMessage turns a YAML parser error into ":LINE: message" (or ": message"
// when it names no line), without the parser's "yaml:" prefix.
func yamlMessage(err error) string {
	msg := strings.TrimSpace(err.Error())
	if m := yamlLine.FindStringSubmatch(strings.Join(strings.Fields(msg), " ")); m != nil {
		return ":" + m[1] + ": not valid YAML: " + m[2]
	}
	return ": not valid YAML: " + strings.TrimPrefix(msg, "yaml: ")
}

// OwnerRole is one entry of the config's owner-roles: the role to give
// the owner of account Account ("*" for every account not named).
type OwnerRole struct {
	Account string `mapstructure:"account"`
	Role    string `mapstructure:"role"`
}

// sfID matches a 15- or 18-character Salesforce record Id.
var sfID = regexp.MustCompile(`^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$`)

// ownerRoles checks the config's owner-roles and returns them as
// planner.Options.OwnerRoles wants them: account Id (or "*") -> role Id;
// nil when there are none. An account is "*" or an Account Id (prefix
// 001), a role a UserRole Id (prefix 00E), each named once.
func (c *Config) ownerRoles() (map[string]string, error) {
	if len(c.OwnerRoles) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(c.OwnerRoles))
	for i, e := range c.OwnerRoles {
		where := fmt.Sprintf("config file %s: owner-roles[%d]", c.File, i)
		acct, role := strings.TrimSpace(e.Account), strings.TrimSpace(e.Role)
		switch {
		case acct != planner.OwnerRoleAll && (!sfID.MatchString(acct) || !strings.HasPrefix(acct, "001")):
			return nil, fmt.Errorf("%s: account %q: want an Account Id (001..., 15 or 18 characters) or \"*\" for every account", where, e.Account)
		case !sfID.MatchString(role) || !strings.HasPrefix(role, "00E"):
			return nil, fmt.Errorf("%s: role %q: want a UserRole Id (00E..., 15 or 18 characters): the owner's internal role", where, e.Role)
		}
		if _, dup := m[acct]; dup {
			return nil, fmt.Errorf("%s: account %s is named twice: keep one", where, acct)
		}
		m[acct] = role
	}
	return m, nil
}

// ruleTable builds the rule table with the config's overrides.
func (c *Config) ruleTable() (*rules.Table, error) {
	if len(c.Rules.Overrides) == 0 {
		return rules.Default()
	}
	t, err := rules.Build(c.Rules.Overrides)
	if err != nil {
		return nil, fmt.Errorf("config file %w", err)
	}
	return t, nil
}
