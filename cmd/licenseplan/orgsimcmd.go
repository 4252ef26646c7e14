package main

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/licenseplan/licenseplan/demo"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/orgsim"
)

func newOrgsimCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "orgsim",
		Short: "Run a local Salesforce org simulator, or generate a synthetic org",
		Long: `Orgsim serves an org over the same HTTP protocols Salesforce uses (OAuth
token endpoint, SOAP login, REST query, describe, limits), on loopback only,
so licenseplan and other Salesforce clients (the Salesforce CLI, jsforce) can
be tried without a real org. It serves the built-in demo org, a snapshot
folder, or a generated synthetic org, and can inject faults for rehearsals.`,
		Example: `  # Terminal 1: serve the demo org
  licenseplan orgsim serve --port 8080

  # Terminal 2: paste the printed export lines, then
  licenseplan plan

  # Write a synthetic 50,000-user snapshot
  licenseplan orgsim generate --users 50000 --seed 7 --out ./synthetic`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newOrgsimServeCmd(s), newOrgsimGenerateCmd(s))
	return cmd
}

// serveOptions are the flags of orgsim serve.
type serveOptions struct {
	snapshot string
	users    int
	port     int
	jwtKey   string
	opts     orgsim.Options
}

func newOrgsimServeCmd(s *Streams) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve an org over the Salesforce REST API on 127.0.0.1",
		Long: `Serve starts the org simulator on 127.0.0.1 and prints its instance URL and an
access token, as shell lines to paste in another terminal:

  export SF_INSTANCE_URL=http://127.0.0.1:PORT
  export SF_ACCESS_TOKEN='00D…!…'

licenseplan plan then pulls the org through the API. Other clients work too:
'sf org login access-token --instance-url URL --no-prompt' reads
SF_ACCESS_TOKEN, and 'sf data query' and jsforce's query/queryMore then work.

The org is the built-in demo org, --snapshot DIR (a snapshot folder) or
--users N (a synthetic org generated from --seed). The simulator accepts its
own default credentials for the password, client-credentials and SOAP login
flows (printed), and RS256 JWT bearer assertions signed by the private key of
--jwt-public-key. Set ORGSIM_USERNAME, ORGSIM_PASSWORD, ORGSIM_SECURITY_TOKEN,
ORGSIM_CLIENT_ID and ORGSIM_CLIENT_SECRET to accept other credentials; a
password, security token or secret given this way is never printed (the
export lines then refer to the variable).

Fault injection, deterministic from --seed, applies to API requests
(/services/data/vXX.X/...): --error-rate answers 500/503, --rate-limit-rate
answers 429 with Retry-After, --expire-session-every N expires the session
on every Nth request, --expire-locator-every N loses the query locator on
every Nth next-page request (and refuses every Nth Bulk results locator),
--truncate-every N cuts every Nth query or Bulk results page in half,
--bulk-fail-every N ends every Nth Bulk API 2.0 query job Failed, --drop-every N closes the connection, and --api-limit N refuses
requests past N with REQUEST_LIMIT_EXCEEDED. --latency delays every response.

Writes: it accepts the writes 'licenseplan apply' makes (sObject Collections
POST and PATCH, and single-record POST and PATCH on sobjects) and keeps them
for as long as it runs, so a later plan, verify or query sees them. It
applies Salesforce's rules as the source documents give them: a ProfileId
of another license only where the conversion tables allow the change in
place (else FIELD_INTEGRITY_EXCEPTION with the table's message), partner
licenses only on partner accounts, role-based licenses only when the
account owner has a role (UNKNOWN_EXCEPTION "portal account owner must have
a role"), seats (LICENSE_LIMIT_EXCEEDED), disabling (IsPortalEnabled=false
deactivates the user, clears its contact and renames its username), one
active user per contact and unique usernames (DUPLICATE_USERNAME). An
upgrade to a role-based license gives the account's lowest portal role,
creating the roles, and removes the user's permission sets.
--lost-response-every N commits every Nth write request and drops its
answer; --write-error-rate answers that fraction of write requests 503
before writing anything; --lock-error-rate refuses that fraction of records with
UNABLE_TO_LOCK_ROW; --extra-seats N buys N seats of every license.

It serves until interrupted (Ctrl-C), then prints what it served on stderr.`,
		Example: `  licenseplan orgsim serve
  licenseplan orgsim serve --snapshot ./snapshot --port 8080
  licenseplan orgsim serve --users 200000 --seed 7
  licenseplan orgsim serve --latency 200ms --error-rate 0.05 --expire-session-every 50 --api-limit 500
  licenseplan orgsim serve --extra-seats 20 --lost-response-every 3 --lock-error-rate 0.1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("snapshot") && cmd.Flags().Changed("users") {
				return flagErrorf("--snapshot and --users exclude each other: serve a snapshot folder or a generated org")
			}
			return runOrgsimServe(cmd.Context(), s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.snapshot, "snapshot", "", "serve this snapshot `folder` (default: the built-in demo org)")
	f.IntVar(&o.users, "users", 0, "serve a generated org of `N` users (see --seed)")
	f.IntVar(&o.port, "port", 0, "listen on 127.0.0.1:`PORT` (default: a free port)")
	f.Int64Var(&o.opts.Seed, "seed", 1, "`seed` of the generated org and of the injected faults")
	f.DurationVar(&o.opts.Latency, "latency", 0, "add this `duration` to every response")
	f.Float64Var(&o.opts.ErrorRate, "error-rate", 0, "`fraction` of API requests answered 500 or 503")
	f.Float64Var(&o.opts.RateLimitRate, "rate-limit-rate", 0, "`fraction` of API requests answered 429")
	f.DurationVar(&o.opts.RetryAfter, "retry-after", orgsim.DefaultRetryAfter, "Retry-After of the 429 answers (`duration`, whole seconds)")
	f.IntVar(&o.opts.ExpireSessionEvery, "expire-session-every", 0, "expire the session on every `N`th API request")
	f.IntVar(&o.opts.ExpireLocatorEvery, "expire-locator-every", 0, "lose the query locator on every `N`th next-page request (refuse every Nth Bulk results locator)")
	f.IntVar(&o.opts.TruncateEvery, "truncate-every", 0, "cut every `N`th query or Bulk results page in half")
	f.IntVar(&o.opts.BulkFailEvery, "bulk-fail-every", 0, "end every `N`th Bulk API 2.0 query job Failed")
	f.IntVar(&o.opts.DropEvery, "drop-every", 0, "close the connection on every `N`th API request")
	f.IntVar(&o.opts.APILimit, "api-limit", orgsim.DefaultAPILimit, "daily API request `limit`")
	f.IntVar(&o.opts.LostResponseEvery, "lost-response-every", 0, "commit every `N`th write request, then close the connection without an answer")
	f.Float64Var(&o.opts.WriteErrorRate, "write-error-rate", 0, "`fraction` of write requests answered 503 before anything is written")
	f.Float64Var(&o.opts.LockErrorRate, "lock-error-rate", 0, "`fraction` of written records refused with UNABLE_TO_LOCK_ROW")
	f.IntVar(&o.opts.ExtraSeats, "extra-seats", 0, "add `N` seats to every license (the demo org is short of seats)")
	f.StringVar(&o.jwtKey, "jwt-public-key", "", "PEM `file` of the public key (or certificate) that verifies JWT bearer assertions")
	return cmd
}

func runOrgsimServe(ctx context.Context, s *Streams, o *serveOptions) error {
	if o.users < 0 {
		return flagErrorf("--users %d: want a positive number of users", o.users)
	}
	if o.port < 0 || o.port > 65535 {
		return flagErrorf("--port %d: want a port from 1 to 65535, or 0 for a free one", o.port)
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"--lock-error-rate", o.opts.LockErrorRate}, {"--write-error-rate", o.opts.WriteErrorRate}} {
		if c.v < 0 || c.v > 1 {
			return flagErrorf("%s %v: want a fraction from 0 to 1", c.name, c.v)
		}
	}
	if o.opts.LostResponseEvery < 0 || o.opts.ExtraSeats < 0 {
		return flagErrorf("--lost-response-every and --extra-seats take a number of 0 or more")
	}
	if o.opts.APILimit <= 0 {
		return flagErrorf("--api-limit %d: want a positive limit", o.opts.APILimit)
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"--error-rate", o.opts.ErrorRate}, {"--rate-limit-rate", o.opts.RateLimitRate}} {
		if c.v < 0 || c.v > 1 {
			return flagErrorf("%s %v: want a fraction from 0 to 1", c.name, c.v)
		}
	}
	opts := o.opts
	given := map[string]bool{}
	for _, c := range []struct {
		env string
		dst *string
	}{
		{"ORGSIM_USERNAME", &opts.Username}, {"ORGSIM_PASSWORD", &opts.Password},
		{"ORGSIM_SECURITY_TOKEN", &opts.SecurityToken}, {"ORGSIM_CLIENT_ID", &opts.ClientID},
		{"ORGSIM_CLIENT_SECRET", &opts.ClientSecret},
	} {
		if v := s.Getenv(c.env); v != "" {
			*c.dst = v
			given[c.env] = true
		}
	}
	if o.jwtKey != "" {
		key, err := readPublicKey(o.jwtKey)
		if err != nil {
			return err
		}
		opts.JWTPublicKey = key
	}

	snap, label, err := orgsimSnapshot(ctx, o)
	if err != nil {
		return err
	}
	srv, err := orgsim.New(snap, opts)
	if err != nil {
		return err
	}
	url, err := srv.Start(ctx, net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port)))
	if err != nil {
		return err
	}
	defer srv.Close()

	d := orgsim.DefaultCredentials()
	show := func(env, value string) string {
		if given[env] {
			return `"$` + env + `"` // the value itself is not shown
		}
		return shellWord(value)
	}
	user, clientID := opts.Username, opts.ClientID
	if user == "" {
		user = d.Username
	}
	if clientID == "" {
		clientID = d.ClientID
	}
	if s.JSON {
		// A server runs until interrupted, so its envelope is written when
		// it is ready, not at exit. The access token is the simulator's
		// own, made up for this run.
		if err := s.writeEarly(serveResult{InstanceURL: url, AccessToken: srv.AccessToken(), Username: user, ClientID: clientID, Org: label}); err != nil {
			return err
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Salesforce org simulator: %s at %s\n\n", label, url)
	fmt.Fprintf(&b, "# In another terminal, paste these lines and run licenseplan plan:\n")
	fmt.Fprintf(&b, "export SF_INSTANCE_URL=%s\n", url)
	fmt.Fprintf(&b, "export SF_ACCESS_TOKEN=%s\n\n", shellWord(srv.AccessToken()))
	fmt.Fprintf(&b, "# Salesforce CLI (reads SF_ACCESS_TOKEN):\n")
	fmt.Fprintf(&b, "sf org login access-token --instance-url %s --alias orgsim --no-prompt\n", url)
	fmt.Fprintf(&b, "sf data query --query \"SELECT Id, Name FROM Organization\" --target-org orgsim --result-format csv\n\n")
	// Commented out: pasting the whole block must configure one login only
	// (plan refuses two at once), and the access token above is enough.
	fmt.Fprintf(&b, "# Or log in with username and password instead (SOAP login; unset SF_ACCESS_TOKEN first):\n")
	fmt.Fprintf(&b, "#   export SF_USERNAME=%s SF_PASSWORD=%s SF_SECURITY_TOKEN=%s\n",
		shellWord(user), show("ORGSIM_PASSWORD", d.Password), show("ORGSIM_SECURITY_TOKEN", d.SecurityToken))
	fmt.Fprintf(&b, "# OAuth client (client credentials and JWT bearer flows; login URL %s):\n", url)
	fmt.Fprintf(&b, "#   client id %s, export SF_CLIENT_SECRET=%s\n",
		shellWord(clientID), show("ORGSIM_CLIENT_SECRET", d.ClientSecret))
	if !s.JSON {
		if _, err := fmt.Fprint(s.Out, b.String()); err != nil {
			return err
		}
	}
	if faults := describeFaults(opts); faults != "" {
		fmt.Fprintf(s.ErrOut, "orgsim: injecting faults (seed %d): %s\n", opts.Seed, faults)
	}
	if opts.JWTPublicKey == nil {
		fmt.Fprintln(s.ErrOut, "orgsim: no --jwt-public-key: JWT bearer grants are refused")
	}
	fmt.Fprintln(s.ErrOut, "orgsim: serving until interrupted (Ctrl-C)")

	<-ctx.Done()
	if err := srv.Close(); err != nil {
		return fmt.Errorf("stopping the simulator: %w", err)
	}
	st := srv.Stats()
	fmt.Fprintf(s.ErrOut, "orgsim: stopped after %d requests (%d API requests)%s\n",
		st.Requests, st.APIRequests, faultCounts(st))
	return nil
}

// orgsimSnapshot loads the org to serve and names it for the banner.
func orgsimSnapshot(ctx context.Context, o *serveOptions) (*org.Snapshot, string, error) {
	var snap *org.Snapshot
	var err error
	switch {
	case o.users > 0:
		snap = orggen.Generate(orggen.Options{Users: o.users, Seed: o.opts.Seed})
	case o.snapshot != "":
		st, serr := os.Stat(o.snapshot)
		if serr != nil {
			return nil, "", fmt.Errorf("snapshot folder: %w (give --snapshot the folder that holds User.csv)", serr)
		}
		if !st.IsDir() {
			return nil, "", fmt.Errorf("snapshot %s is not a folder: give --snapshot the folder that holds User.csv", o.snapshot)
		}
		snap, err = org.ReadSnapshot(ctx, os.DirFS(o.snapshot), o.snapshot)
	default:
		snap, err = org.ReadSnapshot(ctx, demo.Snapshot(), "demo")
	}
	if err != nil {
		return nil, "", err
	}
	name := "org"
	if snap.Organization != nil && snap.Organization.Name != "" {
		name = strconv.Quote(snap.Organization.Name)
	}
	return snap, fmt.Sprintf("%s, %d users", name, len(snap.Users)), nil
}

// readPublicKey reads an RSA public key from a PEM file: a PUBLIC KEY, an
// RSA PUBLIC KEY or a CERTIFICATE block.
func readPublicKey(path string) (*rsa.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--jwt-public-key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("--jwt-public-key %s: no PEM block found; give the public key or certificate in PEM form", path)
	}
	var key any
	switch block.Type {
	case "CERTIFICATE":
		cert, cerr := x509.ParseCertificate(block.Bytes)
		if cerr != nil {
			return nil, fmt.Errorf("--jwt-public-key %s: %w", path, cerr)
		}
		key = cert.PublicKey
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	}
	if err != nil {
		return nil, fmt.Errorf("--jwt-public-key %s: %w", path, err)
	}
	rsaKey, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("--jwt-public-key %s: a %T, want an RSA key (JWT bearer assertions are RS256)", path, key)
	}
	return rsaKey, nil
}

// describeFaults lists the fault options in use.
func describeFaults(o orgsim.Options) string {
	var parts []string
	if o.Latency > 0 {
		parts = append(parts, "latency "+o.Latency.String())
	}
	if o.ErrorRate > 0 {
		parts = append(parts, fmt.Sprintf("error rate %g", o.ErrorRate))
	}
	if o.RateLimitRate > 0 {
		parts = append(parts, fmt.Sprintf("429 rate %g (Retry-After %s)", o.RateLimitRate, o.RetryAfter.Round(time.Second)))
	}
	for _, e := range []struct {
		n    int
		what string
	}{
		{o.ExpireSessionEvery, "session expiry"}, {o.ExpireLocatorEvery, "locator expiry"},
		{o.TruncateEvery, "truncated pages"}, {o.DropEvery, "dropped connections"},
		{o.BulkFailEvery, "failed Bulk jobs"},
	} {
		if e.n > 0 {
			parts = append(parts, fmt.Sprintf("%s every %d", e.what, e.n))
		}
	}
	if o.APILimit != orgsim.DefaultAPILimit {
		parts = append(parts, fmt.Sprintf("API limit %d", o.APILimit))
	}
	return strings.Join(parts, ", ")
}

// faultCounts formats the injected faults for the closing line.
func faultCounts(st orgsim.Stats) string {
	if len(st.FaultsInjected) == 0 {
		return ""
	}
	var parts []string
	for f, n := range st.FaultsInjected {
		parts = append(parts, fmt.Sprintf("%s %d", f, n))
	}
	slices.Sort(parts)
	return "; faults: " + strings.Join(parts, ", ")
}

// shellWord quotes s for POSIX shells when it needs quoting; tokens hold
// "!", which bash expands inside double quotes.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("_-.,/:@%+=", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func newOrgsimGenerateCmd(s *Streams) *cobra.Command {
	var users int
	var seed int64
	var out string
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write a synthetic org as a snapshot folder",
		Long: `Generate writes a realistic synthetic org as snapshot CSV files: internal users
who own accounts, customer and partner accounts of 1 to 50 external users,
every license of the catalog, portal roles, profiles, permission sets with
View All / Modify All object permissions, permission set licenses and
license counts. The same --users and --seed always give the same files.`,
		Example: `  licenseplan orgsim generate --users 10000 --seed 7 --out ./synthetic
  licenseplan plan --input ./synthetic
  licenseplan orgsim serve --snapshot ./synthetic`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return flagErrorf("--out is required: the folder to write the snapshot to")
			}
			if users <= 0 {
				return flagErrorf("--users %d: want a positive number of users", users)
			}
			snap := orggen.Generate(orggen.Options{Users: users, Seed: seed})
			if err := org.WriteSnapshot(cmd.Context(), out, snap); err != nil {
				return fmt.Errorf("writing the snapshot: %w", err)
			}
			if s.JSON {
				s.setResult(generateResult{OutDir: out, Users: len(snap.Users), Accounts: len(snap.Accounts), Seed: seed})
				return nil
			}
			fmt.Fprintf(s.ErrOut, "Wrote a synthetic org of %d users and %d accounts (seed %d) to %s\n",
				len(snap.Users), len(snap.Accounts), seed, out)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&users, "users", 1000, "number of `users`, internal and external")
	f.Int64Var(&seed, "seed", 1, "`seed`: the same seed gives the same files")
	f.StringVarP(&out, "out", "d", "", "snapshot `folder` to write (created if missing)")
	return cmd
}

// serveResult is orgsim serve's --json result, written when it is ready.
type serveResult struct {
	InstanceURL string `json:"instanceUrl"`
	AccessToken string `json:"accessToken"`
	Username    string `json:"username"`
	ClientID    string `json:"clientId"`
	Org         string `json:"org"`
}

// generateResult is orgsim generate's --json result.
type generateResult struct {
	OutDir   string `json:"outDir"`
	Users    int    `json:"users"`
	Accounts int    `json:"accounts"`
	Seed     int64  `json:"seed"`
}
