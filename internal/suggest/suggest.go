// Package suggest finds the nearest of a set of names to a mistyped one, for
// "did you mean" hints in error messages.
package suggest

// Distance is the edit distance between a and b, in bytes: insertions,
// deletions, substitutions and swaps of two neighbours ("fromat" is one edit
// from "format"), each counting one (optimal string alignment distance).
func Distance(a, b string) int {
	// d[i][j] is the distance between a[:i] and b[:j]; three rows suffice.
	prev2 := make([]int, len(b)+1)
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
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// Nearest returns the candidate closest to word, if one is close enough to
// be what was meant: fewer than a third of the word's length plus one
// edits away (so a three-letter word must be one edit away). Ties go to the candidate that sorts first, so the answer does not
// depend on the candidates' order.
func Nearest(word string, candidates []string) (string, bool) {
	best, bestD := "", len(word)/3+1
	for _, c := range candidates {
		d := Distance(word, c)
		if d < bestD || (d == bestD && best != "" && c < best) {
			best, bestD = c, d
		}
	}
	return best, best != ""
}
