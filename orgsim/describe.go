package orgsim

import (
	"net/http"
	"slices"
	"strings"
)

// describeField is one entry of a describe's "fields", with the keys and
// types Salesforce uses.
type describeField struct {
	Aggregatable      bool            `json:"aggregatable"`
	AutoNumber        bool            `json:"autoNumber"`
	ByteLength        int             `json:"byteLength"`
	Calculated        bool            `json:"calculated"`
	Createable        bool            `json:"createable"`
	Custom            bool            `json:"custom"`
	DefaultedOnCreate bool            `json:"defaultedOnCreate"`
	Digits            int             `json:"digits"`
	ExternalID        bool            `json:"externalId"`
	Filterable        bool            `json:"filterable"`
	Groupable         bool            `json:"groupable"`
	IDLookup          bool            `json:"idLookup"`
	Label             string          `json:"label"`
	Length            int             `json:"length"`
	Name              string          `json:"name"`
	NameField         bool            `json:"nameField"`
	Nillable          bool            `json:"nillable"`
	PicklistValues    []picklistValue `json:"picklistValues"`
	Precision         int             `json:"precision"`
	ReferenceTo       []string        `json:"referenceTo"`
	RelationshipName  *string         `json:"relationshipName"`
	Scale             int             `json:"scale"`
	SoapType          string          `json:"soapType"`
	Sortable          bool            `json:"sortable"`
	Type              string          `json:"type"`
	Unique            bool            `json:"unique"`
	Updateable        bool            `json:"updateable"`
}

type picklistValue struct {
	Active       bool    `json:"active"`
	DefaultValue bool    `json:"defaultValue"`
	Label        string  `json:"label"`
	ValidFor     *string `json:"validFor"`
	Value        string  `json:"value"`
}

// objectSummary is an object as the global describe lists it.
type objectSummary struct {
	Activateable        bool              `json:"activateable"`
	Createable          bool              `json:"createable"`
	Custom              bool              `json:"custom"`
	CustomSetting       bool              `json:"customSetting"`
	Deletable           bool              `json:"deletable"`
	DeprecatedAndHidden bool              `json:"deprecatedAndHidden"`
	FeedEnabled         bool              `json:"feedEnabled"`
	KeyPrefix           string            `json:"keyPrefix"`
	Label               string            `json:"label"`
	LabelPlural         string            `json:"labelPlural"`
	Layoutable          bool              `json:"layoutable"`
	Mergeable           bool              `json:"mergeable"`
	Name                string            `json:"name"`
	Queryable           bool              `json:"queryable"`
	Replicateable       bool              `json:"replicateable"`
	Retrieveable        bool              `json:"retrieveable"`
	Searchable          bool              `json:"searchable"`
	Triggerable         bool              `json:"triggerable"`
	Undeletable         bool              `json:"undeletable"`
	Updateable          bool              `json:"updateable"`
	URLs                map[string]string `json:"urls"`
}

// objectDescribe is the answer of sobjects/{Object}/describe.
type objectDescribe struct {
	objectSummary
	ActionOverrides    []struct{}      `json:"actionOverrides"`
	ChildRelationships []childRelation `json:"childRelationships"`
	Fields             []describeField `json:"fields"`
	RecordTypeInfos    []struct{}      `json:"recordTypeInfos"`
}

type childRelation struct {
	CascadeDelete       bool    `json:"cascadeDelete"`
	ChildSObject        string  `json:"childSObject"`
	DeprecatedAndHidden bool    `json:"deprecatedAndHidden"`
	Field               string  `json:"field"`
	RelationshipName    *string `json:"relationshipName"`
	RestrictedDelete    bool    `json:"restrictedDelete"`
}

// The simulator is read-only: describes say so (nothing is createable,
// updateable or deletable).
func summaryOf(t *table, version string) objectSummary {
	base := "/services/data/v" + version + "/sobjects/" + t.name
	return objectSummary{
		KeyPrefix: t.prefix, Label: t.label, LabelPlural: t.plural, Name: t.name,
		Queryable: true, Retrieveable: true, Searchable: t.name == "User" || t.name == "Account" || t.name == "Contact",
		URLs: map[string]string{"sobject": base, "describe": base + "/describe", "rowTemplate": base + "/{ID}"},
	}
}

func (s *Server) handleDescribeGlobal(w http.ResponseWriter, version string) {
	out := struct {
		Encoding     string          `json:"encoding"`
		MaxBatchSize int             `json:"maxBatchSize"`
		SObjects     []objectSummary `json:"sobjects"`
	}{Encoding: "UTF-8", MaxBatchSize: 200}
	for _, t := range s.current().objects {
		out.SObjects = append(out.SObjects, summaryOf(t, version))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleObjectInfo(w http.ResponseWriter, version, name string) {
	t := s.current().table(name)
	if t == nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		ObjectDescribe objectSummary `json:"objectDescribe"`
		RecentItems    []struct{}    `json:"recentItems"`
	}{summaryOf(t, version), []struct{}{}})
}

func (s *Server) handleDescribe(w http.ResponseWriter, version, name string) {
	t := s.current().table(name)
	if t == nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	d := objectDescribe{objectSummary: summaryOf(t, version), ActionOverrides: []struct{}{},
		ChildRelationships: []childRelation{}, RecordTypeInfos: []struct{}{}}
	for _, other := range s.current().objects {
		for _, f := range other.fields {
			if f.target == t {
				d.ChildRelationships = append(d.ChildRelationships, childRelation{ChildSObject: other.name, Field: f.name})
			}
		}
	}
	for _, f := range t.fields {
		d.Fields = append(d.Fields, describeOf(t, f))
	}
	writeJSON(w, http.StatusOK, d)
}

// describeOf describes one field. Picklist values are the distinct values
// the org's records hold.
func describeOf(t *table, f *field) describeField {
	names := fieldTypeNames[f.typ]
	d := describeField{
		Name: f.name, Label: f.label, Type: names.describe, SoapType: names.soap,
		Filterable: true, Sortable: true, Groupable: f.typ != ftDatetime, Aggregatable: true,
		Nillable: f.typ != ftID && f.typ != ftBoolean, PicklistValues: []picklistValue{}, ReferenceTo: []string{},
	}
	switch f.typ {
	case ftID:
		d.Length, d.ByteLength, d.IDLookup, d.Unique = 18, 18, true, false
	case ftReference:
		d.Length, d.ByteLength = 18, 18
		d.ReferenceTo = []string{f.target.name}
		rel := f.relName
		d.RelationshipName = &rel
	case ftString:
		d.Length, d.ByteLength = 255, 765
		if f.name == "Name" {
			d.NameField = true
		}
		if f.name == "Username" {
			d.Length, d.ByteLength, d.IDLookup, d.Unique = 80, 240, true, true
		}
	case ftPicklist:
		d.Length, d.ByteLength = 255, 765
		var vals []string
		for _, r := range t.order {
			if v := f.get(r); v.kind == vString && !slices.Contains(vals, v.s) {
				vals = append(vals, v.s)
				if len(vals) > 500 {
					break
				}
			}
		}
		slices.SortFunc(vals, strings.Compare)
		for _, v := range vals {
			d.PicklistValues = append(d.PicklistValues, picklistValue{Active: true, Label: v, Value: v})
		}
	case ftInt:
		d.Digits = 9
	case ftBoolean:
		d.Nillable = false
	}
	return d
}

// handleRetrieve answers sobjects/{Object}/{Id}: every field of the record,
// or those listed in ?fields=.
func (s *Server) handleRetrieve(w http.ResponseWriter, r *http.Request, version, name, id string) {
	t := s.current().table(name)
	if t == nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	row, ok := t.lookup(id)
	if !ok {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	sel := selNode{}
	if list := r.URL.Query().Get("fields"); list != "" {
		for _, name := range strings.Split(list, ",") {
			f := t.byName[strings.ToLower(strings.TrimSpace(name))]
			if f == nil {
				writeError(w, http.StatusBadRequest, codeInvalidField,
					"No such column '"+strings.TrimSpace(name)+"' on sobject of type "+t.name)
				return
			}
			sel.children = append(sel.children, &selNode{f: f})
		}
	} else {
		for _, f := range t.fields {
			sel.children = append(sel.children, &selNode{f: f})
		}
	}
	b := recordEncoder{version: version}.record(nil, t, row, &sel)
	writeBody(w, http.StatusOK, jsonType, b)
}

// column is one entry of the column metadata that a query with
// columns=true returns (the Salesforce CLI asks for it to lay out CSV and
// table output).
type column struct {
	Aggregate      bool     `json:"aggregate"`
	ApexType       *string  `json:"apexType"`
	BooleanType    bool     `json:"booleanType"`
	ColumnName     string   `json:"columnName"`
	Custom         bool     `json:"custom"`
	DisplayName    string   `json:"displayName"`
	ForeignKeyName *string  `json:"foreignKeyName"`
	Insertable     bool     `json:"insertable"`
	JoinColumns    []column `json:"joinColumns"`
	NumberType     bool     `json:"numberType"`
	TextType       bool     `json:"textType"`
	Updatable      bool     `json:"updatable"`
}

type columnsResponse struct {
	ColumnMetadata []column `json:"columnMetadata"`
	EntityName     string   `json:"entityName"`
	GroupBy        bool     `json:"groupBy"`
	IDSelect       bool     `json:"idSelect"`
	KeyPrefix      string   `json:"keyPrefix"`
}

// columnsOf returns the column metadata of a query: one column per
// selected path, relationships nesting their fields in joinColumns.
func columnsOf(q *query) columnsResponse {
	out := columnsResponse{ColumnMetadata: []column{}, EntityName: q.table.name, KeyPrefix: q.table.prefix}
	for _, p := range q.paths {
		if len(p.refs) == 0 && p.leaf.typ == ftID {
			out.IDSelect = true
		}
		names := strings.Split(p.text, ".")
		leaf := p.leaf
		apex := fieldTypeNames[leaf.typ].apex
		c := column{ColumnName: names[len(names)-1], DisplayName: p.text, ApexType: &apex, JoinColumns: []column{},
			BooleanType: leaf.typ == ftBoolean, NumberType: leaf.typ == ftInt, TextType: leaf.typ.isText()}
		for i := len(names) - 2; i >= 0; i-- {
			c = column{ColumnName: names[i], DisplayName: strings.Join(names[:i+1], "."), JoinColumns: []column{c}}
		}
		out.ColumnMetadata = append(out.ColumnMetadata, c)
	}
	return out
}
