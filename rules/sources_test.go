package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSourcesCitedByTitle: a rule's source names its document by title,
// with the Help article's address, and keeps the file name for
// traceability (issue 12: sources were cited only as 000_7706ceabebc363c0.txt).
func TestSourcesCitedByTitle(t *testing.T) {
	tb := mustTable(t)
	tests := []struct {
		from, to   string
		title, url string
		file       string
	}{
		{"Customer Community", "Customer Community Plus", Title000, URL000, Doc000},
		{"Salesforce", "Salesforce Platform", Title001, "", Doc001},
		{"Chatter Free", "Customer Community", Title001, "", Doc001},
	}
	for _, tt := range tests {
		t.Run(tt.from+" -> "+tt.to, func(t *testing.T) {
			r := lookup(t, tb, tt.from, tt.to)
			c := r.Source.Citation()
			if c.Title != tt.title || c.URL != tt.url || c.Doc != tt.file {
				t.Errorf("citation = %+v, want title %q url %q file %q", c, tt.title, tt.url, tt.file)
			}
			fields := map[string]string{}
			for _, f := range r.Provenance() {
				fields[f.Label] = f.Value
			}
			if !strings.HasPrefix(fields["Source"], `"`+tt.title+`"`) || strings.Contains(fields["Source"], ".txt") {
				t.Errorf("Source = %q, want the title %q and no file name", fields["Source"], tt.title)
			}
			if fields["Address"] != tt.url || fields["File"] != tt.file {
				t.Errorf("Address = %q, File = %q; want %q, %q", fields["Address"], fields["File"], tt.url, tt.file)
			}
			if strings.Contains(r.Explanation(), "Source: "+tt.file) {
				t.Errorf("explanation cites the file name as the source: %q", r.Explanation())
			}
		})
	}
	t.Run("config override has no file or address", func(t *testing.T) {
		c := Source{Doc: "config", Ref: "c.yaml: rules.overrides[0]"}.Citation()
		if c.URL != "" || c.Text() != "Config file override (rules.overrides): c.yaml: rules.overrides[0]" {
			t.Errorf("citation %+v text %q", c, c.Text())
		}
	})
	t.Run("a plan's old source string parses back", func(t *testing.T) {
		for _, r := range tb.All() {
			if got := ParseCitation(r.Source.String()); got != r.Source.Citation() {
				t.Fatalf("ParseCitation(%q) = %+v, want %+v", r.Source.String(), got, r.Source.Citation())
			}
		}
	})
	t.Run("no code cites a bare file name", func(t *testing.T) {
		for _, c := range Codes {
			if strings.Contains(c.Source, ".txt") {
				t.Errorf("%s source %q names a file, not a title", c.Code, c.Source)
			}
		}
	})
}

// TestSeedTitles: the titles are the documents' own. 000's seed file holds
// its title (the page heading); 001's seed file is the matrix alone.
func TestSeedTitles(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", Doc000))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), Title000) {
		t.Errorf("%s does not hold the title %q", Doc000, Title000)
	}
	if !strings.HasPrefix(URL000, "https://help.salesforce.com/") || !strings.Contains(URL000, "networks_license_upgrade_eligible") {
		t.Errorf("URL000 = %q, want the Salesforce Help article", URL000)
	}
}

// TestEveryCodeHasAdvice: the risk register gives every code a mitigation.
func TestEveryCodeHasAdvice(t *testing.T) {
	for _, c := range Codes {
		if c.Code.Advice() == "" {
			t.Errorf("%s has no advice", c.Code)
		}
	}
	if len(advice) != len(Codes) {
		t.Errorf("advice has %d codes, the vocabulary %d", len(advice), len(Codes))
	}
}
