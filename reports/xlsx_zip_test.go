package reports

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/licenseplan/licenseplan/planner"
)

// TestXLSXLinkSplice writes worksheets with links as xlsxZip writes them
// and checks the <hyperlinks> element lands where the schema wants it.
func TestXLSXLinkSplice(t *testing.T) {
	const ins = `<hyperlinks><hyperlink ref="W2" r:id="rId1"/></hyperlinks>`
	tests := []struct {
		name, in, want string
		err            bool
	}{
		{"before pageMargins",
			`<worksheet><sheetData><row r="1"/></sheetData><autoFilter ref="A1:B2"/><dataValidations/><pageMargins/><pageSetup/></worksheet>`,
			`<worksheet><sheetData><row r="1"/></sheetData><autoFilter ref="A1:B2"/><dataValidations/>` + ins + `<pageMargins/><pageSetup/></worksheet>`, false},
		{"before printOptions",
			`<worksheet><sheetData></sheetData><printOptions/><pageMargins/></worksheet>`,
			`<worksheet><sheetData></sheetData>` + ins + `<printOptions/><pageMargins/></worksheet>`, false},
		{"before the end",
			`<worksheet><sheetData><row r="1"><c><is><t>&lt;/sheetData&gt;</t></is></c></row></sheetData></worksheet>`,
			`<worksheet><sheetData><row r="1"><c><is><t>&lt;/sheetData&gt;</t></is></c></row></sheetData>` + ins + `</worksheet>`, false},
		{"no sheetData", `<worksheet></worksheet>`, "", true},
		{"hyperlinks already", `<worksheet><sheetData></sheetData><hyperlinks/></worksheet>`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const part = "xl/worksheets/sheet2.xml"
			z := &xlsxZip{links: map[string][]xlsxHyperlink{part: {{ref: "W2", url: "https://x.example/1"}}}}
			var out bytes.Buffer
			err := z.writeWorksheet(&out, part, []byte(tt.in))
			if (err != nil) != tt.err {
				t.Fatalf("writeWorksheet = %v, want an error: %v", err, tt.err)
			}
			if !tt.err && out.String() != tt.want {
				t.Fatalf("\n got %s\nwant %s", out.String(), tt.want)
			}
		})
	}
}

func TestXLSXPartOrder(t *testing.T) {
	names := []string{"xl/worksheets/sheet10.xml", "xl/worksheets/sheet2.xml", "[Content_Types].xml", "xl/worksheets/sheet1.xml",
		"docProps/app.xml", "xl/worksheets/sheet02.xml", "xl/styles.xml", "xl/worksheets/sheet9.xml", "_rels/.rels"}
	slices.SortFunc(names, xlsxPartCompare)
	want := []string{"[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml",
		"xl/worksheets/sheet2.xml", "xl/worksheets/sheet02.xml", "xl/worksheets/sheet9.xml", "xl/worksheets/sheet10.xml"}
	if !slices.Equal(names, want) {
		t.Errorf("order\n got %q\nwant %q", names, want)
	}
}

func TestQuotePrefixXfs(t *testing.T) {
	const styles = `<styleSheet><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>` +
		`<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="0" applyProtection="1"><protection locked="1"/></xf><xf/></cellXfs>` +
		`<cellStyles count="1"><cellStyle name="Normal" xfId="0"/></cellStyles></styleSheet>`
	tests := []struct {
		name string
		ids  []int
		want string
		err  bool
	}{
		{"one with a child", []int{1}, strings.Replace(styles, `<xf numFmtId="0" applyProtection="1">`, `<xf quotePrefix="1" numFmtId="0" applyProtection="1">`, 1), false},
		{"first and an empty one", []int{0, 2},
			strings.Replace(strings.Replace(styles, `<cellXfs count="3"><xf numFmtId="0"/>`, `<cellXfs count="3"><xf quotePrefix="1" numFmtId="0"/>`, 1),
				`<xf/></cellXfs>`, `<xf quotePrefix="1"/></cellXfs>`, 1), false},
		{"none", nil, styles, false},
		{"past the end", []int{3}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := quotePrefixXfs(styles, tt.ids)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want an error: %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	if _, err := quotePrefixXfs("<styleSheet/>", []int{0}); err == nil {
		t.Error("styles without cellXfs: no error")
	}
}

func TestRecordBase(t *testing.T) {
	tests := []struct{ kind, path, want string }{
		{"org", "https://acme.my.salesforce.com", "https://acme.my.salesforce.com"},
		{"org", "https://acme.my.salesforce.com/", "https://acme.my.salesforce.com"},
		{"org", "https://acme--uat.sandbox.my.salesforce.com:443", "https://acme--uat.sandbox.my.salesforce.com:443"},
		{"org", "http://127.0.0.1:8080", ""},
		{"org", "https://user:pw@acme.my.salesforce.com", ""},
		{"org", "https://acme.example/x", ""},
		{"org", "https://acme.example#frag", ""},
		{"org", "https://acme.example?x=1", ""},
		{"org", "https://ac%22me.example", ""},
		{"org", "", ""},
		{"snapshot", "https://acme.my.salesforce.com", ""},
		{"demo", "https://acme.my.salesforce.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.path, func(t *testing.T) {
			if got := recordBase(planner.Source{Kind: tt.kind, Path: tt.path}); got != tt.want {
				t.Errorf("recordBase = %q, want %q", got, tt.want)
			}
		})
	}
	for id, ok := range map[string]bool{
		"005000000000001AAA": true, "005000000000001": true, "00500000000001": false,
		"005000000000001AA": false, "005000000000001AA/": false, "=HYPERLINK(\"x\")": false, "": false,
	} {
		if got := recordLink("https://x.example", id) != nil; got != ok {
			t.Errorf("recordLink(%q) linked = %v, want %v", id, got, ok)
		}
	}
}

// failAfter fails every write once n bytes were written.
type failAfter struct {
	n   int
	got bytes.Buffer
}

func (f *failAfter) Write(p []byte) (int, error) {
	if f.got.Len()+len(p) > f.n {
		return 0, errors.New("disk full")
	}
	return f.got.Write(p)
}

// TestAsyncWriter: what goes through arrives whole and in order, and the
// writer's error comes back from a later Write or from Close, without a
// hang.
func TestAsyncWriter(t *testing.T) {
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	tests := []struct {
		name  string
		limit int
		chunk int
	}{
		{"all of it, small writes", len(data), 1000},
		{"all of it, big writes", len(data), 200 << 10},
		{"fails at once", 0, 64 << 10},
		{"fails half way", len(data) / 2, 64 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := &failAfter{n: tt.limit}
			a := newAsyncWriter(dst)
			var werr error
			for off := 0; off < len(data) && werr == nil; off += tt.chunk {
				_, werr = a.Write(data[off:min(off+tt.chunk, len(data))])
			}
			cerr := a.Close()
			if tt.limit >= len(data) {
				if werr != nil || cerr != nil || !bytes.Equal(dst.got.Bytes(), data) {
					t.Fatalf("write %v, close %v, %d bytes arrived of %d", werr, cerr, dst.got.Len(), len(data))
				}
				return
			}
			if cerr == nil || !strings.Contains(cerr.Error(), "disk full") {
				t.Errorf("Close = %v, want the writer's error", cerr)
			}
			if !bytes.Equal(dst.got.Bytes(), data[:dst.got.Len()]) {
				t.Error("the bytes that arrived are not the start of what was written")
			}
		})
	}
}
