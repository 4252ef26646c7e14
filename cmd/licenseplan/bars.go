package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// bars draws one progress bar per object on stderr (only on a terminal),
// one line each. Objects are pulled concurrently, and progressbar draws a
// single line, so each bar renders into its own line buffer, and bars
// redraws the block of lines: the cursor goes up to the first bar's line
// and every line is written again.
type bars struct {
	w io.Writer

	mu    sync.Mutex
	order []string                            // objects, in the order they began
	bar   map[string]*progressbar.ProgressBar // the running bars
	line  map[string]string                   // each object's last drawn line
	drawn int                                 // lines drawn so far
}

func (b *bars) Begin(object string, total int) {
	b.mu.Lock()
	if bar := b.bar[object]; bar != nil && total > 0 {
		// The object's records start over (a new Bulk job). The bar
		// draws through lineWriter, which locks b.
		b.mu.Unlock()
		bar.Reset()
		bar.ChangeMax(total)
		return
	}
	defer b.mu.Unlock()
	if b.bar == nil {
		b.bar, b.line = map[string]*progressbar.ProgressBar{}, map[string]string{}
	}
	if total <= 0 {
		return
	}
	b.order = append(b.order, object)
	b.line[object] = fmt.Sprintf("%-26s", object) // until its bar first draws
	b.bar[object] = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(lineWriter{b, object}),
		progressbar.OptionSetDescription(fmt.Sprintf("%-26s", object)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
	)
}

func (b *bars) Advance(object string, n int) {
	b.mu.Lock()
	bar := b.bar[object]
	b.mu.Unlock()
	if bar != nil {
		bar.Add(n) // draws through lineWriter, which locks b
	}
}

func (b *bars) End(object string, err error) {
	b.mu.Lock()
	bar := b.bar[object]
	delete(b.bar, object)
	b.mu.Unlock()
	if bar == nil {
		return
	}
	if err == nil {
		bar.Finish()
	} else {
		bar.Exit()
	}
}

// set records object's line and redraws the block. Called with b.mu
// unlocked.
func (b *bars) set(object, text string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.line[object] = text
	var sb strings.Builder
	if b.drawn > 0 {
		fmt.Fprintf(&sb, "\x1b[%dA", b.drawn) // up to the first bar's line
	}
	for _, o := range b.order {
		sb.WriteString("\r\x1b[2K")
		sb.WriteString(b.line[o])
		sb.WriteString("\n")
	}
	b.drawn = len(b.order)
	io.WriteString(b.w, sb.String())
}

// lineWriter takes what progressbar draws for one object: it clears and
// redraws its line with carriage returns and ANSI codes; the text after
// the last carriage return, without escape codes, is the line.
type lineWriter struct {
	b      *bars
	object string
}

func (l lineWriter) Write(p []byte) (int, error) {
	s := string(p)
	if i := strings.LastIndexByte(s, '\r'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimRight(stripANSI(s), " \n")
	if s != "" {
		l.b.set(l.object, s)
	}
	return len(p), nil
}

// stripANSI removes CSI escape sequences (ESC [ ... letter).
func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < '@' || s[j] > '~') {
				j++
			}
			i = j
			continue
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}
