package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/licenseplan/licenseplan/apply"
	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/sfclient"
)

// errVerify is verify's error when the org does not match the plan.
var errVerify = errors.New("the org does not match the plan")

// applyOptions are apply's flags.
type applyOptions struct {
	plan, journal   string
	resume          bool
	skipDrifted     bool
	allowProduction bool
	autoApprove     bool
	transfer        []string
}

func newApplyCmd(s *Streams) *cobra.Command {
	o := &applyOptions{}
	cmd := &cobra.Command{
		Use:   "apply --plan plan.json",
		Short: "Carry out a plan on a sandbox org, with a journal, then verify it",
		Long: `Apply carries out a saved plan on the org it was made for: it writes exactly
the rows of the plan's load files (the files 'licenseplan plan --out DIR'
puts in DIR/load/), in their order, then moves record ownership from each
re-created user to the new one and assigns again the permission sets the
change removed. It is the only licenseplan command that writes to an org,
and it writes through its own client: 'plan' cannot write at all.

Before the first write it:
  1. logs in as 'plan' does (-o/--target-org ALIAS, or SF_INSTANCE_URL with
     SF_ACCESS_TOKEN, or another login; see 'licenseplan plan --help'). The
     Salesforce CLI's default org and the built-in demo org are never used:
     say which org to write to;
  2. reads the org and refuses another org than the plan's, and a production
     org (or one that does not say it is a sandbox) unless --allow-production
     is given and the org's name is typed back at the prompt;
  3. checks for drift: every user and account the plan touches must still
     look as the plan saw it (license, profile, IsActive, IsPortalEnabled,
     ContactId, AccountId, the account's IsPartner, the free seats). A stale
     plan stops here with the list; --skip-drifted carries on without the
     drifted users and accounts;
  4. shows what it will write (records per file, the org, the plan's
     fingerprint) and asks for 'yes'. --auto-approve skips the question (for
     CI); it never replaces --allow-production.

Writes go in batches of up to 200 records through sObject Collections
(allOrNone=false), each record's result recorded. A failed record skips the
steps that depend on it, saying why. Lock errors (UNABLE_TO_LOCK_ROW, group
membership locks) are sent again with backoff; LICENSE_LIMIT_EXCEEDED stops
the run. Every batch is appended to a JSON Lines journal (default:
apply-journal.jsonl beside the plan) and fsynced before the next one.
'apply --resume' continues from the journal: every step is first compared
with the org, so nothing is ever written twice, also after a write whose
answer was lost or a run that was killed.

Users with no supported path (recreate) need a person's decision: apply
leaves them and says so. At the end apply runs 'licenseplan verify'.

Exit status: 0 when every step apply carries out completed and verify
passed; 1 otherwise.`,
		Example: `  # Rehearse on the org simulator: terminal 1
  licenseplan orgsim serve --port 8642 --extra-seats 20

  # terminal 2 (paste the export lines orgsim printed)
  licenseplan plan --out ./plan
  licenseplan apply --plan ./plan/plan.json
  licenseplan verify --plan ./plan/plan.json

  # A sandbox through a Salesforce CLI alias, in CI
  licenseplan apply --plan ./plan/plan.json -o my-sandbox --auto-approve

  # Continue a run that stopped
  licenseplan apply --plan ./plan/plan.json -o my-sandbox --resume`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loginConfig(cmd, s)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("transfer-objects") && len(cfg.Apply.TransferObjects) > 0 {
				o.transfer = cfg.Apply.TransferObjects
			}
			return runApply(cmd.Context(), s, cfg, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.plan, "plan", "", "the plan.json to carry out (required)")
	f.StringVar(&o.journal, "journal", "", "journal `file` (default: apply-journal.jsonl beside the plan)")
	f.BoolVar(&o.resume, "resume", false, "continue the run the journal records")
	f.BoolVar(&o.skipDrifted, "skip-drifted", false, "carry on without the users and accounts that drifted since the plan")
	f.BoolVar(&o.allowProduction, "allow-production", false, "allow writing to a production org (its name must still be typed back)")
	f.BoolVar(&o.autoApprove, "auto-approve", false, "do not ask for 'yes' (for CI); a production org still needs --allow-production")
	f.StringSliceVar(&o.transfer, "transfer-objects", apply.DefaultTransferObjects, "`objects` whose records move from an old user to its new user (also apply.transfer-objects in the config file)")
	f.String("config", "", "config `file` for the login settings (YAML; also LICENSEPLAN_CONFIG)")
	f.BoolP("quiet", "q", false, "print no notes on stderr")
	addLiveFlags(f)
	hidePullOnlyFlags(f)
	_ = f.MarkHidden("save-snapshot")
	_ = f.MarkHidden("require-sandbox") // apply refuses production anyway
	_ = cmd.MarkFlagRequired("plan")
	return cmd
}

// writeLogin chooses the org apply and verify talk to: an explicit login
// only. Falling back to the Salesforce CLI's default org or the demo org
// could write to an org nobody named.
func writeLogin(ctx context.Context, cfg *Config, command string) (sfclient.Authenticator, error) {
	login := cfg.loginSettings()
	if len(login.Set()) == 0 {
		return nil, flagErrorf("%s needs the org to be named: -o/--target-org ALIAS, or SF_INSTANCE_URL and SF_ACCESS_TOKEN "+
			"(for a rehearsal, 'licenseplan orgsim serve' prints them); it never uses the Salesforce CLI's default org", command)
	}
	auth, _, err := sfclient.ChooseLogin(ctx, login)
	return auth, err
}

// liveOrg is apply.Org over the read-only client and the Writer.
type liveOrg struct {
	r *sfclient.Client
	w *sfclient.Writer
}

func (o *liveOrg) Read(ctx context.Context) (*org.Snapshot, error) {
	res, err := o.r.Pull(ctx)
	if err != nil {
		return nil, err
	}
	return res.Snapshot, nil
}

// ReadScope reads only the records a plan touches (apply.ReadScoped).
func (o *liveOrg) ReadScope(ctx context.Context, s apply.Scope) (*org.Snapshot, error) {
	return apply.ReadScoped(ctx, o, s)
}

func (o *liveOrg) Query(ctx context.Context, soql string, fields []string) ([][]string, error) {
	return o.r.Query(ctx, soql, fields)
}

func (o *liveOrg) Insert(ctx context.Context, recs []sfclient.Record) ([]sfclient.RecordResult, error) {
	return o.w.Insert(ctx, recs)
}

func (o *liveOrg) Update(ctx context.Context, recs []sfclient.Record) ([]sfclient.RecordResult, error) {
	return o.w.Update(ctx, recs)
}

// hidePullOnlyFlags hides the flags that choose how a whole org is pulled
// from apply and verify, which read only what the plan touches.
func hidePullOnlyFlags(f *pflag.FlagSet) {
	_ = f.MarkHidden("api")
	_ = f.MarkHidden("bulk-threshold")
}

func newLiveOrg(s *Streams, cfg *Config, auth sfclient.Authenticator) (*liveOrg, error) {
	red := sfclient.NewRedactor()
	routeLibraryLog(s, red)
	// apply and verify read only the records the plan touches, with REST
	// (--api and --bulk-threshold are hidden here); api-reserve holds.
	opts, err := pullOptions(cfg)
	if err != nil {
		return nil, err
	}
	opts.Redactor = red
	r, err := sfclient.New(auth, opts)
	if err != nil {
		return nil, flagErrorf("%w", err)
	}
	w, err := sfclient.NewWriter(auth, opts)
	if err != nil {
		return nil, flagErrorf("%w", err)
	}
	return &liveOrg{r: r, w: w}, nil
}

// applyResult is apply's --json result.
type applyResult struct {
	Apply  *apply.Report       `json:"apply"`
	Drift  []apply.Drift       `json:"drift,omitempty"`
	Verify *apply.Verification `json:"verify,omitempty"`
}

func runApply(ctx context.Context, s *Streams, cfg *Config, o *applyOptions) error {
	p, err := readPlan(o.plan, s.In)
	if err != nil {
		return err
	}
	journal := o.journal
	if journal == "" {
		if o.plan == "-" {
			return flagErrorf("--plan - reads the plan from stdin: give --journal FILE too")
		}
		journal = filepath.Join(filepath.Dir(o.plan), "apply-journal.jsonl")
	}
	auth, err := writeLogin(ctx, cfg, "apply")
	if err != nil {
		return err
	}
	lo, err := newLiveOrg(s, cfg, auth)
	if err != nil {
		return err
	}
	opts := apply.Options{Journal: journal, Resume: o.resume, SkipDrifted: o.skipDrifted,
		AllowProduction: o.allowProduction, TransferObjects: o.transfer,
		Confirm: confirmApply(s, cfg, o.autoApprove)}
	if s.ErrTTY && !cfg.Quiet && !s.JSON {
		opts.Progress = &bars{w: s.ErrOut}
	}
	s.note(cfg.Quiet, "reading the org at %s (read only) to check the plan against it", instanceOf(auth))
	rep, err := apply.Run(ctx, p, lo, opts)
	res := applyResult{Apply: rep}
	if errors.Is(err, apply.ErrDrift) && rep != nil {
		res.Drift = rep.Preview.Drift
		if s.JSON {
			s.setResult(res)
		} else if werr := apply.WriteDrift(s.Out, rep.Preview.Drift); werr != nil {
			return werr
		}
		return err
	}
	if rep == nil || errors.Is(err, apply.ErrDeclined) || errors.Is(err, apply.ErrProduction) ||
		errors.Is(err, apply.ErrOrgMismatch) || errors.Is(err, apply.ErrJournal) {
		return err
	}
	if !s.JSON {
		if werr := apply.WriteApplyReport(s.Out, rep); werr != nil {
			return werr
		}
		s.note(cfg.Quiet, "journal: %s", journal)
	}
	// verify, as at the end of every apply, also after a run that stopped:
	// it shows where the org stands.
	v, verr := verifyOrg(ctx, p, lo)
	if verr != nil {
		return errors.Join(err, verr)
	}
	res.Verify = v
	if jerr := apply.AppendVerification(journal, v, time.Now); jerr != nil {
		return errors.Join(err, jerr)
	}
	if s.JSON {
		s.setResult(res)
	} else {
		fmt.Fprintln(s.Out)
		if werr := apply.WriteVerification(s.Out, v); werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	if !v.OK() {
		return fmt.Errorf("%w: %d mismatches after apply (listed above)", errVerify, len(v.Mismatches))
	}
	return nil
}

func instanceOf(auth sfclient.Authenticator) string {
	if a, ok := auth.(sfclient.AccessToken); ok {
		return a.InstanceURL
	}
	return auth.Method()
}

// confirmApply shows the preview on stderr and asks for "yes", or, for a
// production org, for the org's name.
func confirmApply(s *Streams, cfg *Config, auto bool) func(context.Context, *apply.Preview) (bool, error) {
	return func(_ context.Context, p *apply.Preview) (bool, error) {
		if !cfg.Quiet || !auto {
			if err := apply.WritePreview(s.ErrOut, p); err != nil {
				return false, err
			}
		}
		in := bufio.NewReader(s.In)
		if p.Environment != org.EnvSandbox {
			// Only --allow-production gets here; --auto-approve does
			// not skip this.
			fmt.Fprintf(s.ErrOut, "\nThis is not a sandbox. Type the org's name (%s) to write to it: ", p.OrgName)
			line, err := readAnswer(in)
			if err != nil {
				return false, err
			}
			if line != p.OrgName {
				fmt.Fprintln(s.ErrOut, "The name did not match: nothing was written.")
				return false, nil
			}
			return true, nil
		}
		if auto {
			return true, nil
		}
		fmt.Fprint(s.ErrOut, "\nDo you want to write these changes? Only 'yes' goes on: ")
		line, err := readAnswer(in)
		if err != nil {
			return false, err
		}
		return line == "yes", nil
	}
}

func readAnswer(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("%w: no answer on stdin (give --auto-approve to run without the question)", apply.ErrDeclined)
		}
		return "", err
	}
	return strings.TrimSpace(line), nil
}

func verifyOrg(ctx context.Context, p *planner.Plan, lo *liveOrg) (*apply.Verification, error) {
	snap, err := lo.ReadScope(ctx, apply.ScopeOf(p))
	if err != nil {
		return nil, fmt.Errorf("reading the org to verify it: %w", err)
	}
	t, err := rules.Default()
	if err != nil {
		return nil, err
	}
	return apply.Verify(p, snap, t.Catalog), nil
}

func newVerifyCmd(s *Streams) *cobra.Command {
	var planPath, format string
	cmd := &cobra.Command{
		Use:   "verify --plan plan.json",
		Short: "Check an org against a plan's target state",
		Long: `Verify reads the org (read only) and checks every user and account a plan
changes against the plan's target state:
  - a user changed in place has the target license and profile, is active,
    is portal enabled (external licenses) and has a role when the target
    license is role-based;
  - a user disabled and enabled again is disabled, and its contact has a new
    active user that passes the same checks;
  - an account the plan enables is a partner account.
Users with no supported path (recreate) are listed as not verified. The
login is chosen as for apply: the org must be named.

Exit status: 0 when everything matches, 1 on any mismatch or error.`,
		Example: `  licenseplan verify --plan ./plan/plan.json -o my-sandbox
  licenseplan verify --plan ./plan/plan.json --format json > verify.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loginConfig(cmd, s)
			if err != nil {
				return err
			}
			return runVerify(cmd.Context(), s, cfg, planPath, format)
		},
	}
	f := cmd.Flags()
	f.StringVar(&planPath, "plan", "", "the plan.json to check the org against (required)")
	f.StringVarP(&format, "format", "f", "text", "output `format`: text or json")
	f.String("config", "", "config `file` for the login settings (YAML; also LICENSEPLAN_CONFIG)")
	f.BoolP("quiet", "q", false, "print no notes on stderr")
	addLiveFlags(f)
	hidePullOnlyFlags(f)
	_ = f.MarkHidden("save-snapshot")
	_ = f.MarkHidden("require-sandbox")
	_ = cmd.MarkFlagRequired("plan")
	return cmd
}

// runVerify is verify: the org read through the read-only client, checked
// against the plan's target state.
func runVerify(ctx context.Context, s *Streams, cfg *Config, planPath, format string) error {
	if format != "text" && format != "json" {
		return flagErrorf("--format %q: want text or json", format)
	}
	p, err := readPlan(planPath, s.In)
	if err != nil {
		return err
	}
	auth, err := writeLogin(ctx, cfg, "verify")
	if err != nil {
		return err
	}
	lo, err := newLiveOrg(s, cfg, auth)
	if err != nil {
		return err
	}
	v, err := verifyOrg(ctx, p, lo)
	if err != nil {
		return err
	}
	switch {
	case s.JSON:
		s.setResult(v)
	case format == "json":
		if err := writeJSON(s.Out, v); err != nil {
			return err
		}
	default:
		if err := apply.WriteVerification(s.Out, v); err != nil {
			return err
		}
	}
	if !v.OK() {
		return fmt.Errorf("%w: %d mismatches", errVerify, len(v.Mismatches))
	}
	return nil
}
