package rules

// advice is what to do about each warning code: the mitigation a risk
// register gives it. Where the source documents say what to do, it says
// that; otherwise it is licenseplan's advice.
var advice = map[Code]string{
	SnapshotIncomplete:     "Export the org again (licenseplan snapshot, or the script from licenseplan query) and plan again before approving.",
	GuestUser:              "Leave the guest user as it is; create a real user for the person (self-registration, or a new contact and user).",
	NoConversionPath:       "Deactivate the user, create a new user identity, migrate the data and associate it with the new user record; tell the user about the new login.",
	Irreversible:           "Rehearse in a full sandbox first; confirm the target license and its seats before the window, since there is no way back.",
	FunctionalityLoss:      "Confirm with the business owner what the users lose; move the features they need to profiles or permission sets of the target license.",
	NewUserRecord:          "Transfer record ownership and history to the new user (follow-up steps); tell the users about the new login.",
	ModifyAllRecordsLost:   "Replace Modify All Records with sharing rules or sharing sets before the change.",
	ViewAllRecordsLost:     "Replace View All Records with sharing rules or sharing sets before the change.",
	UnknownLicense:         "Add the license to the catalog or a config override (rules.overrides), then plan again.",
	LicenseCapacity:        "Buy or free seats of the target license before the convert phase.",
	AccountOwnerNoRole:     "Give each account owner a role before any user on the account changes (the plan's assign_owner_role step; owner-roles in the config names the role).",
	PartnerAccountRequired: "Enable the account as a partner account before the users on it move (the plan's enable_partner_account step).",
	PermissionSetsRemoved:  "Assign the permission sets and permission set licenses again after the change (the plan's follow-up steps).",
	NoContact:              "Set the user's ContactId, or leave the user out of the targets; Salesforce refuses an external license without a contact.",
	TargetProfileMismatch:  "Name a profile of the target license in the targets file.",
	NoTargetProfile:        "Create a profile of the target license and name it in the targets file.",
	RoleRequired:           "Choose the role each user gets; without one Salesforce assigns the account's lowest role.",
	RoleCreated:            "Expect Salesforce to create the account's portal roles; check the role hierarchy after the first user moves.",
	ScaleLimit:             "Check that the target license's user limit covers the site's users now and as it grows.",
	SharingRecalculation:   "Run the change outside business hours; sharing recalculation can take a while in a large org.",
	GroupMembership:        "Check public groups and sharing that use All Customer Portal Users or All Partner Users.",
	SiteMembership:         "After the change, check that the users still reach their Experience Cloud sites.",
	SelfRegistrationSlower: "Configure micro-batching for large self-registrations.",
	InactiveUser:           "None needed; plan inactive users with --include-inactive if they must change too.",
}

// Advice returns what to do about c: its mitigation. A code outside the
// vocabulary has none.
func (c Code) Advice() string { return advice[c] }
