package sfclient

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// ChooseLogin on its own, with the default names (the keys) and hints
// (--key); cmd/licenseplan's TestLiveAuthSelection covers it with the
// command line's names.
func TestChooseLogin(t *testing.T) {
	tests := []struct {
		name     string
		settings LoginSettings
		want     Authenticator
		wantKey  string
		wantErr  string
	}{
		{name: "nothing set", settings: LoginSettings{}},
		{name: "target org", settings: LoginSettings{TargetOrg: "dev"}, want: SFCLI{Alias: "dev"}, wantKey: "target-org"},
		{name: "access token", settings: LoginSettings{AccessToken: "00D!x", InstanceURL: "https://a.my.salesforce.com"},
			want: AccessToken{InstanceURL: "https://a.my.salesforce.com", Token: "00D!x"}, wantKey: "access-token"},
		{name: "password with security token", settings: LoginSettings{Username: "u@x", Password: "p", SecurityToken: "t"},
			want: Password{Username: "u@x", Password: "p", SecurityToken: "t"}, wantKey: "password"},
		{name: "token without instance", settings: LoginSettings{AccessToken: "00D!x"},
			wantErr: "the access token login (SF_ACCESS_TOKEN) needs instance-url too: give the org's instance URL with --instance-url"},
		{name: "two methods", settings: LoginSettings{TargetOrg: "dev", Password: "p", Username: "u"},
			wantErr: "several ways to log in are configured: target-org (Salesforce CLI login (--target-org)), password (SOAP login (SF_PASSWORD)); keep one"},
		{name: "ignored setting", settings: LoginSettings{TargetOrg: "dev", LoginURL: "https://test.salesforce.com"},
			wantErr: "login-url is set, but the Salesforce CLI login (--target-org) does not use it: it logs in without a login host"},
		{name: "partial", settings: LoginSettings{ClientID: "3MVG"},
			wantErr: "client-id is set, but no key or secret to log in with it: add --jwt-key-file and --username"},
		{name: "missing key file", settings: LoginSettings{JWTKeyFile: "/nonexistent/key.pem", ClientID: "3MVG", Username: "u"},
			wantErr: "--jwt-key-file /nonexistent/key.pem: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, key, err := ChooseLogin(context.Background(), &tt.settings)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrConfig) {
					t.Fatalf("err %v, want ErrConfig with %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), ErrConfig.Error()) {
					t.Errorf("err %q repeats %q", err, ErrConfig)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) || key != tt.wantKey {
				t.Errorf("got %#v, %q; want %#v, %q", got, key, tt.want, tt.wantKey)
			}
		})
	}
}
