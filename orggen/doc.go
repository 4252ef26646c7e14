// Package orggen generates synthetic Salesforce orgs for tests and
// benchmarks: internal users who own accounts, external users on customer
// and partner accounts, portal roles, profiles, permission sets, permission
// set licenses and license counts, shaped like a real org and fully
// deterministic for a given seed.
//
// Generate is built to be cheap at scale (a million users in about a second):
// repeated values such as license, profile and account names are shared
// strings, and Ids and usernames are cut from a few large strings instead of
// being allocated one by one.
package orggen
