package reports

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
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

// WriterAt is a writer that can also overwrite what it wrote: a file being
// written (atomicfile.File, *os.File).
type WriterAt interface {
	io.Writer
	io.WriterAt
}

// fingerprintPlaceholder holds the place of the fingerprint in the header
// of a plan.json written by WriteFingerprint until the fingerprint is
// known: it has a fingerprint's length, so overwriting it moves nothing.
var fingerprintPlaceholder = FingerprintPrefix + strings.Repeat("0", sha256.Size*2)

// WriteFingerprint writes plan.json for p to w, the bytes JSON.Write
// writes for p with its fingerprint set (SetFingerprint), and returns the
// fingerprint, computed from the bytes as they are written rather than by
// encoding the plan twice: the hash takes the header with generatedAt and
// fingerprint empty, w takes the real header with a placeholder of the
// fingerprint's length, both take the same body, and the placeholder is
// overwritten through w.WriteAt once the hash is done. w must be at offset
// 0, as a new file is. p is not changed.
func (JSON) WriteFingerprint(ctx context.Context, w WriterAt, p *planner.Plan) (string, error) {
	if p == nil {
		return "", fmt.Errorf("JSON: %w", errNilPlan)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("JSON: %w", err)
	}
	if p.SchemaVersion != 0 && !readableVersion(p.SchemaVersion) {
		return "", fmt.Errorf("%w: the plan has schemaVersion %d, this writer writes %d to %d", ErrSchemaVersion, p.SchemaVersion, planner.MinReadSchemaVersion, planner.SchemaVersion)
	}
	q := normalize(p)
	h := sha256.New()
	// The two headers, which are short, are made whole first: the hash's
	// (Fingerprint's definition) and the file's, with the placeholder.
	header := func(out io.Writer, generatedAt time.Time, fp string) error {
		bw := bufio.NewWriter(out)
		e := newPlanEncoder(bw)
		e.header(q.SchemaVersion, generatedAt, fp)
		if e.err != nil {
			return e.err
		}
		return bw.Flush()
	}
	var fileHeader bytes.Buffer
	if err := header(h, time.Time{}, ""); err != nil {
		return "", fmt.Errorf("writing JSON: %w", err)
	}
	if err := header(&fileHeader, q.GeneratedAt, fingerprintPlaceholder); err != nil {
		return "", fmt.Errorf("writing JSON: %w", err)
	}
	at := bytes.LastIndex(fileHeader.Bytes(), []byte(fingerprintPlaceholder))
	if _, err := w.Write(fileHeader.Bytes()); err != nil {
		return "", fmt.Errorf("writing JSON: %w", err)
	}
	bw := bufio.NewWriterSize(io.MultiWriter(w, h), 64<<10)
	e := newPlanEncoder(bw)
	e.body(ctx, q)
	if e.err == nil {
		e.err = bw.Flush()
	}
	if e.err != nil {
		return "", fmt.Errorf("writing JSON: %w", e.err)
	}
	fp := FingerprintPrefix + hex.EncodeToString(h.Sum(nil))
	if _, err := w.WriteAt([]byte(fp), int64(at)); err != nil {
		return "", fmt.Errorf("writing JSON: the fingerprint: %w", err)
	}
	return fp, nil
}
