package org

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// endless is an fs.FS whose User.csv never ends: a header, then src
// repeated for ever (a link to /dev/zero, a pipe that never closes). Its
// Stat reports size 0, as /dev/zero does.
type endless struct{ header, src string }

func (e endless) Open(name string) (fs.File, error) {
	switch name {
	case ".":
		return &endlessDir{}, nil
	case "User.csv":
		return &endlessFile{r: io.MultiReader(strings.NewReader(e.header), &repeat{s: e.src})}, nil
	}
	return nil, fs.ErrNotExist
}

type repeat struct {
	s string
	i int
}

func (r *repeat) Read(p []byte) (int, error) {
	for n := range p {
		p[n] = r.s[r.i%len(r.s)]
		r.i++
	}
	return len(p), nil
}

type endlessFile struct{ r io.Reader }

func (f *endlessFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *endlessFile) Close() error               { return nil }
func (f *endlessFile) Stat() (fs.FileInfo, error) { return fileInfo{"User.csv", 0, 0}, nil }

type endlessDir struct{}

func (d *endlessDir) Read([]byte) (int, error) { return 0, io.EOF }
func (d *endlessDir) Close() error             { return nil }
func (d *endlessDir) Stat() (fs.FileInfo, error) {
	return fileInfo{".", 0, fs.ModeDir}, nil
}
func (d *endlessDir) ReadDir(int) ([]fs.DirEntry, error) {
	return []fs.DirEntry{fs.FileInfoToDirEntry(fileInfo{"User.csv", 0, 0})}, nil
}

type fileInfo struct {
	name string
	size int64
	mode fs.FileMode
}

func (i fileInfo) Name() string       { return i.name }
func (i fileInfo) Size() int64        { return i.size }
func (i fileInfo) Mode() fs.FileMode  { return i.mode }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return i.mode.IsDir() }
func (i fileInfo) Sys() any           { return nil }

const hostileHeader = "Id,Username,Profile.UserLicense.Name\n"

// TestHostileSnapshots: every hostile snapshot ends with an error that
// names the file and the line, within bounded memory, or reads correctly.
// Categories: size (endless, long lines and fields), syntax, structure,
// encoding.
func TestHostileSnapshots(t *testing.T) {
	big := strings.Repeat("x", MaxRecordBytes+1)
	tests := []struct {
		name     string
		fsys     fs.FS
		want     string // error text (file:line: ...); "" for a good read
		wantErr  error
		maxAlloc uint64 // bytes allocated at most, 0 for no check
	}{
		{name: "size: endless NUL bytes, no newline (/dev/zero)", fsys: endless{hostileHeader, "\x00"},
			want: "User.csv:2: too large: a record over 1 MiB", wantErr: ErrTooLarge, maxAlloc: 64 << 20},
		{name: "size: endless quoted field", fsys: endless{hostileHeader + `005A,"`, "abc\n"},
			want: "User.csv:2: too large", wantErr: ErrTooLarge, maxAlloc: 64 << 20},
		{name: "size: field over 1 MiB", fsys: mapFS("User.csv", hostileHeader+"005A,"+big+",Salesforce\n"),
			want: "User.csv:2: too large", wantErr: ErrTooLarge},
		{name: "size: header over 1 MiB", fsys: mapFS("User.csv", "Id,"+big+"\n"), want: "User.csv:1: too large", wantErr: ErrTooLarge},
		{name: "size: quoted field of many short lines over 1 MiB", fsys: mapFS("User.csv", hostileHeader+"005A,\""+strings.Repeat("ab\n", MaxRecordBytes/3+10)+"\",Salesforce\n"),
			want: "User.csv:2: too large", wantErr: ErrTooLarge},
		{name: "size: a field just under the bound reads", fsys: mapFS("User.csv", hostileHeader+"005A,"+strings.Repeat("x", MaxRecordBytes-100)+",Salesforce\n")},
		{name: "size: 1 MiB over many records reads", fsys: mapFS("User.csv", hostileHeader+manyUsers(30000))},
		{name: "syntax: quote never closed", fsys: mapFS("User.csv", hostileHeader+"005A,\"a@x,Salesforce\n"), want: "User.csv:", wantErr: ErrMalformedCSV},
		{name: "syntax: bare quote", fsys: mapFS("User.csv", hostileHeader+"005A,a\"b,Salesforce\n"), want: "User.csv:2:", wantErr: ErrMalformedCSV},
		{name: "structure: too many fields", fsys: mapFS("User.csv", hostileHeader+"005A,a,b,c\n"), want: "User.csv:2: malformed CSV", wantErr: ErrMalformedCSV},
		{name: "structure: 10k columns header", fsys: mapFS("User.csv", "Id,Username,Profile.UserLicense.Name"+strings.Repeat(",x", 10000)+"\n")},
		{name: "structure: header only", fsys: mapFS("User.csv", hostileHeader)},
		{name: "structure: empty file", fsys: mapFS("User.csv", ""), want: "User.csv: empty file", wantErr: ErrEmptyFile},
		{name: "structure: duplicate header", fsys: mapFS("User.csv", "Id,Id,Username,Profile.UserLicense.Name\n"), want: "User.csv:1", wantErr: ErrDuplicateColumn},
		{name: "structure: duplicate Id", fsys: mapFS("User.csv", hostileHeader+"005A,a,S\n005A,b,S\n"), want: "User.csv:3", wantErr: ErrDuplicateID},
		{name: "encoding: NUL bytes in a field", fsys: mapFS("User.csv", hostileHeader+"005A,a\x00b,Salesforce\n")},
		{name: "encoding: BOM then garbage", fsys: mapFS("User.csv", "\xef\xbb\xbf\xff\xfe garbage\n"), want: "User.csv:1:1: text is not valid UTF-8", wantErr: ErrNotUTF8},
		{name: "encoding: UTF-16", fsys: mapFS("User.csv", "\xff\xfeI\x00d\x00"), want: "UTF-16", wantErr: ErrNotUTF8},
		{name: "encoding: Latin-1 name", fsys: mapFS("User.csv", hostileHeader+"005A,jos\xe9@x,Salesforce\n"), want: "User.csv:2:9", wantErr: ErrNotUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtimeMem
			before.read()
			s, err := ReadSnapshot(context.Background(), tt.fsys, "snap")
			after.read()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ReadSnapshot: %v", err)
				}
				if len(s.Users) != strings.Count(fsText(t, tt.fsys), "\n005") && !strings.Contains(tt.name, "many short") {
					t.Errorf("read %d users", len(s.Users))
				}
				return
			}
			if err == nil {
				t.Fatalf("ReadSnapshot read %d users, want an error %q", len(s.Users), tt.want)
			}
			if !strings.HasPrefix(err.Error(), "snap/") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want %q", err, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tt.wantErr)
			}
			if tt.maxAlloc > 0 && after.total-before.total > tt.maxAlloc {
				t.Errorf("allocated %d MB reading it, want at most %d MB", (after.total-before.total)>>20, tt.maxAlloc>>20)
			}
		})
	}
}

func mapFS(name, content string) fs.FS {
	return fstest.MapFS{name: &fstest.MapFile{Data: []byte(content)}}
}

func fsText(t *testing.T, fsys fs.FS) string {
	b, err := fs.ReadFile(fsys, "User.csv")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func manyUsers(n int) string {
	var b bytes.Buffer
	for i := range n {
		b.WriteString("005")
		b.WriteString(strings.Repeat("0", 12-len(itoa(i))))
		b.WriteString(itoa(i))
		b.WriteString(",user@x.example,Customer Community\n")
	}
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }
