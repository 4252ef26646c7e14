// Package suggest finds the nearest of a set of names to a mistyped one, for
// "did you mean" hints in error messages.
package suggest

// Distance is the Levenshtein edit distance between a and b, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Nearest returns the candidate closest to word, if one is close enough to
// be what was meant: at most a third of the word's length plus one edits
// away. Ties go to the candidate that sorts first, so the answer does not
// depend on the candidates' order.
func Nearest(word string, candidates []string) (string, bool) {
	best, bestD := "", len(word)/3+2
	for _, c := range candidates {
		d := Distance(word, c)
		if d < bestD || (d == bestD && best != "" && c < best) {
			best, bestD = c, d
		}
	}
	return best, best != ""
}
