package orgsim

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/licenseplan/licenseplan/org"
	"github.com/licenseplan/licenseplan/orggen"
	"github.com/licenseplan/licenseplan/rules"
)

// Writes. The org's model is an org.Snapshot that the simulator owns;
// reads are served from tables built from it (orgData), rebuilt on the
// first read after a write, so a later query, GET or pull sees every write.
// The model is copied before its first change after tables were built
// from it, so open query cursors keep reading the records they began
// with, as Salesforce's do.
//
// Endpoints (REST API Developer Guide: "sObject Collections",
// resources_composite_sobjects_collections_create/update.htm; "Update a
// Record", "Create a Record"):
//
//	POST  /services/data/vXX.X/composite/sobjects   insert up to 200 records
//	PATCH /services/data/vXX.X/composite/sobjects   update up to 200 records by Id
//	POST  /services/data/vXX.X/sobjects/{Object}     insert one record: 201 {"id","success","errors"}
//	PATCH /services/data/vXX.X/sobjects/{Object}/{Id} update one record: 204
//
// A collection answers 200 with one {"id","success","errors":[{"statusCode",
// "message","fields"}]} per record, in order. With allOrNone true, a
// failure rolls every record back and the others fail with
// ALL_OR_NONE_OPERATION_ROLLED_BACK.

// maxCollection is the most records one collection takes.
const maxCollection = 200

// saveResult is Salesforce's SaveResult of one record.
type saveResult struct {
	ID      *string     `json:"id"`
	Success bool        `json:"success"`
	Errors  []saveError `json:"errors"`
}

type saveError struct {
	StatusCode string   `json:"statusCode"`
	Message    string   `json:"message"`
	Fields     []string `json:"fields"`
}

// fieldError is the error of one record's write.
func fieldError(code, msg string, fields ...string) *saveError {
	if fields == nil {
		fields = []string{}
	}
	return &saveError{StatusCode: code, Message: msg, Fields: fields}
}

// model is the org the simulator writes to.
type model struct {
	snap *org.Snapshot
	// shared: tables were built from snap, so it is copied before the
	// next change.
	shared bool
	// contacts maps every ContactId the org has known to its AccountId
	// (a disabled user's contact stays, without its user).
	contacts map[string]string
	lr       *licenseRules
	// permSets are the permission sets the org has known (the snapshot
	// knows them from their assignments, which upgrades remove).
	permSets map[string]org.PermissionSetAssignment
	// psls are the permission set licenses the org has known, by Id.
	psls     map[string]org.PermissionSetLicenseAssign
	nextUser int
	nextRole int
	nextPSA  int
	nextPSLA int
}

func newModel(snap *org.Snapshot, extraSeats int) (*model, error) {
	lr, err := loadLicenseRules()
	if err != nil {
		return nil, err
	}
	m := &model{snap: snap, shared: true, contacts: map[string]string{}, lr: lr, permSets: map[string]org.PermissionSetAssignment{}}
	for _, a := range snap.PermissionSets {
		if _, ok := m.permSets[a.PermissionSetID]; !ok {
			a.AssigneeID = ""
			m.permSets[a.PermissionSetID] = a
		}
	}
	m.psls = map[string]org.PermissionSetLicenseAssign{}
	for _, a := range snap.PermissionSetLicenses {
		if _, ok := m.psls[a.ID]; !ok && a.ID != "" {
			a.AssigneeID = ""
			m.psls[a.ID] = a
		}
	}
	for _, u := range snap.Users {
		if u.ContactID != "" {
			m.contacts[u.ContactID] = u.AccountID
		}
	}
	if extraSeats > 0 {
		m.own()
		for i := range m.snap.Licenses {
			if l := &m.snap.Licenses[i]; l.TotalLicenses >= 0 {
				l.TotalLicenses += extraSeats
			}
		}
	}
	return m, nil
}

// own copies the snapshot's changeable slices when tables share them.
func (m *model) own() {
	if !m.shared {
		return
	}
	m.snap, m.shared = cloneWritable(m.snap), false
}

// cloneWritable copies s with its own copies of the slices writes change.
func cloneWritable(s *org.Snapshot) *org.Snapshot {
	c := *s
	c.Users = slices.Clone(c.Users)
	c.Accounts = slices.Clone(c.Accounts)
	c.Roles = slices.Clone(c.Roles)
	c.Licenses = slices.Clone(c.Licenses)
	c.PermissionSets = slices.Clone(c.PermissionSets)
	c.PermissionSetLicenses = slices.Clone(c.PermissionSetLicenses)
	return &c
}

// current returns the tables of the org as it is now.
func (s *Server) current() *orgData {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if s.data == nil {
		s.data = buildOrg(s.model.snap, s.opts.Username)
		s.model.shared = true
	}
	return s.data
}

// writeRecord is one record of a write request.
type writeRecord struct {
	object string
	id     string
	fields map[string]json.RawMessage
}

// handleWrite serves the write endpoints; rest is the path after vXX.X.
func (s *Server) handleWrite(w http.ResponseWriter, r *http.Request, rest []string) {
	if s.writeFault() {
		writeError(w, http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE",
			"The service is temporarily unavailable (write fault injected by orgsim); nothing was written. Retry the request.")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "JSON_PARSER_ERROR", "The request body could not be read.")
		return
	}
	switch {
	case len(rest) == 2 && rest[0] == "composite" && rest[1] == "sobjects" && (r.Method == http.MethodPost || r.Method == http.MethodPatch):
		s.handleCollection(w, r.Method == http.MethodPost, body)
	case len(rest) == 2 && rest[0] == "sobjects" && r.Method == http.MethodPost:
		rec, err := decodeRecord(body, rest[1])
		if err != nil {
			writeError(w, http.StatusBadRequest, "JSON_PARSER_ERROR", msgNotObject)
			return
		}
		res := s.commit(true, false, []writeRecord{rec})
		if lost := s.loseAnswer(); lost {
			dropConnection(w)
			return
		}
		if !res[0].Success {
			writeJSONStatusErrors(w, http.StatusBadRequest, res[0].Errors)
			return
		}
		writeJSON(w, http.StatusCreated, res[0])
	case len(rest) == 3 && rest[0] == "sobjects" && r.Method == http.MethodPatch:
		rec, err := decodeRecord(body, rest[1])
		if err != nil {
			writeError(w, http.StatusBadRequest, "JSON_PARSER_ERROR", msgNotObject)
			return
		}
		if _, given := rec.fields["Id"]; given {
			writeError(w, http.StatusBadRequest, "INVALID_FIELD", "Id in the body of an update by Id is not allowed.")
			return
		}
		rec.id = rest[2]
		res := s.commit(false, false, []writeRecord{rec})
		if s.loseAnswer() {
			dropConnection(w)
			return
		}
		if !res[0].Success {
			status := http.StatusBadRequest
			if res[0].Errors[0].StatusCode == "NOT_FOUND" {
				status = http.StatusNotFound
			}
			writeJSONStatusErrors(w, status, res[0].Errors)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
			fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are GET,HEAD", r.Method))
	}
}

// writeJSONStatusErrors answers a single-record error the REST way:
// [{"message","errorCode","fields"}].
func writeJSONStatusErrors(w http.ResponseWriter, status int, errs []saveError) {
	type restError struct {
		Message   string   `json:"message"`
		ErrorCode string   `json:"errorCode"`
		Fields    []string `json:"fields"`
	}
	out := make([]restError, len(errs))
	for i, e := range errs {
		out[i] = restError{e.Message, e.StatusCode, e.Fields}
	}
	writeJSON(w, status, out)
}

// msgNotObject is the answer to a body that is not a record.
const msgNotObject = "The request body is not a JSON object."

var errNotObject = errors.New("not a JSON object")

// decodeRecord reads one record of object from a body.
func decodeRecord(body []byte, object string) (writeRecord, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return writeRecord{}, errNotObject
	}
	delete(fields, "attributes")
	return writeRecord{object: object, fields: fields}, nil
}

func (s *Server) handleCollection(w http.ResponseWriter, insert bool, body []byte) {
	var req struct {
		AllOrNone bool                         `json:"allOrNone"`
		Records   []map[string]json.RawMessage `json:"records"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "JSON_PARSER_ERROR", "The request body is not an sObject Collections request: "+shortText(err.Error()))
		return
	}
	if len(req.Records) > maxCollection {
		// The documented limit; the error code is orgsim's (the sources
		// at hand do not give Salesforce's for a POST or PATCH).
		writeError(w, http.StatusBadRequest, "EXCEEDED_ID_LIMIT",
			fmt.Sprintf("The number of records (%d) exceeds the limit of %d records in one request.", len(req.Records), maxCollection))
		return
	}
	recs := make([]writeRecord, len(req.Records))
	res := make([]saveResult, len(req.Records))
	bad := make([]bool, len(req.Records))
	for i, f := range req.Records {
		var attrs struct {
			Type string `json:"type"`
		}
		if a, ok := f["attributes"]; ok {
			_ = json.Unmarshal(a, &attrs)
		}
		delete(f, "attributes")
		recs[i] = writeRecord{object: attrs.Type, fields: f}
		if attrs.Type == "" {
			res[i] = failed(fieldError("INVALID_TYPE", "Each record needs an attributes map with its type."))
			bad[i] = true
			continue
		}
		if !insert {
			id, ok := stringValue(f["Id"])
			if !ok || id == "" {
				res[i] = failed(fieldError("MISSING_ARGUMENT", "Id not specified in an update call", "Id"))
				bad[i] = true
				continue
			}
			recs[i].id = id
			delete(f, "Id")
		} else if _, ok := f["Id"]; ok {
			res[i] = failed(fieldError("INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call", "Id"))
			bad[i] = true
		}
	}
	var good []writeRecord
	var at []int
	for i := range recs {
		if !bad[i] {
			good = append(good, recs[i])
			at = append(at, i)
		}
	}
	if req.AllOrNone && len(good) < len(recs) {
		good = nil // nothing is written: some records are malformed
	}
	done := s.commit(insert, req.AllOrNone, good)
	for j, i := range at {
		if j < len(done) {
			res[i] = done[j]
		} else {
			res[i] = rolledBack()
		}
	}
	if req.AllOrNone && slices.ContainsFunc(res, func(r saveResult) bool { return !r.Success }) {
		for i := range res {
			if res[i].Success {
				res[i] = rolledBack()
			}
		}
	}
	if s.loseAnswer() {
		dropConnection(w)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func failed(e *saveError) saveResult {
	return saveResult{Success: false, Errors: []saveError{*e}}
}

func rolledBack() saveResult {
	return failed(fieldError("ALL_OR_NONE_OPERATION_ROLLED_BACK",
		"Record rolled back because not all records were valid and the request was using AllOrNone header"))
}

// loseAnswer is the LostResponseEvery fault: the write committed, and its
// answer is lost.
func (s *Server) loseAnswer() bool {
	if s.opts.LostResponseEvery <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeSeq++
	if s.writeSeq%s.opts.LostResponseEvery != 0 {
		return false
	}
	s.stats.FaultsInjected[FaultLostResponse]++
	return true
}

// commit writes recs to the model, in order, each record by itself; with
// allOrNone, nothing is kept unless every record succeeds.
func (s *Server) commit(insert, allOrNone bool, recs []writeRecord) []saveResult {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	m := s.model
	m.own()
	var undo *org.Snapshot
	if allOrNone {
		undo = cloneWritable(m.snap)
	}
	out := make([]saveResult, len(recs))
	okAll := true
	for i, rec := range recs {
		var id string
		var e *saveError
		switch {
		case s.lockFault():
			e = fieldError("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record or 1 records: "+rec.id)
		case insert:
			id, e = m.insert(rec)
		default:
			id, e = rec.id, m.update(rec)
		}
		if e != nil {
			out[i] = failed(e)
			okAll = false
			continue
		}
		out[i] = saveResult{ID: &id, Success: true, Errors: []saveError{}}
	}
	if allOrNone && !okAll {
		m.snap = undo
	}
	s.data = nil
	s.mu.Lock()
	s.stats.Writes += len(recs)
	s.mu.Unlock()
	return out
}

// writeFault draws the WriteErrorRate fault for one write request.
func (s *Server) writeFault() bool {
	if s.opts.WriteErrorRate <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rng.Float64() >= s.opts.WriteErrorRate {
		return false
	}
	s.stats.FaultsInjected[FaultWriteError]++
	return true
}

// lockFault draws the LockErrorRate fault for one record.
func (s *Server) lockFault() bool {
	if s.opts.LockErrorRate <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rng.Float64() >= s.opts.LockErrorRate {
		return false
	}
	s.stats.FaultsInjected[FaultLockError]++
	return true
}

func stringValue(raw json.RawMessage) (string, bool) {
	if raw == nil {
		return "", false
	}
	var v *string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", false
	}
	if v == nil {
		return "", true
	}
	return *v, true
}

func boolValue(raw json.RawMessage) (bool, bool) {
	var v bool
	if err := json.Unmarshal(raw, &v); err != nil {
		return false, false
	}
	return v, true
}

func shortText(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// userFields are the User fields a write may set, besides ProfileId,
// UserRoleId, IsActive and IsPortalEnabled.
var userTextFields = append([]string{"Username"}, org.NewUserFieldNames[:]...)

func (m *model) userIndex(id string) int {
	return slices.IndexFunc(m.snap.Users, func(u org.User) bool { return id != "" && idEqual(u.ID, id) })
}

func (m *model) accountIndex(id string) int {
	return slices.IndexFunc(m.snap.Accounts, func(a org.Account) bool { return id != "" && idEqual(a.ID, id) })
}

func (m *model) profile(id string) *org.Profile {
	for i := range m.snap.Profiles {
		if idEqual(m.snap.Profiles[i].ID, id) {
			return &m.snap.Profiles[i]
		}
	}
	return nil
}

func (m *model) licenseRow(name string) *org.UserLicense {
	for i := range m.snap.Licenses {
		if strings.EqualFold(m.snap.Licenses[i].Name, name) {
			return &m.snap.Licenses[i]
		}
	}
	return nil
}

// takeSeat uses a seat of license name: LICENSE_LIMIT_EXCEEDED when it is
// full. Unknown counts take nothing.
func (m *model) takeSeat(name string) *saveError {
	l := m.licenseRow(name)
	if l == nil || l.TotalLicenses < 0 || l.UsedLicenses < 0 {
		return nil
	}
	if l.UsedLicenses >= l.TotalLicenses {
		return fieldError("LICENSE_LIMIT_EXCEEDED", "License Limit Exceeded: "+name)
	}
	l.UsedLicenses++
	return nil
}

func (m *model) freeSeat(name string) {
	if l := m.licenseRow(name); l != nil && l.UsedLicenses > 0 {
		l.UsedLicenses--
	}
}

// checkTarget applies the rules of a user moving to (or created with) a
// profile of license to, on account accountID: a partner license needs a
// partner account, a role-based one an account owner with a role.
func (m *model) checkTarget(to *rules.License, accountID string) *saveError {
	if to == nil {
		return nil
	}
	var acct *org.Account
	if i := m.accountIndex(accountID); i >= 0 {
		acct = &m.snap.Accounts[i]
	}
	if to.Kind == rules.Partner && to.RequiresRole && (acct == nil || !acct.IsPartner.IsTrue()) {
		// salesforce-facts.md section 5: partner users need an account
		// enabled as a partner account. The wording is orgsim's.
		return fieldError("FIELD_INTEGRITY_EXCEPTION",
			"The account is not enabled as a partner account: enable it (Account.IsPartner) before adding partner users.", "ProfileId")
	}
	if to.RequiresRole && acct != nil && !m.ownerHasRole(acct) {
		// salesforce-facts.md section 5 (blog.jeffdouglas.com 2010-09-02).
		return fieldError("UNKNOWN_EXCEPTION", "portal account owner must have a role")
	}
	return nil
}

func (m *model) ownerHasRole(a *org.Account) bool {
	if i := m.userIndex(a.OwnerID); i >= 0 {
		return m.snap.Users[i].RoleID != ""
	}
	return !a.OwnerHasRole.IsFalse()
}

// giveRole sets u's role to its account's lowest portal role of the
// license's portal type, creating the account's portal roles when it has
// none: salesforce-facts.md section 3 ("<Account Name> Customer User",
// Manager, Executive; roles are created bottom-up).
func (m *model) giveRole(u *org.User, to *rules.License) {
	pt := to.PortalType()
	if pt == "" || u.AccountID == "" {
		return
	}
	if u.RoleID != "" && u.RolePortalType == pt {
		return
	}
	var worker *org.Role
	for i := range m.snap.Roles {
		r := &m.snap.Roles[i]
		if idEqual(r.PortalAccountID, u.AccountID) && r.PortalType == pt && r.PortalRole == "Worker" {
			worker = r
		}
	}
	if worker == nil {
		kind := "Customer"
		if pt == org.PortalTypePartner {
			kind = "Partner"
		}
		for _, level := range []struct{ role, name string }{{"Worker", "User"}, {"Manager", "Manager"}, {"Executive", "Executive"}} {
			m.nextRole++
			m.snap.Roles = append(m.snap.Roles, org.Role{
				ID:   string(orggen.AppendID(nil, "00E", "SW", uint64(m.nextRole))),
				Name: u.AccountName + " " + kind + " " + level.name, PortalType: pt, PortalRole: level.role, PortalAccountID: u.AccountID})
		}
		m.snap.Has.Roles = true
		worker = &m.snap.Roles[len(m.snap.Roles)-3]
	}
	u.RoleID, u.RoleName, u.RolePortalType, u.RolePortalRole = worker.ID, worker.Name, worker.PortalType, worker.PortalRole
}

// roleByID returns the role with Id id, or nil.
func (m *model) roleByID(id string) *org.Role {
	for i := range m.snap.Roles {
		if idEqual(m.snap.Roles[i].ID, id) {
			return &m.snap.Roles[i]
		}
	}
	return nil
}

// dropAssignments removes a user's permission sets (not the profile's)
// and permission set licenses, as an upgrade to a role-based license does
// (000, introduction).
func (m *model) dropAssignments(userID string) {
	m.snap.PermissionSets = slices.DeleteFunc(m.snap.PermissionSets, func(a org.PermissionSetAssignment) bool {
		return idEqual(a.AssigneeID, userID) && !a.IsOwnedByProfile.IsTrue()
	})
	m.snap.PermissionSetLicenses = slices.DeleteFunc(m.snap.PermissionSetLicenses, func(a org.PermissionSetLicenseAssign) bool {
		return idEqual(a.AssigneeID, userID)
	})
}

func (m *model) usernameTaken(name string, except int) bool {
	for i, u := range m.snap.Users {
		if i != except && strings.EqualFold(u.Username, name) {
			return true
		}
	}
	return false
}

// msgDuplicateUsername is Salesforce's message (KB 000385306).
const msgDuplicateUsername = "Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address)."

func (m *model) update(rec writeRecord) *saveError {
	switch strings.ToLower(rec.object) {
	case "user":
		return m.updateUser(rec)
	case "account":
		return m.updateAccount(rec)
	}
	return m.noWrite(rec.object)
}

func (m *model) noWrite(object string) *saveError {
	if object == "" {
		return fieldError("INVALID_TYPE", "No sObject type given.")
	}
	return fieldError("INVALID_TYPE", "sObject type '"+object+"' is not supported by orgsim's writes.")
}

func (m *model) updateAccount(rec writeRecord) *saveError {
	i := m.accountIndex(rec.id)
	if i < 0 {
		return fieldError("NOT_FOUND", "Provided external ID field does not exist or is not accessible: "+rec.id)
	}
	a := &m.snap.Accounts[i]
	for name, raw := range rec.fields {
		switch strings.ToLower(name) {
		case "ispartner":
			if !m.snap.Has.AccountIsPartner {
				return fieldError("INVALID_FIELD", "No such column 'IsPartner' on sobject of type Account", "IsPartner")
			}
			v, ok := boolValue(raw)
			if !ok {
				return fieldError("JSON_PARSER_ERROR", "IsPartner takes true or false", "IsPartner")
			}
			a.IsPartner = org.TriOf(v)
			for j := range m.snap.Users {
				if idEqual(m.snap.Users[j].AccountID, a.ID) {
					m.snap.Users[j].AccountIsPartner = a.IsPartner
				}
			}
		case "ownerid":
			v, _ := stringValue(raw)
			oi := m.userIndex(v)
			if oi < 0 {
				return fieldError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "OwnerId")
			}
			owner := m.snap.Users[oi]
			a.OwnerID, a.OwnerRoleID, a.OwnerHasRole = owner.ID, owner.RoleID, org.TriOf(owner.RoleID != "")
			for j := range m.snap.Users {
				if idEqual(m.snap.Users[j].AccountID, a.ID) {
					m.snap.Users[j].AccountOwnerID = owner.ID
				}
			}
		default:
			return fieldError("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: "+name+".", name)
		}
	}
	return nil
}

func (m *model) updateUser(rec writeRecord) *saveError {
	i := m.userIndex(rec.id)
	if i < 0 {
		return fieldError("NOT_FOUND", "The requested resource does not exist")
	}
	u := m.snap.Users[i] // a copy: nothing is kept if a field fails
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range rec.fields {
			if !yield(k) {
				return
			}
		}
	})
	var seatTake, seatFree string
	upgradeTo := (*rules.License)(nil)
	for _, name := range names {
		raw := rec.fields[name]
		switch lname := strings.ToLower(name); {
		case lname == "profileid":
			v, _ := stringValue(raw)
			p := m.profile(v)
			if p == nil {
				return fieldError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "ProfileId")
			}
			if !strings.EqualFold(p.License, u.License) {
				if ok, msg := m.lr.inPlace(u.License, p.License); !ok {
					return fieldError("FIELD_INTEGRITY_EXCEPTION", msg, "ProfileId")
				}
				to := m.lr.license(p.License)
				if e := m.checkTarget(to, u.AccountID); e != nil {
					return e
				}
				if u.IsActive.IsTrue() {
					seatTake, seatFree = p.License, u.License
				}
				if from := m.lr.license(u.License); to != nil && to.RequiresRole && (from == nil || !from.RequiresRole) {
					upgradeTo = to
				}
				if to != nil && to.UserType != "" {
					u.UserType = to.UserType
				}
			}
			u.ProfileID, u.ProfileName, u.License = p.ID, p.Name, p.License
		case lname == "userroleid":
			v, _ := stringValue(raw)
			if v == "" {
				u.RoleID, u.RoleName, u.RolePortalType, u.RolePortalRole = "", "", "", ""
				continue
			}
			ri := slices.IndexFunc(m.snap.Roles, func(r org.Role) bool { return idEqual(r.ID, v) })
			if ri < 0 {
				return fieldError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "UserRoleId")
			}
			r := m.snap.Roles[ri]
			if (r.PortalType == org.PortalTypeNone || r.PortalType == "") != (u.ContactID == "") {
				return fieldError("FIELD_INTEGRITY_EXCEPTION", "role type must match user type", "UserRoleId")
			}
			u.RoleID, u.RoleName, u.RolePortalType, u.RolePortalRole = r.ID, r.Name, r.PortalType, r.PortalRole
		case lname == "isportalenabled":
			v, ok := boolValue(raw)
			if !ok {
				return fieldError("JSON_PARSER_ERROR", "IsPortalEnabled takes true or false", "IsPortalEnabled")
			}
			if v {
				if !u.IsPortalEnabled.IsTrue() {
					return fieldError("FIELD_INTEGRITY_EXCEPTION", "A disabled external user cannot be enabled again: enable its contact as a new user.", "IsPortalEnabled")
				}
				continue
			}
			if u.ContactID == "" && !u.IsPortalEnabled.IsTrue() {
				continue
			}
			// Disabling: "Salesforce deactivates them and invalidates their
			// usernames by renaming them" (Help, users_contactless_users_
			// downgrade_users.htm); the contact link is lost (facts §5).
			if u.IsActive.IsTrue() && seatFree == "" {
				seatFree = u.License
			}
			u.IsPortalEnabled, u.IsActive, u.ContactID = org.False, org.False, ""
			u.RoleID, u.RoleName, u.RolePortalType, u.RolePortalRole = "", "", "", ""
			u.Username = renamedUsername(u.ID, u.Username)
		case lname == "isactive":
			v, ok := boolValue(raw)
			if !ok {
				return fieldError("JSON_PARSER_ERROR", "IsActive takes true or false", "IsActive")
			}
			switch {
			case v && !u.IsActive.IsTrue():
				seatTake = u.License
			case !v && u.IsActive.IsTrue():
				seatFree = u.License
			}
			u.IsActive = org.TriOf(v)
		case slices.ContainsFunc(userTextFields, func(f string) bool { return strings.EqualFold(f, name) }):
			v, _ := stringValue(raw)
			if strings.EqualFold(name, "Username") {
				if v == "" || m.usernameTaken(v, i) {
					return fieldError("DUPLICATE_USERNAME", msgDuplicateUsername, "Username")
				}
				u.Username = v
				continue
			}
			if e := setNewUserField(&u, name, v); e != nil {
				return e
			}
		default:
			return fieldError("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: "+name+". Please check the security settings of this field and verify that it is read/write for your profile or permission set.", name)
		}
	}
	if seatTake != "" {
		if e := m.takeSeat(seatTake); e != nil {
			return e
		}
	}
	if seatFree != "" && seatFree != seatTake {
		m.freeSeat(seatFree)
	}
	if upgradeTo != nil {
		m.giveRole(&u, upgradeTo)
		m.dropAssignments(u.ID)
	}
	m.snap.Users[i] = u
	return nil
}

// renamedUsername is the username Salesforce gives a disabled user: made
// up and unique, so the old one is free (real orgs show names like
// "_ky66tqieyd@sqpiklbgvy.com", salesforce-facts.md section 5).
func renamedUsername(id, old string) string {
	h := sha256.Sum256([]byte(id + "\x00" + old))
	x := hex.EncodeToString(h[:])
	return "_" + x[:10] + "@" + x[10:20] + ".com"
}

func setNewUserField(u *org.User, name, v string) *saveError {
	vals := u.New.Values()
	for i, f := range org.NewUserFieldNames {
		if strings.EqualFold(f, name) {
			vals[i] = v
		}
	}
	nf, err := org.MakeNewUserFields(vals)
	if err != nil {
		return fieldError("STRING_TOO_LONG", "The user's fields are too long.", name)
	}
	u.New = nf
	return nil
}

func (m *model) insert(rec writeRecord) (string, *saveError) {
	switch strings.ToLower(rec.object) {
	case "user":
		return m.insertUser(rec)
	case "permissionsetassignment":
		return m.insertAssignment(rec)
	case "permissionsetlicenseassign":
		return m.insertLicenseAssignment(rec)
	}
	return "", m.noWrite(rec.object)
}

func (m *model) insertUser(rec writeRecord) (string, *saveError) {
	get := map[string]string{}
	for name, raw := range rec.fields {
		v, ok := stringValue(raw)
		if !ok {
			return "", fieldError("JSON_PARSER_ERROR", "Field "+name+" takes a string", name)
		}
		get[strings.ToLower(name)] = v
	}
	var missing []string
	for _, f := range []string{"Username", "ProfileId"} {
		if get[strings.ToLower(f)] == "" {
			missing = append(missing, f)
		}
	}
	for i, f := range org.NewUserFieldNames {
		if org.RequiredNewUserField(i) && get[strings.ToLower(f)] == "" {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return "", fieldError("REQUIRED_FIELD_MISSING", "Required fields are missing: ["+strings.Join(missing, ", ")+"]", missing...)
	}
	known := map[string]bool{"contactid": true, "profileid": true, "username": true, "userroleid": true}
	for _, f := range org.NewUserFieldNames {
		known[strings.ToLower(f)] = true
	}
	for name := range rec.fields {
		if !known[strings.ToLower(name)] {
			return "", fieldError("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: "+name+".", name)
		}
	}
	p := m.profile(get["profileid"])
	if p == nil {
		return "", fieldError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "ProfileId")
	}
	to := m.lr.license(p.License)
	contact := get["contactid"]
	accountID, hasContact := m.contacts[contact]
	if contact != "" && !hasContact {
		return "", fieldError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "ContactId")
	}
	if to != nil && to.Kind.External() && contact == "" {
		return "", fieldError("FIELD_INTEGRITY_EXCEPTION", "An external user needs a ContactId.", "ContactId")
	}
	if contact != "" {
		for _, u := range m.snap.Users {
			if idEqual(u.ContactID, contact) && u.IsActive.IsTrue() {
				return "", fieldError("PORTAL_USER_ALREADY_EXISTS_FOR_CONTACT", "portal user already exists for contact", "ContactId")
			}
		}
	}
	if m.usernameTaken(get["username"], -1) {
		return "", fieldError("DUPLICATE_USERNAME", msgDuplicateUsername, "Username")
	}
	if e := m.checkTarget(to, accountID); e != nil {
		return "", e
	}
	if e := m.takeSeat(p.License); e != nil {
		return "", e
	}
	var vals [org.NumNewUserFields]string
	for i, f := range org.NewUserFieldNames {
		vals[i] = get[strings.ToLower(f)]
	}
	nf, err := org.MakeNewUserFields(vals)
	if err != nil {
		m.freeSeat(p.License)
		return "", fieldError("STRING_TOO_LONG", "The user's fields are too long.")
	}
	m.nextUser++
	u := org.User{ID: string(orggen.AppendID(nil, "005", "SW", uint64(m.nextUser))), Username: get["username"],
		Name:      strings.TrimSpace(get["firstname"] + " " + get["lastname"]),
		ProfileID: p.ID, ProfileName: p.Name, License: p.License, ContactID: contact, AccountID: accountID,
		IsActive: org.True, IsPortalEnabled: org.TriOf(contact != ""), New: nf}
	if to != nil {
		u.UserType = to.UserType
	}
	if ai := m.accountIndex(accountID); ai >= 0 {
		a := m.snap.Accounts[ai]
		u.AccountName, u.AccountOwnerID, u.AccountIsPartner = a.Name, a.OwnerID, a.IsPartner
	}
	if roleID := get["userroleid"]; roleID != "" {
		// A role given on insert must be a portal role of the contact's
		// account, of the license's portal type (the message is orgsim's).
		r := m.roleByID(roleID)
		if r == nil || to == nil || !to.RequiresRole || !idEqual(r.PortalAccountID, accountID) || !strings.EqualFold(r.PortalType, to.PortalType()) {
			m.freeSeat(p.License)
			m.nextUser--
			return "", fieldError("FIELD_INTEGRITY_EXCEPTION", "The role is not a portal role of the user's account for this license.", "UserRoleId")
		}
		u.RoleID, u.RoleName, u.RolePortalType, u.RolePortalRole = r.ID, r.Name, r.PortalType, r.PortalRole
	} else if to != nil && to.RequiresRole {
		m.giveRole(&u, to)
	}
	m.snap.Users = append(m.snap.Users, u)
	return u.ID, nil
}

// insertAssignment assigns a permission set. Salesforce refuses one
// whose license (PermissionSet.LicenseId) the user lacks: a user license
// other than the user's, or a permission set license not assigned to the
// user (Help "User Licenses in Permission Sets"; the message is orgsim's,
// Salesforce's own names the permission). A profile-owned permission set
// cannot be assigned.
func (m *model) insertAssignment(rec writeRecord) (string, *saveError) {
	assignee, psID, err := m.assignmentFields(rec, "PermissionSetId")
	if err != nil {
		return "", err
	}
	for _, a := range m.snap.PermissionSets {
		if idEqual(a.PermissionSetID, psID) && idEqual(a.AssigneeID, assignee) {
			return "", fieldError("DUPLICATE_VALUE", "duplicate value found: AssigneeId duplicates value on record with id: "+a.PermissionSetID)
		}
	}
	var ps *org.PermissionSetAssignment
	for id, a := range m.permSets {
		if idEqual(id, psID) {
			ps = &a
			break
		}
	}
	if ps == nil {
		return "", fieldError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "PermissionSetId")
	}
	u := &m.snap.Users[m.userIndex(assignee)]
	name := cmp.Or(ps.PermissionSetName, ps.PermissionSetID)
	switch lic := ps.LicenseID; {
	case ps.IsOwnedByProfile.IsTrue():
		return "", fieldError("FIELD_INTEGRITY_EXCEPTION", "You can't assign or unassign this permission set because it's associated with a profile.", "PermissionSetId")
	case strings.HasPrefix(lic, "100"):
		if l := m.licenseRow(u.License); l == nil || !idEqual(l.ID, lic) {
			return "", fieldError("FIELD_INTEGRITY_EXCEPTION", "Can't assign permission set "+name+" to user "+u.Username+". The user license doesn't allow the permission set's license.", "PermissionSetId")
		}
	case strings.HasPrefix(lic, "0PL"):
		if !slices.ContainsFunc(m.snap.PermissionSetLicenses, func(a org.PermissionSetLicenseAssign) bool {
			return idEqual(a.AssigneeID, assignee) && idEqual(a.ID, lic)
		}) {
			return "", fieldError("FIELD_INTEGRITY_EXCEPTION", "Can't assign permission set "+name+" to user "+u.Username+". The user has no permission set license for it.", "PermissionSetId")
		}
	}
	m.snap.PermissionSets = append(m.snap.PermissionSets, org.PermissionSetAssignment{
		AssigneeID: assignee, PermissionSetID: ps.PermissionSetID, PermissionSetName: ps.PermissionSetName, IsOwnedByProfile: ps.IsOwnedByProfile, LicenseID: ps.LicenseID})
	m.snap.Has.PermissionSets = true
	m.nextPSA++
	return string(orggen.AppendID(nil, "0Pa", "SW", uint64(m.nextPSA))), nil
}

// insertLicenseAssignment assigns a permission set license the org knows.
func (m *model) insertLicenseAssignment(rec writeRecord) (string, *saveError) {
	assignee, pslID, err := m.assignmentFields(rec, "PermissionSetLicenseId")
	if err != nil {
		return "", err
	}
	var psl *org.PermissionSetLicenseAssign
	for id, a := range m.psls {
		if idEqual(id, pslID) {
			psl = &a
			break
		}
	}
	if psl == nil {
		return "", fieldError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "PermissionSetLicenseId")
	}
	for _, a := range m.snap.PermissionSetLicenses {
		if idEqual(a.ID, pslID) && idEqual(a.AssigneeID, assignee) {
			return "", fieldError("DUPLICATE_VALUE", "duplicate value found: AssigneeId duplicates value on record with id: "+a.ID)
		}
	}
	m.snap.PermissionSetLicenses = append(m.snap.PermissionSetLicenses, org.PermissionSetLicenseAssign{AssigneeID: assignee, Label: psl.Label, ID: psl.ID})
	m.snap.Has.PermissionSetLicenses = true
	m.nextPSLA++
	return string(orggen.AppendID(nil, "2LA", "SW", uint64(m.nextPSLA))), nil
}

// assignmentFields checks an assignment insert: AssigneeId, an existing
// user, and the Id field of what is assigned, and no other field.
func (m *model) assignmentFields(rec writeRecord, idField string) (assignee, id string, err *saveError) {
	assignee, _ = stringValue(rec.fields["AssigneeId"])
	id, _ = stringValue(rec.fields[idField])
	for name := range rec.fields {
		if name != "AssigneeId" && name != idField {
			return "", "", fieldError("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: "+name+".", name)
		}
	}
	if m.userIndex(assignee) < 0 {
		return "", "", fieldError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "AssigneeId")
	}
	return assignee, id, nil
}
