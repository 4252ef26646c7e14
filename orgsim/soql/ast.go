package soql

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Query is a parsed SELECT statement.
type Query struct {
	// Fields are the selected paths in order; empty when Count is set.
	Fields []Path
	// Count is set for SELECT COUNT(); CountPos is the offset of COUNT.
	Count    bool
	CountPos int
	// Object is the name after FROM.
	Object Ident
	// Where is the condition, or nil.
	Where Expr
	// OrderBy is the ORDER BY list, or nil; OrderPos is the offset of ORDER.
	OrderBy  []OrderItem
	OrderPos int
	// Limit and Offset are nil when the query has none.
	Limit  *IntClause
	Offset *IntClause
}

// Ident is a name as written in the query, with its byte offset.
type Ident struct {
	Name string
	Pos  int
}

// Path is a field path: relationship names followed by a field name.
type Path struct {
	Parts []Ident
}

// Pos returns the offset of the path's first name.
func (p Path) Pos() int { return p.Parts[0].Pos }

// String joins the path's names with dots, as written.
func (p Path) String() string {
	names := make([]string, len(p.Parts))
	for i, n := range p.Parts {
		names[i] = n.Name
	}
	return strings.Join(names, ".")
}

// OrderItem is one entry of ORDER BY.
type OrderItem struct {
	Field Path
	Desc  bool
	Nulls NullsOrder
}

// NullsOrder says where ORDER BY puts nulls.
type NullsOrder uint8

const (
	NullsDefault NullsOrder = iota // not given: SOQL puts nulls first
	NullsFirst
	NullsLast
)

// IntClause is the number of LIMIT or OFFSET.
type IntClause struct {
	N   int64
	Pos int // offset of the keyword
}

// Expr is a condition of WHERE: *Logical, *Not, *Comparison, *In or *Like.
type Expr interface {
	// Pos returns the offset where the condition starts.
	Pos() int
	expr()
}

// LogicalOp joins the terms of a Logical.
type LogicalOp uint8

const (
	And LogicalOp = iota
	Or
)

func (o LogicalOp) String() string {
	if o == Or {
		return "OR"
	}
	return "AND"
}

// Logical is two or more conditions joined by the same operator.
type Logical struct {
	Op    LogicalOp
	Terms []Expr
}

// Not negates a condition.
type Not struct {
	X      Expr
	NotPos int
}

// CompareOp is a comparison operator.
type CompareOp uint8

const (
	Eq CompareOp = iota // =
	Ne                  // != or <>
	Lt                  // <
	Le                  // <=
	Gt                  // >
	Ge                  // >=
)

var compareOps = [...]string{Eq: "=", Ne: "!=", Lt: "<", Le: "<=", Gt: ">", Ge: ">="}

func (o CompareOp) String() string { return compareOps[o] }

// Comparison is "path op literal".
type Comparison struct {
	Field Path
	Op    CompareOp
	OpPos int
	Value Literal
}

// In is "path [NOT] IN (literal, ...)".
type In struct {
	Field  Path
	Negate bool
	Values []Literal
}

// Like is "path LIKE 'pattern'".
type Like struct {
	Field   Path
	Pattern Pattern
	Value   Literal // the pattern as a string literal, for messages
}

func (e *Logical) Pos() int    { return e.Terms[0].Pos() }
func (e *Not) Pos() int        { return e.NotPos }
func (e *Comparison) Pos() int { return e.Field.Pos() }
func (e *In) Pos() int         { return e.Field.Pos() }
func (e *Like) Pos() int       { return e.Field.Pos() }

func (*Logical) expr()    {}
func (*Not) expr()        {}
func (*Comparison) expr() {}
func (*In) expr()         {}
func (*Like) expr()       {}

// LitKind is the kind of a literal.
type LitKind uint8

const (
	LitNull LitKind = iota
	LitString
	LitNumber
	LitBool
)

func (k LitKind) String() string {
	return [...]string{LitNull: "null", LitString: "string", LitNumber: "number", LitBool: "boolean"}[k]
}

// Literal is a constant in a condition.
type Literal struct {
	Kind LitKind
	Str  string  // LitString: the decoded value
	Num  float64 // LitNumber
	Bool bool    // LitBool
	Text string  // the source text (for strings, without the quotes)
	Pos  int
}

// PatternElem is one element of a LIKE pattern: a wildcard, or a rune that
// must match (ignoring case).
type PatternElem struct {
	Wild Wildcard
	Rune rune
}

// Wildcard is a LIKE wildcard.
type Wildcard uint8

const (
	NoWildcard  Wildcard = iota
	AnySequence          // %
	AnyOne               // _
)

// Pattern is a decoded LIKE pattern.
type Pattern []PatternElem

// String returns the pattern with its wildcards as % and _ (escapes are
// not restored).
func (p Pattern) String() string {
	var b strings.Builder
	for _, e := range p {
		switch e.Wild {
		case AnySequence:
			b.WriteByte('%')
		case AnyOne:
			b.WriteByte('_')
		default:
			b.WriteRune(e.Rune)
		}
	}
	return b.String()
}

// Match reports whether s matches the pattern, ignoring case as SOQL does.
func (p Pattern) Match(s string) bool {
	// Iterative wildcard matching that backtracks to the last %; si and
	// mark are byte offsets in s.
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		r, size := utf8.DecodeRuneInString(s[si:])
		switch {
		case pi < len(p) && p[pi].Wild == AnySequence:
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi].Wild == AnyOne || p[pi].Wild == NoWildcard && foldEq(p[pi].Rune, r)):
			pi++
			si += size
		case star >= 0:
			pi = star + 1
			_, msize := utf8.DecodeRuneInString(s[mark:])
			mark += msize
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi].Wild == AnySequence {
		pi++
	}
	return pi == len(p)
}

// foldEq reports whether two runes are equal under Unicode simple case
// folding.
func foldEq(a, b rune) bool {
	if a == b {
		return true
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// Error is a query that could not be parsed or answered, in the terms
// Salesforce uses: an error code such as MALFORMED_QUERY and a message,
// with the byte offset where the problem is (-1 when there is none).
type Error struct {
	Code string
	Pos  int
	Msg  string
}

// MalformedQuery is the error code of a query that does not parse.
const MalformedQuery = "MALFORMED_QUERY"

func (e *Error) Error() string {
	if e.Pos < 0 {
		return e.Code + ": " + e.Msg
	}
	return fmt.Sprintf("%s at offset %d: %s", e.Code, e.Pos, e.Msg)
}

// Message formats the error the way Salesforce does for query: the line of
// the query that holds the error, a caret under the position, "ERROR at
// Row:R:Column:C" (1-based; the column counts characters) and the message.
// Without a position it is just the message.
func (e *Error) Message(query string) string {
	if e.Pos < 0 || e.Pos > len(query) {
		return e.Msg
	}
	lineStart := strings.LastIndexByte(query[:e.Pos], '\n') + 1
	lineEnd := strings.IndexByte(query[lineStart:], '\n')
	if lineEnd < 0 {
		lineEnd = len(query)
	} else {
		lineEnd += lineStart
	}
	col := colOf(query, e.Pos)
	var b strings.Builder
	b.WriteByte('\n')
	b.WriteString(strings.TrimRight(query[lineStart:lineEnd], "\r"))
	b.WriteByte('\n')
	b.WriteString(strings.Repeat(" ", col-1))
	b.WriteString("^\n")
	fmt.Fprintf(&b, "ERROR at Row:%d:Column:%d\n", rowOf(query, e.Pos), col)
	b.WriteString(e.Msg)
	return b.String()
}

// Errorf returns an *Error with code, position and a formatted message; the
// caller resolving names against a schema uses it for INVALID_FIELD and the
// like, so its messages match the parser's.
func Errorf(code string, pos int, format string, args ...any) *Error {
	return &Error{Code: code, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func errorAt(pos int, format string, args ...any) *Error {
	return Errorf(MalformedQuery, pos, format, args...)
}

// rowOf returns the 1-based line of offset pos.
func rowOf(s string, pos int) int { return strings.Count(s[:pos], "\n") + 1 }

// colOf returns the 1-based column, in characters, of offset pos.
func colOf(s string, pos int) int {
	lineStart := strings.LastIndexByte(s[:pos], '\n') + 1
	return utf8.RuneCountInString(s[lineStart:pos]) + 1
}

// quoteToken quotes a token's text for "unexpected token" messages.
func quoteToken(s string) string { return "'" + s + "'" }
