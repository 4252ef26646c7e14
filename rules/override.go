package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/licenseplan/licenseplan/internal/suggest"
	"slices"
	"strconv"
	"strings"
)

// Override replaces the rule of one license pair, for a consultant who sees
// different behaviour in their org. It comes from the config file's
// rules.overrides list.
type Override struct {
	From    string `mapstructure:"from" yaml:"from"`
	To      string `mapstructure:"to" yaml:"to"`
	Outcome string `mapstructure:"outcome" yaml:"outcome"`
	// ID is optional; it defaults to CONFIG.<n> (n counting from 1).
	ID string `mapstructure:"id" yaml:"id"`
	// Note says why (required: a change board will ask).
	Note string `mapstructure:"note" yaml:"note"`
	// Message is the Salesforce message seen, for outcome recreate.
	Message string `mapstructure:"message" yaml:"message"`
	// FunctionalityLoss marks a switch that loses functionality.
	FunctionalityLoss bool `mapstructure:"functionalityLoss" yaml:"functionalityLoss"`

	// Origin names the override in errors and in the rule's source, e.g.
	// "licenseplan.yaml: rules.overrides[2]". Set by the config loader.
	Origin string `mapstructure:"-" yaml:"-"`
}

func (t *Table) apply(o Override) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", o.Origin, fmt.Sprintf(format, args...))
	}
	from, ok := t.Catalog.Lookup(o.From)
	if !ok {
		return fail("unknown license %q in from%s", o.From, t.Catalog.Suggest(o.From))
	}
	to, ok := t.Catalog.Lookup(o.To)
	if !ok {
		return fail("unknown license %q in to%s", o.To, t.Catalog.Suggest(o.To))
	}
	out, err := ParseOutcome(o.Outcome)
	if from.Kind == Guest || to.Kind == Guest {
		return fail("%s -> %s cannot be overridden: a site's guest user cannot be converted (rule GUEST); create a real user for the person instead", from.Name, to.Name)
	}
	if err != nil || out == Skipped || out == Invalid || out == NoPath || out == ChangeProfile {
		return fail("outcome %q: want no_change, change_in_place, disable_reenable or recreate", o.Outcome)
	}
	if (from == to) != (out == NoChange) {
		return fail("%s -> %s cannot be %s: a license changes into itself only as no_change, and into another license never as no_change", from.Name, to.Name, out)
	}
	if strings.TrimSpace(o.Note) == "" {
		return fail("note is required: say what you saw in your org, so reviewers know why %s -> %s differs from the source documents", from.Name, to.Name)
	}
	r := t.Lookup(from, to)
	if r.Source.Doc == "config" {
		return fail("%s -> %s is already overridden by %s", from.Name, to.Name, r.Source.Ref)
	}
	was := fmt.Sprintf("Replaces rule %s (%s) from %s.", r.ID, r.Outcome.Label(), r.Source.Citation().Text())
	*r = Rule{From: from, To: to, Outcome: out, ID: o.ID, Note: o.Note, Message: o.Message, FunctionalityLoss: o.FunctionalityLoss}
	if r.ID == "" {
		id := func(l *License) string {
			return strings.ToUpper(strings.NewReplacer(" ", "-", ".", "").Replace(l.Name))
		}
		r.ID = "CONFIG." + id(from) + "." + id(to)
	}
	r.Source = Source{"config", o.Origin}
	r.Conflict = was
	return nil
}

// Suggest returns ` (did you mean "X"?)` for the closest catalog name or
// alias, or the list of known licenses when nothing is close.
func (c *Catalog) Suggest(name string) string {
	f := fold(name)
	best, bestD := "", len(f)/3+2
	for k, l := range c.byName {
		d := suggest.Distance(f, k)
		if strings.Contains(k, f) && len(f) >= 4 {
			d = min(d, 1)
		}
		if d < bestD || (d == bestD && best != "" && l.Name < best) {
			best, bestD = l.Name, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	names := make([]string, len(c.Licenses))
	for i, l := range c.Licenses {
		names[i] = l.Name
	}
	slices.Sort(names)
	return "; known licenses: " + strings.Join(names, ", ")
}

// overridesDigest is the first 12 hex digits of the SHA-256 of the
// overrides' settings (not their origins: moving an override to another
// file does not change the rules).
func overridesDigest(os []Override) string {
	h := sha256.New()
	for _, o := range os {
		for _, f := range []string{o.From, o.To, o.Outcome, o.ID, o.Note, o.Message, strconv.FormatBool(o.FunctionalityLoss)} {
			fmt.Fprintf(h, "%d:%s;", len(f), f)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
