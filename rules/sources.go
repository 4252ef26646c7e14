package rules

import (
	"fmt"
	"strings"
)

// Document is a source document of the rule data: how a reader finds it
// (title, publisher, address) and, for traceability, the file the rule data
// was transcribed from.
type Document struct {
	// File is the source file name (Doc000, Doc001), or "config" and
	// "licenseplan" for rules that come from no document.
	File string
	// Title is the document's own title.
	Title string
	// Publisher is who publishes it ("Salesforce Help"); "" when nobody
	// does.
	Publisher string
	// URL is its public address; "" when it has none.
	URL string
}

// Source document titles and addresses. The seed file of 000 holds the
// article's text but not its address: the address is the Salesforce Help
// page whose text the seed file is (found by its title on
// help.salesforce.com; the stored copy of that page has the same text). The
// seed file of 001 names no title or address; its title says what it is.
const (
	Title000 = "Experience Cloud Licenses Eligible for Upgrades"
	URL000   = "https://help.salesforce.com/s/articleView?id=platform.networks_license_upgrade_eligible.htm&language=en_US&type=5"
	Title001 = "License change matrix (observed Salesforce results)"
)

// Documents lists the source documents, and the two sources that are not
// documents, in the order they are cited.
var Documents = []Document{
	{File: Doc000, Title: Title000, Publisher: "Salesforce Help", URL: URL000},
	{File: Doc001, Title: Title001},
	{File: "config", Title: "Config file override (rules.overrides)"},
	{File: "licenseplan", Title: "licenseplan's own rule"},
}

// DocumentOf returns the document whose File is file, and false (with
// Title file) for any other name.
func DocumentOf(file string) (Document, bool) {
	for _, d := range Documents {
		if d.File == file {
			return d, true
		}
	}
	return Document{File: file, Title: file}, false
}

// IsFile reports whether d is a source document (a file the rule data was
// transcribed from), not a config override or licenseplan's own rule.
func (d Document) IsFile() bool { return d.File != "config" && d.File != "licenseplan" }

// Name is how prose cites the document: its title in quotes and its
// publisher, `"Experience Cloud Licenses Eligible for Upgrades" (Salesforce
// Help)`.
func (d Document) Name() string {
	switch {
	case d.Title == "":
		return d.File
	case !d.IsFile() || d.Title == d.File:
		return d.Title
	}
	if d.Publisher == "" {
		return `"` + d.Title + `"`
	}
	return `"` + d.Title + `" (` + d.Publisher + `)`
}

// Citation is a rule's source with its document: what plan.json's
// rules[].source holds.
type Citation struct {
	// Doc is Source.Doc: the file name, "config" or "licenseplan".
	Doc string
	// Ref locates the rule inside the document (Source.Ref).
	Ref string
	// Title, Publisher and URL are the document's (Document).
	Title, Publisher, URL string
}

// Citation returns s with its document's title and address.
func (s Source) Citation() Citation {
	d, _ := DocumentOf(s.Doc)
	return Citation{Doc: s.Doc, Ref: s.Ref, Title: d.Title, Publisher: d.Publisher, URL: d.URL}
}

// ParseCitation reads a source as Source.String writes it ("file: ref"),
// as plan.json schema 3 and 4 hold it, and adds its document.
func ParseCitation(s string) Citation {
	doc, ref, _ := strings.Cut(s, ": ")
	return Source{Doc: doc, Ref: ref}.Citation()
}

// String is the citation as Source.String writes it: "file: ref".
func (c Citation) String() string { return Source{Doc: c.Doc, Ref: c.Ref}.String() }

// Text is the citation for people: the document's title and publisher, then
// where in it (`"Experience Cloud Licenses Eligible for Upgrades" (Salesforce
// Help): last paragraph`). The file name and address are not in it; show
// them beside it (Provenance does).
func (c Citation) Text() string {
	d := Document{File: c.Doc, Title: c.Title, Publisher: c.Publisher, URL: c.URL}
	name := d.Name()
	if c.Ref == "" {
		return name
	}
	return name + ": " + c.Ref
}

// documentsDigest is what DataVersion hashes of Documents, so a changed
// title or address is a new version of the rule data.
func documentsDigest() []byte {
	var b strings.Builder
	for _, d := range Documents {
		fmt.Fprintf(&b, "%q %q %q %q\n", d.File, d.Title, d.Publisher, d.URL)
	}
	return []byte(b.String())
}

// How prose in the rule data (Also, Conflict, CodeInfo.Source) names the
// two documents.
var (
	name000 = Documents[0].Name()
	name001 = Documents[1].Name()
)
