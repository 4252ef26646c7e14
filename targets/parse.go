package targets

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ParseCSV reads per-user targets: a header with Id or Username (or both),
// TargetLicense, and optionally TargetProfile; other columns are ignored.
// name is used in error messages and origins. License names are not checked
// here: a user whose target license is unknown stays in the plan as invalid.
func ParseCSV(name string, r io.Reader) (*Set, error) {
	cr := csv.NewReader(stripBOM(r))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file: want a header row with Id or Username, and TargetLicense", name)
	}
	if err != nil {
		return nil, csvErr(name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		k := strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[k]; dup {
			return nil, fmt.Errorf("%s:1:%d: duplicate column %q", name, i+1, h)
		}
		col[k] = i
	}
	idCol, hasID := col["id"]
	userCol, hasUser := col["username"]
	licCol, hasLic := col["targetlicense"]
	profCol, hasProf := col["targetprofile"]
	if !hasID && !hasUser {
		return nil, fmt.Errorf("%s:1: missing column Id or Username (header has %s)", name, strings.Join(header, ", "))
	}
	if !hasLic {
		return nil, fmt.Errorf("%s:1: missing column TargetLicense (header has %s)", name, strings.Join(header, ", "))
	}
	s := &Set{Describe: "targets " + name}
	get := func(rec []string, i int, ok bool) string {
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvErr(name, err)
		}
		line, _ := cr.FieldPos(0)
		row := Row{UserID: get(rec, idCol, hasID), Username: get(rec, userCol, hasUser)}
		row.License = get(rec, licCol, true)
		row.Profile = get(rec, profCol, hasProf)
		row.Origin = fmt.Sprintf("%s:%d", name, line)
		if row.UserID == "" && row.Username == "" {
			return nil, fmt.Errorf("%s:%d: row has neither Id nor Username", name, line)
		}
		if row.License == "" {
			return nil, fmt.Errorf("%s:%d:%d: TargetLicense is blank", name, line, licCol+1)
		}
		s.Rows = append(s.Rows, row)
	}
	return s, s.index()
}

func csvErr(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %w", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

func stripBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
	}
	return br
}

// stringList accepts a YAML scalar or a sequence of scalars.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = []string{n.Value}
		return nil
	case yaml.SequenceNode:
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*l = s
		return nil
	}
	return fmt.Errorf("line %d: want a string or a list of strings", n.Line)
}

type yamlSelector struct {
	Match struct {
		License        stringList `yaml:"license"`
		UserType       stringList `yaml:"userType"`
		Profile        stringList `yaml:"profile"`
		AccountName    stringList `yaml:"accountName"`
		PartnerAccount *bool      `yaml:"partnerAccount"`
	} `yaml:"match"`
	To struct {
		License string `yaml:"license"`
		Profile string `yaml:"profile"`
	} `yaml:"to"`
}

// ParseYAML reads a list of selectors:
//
//   - match: {license: [...], userType: ..., profile: ..., accountName: "Acme*", partnerAccount: true}
//     to: {license: Customer Community Plus, profile: Customer Community Plus User}
//
// canon maps a license name to its catalog name; an unknown license in match
// or to is an error naming the file and line (a typo there would silently
// match nobody).
func ParseYAML(name string, data []byte, canon func(string) (string, bool)) (*Set, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := &Set{Describe: "targets " + name}
	if root.Kind == 0 {
		return s, s.index()
	}
	list := root.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: want a list of selectors (- match: ... to: ...)", name, list.Line)
	}
	for i, item := range list.Content {
		var ys yamlSelector
		if err := decodeStrict(item, &ys); err != nil {
			return nil, fmt.Errorf("%s:%d: selector %d: %w", name, item.Line, i+1, err)
		}
		at := fmt.Sprintf("%s:%d", name, item.Line)
		if ys.To.License == "" {
			return nil, fmt.Errorf("%s: selector %d: to.license is required", at, i+1)
		}
		to, ok := canon(ys.To.License)
		if !ok {
			return nil, fmt.Errorf("%s: selector %d: unknown license %q in to.license", at, i+1, ys.To.License)
		}
		sel := Selector{
			UserTypes: ys.Match.UserType, Profiles: ys.Match.Profile, AccountNames: ys.Match.AccountName,
			PartnerAccount: ys.Match.PartnerAccount,
			To:             Target{License: to, Profile: ys.To.Profile, Origin: at},
		}
		for _, l := range ys.Match.License {
			c, ok := canon(l)
			if !ok {
				return nil, fmt.Errorf("%s: selector %d: unknown license %q in match.license", at, i+1, l)
			}
			sel.Licenses = append(sel.Licenses, c)
		}
		s.Selectors = append(s.Selectors, sel)
	}
	return s, s.index()
}

// decodeStrict decodes n into v, rejecting unknown fields.
func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return errors.New(strings.Join(te.Errors, "; "))
		}
		return err
	}
	return nil
}
