package org

import (
	"bufio"
	"context"
	"encoding/csv"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var benchUsers = flag.Int("benchusers", 100_000, "users in the User.csv generated for BenchmarkReadSnapshot")

// sfID returns an 18-character Salesforce-like Id with the given prefix.
func sfID(prefix string, n int) string {
	s := strconv.Itoa(n)
	return prefix + "000000000000000"[:15-len(s)] + s
}

// writeBenchUsers writes a User.csv of n users with every User.csv column,
// shaped like a large community org: mostly external users, five per
// account. It returns the file's path and size.
func writeBenchUsers(tb testing.TB, dir string, n int) (string, int64) {
	tb.Helper()
	path := filepath.Join(dir, "User.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	if err := w.Write(Queries[0].Fields); err != nil {
		tb.Fatal(err)
	}
	rec := make([]string, uCount)
	for i := range n {
		clear(rec)
		num := strconv.Itoa(i)
		rec[uID] = sfID("005", i)
		rec[uUsername] = "user" + num + "@example.com.prod"
		rec[uName] = "Firstname Lastname " + num
		rec[uIsActive] = strconv.FormatBool(i%10 != 0)
		rec[uIsPortalEnabled] = "false"
		switch i % 10 {
		case 0, 1, 2: // internal
			rec[uUserType] = "Standard"
			rec[uProfileID] = sfID("00e", 1)
			rec[uProfileName] = "Standard User"
			rec[uLicense] = "Salesforce"
			rec[uRoleID] = sfID("00E", 1+i%50)
			rec[uRoleName] = "Sales Rep " + strconv.Itoa(i%50)
			rec[uRolePortalType] = "None"
		default: // customer or partner, five per account
			acct := i / 5
			partner := i%10 >= 8
			rec[uUserType] = "PowerCustomerSuccess"
			rec[uProfileID] = sfID("00e", 2)
			rec[uProfileName] = "Customer Community Plus User"
			rec[uLicense] = "Customer Community Plus"
			rec[uRolePortalType] = "CustomerPortal"
			if partner {
				rec[uUserType] = "PowerPartner"
				rec[uProfileName] = "Partner Community User"
				rec[uLicense] = "Partner Community"
				rec[uRolePortalType] = "Partner"
			}
			rec[uRoleID] = sfID("00E", 1000+acct)
			rec[uRoleName] = "Account " + strconv.Itoa(acct) + ", Inc. Customer User"
			rec[uRolePortalRole] = "Worker"
			rec[uContactID] = sfID("003", i)
			rec[uAccountID] = sfID("001", acct)
			rec[uAccountName] = "Account " + strconv.Itoa(acct) + ", Inc."
			rec[uAccountIsPartner] = strconv.FormatBool(partner)
			rec[uAccountOwnerID] = sfID("005", acct%100)
			rec[uIsPortalEnabled] = "true"
		}
		if err := w.Write(rec); err != nil {
			tb.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return path, info.Size()
}

func TestBenchGenerator(t *testing.T) {
	dir := t.TempDir()
	writeBenchUsers(t, dir, 1000)
	s, err := ReadSnapshot(context.Background(), os.DirFS(dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Users) != 1000 || len(s.Accounts) != 200 || !s.Has.IsActive || !s.Has.AccountIsPartner {
		t.Errorf("read %d users, %d accounts, Has %+v", len(s.Users), len(s.Accounts), s.Has)
	}
	if u := s.Users[999]; u.ID != "005000000000000999" || u.Line != 1001 || u.AccountName != "Account 199, Inc." {
		t.Errorf("last user = %+v", u)
	}
}

func BenchmarkReadSnapshot(b *testing.B) {
	dir := b.TempDir()
	_, size := writeBenchUsers(b, dir, *benchUsers)
	fsys := os.DirFS(dir)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		s, err := ReadSnapshot(context.Background(), fsys, dir)
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Users) != *benchUsers {
			b.Fatalf("read %d users", len(s.Users))
		}
	}
}

// BenchmarkReadCSVBaseline only reads the same file with encoding/csv, the
// floor for BenchmarkReadSnapshot.
func BenchmarkReadCSVBaseline(b *testing.B) {
	dir := b.TempDir()
	path, size := writeBenchUsers(b, dir, *benchUsers)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		r := csv.NewReader(f)
		r.ReuseRecord = true
		n := 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		f.Close()
		if n != *benchUsers+1 {
			b.Fatalf("read %d records", n)
		}
	}
}
