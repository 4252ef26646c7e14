// Package planner turns an org snapshot, a rule table and targets into a
// Plan: for every user the outcome, the ordered steps and the warnings.
//
// It does no I/O and prints nothing. The same input gives the same plan, byte
// for byte once written, apart from GeneratedAt.
//
// Ordering: users are ordered by account name, account Id, username and Id.
// Steps run in phases prepare -> convert -> recreate -> follow-up; inside a
// phase they follow the same user order (account steps by account name, then
// Id). Every dependsOn points to an earlier step.
package planner
