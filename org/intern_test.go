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

// Values that alternate in a column mostly get slots of their own, so
// most are stored once: Salesforce Ids that differ only in their last
// characters, and names that differ only in their first or middle ones.
func TestInternerSlots(t *testing.T) {
	ids := func(prefix string, n int) []string {
		var vs []string
		for i := range n {
			vs = append(vs, prefix+string("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[i%62])+"OAA")
		}
		return vs
	}
	names := func(suffix string) []string {
		var vs []string
		for _, a := range strings.Fields("Eastgate Delta Coastal Bayview Apex Yellowstone Westfield Northwind Summit Harbor Pinecrest Redwood Silverline Brightway Oakmont Lakeside") {
			vs = append(vs, a+" Holdings "+suffix)
		}
		return vs
	}
	tests := []struct {
		name   string
		values []string
	}{
		{"permission set Ids", ids("0PSWp00000fhe", 16)},
		{"role names", names("Customer User")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := newInterner(1, 1<<10)
			stored := map[string]string{}
			again := 0
			for round := range 3 {
				for _, v := range tt.values {
					got := in.value(0, strings.Clone(v))
					if round > 0 && unsafe.StringData(stored[v]) != unsafe.StringData(got) {
						again++
					}
					stored[v] = got
				}
			}
			// 16 values in 64 slots: a few share one.
			if max := len(tt.values) / 2; again > max {
				t.Errorf("%d of %d values were stored again, want at most %d", again, 2*len(tt.values), max)
			}
		})
	}
}
