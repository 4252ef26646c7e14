package soql

import (
	"strings"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // a name or keyword: letters, digits and underscores, not starting with a digit
	tString         // 'text', raw (escapes not yet decoded)
	tNumber         // 12 or 1.5
	tComma          // ,
	tDot            // .
	tLParen         // (
	tRParen         // )
	tOp             // = != <> < <= > >=
	tSign           // + or - before a number
)

// token is one lexical token; pos is its byte offset in the query and text
// its source text (for strings, the content between the quotes).
type token struct {
	kind tokKind
	pos  int
	text string
}

// lexer splits a query into tokens on demand.
type lexer struct {
	src string
	off int
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// next returns the next token, or an *Error for a character that cannot
// start one or a string without its closing quote.
func (l *lexer) next() (token, error) {
	for l.off < len(l.src) && strings.IndexByte(" \t\r\n\f", l.src[l.off]) >= 0 {
		l.off++
	}
	start := l.off
	if start >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[start]
	switch {
	case isIdentStart(c):
		end := start + 1
		for end < len(l.src) && isIdentPart(l.src[end]) {
			end++
		}
		l.off = end
		return token{kind: tIdent, pos: start, text: l.src[start:end]}, nil
	case isDigit(c):
		end := start + 1
		for end < len(l.src) && isDigit(l.src[end]) {
			end++
		}
		if end+1 < len(l.src) && l.src[end] == '.' && isDigit(l.src[end+1]) {
			end += 2
			for end < len(l.src) && isDigit(l.src[end]) {
				end++
			}
		}
		if end < len(l.src) && (isIdentPart(l.src[end]) ||
			l.src[end] == '-' && end+1 < len(l.src) && isDigit(l.src[end+1])) {
			// 1e5, 2024-01-01, 2024-01-01T00:00:00Z: exponents, date and
			// datetime literals are outside the subset.
			return token{}, errorAt(start, "unexpected token: %s", quoteToken(l.src[start:identEnd(l.src, end)]))
		}
		l.off = end
		return token{kind: tNumber, pos: start, text: l.src[start:end]}, nil
	case c == '\'':
		i := start + 1
		for i < len(l.src) {
			switch l.src[i] {
			case '\\':
				i += 2
				continue
			case '\'':
				l.off = i + 1
				return token{kind: tString, pos: start, text: l.src[start+1 : i]}, nil
			}
			i++
		}
		return token{}, errorAt(len(l.src), "line %d:%d mismatched character '<EOF>' expecting '''",
			rowOf(l.src, len(l.src)), colOf(l.src, len(l.src))-1)
	case c == ',':
		l.off++
		return token{kind: tComma, pos: start, text: ","}, nil
	case c == '.':
		l.off++
		return token{kind: tDot, pos: start, text: "."}, nil
	case c == '(':
		l.off++
		return token{kind: tLParen, pos: start, text: "("}, nil
	case c == ')':
		l.off++
		return token{kind: tRParen, pos: start, text: ")"}, nil
	case c == '=':
		l.off++
		return token{kind: tOp, pos: start, text: "="}, nil
	case c == '!':
		if strings.HasPrefix(l.src[start:], "!=") {
			l.off += 2
			return token{kind: tOp, pos: start, text: "!="}, nil
		}
	case c == '<':
		for _, op := range []string{"<=", "<>", "<"} {
			if strings.HasPrefix(l.src[start:], op) {
				l.off += len(op)
				return token{kind: tOp, pos: start, text: op}, nil
			}
		}
	case c == '>':
		op := ">"
		if strings.HasPrefix(l.src[start:], ">=") {
			op = ">="
		}
		l.off += len(op)
		return token{kind: tOp, pos: start, text: op}, nil
	case c == '-' || c == '+':
		l.off++
		return token{kind: tSign, pos: start, text: l.src[start : start+1]}, nil
	}
	r, _ := utf8.DecodeRuneInString(l.src[start:])
	return token{}, errorAt(start, "line %d:%d no viable alternative at character '%s'",
		rowOf(l.src, start), colOf(l.src, start)-1, string(r))
}

// identEnd returns the end of the run of identifier characters at i.
func identEnd(s string, i int) int {
	for i < len(s) && (isIdentPart(s[i]) || s[i] == '-' || s[i] == ':' || s[i] == '.') {
		i++
	}
	return i
}

// unescape decodes the backslash escapes of a string literal's raw content
// and calls emit for each rune, with escaped true when the rune came from an
// escape. \% and \_ are accepted only when like is true (they belong to LIKE
// patterns). pos is the offset of the opening quote, for errors.
func unescape(raw string, pos int, like bool, emit func(r rune, escaped bool)) error {
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRuneInString(raw[i:])
		if r != '\\' {
			emit(r, false)
			i += size
			continue
		}
		if i+1 >= len(raw) {
			return errorAt(pos, "Invalid string literal '%s'. Illegal character sequence '\\' in string literal.", raw)
		}
		e, esize := utf8.DecodeRuneInString(raw[i+1:])
		var out rune
		switch e {
		case 'n', 'N':
			out = '\n'
		case 'r', 'R':
			out = '\r'
		case 't', 'T':
			out = '\t'
		case 'b', 'B':
			out = '\b'
		case 'f', 'F':
			out = '\f'
		case '"', '\'', '\\':
			out = e
		case '%', '_':
			if !like {
				return errorAt(pos, "Invalid string literal '%s'. Illegal character sequence '\\%c' in string literal.", raw, e)
			}
			out = e
		default:
			return errorAt(pos, "Invalid string literal '%s'. Illegal character sequence '\\%c' in string literal.", raw, e)
		}
		emit(out, true)
		i += 1 + esize
	}
	return nil
}

// decodeString returns the value of a string literal.
func decodeString(raw string, pos int) (string, error) {
	if strings.IndexByte(raw, '\\') < 0 {
		return raw, nil
	}
	var b strings.Builder
	b.Grow(len(raw))
	err := unescape(raw, pos, false, func(r rune, _ bool) { b.WriteRune(r) })
	return b.String(), err
}

// decodePattern returns the LIKE pattern of a string literal: unescaped %
// and _ are wildcards.
func decodePattern(raw string, pos int) (Pattern, error) {
	var p Pattern
	err := unescape(raw, pos, true, func(r rune, escaped bool) {
		switch {
		case !escaped && r == '%':
			p = append(p, PatternElem{Wild: AnySequence})
		case !escaped && r == '_':
			p = append(p, PatternElem{Wild: AnyOne})
		default:
			p = append(p, PatternElem{Rune: r})
		}
	})
	return p, err
}
