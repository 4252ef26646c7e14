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
//
// Shape: a built plan keeps one small, pointer-free decision per user and
// the tables users share (warning lists, step recipes, target names), and
// Plan.Users and Plan.Steps make each UserPlan and Step from them when read
// (see Users). Building a plan of a million users thus writes tens of
// megabytes instead of the several hundred a UserPlan and Steps per user
// take, and writers stream users and steps one at a time.
package planner
