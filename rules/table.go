package rules

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Source cites where a rule comes from.
type Source struct {
	// Doc is a source document file name (Doc000, Doc001), "config" for an
	// override, or "licenseplan" for the tool's own default.
	Doc string
	// Ref locates the rule inside Doc: a table row and column, a sentence,
	// or a config key.
	Ref string
}

func (s Source) String() string {
	if s.Ref == "" {
		return s.Doc
	}
	return s.Doc + ": " + s.Ref
}

// Rule is the resolved outcome of one ordered license pair.
type Rule struct {
	From, To *License
	Outcome  Outcome
	// ID is stable across releases: SAME, H000.<row>.<column>,
	// M001.R<row>.<column letter>, UNCOVERED, or a config override's id.
	ID     string
	Source Source
	// Quote is the source's text for this cell, verbatim.
	Quote string
	// Message is the exact Salesforce message where 001 gives one for a change
	// that is not allowed.
	Message string
	// Also cites a second document that agrees with Source.
	Also string
	// Conflict explains a disagreement between the documents and which won.
	Conflict string
	// Note is a config override's reason, or for rule UNCOVERED what to do
	// when the org behaves otherwise.
	Note string

	// FunctionalityLoss: the source says the switch loses functionality.
	FunctionalityLoss bool
	// PartnerAccount: the user's account must be a partner account first.
	PartnerAccount bool
	// Irreversible: an in-place change to a license that requires a role
	// from one that does not (000: "An upgrade to a license that requires a
	// role is irreversible").
	Irreversible bool
	// Upgrade: the in-place Experience Cloud upgrade 000 describes
	// (CSPLitePortal to PowerCustomerSuccess or PowerPartner), which removes
	// permission sets, permission set licenses and sharing sets.
	Upgrade bool

	// Warnings always apply to a user who takes this rule.
	Warnings []Code
	// MayWarn apply depending on the user's and account's data.
	MayWarn []Code
}

// Field is one labelled piece of a rule's provenance.
type Field struct{ Label, Value string }

// Provenance lists where the rule comes from, in display order: source (the
// document by title), its address, the source file (for traceability), the
// source's words, Salesforce's message, agreement, conflict and note. Empty
// fields are left out.
func (r *Rule) Provenance() []Field {
	c := r.Source.Citation()
	fs := []Field{{"Source", c.Text()}}
	add := func(label, v string) {
		if v != "" {
			fs = append(fs, Field{label, v})
		}
	}
	add("Address", c.URL)
	if d, ok := DocumentOf(c.Doc); ok && d.IsFile() {
		add("File", c.Doc)
	}
	if r.Quote != "" {
		add("Says", strconv.Quote(r.Quote))
	}
	if r.Message != r.Quote && r.Message != "" {
		add("Salesforce says", strconv.Quote(r.Message))
	}
	add("Agrees", r.Also)
	add("Conflict", r.Conflict)
	add("Note", r.Note)
	return fs
}

// Explanation is one paragraph saying what the rule is and where it comes
// from, including any conflict between the documents.
func (r *Rule) Explanation() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s -> %s: %s (rule %s).", r.From.Name, r.To.Name, r.Outcome.Label(), r.ID)
	for _, f := range r.Provenance() {
		fmt.Fprintf(&b, " %s: %s", f.Label, f.Value)
		if !strings.HasSuffix(f.Value, ".") && !strings.HasSuffix(f.Value, `."`) {
			b.WriteByte('.')
		}
	}
	return b.String()
}

// Table resolves every ordered pair of catalog licenses.
type Table struct {
	Catalog *Catalog
	// Version identifies the rule data the table was built from: see
	// DataVersion. With overrides it gains "+overrides:" and a digest of
	// them, so a plan says when a config changed the rules.
	Version string
	cells   []Rule // len(Licenses)^2, row-major by From.Index
}

// DataVersion identifies the built-in rule data (the catalog, 000's table,
// 001's matrix and the source documents' titles and addresses): "sha256:"
// and the first 12 hex digits of the SHA-256 of the three embedded files
// and Documents. It changes exactly when the data changes,
// so two plans with the same DataVersion were planned by the same rules.
var DataVersion = func() string {
	h := sha256.New()
	for _, b := range [][]byte{catalogYAML, help000YAML, matrix001CSV, documentsDigest()} {
		// The length first, so moving bytes from one file to the next
		// changes the digest.
		fmt.Fprintf(h, "%d\n", len(b))
		h.Write(b)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:12]
}()

// Lookup returns the rule for from -> to. Both must come from t.Catalog.
func (t *Table) Lookup(from, to *License) *Rule {
	return &t.cells[from.Index*len(t.Catalog.Licenses)+to.Index]
}

// All returns every rule in catalog order (row-major).
func (t *Table) All() []*Rule {
	out := make([]*Rule, len(t.cells))
	for i := range t.cells {
		out[i] = &t.cells[i]
	}
	return out
}

//go:embed data/help000.yaml
var help000YAML []byte

//go:embed data/matrix001.csv
var matrix001CSV []byte

type help000Cell struct {
	ID             string `yaml:"id"`
	From           string `yaml:"from"`
	To             string `yaml:"to"`
	Outcome        string `yaml:"outcome"`
	Loss           bool   `yaml:"loss"`
	PartnerAccount bool   `yaml:"partnerAccount"`
	Row            string `yaml:"row"`
	Column         string `yaml:"column"`
	Quote          string `yaml:"quote"`
}

type matrix001Cell struct {
	row    int
	col    string
	result string
}

// The last paragraph of 000, cited for every pair without a supported path.
const recreateSentence = "To upgrade users with other license types, you must deactivate them, create user identities for them, migrate their data over, and associate it with their new user records."

var defaultTable = sync.OnceValues(func() (*Table, error) { return Build(nil) })

// Default returns the table built from the two source documents alone.
func Default() (*Table, error) { return defaultTable() }

// Build builds the table from the source documents and applies overrides in
// order. An override naming an unknown license or outcome is an error that
// names the override's Origin.
func Build(overrides []Override) (*Table, error) {
	cat, err := parseCatalog(catalogYAML)
	if err != nil {
		return nil, err
	}
	n := len(cat.Licenses)
	t := &Table{Catalog: cat, Version: DataVersion, cells: make([]Rule, n*n)}

	m001, err := parseMatrix001(cat, matrix001CSV)
	if err != nil {
		return nil, err
	}
	h000, err := parseHelp000(cat, help000YAML)
	if err != nil {
		return nil, err
	}

	for _, from := range cat.Licenses {
		for _, to := range cat.Licenses {
			i := from.Index*n + to.Index
			r := &t.cells[i]
			r.From, r.To = from, to
			resolve(r, h000[i], m001[i])
		}
	}
	for _, o := range overrides {
		if err := t.apply(o); err != nil {
			return nil, err
		}
	}
	if len(overrides) > 0 {
		t.Version += "+overrides:" + overridesDigest(overrides)
	}
	for i := range t.cells {
		derive(&t.cells[i])
	}
	return t, nil
}

func parseMatrix001(cat *Catalog, data []byte) ([]*matrix001Cell, error) {
	n := len(cat.Licenses)
	cells := make([]*matrix001Cell, n*n)
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("matrix001.csv: %w", err)
	}
	for i, rec := range recs[1:] {
		if len(rec) != 5 {
			return nil, fmt.Errorf("matrix001.csv: line %d: want 5 fields", i+2)
		}
		row, err := strconv.Atoi(rec[0])
		if err != nil {
			return nil, fmt.Errorf("matrix001.csv: line %d: %w", i+2, err)
		}
		from, ok1 := cat.Lookup(rec[2])
		to, ok2 := cat.Lookup(rec[3])
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("matrix001.csv: line %d: license %q or %q not in catalog", i+2, rec[2], rec[3])
		}
		cells[from.Index*n+to.Index] = &matrix001Cell{row: row, col: rec[1], result: rec[4]}
	}
	return cells, nil
}

func parseHelp000(cat *Catalog, data []byte) ([]*help000Cell, error) {
	n := len(cat.Licenses)
	var entries []*help000Cell
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("help000.yaml: %w", err)
	}
	cells := make([]*help000Cell, n*n)
	for _, e := range entries {
		froms, tos := cat.Group(e.From), cat.Group(e.To)
		if len(froms) == 0 || len(tos) == 0 {
			return nil, fmt.Errorf("help000.yaml: %s: unknown group %q or %q", e.ID, e.From, e.To)
		}
		if _, err := ParseOutcome(e.Outcome); err != nil {
			return nil, fmt.Errorf("help000.yaml: %s: %w", e.ID, err)
		}
		for _, f := range froms {
			for _, t := range tos {
				i := f.Index*n + t.Index
				if cells[i] != nil {
					return nil, fmt.Errorf("help000.yaml: %s and %s both cover %s -> %s", cells[i].ID, e.ID, f.Name, t.Name)
				}
				cells[i] = e
			}
		}
	}
	return cells, nil
}

func (c *matrix001Cell) ref() string {
	return fmt.Sprintf("row %d, column %s", c.row, c.col)
}

// outcome maps a 001 cell to an outcome: "Yes" changes in place, "No Change"
// is the diagonal, and every Salesforce error message means no path.
func (c *matrix001Cell) outcome() Outcome {
	switch c.result {
	case "Yes":
		return ChangeInPlace
	case "No Change":
		return NoChange
	}
	return Recreate
}

func resolve(r *Rule, h *help000Cell, m *matrix001Cell) {
	switch {
	case r.From != r.To && (r.From.Kind == Guest || r.To.Kind == Guest):
		// Neither document names guest users; what is known is that a
		// guest user is its own UserType and stands for a site's visitors,
		// not for a person, so there is nobody to change in place and no
		// one to create a new identity for.
		r.Outcome, r.ID = NoPath, "GUEST"
		r.Source = Source{"licenseplan", "a site's guest user (User.UserType Guest, salesforce-facts §1) cannot be converted, and deactivating it breaks the site's public access"}
		r.Also = name000 + ", last paragraph: " + strconv.Quote(recreateSentence) + " A guest user stands for no person, so there is no one to create a user identity for: create a real user for the person, or leave the guest user as it is"
	case r.From == r.To:
		r.Outcome, r.ID = NoChange, "SAME"
		if m != nil {
			r.Source = Source{Doc001, m.ref() + " (" + r.From.Name + " -> " + r.To.Name + ")"}
			r.Quote = m.result
		} else {
			r.Source = Source{"licenseplan", "a license does not change into itself"}
		}
	case h != nil:
		r.Outcome, _ = ParseOutcome(h.Outcome)
		r.ID = h.ID
		r.Source = Source{Doc000, fmt.Sprintf("License Conversion and Upgrade Compatibility, row %q, column %q", h.Row, h.Column)}
		r.Quote = h.Quote
		r.FunctionalityLoss = h.Loss
		r.PartnerAccount = h.PartnerAccount
		if m != nil {
			cite := fmt.Sprintf("%s, %s (%s -> %s)", name001, m.ref(), r.From.Name, r.To.Name)
			if m.outcome() == r.Outcome {
				r.Also = cite + fmt.Sprintf(": %q", m.result)
			} else {
				r.Conflict = fmt.Sprintf("%s says %q (%s); %s says %s. The Salesforce Help article wins: it is Salesforce's current official documentation for upgrades between Experience Cloud and legacy portal licenses.",
					cite, m.result, m.outcome().Label(), name000, r.Outcome.Label())
			}
		}
	case m != nil:
		r.Outcome = m.outcome()
		r.ID = fmt.Sprintf("M001.R%d.%s", m.row, m.col)
		r.Source = Source{Doc001, m.ref() + " (" + r.From.Name + " -> " + r.To.Name + ")"}
		r.Quote = m.result
		if r.Outcome == Recreate {
			r.Message = m.result
			r.Also = name000 + ", last paragraph: " + strconv.Quote(recreateSentence)
		}
	default:
		r.Outcome, r.ID = Recreate, "UNCOVERED"
		r.Source = Source{Doc000, "last paragraph (neither document covers this pair)"}
		r.Quote = recreateSentence
		r.Note = "Neither source document covers " + r.From.Name + " -> " + r.To.Name + ", so licenseplan plans the path the Salesforce Help article gives for other license types. If Salesforce changes it in place in your org, record that in the config file's rules.overrides."
	}
}

// derive fills the flags and warning lists that follow from the outcome and
// the two licenses' catalog attributes.
func derive(r *Rule) {
	from, to := r.From, r.To
	r.Warnings, r.MayWarn = r.Warnings[:0], r.MayWarn[:0]
	r.Irreversible, r.Upgrade = false, false
	if r.Outcome == NoPath {
		if from.Kind == Guest || to.Kind == Guest {
			r.Warnings = append(r.Warnings, GuestUser)
		}
		return
	}
	if !r.Outcome.IsChange() {
		return
	}
	always := func(c ...Code) { r.Warnings = append(r.Warnings, c...) }
	may := func(c ...Code) { r.MayWarn = append(r.MayWarn, c...) }

	if to.Kind == Partner {
		r.PartnerAccount = true
	}
	switch r.Outcome {
	case ChangeInPlace:
		r.Irreversible = !from.RequiresRole && to.RequiresRole
		r.Upgrade = from.IsUserType("CspLitePortal") && to.RequiresRole
		if r.Irreversible {
			always(Irreversible)
		}
		if r.Upgrade {
			may(PermissionSetsRemoved)
		}
	case DisableReenable:
		always(NewUserRecord)
		may(PermissionSetsRemoved)
	case Recreate:
		always(NoConversionPath, NewUserRecord)
		may(PermissionSetsRemoved)
	}
	if r.FunctionalityLoss {
		always(FunctionalityLoss)
	}
	if to.RequiresRole && to.PortalType() != from.PortalType() {
		always(GroupMembership)
		if r.Outcome == ChangeInPlace {
			always(SharingRecalculation)
		}
	}
	if to.ScaleLimit > 0 && from.ScaleLimit > 0 && to.ScaleLimit < from.ScaleLimit {
		always(ScaleLimit)
	}
	if to.Group == "customer-community-plus" && from.IsUserType("CspLitePortal") {
		always(SelfRegistrationSlower)
	}
	if to.Kind.External() {
		always(SiteMembership)
		may(NoContact, AccountOwnerNoRole)
	}
	if r.PartnerAccount {
		may(PartnerAccountRequired)
	}
	if to.RequiresRole {
		may(RoleRequired, RoleCreated)
	}
	if to.NoViewModifyAll && !from.NoViewModifyAll {
		may(ViewAllRecordsLost, ModifyAllRecordsLost)
	}
	may(LicenseCapacity)
	sortCodes(r.Warnings)
	sortCodes(r.MayWarn)
}

func sortCodes(cs []Code) {
	slices.SortFunc(cs, func(a, b Code) int { return a.Rank() - b.Rank() })
}

// DataFile returns a copy of an embedded rule data file ("catalog.yaml",
// "help000.yaml" or "matrix001.csv"), and false for any other name. The
// org simulator reads the tables itself with it, so that it decides
// Salesforce's behaviour independently of Table.
func DataFile(name string) ([]byte, bool) {
	switch name {
	case "catalog.yaml":
		return slices.Clone(catalogYAML), true
	case "help000.yaml":
		return slices.Clone(help000YAML), true
	case "matrix001.csv":
		return slices.Clone(matrix001CSV), true
	}
	return nil, false
}
