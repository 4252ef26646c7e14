package reports

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadJSON: for any input, ReadJSON returns a plan or an error, never
// panics, and a plan it returns can be written in every format without a
// panic (as report --plan does).
func FuzzReadJSON(f *testing.F) {
	for _, p := range []string{filepath.Join("testdata", "golden-plan.json"), filepath.Join("..", "cmd", "licenseplan", "testdata", "demo-plan.json")} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"schemaVersion": 3, "users": [{"steps": [99]}], "steps": [{"seq": -1, "dependsOn": [7]}]}`))
	f.Add([]byte(`{"schemaVersion": 3, "summary": {"outcomes": {"explode": -3}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			if p != nil {
				t.Fatal("a plan and an error")
			}
			if err.Error() == "" {
				t.Fatal("an empty error")
			}
			return
		}
		for _, w := range allWriters() {
			_ = w.w.Write(context.Background(), io.Discard, p)
		}
	})
}

// TestHostilePlans: hostile plan.json inputs each get a clear error, or a
// plan every writer can write.
func TestHostilePlans(t *testing.T) {
	valid := string(render(t, JSON{}, fixturePlan()))
	fp := fixturePlan()
	if err := SetFingerprint(context.Background(), fp); err != nil {
		t.Fatal(err)
	}
	signed := string(render(t, JSON{}, fp))
	deep := `{"schemaVersion": 3, "notes": ` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`
	tests := []struct {
		name string
		in   string
		want string // error substring; "" when the plan must read
	}{
		{"depth: 40 levels of lists", deep, "line 1, column 62: nested deeper than 32 levels"},
		{"depth: brackets inside strings do not count", `{"schemaVersion": 3, "notes": ["` + strings.Repeat("[", 100) + `"]}`, ""},
		{"depth: 10,000 levels", strings.Repeat("[", 10000), "nested deeper than 32"},
		{"types: users is a string", `{"schemaVersion": 3, "users": "all"}`, "users is a string, want a list"},
		{"types: seq is text", strings.Replace(valid, `"seq":1,`, `"seq":"one",`, 1), "is a string, want a number"},
		{"numbers: a huge number", strings.Replace(valid, `"seq":1,`, `"seq":1e400,`, 1), "not valid"},
		{"values: unknown outcome", strings.Replace(valid, `"outcome":"recreate"`, `"outcome":"explode"`, 1), "unknown outcome"},
		{"edits: a changed name fails the fingerprint", strings.Replace(signed, "line@acme.example", "evil@acme.example", 1), "fingerprint does not match"},
		{"structure: duplicate keys", strings.Replace(valid, `"schemaVersion": 6,`, `"schemaVersion": 6, "schemaVersion": 6,`, 1), ""},
		{"structure: duplicate keys that disagree", strings.Replace(valid, `"schemaVersion": 6,`, `"schemaVersion": 6, "schemaVersion": 5,`, 1), "schemaVersion twice, 6 and 5"},
		{"structure: a NUL byte", "{\"schemaVersion\": 2,\x00}", "not valid"},
		{"size: an enormous string", `{"schemaVersion": 3, "notes": ["` + strings.Repeat("x", 8<<20) + `"]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in == valid || tt.in == signed {
				t.Fatal("the case's edit changed nothing: it tests the valid plan")
			}
			p, err := ReadJSON(strings.NewReader(tt.in))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ReadJSON: %v", err)
				}
				for _, w := range allWriters() {
					if err := w.w.Write(context.Background(), io.Discard, p); err != nil {
						t.Errorf("%s: %v", w.name, err)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
}

// TestReadJSONSizeBound: a plan.json over the bound is refused without
// reading more than the bound. It runs with a 1 MiB bound; ReadJSON passes
// MaxPlanBytes to the same code.
func TestReadJSONSizeBound(t *testing.T) {
	const bound = 1 << 20
	r := &countingZeros{}
	_, err := readJSON(r, bound) // an endless stream
	if err == nil || !strings.Contains(err.Error(), "over 1 MiB") {
		t.Fatalf("err %v, want over 1 MiB", err)
	}
	if r.n > bound+64<<10 { // ReadAll reads in chunks; one chunk past is fine
		t.Errorf("read %d bytes of an endless stream, want about %d", r.n, bound)
	}
	if got := byteSize(MaxPlanBytes); got != "4 GiB" {
		t.Errorf("MaxPlanBytes reads as %q", got)
	}
	// At the bound exactly, the size is fine and the content is judged.
	_, err = readJSON(io.LimitReader(&countingZeros{}, bound), bound)
	if err == nil || strings.Contains(err.Error(), "over 1 MiB") {
		t.Errorf("a document of exactly the bound: %v, want a JSON error", err)
	}
}

type countingZeros struct{ n int64 }

func (c *countingZeros) Read(p []byte) (int, error) {
	clear(p)
	c.n += int64(len(p))
	return len(p), nil
}
