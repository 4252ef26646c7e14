// Package atomicfile writes a file so that readers see either the old file
// or the whole new one, never a half-written file: it writes a temporary file
// in the same folder and renames it into place.
package atomicfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write creates path with mode perm from what write writes to a buffered
// writer. On any error, including ctx being done, the temporary file is
// removed and path is untouched. Errors name path.
func Write(ctx context.Context, path string, perm fs.FileMode, write func(io.Writer) error) error {
	return WriteFile(ctx, path, perm, func(f *File) error { return write(f) })
}

// File is the temporary file WriteFile hands its callback: a buffered
// writer that can also overwrite what was written (WriteAt), for a format
// whose header is known only at the end.
type File struct {
	f  *os.File
	bw *bufio.Writer
}

// Write implements io.Writer.
func (f *File) Write(b []byte) (int, error) { return f.bw.Write(b) }

// WriteAt writes b at offset off of the file, after what is buffered.
func (f *File) WriteAt(b []byte, off int64) (int, error) {
	if err := f.bw.Flush(); err != nil {
		return 0, err
	}
	return f.f.WriteAt(b, off)
}

// WriteFile is Write with the file as a *File.
func WriteFile(ctx context.Context, path string, perm fs.FileMode, write func(*File) error) (err error) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	af := &File{f: f, bw: bufio.NewWriterSize(f, 64<<10)}
	if err := write(af); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := af.bw.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return errors.Join(err, os.Remove(f.Name()))
	}
	return nil
}
