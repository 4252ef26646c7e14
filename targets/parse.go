package targets

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Licenses is what the parsers need of the license catalog
// (*rules.Catalog implements it): the catalog name of a license name or
// alias, and a suggestion for a name it does not know, such as
// ` (did you mean "Customer Community Plus"?)`.
type Licenses interface {
	CanonicalName(name string) (string, bool)
	Suggest(name string) string
}

// Limits on what a targets file can cost. A bigger input is an error that
// names the file and line, never a slow run or an exhausted machine.
const (
	// MaxCSVRow is the most raw bytes one row of a targets CSV may hold
	// (quoted line breaks included), and so the most any field may hold.
	// encoding/csv has no limit of its own: a file with no line break
	// would otherwise be read into memory whole.
	MaxCSVRow = 1 << 20
	// MaxYAMLBytes is the largest targets YAML file. The YAML parser
	// builds a tree of about 100 bytes per node before anything can be
	// checked, and a node can be two bytes of text: 1 MiB costs at most
	// about 130 MB, 8 MiB would cost 1 GB. Selector files are a few KB;
	// per-user targets belong in a CSV file.
	MaxYAMLBytes = 1 << 20
	// MaxSelectors is the most selectors a targets YAML file may hold.
	MaxSelectors = 10_000
	// MaxYAMLValues is the most match values (license, userType, profile
	// and accountName entries) a targets YAML file may hold, counting each
	// use of an alias again: aliases cannot expand a small file into a
	// large one ("billion laughs").
	MaxYAMLValues = 100_000
)

// ParseCSV reads per-user targets: a header with Id or Username (or both),
// TargetLicense, and optionally TargetProfile; other columns are ignored.
// name is used in error messages and origins. A TargetLicense the catalog
// does not know is an error naming the file, line and column, with the
// nearest name: a typo there would otherwise leave the user unconverted.
// Memory grows with the number of rows; no row may exceed MaxCSVRow bytes.
func ParseCSV(name string, r io.Reader, lic Licenses) (*Set, error) {
	lim := &rowLimiter{r: stripBOM(r), line: 1, rowLine: 1, max: MaxCSVRow}
	cr := csv.NewReader(lim)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	readErr := func(err error) error {
		if lim.err != nil {
			return fmt.Errorf("%s:%d: the row is longer than %d bytes (1 MiB), the most a targets row may hold: check the file is a targets CSV with one user per line", name, lim.err.line, MaxCSVRow)
		}
		return csvErr(name, err)
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) && lim.err == nil {
		return nil, fmt.Errorf("%s: empty file: want a header row with Id or Username, and TargetLicense", name)
	}
	if err != nil {
		return nil, readErr(err)
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
	s.Sources = []string{s.Describe}
	get := func(rec []string, i int, ok bool) string {
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	// A file names a few licenses on many rows: each spelling is looked
	// up once (up to maxDistinct of them).
	licenses := map[string]string{} // TargetLicense as written -> catalog name
	file := s.rows.addFile(name, 0)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) && lim.err == nil {
			break
		}
		if err != nil {
			return nil, readErr(err)
		}
		line, _ := cr.FieldPos(0)
		for i, f := range rec {
			if !utf8.ValidString(f) {
				l, c := cr.FieldPos(i)
				return nil, fmt.Errorf("%s:%d:%d: the field is not UTF-8: save the file as UTF-8", name, l, c)
			}
		}
		id, username := get(rec, idCol, hasID), get(rec, userCol, hasUser)
		if id == "" && username == "" {
			return nil, fmt.Errorf("%s:%d: row has neither Id nor Username", name, line)
		}
		license := get(rec, licCol, true)
		if license == "" {
			return nil, fmt.Errorf("%s:%d:%d: TargetLicense is blank", name, line, licCol+1)
		}
		c, ok := licenses[license]
		if !ok {
			if c, ok = lic.CanonicalName(license); !ok {
				l, col := cr.FieldPos(licCol)
				return nil, fmt.Errorf("%s:%d:%d: unknown license %q%s", name, l, col, license, lic.Suggest(license))
			}
			if len(licenses) < maxDistinct {
				licenses[strings.Clone(license)] = c
			}
		}
		if err := s.rows.add(id, username, c, get(rec, profCol, hasProf), file, line); err != nil {
			return nil, err
		}
	}
	return s, s.rows.index()
}

// rowLimiter passes a CSV stream through and fails once one row (a record:
// line breaks inside quotes do not end it) holds more than MaxCSVRow bytes.
// It follows quoting the way RFC 4180 does: every '"' toggles it, so an
// escaped "" toggles twice. A bare quote that encoding/csv rejects may
// confuse it, but then encoding/csv reports that row first or this limit
// still holds.
type rowLimiter struct {
	r       io.Reader
	inQuote bool
	line    int // line of the next byte
	rowLine int // line the current row starts on
	n       int // bytes of the current row so far
	max     int // the most bytes a row may hold: MaxCSVRow
	err     *rowTooLong
}

type rowTooLong struct{ line int }

func (e *rowTooLong) Error() string { return "row too long at line " + strconv.Itoa(e.line) }

func (l *rowLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	// A line at a time, as the byte loop in TestRowLimiter reads it: the
	// quotes of a line toggle the state by their count's parity.
	for i := 0; i < n; {
		seg := p[i:n]
		nl := bytes.IndexByte(seg, '\n')
		if nl >= 0 {
			seg = seg[:nl+1]
		}
		if l.n+len(seg) > l.max {
			l.err = &rowTooLong{l.rowLine}
			return i + l.max - l.n, l.err
		}
		l.n += len(seg)
		if bytes.Count(seg, quote)%2 == 1 {
			l.inQuote = !l.inQuote
		}
		if nl >= 0 {
			l.line++
			if !l.inQuote {
				l.n, l.rowLine = 0, l.line
			}
		}
		i += len(seg)
	}
	return n, err
}

var quote = []byte{'"'}

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

// ParseYAML reads a list of selectors:
//
//   - match: {license: [...], userType: ..., profile: ..., accountName: "Acme*", partnerAccount: true}
//     to: {license: Customer Community Plus, profile: Customer Community Plus User}
//
// Every license in match or to must be one the catalog knows (lic): an
// unknown one is an error naming the file, line and column, with the
// nearest name, because a typo there would silently match nobody. Unknown
// fields, a field given twice, an empty value or list (which would match
// every user), a second YAML document, and inputs beyond MaxYAMLBytes,
// MaxSelectors or MaxYAMLValues are errors too. The file must be UTF-8.
func ParseYAML(name string, data []byte, lic Licenses) (*Set, error) {
	if len(data) > MaxYAMLBytes {
		return nil, fmt.Errorf("%s:1: the file has %d bytes; a targets YAML file may hold at most %d (1 MiB): selectors are a few lines each, and per-user targets belong in a CSV file", name, len(data), MaxYAMLBytes)
	}
	if err := checkYAMLText(name, data); err != nil {
		return nil, err
	}
	s := &Set{Describe: "targets " + name}
	s.Sources = []string{s.Describe}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return s, nil
		}
		return nil, yamlErr(name, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, yamlErr(name, data, err)
		}
		line := extra.Line
		if len(extra.Content) > 0 {
			line = extra.Content[0].Line
		}
		return nil, fmt.Errorf("%s:%d: a second YAML document (after ---): put every selector in one list", name, max(line, 1))
	}
	if root.Kind == 0 || (root.Kind == yaml.DocumentNode && len(root.Content) == 0) {
		return s, nil
	}
	p := &yamlParser{name: name, lic: lic}
	list := resolve(root.Content[0])
	if list.Kind != yaml.SequenceNode {
		return nil, p.errorf(list, "want a list of selectors (- match: ... to: ...)")
	}
	if len(list.Content) > MaxSelectors {
		return nil, p.errorf(list.Content[MaxSelectors], "more than %d selectors: a targets YAML file may hold at most %d; give per-user targets in a CSV file", MaxSelectors, MaxSelectors)
	}
	for i, item := range list.Content {
		sel, err := p.selector(i+1, item)
		if err != nil {
			return nil, err
		}
		s.Selectors = append(s.Selectors, sel)
	}
	return s, nil
}

// checkYAMLText rejects what the YAML reader would reject without naming
// a line: text that is not UTF-8, and characters YAML does not allow.
func checkYAMLText(name string, data []byte) error {
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return fmt.Errorf("%s:%d: the file is not UTF-8 (byte 0x%02X): save it as UTF-8", name, line, data[i])
		case r == '\n':
			line++
		case !yamlPrintable(r):
			return fmt.Errorf("%s:%d: character %U is not allowed in YAML: remove it", name, line, r)
		}
		i += size
	}
	return nil
}

// yamlPrintable is YAML 1.2's c-printable (the set the YAML reader allows).
func yamlPrintable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7E:
		return true
	case r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
var yamlAnchorRE = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

// yamlErr turns a YAML parser error into "file:line: message". The parser
// leaves the line out on the first line, and for an unknown alias, which
// is looked up in the text.
func yamlErr(name string, data []byte, err error) error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s", name, m[1], m[2])
	}
	if m := yamlAnchorRE.FindStringSubmatch(msg); m != nil {
		line := 1
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			line += bytes.Count(data[:i], []byte("\n"))
		}
		return fmt.Errorf("%s:%d: alias *%s names no anchor (&%s) defined before it", name, line, m[1], m[1])
	}
	return fmt.Errorf("%s:1: %s", name, strings.TrimPrefix(msg, "yaml: "))
}

// resolve follows an alias to the node it names. An alias never names
// another alias, and the parser rejects one that names no anchor.
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// yamlParser walks the node tree of a targets YAML file. The schema is at
// most four levels deep, so the walk never recurses further, whatever
// aliases or nesting the file holds.
type yamlParser struct {
	name   string
	lic    Licenses
	values int // match values so far, aliases counted at each use
}

func (p *yamlParser) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", p.name, max(n.Line, 1), max(n.Column, 1), fmt.Sprintf(format, args...))
}

// fields returns the values of mapping n by key, in order, rejecting
// keys outside allowed and keys given twice. what names n in errors.
func (p *yamlParser) fields(n *yaml.Node, what string, allowed ...string) (map[string]*yaml.Node, error) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return map[string]*yaml.Node{}, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, p.errorf(n, "%s: want a mapping of %s", what, strings.Join(allowed, ", "))
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	keys := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolve(n.Content[i])
		if k.Kind != yaml.ScalarNode {
			return nil, p.errorf(k, "%s: want a field name (%s)", what, strings.Join(allowed, ", "))
		}
		known := false
		for _, a := range allowed {
			known = known || a == k.Value
		}
		if !known {
			return nil, p.errorf(k, "%s: unknown field %q (want %s)", what, k.Value, strings.Join(allowed, ", "))
		}
		if prev, dup := keys[k.Value]; dup {
			return nil, p.errorf(k, "%s: field %q given twice (first on line %d)", what, k.Value, prev.Line)
		}
		keys[k.Value] = k
		out[k.Value] = n.Content[i+1]
	}
	return out, nil
}

func (p *yamlParser) selector(i int, item *yaml.Node) (Selector, error) {
	var sel Selector
	what := fmt.Sprintf("selector %d", i)
	f, err := p.fields(item, what, "match", "to")
	if err != nil {
		return sel, err
	}
	if m, ok := f["match"]; ok {
		mf, err := p.fields(m, what+": match", "license", "userType", "profile", "accountName", "partnerAccount")
		if err != nil {
			return sel, err
		}
		for _, x := range []struct {
			key string
			dst *[]string
		}{{"license", &sel.Licenses}, {"userType", &sel.UserTypes}, {"profile", &sel.Profiles}, {"accountName", &sel.AccountNames}} {
			v, ok := mf[x.key]
			if !ok {
				continue
			}
			if *x.dst, err = p.strings(v, what+": match."+x.key); err != nil {
				return sel, err
			}
		}
		for j, l := range sel.Licenses {
			c, ok := p.lic.CanonicalName(l)
			if !ok {
				return sel, p.errorf(p.valueNode(mf["license"], j), "%s: unknown license %q in match.license%s", what, l, p.lic.Suggest(l))
			}
			sel.Licenses[j] = c
		}
		if v, ok := mf["partnerAccount"]; ok {
			v = resolve(v)
			b, err := strconv.ParseBool(v.Value)
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" || err != nil {
				return sel, p.errorf(v, "%s: match.partnerAccount: want true or false", what)
			}
			sel.PartnerAccount = &b
		}
	}
	to, ok := f["to"]
	if !ok {
		return sel, p.errorf(item, "%s: to.license is required", what)
	}
	tf, err := p.fields(to, what+": to", "license", "profile")
	if err != nil {
		return sel, err
	}
	at := fmt.Sprintf("%s:%d", p.name, max(item.Line, 1))
	ln, ok := tf["license"]
	if !ok {
		return sel, p.errorf(resolve(to), "%s: to.license is required", what)
	}
	license, err := p.scalar(ln, what+": to.license", false)
	if err != nil {
		return sel, err
	}
	c, ok := p.lic.CanonicalName(license)
	if !ok {
		return sel, p.errorf(resolve(ln), "%s: unknown license %q in to.license%s", what, license, p.lic.Suggest(license))
	}
	sel.To = Target{License: c, Origin: at}
	if pn, ok := tf["profile"]; ok {
		if sel.To.Profile, err = p.scalar(pn, what+": to.profile", true); err != nil {
			return sel, err
		}
	}
	return sel, nil
}

// scalar returns the text of a string value; blank says whether it may be
// empty (or null).
func (p *yamlParser) scalar(n *yaml.Node, what string, blank bool) (string, error) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode {
		return "", p.errorf(n, "%s: want a string", what)
	}
	v := n.Value
	if n.Tag == "!!null" {
		v = ""
	}
	if !blank && strings.TrimSpace(v) == "" {
		return "", p.errorf(n, "%s is empty", what)
	}
	return v, nil
}

// strings returns a string or a list of strings. An empty value or list is
// an error: it would match every user, which leaving the field out says.
func (p *yamlParser) strings(n *yaml.Node, what string) ([]string, error) {
	n = resolve(n)
	var items []*yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		items = []*yaml.Node{n}
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			return nil, p.errorf(n, "%s: an empty list would match every user: name at least one value, or leave the field out", what)
		}
		items = n.Content
	default:
		return nil, p.errorf(n, "%s: want a string or a list of strings", what)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if p.values++; p.values > MaxYAMLValues {
			return nil, p.errorf(it, "%s: more than %d match values in the file (aliases count at each use): a targets YAML file may hold at most %d", what, MaxYAMLValues, MaxYAMLValues)
		}
		v, err := p.scalar(it, what, false)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// valueNode returns the node of the j-th value of a string or list field.
func (p *yamlParser) valueNode(n *yaml.Node, j int) *yaml.Node {
	n = resolve(n)
	if n.Kind == yaml.SequenceNode && j < len(n.Content) {
		return resolve(n.Content[j])
	}
	return n
}
