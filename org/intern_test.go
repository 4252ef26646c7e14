package org

import (
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

func TestInterner(t *testing.T) {
	// A tiny chunk forces a new chunk every few values.
	in := newInterner(2, 16)
	var want, got []string
	for i := range 1000 {
		v := "value-" + strconv.Itoa(i%37) + strings.Repeat("x", i%5)
		u := "unique-" + strconv.Itoa(i)
		want = append(want, v, u)
		got = append(got, in.value(0, v), in.copy(u))
	}
	got = append(got, in.value(1, ""), in.copy(""), in.copy(strings.Repeat("long", 10)))
	want = append(want, "", "", strings.Repeat("long", 10))
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("value %d = %q, want %q", i, got[i], want[i])
		}
	}
	// A value repeated in a column is stored once.
	a, b := in.value(0, "Customer Community"), in.value(0, strings.Clone("Customer Community"))
	if unsafe.StringData(a) != unsafe.StringData(b) {
		t.Error("a repeated value was copied twice")
	}
	// Copies do not keep the caller's string (a whole CSV record) alive.
	rec := strings.Clone("005A,record")
	if c := in.copy(rec[:4]); unsafe.StringData(c) == unsafe.StringData(rec) {
		t.Error("copy shares the memory of its argument")
	}
}
