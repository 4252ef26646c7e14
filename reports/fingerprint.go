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
	hashHeader, err := planHeader(q.SchemaVersion, time.Time{}, "")
	if err != nil {
		return "", fmt.Errorf("writing JSON: %w", err)
	}
	h.Write(hashHeader)
	fileHeader, err := planHeader(q.SchemaVersion, q.GeneratedAt, fingerprintPlaceholder)
	if err != nil {
		return "", fmt.Errorf("writing JSON: %w", err)
	}
	at := bytes.LastIndex(fileHeader, []byte(fingerprintPlaceholder))
	if _, err := w.Write(fileHeader); err != nil {
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

// planHeader is plan.json's opening brace and first three fields as the
// writer writes them.
func planHeader(version int, generatedAt time.Time, fp string) ([]byte, error) {
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	e := newPlanEncoder(bw)
	e.header(version, generatedAt, fp)
	if e.err != nil {
		return nil, e.err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// signedAsWritten reports whether data, the plan.json p was read from, is
// byte for byte what WriteFingerprint wrote: the header it writes for p's
// version, generation time and fingerprint, then a body that hashes, after
// the hash's header, to that fingerprint. The body is then the encoding
// the fingerprint was computed from, so ReadJSON need not encode the plan
// again to check it: hashing the file's bytes is a fraction of the
// encoding (1.4 s of a million-user plan's 13 s read). Any other file (a
// plan.json reformatted, reordered or edited) answers false, and is
// checked by encoding the plan it holds (Fingerprint), which decides.
func signedAsWritten(data []byte, p *planner.Plan) bool {
	file, err := planHeader(p.SchemaVersion, p.GeneratedAt, p.Fingerprint)
	if err != nil || !bytes.HasPrefix(data, file) {
		return false
	}
	hashHeader, err := planHeader(p.SchemaVersion, time.Time{}, "")
	if err != nil {
		return false
	}
	h := sha256.New()
	h.Write(hashHeader)
	h.Write(data[len(file):])
	return FingerprintPrefix+hex.EncodeToString(h.Sum(nil)) == p.Fingerprint
}
