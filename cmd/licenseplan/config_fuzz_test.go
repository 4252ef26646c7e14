package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/spf13/viper"
)

// FuzzCheckConfig feeds config files to the checker and, when it accepts
// one, to viper as loadConfig does. The properties: no panic; an error
// names the file; and a file the checker accepts is one viper reads and
// unmarshals exactly into Config (loadConfig treats anything else as a
// bug), so a typo can never pass the check and then be ignored.
func FuzzCheckConfig(f *testing.F) {
	shipped, err := os.ReadFile("../../configs/licenseplan.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(shipped)
	for _, s := range []string{
		"", "---\n", "out: x\n---\nout: y\n", "fromat: csv\n", "api-version: 64.0\n",
		"strict: maybe\n", "a: &x 1\nb: *x\n", "rules:\n  overrides:\n  - from: A\n    to: B\n",
		"? [a]\n: 1\n", "format: [csv, json]\n", "out: !!binary aGk=\n", "\t", "out: {x: 1}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		clean, keys, err := checkConfig("c.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config file c.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if clean == nil {
			if len(keys) != 0 {
				t.Fatalf("keys %v from a file that sets nothing", keys)
			}
			return
		}
		v := viper.New()
		v.SetConfigType("yaml")
		if err := v.ReadConfig(bytes.NewReader(clean)); err != nil {
			t.Fatalf("checked file %q: viper cannot read it: %v", data, err)
		}
		var cfg Config
		if err := v.UnmarshalExact(&cfg); err != nil {
			t.Fatalf("checked file %q: it does not unmarshal into Config: %v", data, err)
		}
	})
}
