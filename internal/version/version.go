// Package version says which licenseplan this is.
package version

import "runtime/debug"

// Version is set at release build time:
//
//	go build -ldflags "-X github.com/licenseplan/licenseplan/internal/version.Version=1.2.0" ./cmd/licenseplan
//
// Otherwise it comes from the module version `go install ...@v1.2.0`
// records in the binary, and is "devel" for a build from a checkout.
var Version = ""

// String returns the version: Version, the main module's version from the
// build info, or "devel".
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// Tool is the program and version, as plans record it: "licenseplan 1.2.0".
func Tool() string { return "licenseplan " + String() }
