package reports

import (
	"bytes"
	"encoding/json"
	"testing"
)

// compactJSON is v as encoding/json writes it, without HTML escapes.
func compactJSON(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func TestAppendIndentedMatchesIndent(t *testing.T) {
	u := syntheticPlan(3).Users.At(1)
	tests := []struct {
		name string
		v    any
	}{
		{"a user", &u},
		{"the fixture's users", fixturePlan().Users.Slice()},
		{"the fixture's steps", fixturePlan().Steps.Slice()},
		{"the fixture's summary", fixturePlan().Summary},
		{"empty object and list", map[string]any{"a": []int{}, "b": map[string]int{}, "c": [][]int{{}, {1}}}},
		{"strings with escapes", []string{`a"b`, `c\d`, `\\`, `"`, `\"`, "tab\there", "nl\nx", "ctl\x01", "{[,:]}", "ünï", "\u2028"}},
		{"scalars", []any{nil, true, false, 0, -1.5e300, "x"}},
		{"a string alone", "just a string"},
		{"a number alone", 42},
		{"nested", map[string]any{"k": map[string]any{"l": []any{map[string]any{"m": "n"}, []any{}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := compactJSON(t, tc.v)
			for _, pi := range [][2]string{{"", "  "}, {"    ", "  "}, {"  ", "\t"}} {
				var want bytes.Buffer
				if err := json.Indent(&want, src, pi[0], pi[1]); err != nil {
					t.Fatal(err)
				}
				if got := appendIndented(nil, src, pi[0], pi[1]); !bytes.Equal(got, want.Bytes()) {
					t.Errorf("prefix %q indent %q:\n got %s\nwant %s", pi[0], pi[1], got, want.Bytes())
				}
			}
		})
	}
}

func FuzzAppendIndented(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"c\"d"}],"e":{}}`, `[]`, `"x\\"`, `[{},[],"\u00e9"]`, `{"a\\\"":"]"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		var src bytes.Buffer
		if err := json.Compact(&src, []byte(s)); err != nil {
			return
		}
		var want bytes.Buffer
		if err := json.Indent(&want, src.Bytes(), "    ", "  "); err != nil {
			t.Fatal(err)
		}
		if got := appendIndented(nil, src.Bytes(), "    ", "  "); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%q:\n got %q\nwant %q", src.Bytes(), got, want.Bytes())
		}
	})
}

// BenchmarkIndent indents the users of the synthetic plan with json.Indent
// and with appendIndented:
//
//	go test ./reports -run '^$' -bench Indent -benchmem
func BenchmarkIndent(b *testing.B) {
	src := compactJSON(b, syntheticPlan(benchUsers/10).Users.Slice())
	b.Run("json.Indent", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		var dst bytes.Buffer
		for b.Loop() {
			dst.Reset()
			if err := json.Indent(&dst, src, "    ", "  "); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("appendIndented", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		var dst []byte
		for b.Loop() {
			dst = appendIndented(dst[:0], src, "    ", "  ")
		}
	})
}
