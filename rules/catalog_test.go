package rules

import (
	"strings"
	"testing"
)

func TestCatalogLookup(t *testing.T) {
	tb := mustTable(t)
	tests := []struct {
		in, want string
	}{
		{"Customer Community", "Customer Community"},
		{"customer community plus login", "Customer Community Plus Login"},
		{"  GOLD PARTNER ", "Gold Partner"},
		{"Authenticated Website User", "Authenticated Website"},
		{"Authenticated Website User Overage", "Overage Authenticated Website"},
		{"Force.com – One App", "Force.com - One App"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			l, ok := tb.Catalog.Lookup(tt.in)
			if !ok || l.Name != tt.want {
				t.Fatalf("Lookup(%q) = %v, %v; want %s", tt.in, l, ok, tt.want)
			}
		})
	}
	if _, ok := tb.Catalog.Lookup("Legacy Widget Portal"); ok {
		t.Error("unknown license found")
	}
	if l, ok := tb.Catalog.LookupKey("pid_customer_community_plus"); !ok || l.Name != "Customer Community Plus" {
		t.Errorf("LookupKey = %v %v", l, ok)
	}
}

// Every license either document names is in the catalog, with the attributes
// the documents give.
func TestCatalogCoversBothDocuments(t *testing.T) {
	tb := mustTable(t)
	cols, _ := read001(t)
	named000 := []string{"External Identity", "Authenticated Website User", "Authenticated Website User Overage", "Overage High Volume Customer Portal",
		"Partner", "Gold Partner", "Silver Partner", "Bronze Partner", "Overage Customer Portal Manager Custom", "Overage Customer Portal Manager Standard",
		"External Apps", "Customer Community Plus", "Customer Community Plus Login", "Partner Community Login", "Customer Community Login",
		"Customer Portal Manager Custom", "Customer Portal Manager Standard", "High Volume Customer Portal", "Customer Community", "Partner Community"}
	for _, name := range append(cols, named000...) {
		if _, ok := tb.Catalog.Lookup(name); !ok {
			t.Errorf("%q is not in the catalog", name)
		}
	}
	for _, tt := range []struct {
		name     string
		userType string
		role     bool
		login    bool
		limit    int64
		kind     Kind
	}{
		{"Customer Community", "CSPLitePortal", false, false, 100_000_000, Customer},
		{"Customer Community Login", "csplitePortal", false, true, 100_000_000, Customer},
		{"Customer Community Plus", "PowerCustomerSuccess", true, false, 10_000_000, Customer},
		{"Partner Community Login", "PowerPartner", true, true, 0, Partner},
		{"Chatter External", "CSNOnly", false, false, 0, Chatter},
		{"Salesforce", "Standard", false, false, 0, Internal},
	} {
		l, _ := tb.Catalog.Lookup(tt.name)
		if !l.IsUserType(tt.userType) || l.RequiresRole != tt.role || l.LoginBased != tt.login || l.ScaleLimit != tt.limit || l.Kind != tt.kind {
			t.Errorf("%s: %+v", tt.name, l)
		}
	}
}

func TestOverrides(t *testing.T) {
	tests := []struct {
		name    string
		o       Override
		wantErr string
	}{
		{"unknown from", Override{From: "Customer Comunity", To: "Partner Community", Outcome: "recreate", Note: "x"}, `unknown license "Customer Comunity" in from`},
		{"suggests", Override{From: "Gold", To: "Partner Community", Outcome: "recreate", Note: "x"}, `did you mean "Gold Partner"`},
		{"unknown to", Override{From: "Partner Community", To: "Nothing Like It", Outcome: "recreate", Note: "x"}, `unknown license "Nothing Like It" in to; known licenses: Authenticated Website,`},
		{"typo", Override{From: "Partner Comunity Login", To: "Partner Community", Outcome: "recreate", Note: "x"}, `did you mean "Partner Community Login"`},
		{"bad outcome", Override{From: "Gold Partner", To: "Partner Community", Outcome: "maybe", Note: "x"}, `outcome "maybe"`},
		{"planner-only outcome", Override{From: "Gold Partner", To: "Partner Community", Outcome: "skipped", Note: "x"}, `outcome "skipped"`},
		{"self", Override{From: "Gold Partner", To: "gold partner", Outcome: "recreate", Note: "x"}, "changes into itself only as no_change"},
		{"no note", Override{From: "Gold Partner", To: "Partner Community", Outcome: "recreate"}, "note is required"},
		{"ok", Override{From: "customer community login", To: "Partner Community", Outcome: "recreate", Note: "Our org refused it", Message: "You can only reassign this user to a profile of the current license."}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Origin = "my.yaml: rules.overrides[0]"
			tb, err := Build([]Override{tt.o})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "my.yaml: rules.overrides[0]: ") {
					t.Fatalf("err = %v, want it to name the override and contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := lookup(t, tb, "Customer Community Login", "Partner Community")
			if r.Outcome != Recreate || r.Source.Doc != "config" || !strings.HasPrefix(r.ID, "CONFIG.") || !strings.Contains(r.Conflict, "H000.CC.PC") {
				t.Errorf("override not applied: %+v", r)
			}
			if !contains(codes(r.Warnings), string(NoConversionPath)) {
				t.Errorf("override's warnings not derived: %v", r.Warnings)
			}
			// The default table is untouched.
			if d := lookup(t, mustTable(t), "Customer Community Login", "Partner Community"); d.Outcome != ChangeInPlace {
				t.Errorf("default table changed: %s", d.Outcome)
			}
		})
	}
	t.Run("twice", func(t *testing.T) {
		o := Override{From: "Gold Partner", To: "Partner Community", Outcome: "recreate", Note: "x", Origin: "a"}
		o2 := o
		o2.Origin = "b"
		if _, err := Build([]Override{o, o2}); err == nil || !strings.Contains(err.Error(), "already overridden by a") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestOutcomeText(t *testing.T) {
	for _, o := range Outcomes {
		b, err := o.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Outcome
		if err := back.UnmarshalText(b); err != nil || back != o {
			t.Errorf("%s round-trips to %s, %v", o, back, err)
		}
	}
	if _, err := ParseOutcome("nope"); err == nil {
		t.Error("ParseOutcome accepted nope")
	}
	for _, c := range Codes {
		if c.Message == "" || c.Source == "" {
			t.Errorf("%s lacks a message or source", c.Code)
		}
	}
}

func TestCanonicalName(t *testing.T) {
	c := mustTable(t).Catalog
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Customer Community Plus", "Customer Community Plus", true},
		{"  customer community plus ", "Customer Community Plus", true},
		{"CUSTOMER COMMUNITY", "Customer Community", true},
		{"Gold Partnr", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := c.CanonicalName(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("CanonicalName(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}
