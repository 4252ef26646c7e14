package orgsim

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// fieldType is a Salesforce field type, as describe reports it.
type fieldType uint8

const (
	ftID fieldType = iota
	ftString
	ftPicklist
	ftBoolean
	ftInt
	ftReference
	ftDatetime
)

// describe type, SOAP type and Apex type of each fieldType.
var fieldTypeNames = [...]struct{ describe, soap, apex string }{
	ftID:        {"id", "tns:ID", "Id"},
	ftString:    {"string", "xsd:string", "String"},
	ftPicklist:  {"picklist", "xsd:string", "String"},
	ftBoolean:   {"boolean", "xsd:boolean", "Boolean"},
	ftInt:       {"int", "xsd:int", "Integer"},
	ftReference: {"reference", "tns:ID", "Id"},
	ftDatetime:  {"datetime", "xsd:dateTime", "Datetime"},
}

// isText reports whether values of t compare as text (ignoring case).
func (t fieldType) isText() bool { return t == ftString || t == ftPicklist }

// isID reports whether values of t are record Ids.
func (t fieldType) isID() bool { return t == ftID || t == ftReference }

// valueKind is the kind of a field value.
type valueKind uint8

const (
	vNull valueKind = iota
	vString
	vBool
	vInt
)

// value is one field value of one record. Null is the zero value.
type value struct {
	kind valueKind
	b    bool
	n    int64
	s    string
}

// str returns s as a value; "" is null, as in the snapshot model.
func str(s string) value {
	if s == "" {
		return value{}
	}
	return value{kind: vString, s: s}
}

func boolean(b bool) value { return value{kind: vBool, b: b} }

func integer(n int64) value { return value{kind: vInt, n: n} }

// field is one field of an object. get returns its value on a row of the
// object's table. A reference field also names its relationship: parent
// returns the row of target that the reference points to, or -1.
type field struct {
	name  string
	label string
	typ   fieldType
	get   func(row int32) value

	relName string
	target  *table
	parent  func(row int32) int32
}

// table is one sObject type: its fields and its records. Rows [0, n) of the
// underlying storage are the object's records, in Id order as listed by
// order; rows past them are "detached" parents: the values a record of
// another object carries for its parent when they disagree with (or are
// missing from) this table. Queries scan only the listed records, so every
// snapshot file comes back exactly as it was, while relationship fields
// still give each record its own values.
type table struct {
	name, label, plural, prefix string

	fields []*field
	byName map[string]*field // lower-case field name
	byRel  map[string]*field // lower-case relationship name -> reference field
	order  []int32           // the listed records, in Id order
	id     func(row int32) string

	// extra are rows outside order that GET sobjects/{Object}/{Id} still
	// finds (the simulator's own API user).
	extra []int32

	idOnce sync.Once
	idIdx  map[string]int32
}

func newTable(name, label, plural, prefix string) *table {
	return &table{name: name, label: label, plural: plural, prefix: prefix,
		byName: map[string]*field{}, byRel: map[string]*field{}}
}

// add appends a field.
func (t *table) add(f *field) *field {
	t.fields = append(t.fields, f)
	t.byName[strings.ToLower(f.name)] = f
	if f.relName != "" {
		t.byRel[strings.ToLower(f.relName)] = f
	}
	if f.typ == ftID {
		t.id = func(row int32) string { return f.get(row).s }
	}
	return f
}

// listed sets the listed rows: 0..n-1, sorted by Id (stable, so rows with
// equal or missing Ids keep their order).
func (t *table) listed(n int) {
	t.order = make([]int32, n)
	sorted := true
	for i := range t.order {
		t.order[i] = int32(i)
		if i > 0 && t.id(int32(i-1)) > t.id(int32(i)) {
			sorted = false
		}
	}
	if !sorted {
		slices.SortStableFunc(t.order, func(a, b int32) int { return strings.Compare(t.id(a), t.id(b)) })
	}
}

// lookup finds a record by its 15- or 18-character Id.
func (t *table) lookup(id string) (int32, bool) {
	t.idOnce.Do(func() {
		t.idIdx = make(map[string]int32, len(t.order)+len(t.extra))
		for _, rows := range [][]int32{t.order, t.extra} {
			for _, r := range rows {
				k := t.id(r)
				if len(k) == 18 {
					k = k[:15]
				}
				if _, dup := t.idIdx[k]; !dup && k != "" {
					t.idIdx[k] = r
				}
			}
		}
	})
	k := id
	if len(k) == 18 {
		k = k[:15]
	}
	r, ok := t.idIdx[k]
	return r, ok
}

// compareValues orders two non-null values of the same field type: text
// ignoring case, Ids by their bytes (Salesforce Ids are case-sensitive),
// false before true, numbers by value.
func compareValues(t fieldType, a, b value) int {
	switch a.kind {
	case vString:
		if t.isText() {
			return compareFold(a.s, b.s)
		}
		return strings.Compare(a.s, b.s)
	case vBool:
		switch {
		case a.b == b.b:
			return 0
		case b.b:
			return -1
		}
		return 1
	case vInt:
		return cmp.Compare(a.n, b.n)
	}
	return 0
}

// compareFold compares two strings under simple Unicode case folding,
// without allocating.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			la, lb := unicode.ToLower(ra), unicode.ToLower(rb)
			if la != lb {
				return cmp.Compare(la, lb)
			}
		}
		a, b = a[na:], b[nb:]
	}
	return cmp.Compare(len(a), len(b))
}

// appendValue appends v as JSON.
func appendValue(b []byte, v value) []byte {
	switch v.kind {
	case vString:
		return appendString(b, v.s)
	case vBool:
		return strconv.AppendBool(b, v.b)
	case vInt:
		return strconv.AppendInt(b, v.n, 10)
	}
	return append(b, "null"...)
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// plainJSON marks the bytes that stand for themselves in a JSON string.
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendEscaped appends s escaped for a JSON string, without the quotes.
// Plain strings (printable ASCII without quotes or backslashes: nearly
// every Id, name and picklist value) are copied as they are; anything else
// is escaped by encoding/json.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plainJSON[s[i]] {
			enc, err := json.Marshal(s)
			if err != nil || len(enc) < 2 { // cannot happen for a string
				return b
			}
			return append(b, enc[1:len(enc)-1]...)
		}
	}
	return append(b, s...)
}
