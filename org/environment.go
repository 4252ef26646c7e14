package org

import (
	"errors"
	"fmt"
)

// Environment is what kind of org data comes from. It is decided in one
// place for each input: Organization.Environment for a snapshot or a pull,
// and from it the plan's Source.Environment (planner), which the reports
// show.
type Environment uint8

const (
	// EnvUnknown: no Organization record, or its IsSandbox is blank.
	EnvUnknown Environment = iota
	// EnvSandbox: Organization.IsSandbox is true.
	EnvSandbox
	// EnvProduction: Organization.IsSandbox is false.
	EnvProduction
	// EnvDemo is licenseplan's built-in demo org, no org of the user's
	// (its made-up Organization record says sandbox).
	EnvDemo
)

var envNames = [...]string{"unknown", "sandbox", "production", "demo"}

// String returns "unknown", "sandbox", "production" or "demo", the words
// every report uses.
func (e Environment) String() string {
	if int(e) < len(envNames) {
		return envNames[e]
	}
	return "unknown"
}

// SandboxEnvironment is the environment an IsSandbox value says.
func SandboxEnvironment(isSandbox Tri) Environment {
	switch isSandbox {
	case True:
		return EnvSandbox
	case False:
		return EnvProduction
	}
	return EnvUnknown
}

// Environment is the environment o's IsSandbox says; EnvUnknown for a nil
// record.
func (o *Organization) Environment() Environment {
	if o == nil {
		return EnvUnknown
	}
	return SandboxEnvironment(o.IsSandbox)
}

// ErrNotSandbox is what RequireSandbox's errors wrap (errors.Is).
var ErrNotSandbox = errors.New("org is not known to be a sandbox")

// RequireSandbox is the one check behind --require-sandbox, for a pull
// (before any user is read) and for a snapshot folder alike: nil when o
// says it is a sandbox, and otherwise an error, wrapping ErrNotSandbox, that
// says what o is instead. A missing record or a blank IsSandbox fails too:
// an org that does not say may be production.
func RequireSandbox(o *Organization) error {
	switch o.Environment() {
	case EnvSandbox:
		return nil
	case EnvProduction:
		return &notSandboxError{fmt.Sprintf("org %q (%s) is a production org (Organization.IsSandbox = false)", o.Name, o.ID)}
	}
	if o == nil {
		return &notSandboxError{"no Organization record was read (Organization.csv in a snapshot folder, " +
			"the Organization query in a pull), so this may be a production org"}
	}
	return &notSandboxError{fmt.Sprintf("org %q (%s) does not say whether it is a sandbox (Organization.IsSandbox is blank)", o.Name, o.ID)}
}

type notSandboxError struct{ why string }

func (e *notSandboxError) Error() string        { return e.why }
func (e *notSandboxError) Is(target error) bool { return target == ErrNotSandbox }
