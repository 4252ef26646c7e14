package rules

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Kind is a license's audience.
type Kind string

const (
	Internal Kind = "internal"
	Chatter  Kind = "chatter"
	Customer Kind = "customer"
	Partner  Kind = "partner"
	// Guest is a site's guest user (User.UserType Guest): the one user
	// that stands for every unauthenticated visitor of an Experience Cloud
	// site or Salesforce site. It has no path to or from any other license.
	Guest Kind = "guest"
)

// SourceNames are the values a catalog entry's sources may hold, and what
// each means.
var SourceNames = map[string]string{
	"000":     name000 + " (" + Doc000 + ") names the license",
	"001":     name001 + " (" + Doc001 + ") names the license",
	"facts-1": "salesforce-facts §1 gives the license's User.UserType, or names it for a UserType",
	"facts-2": "salesforce-facts §2 gives its LicenseDefinitionKey, or lists its name among the licenses seen in a real org",
}

// External reports whether users of this kind are external (portal or
// community) users tied to a contact and an account.
func (k Kind) External() bool { return k == Customer || k == Partner }

// License is one catalog entry.
type License struct {
	Name            string   `yaml:"name"`
	Aliases         []string `yaml:"aliases"`
	UserType        string   `yaml:"userType"`
	Kind            Kind     `yaml:"kind"`
	RequiresRole    bool     `yaml:"requiresRole"`
	LoginBased      bool     `yaml:"loginBased"`
	Key             string   `yaml:"key"`
	ScaleLimit      int64    `yaml:"scaleLimit"`
	Group           string   `yaml:"group"`
	NoViewModifyAll bool     `yaml:"noViewModifyAll"`
	Sources         []string `yaml:"sources"`

	// Index is the license's position in the catalog.
	Index int `yaml:"-"`
}

// IsUserType reports whether the license belongs to User.UserType t,
// ignoring case (the API returns CspLitePortal, Help writes CSPLitePortal).
func (l *License) IsUserType(t string) bool { return strings.EqualFold(l.UserType, t) }

// PortalType is the UserRole.PortalType of the roles users of this license
// get: CustomerPortal, Partner, or "" for licenses without portal roles.
func (l *License) PortalType() string {
	if !l.RequiresRole {
		return ""
	}
	if l.Kind == Partner {
		return "Partner"
	}
	return "CustomerPortal"
}

// Catalog is the ordered list of licenses with case-insensitive lookup by
// name, alias and LicenseDefinitionKey.
type Catalog struct {
	Licenses []*License
	byName   map[string]*License
	byKey    map[string]*License
}

//go:embed data/catalog.yaml
var catalogYAML []byte

func parseCatalog(data []byte) (*Catalog, error) {
	var ls []*License
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&ls); err != nil {
		return nil, fmt.Errorf("catalog.yaml: %w", err)
	}
	c := &Catalog{Licenses: ls, byName: map[string]*License{}, byKey: map[string]*License{}}
	for i, l := range ls {
		l.Index = i
		if l.Name == "" {
			return nil, fmt.Errorf("catalog.yaml: entry %d has no name", i+1)
		}
		switch l.Kind {
		case Internal, Chatter, Customer, Partner, Guest:
		default:
			return nil, fmt.Errorf("catalog.yaml: %s: unknown kind %q", l.Name, l.Kind)
		}
		if len(l.Sources) == 0 {
			return nil, fmt.Errorf("catalog.yaml: %s: no sources", l.Name)
		}
		for _, src := range l.Sources {
			if _, ok := SourceNames[src]; !ok {
				return nil, fmt.Errorf("catalog.yaml: %s: unknown source %q", l.Name, src)
			}
		}
		for _, n := range append([]string{l.Name}, l.Aliases...) {
			k := fold(n)
			if prev, dup := c.byName[k]; dup {
				return nil, fmt.Errorf("catalog.yaml: name %q used by %s and %s", n, prev.Name, l.Name)
			}
			c.byName[k] = l
		}
		if l.Key != "" {
			if prev, dup := c.byKey[fold(l.Key)]; dup {
				return nil, fmt.Errorf("catalog.yaml: key %q used by %s and %s", l.Key, prev.Name, l.Name)
			}
			c.byKey[fold(l.Key)] = l
		}
	}
	return c, nil
}

func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Lookup finds a license by name or alias, ignoring case and surrounding
// space.
func (c *Catalog) Lookup(name string) (*License, bool) {
	l, ok := c.byName[fold(name)]
	return l, ok
}

// CanonicalName returns the catalog name of the license that name (or an
// alias of it) denotes, ignoring case: the canonicaliser that targets.Preset
// and targets.ParseYAML take.
func (c *Catalog) CanonicalName(name string) (string, bool) {
	l, ok := c.Lookup(name)
	if !ok {
		return "", false
	}
	return l.Name, true
}

// LookupKey finds a license by LicenseDefinitionKey, ignoring case.
func (c *Catalog) LookupKey(key string) (*License, bool) {
	if key == "" {
		return nil, false
	}
	l, ok := c.byKey[fold(key)]
	return l, ok
}

// Group returns the licenses of a 000 table group, in catalog order.
func (c *Catalog) Group(g string) []*License {
	var out []*License
	for _, l := range c.Licenses {
		if l.Group == g {
			out = append(out, l)
		}
	}
	return out
}
