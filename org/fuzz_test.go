package org

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// snapshotFiles are the files a snapshot folder may hold, in Queries order.
func snapshotFiles() []string {
	names := make([]string, len(Queries))
	for i, q := range Queries {
		names[i] = q.File
	}
	return names
}

// FuzzReadSnapshot replaces one file of the full test snapshot with fuzzed
// bytes and reads the folder. The properties: no panic; an error names a
// file of the folder; and a User.csv that reads without error gives one
// user per CSV record, so no record is silently dropped.
func FuzzReadSnapshot(f *testing.F) {
	base := fstest.MapFS{}
	files := snapshotFiles()
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join("testdata", "full", name))
		if err != nil {
			f.Fatal(err)
		}
		base[name] = &fstest.MapFile{Data: data}
		f.Add(uint8(len(base)-1), data)
	}
	for _, s := range []string{
		"", "\ufeffId\n", "Id,Username\n\"unterminated\n", "Id\n=cmd|' /C calc'!A0\n",
		"Id,Id\n1,2\n", "\xff\xfe\x00I\x00d", "Id,Username\r\n005000000000001AAA,a\r\n",
	} {
		f.Add(uint8(0), []byte(s))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		fsys := fstest.MapFS{}
		for k, v := range base {
			fsys[k] = v
		}
		name := files[int(which)%len(files)]
		fsys[name] = &fstest.MapFile{Data: data}
		snap, err := ReadSnapshot(context.Background(), fsys, "snap")
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || !strings.HasPrefix(ie.File, "snap/") {
				t.Fatalf("error %v (%T) does not name a file of the folder", err, err)
			}
			return
		}
		if name != userFile.name {
			return
		}
		// Compare with encoding/csv where it reads the file too. The
		// snapshot reader also takes a UTF-8 byte-order mark and reads
		// UTF-16; leave those to the hostile cases.
		if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) || bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
			return
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		n := -1 // the header
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
			n++
		}
		if len(snap.Users) != n {
			t.Fatalf("User.csv has %d records, the snapshot %d users: %q", n, len(snap.Users), data)
		}
	})
}
