package sfclient

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/licenseplan/licenseplan/org"
)

// Sentinel errors, for errors.Is. Each error a Client returns says what went
// wrong and what to do; these only classify it.
var (
	// ErrReadOnly: the transport refused a request that could write to the
	// org. Nothing was sent.
	ErrReadOnly = errors.New("refused a request that is not read-only")
	// ErrAuth: authentication failed or could not be attempted.
	ErrAuth = errors.New("authentication failed")
	// ErrSessionExpired: the session was invalid again right after
	// re-authenticating.
	ErrSessionExpired = errors.New("session expired or invalid")
	// ErrRequestLimit: the org's API request limit is used up
	// (REQUEST_LIMIT_EXCEEDED).
	ErrRequestLimit = errors.New("API request limit exceeded")
	// ErrRetriesExhausted: a request still failed after every retry.
	ErrRetriesExhausted = errors.New("request failed after retries")
	// ErrBadResponse: an answer did not parse, after every retry.
	ErrBadResponse = errors.New("response did not parse")
	// ErrCountMismatch: the records received differ from totalSize.
	ErrCountMismatch = errors.New("record count differs from totalSize")
	// ErrOutOfOrder: an Id did not increase (a duplicate, or a broken
	// ORDER BY Id).
	ErrOutOfOrder = errors.New("record Ids out of order or duplicated")
	// ErrNotSandbox: RequireSandbox is set and the org is not known to be a
	// sandbox.
	ErrNotSandbox = org.ErrNotSandbox
	// ErrConfig: the client or authenticator settings are incomplete or
	// invalid.
	ErrConfig = errors.New("invalid settings")
	// ErrOutcomeUnknown: a write got no answer that says what happened
	// (the connection dropped, it timed out, or Salesforce answered 5xx).
	// It may have committed: read the records before sending it again.
	ErrOutcomeUnknown = errors.New("the write's outcome is unknown")
)

// APIError is an HTTP error answer from Salesforce: a REST error array
// ([{"message":…,"errorCode":…}]), an OAuth error ({"error":…,
// "error_description":…}) or a SOAP fault. Server text is cleaned of control
// characters, shortened and redacted before it is stored.
type APIError struct {
	Method string
	Path   string // URL path, without the query
	Status int
	// Code is errorCode, the OAuth error, or the SOAP faultcode without its
	// namespace prefix; "" when the body had none.
	Code    string
	Message string
	// Attempts is how many times the request was sent (1 when it was not
	// retried).
	Attempts int
	// Unknown: the request was a write and the answer (a 5xx) does not
	// say whether it committed; the error matches ErrOutcomeUnknown.
	Unknown bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Is makes a retried-out APIError match ErrRetriesExhausted.
func (e *APIError) Is(target error) bool {
	if target == ErrOutcomeUnknown {
		return e.Unknown
	}
	return target == ErrRetriesExhausted && e.Attempts > 1 && retryableStatus(e.Status)
}

// TransportError is a request that got no usable answer: the connection
// failed or dropped, or the body could not be read.
type TransportError struct {
	Method   string
	Path     string
	Attempts int
	Err      error
	// Unknown: the request was a write, so it was not sent again, and
	// whether it committed is unknown; the error matches
	// ErrOutcomeUnknown.
	Unknown bool
}

func (e *TransportError) Error() string {
	s := fmt.Sprintf("%s %s: %v", e.Method, e.Path, e.Err)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

func (e *TransportError) Unwrap() error { return e.Err }

// Is makes a retried-out TransportError match ErrRetriesExhausted.
func (e *TransportError) Is(target error) bool {
	if target == ErrOutcomeUnknown {
		return e.Unknown
	}
	return target == ErrRetriesExhausted && e.Attempts > 1
}

// maxMessage bounds the server text kept in an APIError.
const maxMessage = 300

// parseErrorBody reads the error code and message out of an error answer;
// soap reports a SOAP fault. It never fails: a body it does not recognise
// becomes a shortened message.
func parseErrorBody(body []byte) (code, msg string, soap bool) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return "", "", false
	}
	switch trimmed[0] {
	case '[':
		var arr []struct {
			Message   string `json:"message"`
			ErrorCode string `json:"errorCode"`
		}
		if json.Unmarshal(trimmed, &arr) == nil && len(arr) > 0 {
			return cleanText(arr[0].ErrorCode, 80), cleanText(arr[0].Message, maxMessage), false
		}
	case '{':
		var obj struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
			Message     string `json:"message"`
			ErrorCode   string `json:"errorCode"`
		}
		if json.Unmarshal(trimmed, &obj) == nil {
			if obj.Error != "" || obj.Description != "" {
				return cleanText(obj.Error, 80), cleanText(obj.Description, maxMessage), false
			}
			if obj.ErrorCode != "" || obj.Message != "" {
				return cleanText(obj.ErrorCode, 80), cleanText(obj.Message, maxMessage), false
			}
		}
	case '<':
		var env struct {
			Code   string `xml:"Body>Fault>faultcode"`
			String string `xml:"Body>Fault>faultstring"`
		}
		if xml.Unmarshal(trimmed, &env) == nil && (env.Code != "" || env.String != "") {
			c := env.Code
			if i := strings.LastIndexByte(c, ':'); i >= 0 {
				c = c[i+1:]
			}
			return cleanText(c, 80), cleanText(env.String, maxMessage), true
		}
	}
	return "", cleanText(string(trimmed), maxMessage), false
}

// cleanText makes server text safe to show: valid UTF-8, no control
// characters, at most max runes.
func cleanText(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if n == max {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) {
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// shortValue quotes a value for an error message, shortened.
func shortValue(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
