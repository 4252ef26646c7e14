package targets

import "strings"

// stringArena copies the short strings of many rows (Ids, usernames,
// origins) into shared blocks, so a million rows cost a few thousand
// allocations rather than millions, and each value keeps only its own
// bytes alive, not the whole CSV record it was cut from. A reader can
// skip this file and take a.add(parts...) as strings.Join(parts, "").
//
// It relies on strings being immutable: a block is only ever appended to,
// so every string cut from it stays valid. (strings.Builder hands out its
// bytes without copying them; if it ever copied, add would still be
// correct, only slower.) BenchmarkParseCSV shows what it saves.
type stringArena struct {
	b *strings.Builder // the current block; nil before the first add
}

// arenaBlock is the size of a block: big enough that blocks are few, small
// enough that the unused tail of the last one does not matter.
const arenaBlock = 64 << 10

// add returns the concatenation of parts, stored in the arena.
func (a *stringArena) add(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n == 0 {
		return ""
	}
	if a.b == nil || a.b.Cap()-a.b.Len() < n {
		a.b = new(strings.Builder)
		a.b.Grow(max(arenaBlock, n))
	}
	start := a.b.Len()
	for _, p := range parts {
		a.b.WriteString(p)
	}
	return a.b.String()[start:]
}
