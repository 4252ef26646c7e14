package reports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/licenseplan/licenseplan/planner"
)

// FingerprintPrefix starts every plan fingerprint.
const FingerprintPrefix = "sha256:"

// ErrFingerprint is returned by ReadJSON when a plan.json's fingerprint does
// not match its content: the file was edited after it was generated.
var ErrFingerprint = errors.New("the plan fingerprint does not match its content")

// Fingerprint returns the plan's content fingerprint: "sha256:" and the hex
// SHA-256 of its plan.json encoding with generatedAt and fingerprint left
// empty. It does not change p. Plans of the same input, rules and targets
// have the same fingerprint whenever they were generated.
func Fingerprint(ctx context.Context, p *planner.Plan) (string, error) {
	if p == nil {
		return "", fmt.Errorf("fingerprint: %w", errNilPlan)
	}
	q := *p
	q.GeneratedAt = time.Time{}
	q.Fingerprint = ""
	h := sha256.New()
	if err := (JSON{}).Write(ctx, h, &q); err != nil {
		return "", fmt.Errorf("fingerprint: %w", err)
	}
	return FingerprintPrefix + hex.EncodeToString(h.Sum(nil)), nil
}

// SetFingerprint computes p's fingerprint and stores it in p.Fingerprint.
func SetFingerprint(ctx context.Context, p *planner.Plan) error {
	fp, err := Fingerprint(ctx, p)
	if err != nil {
		return err
	}
	p.Fingerprint = fp
	return nil
}

// ShortFingerprint is the first 12 hex digits of a fingerprint, for headers
// where the whole one does not fit; "" stays "".
func ShortFingerprint(fp string) string {
	const n = len(FingerprintPrefix) + 12
	if len(fp) > n {
		return fp[:n]
	}
	return fp
}
