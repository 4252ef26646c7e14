package sfclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/licenseplan/licenseplan/org"
)

// decodePage reads one answer of the query resource straight into rows of
// the query's columns, without a map per record: fastjson parses the page
// into its own reusable tree, and each record's selected fields are
// picked from it with the field tree of the query's paths (field names
// matched in any case: Salesforce answers with the describe's spelling).
// Each value becomes a CSV cell: a string as it is, a boolean as
// true/false, a number in decimal, null (the value or a parent
// relationship on the way) blank. A selected field missing from a record,
// or an object where a value belongs, is an error: the answer does not
// match the query.
//
// fastjson, not encoding/json: on a page of 2,000 users, decoding into
// maps took 2 to 3 times the CPU and 3.5 times the memory; with the
// json.Valid check below counted, about twice the CPU
// (BenchmarkDecodePage keeps the map decoder as its baseline), and
// encoding/json's token stream and structs built with reflect were no
// faster than the maps.
func decodePage(data []byte, paths []fieldPath, idCol int) (*queryPage, [][]string, error) {
	// fastjson's parser is lenient where the JSON grammar is not: it
	// takes raw control characters in strings and keys, and it never
	// looks at the strings of fields the query did not select. So the
	// whole answer is validated first, and a corrupt page is refused as
	// corrupt rather than half read (FuzzQueryPage found one). By
	// encoding/json's scanner, not fastjson.ValidateBytes, which is
	// faster but misses a control character in a string that has an
	// escape after it ("\x16\\b").
	if !json.Valid(data) {
		return nil, nil, notJSON(data, errors.New("invalid JSON"))
	}
	p := parsers.Get()
	defer parsers.Put(p)
	v, err := p.ParseBytes(data)
	if err != nil {
		return nil, nil, notJSON(data, err)
	}
	top, err := v.Object()
	if err != nil {
		return nil, nil, fmt.Errorf("the answer is %s, not a query result object", kind(v))
	}
	page := &queryPage{}
	var recs *fastjson.Value
	var bad error
	// totalSize and done are required, each key once and spelled as
	// Salesforce spells it: a page that counted nothing must not read as
	// zero records.
	var got [4]bool
	top.Visit(func(key []byte, v *fastjson.Value) {
		if bad != nil {
			return
		}
		for i, known := range pageKeys {
			if strings.EqualFold(string(key), known) {
				if string(key) != known || got[i] {
					bad = fmt.Errorf("the answer has %s twice or misspelled", known)
					return
				}
				got[i] = true
			}
		}
		switch string(key) {
		case "totalSize":
			n, err := v.Int64()
			if err != nil || n < 0 || n > math.MaxInt32 {
				bad = fmt.Errorf("totalSize %s is not a count", shortValue(v.String()))
			}
			page.TotalSize = int(n)
		case "done":
			b, err := v.Bool()
			if err != nil {
				bad = fmt.Errorf("done is %s, not a boolean", kind(v))
			}
			page.Done = b
		case "nextRecordsUrl":
			if v.Type() == fastjson.TypeNull {
				return
			}
			s, err := v.StringBytes()
			if err != nil {
				bad = fmt.Errorf("nextRecordsUrl is %s, not a string", kind(v))
			}
			page.NextRecordsURL = string(s)
		case "records":
			recs = v
		}
	})
	if bad == nil && (!got[0] || !got[1]) {
		bad = fmt.Errorf("the answer has no totalSize or no done: it is not a query result")
	}
	if bad != nil {
		return nil, nil, bad
	}
	if recs == nil || recs.Type() == fastjson.TypeNull {
		return page, nil, nil
	}
	list, err := recs.Array()
	if err != nil {
		return nil, nil, fmt.Errorf("records is %s, not a list", kind(recs))
	}
	tree := newFieldTree(paths)
	rows := make([][]string, len(list))
	seen := make([]bool, len(paths))
	for i, rec := range list {
		o, err := rec.Object()
		if err != nil {
			if rec.Type() == fastjson.TypeNull {
				return nil, nil, fmt.Errorf("record %d is null", i+1)
			}
			return nil, nil, fmt.Errorf("record %d is %s, not an object", i+1, kind(rec))
		}
		row := make([]string, len(paths))
		clear(seen)
		if err := tree.fill(o, row, seen, ""); err != nil {
			return nil, nil, fmt.Errorf("record %d: %w", i+1, err)
		}
		if err := tree.missing(seen, ""); err != nil {
			return nil, nil, fmt.Errorf("record %d: %w", i+1, err)
		}
		if !org.ValidID(row[idCol]) {
			return nil, nil, fmt.Errorf("record %d: Id %s is not a Salesforce Id", i+1, shortValue(row[idCol]))
		}
		rows[i] = row
	}
	page.Records = len(rows)
	return page, rows, nil
}

// notJSON says where and why an answer is not JSON, from encoding/json's
// scanner, which names the cause and the byte offset (fastjson's message
// nests one "cannot parse" per level before the cause); it runs only on
// a page that is already refused. A page valid by the grammar that
// fastjson still refuses (nested deeper than its limit of 300) gets
// fastjson's message, short: it quotes the rest of the answer.
func notJSON(data []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(json.Unmarshal(data, &struct{}{}), &syn) {
		return fmt.Errorf("the answer is not valid JSON: %s at byte %d", cleanText(syn.Error(), 120), syn.Offset)
	}
	return fmt.Errorf("the answer is not valid JSON (%s)", cleanText(err.Error(), 120))
}

// pageKeys are the query result's keys, in the order got counts them.
var pageKeys = [4]string{"totalSize", "done", "nextRecordsUrl", "records"}

// parsers are reused: a fastjson.Parser keeps its tree's memory.
var parsers fastjson.ParserPool

// fieldNode is one step of the selected field paths: a field of a record
// (col ≥ 0) or a parent relationship whose fields are kids.
type fieldNode struct {
	name string
	col  int   // column of a field; -1 for a relationship
	dups []int // more columns that select the same field
	kids []*fieldNode
}

func newFieldTree(paths []fieldPath) *fieldNode {
	root := &fieldNode{col: -1}
	for col, p := range paths {
		n := root
		for i, name := range p {
			var next *fieldNode
			for _, k := range n.kids {
				if strings.EqualFold(k.name, name) {
					next = k
				}
			}
			if next == nil {
				next = &fieldNode{name: name, col: -1}
				n.kids = append(n.kids, next)
			}
			if i == len(p)-1 {
				if next.col >= 0 {
					next.dups = append(next.dups, col)
				} else {
					next.col = col
				}
			}
			n = next
		}
	}
	return root
}

// kid finds the node for key, exactly or else ignoring case.
func (n *fieldNode) kid(key []byte) *fieldNode {
	for _, k := range n.kids {
		if k.name == string(key) {
			return k
		}
	}
	for _, k := range n.kids {
		if strings.EqualFold(k.name, string(key)) {
			return k
		}
	}
	return nil
}

// fill writes the selected fields of o, the object at n, into row, and
// marks them seen; prefix is the relationship path to n, for errors.
func (n *fieldNode) fill(o *fastjson.Object, row []string, seen []bool, prefix string) error {
	var err error
	o.Visit(func(key []byte, v *fastjson.Value) {
		k := n.kid(key)
		if err != nil || k == nil {
			return
		}
		err = k.value(v, row, seen, prefix)
	})
	return err
}

// value takes the value v of field node k.
func (k *fieldNode) value(v *fastjson.Value, row []string, seen []bool, prefix string) error {
	name := prefix + k.name
	if v.Type() == fastjson.TypeNull { // the field, or every field under the relationship, is blank
		k.blank(seen)
		return nil
	}
	if len(k.kids) > 0 {
		o, err := v.Object()
		if err != nil {
			return fmt.Errorf("field %s is not a relationship object", name)
		}
		if k.col >= 0 { // selected both as a value and as a relationship
			return fmt.Errorf("field %s: an object, not a value", name)
		}
		return k.fill(o, row, seen, name+".")
	}
	var s string
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		s = string(b)
	case fastjson.TypeTrue:
		s = "true"
	case fastjson.TypeFalse:
		s = "false"
	case fastjson.TypeNumber:
		s = formatNumber(v.String())
	default:
		return fmt.Errorf("field %s: %s, not a value", name, kind(v))
	}
	if k.col >= 0 {
		row[k.col], seen[k.col] = s, true
	}
	for _, c := range k.dups {
		row[c], seen[c] = s, true
	}
	return nil
}

func (k *fieldNode) blank(seen []bool) {
	if k.col >= 0 {
		seen[k.col] = true
	}
	for _, c := range k.dups {
		seen[c] = true
	}
	for _, kid := range k.kids {
		kid.blank(seen)
	}
}

// missing fails on the first selected field the record did not carry.
func (n *fieldNode) missing(seen []bool, prefix string) error {
	for _, k := range n.kids {
		if k.col >= 0 && !seen[k.col] {
			return fmt.Errorf("field %s%s is missing from the record", prefix, k.name)
		}
		if err := k.missing(seen, prefix+k.name+"."); err != nil {
			return err
		}
	}
	return nil
}

// formatNumber writes a JSON number as the map-based decoder did: an
// integral value in decimal without exponent, anything else in the
// shortest form.
func formatNumber(s string) string {
	if !strings.ContainsAny(s, ".eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func kind(v *fastjson.Value) string {
	switch v.Type() {
	case fastjson.TypeObject:
		return "an object"
	case fastjson.TypeArray:
		return "a list"
	case fastjson.TypeString:
		return "a string"
	case fastjson.TypeNumber:
		return "a number"
	case fastjson.TypeTrue, fastjson.TypeFalse:
		return "a boolean"
	}
	return "null"
}
