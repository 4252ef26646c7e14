// Package orgsim is a local Salesforce org simulator: it serves an
// org.Snapshot over the HTTP protocols Salesforce uses, so that the
// licenseplan client (and other clients, such as the Salesforce CLI or
// jsforce) can be exercised without a real org.
//
// Endpoints, with Salesforce's JSON shapes:
//
//	POST /services/oauth2/token                  password, client_credentials and JWT bearer grants
//	POST /services/Soap/u/{version}              SOAP login() (partner API); none from 65.0
//	GET  /services/oauth2/userinfo               OpenID user info of the session user
//	GET  /id/{orgId}/{userId}                    identity service
//	GET  /services/data                          API versions
//	GET  /services/data/vXX.X                    resources
//	GET  /services/data/vXX.X/query?q=SOQL       first page; columns=true for column metadata
//	GET  /services/data/vXX.X/query/{locator}    next page (nextRecordsUrl); queryAll likewise
//	GET  /services/data/vXX.X/sobjects           global describe
//	GET  /services/data/vXX.X/sobjects/{Object}/describe
//	GET  /services/data/vXX.X/sobjects/{Object}/{Id}
//	GET  /services/data/vXX.X/limits
//	POST|PATCH /services/data/vXX.X/composite/sobjects   writes (writes.go)
//	POST /services/data/vXX.X/sobjects/{Object}, PATCH …/sobjects/{Object}/{Id}
//
// Every response carries Sforce-Limit-Info: api-usage=USED/LIMIT, errors
// are Salesforce's JSON array [{"message","errorCode"}], and doubled slashes
// in paths are tolerated.
//
// # Data
//
// The Server owns a copy of the snapshot that writes change (writes.go has
// the rules they follow, read from the rule data files, never from the
// planner); the tables below are rebuilt from it on the first read after a
// write. The snapshot's records become the objects User, Account, Contact,
// UserRole, UserLicense, Profile, PermissionSetAssignment, PermissionSet,
// ObjectPermissions, PermissionSetLicenseAssign, PermissionSetLicense and
// Organization, linked through their parent relationships, so that every
// query of org.Queries returns exactly the snapshot's rows and values. The
// snapshot's denormalised columns (User.csv's Profile.Name, Account.Name,
// ...) come back from the user's own row: where they disagree with the
// parent's file, or the parent is missing from it, the user points at a
// parent record of its own that queries of that object do not list.
// Records the snapshot holds without an Id (assignments, object
// permissions) get made-up Ids in file order. Account.IsPartner exists only
// when the snapshot had it, as in real orgs without partner licenses. An
// object whose file the snapshot lacks has no records; a snapshot without
// Organization.csv gets a made-up sandbox Organization.
//
// # Queries
//
// Package soql parses the SOQL subset; this package resolves it against
// the objects and runs it. Pages hold 2,000 records, or the batch size that
// Sforce-Query-Options asks for (200 to 2,000). Up to Options.MaxCursors
// query locators stay open; opening another closes the oldest.
//
// # Faults
//
// Options inject faults into API requests (the authenticated requests under
// /services/data/vXX.X), deterministically: counters in arrival order for
// the "every N" faults, and a PCG generator seeded from Options.Seed,
// drawn three times per API request, for the error and rate-limit rates.
// Token, SOAP login, userinfo and version-list requests get latency but no
// faults and do not count against the API limit.
package orgsim
