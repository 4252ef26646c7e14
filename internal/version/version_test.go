package version

import "testing"

func TestString(t *testing.T) {
	saved := Version
	t.Cleanup(func() { Version = saved })
	Version = "9.8.7"
	if got := String(); got != "9.8.7" {
		t.Errorf("String() = %q with Version set, want 9.8.7", got)
	}
	if got := Tool(); got != "licenseplan 9.8.7" {
		t.Errorf("Tool() = %q, want licenseplan 9.8.7", got)
	}
	Version = ""
	if got := String(); got == "" || got == "(devel)" {
		t.Errorf("String() = %q without Version, want a version or devel", got)
	}
}
