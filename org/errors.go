package org

import (
	"errors"
	"strconv"
)

// InputError reports bad snapshot input at a place in a file. Line and
// Column are 1-based; Column counts bytes from the start of the line, as
// encoding/csv does, and points at the start of the offending field (or at
// the offending character for malformed CSV). Zero means "not applicable".
type InputError struct {
	File   string // the file as the user named it, e.g. "snap/User.csv"
	Line   int
	Column int
	Err    error
}

// Error returns "FILE:LINE:COL: message", leaving out zero parts.
func (e *InputError) Error() string {
	b := make([]byte, 0, len(e.File)+64)
	b = append(b, e.File...)
	if e.Line > 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(e.Line), 10)
		if e.Column > 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(e.Column), 10)
		}
	}
	if len(b) > 0 {
		b = append(b, ": "...)
	}
	if e.Err != nil {
		b = append(b, e.Err.Error()...)
	}
	return string(b)
}

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// Sentinel errors wrapped by InputError, for errors.Is. Their text starts
// the message that follows the file position, so it has no package prefix.
var (
	// ErrMissingFile: the snapshot folder or its User.csv does not exist.
	ErrMissingFile = errors.New("required file not found")
	// ErrEmptyFile: User.csv has no header line.
	ErrEmptyFile = errors.New("empty file")
	// ErrMissingColumn: the header lacks a required column.
	ErrMissingColumn = errors.New("missing required column")
	// ErrDuplicateColumn: the header names a column twice.
	ErrDuplicateColumn = errors.New("duplicate column")
	// ErrBlankValue: a required column is blank in a record.
	ErrBlankValue = errors.New("blank value in required column")
	// ErrDuplicateID: two records of a file share an Id.
	ErrDuplicateID = errors.New("duplicate Id")
	// ErrInvalidBool: a boolean is not true, false or blank.
	ErrInvalidBool = errors.New("invalid boolean")
	// ErrInvalidInt: an integer column holds something else.
	ErrInvalidInt = errors.New("invalid integer")
	// ErrNotUTF8: the file is not UTF-8 text.
	ErrNotUTF8 = errors.New("text is not valid UTF-8")
	// ErrMalformedCSV: encoding/csv could not parse the file. The
	// csv.ParseError's Err (csv.ErrQuote, csv.ErrFieldCount, ...) is
	// wrapped too.
	ErrMalformedCSV = errors.New("malformed CSV")
	// ErrTooLarge: a record or a file is over a documented bound
	// (MaxRecordBytes, MaxRows).
	ErrTooLarge = errors.New("too large")
)
