package suggest

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"format", "format", 0},
		{"fromat", "format", 1},
		{"ab", "ba", 1},
		{"abc", "ca", 3},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := Distance(tt.a, tt.b); got != tt.want {
				t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := Distance(tt.b, tt.a); got != tt.want {
				t.Errorf("Distance(%q, %q) = %d, want %d (not symmetric)", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

func TestNearest(t *testing.T) {
	keys := []string{"format", "input", "out", "preset", "targets", "target-org"}
	tests := []struct {
		word, want string
		ok         bool
	}{
		{"fromat", "format", true},
		{"target", "targets", true}, // one edit from "targets", four from "target-org"
		{"inptu", "input", true},
		{"zzzzzzzz", "", false},
		{"pdf", "", false}, // two edits from "out": too far for three letters
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			got, ok := Nearest(tt.word, keys)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Nearest(%q) = %q, %v; want %q, %v", tt.word, got, ok, tt.want, tt.ok)
			}
		})
	}
}
