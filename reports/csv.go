package reports

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/licenseplan/licenseplan/planner"
)

// CSV writes plan.csv: one row per step, in execution order, with the user's
// details repeated on each of the user's steps. Account steps leave the user
// columns blank. Every cell goes through SafeCell.
type CSV struct{}

// csvHeader is the header row of plan.csv.
var csvHeader = []string{
	"Seq", "Phase", "Action", "UserId", "Username", "Name", "AccountId", "AccountName",
	"FromLicense", "ToLicense", "FromProfile", "ToProfile", "Outcome", "RuleId",
	"DependsOn", "Reversible", "Description", "Warnings", "Environment",
}

// SafeCell neutralises a spreadsheet formula: a value that begins with =, +,
// -, @, tab or carriage return gets a leading single quote, so a spreadsheet
// shows it as text instead of running it. Other values are returned as is.
func SafeCell(s string) string {
	if startsFormula(s) {
		return "'" + s
	}
	return s
}

// startsFormula reports whether a spreadsheet could take s for a formula:
// s begins with =, +, -, @, tab or carriage return.
func startsFormula(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// Write implements Writer.
func (CSV) Write(ctx context.Context, w io.Writer, p *planner.Plan) error {
	if p == nil {
		return fmt.Errorf("CSV: %w", errNilPlan)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	// Every row names the org's environment, so a production plan is
	// plain in any filtered view of the sheet.
	env := p.Source.Environment.String()
	row := make([]string, len(csvHeader))
	for i, r := range p.StepRows() {
		s, u := &r.Step, r.User // u is nil for an account step
		if err := checkCtx(ctx, i+1); err != nil {
			return fmt.Errorf("CSV: %w", err)
		}
		clear(row)
		row[0] = strconv.Itoa(s.Seq)
		row[1] = s.Phase.String()
		row[2] = s.Action.String()
		row[3] = s.UserID
		row[6], row[7] = r.AccountID, r.AccountName
		if u != nil {
			row[4] = u.Username
			row[5] = u.Name
			row[8] = u.FromLicense
			row[9] = u.ToLicense
			row[10] = u.FromProfile
			row[11] = u.ToProfile
			row[12] = u.Outcome.String()
			row[13] = u.RuleID
			row[17] = joinCodes(u.Warnings)
		}
		row[14] = joinInts(s.DependsOn, " ")
		row[15] = strconv.FormatBool(s.Reversible)
		row[16] = s.Description
		row[18] = env
		for j := range row {
			row[j] = SafeCell(row[j])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("writing CSV row %d: %w", s.Seq, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	return nil
}

// joinCodes joins a user's distinct warning codes with spaces.
func joinCodes(ws []planner.Warning) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return string(ws[0].Code)
	}
	codes := userCodes(ws)
	var b strings.Builder
	for i, c := range codes {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(c))
	}
	return b.String()
}
