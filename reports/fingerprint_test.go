package reports

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/licenseplan/licenseplan/planner"
)

func TestFingerprint(t *testing.T) {
	ctx := context.Background()
	base, err := Fingerprint(ctx, fixturePlan())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(base, FingerprintPrefix) || len(base) != len(FingerprintPrefix)+64 {
		t.Fatalf("fingerprint %q: want sha256: and 64 hex digits", base)
	}
	tests := []struct {
		name string
		edit func(p *planner.Plan)
		same bool
	}{
		{"identical plan", func(p *planner.Plan) {}, true},
		{"other generation time", func(p *planner.Plan) { p.GeneratedAt = time.Unix(0, 0) }, true},
		{"stale fingerprint field", func(p *planner.Plan) { p.Fingerprint = "sha256:00" }, true},
		{"a target profile edited", func(p *planner.Plan) {
			us := p.Users.Slice()
			us[0].ToProfile = "System Administrator"
			p.Users = planner.NewUsers(us...)
		}, false},
		{"a step removed", func(p *planner.Plan) { p.Steps = planner.NewSteps(p.Steps.Slice()[1:]...) }, false},
		{"a note added", func(p *planner.Plan) { p.Notes = append(p.Notes, "x") }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := fixturePlan()
			tc.edit(p)
			got, err := Fingerprint(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if (got == base) != tc.same {
				t.Errorf("fingerprint %s, base %s: want same=%v", got, base, tc.same)
			}
		})
	}
}

func TestReadJSONChecksFingerprint(t *testing.T) {
	ctx := context.Background()
	p := fixturePlan()
	if err := SetFingerprint(ctx, p); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := (JSON{}).Write(ctx, &buf, p); err != nil {
		t.Fatal(err)
	}
	t.Run("untouched file reads back", func(t *testing.T) {
		q, err := ReadJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if q.Fingerprint != p.Fingerprint {
			t.Errorf("fingerprint %q, want %q", q.Fingerprint, p.Fingerprint)
		}
	})
	t.Run("edited file is refused", func(t *testing.T) {
		edited := bytes.Replace(buf.Bytes(), []byte(`"Partner Community User"`), []byte(`"System Administrator"`), 1)
		if bytes.Equal(edited, buf.Bytes()) {
			t.Fatal("fixture has no Partner Community User profile to edit")
		}
		_, err := ReadJSON(bytes.NewReader(edited))
		if !errors.Is(err, ErrFingerprint) {
			t.Fatalf("err = %v, want ErrFingerprint", err)
		}
	})
}
