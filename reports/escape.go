package reports

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// isBidiControl reports whether r is a Unicode bidirectional control, which
// can make text display in a different order than it is stored.
func isBidiControl(r rune) bool {
	return r == '\u061c' || r == '\u200e' || r == '\u200f' ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// unsafeRune reports whether r must not reach a terminal or a document as is:
// C0 and C1 controls, DEL, and bidi controls.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || isBidiControl(r)
}

// visible renders an unsafe rune as a Go-style escape: \n, \t, \x1b, \u202e.
func visible(r rune) string {
	switch r {
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	}
	if r < 0x100 {
		return fmt.Sprintf(`\x%02x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

// termSafe makes an org-derived value safe to print on a terminal: control
// characters (ESC, CSI, newline, tab, ...), bidi controls and bytes that are
// not UTF-8 are shown as escapes such as \x1b, so a hostile name can neither
// inject escape sequences nor break a line.
func termSafe(s string) string { return escapeRunes(s, unsafeRune) }

// TermSafe is s with control, bidi and other invisible runes made visible
// as escapes, so org data printed on a terminal cannot move the cursor,
// recolour it or hide text.
func TermSafe(s string) string { return termSafe(s) }

// escapeRunes returns s with every rune for which unsafe is true shown as
// an escape (visible) and every byte that is not UTF-8 as \xNN. It returns
// s itself when nothing needs escaping.
func escapeRunes(s string, unsafe func(rune) bool) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unsafe(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafe(r):
			b.WriteString(visible(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// mdEscape makes an org-derived value safe to place in Markdown text, in a
// list item or in a table cell:
//
//   - < is backslash-escaped, so "<script>" is never markup, and so is a
//     leading > (a block quote) and an & that could start an entity
//     ("&amp;"): backslash escapes, not HTML entities, because GitHub, Jira
//     and Confluence all read them, while Jira and Confluence show a
//     pasted "&gt;" as it is;
//   - characters that start inline markup (\ ` * _ [ ] | # ~ $) are
//     backslash-escaped, so "a|b" never splits a table cell;
//   - a leading - + = or "1." / "1)" is escaped so a value never starts a
//     list or heading;
//   - newlines and tabs become spaces, and leading and trailing white space
//     is dropped (leading spaces would indent a list item into a nested list
//     or a code block); other control characters are shown as escapes
//     (\x1b) and bytes that are not UTF-8 as U+FFFD.
func mdEscape(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	// Leading characters that would start a block at the beginning of a
	// list item or line.
	if s != "" {
		switch s[0] {
		case '-', '+', '=':
			b.WriteByte('\\')
		default:
			if n := leadingDigits(s); n > 0 && n < len(s) && (s[n] == '.' || s[n] == ')') {
				b.WriteString(s[:n])
				b.WriteByte('\\')
				s = s[n:]
			}
		}
	}
	for i, r := range s {
		switch r {
		case '<':
			b.WriteString(`\<`)
		case '>':
			if b.Len() == 0 {
				b.WriteByte('\\')
			}
			b.WriteByte('>')
		case '&':
			if i+1 < len(s) && (isAlnum(s[i+1]) || s[i+1] == '#') {
				b.WriteByte('\\')
			}
			b.WriteByte('&')
		case '\\', '`', '*', '_', '[', ']', '|', '#', '~', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			if unsafeRune(r) {
				// The backslash of \x1b is itself escaped for Markdown.
				b.WriteString(`\`)
				b.WriteString(visible(r))
				continue
			}
			b.WriteRune(r) // invalid UTF-8 is written as U+FFFD
		}
	}
	return b.String()
}

// leadingDigits returns how many ASCII digits s starts with.
func leadingDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// truncateRunes cuts s to at most n runes, ending it with … when cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n-1 {
			return s[:k] + "…"
		}
		i++
	}
	return s
}
