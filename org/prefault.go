package org

import (
	"os"
	"reflect"
	"sync/atomic"
)

// prefaulter writes, in a goroutine of its own, every memory page of a
// large slice just allocated, a chunk ahead of the code that fills the
// slice in order, so that the filling code meets pages already mapped.
//
// This matters twice for User.csv's slice (256 MB for a million users).
// The operating system maps a page at its first touch, which costs a few
// microseconds, and the filler would otherwise pay that for every page.
// And a garbage collection that starts before a page is written reads the
// untouched page, which maps the shared zero page; the later write is then
// a copy-on-write fault with a TLB shootdown, several times dearer. Perf
// showed such faults costing 0.3 to 0.6 s of a million-user read, and
// the same for the permission set assignments' slice.
//
// The filler may write element i only once i < bound: chunks are handed
// over through a channel, so the two never touch the same chunk at once.
type prefaulter struct {
	bound int // elements below bound may be written by the filler
	ends  chan int
	stop  atomic.Bool
}

// prefaultChunk is the size of the chunks handed over, in bytes (a
// variable so that tests can make it small).
var prefaultChunk = 8 << 20

// prefault starts prefaulting s[first chunk end:]; the first chunk is the
// filler's to touch. It returns nil when s is too small to bother.
func prefault[T any](s []T) *prefaulter {
	var zero T
	size := int(reflect.TypeFor[T]().Size())
	if size == 0 || len(s)*size < 4*prefaultChunk {
		return nil
	}
	chunk := prefaultChunk / size
	step := max(1, os.Getpagesize()/size)
	p := &prefaulter{bound: chunk, ends: make(chan int, len(s)/chunk+1)}
	go func() {
		defer close(p.ends)
		for start := chunk; start < len(s); start += chunk {
			end := min(start+chunk, len(s))
			for i := start; i < end; i += step {
				s[i] = zero
			}
			p.ends <- end
			if p.stop.Load() {
				return
			}
		}
	}()
	return p
}

// wait returns once element i may be written.
func (p *prefaulter) wait(i int) {
	if p == nil {
		return
	}
	for i >= p.bound {
		end, ok := <-p.ends
		if !ok {
			p.bound = int(^uint(0) >> 1)
			return
		}
		p.bound = end
	}
}

// done stops the prefaulter early (the filler is not going on).
func (p *prefaulter) done() {
	if p != nil {
		p.stop.Store(true)
	}
}
