package reports

import "bytes"

// appendIndented appends to dst the compact JSON value src indented as
// json.Indent(dst, src, prefix, indent) indents it, byte for byte. src
// must be what encoding/json writes: valid JSON with no white space outside
// strings. It is plan.json's indenter (planEncoder.emit): json.Indent runs
// a full JSON scanner over every byte, and at a million users that was the
// largest single cost of writing plan.json; this one copies each string in
// one piece and only looks at the structure between strings. A reader can
// skip it and read it as json.Indent.
//
// TestAppendIndentedMatchesIndent and FuzzAppendIndented compare it with
// json.Indent; BenchmarkIndent measures both.
func appendIndented(dst, src []byte, prefix, indent string) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, indent...)
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '"':
			end := stringEnd(src, i)
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				// An empty object or list stays on its line.
				dst = append(dst, c, src[i+1])
				i++
				continue
			}
			dst = append(dst, c)
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// stringEnd returns the index just past the JSON string that starts at
// src[i] (a '"'); len(src) if it does not end.
func stringEnd(src []byte, i int) int {
	for j := i + 1; j < len(src); {
		k := bytes.IndexByte(src[j:], '"')
		if k < 0 {
			return len(src)
		}
		q := j + k
		// The quote ends the string unless an odd run of backslashes
		// escapes it.
		n := 0
		for b := q - 1; b > i && src[b] == '\\'; b-- {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
	return len(src)
}
