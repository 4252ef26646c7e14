package targets

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"math"
	"strconv"
	"strings"
	"sync"
)

// rowTable holds a Set's per-user rows. A reader can skip this file: take
// a rowTable as a []Row with two maps, from Id and from lower-case
// Username to the row's index. Set.NumRows, Set.Row and Set.Lookup are
// all the rest of the package sees of it.
//
// A targets CSV may hold a million rows, and they stay in memory for the
// whole plan, so they are stored compactly: every Id and username once in
// a byte arena, each row as a record of offsets and small indexes, and the
// two indexes as tables of row numbers. None of it holds a pointer, so the
// collector never scans it. A row of Id, username and license takes about
// 150 bytes, where a Row and two maps took 240 (BenchmarkParseCSV,
// retained-B/row).
type rowTable struct {
	files    []rowFile // the files the rows came from
	licenses []string  // the distinct target licenses, by rowRec.license
	profiles []string  // the distinct target profiles, by rowRec.profile
	text     byteArena
	recs     [][]rowRec // the rows, in blocks of rowBlock
	n        int
	byID     keyIndex
	byUser   keyIndex
	// While rows are added: the index of each license and profile.
	licIdx, profIdx map[string]int32
}

// rowFile is a file rows came from.
type rowFile struct {
	name   string // the name origins give, as in "t.csv:4"
	source int    // the Target.Source of its rows
}

// rowRec is one row; rowTable.row turns it into a Row.
type rowRec struct {
	id, username span
	userKey      span // the lower-case username (the same span when it is already)
	line         int
	file         int32 // index in files
	license      int32 // index in licenses
	profile      int32 // index in profiles
}

// rowBlock is the number of rows in a block: rows are never moved once
// added, so adding a million allocates their size once.
const rowBlock = 4096

// maxDistinct bounds the profiles a rowTable (and ParseCSV, licenses as
// written) looks up by value: a file names a few, and a hostile one with a
// new spelling on every row must not cost more than its rows do.
const maxDistinct = 1024

func (t *rowTable) rec(i int) *rowRec { return &t.recs[i/rowBlock][i%rowBlock] }

// addFile adds a file rows can come from and returns its index.
func (t *rowTable) addFile(name string, source int) int32 {
	t.files = append(t.files, rowFile{name, source})
	return int32(len(t.files) - 1)
}

// add adds a row. license must be a catalog name (a few distinct values);
// id or username must not be empty. The row's Source is its file's.
func (t *rowTable) add(id, username, license, profile string, file int32, line int) error {
	if t.n == math.MaxInt32 {
		return fmt.Errorf("%s:%d: more than %d rows", t.files[file].name, line, math.MaxInt32)
	}
	if t.licIdx == nil {
		t.licIdx, t.profIdx = map[string]int32{}, map[string]int32{}
	}
	r := rowRec{id: t.text.add(id), username: t.text.add(username), line: line, file: file}
	r.userKey = r.username
	if lower := strings.ToLower(username); lower != username {
		r.userKey = t.text.add(lower)
	}
	var ok bool
	if r.license, ok = t.licIdx[license]; !ok {
		r.license = int32(len(t.licenses))
		t.licenses = append(t.licenses, license)
		t.licIdx[license] = r.license
	}
	if r.profile, ok = t.profIdx[profile]; !ok {
		r.profile = int32(len(t.profiles))
		t.profiles = append(t.profiles, strings.Clone(profile))
		if len(t.profIdx) < maxDistinct {
			t.profIdx[t.profiles[r.profile]] = r.profile
		}
	}
	if t.n%rowBlock == 0 {
		t.recs = append(t.recs, make([]rowRec, 0, rowBlock))
	}
	last := &t.recs[len(t.recs)-1]
	*last = append(*last, r)
	t.n++
	return nil
}

// addFrom adds the rows of src, their sources shifted by base.
func (t *rowTable) addFrom(src *rowTable, base int) error {
	files := int32(len(t.files))
	for _, f := range src.files {
		t.addFile(f.name, f.source+base)
	}
	for i := range src.n {
		r := src.rec(i)
		if err := t.add(string(src.text.bytes(r.id)), string(src.text.bytes(r.username)),
			src.licenses[r.license], src.profiles[r.profile], files+r.file, r.line); err != nil {
			return err
		}
	}
	return nil
}

// shifted returns t with its rows' sources shifted by base. It shares the
// rows with t.
func (t *rowTable) shifted(base int) rowTable {
	s := *t
	s.files = make([]rowFile, len(t.files))
	for i, f := range t.files {
		s.files[i] = rowFile{f.name, f.source + base}
	}
	return s
}

// index indexes the rows by Id and by lower-case username, once they are
// all added. A user given two rows is an error naming both.
func (t *rowTable) index() error {
	t.licIdx, t.profIdx = nil, nil
	ids, users := 0, 0
	for i := range t.n {
		r := t.rec(i)
		if r.id.n > 0 {
			ids++
		}
		if r.userKey.n > 0 {
			users++
		}
	}
	t.byID, t.byUser = newKeyIndex(ids), newKeyIndex(users)
	for i := range t.n {
		r := t.rec(i)
		if r.id.n > 0 {
			if j, ok := t.byID.add(t.text.bytes(r.id), int32(i), t.idOf); !ok {
				return fmt.Errorf("%s: user Id %s already has a target at %s", t.origin(r), t.text.bytes(r.id), t.origin(t.rec(int(j))))
			}
		}
		if r.userKey.n > 0 {
			if j, ok := t.byUser.add(t.text.bytes(r.userKey), int32(i), t.userKeyOf); !ok {
				return fmt.Errorf("%s: username %s already has a target at %s", t.origin(r), t.text.bytes(r.username), t.origin(t.rec(int(j))))
			}
		}
	}
	return nil
}

func (t *rowTable) idOf(i int32) []byte      { return t.text.bytes(t.rec(int(i)).id) }
func (t *rowTable) userKeyOf(i int32) []byte { return t.text.bytes(t.rec(int(i)).userKey) }

// find returns the row of the user with Id id or username username: by
// Id first, then by username ignoring case.
func (t *rowTable) find(id, username string) (int, bool) {
	if id != "" {
		if i, ok := t.byID.find(id, t.idOf); ok {
			return int(i), true
		}
	}
	if username != "" && !t.byUser.empty() {
		if i, ok := t.byUser.find(strings.ToLower(username), t.userKeyOf); ok {
			return int(i), true
		}
	}
	return 0, false
}

// row returns row i.
func (t *rowTable) row(i int) Row {
	r := t.rec(i)
	return Row{UserID: string(t.text.bytes(r.id)), Username: string(t.text.bytes(r.username)), Target: t.target(i)}
}

// target returns the target of row i.
func (t *rowTable) target(i int) Target {
	r := t.rec(i)
	return Target{License: t.licenses[r.license], Profile: t.profiles[r.profile], Origin: t.origin(r), Source: t.files[r.file].source}
}

// origin returns "file:line" (in one allocation: Lookup makes one per user).
func (t *rowTable) origin(r *rowRec) string {
	var buf [64]byte
	name := t.files[r.file].name
	b := append(append(buf[:0], name...), ':')
	return string(strconv.AppendInt(b, int64(r.line), 10))
}

// byteArena stores short strings back to back in large blocks, so that a
// million of them are a few thousand allocations with no pointers.
type byteArena struct{ blocks [][]byte }

// span is where add put a string: block, offset and length.
type span struct{ blk, off, n uint32 }

// arenaBlock is the size of a block: big enough that blocks are few, small
// enough that the unused tail of the last one does not matter.
const arenaBlock = 64 << 10

func (a *byteArena) add(s string) span {
	if s == "" {
		return span{}
	}
	last := len(a.blocks) - 1
	if last < 0 || cap(a.blocks[last])-len(a.blocks[last]) < len(s) {
		a.blocks = append(a.blocks, make([]byte, 0, max(arenaBlock, len(s))))
		last++
	}
	sp := span{blk: uint32(last), off: uint32(len(a.blocks[last])), n: uint32(len(s))}
	a.blocks[last] = append(a.blocks[last], s...)
	return sp
}

func (a *byteArena) bytes(sp span) []byte {
	if sp.n == 0 {
		return nil
	}
	return a.blocks[sp.blk][sp.off : sp.off+sp.n]
}

// keyIndex finds rows by a key, as a map[string]int32 would, in 16 bytes a
// key with no pointers: an open-addressing table of row numbers, which
// reads a row's key back with keyOf. Each slot keeps 32 bits of its key's
// hash as well, so a probe past another key seldom reads that row.
type keyIndex struct {
	seed  maphash.Seed
	slots []uint64 // hash<<32 | 1+row, 0 when empty; a power of two, at least twice the keys
}

func newKeyIndex(keys int) keyIndex {
	if keys == 0 {
		return keyIndex{}
	}
	n := 1
	for n < 2*keys {
		n <<= 1
	}
	return keyIndex{seed: maphash.MakeSeed(), slots: make([]uint64, n)}
}

func (x *keyIndex) empty() bool { return len(x.slots) == 0 }

// add indexes row under key and returns it and true, unless a row has the
// key already: then it returns that row and false.
func (x *keyIndex) add(key []byte, row int32, keyOf func(int32) []byte) (int32, bool) {
	h := maphash.Bytes(x.seed, key)
	tag, mask := h&^(1<<32-1), len(x.slots)-1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		switch sl := x.slots[i]; {
		case sl == 0:
			x.slots[i] = tag | uint64(row+1)
			return row, true
		case sl&^(1<<32-1) == tag && bytes.Equal(keyOf(int32(sl)-1), key):
			return int32(sl) - 1, false
		}
	}
}

// find returns the row with key.
func (x *keyIndex) find(key string, keyOf func(int32) []byte) (int32, bool) {
	if x.empty() {
		return 0, false
	}
	h := maphash.String(x.seed, key)
	tag, mask := h&^(1<<32-1), len(x.slots)-1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		switch sl := x.slots[i]; {
		case sl == 0:
			return 0, false
		case sl&^(1<<32-1) == tag && string(keyOf(int32(sl)-1)) == key:
			return int32(sl) - 1, true
		}
	}
}

// Finder looks up users one after another, as the planner does. A reader
// can take f.Lookup(u) as Set.Lookup(u): the answer is the same.
//
// Per-user rows are often in the users' order (a file exported from the
// org lists them by Id, as a snapshot does), so Finder first tries the row
// after the one it found last: an Id is in one row at most, so a row with
// the user's Id is the row the index would find. That saves a hash and
// three scattered memory reads per user (BenchmarkSummarizeTargets).
type Finder struct {
	set  *Set
	next int // the row after the last one found
}

// Finder returns a Finder for s.
func (s *Set) Finder() *Finder { return &Finder{set: s} }

// Lookup returns the target for u, as Set.Lookup does.
func (f *Finder) Lookup(u UserRef) (Match, bool) {
	if f.set == nil {
		return Match{}, false
	}
	t := &f.set.rows
	if u.ID != "" && f.next < t.n && string(t.idOf(int32(f.next))) == u.ID {
		f.next++
		return Match{t.target(f.next - 1), f.next - 1}, true
	}
	m, ok := f.set.Lookup(u)
	if ok && m.Row >= 0 {
		f.next = m.Row + 1
	}
	return m, ok
}

// findRow is the row search of Lookup, with the same shortcut.
func (f *Finder) findRow(id, username string) (int, bool) {
	t := &f.set.rows
	if id != "" && f.next < t.n && string(t.idOf(int32(f.next))) == id {
		f.next++
		return f.next - 1, true
	}
	i, ok := t.find(id, username)
	if ok {
		f.next = i + 1
	}
	return i, ok
}

// FindRows finds the rows of n users at once: rows[i] is the row that
// Lookup finds for the user whose Id and Username key(i) returns (its
// Match.Row), or -1 when no row names the user. A reader can take it as a
// loop of Finder lookups.
//
// It is a performance trick: a million users looked up in a file in
// another order than theirs cost a few cache misses each, about 0.9 s on
// one core, so the users are split among up to workers goroutines (each a
// Finder of its own). key must be safe to call concurrently.
// BenchmarkFindRows measures it.
func (s *Set) FindRows(n int, key func(i int) (id, username string), workers int) []int32 {
	rows := make([]int32, n)
	workers = max(1, min(workers, n/findRowsChunk))
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Go(func() {
			f := s.Finder()
			for i := lo; i < hi; i++ {
				r, ok := f.findRow(key(i))
				if !ok {
					r = -1
				}
				rows[i] = int32(r)
			}
		})
	}
	wg.Wait()
	return rows
}

// findRowsChunk is the fewest users FindRows gives a goroutine.
const findRowsChunk = 16384

// MatchRow returns the Match of row i, 0 <= i < NumRows(), as Lookup
// returns it for a user the row names, but without Target.Origin: the
// planner, which looks up a million users, never shows it, and making it
// is a string per user (Row(i).Target has it).
func (s *Set) MatchRow(i int) Match {
	r := s.rows.rec(i)
	t := &s.rows
	return Match{Target{License: t.licenses[r.license], Profile: t.profiles[r.profile], Source: t.files[r.file].source}, i}
}
