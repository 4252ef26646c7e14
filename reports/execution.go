package reports

import (
	"cmp"
	"slices"
	"time"
)

// Execution is what `licenseplan apply` did with a plan, read from its
// journal: report.html and report.md show it in a section of their own
// when `licenseplan report --journal` gives it. It is plain data; package
// apply makes it (apply.ExecutionOf).
type Execution struct {
	// Journal is the journal file it was read from.
	Journal string
	// Runs counts the apply runs the journal records (the first and each
	// --resume); Started and Ended are the first and last entries' times.
	Runs           int
	Started, Ended time.Time
	// Complete is the last run's end: every step apply carries out
	// completed.
	Complete bool
	// Steps counts the steps by their last status (done, already, failed,
	// skipped, not_run, ...).
	Steps map[string]int
	// Writes counts the records sent, retries included; Unknown the
	// batches whose answer was lost.
	Writes, Unknown int
	// Problems are the steps whose last status is failed, skipped or
	// not_run, in step order.
	Problems []ExecutionStep
	// Verify is the last verification apply journalled; nil when none.
	Verify *ExecutionVerify
}

// ExecutionStep is one step that did not complete.
type ExecutionStep struct {
	Seq    int
	Status string
	Reason string
}

// ExecutionVerify is a verification's outcome.
type ExecutionVerify struct {
	Time                    time.Time
	Users, Accounts, Passed int
	Unverified              int
	Mismatches              []string
}

// StepCounts returns the step counts as rows, most common status first.
func (e *Execution) StepCounts() []ExecutionCount {
	out := make([]ExecutionCount, 0, len(e.Steps))
	for s, n := range e.Steps {
		out = append(out, ExecutionCount{s, n})
	}
	slices.SortFunc(out, func(a, b ExecutionCount) int { return cmp.Or(b.N-a.N, cmp.Compare(a.Status, b.Status)) })
	return out
}

// ExecutionCount is one status and its step count.
type ExecutionCount struct {
	Status string
	N      int
}
