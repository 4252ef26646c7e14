// Package sfclient pulls an org snapshot over the Salesforce REST API, read
// only, with github.com/simpleforce/simpleforce.
//
// A Client authenticates with one Authenticator (a Salesforce CLI alias, an
// access token, the OAuth 2.0 JWT bearer or client credentials flow, or the
// legacy SOAP login), then Pull runs the SOQL of every snapshot file of
// org.Queries, ordered by Id, page by page, and streams the records into CSV
// files with the SOQL-path headers that org.ReadSnapshot reads. The snapshot
// is therefore validated exactly like an offline one.
//
// Every request goes through the package's own http.RoundTripper, which
//   - refuses anything but GET and HEAD, except the two login endpoints
//     (POST /services/oauth2/token and POST /services/Soap/u/...), so a pull
//     can never write to the org;
//   - adds Sforce-Query-Options: batchSize=N to queries;
//   - retries 5xx answers (not SOAP faults), 429 and dropped connections
//     with capped exponential backoff and jitter, honouring Retry-After;
//   - counts the REST API calls and records the Sforce-Limit-Info usage;
//   - turns every HTTP error answer into an *APIError.
//
// Above it, Pull re-authenticates once on INVALID_SESSION_ID, stops at once
// on REQUEST_LIMIT_EXCEEDED, restarts a query after the last Id received on
// INVALID_QUERY_LOCATOR, retries a page that does not parse, and checks that
// every object's record count equals its totalSize and that Ids strictly
// increase, so no record is lost or duplicated.
//
// The package prints nothing. simpleforce logs through the standard log
// package; the command routes that with log.SetOutput before a pull, to a
// debug writer through a Redactor. Secrets (passwords, tokens, client secrets,
// keys) never appear in errors: every error a Client returns passes through
// its Redactor.
//
// A Client is not safe for concurrent use.
package sfclient
