package targets

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// refLimiter is rowLimiter as it was first written, a byte at a time.
type refLimiter struct {
	r                    io.Reader
	inQuote              bool
	line, rowLine, n, mx int
	err                  *rowTooLong
}

func (l *refLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		if l.n++; l.n > l.mx {
			l.err = &rowTooLong{l.rowLine}
			return i, l.err
		}
		switch c {
		case '"':
			l.inQuote = !l.inQuote
		case '\n':
			l.line++
			if !l.inQuote {
				l.n, l.rowLine = 0, l.line
			}
		}
	}
	return n, err
}

// TestRowLimiter reads random text of quotes, line breaks and letters, in
// random pieces, through rowLimiter and the byte loop: both pass the same
// bytes and fail at the same byte with the same line.
func TestRowLimiter(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 2000 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			text := make([]byte, r.IntN(200))
			for j := range text {
				text[j] = "\"\n\nabcd"[r.IntN(7)]
			}
			mx := 1 + r.IntN(30)
			read := func(l io.Reader) (string, error) {
				var out []byte
				buf := make([]byte, 1+r.IntN(40))
				for {
					n, err := l.Read(buf)
					out = append(out, buf[:n]...)
					if err != nil {
						return string(out), err
					}
				}
			}
			got, gotErr := read(&rowLimiter{r: strings.NewReader(string(text)), line: 1, rowLine: 1, max: mx})
			want, wantErr := read(&refLimiter{r: strings.NewReader(string(text)), line: 1, rowLine: 1, mx: mx})
			if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("limit %d, text %q:\ngot  %q %v\nwant %q %v", mx, text, got, gotErr, want, wantErr)
			}
		})
	}
}
