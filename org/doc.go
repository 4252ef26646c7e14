// Package org holds the data model of a Salesforce org as licenseplan sees it
// (users, accounts, roles, licenses, profiles and permission data) and reads
// and writes it as a snapshot: a folder of CSV files whose headers are SOQL
// field paths, exactly what `sf data query --result-format csv` writes.
//
// The model is plain data. Values that the org may not report (a field the
// org does not have, a file the snapshot does not hold) are Tri values, so
// "unknown" is never confused with "false".
package org
