package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/licenseplan/licenseplan/internal/version"
	"github.com/licenseplan/licenseplan/rules"
	"github.com/licenseplan/licenseplan/sfclient"
)

// Exit codes. They are mapped from errors in one place: Execute.
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2 // plan --detailed-exitcode: the plan has changes
)

// Streams carries the process's I/O; tests build their own with buffers.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY and ErrTTY say whether Out and ErrOut are terminals.
	OutTTY, ErrTTY bool
	// Getenv reads the environment (os.Getenv, or a map in tests).
	Getenv func(string) string
	// NoColor is set by --no-color.
	NoColor bool
	// DefaultOrg reads the Salesforce CLI's default target-org; nil reads
	// none (tests that do not set it never run sf).
	DefaultOrg DefaultOrgFunc

	// JSON is set by --json: stdout gets one envelope (jsonout.go).
	JSON bool
	// result is what a command reports in the envelope (setResult).
	result    any
	hasResult bool
	written   bool // the envelope is out already (writeEarly)
	// warnings are the notes of a --json run, for the envelope.
	warnings []string
}

// SystemStreams returns the real process streams.
func SystemStreams() *Streams {
	return &Streams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTTY:     term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY:     term.IsTerminal(int(os.Stderr.Fd())),
		Getenv:     os.Getenv,
		DefaultOrg: sfDefaultOrg,
	}
}

// ColorOut reports whether stdout may use colour (a terminal, NO_COLOR unset).
func (s *Streams) ColorOut() bool {
	return s.OutTTY && !s.NoColor && s.Getenv("NO_COLOR") == "" && s.Getenv("TERM") != "dumb"
}

// errChanges signals "success, and the plan has changes" for
// --detailed-exitcode. It is never printed.
var errChanges = errors.New("plan has changes")

// flagError is a usage mistake: Execute adds a pointer to --help.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

// isUsage reports whether err is a usage mistake: a bad flag or argument,
// or settings that sfclient found incomplete or contradictory.
func isUsage(err error) bool {
	var fe *flagError
	return errors.As(err, &fe) || isCobraUsageError(err) || errors.Is(err, sfclient.ErrConfig)
}

func flagErrorf(format string, args ...any) error {
	return &flagError{fmt.Errorf(format, args...)}
}

// Execute runs the command line and returns the process exit code. It is the
// only place errors become exit codes and the only place they are printed.
// With --json it also writes the envelope (jsonout.go), for errors too.
func Execute(ctx context.Context, args []string, s *Streams) int {
	root := newRootCmd(s)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	code := exitOK
	switch {
	case err == nil:
	case errors.Is(err, errChanges):
		code = exitChanges
	default:
		code = exitError
	}
	if code != exitError {
		if s.JSON && !s.hasResult && (cmd.Flags().Changed("help") || cmd.Flags().Changed("version")) {
			return code // --help and --version print text, as in sf
		}
		if s.JSON {
			if err := s.writeEnvelope(code); err != nil {
				fmt.Fprintf(s.ErrOut, "licenseplan: writing the JSON result: %s\n", err)
				return exitError
			}
		}
		return code
	}
	msg := err.Error()
	if errors.Is(err, context.Canceled) {
		msg = "interrupted"
	}
	usage := isUsage(err)
	if s.JSON {
		_ = s.writeError(errorName(err, usage), msg, exitError)
	}
	fmt.Fprintf(s.ErrOut, "licenseplan: %s\n", msg)
	if usage {
		fmt.Fprintf(s.ErrOut, "Usage: %s\n", cmd.UseLine())
		if ex := firstExample(cmd.Example); ex != "" {
			fmt.Fprintf(s.ErrOut, "Example: %s\n", ex)
		}
		fmt.Fprintf(s.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return exitError
}

// firstExample is the first command line of a command's examples.
func firstExample(ex string) string {
	for _, line := range strings.Split(ex, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			return line
		}
	}
	return ""
}

// isCobraUsageError recognises cobra's own argument and flag errors, which it
// returns as plain errors.
func isCobraUsageError(err error) bool {
	m := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires ", "invalid argument", "flag needs an argument"} {
		if strings.Contains(m, p) {
			return true
		}
	}
	return false
}

func newRootCmd(s *Streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "licenseplan",
		Short: "Plan Salesforce user license migrations",
		Long: `licenseplan plans Salesforce user license migrations.

It reads the users of an org (live and read-only through the Salesforce API,
from a snapshot folder of CSV files, or the built-in demo org), decides for each user what Salesforce allows (change the
license in place, disable and re-enable, enable the account as a partner
account first, or no path at all), and writes an ordered, deterministic plan
with the warnings and the source of every rule. 'plan' never writes to an
org; 'apply' carries a saved plan out on a sandbox, with a journal, and
'verify' checks the result.`,
		Example: `  # Plan the built-in demo org and write every output file to ./licenseplan-out/
  licenseplan plan --demo

  # Plan a sandbox you logged in to with the Salesforce CLI (sf org login web)
  licenseplan plan -o my-sandbox --require-sandbox -d ./plan

  # Plan a snapshot exported with the Salesforce CLI
  licenseplan query -o my-sandbox > export.sh   # a bash script of sf commands
  licenseplan plan --input ./snapshot --targets targets.csv -d ./plan

  # Rehearse the plan on a sandbox, then check it
  licenseplan apply --plan ./plan/plan.json -o my-sandbox
  licenseplan verify --plan ./plan/plan.json -o my-sandbox

  # Why does Customer Community Plus -> Customer Community need a new user?
  licenseplan rules explain "Customer Community Plus" "Customer Community"`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(s.Out)
	root.SetErr(s.ErrOut)
	root.SetIn(s.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &flagError{err} })
	root.CompletionOptions.HiddenDefaultCmd = true
	root.PersistentFlags().BoolVar(&s.NoColor, "no-color", false, "no colour in terminal output (also NO_COLOR)")
	root.PersistentFlags().BoolVar(&s.JSON, "json", false, `print the result as JSON in the Salesforce CLI's envelope: {"status":0,"result":...,"warnings":[...]}`)
	root.Version = version.String()
	root.SetVersionTemplate("licenseplan {{.Version}} (rules " + rules.DataVersion + ")\n")
	root.AddCommand(newPlanCmd(s), newSnapshotCmd(s), newReportCmd(s), newDiffCmd(s), newApplyCmd(s), newVerifyCmd(s), newRulesCmd(s), newQueryCmd(s), newOrgsimCmd(s))
	return root
}
