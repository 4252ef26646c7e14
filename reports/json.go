package reports

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"slices"
	"time"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// JSON writes plan.json: the plan as data, schema version
// planner.SchemaVersion, indented two spaces, with [] (never null) for empty
// lists. The same plan always gives the same bytes. Strings are written as
// they are: '<', '>' and '&' are not escaped (\u003c), so "->" reads as
// "->" (schema version 2; version 1 escaped them). plan.json is data, not
// markup: a page that embeds it must escape it as any other text.
//
// The users and steps are streamed one by one, so a plan with a million
// users is not built in memory as one document, and a built plan's users
// and steps are made one at a time as they are written. The file's shape
// is jsonPlan's.
type JSON struct{}

// ErrSchemaVersion is returned by ReadJSON for a plan.json whose
// schemaVersion is missing or outside planner.MinReadSchemaVersion to
// planner.SchemaVersion, and by JSON.Write for a plan that claims such a
// version.
var ErrSchemaVersion = errors.New("unsupported plan schemaVersion")

// Write implements Writer.
func (JSON) Write(ctx context.Context, w io.Writer, p *planner.Plan) error {
	if p == nil {
		return fmt.Errorf("JSON: %w", errNilPlan)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("JSON: %w", err)
	}
	// A plan read from an older version that can still be read is written
	// in its own version: its shape is the current one, less what the
	// current version adds (so its fingerprint is unchanged).
	if p.SchemaVersion != 0 && !readableVersion(p.SchemaVersion) {
		return fmt.Errorf("%w: the plan has schemaVersion %d, this writer writes %d to %d", ErrSchemaVersion, p.SchemaVersion, planner.MinReadSchemaVersion, planner.SchemaVersion)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := encodePlan(ctx, bw, normalize(p)); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// jsonPlan is plan.json's wire shape, schema version
// planner.SchemaVersion: its fields in the file's order. The plan itself
// (planner.Plan) is plain data with no JSON tags; this type is where its
// form on disk is decided, and ReadJSON reads into it.
type jsonPlan struct {
	SchemaVersion int                       `json:"schemaVersion"`
	GeneratedAt   time.Time                 `json:"generatedAt"`
	Fingerprint   string                    `json:"fingerprint"`
	Source        jsonSource                `json:"source"`
	Targets       []planner.TargetUse       `json:"targets"`
	Summary       planner.Summary           `json:"summary"`
	Users         []planner.UserPlan        `json:"users"`
	Steps         []planner.Step            `json:"steps"`
	Accounts      []planner.AccountPlan     `json:"accounts"`
	Licenses      []planner.LicenseCapacity `json:"licenses"`
	Rules         []jsonRule                `json:"rules"`
	Warnings      []planner.Warning         `json:"warnings"`
	Notes         []string                  `json:"notes"`
}

// jsonSource is plan.json's source: planner.Source, with the environment
// written as the org's isSandbox and production.
type jsonSource struct {
	Kind         string         `json:"kind"`
	Path         string         `json:"path,omitempty"`
	Org          *jsonOrg       `json:"org,omitempty"`
	Files        []string       `json:"files"`
	Targets      string         `json:"targets"`
	APICalls     int            `json:"apiCalls,omitempty"`
	Login        *planner.Login `json:"login,omitempty"`
	Tool         string         `json:"tool"`
	RulesVersion string         `json:"rulesVersion"`
}

type jsonOrg struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	OrganizationType string `json:"organizationType,omitempty"`
	InstanceName     string `json:"instanceName,omitempty"`
	// IsSandbox is the Organization record's, null when blank.
	IsSandbox *bool `json:"isSandbox"`
	// Production is true when the plan's environment is production.
	Production bool `json:"production"`
}

// jsonRule is one of plan.json's rules: planner.RuleUse, with its source
// in the plan's version's shape (jsonRuleSource).
type jsonRule struct {
	ID          string         `json:"id"`
	From        string         `json:"from"`
	To          string         `json:"to"`
	Outcome     rules.Outcome  `json:"outcome"`
	Source      jsonRuleSource `json:"source"`
	Explanation string         `json:"explanation"`
	Conflict    string         `json:"conflict,omitempty"`
	Users       int            `json:"users"`
}

// jsonRuleSource is a rule's source: from schema 5 an object that names
// the document by title and address; in schemas 3 and 4 (text) the string
// "doc: ref".
type jsonRuleSource struct {
	c    rules.Citation
	text bool
}

type jsonCitation struct {
	Doc       string `json:"doc"`
	Ref       string `json:"ref"`
	Title     string `json:"title"`
	Publisher string `json:"publisher"`
	URL       string `json:"url"`
}

// MarshalJSON writes the source without escaping <, > and &, as the rest
// of plan.json is written.
func (s jsonRuleSource) MarshalJSON() ([]byte, error) {
	var v any = jsonCitation{s.c.Doc, s.c.Ref, s.c.Title, s.c.Publisher, s.c.URL}
	if s.text {
		v = s.c.String()
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func (s *jsonRuleSource) UnmarshalJSON(b []byte) error {
	var text string
	if json.Unmarshal(b, &text) == nil {
		*s = jsonRuleSource{c: rules.ParseCitation(text), text: true}
		return nil
	}
	var c jsonCitation
	if err := json.Unmarshal(b, &c); err != nil {
		return err
	}
	*s = jsonRuleSource{c: rules.Citation{Doc: c.Doc, Ref: c.Ref, Title: c.Title, Publisher: c.Publisher, URL: c.URL}}
	return nil
}

// lineElements reports whether plan.json version v writes each user and
// step on one line (from schema 6).
func lineElements(v int) bool { return v >= 6 }

// ruleSourceText reports whether plan.json version v holds a rule's
// source as text (before schema 5).
func ruleSourceText(v int) bool { return v < 5 }

// wireRule is r in plan.json version v's shape. A rule with no Cite (a
// plan made by hand) takes it from Source.
func wireRule(r *planner.RuleUse, v int) jsonRule {
	c := r.Cite
	if c == (rules.Citation{}) {
		c = rules.ParseCitation(r.Source)
	}
	return jsonRule{ID: r.ID, From: r.From, To: r.To, Outcome: r.Outcome, Source: jsonRuleSource{c, ruleSourceText(v)},
		Explanation: r.Explanation, Conflict: r.Conflict, Users: r.Users}
}

func wireRules(rs []planner.RuleUse, v int) []jsonRule {
	out := make([]jsonRule, len(rs))
	for i := range rs {
		out[i] = wireRule(&rs[i], v)
	}
	return out
}

// ruleUse is the planner.RuleUse w holds.
func (w *jsonRule) ruleUse() planner.RuleUse {
	return planner.RuleUse{ID: w.ID, From: w.From, To: w.To, Outcome: w.Outcome, Source: w.Source.c.String(), Cite: w.Source.c,
		Explanation: w.Explanation, Conflict: w.Conflict, Users: w.Users}
}

// SourceJSON returns src in plan.json's shape, for other JSON outputs that
// show a plan's source (plan --json).
func SourceJSON(src planner.Source) any { return wireSource(src) }

func wireSource(src planner.Source) jsonSource {
	w := jsonSource{Kind: src.Kind, Path: src.Path, Files: src.Files, Targets: src.Targets, APICalls: src.APICalls,
		Login: src.Login, Tool: src.Tool, RulesVersion: src.RulesVersion}
	if o := src.Org; o != nil {
		w.Org = &jsonOrg{ID: o.ID, Name: o.Name, OrganizationType: o.OrganizationType, InstanceName: o.InstanceName,
			IsSandbox: o.IsSandbox, Production: src.Environment == org.EnvProduction}
	}
	return w
}

// source returns the planner.Source w holds. Its environment is decided
// here, as Build decides it: a production flag or an isSandbox of false
// means production, whatever else the file says.
func (w *jsonSource) source() planner.Source {
	src := planner.Source{Kind: w.Kind, Path: w.Path, Files: w.Files, Targets: w.Targets, APICalls: w.APICalls,
		Login: w.Login, Tool: w.Tool, RulesVersion: w.RulesVersion}
	var isSandbox *bool
	if o := w.Org; o != nil {
		src.Org = &planner.OrgInfo{ID: o.ID, Name: o.Name, OrganizationType: o.OrganizationType, InstanceName: o.InstanceName, IsSandbox: o.IsSandbox}
		isSandbox = o.IsSandbox
		if o.Production {
			isSandbox = new(false)
		}
	}
	src.Environment = planner.SourceEnvironment(w.Kind, isSandbox)
	return src
}

// plan returns the plan doc holds.
func (doc *jsonPlan) plan() *planner.Plan {
	return &planner.Plan{
		Overview: planner.Overview{
			SchemaVersion: doc.SchemaVersion, GeneratedAt: doc.GeneratedAt, Source: doc.Source.source(),
			Targets: doc.Targets, Summary: doc.Summary, Accounts: doc.Accounts, Licenses: doc.Licenses,
			Rules: doc.rules(), Warnings: doc.Warnings, Notes: doc.Notes,
		},
		Fingerprint: doc.Fingerprint,
		Users:       planner.NewUsers(fixEach(doc.Users, needsUserFix, fixUser)...),
		Steps:       planner.NewSteps(fixEach(doc.Steps, needsStepFix, fixStep)...),
	}
}

func (doc *jsonPlan) rules() []planner.RuleUse {
	if doc.Rules == nil {
		return nil
	}
	out := make([]planner.RuleUse, len(doc.Rules))
	for i := range doc.Rules {
		out[i] = doc.Rules[i].ruleUse()
	}
	return out
}

// wire returns p in plan.json's shape, every user and step made at once.
// It is for tests and small plans; the writer streams (encodePlan).
func wire(p *planner.Plan) *jsonPlan {
	return &jsonPlan{
		SchemaVersion: p.SchemaVersion, GeneratedAt: p.GeneratedAt, Fingerprint: p.Fingerprint,
		Source: wireSource(p.Source), Targets: p.Targets, Summary: p.Summary,
		Users: fixEach(p.Users.Slice(), needsUserFix, fixUser), Steps: fixEach(p.Steps.Slice(), needsStepFix, fixStep),
		Accounts: p.Accounts, Licenses: p.Licenses, Rules: wireRules(p.Rules, p.SchemaVersion), Warnings: p.Warnings, Notes: p.Notes,
	}
}

// encodePlan writes p as indented JSON in jsonPlan's shape. Its output is
// byte for byte what json.Encoder with SetIndent("", "  ") and
// SetEscapeHTML(false) gives for p's jsonPlan, but the users and steps are
// streamed: each is made, encoded and dropped in turn.
func encodePlan(ctx context.Context, w *bufio.Writer, p *planner.Plan) error {
	e := newPlanEncoder(w)
	e.header(p.SchemaVersion, p.GeneratedAt, p.Fingerprint)
	e.body(ctx, p)
	return e.err
}

func newPlanEncoder(w *bufio.Writer) *planEncoder {
	e := &planEncoder{w: w, buf: new(bytes.Buffer)}
	enc := json.NewEncoder(e.buf)
	enc.SetEscapeHTML(false)
	e.fieldEnc = &indentEncoder{enc: enc, prefix: "  "}
	e.elemEnc = &indentEncoder{enc: enc, prefix: "    "}
	e.lineEnc = &indentEncoder{enc: enc, compact: true}
	return e
}

// header writes plan.json's opening brace and its first three fields.
func (e *planEncoder) header(version int, generatedAt time.Time, fingerprint string) {
	e.write("{\n")
	e.field(e.fieldEnc, "schemaVersion", version)
	e.field(e.fieldEnc, "generatedAt", generatedAt)
	e.field(e.fieldEnc, "fingerprint", fingerprint)
}

// body writes the fields after the header, and the closing brace.
func (e *planEncoder) body(ctx context.Context, p *planner.Plan) {
	fieldEnc, elemEnc := e.fieldEnc, e.elemEnc
	var u planner.UserPlan
	var s planner.Step
	src := wireSource(p.Source)
	e.field(fieldEnc, "source", &src)
	listOf(ctx, e, elemEnc, "targets", p.Targets)
	e.field(fieldEnc, "summary", &p.Summary)
	// From schema 6 a user or step is one line (lineElements).
	rowEnc := elemEnc
	if lineElements(p.SchemaVersion) {
		rowEnc = e.lineEnc
	}
	e.list(ctx, rowEnc, "users", p.Users.Len(), func(j int) any {
		u = p.Users.At(j)
		fixUser(&u)
		return &u
	})
	e.list(ctx, rowEnc, "steps", p.Steps.Len(), func(j int) any {
		s = p.Steps.At(j)
		fixStep(&s)
		return &s
	})
	listOf(ctx, e, elemEnc, "accounts", p.Accounts)
	listOf(ctx, e, elemEnc, "licenses", p.Licenses)
	e.list(ctx, elemEnc, "rules", len(p.Rules), func(j int) any { return wireRule(&p.Rules[j], p.SchemaVersion) })
	listOf(ctx, e, elemEnc, "warnings", p.Warnings)
	e.last = true
	listOf(ctx, e, elemEnc, "notes", p.Notes)
	e.write("}\n")
}

// planEncoder writes plan.json's top-level fields; the first error stops
// it and is kept in err.
type planEncoder struct {
	w   *bufio.Writer
	buf *bytes.Buffer
	// fieldEnc encodes a top-level field, elemEnc an element of a
	// top-level list, lineEnc an element on one line; all into buf.
	fieldEnc, elemEnc, lineEnc *indentEncoder
	last                       bool // the next field is the last
	err                        error
}

func (e *planEncoder) write(s string) {
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

// indentEncoder encodes a value as json.Encoder with SetIndent(prefix, "  ")
// and SetEscapeHTML(false) does, less the final newline: compact, by enc,
// then indented by appendIndented, which is faster than the encoder's own.
type indentEncoder struct {
	enc    *json.Encoder // compact, into the planEncoder's buf
	prefix string
	// compact writes the value as it is encoded, on one line.
	compact bool
	out     []byte
}

// emit writes v, encoded by enc, without the newline the encoder appends.
func (e *planEncoder) emit(enc *indentEncoder, v any) error {
	e.buf.Reset()
	if err := enc.enc.Encode(v); err != nil {
		return err
	}
	b := bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))
	if !enc.compact {
		enc.out = appendIndented(enc.out[:0], b, enc.prefix, "  ")
		b = enc.out
	}
	_, err := e.w.Write(b)
	return err
}

func (e *planEncoder) key(name string) {
	e.write(`  "` + name + `": `)
}

func (e *planEncoder) end() {
	if e.last {
		e.write("\n")
	} else {
		e.write(",\n")
	}
}

// field writes one field in one call.
func (e *planEncoder) field(enc *indentEncoder, name string, v any) {
	e.key(name)
	if e.err == nil {
		if err := e.emit(enc, v); err != nil {
			e.err = fmt.Errorf("%s: %w", name, err)
		}
	}
	e.end()
}

// listOf writes list s element by element, so a long list is never
// encoded in one buffer.
func listOf[T any](ctx context.Context, e *planEncoder, enc *indentEncoder, name string, s []T) {
	e.list(ctx, enc, name, len(s), func(j int) any { return &s[j] })
}

// list writes a list of n elements, element j being elem(j), one at a time.
func (e *planEncoder) list(ctx context.Context, enc *indentEncoder, name string, n int, elem func(int) any) {
	e.key(name)
	if n == 0 {
		e.write("[]")
		e.end()
		return
	}
	e.write("[\n")
	for j := 0; j < n && e.err == nil; j++ {
		if err := checkCtx(ctx, j); err != nil {
			e.err = err
			return
		}
		e.write("    ")
		if e.err == nil {
			if err := e.emit(enc, elem(j)); err != nil {
				e.err = fmt.Errorf("%s[%d]: %w", name, j, err)
				return
			}
		}
		if j < n-1 {
			e.write(",\n")
		} else {
			e.write("\n")
		}
	}
	e.write("  ]")
	e.end()
}

// normalize returns p with every nil list and map replaced by an empty one
// and a zero SchemaVersion set to planner.SchemaVersion. It never changes p:
// it returns a shallow copy and copies a list only when one of its elements
// needs fixing, so a plan that is already normal costs one scan and no copy.
//
// Users and Steps are left as they are, so that a built plan's users are
// not all made at once: the JSON writer fixes each user and step as it
// writes it (fixUser, fixStep), and ReadJSON fixes the lists it reads.
func normalize(p *planner.Plan) *planner.Plan {
	q := *p
	if q.SchemaVersion == 0 {
		q.SchemaVersion = planner.SchemaVersion
	}
	q.Source.Files = nonNil(q.Source.Files)
	if q.Summary.Outcomes == nil {
		q.Summary.Outcomes = map[string]int{}
	}
	if q.Summary.Warnings == nil {
		q.Summary.Warnings = map[string]int{}
	}
	q.Accounts = fixEach(q.Accounts,
		func(a *planner.AccountPlan) bool { return a.RolesCreated == nil },
		func(a *planner.AccountPlan) { a.RolesCreated = []string{} })
	q.Targets = nonNil(q.Targets)
	q.Licenses = nonNil(q.Licenses)
	q.Rules = nonNil(q.Rules)
	q.Warnings = nonNil(q.Warnings)
	q.Notes = nonNil(q.Notes)
	return &q
}

// needsUserFix and fixUser, needsStepFix and fixStep replace a user's or a
// step's nil lists by empty ones.
func needsUserFix(u *planner.UserPlan) bool { return u.Steps == nil || u.Warnings == nil }
func fixUser(u *planner.UserPlan)           { u.Steps, u.Warnings = nonNil(u.Steps), nonNil(u.Warnings) }
func needsStepFix(s *planner.Step) bool     { return s.DependsOn == nil }
func fixStep(s *planner.Step)               { s.DependsOn = nonNil(s.DependsOn) }

// nonNil returns s, or an empty slice if s is nil.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// fixEach returns s (or an empty slice for nil) with fix applied to every
// element for which needs is true. s is copied, once, only if some element
// needs fixing.
func fixEach[T any](s []T, needs func(*T) bool, fix func(*T)) []T {
	if s == nil {
		return []T{}
	}
	// By index, not slices.IndexFunc, whose func takes each element by
	// value: a copy of every user of a million-user plan cost a second.
	first := -1
	for i := range s {
		if needs(&s[i]) {
			first = i
			break
		}
	}
	if first < 0 {
		return s
	}
	s = slices.Clone(s)
	for i := first; i < len(s); i++ {
		if needs(&s[i]) {
			fix(&s[i])
		}
	}
	return s
}

// readableVersion reports whether plan.json schema version v can be read.
func readableVersion(v int) bool {
	return v >= planner.MinReadSchemaVersion && v <= planner.SchemaVersion
}

// ReadJSON reads a plan.json written by JSON. It rejects a document whose
// schemaVersion is missing or is not one it reads, planner.MinReadSchemaVersion
// (3: the same shape, with neither change_profile nor assign_owner_role) to
// planner.SchemaVersion (ErrSchemaVersion); a plan it reads keeps its version,
// and reports malformed JSON with its line and column. Missing or null lists
// come back empty, not nil.
//
// It refuses a document over MaxPlanBytes without reading more of it, and
// one nested deeper than MaxPlanDepth, with the line and column where the
// depth is passed, before decoding it.
func ReadJSON(r io.Reader) (*planner.Plan, error) { return readJSON(r, MaxPlanBytes) }

// readJSON is ReadJSON with the size bound as a parameter, so a test can
// prove the bound without reading gigabytes.
func readJSON(r io.Reader, maxBytes int64) (*planner.Plan, error) {
	data, err := readAll(r, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("reading the plan: over %s, more than a plan of the largest org (a million users make about 570 MB, 720 MB before schema 6): is it a plan.json?", byteSize(maxBytes))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("reading the plan: the input is empty")
	}
	if off := tooDeep(data, MaxPlanDepth); off >= 0 {
		line, col := lineCol(data, int64(off))
		return nil, fmt.Errorf("plan.json is not valid at line %d, column %d: nested deeper than %d levels (a plan.json has 5)", line, col, MaxPlanDepth)
	}
	// Check the version before decoding the rest: another version may have
	// a different shape, and "unsupported version" is the useful error then.
	h, err := readHead(data)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(h.version); err != nil {
		// Malformed JSON is reported as such, whatever version the
		// document claims: readHead read only its first keys.
		if err := json.Unmarshal(data, &struct{}{}); err != nil {
			return nil, jsonError(data, err)
		}
		return nil, err
	}
	var doc jsonPlan
	// The summary counts the users and steps: their lists are made at
	// that size, not grown by doubling (presize).
	doc.Users = make([]planner.UserPlan, 0, presize(h.summary.Users, len(data), minUserBytes))
	doc.Steps = make([]planner.Step, 0, presize(h.summary.Steps, len(data), minStepBytes))
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, jsonError(data, err)
	}
	if doc.SchemaVersion != *h.version {
		return nil, versionTwice(*h.version, doc.SchemaVersion)
	}
	p := doc.plan()
	q := normalize(p)
	if q.Fingerprint != "" && !signedAsWritten(data, q) {
		// A plan carries the fingerprint of what was approved; a file
		// edited since then must not be re-rendered as if it were that plan.
		fp, err := Fingerprint(context.Background(), q)
		if err != nil {
			return nil, err
		}
		if fp != q.Fingerprint {
			return nil, fmt.Errorf("%w: the file says %s but its content hashes to %s; it was changed after licenseplan wrote it, so re-run the plan instead of editing plan.json",
				ErrFingerprint, q.Fingerprint, fp)
		}
	}
	return q, nil
}

// readAll reads r whole, up to maxBytes+1 bytes. A regular file is read
// into a buffer of its size (and bytes.MinRead to see the end), not one
// grown by doubling: for a million-user plan.json (566 MB) the doubling
// took a fifth of ReadJSON's time and held up to twice the file's size.
func readAll(r io.Reader, maxBytes int64) ([]byte, error) {
	var buf bytes.Buffer
	if f, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() <= maxBytes {
			buf.Grow(int(st.Size()) + bytes.MinRead)
		}
	}
	_, err := buf.ReadFrom(io.LimitReader(r, maxBytes+1))
	return buf.Bytes(), err
}

// head is what ReadJSON learns from plan.json's first keys.
type head struct {
	version *int
	summary planner.Summary
}

// Shortest forms of a user and a step as JSON writes them, at their
// fewest keys, rounded down: presize's bound on how many a document of a
// given size can hold.
const (
	minUserBytes = 256
	minStepBytes = 128
)

// presize is the capacity to make a list of n elements at, n as the
// summary says, in a document of size bytes: never more than the
// document can hold at minBytes each, so a summary that lies costs at
// most a list in proportion to the file, and a list longer than n only
// grows as it would have.
func presize(n, size, minBytes int) int {
	return max(0, min(n, size/minBytes))
}

// readHead reads plan.json's top-level keys in the order JSON writes them,
// schemaVersion first, with a streaming decoder that stops at the users
// list: what comes before it is a few kilobytes. A document in another
// order, or one the decoder stops on, is probed whole instead (the
// schemaVersion alone, as before), which reports malformed JSON with its
// line and column.
func readHead(data []byte) (head, error) {
	var h head
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		dec = nil
	}
	for dec != nil && dec.More() {
		t, err := dec.Token()
		key, _ := t.(string)
		if err != nil || key == "users" || key == "steps" {
			break
		}
		switch key {
		case "schemaVersion":
			var n int
			if err = dec.Decode(&n); err == nil {
				if h.version != nil && *h.version != n {
					return head{}, versionTwice(*h.version, n)
				}
				h.version = &n
			}
		case "summary":
			err = dec.Decode(&h.summary)
		default:
			err = dec.Decode(&json.RawMessage{})
		}
		if err != nil {
			h = head{} // the whole-document probe says what is wrong
			break
		}
	}
	if h.version != nil {
		return h, nil
	}
	var probe struct {
		SchemaVersion *int `json:"schemaVersion"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return head{}, jsonError(data, err)
	}
	return head{version: probe.SchemaVersion}, nil
}

// versionTwice refuses a document that gives two schemaVersions.
func versionTwice(a, b int) error {
	return fmt.Errorf("%w: the document gives schemaVersion twice, %d and %d; re-run the plan instead of editing plan.json",
		ErrSchemaVersion, a, b)
}

// checkVersion refuses a missing schemaVersion or one ReadJSON does not
// read.
func checkVersion(v *int) error {
	switch {
	case v == nil:
		return fmt.Errorf("%w: the document has no schemaVersion; is it a licenseplan plan.json?", ErrSchemaVersion)
	case !readableVersion(*v):
		return fmt.Errorf("%w %d: this version of licenseplan reads schemaVersion %d to %d; re-run the plan with a matching licenseplan",
			ErrSchemaVersion, *v, planner.MinReadSchemaVersion, planner.SchemaVersion)
	}
	return nil
}

// Bounds of ReadJSON (README, "Input bounds"). A plan of a million users
// is about 570 MB (720 MB before schema 6); a plan nests five levels (plan, users, user, warnings,
// warning).
const (
	MaxPlanBytes = 4 << 30
	MaxPlanDepth = 32
)

// tooDeep returns the offset of the first '[' or '{' that opens level
// max+1 of data, or -1. Strings are skipped, so brackets in names do not
// count. It reads data once, before the decoder builds anything.
func tooDeep(data []byte, max int) int {
	depth, inString := 0, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
			if depth > max {
				return i
			}
		case ']', '}':
			depth--
		}
	}
	return -1
}

// byteSize writes n bytes in the largest whole binary unit: 4 GiB, 1 MiB.
func byteSize(n int64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d %s", n>>u.shift, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// lineCol is the 1-based line and column of byte off of data.
func lineCol(data []byte, off int64) (int, int) {
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

// errWrongType marks a plan.json value of the wrong JSON type.
var errWrongType = errors.New("wrong type")

// jsonKind names the JSON kind a Go type is read from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "an object"
}

// jsonError adds the line and column of a decoding error.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var off int64 = -1
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return fmt.Errorf("plan.json is not valid: %w", err)
	}
	// Offset counts the bytes read up to and including the one in error.
	if off > 0 {
		off--
	}
	line, col := lineCol(data, off)
	if typ != nil {
		// encoding/json's own words name Go types; say it in the plan's.
		field := typ.Field
		if field == "" {
			field = "the document"
		}
		return fmt.Errorf("plan.json is not valid at line %d, column %d: %s is a %s, want %s: %w",
			line, col, field, typ.Value, jsonKind(typ.Type), errWrongType)
	}
	return fmt.Errorf("plan.json is not valid at line %d, column %d: %w", line, col, err)
}
