package reports

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// Writer renders a plan in one format.
type Writer interface {
	Write(ctx context.Context, w io.Writer, p *planner.Plan) error
}

// ErrUnknownFormat is returned by ForFormat for a name it does not know.
var ErrUnknownFormat = errors.New("unknown format")

// errNilPlan is returned by every writer given a nil plan.
var errNilPlan = errors.New("nil plan")

// format describes one output format.
type format struct {
	new func() Writer
	// file is the output file name; "" when the format has none (text goes
	// to the terminal).
	file string
	// fingerprint: the format shows the plan's fingerprint.
	fingerprint bool
}

// formats is the single table from format name to writer. Add new formats
// (xlsx, html) here.
var formats = map[string]format{
	"json": {new: func() Writer { return JSON{} }, file: "plan.json", fingerprint: true},
	"csv":  {new: func() Writer { return CSV{} }, file: "plan.csv"},
	"md":   {new: func() Writer { return Markdown{} }, file: "report.md", fingerprint: true},
	"html": {new: func() Writer { return HTML{} }, file: "report.html", fingerprint: true},
	"xlsx": {new: func() Writer { return XLSX{} }, file: "plan.xlsx", fingerprint: true},
	"text": {new: func() Writer { return Text{} }},
}

// Compile-time checks that every writer satisfies Writer.
var (
	_ Writer = JSON{}
	_ Writer = CSV{}
	_ Writer = Markdown{}
	_ Writer = HTML{}
	_ Writer = XLSX{}
	_ Writer = Text{}
)

// Formats returns the format names, sorted.
func Formats() []string {
	return slices.Sorted(maps.Keys(formats))
}

// ForFormat returns the writer for a format name ("json", "csv", "md",
// "text"). The text writer it returns has colour off; callers that know they
// write to a colour terminal use Text{Color: true} instead.
func ForFormat(name string) (Writer, error) {
	f, ok := formats[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (valid formats: %s)", ErrUnknownFormat, name, strings.Join(Formats(), ", "))
	}
	return f.new(), nil
}

// FileName returns the output file name for a format: plan.json, plan.csv or
// report.md. It returns "", false for text (which has no file) and for unknown
// formats.
func FileName(format string) (string, bool) {
	f, ok := formats[format]
	if !ok || f.file == "" {
		return "", false
	}
	return f.file, true
}

// ShowsFingerprint reports whether format shows the plan's fingerprint,
// so that it must be written once the fingerprint is known. An unknown
// format is taken to show it.
func ShowsFingerprint(format string) bool {
	f, ok := formats[format]
	return !ok || f.fingerprint
}

// demoDetail is what every report says about a plan of the demo org.
const demoDetail = "This plan is of licenseplan's built-in demo org, not of an org of yours. " +
	"Plan your own with licenseplan plan --target-org ALIAS or --input DIR."

// ctxEvery is how many rows a writer renders between context checks.
const ctxEvery = 1024

// checkCtx returns ctx.Err() every ctxEvery rows (and on row 0).
func checkCtx(ctx context.Context, row int) error {
	if row%ctxEvery != 0 {
		return nil
	}
	return ctx.Err()
}

// sortCodes orders warning codes for display: most severe first (Code.Rank),
// then by name so codes outside the vocabulary are still deterministic.
func sortCodes(codes []rules.Code) {
	slices.SortFunc(codes, func(a, b rules.Code) int {
		return cmp.Or(cmp.Compare(a.Rank(), b.Rank()), cmp.Compare(a, b))
	})
}

// codeCount is a warning code with its count.
type codeCount struct {
	code  rules.Code
	count int
}

// warningCounts returns the non-zero entries of Summary.Warnings, most severe
// first. Its cost is O(codes).
func warningCounts(m map[string]int) []codeCount {
	codes := make([]rules.Code, 0, len(m))
	for c, n := range m {
		if n != 0 {
			codes = append(codes, rules.Code(c))
		}
	}
	sortCodes(codes)
	out := make([]codeCount, len(codes))
	for i, c := range codes {
		out[i] = codeCount{c, m[string(c)]}
	}
	return out
}

// outcomeCount is one row of an outcome table.
type outcomeCount struct {
	label string
	count int
}

// outcomeCounts returns every known outcome in display order (zeros
// included), then any other keys of the map, sorted, so that nothing the
// planner counted is hidden. Its cost is O(outcomes).
func outcomeCounts(m map[string]int) []outcomeCount {
	out := make([]outcomeCount, 0, len(rules.Outcomes)+len(m))
	known := make(map[string]bool, len(rules.Outcomes))
	for _, o := range rules.Outcomes {
		known[o.String()] = true
		out = append(out, outcomeCount{o.Label(), m[o.String()]})
	}
	var extra []string
	for k := range m {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		out = append(out, outcomeCount{k, m[k]})
	}
	return out
}

// joinInts joins ints with sep.
func joinInts(xs []int, sep string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return strconv.Itoa(xs[0])
	}
	var b strings.Builder
	for i, x := range xs {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(strconv.Itoa(x))
	}
	return b.String()
}

// userCodes returns the distinct warning codes of a user, in the order they
// first appear.
func userCodes(ws []planner.Warning) []rules.Code {
	codes := make([]rules.Code, 0, len(ws))
	for _, w := range ws {
		if !slices.Contains(codes, w.Code) {
			codes = append(codes, w.Code)
		}
	}
	return codes
}

// out is a buffered writer that keeps the first error, so a renderer can
// write many pieces and check once per row.
type out struct {
	w   *bufio.Writer
	err error
}

func newOut(w io.Writer) *out { return &out{w: bufio.NewWriterSize(w, 64<<10)} }

// print writes the strings in order.
func (o *out) print(ss ...string) {
	for _, s := range ss {
		if o.err != nil {
			return
		}
		_, o.err = o.w.WriteString(s)
	}
}

// flush writes what is buffered and returns the first error.
func (o *out) flush() error {
	if o.err == nil {
		o.err = o.w.Flush()
	}
	return o.err
}

// madeBy is the tool and rule data that made the plan, for report footers:
// "licenseplan 1.2.0, rules sha256:0123456789ab".
func madeBy(p *planner.Overview) string {
	tool := p.Source.Tool
	if tool == "" {
		tool = "licenseplan (version not recorded)"
	}
	if p.Source.RulesVersion == "" {
		return tool
	}
	return tool + ", rules " + p.Source.RulesVersion
}
