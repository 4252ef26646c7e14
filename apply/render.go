package apply

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/reports"
)

// WritePreview writes what apply is about to do: the org, the plan's
// fingerprint, the records per load file and follow-up kind, the drift it
// carries on without, and the steps nobody writes.
func WritePreview(w io.Writer, p *Preview) error {
	bw := bufio.NewWriter(w)
	pr := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	env := "sandbox"
	switch p.Environment {
	case org.EnvProduction:
		env = "PRODUCTION org"
	case org.EnvUnknown:
		env = "org (sandbox or production unknown)"
	}
	pr("licenseplan apply will write to %s %q (%s)\n", env, p.OrgName, p.OrgID)
	pr("  plan    %s\n", p.Fingerprint)
	pr("  journal %s", p.Journal)
	if p.Resume {
		pr(" (resuming)")
	}
	pr("\n\n")
	if len(p.Counts) == 0 {
		pr("Nothing to write: every step is done already, left to a person, or drifted.\n")
	} else {
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  phase\twhat\tobject\toperation\trecords")
		for _, c := range p.Counts {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\n", c.Phase, c.Name, c.Object, c.Op, c.Records)
		}
		tw.Flush()
	}
	if len(p.Drift) > 0 {
		pr("\nCarried on without these (--skip-drifted):\n")
		for _, d := range p.Drift {
			pr("  %s\n", reports.TermSafe(d.String()))
		}
	}
	if len(p.Left) > 0 {
		pr("\nNot written by apply (a person does these):\n")
		for _, k := range slices.Sorted(maps.Keys(p.Left)) {
			pr("  %3d  %s\n", p.Left[k], k)
		}
	}
	for _, n := range p.Notes {
		pr("\nnote: %s\n", n)
	}
	return bw.Flush()
}

// WriteDrift lists the differences between a plan and its org.
func WriteDrift(w io.Writer, drift []Drift) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "The org has moved on since the plan was made (%d differences):\n", len(drift))
	for _, d := range drift {
		fmt.Fprintf(bw, "  %s\n", reports.TermSafe(d.String()))
	}
	return bw.Flush()
}

// WriteApplyReport writes what an apply run did, step by step for every
// step that did not complete.
func WriteApplyReport(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	pr := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	pr("Applied plan %s to %q: %d records sent\n", r.Preview.Fingerprint, r.Preview.OrgName, r.Writes)
	for _, s := range []Status{Done, Already, Failed, Skipped, NotRun, Drifted, Left} {
		if n := r.Counts[s]; n > 0 {
			pr("  %-8s %4d  %s\n", s, n, statusText[s])
		}
	}
	if r.Stopped != "" {
		pr("\nStopped: %s\n", reports.TermSafe(r.Stopped))
	}
	for _, s := range []Status{Failed, Skipped, NotRun, Drifted, Left} {
		steps := slices.DeleteFunc(slices.Clone(r.Steps), func(x StepResult) bool { return x.Status != s })
		if len(steps) == 0 {
			continue
		}
		pr("\n%s:\n", statusHeading[s])
		for _, x := range steps {
			who := x.Username
			if who == "" {
				who = x.UserID
			}
			if who == "" {
				who = "account " + x.AccountID
			}
			pr("  step %d %s %s: %s\n", x.Seq, x.Action, reports.TermSafe(who), reports.TermSafe(x.Reason))
		}
	}
	return bw.Flush()
}

var statusText = map[Status]string{
	Done:    "written",
	Already: "already so in the org: nothing written",
	Failed:  "refused by Salesforce",
	Skipped: "not written: a step they depend on did not complete",
	NotRun:  "not written: the run stopped first",
	Drifted: "not written: the user or account drifted (--skip-drifted)",
	Left:    "not written by apply: a person decides",
}

var statusHeading = map[Status]string{
	Failed:  "Failed",
	Skipped: "Skipped",
	NotRun:  "Not run",
	Drifted: "Drifted",
	Left:    "Left for a person",
}

// WriteVerification writes verify's answer.
func WriteVerification(w io.Writer, v *Verification) error {
	bw := bufio.NewWriter(w)
	pr := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	verdict := "every check passed"
	if !v.OK() {
		verdict = fmt.Sprintf("%d mismatches", len(v.Mismatches))
	}
	pr("Verified %d users and %d accounts of plan %s against %q: %s\n", v.Users, v.Accounts, v.Fingerprint, v.OrgName, verdict)
	for _, m := range v.Mismatches {
		pr("  %s\n", reports.TermSafe(m.String()))
	}
	if len(v.Unverified) > 0 {
		pr("\nNot verified (%d users): apply leaves them to a person\n", len(v.Unverified))
		for _, u := range v.Unverified {
			pr("  %s (%s): %s\n", reports.TermSafe(u.Username), u.Outcome, u.Reason)
		}
	}
	return bw.Flush()
}
