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
		// Licenses a second test org showed that the catalog lacked.
		{"External Apps Login", "External Apps Login"},
		{"Guest User License", "Guest User License"},
		{"guest", "Guest User License"},
		{"Identity", "Identity"},
		{"Force.com - App Subscription", "Lightning Platform App Subscription"},
		{"Customer Portal User", "Customer Portal User"},
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

// Every license name and documented key of salesforce-facts §2 (the
// licenses seen in a real org, and the LicenseDefinitionKey table) is in
// the catalog, and each entry cites its sources from the vocabulary.
func TestCatalogCoversFacts(t *testing.T) {
	c := mustTable(t).Catalog
	seen := []string{"Salesforce", "Chatter Free", "Salesforce Platform", "Partner Community", "Partner Community Login",
		"Customer Community Login", "Customer Community Plus", "Customer Community", "Identity", "Gold Partner",
		"Authenticated Website", "High Volume Customer Portal", "Customer Portal Manager Custom", "Customer Portal Manager Standard",
		"Silver Partner", "External Identity", "Customer Community Plus Login", "Chatter External", "Guest",
		"External Apps", "External Apps Login", "Channel Account"}
	for _, name := range seen {
		if _, ok := c.Lookup(name); !ok {
			t.Errorf("license %q is not in the catalog", name)
		}
	}
	keys := map[string]string{
		"SFDC": "Salesforce", "AUL": "Salesforce Platform", "AUL1": "Salesforce Platform One", "AUL_LIGHT": "Salesforce Platform Light",
		"FDC_ONE": "Force.com - One App", "FDC_SUB": "Lightning Platform App Subscription", "PID_FDC_FREE": "Lightning Platform Free",
		"Overage_Platform_Portal_User": "Overage Authenticated Website", "Platform_Portal_User": "Authenticated Website",
		"PID_STRATEGIC_PRM": "Gold Partner", "POWER_PRM": "Partner", "POWER_SSP": "Customer Portal Manager",
		"PID_CHATTER": "Chatter Only", "PID_CONTENT": "Content Only", "PID_Customer_Portal_Basic": "Customer Portal Manager Standard",
		"PID_Customer_Portal_Standard": "Customer Portal Manager Custom", "PID_Limited_Customer_Portal_Basic": "Limited Customer Portal Manager Standard",
		"PID_Limited_Customer_Portal_Standard": "Limited Customer Portal Manager Custom", "PID_Overage_Customer_Portal_Basic": "Overage Customer Portal Manager Standard",
		"PID_Overage_High Volume Customer Portal": "Overage High Volume Customer Portal", "PID_IDEAS": "Ideas Only",
		"PID_Ideas_Only_Portal": "Ideas Only Portal", "PID_Ideas_Only_Site": "Ideas Only Site", "PID_KNOWLEDGE": "Knowledge Only",
		"PID_Customer_Community": "Customer Community", "PID_Customer_Community_Login": "Customer Community Login",
		"PID_Partner_Community": "Partner Community", "PID_Partner_Community_Login": "Partner Community Login",
		"PID_Customer_Community_Plus": "Customer Community Plus", "PID_Customer_Community_Plus_Login": "Customer Community Plus Login",
	}
	for key, want := range keys {
		if l, ok := c.LookupKey(key); !ok || l.Name != want {
			t.Errorf("LookupKey(%q) = %v, %v; want %s", key, l, ok, want)
		}
	}
	for _, l := range c.Licenses {
		for _, src := range l.Sources {
			if _, ok := SourceNames[src]; !ok {
				t.Errorf("%s: source %q is not in SourceNames", l.Name, src)
			}
		}
	}
	for _, tt := range []struct {
		name, userType string
		kind           Kind
		login          bool
		group          string
	}{
		{"External Apps Login", "CspLitePortal", Customer, true, "external-apps"},
		{"Guest User License", "Guest", Guest, false, ""},
		{"Identity", "Standard", Internal, false, ""},
		{"Customer Portal User", "CustomerSuccess", Customer, false, ""},
	} {
		l, _ := c.Lookup(tt.name)
		if l == nil || !l.IsUserType(tt.userType) || l.Kind != tt.kind || l.LoginBased != tt.login || l.Group != tt.group {
			t.Errorf("%s: %+v", tt.name, l)
		}
	}
}

func TestParseCatalogRejects(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown source", "- {name: A, kind: internal, sources: [blog]}\n", `A: unknown source "blog"`},
		{"no source", "- {name: A, kind: internal}\n", "A: no sources"},
		{"shared key", "- {name: A, kind: internal, key: K, sources: [000]}\n- {name: B, kind: internal, key: k, sources: [000]}\n", `key "k" used by A and B`},
		{"unknown kind", "- {name: A, kind: robot, sources: [000]}\n", `unknown kind "robot"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseCatalog([]byte(tt.yaml)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
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
		{"no_path is not for overrides", Override{From: "Gold Partner", To: "Partner Community", Outcome: "no_path", Note: "x"}, `outcome "no_path"`},
		{"guest from", Override{From: "Guest User License", To: "Customer Community", Outcome: "change_in_place", Note: "x"}, "cannot be overridden: a site's guest user cannot be converted"},
		{"guest to", Override{From: "Customer Community", To: "guest", Outcome: "recreate", Note: "x"}, "cannot be overridden"},
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
