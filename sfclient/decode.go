package sfclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/licenseplan/licenseplan/org"
)

// decodePage reads one answer of the query resource straight into rows of
// the query's columns: a streaming json.Decoder walks the records and
// keeps only the selected fields, so no record becomes a map. Each value
// becomes a CSV cell as cell describes it, and every record must carry
// every selected field, like the map-based rows it replaces.
func decodePage(data []byte, paths []fieldPath, idCol int) (*queryPage, [][]string, error) {
	d := &pageDecoder{dec: json.NewDecoder(bytes.NewReader(data)), tree: newFieldTree(paths), n: len(paths)}
	d.dec.UseNumber()
	page, err := d.page()
	if err != nil {
		return nil, nil, err
	}
	for i, row := range d.rows {
		if !org.ValidID(row[idCol]) {
			return nil, nil, fmt.Errorf("record %d: Id %s is not a Salesforce Id", i+1, shortValue(row[idCol]))
		}
	}
	return page, d.rows, nil
}

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

// kid finds the node for key: Salesforce answers with the describe's field
// names, which a query may spell in another case.
func (n *fieldNode) kid(key string) *fieldNode {
	for _, k := range n.kids {
		if k.name == key {
			return k
		}
	}
	for _, k := range n.kids {
		if strings.EqualFold(k.name, key) {
			return k
		}
	}
	return nil
}

type pageDecoder struct {
	dec  *json.Decoder
	tree *fieldNode
	n    int
	rows [][]string
	seen []bool // the current record's columns that had a value
}

func (d *pageDecoder) page() (*queryPage, error) {
	if err := d.delim('{'); err != nil {
		return nil, err
	}
	page := &queryPage{}
	for d.dec.More() {
		key, err := d.key()
		if err != nil {
			return nil, err
		}
		switch key {
		case "totalSize":
			var n json.Number
			if err := d.dec.Decode(&n); err != nil {
				return nil, err
			}
			v, err := n.Int64()
			if err != nil || v > math.MaxInt32 {
				return nil, fmt.Errorf("totalSize %s is not a count", shortValue(n.String()))
			}
			page.TotalSize = int(v)
		case "done":
			if err := d.dec.Decode(&page.Done); err != nil {
				return nil, err
			}
		case "nextRecordsUrl":
			if err := d.dec.Decode(&page.NextRecordsURL); err != nil {
				return nil, err
			}
		case "records":
			if err := d.records(); err != nil {
				return nil, err
			}
		default:
			if err := d.skip(); err != nil {
				return nil, err
			}
		}
	}
	if err := d.delim('}'); err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, errors.New("data after the answer's JSON object")
	}
	page.Records = len(d.rows)
	return page, nil
}

func (d *pageDecoder) records() error {
	tok, err := d.dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil // "records": null
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("records is %s, not a list", tokenKind(tok))
	}
	for d.dec.More() {
		i := len(d.rows) + 1
		tok, err := d.dec.Token()
		if err != nil {
			return err
		}
		if tok != json.Delim('{') {
			if tok == nil {
				return fmt.Errorf("record %d is null", i)
			}
			return fmt.Errorf("record %d is %s, not an object", i, tokenKind(tok))
		}
		row := make([]string, d.n)
		d.seen = make([]bool, d.n)
		if err := d.object(d.tree, row); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		if err := d.missing(d.tree, nil); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		d.rows = append(d.rows, row)
	}
	return d.delim(']')
}

// object reads the fields of an object whose '{' was read, into row.
func (d *pageDecoder) object(n *fieldNode, row []string) error {
	for d.dec.More() {
		key, err := d.key()
		if err != nil {
			return err
		}
		k := n.kid(key)
		if k == nil {
			if err := d.skip(); err != nil {
				return err
			}
			continue
		}
		if err := d.value(k, row); err != nil {
			return err
		}
	}
	return d.delim('}')
}

// value reads the value of field node k.
func (d *pageDecoder) value(k *fieldNode, row []string) error {
	tok, err := d.dec.Token()
	if err != nil {
		return err
	}
	if tok == nil { // null: the field, or every field under the relationship, is blank
		d.blank(k)
		return nil
	}
	if k.col < 0 {
		if tok != json.Delim('{') {
			return fmt.Errorf("field %s is not a relationship object", k.name)
		}
		return d.object(k, row)
	}
	var v string
	switch t := tok.(type) {
	case string:
		v = t
	case bool:
		v = strconv.FormatBool(t)
	case json.Number:
		v = formatNumber(t)
	default:
		return fmt.Errorf("field %s: %s, not a value", k.name, tokenKind(tok))
	}
	row[k.col] = v
	d.seen[k.col] = true
	for _, c := range k.dups {
		row[c], d.seen[c] = v, true
	}
	return nil
}

func (d *pageDecoder) blank(k *fieldNode) {
	if k.col >= 0 {
		d.seen[k.col] = true
	}
	for _, c := range k.dups {
		d.seen[c] = true
	}
	for _, kid := range k.kids {
		d.blank(kid)
	}
}

// missing fails on the first selected field the record did not carry.
func (d *pageDecoder) missing(n *fieldNode, path []string) error {
	for _, k := range n.kids {
		p := append(path, k.name)
		if k.col >= 0 && !d.seen[k.col] {
			return fmt.Errorf("field %s is missing from the record", strings.Join(p, "."))
		}
		if err := d.missing(k, p); err != nil {
			return err
		}
	}
	return nil
}

// formatNumber writes a JSON number like cell does: an integral value in
// decimal without exponent, anything else in the shortest form.
func formatNumber(n json.Number) string {
	s := n.String()
	if strings.IndexAny(s, ".eE") < 0 {
		return s
	}
	f, err := n.Float64()
	if err != nil {
		return s
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func (d *pageDecoder) key() (string, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("%s where a field name belongs", tokenKind(tok))
	}
	return s, nil
}

func (d *pageDecoder) delim(want json.Delim) error {
	tok, err := d.dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("%s where %q belongs", tokenKind(tok), string(want))
	}
	return nil
}

// skip reads past one value, however deeply nested.
func (d *pageDecoder) skip() error {
	depth := 0
	for {
		tok, err := d.dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func tokenKind(tok json.Token) string {
	switch t := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		switch t {
		case '{':
			return "an object"
		case '[':
			return "a list"
		}
		return strconv.Quote(string(t))
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", tok)
}
