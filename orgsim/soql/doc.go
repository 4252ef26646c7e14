// Package soql parses the subset of SOQL that the org simulator answers:
//
//	SELECT path [, path ...] | COUNT()
//	FROM Object
//	[WHERE condition]
//	[ORDER BY path [ASC|DESC] [NULLS FIRST|LAST] [, ...]]
//	[LIMIT n] [OFFSET n]
//
// A path is a field name, or relationship names and a field joined by dots
// (Profile.UserLicense.Name). A condition compares a path with a literal
// (=, !=, <>, <, <=, >, >=), tests it with [NOT] IN (list) or LIKE 'pattern',
// and combines conditions with AND, OR, NOT and parentheses. As in SOQL, AND
// and OR cannot be mixed at one level without parentheses. Literals are
// strings in single quotes with SOQL's backslash escapes, numbers, true,
// false and null. Keywords are case-insensitive.
//
// Parse returns a syntax tree with the byte offset of every name and literal;
// anything outside the subset is an *Error with code MALFORMED_QUERY and the
// position, never a guess. The package knows no schema: resolving names
// against objects and evaluating the query is the caller's job.
package soql
