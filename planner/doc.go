// Package planner turns an org snapshot, a rule table and targets into a
// Plan: for every user the outcome, the ordered steps and the warnings.
// It does no I/O and prints nothing. The same input gives the same plan,
// byte for byte once written, apart from GeneratedAt.
//
// Build runs five stages, each in its own file with its inputs and outputs
// in its signature:
//
// 1. Resolve (resolve.go, lookups.go). The snapshot's users are put in plan
// order: by account name and Id, then by username and Id. Each account
// gets what is known of it (Account.csv, its portal roles). The lookups
// type answers what a license name, a target and a target profile resolve
// to; it remembers its answers, and targetmemo.go and sortkeys.go hold the
// speed tricks, which a reader can skip.
//
// 2. Decide (decide.go, conditions.go, perms.go). decideUser is the place
// to learn the rules: a user, its account and its target go in, and a
// decision comes out with the outcome, the rule, the warning conditions of
// the user and account, and the target profile. The permission check then
// names the permission sets and View/Modify All Records a change removes,
// and every change gets its step recipe (steps.go). A decision is a few
// integers that index tables the users share (shared.go); warning texts are
// in warnings.go.
//
// 3. Accounts (accounts.go). Which accounts must be enabled as partner
// accounts first (one step each, the first steps of the plan), which
// portal roles Salesforce will create, and whether the owner has a role.
//
// 4. Layout (layout.go). Steps run in phases prepare -> convert ->
// recreate -> follow-up; inside a phase they follow the user order
// (account steps by account name, then Id). Every dependsOn points to an
// earlier step. Layout numbers the steps into a compact table, and Users
// and Steps (view.go) make each UserPlan and Step from it when read, so
// writers stream a million users without holding a UserPlan for each.
//
// 5. Tally (tally.go, completeness.go). The summary, the seat arithmetic
// per license, the rules used, and the plan-level warnings: license
// capacity and signs that the snapshot is incomplete.
package planner
