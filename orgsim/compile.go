package orgsim

import (
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orgsim/soql"
)

// Error codes of query errors, as Salesforce names them.
const (
	codeMalformedQuery = soql.MalformedQuery
	codeInvalidField   = "INVALID_FIELD"
	codeInvalidType    = "INVALID_TYPE"
	codeInvalidFilter  = "INVALID_QUERY_FILTER_OPERATOR"
	codeOutOfRange     = "NUMBER_OUTSIDE_VALID_RANGE"
)

// maxOffset is the largest OFFSET Salesforce allows.
const maxOffset = 2000

// path is a compiled field path: the reference fields to follow from the
// queried object, then the field to read.
type path struct {
	refs []*field
	leaf *field
	text string // canonical names joined by dots, for messages and columns
}

// eval returns the path's value on row r of the queried object.
func (p *path) eval(r int32) value {
	for _, f := range p.refs {
		if r = f.parent(r); r < 0 {
			return value{}
		}
	}
	return p.leaf.get(r)
}

// selNode is a node of the select tree: the queried object at the root,
// then one child per selected field or followed relationship, in the order
// of first mention, as Salesforce nests them in records.
type selNode struct {
	f        *field // the leaf field, or the reference field of a relationship
	rel      bool
	children []*selNode
}

// query is a compiled query, ready to run.
type query struct {
	text   string
	table  *table
	count  bool
	sel    selNode
	paths  []*path // the selected paths, in order (columns=true)
	where  func(r int32) bool
	order  []orderKey
	limit  int // -1: none
	offset int
}

type orderKey struct {
	p     *path
	desc  bool
	nulls soql.NullsOrder
}

// compile resolves a parsed query against the org's objects. Errors are
// *soql.Error with Salesforce's codes: INVALID_TYPE for an unknown object,
// INVALID_FIELD for an unknown field or relationship or a literal of the
// wrong type, and so on.
func (d *orgData) compile(text string, q *soql.Query) (*query, error) {
	t := d.table(q.Object.Name)
	if t == nil {
		return nil, soql.Errorf(codeInvalidType, q.Object.Pos,
			"sObject type '%s' is not supported. If you are attempting to use a custom object, be sure to append the '__c' "+
				"after the entity name. Please reference your WSDL or the describe call for the appropriate names.", q.Object.Name)
	}
	c := &query{text: text, table: t, count: q.Count, limit: -1, sel: selNode{}}
	seen := map[*selNode]map[*field]bool{}
	for _, fp := range q.Fields {
		p, err := resolve(t, fp)
		if err != nil {
			return nil, err
		}
		node := &c.sel
		for _, ref := range p.refs {
			var next *selNode
			for _, ch := range node.children {
				if ch.rel && ch.f == ref {
					next = ch
					break
				}
			}
			if next == nil {
				next = &selNode{f: ref, rel: true}
				node.children = append(node.children, next)
			}
			node = next
		}
		if seen[node] == nil {
			seen[node] = map[*field]bool{}
		}
		if seen[node][p.leaf] {
			return nil, soql.Errorf(codeMalformedQuery, fp.Pos(), "duplicate field selected: %s", p.text)
		}
		seen[node][p.leaf] = true
		node.children = append(node.children, &selNode{f: p.leaf})
		c.paths = append(c.paths, p)
	}
	if q.Where != nil {
		w, err := compileExpr(t, q.Where)
		if err != nil {
			return nil, err
		}
		c.where = w
	}
	if q.Count && len(q.OrderBy) > 0 {
		return nil, soql.Errorf(codeMalformedQuery, q.OrderPos, "ORDER BY is not allowed with COUNT()")
	}
	for _, o := range q.OrderBy {
		p, err := resolve(t, o.Field)
		if err != nil {
			return nil, err
		}
		c.order = append(c.order, orderKey{p: p, desc: o.Desc, nulls: o.Nulls})
	}
	if q.Limit != nil {
		c.limit = int(q.Limit.N)
	}
	if q.Offset != nil {
		if q.Offset.N > maxOffset {
			return nil, soql.Errorf(codeOutOfRange, q.Offset.Pos, "Maximum SOQL offset allowed is %d", maxOffset)
		}
		c.offset = int(q.Offset.N)
	}
	return c, nil
}

// resolve turns a field path into reference fields and a leaf field. A
// leading name equal to the object's own name is dropped, as SOQL allows
// (SELECT User.Name FROM User).
func resolve(t *table, fp soql.Path) (*path, error) {
	parts := fp.Parts
	if len(parts) > 1 && strings.EqualFold(parts[0].Name, t.name) && t.byRel[strings.ToLower(parts[0].Name)] == nil {
		parts = parts[1:]
	}
	p := &path{}
	names := make([]string, 0, len(parts))
	cur := t
	for i, part := range parts {
		if i == len(parts)-1 {
			f := cur.byName[strings.ToLower(part.Name)]
			if f == nil {
				return nil, noSuchColumn(part, cur, fp)
			}
			p.leaf = f
			names = append(names, f.name)
			break
		}
		ref := cur.byRel[strings.ToLower(part.Name)]
		if ref == nil {
			return nil, soql.Errorf(codeInvalidField, part.Pos,
				"Didn't understand relationship '%s' in field path. If you are attempting to use a custom relationship, "+
					"be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the "+
					"describe call for the appropriate names.", part.Name)
		}
		p.refs = append(p.refs, ref)
		names = append(names, ref.relName)
		cur = ref.target
	}
	p.text = strings.Join(names, ".")
	return p, nil
}

func noSuchColumn(part soql.Ident, t *table, fp soql.Path) error {
	return soql.Errorf(codeInvalidField, fp.Pos(),
		"No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' "+
			"after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
		part.Name, t.name)
}

// compileExpr compiles a condition into a predicate over rows of t.
func compileExpr(t *table, e soql.Expr) (func(int32) bool, error) {
	switch e := e.(type) {
	case *soql.Logical:
		terms := make([]func(int32) bool, len(e.Terms))
		for i, x := range e.Terms {
			f, err := compileExpr(t, x)
			if err != nil {
				return nil, err
			}
			terms[i] = f
		}
		if e.Op == soql.And {
			return func(r int32) bool {
				for _, f := range terms {
					if !f(r) {
						return false
					}
				}
				return true
			}, nil
		}
		return func(r int32) bool {
			for _, f := range terms {
				if f(r) {
					return true
				}
			}
			return false
		}, nil
	case *soql.Not:
		f, err := compileExpr(t, e.X)
		if err != nil {
			return nil, err
		}
		return func(r int32) bool { return !f(r) }, nil
	case *soql.Comparison:
		p, err := resolve(t, e.Field)
		if err != nil {
			return nil, err
		}
		return compileComparison(p, e)
	case *soql.In:
		p, err := resolve(t, e.Field)
		if err != nil {
			return nil, err
		}
		vals := make([]value, len(e.Values))
		for i, l := range e.Values {
			if vals[i], err = literalValue(p, l); err != nil {
				return nil, err
			}
		}
		typ := p.leaf.typ
		in := func(r int32) bool {
			v := p.eval(r)
			for _, w := range vals {
				if equalValues(typ, v, w) {
					return true
				}
			}
			return false
		}
		if e.Negate {
			return func(r int32) bool { return !in(r) }, nil
		}
		return in, nil
	case *soql.Like:
		p, err := resolve(t, e.Field)
		if err != nil {
			return nil, err
		}
		if !p.leaf.typ.isText() {
			return nil, invalidOperator(p, "LIKE", e.Field.Pos())
		}
		pat := e.Pattern
		return func(r int32) bool {
			v := p.eval(r)
			return v.kind == vString && pat.Match(v.s)
		}, nil
	}
	return nil, soql.Errorf(codeMalformedQuery, e.Pos(), "unsupported condition")
}

func invalidOperator(p *path, op string, pos int) error {
	return soql.Errorf(codeInvalidFilter, pos, "invalid operator %s on %s field: %s",
		op, fieldTypeNames[p.leaf.typ].describe, p.text)
}

// literalValue converts a literal to a value of p's type, or says why it
// does not fit, in Salesforce's words.
func literalValue(p *path, l soql.Literal) (value, error) {
	typ := p.leaf.typ
	if l.Kind == soql.LitNull {
		return value{}, nil
	}
	mismatch := func(want string, quoted bool) error {
		q := "should not be enclosed in quotes"
		if quoted {
			q = "should be enclosed in quotes"
		}
		return soql.Errorf(codeInvalidField, l.Pos, "value of filter criterion for field '%s' must be of type %s and %s",
			p.text, want, q)
	}
	switch typ {
	case ftString, ftPicklist:
		if l.Kind != soql.LitString {
			return value{}, mismatch("string", true)
		}
		return value{kind: vString, s: l.Str}, nil
	case ftID, ftReference:
		if l.Kind != soql.LitString {
			return value{}, mismatch("id", true)
		}
		return value{kind: vString, s: l.Str}, nil
	case ftBoolean:
		if l.Kind != soql.LitBool {
			return value{}, mismatch("boolean", false)
		}
		return boolean(l.Bool), nil
	case ftInt:
		if l.Kind != soql.LitNumber {
			return value{}, mismatch("integer", false)
		}
		n := int64(l.Num)
		if float64(n) != l.Num {
			// 2.5 against an integer field: b marks the value as
			// fractional, which equals no integer; compileComparison
			// compares it as a float.
			return value{kind: vInt, n: n, b: true}, nil
		}
		return integer(n), nil
	case ftDatetime:
		return value{}, mismatch("dateTime", false)
	}
	return value{}, mismatch(fieldTypeNames[typ].describe, false)
}

// equalValues is SOQL's = : text ignoring case, Ids with 15 or 18
// characters, nulls equal only to null.
func equalValues(typ fieldType, v, w value) bool {
	if v.kind == vNull || w.kind == vNull {
		return v.kind == w.kind
	}
	switch {
	case typ.isText():
		return strings.EqualFold(v.s, w.s)
	case typ.isID():
		return idEqual(v.s, w.s)
	case typ == ftInt:
		if w.b { // a fractional literal never equals an integer
			return false
		}
		return v.n == w.n
	}
	return v == w
}

// idEqual compares record Ids (org.SameID).
func idEqual(a, b string) bool { return org.SameID(a, b) }

func compileComparison(p *path, e *soql.Comparison) (func(int32) bool, error) {
	w, err := literalValue(p, e.Value)
	if err != nil {
		return nil, err
	}
	typ := p.leaf.typ
	switch e.Op {
	case soql.Eq:
		return func(r int32) bool { return equalValues(typ, p.eval(r), w) }, nil
	case soql.Ne:
		// SOQL's != matches nulls too.
		return func(r int32) bool { return !equalValues(typ, p.eval(r), w) }, nil
	}
	if w.kind == vNull || typ == ftBoolean {
		return nil, invalidOperator(p, e.Op.String(), e.OpPos)
	}
	var ok func(c int) bool
	switch e.Op {
	case soql.Lt:
		ok = func(c int) bool { return c < 0 }
	case soql.Le:
		ok = func(c int) bool { return c <= 0 }
	case soql.Gt:
		ok = func(c int) bool { return c > 0 }
	default:
		ok = func(c int) bool { return c >= 0 }
	}
	if typ == ftInt && w.b {
		// Fractional literal: compare as float.
		lit := e.Value.Num
		return func(r int32) bool {
			v := p.eval(r)
			if v.kind == vNull {
				return false
			}
			f := float64(v.n)
			c := 0
			switch {
			case f < lit:
				c = -1
			case f > lit:
				c = 1
			}
			return ok(c)
		}, nil
	}
	return func(r int32) bool {
		v := p.eval(r)
		return v.kind != vNull && ok(compareValues(typ, v, w))
	}, nil
}

// run executes the query: the listed records of its object that match, in
// order, after OFFSET and LIMIT.
func (q *query) run() []int32 {
	t := q.table
	var rows []int32
	if q.where == nil {
		rows = slices.Clone(t.order)
	} else {
		for _, r := range t.order {
			if q.where(r) {
				rows = append(rows, r)
			}
		}
	}
	if len(q.order) > 0 && !q.idOrder() {
		rows = q.sort(rows)
	}
	if q.offset > 0 {
		rows = rows[min(q.offset, len(rows)):]
	}
	if q.limit >= 0 && len(rows) > q.limit {
		rows = rows[:q.limit]
	}
	return rows
}

// idOrder reports whether the query orders by Id ascending only, the order
// the tables already keep.
func (q *query) idOrder() bool {
	return len(q.order) == 1 && !q.order[0].desc && len(q.order[0].p.refs) == 0 && q.order[0].p.leaf.typ == ftID
}

// sort orders rows by the ORDER BY keys. The sort is stable, so rows that
// tie keep Id order, as the tables hold them. Nulls come first unless NULLS
// LAST is given (Salesforce's default).
func (q *query) sort(rows []int32) []int32 {
	keys := make([][]value, len(q.order))
	for k, o := range q.order {
		keys[k] = make([]value, len(rows))
		for i, r := range rows {
			keys[k][i] = o.p.eval(r)
		}
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		for k, o := range q.order {
			va, vb := keys[k][a], keys[k][b]
			if va.kind == vNull || vb.kind == vNull {
				if va.kind == vb.kind {
					continue
				}
				c := -1 // a is null: nulls first
				if vb.kind == vNull {
					c = 1
				}
				if o.nulls == soql.NullsLast {
					c = -c
				}
				return c
			}
			c := compareValues(o.p.leaf.typ, va, vb)
			if o.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	out := make([]int32, len(rows))
	for i, j := range idx {
		out[i] = rows[j]
	}
	return out
}
