package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/licenseplan/licenseplan/rules"
)

// Config is every setting of a run. Precedence: flag, then environment
// (LICENSEPLAN_<KEY>, dashes and dots as underscores), then the config file,
// then the default. Business code sees only this struct.
type Config struct {
	Input            string `mapstructure:"input"`
	Targets          string `mapstructure:"targets"`
	Preset           string `mapstructure:"preset"`
	Out              string `mapstructure:"out"`
	Format           string `mapstructure:"format"`
	IncludeInactive  bool   `mapstructure:"include-inactive"`
	DetailedExitcode bool   `mapstructure:"detailed-exitcode"`
	Quiet            bool   `mapstructure:"quiet"`
	Rules            struct {
		Overrides []rules.Override `mapstructure:"overrides"`
	} `mapstructure:"rules"`
	// Live holds the live-org settings (live.go).
	Live liveConfig `mapstructure:",squash"`

	// File is the config file that was read ("" if none).
	File string `mapstructure:"-"`
}

var configKeys = map[string]bool{"input": true, "targets": true, "preset": true, "out": true, "format": true,
	"include-inactive": true, "detailed-exitcode": true, "quiet": true}

// loadConfig reads the config file named by --config (or LICENSEPLAN_CONFIG)
// and binds the command's flags to the same keys, in a viper instance of its
// own. Only flags named like Config keys are bound: other commands' flags
// (rules --format, --from) mean something else.
func loadConfig(cmd *cobra.Command, s *Streams) (*Config, error) {
	v := viper.New()
	var bindErr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !configKeys[f.Name] || cmd.Name() != "plan" {
			return
		}
		bindErr = errors.Join(bindErr, v.BindPFlag(f.Name, f))
	})
	if bindErr != nil {
		return nil, bindErr
	}
	file, _ := cmd.Flags().GetString("config")
	if file == "" {
		file = s.Getenv("LICENSEPLAN_CONFIG")
	}
	cfg := &Config{File: file}
	if file != "" {
		v.SetConfigFile(file)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("config file %s: %w", file, err)
		}
	}
	// Environment: LICENSEPLAN_<KEY> beats the file, a flag beats both. It is
	// read through Streams so tests control it.
	for key := range configKeys {
		env := "LICENSEPLAN_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
		if val := s.Getenv(env); val != "" {
			if f := cmd.Flags().Lookup(key); f == nil || !f.Changed {
				v.Set(key, val)
			}
		}
	}
	if err := v.UnmarshalExact(cfg); err != nil {
		where := "settings"
		if file != "" {
			where = "config file " + file
		}
		return nil, fmt.Errorf("%s: %w (see configs/licenseplan.yaml for the keys)", where, err)
	}
	cfg.File = file
	if cmd.Name() == "plan" {
		cfg.applySFEnv(cmd, s)
	}
	for i := range cfg.Rules.Overrides {
		cfg.Rules.Overrides[i].Origin = fmt.Sprintf("%s: rules.overrides[%d]", file, i)
	}
	return cfg, nil
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
