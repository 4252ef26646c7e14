package soql

import (
	"strconv"
	"strings"
)

// MaxLength is the longest query Parse accepts, as in Salesforce.
const MaxLength = 100_000

// maxDepth bounds the nesting of parentheses and NOT, so that a hostile
// query cannot make the parser recurse deeply.
const maxDepth = 100

// reserved are SOQL's reserved keywords: none of them can name a field or an
// object without quoting, which SOQL does not have.
var reserved = map[string]bool{
	"AND": true, "ASC": true, "DESC": true, "EXCLUDES": true, "FIRST": true, "FROM": true,
	"GROUP": true, "HAVING": true, "IN": true, "INCLUDES": true, "LAST": true, "LIKE": true,
	"LIMIT": true, "NOT": true, "NULL": true, "NULLS": true, "OR": true, "SELECT": true,
	"WHERE": true, "WITH": true, "ORDER": true, "OFFSET": true, "TRUE": true, "FALSE": true,
}

// Parse parses one SOQL query of the subset this package describes. Every
// error is an *Error; syntax errors have code MALFORMED_QUERY and the offset
// of the token that does not fit.
func Parse(query string) (*Query, error) {
	if len(query) > MaxLength {
		return nil, &Error{Code: MalformedQuery, Pos: -1,
			Msg: "SOQL statements cannot be longer than " + strconv.Itoa(MaxLength) + " characters"}
	}
	p := &parser{lex: lexer{src: query}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	return q, nil
}

type parser struct {
	lex   lexer
	tok   token
	depth int
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// keyword reports whether the current token is the keyword kw.
func (p *parser) keyword(kw string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, kw)
}

// unexpected reports the current token as not fitting.
func (p *parser) unexpected() error {
	if p.tok.kind == tEOF {
		return errorAt(p.tok.pos, "unexpected token: '<EOF>'")
	}
	text := p.tok.text
	if p.tok.kind == tString {
		text = "'" + text + "'"
	}
	return errorAt(p.tok.pos, "unexpected token: %s", quoteToken(text))
}

// expectKeyword consumes keyword kw or fails.
func (p *parser) expectKeyword(kw string) error {
	if !p.keyword(kw) {
		return p.unexpected()
	}
	return p.advance()
}

func (p *parser) expect(k tokKind) error {
	if p.tok.kind != k {
		return p.unexpected()
	}
	return p.advance()
}

func (p *parser) query() (*Query, error) {
	q := &Query{}
	if err := p.expectKeyword("SELECT"); err != nil {
		return nil, err
	}
	if err := p.selectList(q); err != nil {
		return nil, err
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	obj, err := p.name()
	if err != nil {
		return nil, err
	}
	q.Object = obj
	if p.keyword("WHERE") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if q.Where, err = p.condition(); err != nil {
			return nil, err
		}
	}
	if p.keyword("ORDER") {
		q.OrderPos = p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		if err := p.expectKeyword("BY"); err != nil {
			return nil, err
		}
		if q.OrderBy, err = p.orderList(); err != nil {
			return nil, err
		}
	}
	if p.keyword("LIMIT") {
		if q.Limit, err = p.intClause("LIMIT"); err != nil {
			return nil, err
		}
	}
	if p.keyword("OFFSET") {
		if q.Offset, err = p.intClause("OFFSET"); err != nil {
			return nil, err
		}
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected()
	}
	return q, nil
}

func (p *parser) selectList(q *Query) error {
	if p.keyword("COUNT") {
		q.CountPos = p.tok.pos
		countText := p.tok.text
		if err := p.advance(); err != nil {
			return err
		}
		if p.tok.kind != tLParen {
			// A field called Count: SELECT Count FROM ...
			q.Fields = append(q.Fields, Path{Parts: []Ident{{Name: countText, Pos: q.CountPos}}})
			return p.morePaths(q, true)
		}
		if err := p.advance(); err != nil {
			return err
		}
		if p.tok.kind != tRParen {
			// COUNT(Id) and other aggregates are outside the subset.
			return p.unexpected()
		}
		q.Count = true
		return p.advance()
	}
	return p.morePaths(q, false)
}

// morePaths reads the select list's paths; haveFirst says the first path's
// first name is already in q.Fields.
func (p *parser) morePaths(q *Query, haveFirst bool) error {
	if haveFirst {
		rest, err := p.pathRest(q.Fields[0].Parts)
		if err != nil {
			return err
		}
		q.Fields[0].Parts = rest
		if p.tok.kind != tComma {
			return nil
		}
		if err := p.advance(); err != nil {
			return err
		}
	}
	for {
		path, err := p.path()
		if err != nil {
			return err
		}
		q.Fields = append(q.Fields, path)
		if p.tok.kind != tComma {
			return nil
		}
		if err := p.advance(); err != nil {
			return err
		}
	}
}

// name reads one identifier that is not a reserved keyword.
func (p *parser) name() (Ident, error) {
	if p.tok.kind != tIdent || reserved[strings.ToUpper(p.tok.text)] {
		return Ident{}, p.unexpected()
	}
	id := Ident{Name: p.tok.text, Pos: p.tok.pos}
	return id, p.advance()
}

func (p *parser) path() (Path, error) {
	first, err := p.name()
	if err != nil {
		return Path{}, err
	}
	parts, err := p.pathRest([]Ident{first})
	return Path{Parts: parts}, err
}

// pathRest reads ".name" parts after the ones given.
func (p *parser) pathRest(parts []Ident) ([]Ident, error) {
	for p.tok.kind == tDot {
		if err := p.advance(); err != nil {
			return nil, err
		}
		id, err := p.name()
		if err != nil {
			return nil, err
		}
		parts = append(parts, id)
	}
	return parts, nil
}

// condition reads terms joined by AND or by OR; mixing the two at one level
// needs parentheses, as in SOQL.
func (p *parser) condition() (Expr, error) {
	first, err := p.term()
	if err != nil {
		return nil, err
	}
	var op LogicalOp
	switch {
	case p.keyword("AND"):
		op = And
	case p.keyword("OR"):
		op = Or
	default:
		return first, nil
	}
	l := &Logical{Op: op, Terms: []Expr{first}}
	for p.keyword(op.String()) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		l.Terms = append(l.Terms, t)
	}
	return l, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return errorAt(p.tok.pos, "the condition is nested too deeply (more than %d levels)", maxDepth)
	}
	return nil
}

// term is NOT term, a parenthesised condition, or a comparison.
func (p *parser) term() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	switch {
	case p.keyword("NOT"):
		pos := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.term()
		if err != nil {
			return nil, err
		}
		return &Not{X: x, NotPos: pos}, nil
	case p.tok.kind == tLParen:
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.condition()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRParen); err != nil {
			return nil, err
		}
		return x, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (Expr, error) {
	field, err := p.path()
	if err != nil {
		return nil, err
	}
	switch {
	case p.tok.kind == tOp:
		op, opPos := p.tok.text, p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		c := &Comparison{Field: field, OpPos: opPos, Value: v}
		switch op {
		case "=":
			c.Op = Eq
		case "!=", "<>":
			c.Op = Ne
		case "<":
			c.Op = Lt
		case "<=":
			c.Op = Le
		case ">":
			c.Op = Gt
		case ">=":
			c.Op = Ge
		}
		return c, nil
	case p.keyword("LIKE"):
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tString {
			return nil, p.unexpected()
		}
		pat, err := decodePattern(p.tok.text, p.tok.pos)
		if err != nil {
			return nil, err
		}
		v := Literal{Kind: LitString, Str: pat.String(), Text: p.tok.text, Pos: p.tok.pos}
		return &Like{Field: field, Pattern: pat, Value: v}, p.advance()
	case p.keyword("IN"):
		return p.inList(field, false)
	case p.keyword("NOT"):
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.keyword("IN") {
			return nil, p.unexpected()
		}
		return p.inList(field, true)
	}
	return nil, p.unexpected()
}

func (p *parser) inList(field Path, negate bool) (Expr, error) {
	if err := p.advance(); err != nil { // IN
		return nil, err
	}
	if err := p.expect(tLParen); err != nil {
		return nil, err
	}
	e := &In{Field: field, Negate: negate}
	for {
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		e.Values = append(e.Values, v)
		if p.tok.kind == tRParen {
			return e, p.advance()
		}
		if err := p.expect(tComma); err != nil {
			return nil, err
		}
	}
}

func (p *parser) literal() (Literal, error) {
	t := p.tok
	switch t.kind {
	case tString:
		s, err := decodeString(t.text, t.pos)
		if err != nil {
			return Literal{}, err
		}
		return Literal{Kind: LitString, Str: s, Text: t.text, Pos: t.pos}, p.advance()
	case tNumber:
		n, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return Literal{}, errorAt(t.pos, "invalid number: %s", t.text)
		}
		return Literal{Kind: LitNumber, Num: n, Text: t.text, Pos: t.pos}, p.advance()
	case tSign:
		if err := p.advance(); err != nil {
			return Literal{}, err
		}
		if p.tok.kind != tNumber || p.tok.pos != t.pos+1 {
			return Literal{}, p.unexpected()
		}
		n, err := strconv.ParseFloat(t.text+p.tok.text, 64)
		if err != nil {
			return Literal{}, errorAt(t.pos, "invalid number: %s%s", t.text, p.tok.text)
		}
		return Literal{Kind: LitNumber, Num: n, Text: t.text + p.tok.text, Pos: t.pos}, p.advance()
	case tIdent:
		switch strings.ToUpper(t.text) {
		case "NULL":
			return Literal{Kind: LitNull, Text: t.text, Pos: t.pos}, p.advance()
		case "TRUE":
			return Literal{Kind: LitBool, Bool: true, Text: t.text, Pos: t.pos}, p.advance()
		case "FALSE":
			return Literal{Kind: LitBool, Text: t.text, Pos: t.pos}, p.advance()
		}
	}
	// Date literals (TODAY, LAST_N_DAYS:3), bind variables and the like are
	// outside the subset.
	return Literal{}, p.unexpected()
}

func (p *parser) orderList() ([]OrderItem, error) {
	var items []OrderItem
	for {
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		it := OrderItem{Field: path}
		switch {
		case p.keyword("ASC"):
			err = p.advance()
		case p.keyword("DESC"):
			it.Desc = true
			err = p.advance()
		}
		if err != nil {
			return nil, err
		}
		if p.keyword("NULLS") {
			if err := p.advance(); err != nil {
				return nil, err
			}
			switch {
			case p.keyword("FIRST"):
				it.Nulls = NullsFirst
			case p.keyword("LAST"):
				it.Nulls = NullsLast
			default:
				return nil, p.unexpected()
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		items = append(items, it)
		if p.tok.kind != tComma {
			return items, nil
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
}

func (p *parser) intClause(kw string) (*IntClause, error) {
	c := &IntClause{Pos: p.tok.pos}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tNumber || strings.IndexByte(p.tok.text, '.') >= 0 {
		return nil, p.unexpected()
	}
	n, err := strconv.ParseInt(p.tok.text, 10, 64)
	if err != nil || n > 1<<31-1 {
		return nil, errorAt(p.tok.pos, "%s is not a valid integer for %s", p.tok.text, kw)
	}
	c.N = n
	return c, p.advance()
}
