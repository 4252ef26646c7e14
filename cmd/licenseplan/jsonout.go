package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/licenseplan/licenseplan/reports"
)

// The --json envelope follows the Salesforce CLI's, so scripts written for
// sf read licenseplan the same way:
//
//	{"status": 0, "result": {...}, "warnings": ["..."]}
//	{"status": 1, "name": "UsageError", "message": "...", "exitCode": 1, "warnings": []}
//
// status is the exit code, as in sf (2 for plan --detailed-exitcode with
// changes). The envelope is written once, by Execute; commands hand it their
// result with setResult and their notes with note. Progress bars and the
// demo notice still go to stderr.

type envelope struct {
	Status   int      `json:"status"`
	Result   any      `json:"result"`
	Warnings []string `json:"warnings"`
}

type errorEnvelope struct {
	Status   int      `json:"status"`
	Name     string   `json:"name"`
	Message  string   `json:"message"`
	ExitCode int      `json:"exitCode"`
	Warnings []string `json:"warnings"`
}

// setResult records what the command reports under "result".
func (s *Streams) setResult(v any) {
	s.result, s.hasResult = v, true
}

// note is a remark for the user: "note: ..." on stderr, or a warning in the
// --json envelope. quiet drops it (not in the envelope: --json output is
// for programs, which get every warning).
func (s *Streams) note(quiet bool, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if s.JSON {
		s.warnings = append(s.warnings, msg)
		return
	}
	if !quiet {
		fmt.Fprintf(s.ErrOut, "note: %s\n", msg)
	}
}

// human reports whether the command should print its human output (not in
// --json mode).
func (s *Streams) human() bool { return !s.JSON }

// writeEarly writes the envelope now, for a command that goes on running
// (orgsim serve); Execute then writes none.
func (s *Streams) writeEarly(v any) error {
	s.setResult(v)
	s.written = true
	return writeJSON(s.Out, envelope{Status: 0, Result: v, Warnings: nonNil(s.warnings)})
}

func (s *Streams) writeEnvelope(code int) error {
	if s.written {
		return nil
	}
	if !s.hasResult {
		return errors.New("the command has no JSON result")
	}
	return writeJSON(s.Out, envelope{Status: code, Result: s.result, Warnings: nonNil(s.warnings)})
}

func (s *Streams) writeError(name, msg string, code int) error {
	return writeJSON(s.Out, errorEnvelope{Status: code, Name: name, Message: msg, ExitCode: code, Warnings: nonNil(s.warnings)})
}

// writeJSON writes v indented, without HTML escaping (as plan.json).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func nonNil(ws []string) []string {
	if ws == nil {
		return []string{}
	}
	return ws
}

// errorName is the envelope's error name, in sf's style.
func errorName(err error, usage bool) string {
	switch {
	case usage:
		return "UsageError"
	case errors.Is(err, context.Canceled):
		return "InterruptedError"
	case errors.Is(err, reports.ErrFingerprint):
		return "FingerprintMismatchError"
	case errors.Is(err, reports.ErrSchemaVersion):
		return "UnsupportedSchemaVersionError"
	case errors.Is(err, errIncomplete):
		return "IncompleteInputError"
	}
	return "LicensePlanError"
}
