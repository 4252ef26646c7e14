package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/licenseplan/licenseplan/plandiff"
)

// DiffFormats are the formats licenseplan diff writes.
var DiffFormats = []string{"text", "md", "json"}

// WriteDiff writes d in format (one of DiffFormats) to w. Org data is
// escaped for the format: control characters are shown as escapes in
// text, and Markdown markup is neutralised in md.
func WriteDiff(ctx context.Context, w io.Writer, d *plandiff.Diff, format string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(wireDiff(d))
	case "text":
		return writeDiffText(w, d, termSafe, textDiffStyle)
	case "md":
		return writeDiffText(w, d, mdEscape, mdDiffStyle)
	}
	return fmt.Errorf("diff format %q: want one of text, md, json", format)
}

type jsonDiff struct {
	Old             plandiff.Side            `json:"old"`
	New             plandiff.Side            `json:"new"`
	Empty           bool                     `json:"empty"`
	Outcomes        []plandiff.OutcomeCount  `json:"outcomes"`
	Added           []plandiff.UserRef       `json:"added"`
	Removed         []plandiff.UserRef       `json:"removed"`
	Changed         []plandiff.Changed       `json:"changed"`
	NewWarnings     []plandiff.WarningChange `json:"newWarnings"`
	ResolvedWarning []plandiff.WarningChange `json:"resolvedWarnings"`
	Duplicates      []string                 `json:"duplicateUserIds"`
}

func wireDiff(d *plandiff.Diff) jsonDiff {
	return jsonDiff{Old: d.Old, New: d.New, Empty: d.Empty(), Outcomes: d.Outcomes,
		Added: d.Added, Removed: d.Removed, Changed: d.Changed,
		NewWarnings: d.NewWarnings, ResolvedWarning: d.ResolvedWarning, Duplicates: d.Duplicates}
}

// diffStyle is how the text and Markdown forms differ.
type diffStyle struct {
	md      bool // Markdown: a title, and blank lines around blocks
	heading func(string) string
	item    string // list item prefix
}

var textDiffStyle = diffStyle{
	heading: func(s string) string { return s + ":" },
	item:    "  ",
}

var mdDiffStyle = diffStyle{
	md:      true,
	heading: func(s string) string { return "## " + s },
	item:    "- ",
}

func writeDiffText(w io.Writer, d *plandiff.Diff, esc func(string) string, st diffStyle) error {
	o := newOut(w)
	fp := func(s string) string {
		if s == "" {
			return "no fingerprint"
		}
		return ShortFingerprint(s)
	}
	if st.md {
		o.print("# Plan diff\n\n")
	}
	o.print(fmt.Sprintf("Old: %s, %s, %s, %d users\n", fp(d.Old.Fingerprint), d.Old.GeneratedAt, d.Old.Environment, d.Old.Users))
	if st.md {
		o.print("\n")
	}
	o.print(fmt.Sprintf("New: %s, %s, %s, %d users\n", fp(d.New.Fingerprint), d.New.GeneratedAt, d.New.Environment, d.New.Users))
	if d.Empty() {
		o.print("\nNo change: the same users, outcomes, targets and warnings.\n")
	}
	section := func(title string, n int) bool {
		if n == 0 {
			return false
		}
		o.print("\n", st.heading(fmt.Sprintf("%s (%d)", title, n)), "\n")
		if st.md {
			o.print("\n")
		}
		return true
	}
	changed := 0
	for _, c := range d.Outcomes {
		if c.Old != c.New {
			changed++
		}
	}
	if section("Outcome counts", changed) {
		for _, c := range d.Outcomes {
			if c.Old != c.New {
				o.print(st.item, fmt.Sprintf("%s: %d -> %d (%+d)\n", c.Outcome, c.Old, c.New, c.New-c.Old))
			}
		}
	}
	user := func(name, id string) string { return esc(name) + " (" + esc(id) + ")" }
	if section("Users added", len(d.Added)) {
		for _, u := range d.Added {
			o.print(st.item, user(u.Username, u.UserID), ": ", u.Outcome, ", to ", esc(u.ToLicense), "\n")
		}
	}
	if section("Users removed", len(d.Removed)) {
		for _, u := range d.Removed {
			o.print(st.item, user(u.Username, u.UserID), ": was ", u.Outcome, ", to ", esc(u.ToLicense), "\n")
		}
	}
	if section("Users changed", len(d.Changed)) {
		for _, c := range d.Changed {
			o.print(st.item, user(c.Username, c.UserID), ": ", c.OldOutcome, " -> ", c.NewOutcome)
			if c.OldLicense != c.NewLicense || c.OldProfile != c.NewProfile {
				o.print(", target ", esc(c.OldLicense), " / ", esc(c.OldProfile), " -> ", esc(c.NewLicense), " / ", esc(c.NewProfile))
			}
			o.print("\n")
		}
	}
	warnings := func(ws []plandiff.WarningChange) {
		for _, x := range ws {
			who := "plan"
			if x.UserID != "" {
				who = user(x.Username, x.UserID)
			}
			o.print(st.item, who, ": ", string(x.Code), ": ", esc(x.Message), "\n")
		}
	}
	if section("New warnings", len(d.NewWarnings)) {
		warnings(d.NewWarnings)
	}
	if section("Resolved warnings", len(d.ResolvedWarning)) {
		warnings(d.ResolvedWarning)
	}
	if section("User Ids listed more than once (first entry compared)", len(d.Duplicates)) {
		for _, id := range d.Duplicates {
			o.print(st.item, esc(id), "\n")
		}
	}
	return o.flush()
}

// DiffJSON is d in the shape WriteDiff's json format writes, for the
// root --json envelope.
func DiffJSON(d *plandiff.Diff) any { return wireDiff(d) }
