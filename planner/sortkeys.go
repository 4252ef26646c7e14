package planner

import (
	"encoding/binary"
	"slices"
	"strings"
)

// Sorting a million users by name is the costliest part of Resolve. A
// reader can skip this file: sortKeys(keys, full) sorts indexes by full,
// the comparison of the strings the keys were made from.
//
// The trick: each key carries the first 16 bytes of its string, so most
// comparisons are two integer compares that touch no user record.

// sortKey is an index to sort and the first bytes of its first sort key.
type sortKey struct {
	k0, k1 uint64
	i      int32
}

// newSortKey returns the key of index i whose first sort key is s. Its
// k0 and k1 are the first 16 bytes of s, big-endian and zero-padded, so
// that a smaller (k0, k1) means a smaller s, and equal ones say nothing.
func newSortKey(s string, i int32) sortKey {
	return sortKey{be8(s), be8(s[min(8, len(s)):]), i}
}

func be8(s string) uint64 {
	if len(s) >= 8 {
		return binary.BigEndian.Uint64([]byte(s[:8]))
	}
	var k uint64
	for j := range 8 {
		k <<= 8
		if j < len(s) {
			k |= uint64(s[j])
		}
	}
	return k
}

// sortKeys sorts keys by their prefixes, then by full, the comparison the
// prefixes were taken from.
func sortKeys(keys []sortKey, full func(x, y int32) int) {
	slices.SortFunc(keys, func(x, y sortKey) int {
		if x.k0 != y.k0 {
			if x.k0 < y.k0 {
				return -1
			}
			return 1
		}
		if x.k1 != y.k1 {
			if x.k1 < y.k1 {
				return -1
			}
			return 1
		}
		return full(x.i, y.i)
	})
}

// compare2 orders by (a1, a2) then (b1, b2). Unlike cmp.Or over two
// strings.Compare calls it compares the second key only on a tie; in the
// sorts of a million users that halves the comparisons.
func compare2(a1, a2, b1, b2 string) int {
	if c := strings.Compare(a1, a2); c != 0 {
		return c
	}
	return strings.Compare(b1, b2)
}
