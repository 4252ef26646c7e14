// Package reports renders a planner.Plan in several formats: JSON (plan.json,
// the versioned machine form that ReadJSON reads back), CSV (plan.csv, one row
// per step, safe to open in a spreadsheet), XLSX (plan.xlsx, the workbook
// admins work from), HTML (report.html, one self-contained file for change
// boards, readable offline and on paper), Markdown (report.md, for tickets)
// and text (the terminal summary). None of them computes anything the plan
// does not hold; Fingerprint identifies the plan they all render.
//
// Every format is a Writer over an io.Writer. ForFormat is the single place
// that maps a format name to its writer. Writers never decide whether the
// output is a terminal: options such as Text.Color are set by the caller.
//
// All writers treat every org-derived value (names, usernames, account names,
// license names, messages) as hostile: CSV cells are neutralised against
// formula injection with a leading ' (SafeCell), XLSX stores them as text
// with a quotePrefix cell format, HTML and Markdown are escaped so that
// no value becomes markup, and terminal output has control characters made visible so that a
// name cannot inject escape sequences.
package reports
