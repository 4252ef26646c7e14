package org

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
