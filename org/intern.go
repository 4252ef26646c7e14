package org

import "strings"

// interner copies the values kept from User.csv into large shared chunks.
// The record strings that encoding/csv allocates can then be freed and
// their memory reused, instead of staying alive for as long as any of their
// fields. A value equal to one recently seen in the same column (a profile,
// a license, a role, an account) is stored only once, which keeps the
// snapshot's memory well below the file's size plus the User structs.
//
// Chunks are filled through strings.Builder, whose String shares the
// builder's bytes; bytes once written are never changed, so every string
// handed out stays valid.
type interner struct {
	b     strings.Builder
	chunk int
	// recent holds, per column, values recently seen in it, in slots
	// picked by a cheap hash; a collision only costs a duplicate copy.
	recent [][recentSlots]string
}

const (
	recentBits  = 6
	recentSlots = 1 << recentBits
)

func newInterner(columns, chunk int) *interner {
	return &interner{chunk: chunk, recent: make([][recentSlots]string, columns)}
}

// copy returns a copy of v in the current chunk.
func (in *interner) copy(v string) string {
	if v == "" {
		return ""
	}
	start := in.room(len(v))
	in.b.WriteString(v)
	return in.b.String()[start:]
}

// room starts a new chunk unless the current one has n bytes free, and
// returns where the next bytes go.
func (in *interner) room(n int) int {
	if in.b.Cap()-in.b.Len() < n {
		in.b = strings.Builder{}
		in.b.Grow(max(in.chunk, n))
	}
	return in.b.Len()
}

// copyBytes returns a string of b's bytes in the current chunk.
func (in *interner) copyBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	start := in.room(len(b))
	in.b.Write(b)
	return in.b.String()[start:]
}

// value returns v, stored once among the recent values of column col.
func (in *interner) value(col int, v string) string {
	n := len(v)
	if n == 0 {
		return ""
	}
	slot := &in.recent[col][slotOf(v)]
	if *slot == v {
		return *slot
	}
	*slot = in.copy(v)
	return *slot
}

// slotOf picks v's slot from its length, first, middle and last eight
// bytes: Salesforce Ids differ at the end (their first characters name the
// object and the org, their last three are a checksum), names that end
// alike ("... Customer User") differ at the start or in the middle.
func slotOf(v string) uint {
	n := len(v)
	h := uint64(n)<<16 | uint64(v[0])<<8 | uint64(v[n/2])
	for i := max(0, n-8); i < n; i++ {
		h = h*31 + uint64(v[i])
	}
	h *= 0x9e3779b97f4a7c15 // Fibonacci hashing: the top bits depend on every byte
	return uint(h >> (64 - recentBits))
}
