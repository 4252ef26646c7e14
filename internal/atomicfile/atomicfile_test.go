package atomicfile

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	boom := errors.New("boom")
	tests := []struct {
		name    string
		ctx     context.Context
		write   func(io.Writer) error
		want    string // file content after; "old" when untouched
		wantErr error
	}{
		{"writes", context.Background(), func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, "new", nil},
		{"writer fails", context.Background(), func(w io.Writer) error { io.WriteString(w, "half"); return boom }, "old", boom},
		{"canceled", canceled, func(w io.Writer) error { return nil }, "old", context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.txt")
			os.WriteFile(path, []byte("old"), 0o600)
			err := Write(tt.ctx, path, 0o644, tt.write)
			if !errors.Is(err, tt.wantErr) || (err != nil && !strings.Contains(err.Error(), path)) {
				t.Fatalf("err = %v, want %v naming the path", err, tt.wantErr)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tt.want {
				t.Errorf("content %q, want %q", got, tt.want)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				t.Errorf("temporary files left: %v", ents)
			}
			if st, _ := os.Stat(path); tt.wantErr == nil && st.Mode().Perm() != 0o644 {
				t.Errorf("mode %v", st.Mode())
			}
		})
	}
}

// TestWriteFileWriteAt: WriteAt overwrites bytes written earlier, buffered
// or not, and what follows is kept.
func TestWriteFileWriteAt(t *testing.T) {
	tests := []struct {
		name  string
		write func(f *File) error
		want  string
	}{
		{"patch the start", func(f *File) error {
			io.WriteString(f, "xxxx-body")
			_, err := f.WriteAt([]byte("head"), 0)
			return err
		}, "head-body"},
		{"write after a patch", func(f *File) error {
			io.WriteString(f, "a??c")
			if _, err := f.WriteAt([]byte("bb"), 1); err != nil {
				return err
			}
			_, err := io.WriteString(f, "-tail")
			return err
		}, "abbc-tail"},
		{"past the buffer", func(f *File) error {
			io.WriteString(f, "0000"+strings.Repeat("z", 200<<10))
			_, err := f.WriteAt([]byte("1234"), 0)
			return err
		}, "1234" + strings.Repeat("z", 200<<10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.txt")
			if err := WriteFile(context.Background(), path, 0o644, tt.write); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tt.want {
				t.Errorf("content %.40q (%d bytes), want %.40q", got, len(got), tt.want)
			}
		})
	}
}
