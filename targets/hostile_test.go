package targets

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// hostileCase is one bad input: its category, and a piece of the error it
// must get. Every error must also start with the file name and a line.
type hostileCase struct {
	category, name, in, want string
}

var (
	errCSVLineRE  = regexp.MustCompile(`^t\.csv:\d+(:\d+)?: `)
	errYAMLLineRE = regexp.MustCompile(`^t\.yaml:\d+(:\d+)?: `)
)

func hostileCSV() []hostileCase {
	big := strings.Repeat("x", MaxCSVRow)
	return []hostileCase{
		{"size", "field over 1 MiB", "Id,TargetLicense\n005A," + big + "\n", "t.csv:2: the row is longer than 1048576 bytes"},
		{"size", "no line break at all", strings.Repeat("Id,TargetLicense,", MaxCSVRow/8), "t.csv:1: the row is longer than"},
		{"size", "header over 1 MiB", big + ",Id,TargetLicense\n005A,Partner\n", "t.csv:1: the row is longer than"},
		{"size", "quoted field with line breaks over 1 MiB", "Id,TargetLicense\n005A,Partner Community\n005B,\"" + strings.Repeat("a\n", MaxCSVRow/2+1) + "\"\n", "t.csv:3: the row is longer than"},
		{"size", "escaped quotes do not hide the row end", "Username,TargetLicense\n\"\"\"a\"\"@x\",Partner\n" + "b@x," + big + "\n", "t.csv:3: the row is longer than"},
		{"syntax", "unterminated quote", "Id,TargetLicense\n005A,\"Partner Community\n", `t.csv:2:`},
		{"syntax", "bare quote", "Id,TargetLicense\n005A,Part\"ner\n", `t.csv:2:10: bare " in non-quoted-field`},
		{"syntax", "not UTF-8", "Id,TargetLicense\n005\xff,Partner Community\n", "t.csv:2:1: the field is not UTF-8"},
		{"structure", "empty", "", "t.csv: empty file"},
		{"structure", "only a BOM", "\xEF\xBB\xBF", "t.csv: empty file"},
		{"structure", "no key column", "Name,TargetLicense\nx,Partner\n", "t.csv:1: missing column Id or Username"},
		{"structure", "no license column", "Id,TargetProfile\n005A,P\n", "t.csv:1: missing column TargetLicense"},
		{"structure", "duplicate column", "Id,TargetLicense,targetlicense\n", `t.csv:1:3: duplicate column "targetlicense"`},
		{"structure", "short row without a key", "Id,Username,TargetLicense\n,\n", "t.csv:2: row has neither"},
		{"semantic", "blank license", "Id,TargetLicense\n005A, \n", "t.csv:2:2: TargetLicense is blank"},
		{"semantic", "unknown license", "Id,TargetLicense\n005A,Customer Comunity Plus\n", `t.csv:2:6: unknown license "Customer Comunity Plus" (did you mean "Customer Community Plus"?)`},
		{"semantic", "license with a NUL", "Id,TargetLicense\n005A,Partner\x00Community\n", `t.csv:2:6: unknown license "Partner\x00Community"`},
		{"semantic", "duplicate Id", "Id,TargetLicense\n005A,Partner Community\n005A,Customer Community\n", "t.csv:3: user Id 005A already has a target at t.csv:2"},
		{"semantic", "duplicate username, other case", "Username,TargetLicense\na@x,Partner Community\nA@X,Customer Community\n", "t.csv:3: username A@X already has a target at t.csv:2"},
	}
}

func hostileYAML() []hostileCase {
	laughs := "- match:\n    license: &l0 [a, a, a, a, a, a, a, a, a, a]\n"
	for i := 1; i <= 9; i++ {
		laughs += fmt.Sprintf("    profile%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	laughs += "  to: {license: Partner Community}\n"
	inList := "- match:\n    license:\n    - &l0 [a, a, a, a, a, a, a, a, a, a]\n"
	for i := 1; i <= 9; i++ {
		inList += fmt.Sprintf("    - &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	inList += "  to: {license: Partner Community}\n"
	fanout := "- match: {license: &all [" + strings.Repeat("Partner, ", 999) + "Partner]}\n  to: {license: Partner Community}\n" +
		strings.Repeat("- match: {license: *all}\n  to: {license: Partner Community}\n", 200)
	nested := "- match: {license: " + strings.Repeat("[", 5000) + "Partner" + strings.Repeat("]", 5000) + "}\n  to: {license: Partner Community}\n"
	sel := "- match: {license: Partner}\n  to: {license: Partner Community}\n"
	return []hostileCase{
		{"size", "file over 1 MiB", strings.Repeat("# padding\n", MaxYAMLBytes/10+1), "t.yaml:1: the file has 1048580 bytes; a targets YAML file may hold at most 1048576"},
		{"size", "more selectors than allowed", strings.Repeat("- to: {license: Partner}\n", MaxSelectors+1), "t.yaml:10001:3: more than 10000 selectors"},
		{"aliases", "billion laughs", laughs, `t.yaml:3:5: selector 1: match: unknown field "profile1"`},
		{"aliases", "billion laughs inside a known field", inList, "t.yaml:3:7: selector 1: match.license: want a string"},
		{"aliases", "alias fan-out beyond the value budget", fanout, "more than 100000 match values in the file (aliases count at each use)"},
		{"aliases", "alias to itself", "- match: {license: &a [*a]}\n  to: {license: Partner Community}\n", "t.yaml:1:20: selector 1: match.license: want a string"},
		{"aliases", "unknown anchor", sel + "- match: {license: *nope}\n  to: {license: Partner Community}\n", "t.yaml:3: alias *nope names no anchor"},
		{"aliases", "merge key", "- &base\n  match: {license: Partner}\n  to: {license: Partner Community}\n- <<: *base\n", `t.yaml:4:3: selector 2: unknown field "<<"`},
		{"nesting", "deeper than the parser allows", strings.Repeat("[", 10001), "t.yaml:1: exceeded max depth of 10000"},
		{"nesting", "deep on a later line", sel + "- " + strings.Repeat("{a: ", 10001), "t.yaml:3: exceeded max depth of 10000"},
		{"nesting", "deep inside a field", nested, "t.yaml:1:21: selector 1: match.license: want a string"},
		{"encoding", "not UTF-8", sel + "- match: {license: Partner\xff}\n", "t.yaml:3: the file is not UTF-8 (byte 0xFF)"},
		{"encoding", "UTF-16", "\xff\xfe-\x00 \x00", "t.yaml:1: the file is not UTF-8"},
		{"encoding", "control character", sel + "- match: {license: Part\x01ner}\n", "t.yaml:3: character U+0001 is not allowed"},
		{"encoding", "NUL", "\x00", "t.yaml:1: character U+0000 is not allowed"},
		{"syntax", "unclosed flow", "- match: [\n", "t.yaml:1: did not find expected node content"},
		{"syntax", "tab indentation", sel + "\t- a", "t.yaml:3: found"},
		{"syntax", "second document", sel + "---\n- match: {license: Gold Partner}\n  to: {license: Partner Community}\n", "t.yaml:4: a second YAML document"},
		{"schema", "not a list", "match: {}\n", "t.yaml:1:1: want a list of selectors"},
		{"schema", "selector is a string", "- Partner\n", "t.yaml:1:3: selector 1: want a mapping of match, to"},
		{"schema", "unknown field", "- match: {licence: Partner}\n  to: {license: Partner Community}\n", `t.yaml:1:11: selector 1: match: unknown field "licence"`},
		{"schema", "field twice", "- match: {license: Partner, license: Gold Partner}\n  to: {license: Partner Community}\n", `t.yaml:1:29: selector 1: match: field "license" given twice (first on line 1)`},
		{"schema", "empty list matches everyone", "- match: {license: []}\n  to: {license: Partner Community}\n", "t.yaml:1:20: selector 1: match.license: an empty list would match every user"},
		{"schema", "empty value", "- match: {userType: }\n  to: {license: Partner Community}\n", "t.yaml:1:21: selector 1: match.userType is empty"},
		{"schema", "null in a list", "- match: {license: [Partner, ~]}\n  to: {license: Partner Community}\n", "t.yaml:1:30: selector 1: match.license is empty"},
		{"schema", "partnerAccount is not a boolean", "- match: {partnerAccount: yes}\n  to: {license: Partner Community}\n", "t.yaml:1:27: selector 1: match.partnerAccount: want true or false"},
		{"schema", "no to", "- match: {license: Partner}\n", "t.yaml:1:3: selector 1: to.license is required"},
		{"schema", "to without license", "- to: {profile: P}\n", "t.yaml:1:7: selector 1: to.license is required"},
		{"schema", "to.license is a list", "- to: {license: [Partner]}\n", "t.yaml:1:17: selector 1: to.license: want a string"},
		{"semantic", "unknown to license", "- to: {license: Partner Comunity}\n", `t.yaml:1:17: selector 1: unknown license "Partner Comunity" in to.license (did you mean "Partner Community"?)`},
		{"semantic", "unknown match license", "- match: {license: Gold Partnr}\n  to: {license: Partner Community}\n", `t.yaml:1:20: selector 1: unknown license "Gold Partnr" in match.license (did you mean "Gold Partner"?)`},
	}
}

// Every hostile input gets a clear error that names the file and line,
// and the test says how many of each category were tried.
func TestHostileInputs(t *testing.T) {
	lic := catalog(t)
	count := map[string]int{}
	for _, kind := range []struct {
		name   string
		cases  []hostileCase
		lineRE *regexp.Regexp
		parse  func(string) (*Set, error)
	}{
		{"csv", hostileCSV(), errCSVLineRE, func(in string) (*Set, error) { return ParseCSV("t.csv", strings.NewReader(in), lic) }},
		{"yaml", hostileYAML(), errYAMLLineRE, func(in string) (*Set, error) { return ParseYAML("t.yaml", []byte(in), lic) }},
	} {
		for _, tc := range kind.cases {
			t.Run(kind.name+"/"+tc.category+"/"+tc.name, func(t *testing.T) {
				count[kind.name+"/"+tc.category]++
				s, err := kind.parse(tc.in)
				if err == nil {
					t.Fatalf("no error; got %d rows, %d selectors", s.NumRows(), len(s.Selectors))
				}
				msg := err.Error()
				if !strings.Contains(msg, tc.want) {
					t.Errorf("err = %.300q\nwant it to contain %q", msg, tc.want)
				}
				if !kind.lineRE.MatchString(msg) && !strings.HasSuffix(tc.want, "empty file") {
					t.Errorf("err = %.300q does not start with the file and a line", msg)
				}
				if len(msg) > 4000 {
					t.Errorf("error is %d bytes long: it should not quote the input", len(msg))
				}
			})
		}
	}
	t.Logf("hostile inputs tried, by category: %v", count)
}

// The real files the parsers see still parse: the demo's targets and the
// presets.
func TestRealFilesParse(t *testing.T) {
	lic := catalog(t)
	data, err := os.ReadFile("../demo/targets.csv")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseCSV("demo targets.csv", bytes.NewReader(data), lic)
	if err != nil || s.NumRows() < 25 {
		t.Fatalf("demo targets: %v, %d rows", err, s.NumRows())
	}
	for _, name := range Presets() {
		if p, err := Preset(name, lic); err != nil || len(p.Selectors) == 0 {
			t.Errorf("preset %s: %v", name, err)
		}
	}
}
