package main

// The curated content of the demo org. Every user, account, role and
// permission set is listed here; main.go turns the tables into a snapshot
// with deterministic Ids. Comments on users say which plan outcome their
// target is meant to show.

// License names, as UserLicense.Name reports them.
const (
	lSalesforce     = "Salesforce"
	lPlatform       = "Salesforce Platform"
	lOneApp         = "Force.com - One App"
	lChatterOnly    = "Chatter Only"
	lKnowledgeOnly  = "Knowledge Only"
	lSiteforceOnly  = "Siteforce Only"
	lContentOnly    = "Content Only"
	lWorkDotCom     = "Work.com Only"
	lChatterFree    = "Chatter Free"
	lChatterExt     = "Chatter External"
	lCC             = "Customer Community"
	lCCLogin        = "Customer Community Login"
	lHVCP           = "High Volume Customer Portal"
	lOverageHVCP    = "Overage High Volume Customer Portal"
	lAuthWebsite    = "Authenticated Website"
	lOverageAuthWeb = "Overage Authenticated Website"
	lExtIdentity    = "External Identity"
	lExtApps        = "External Apps"
	lCCPlus         = "Customer Community Plus"
	lCCPlusLogin    = "Customer Community Plus Login"
	lCPMCustom      = "Customer Portal Manager Custom"
	lCPMStandard    = "Customer Portal Manager Standard"
	lOverageCPMCust = "Overage Customer Portal Manager Custom"
	lOverageCPMStd  = "Overage Customer Portal Manager Standard"
	lPC             = "Partner Community"
	lPCLogin        = "Partner Community Login"
	lPartner        = "Partner"
	lGold           = "Gold Partner"
	lSilver         = "Silver Partner"
	lBronze         = "Bronze Partner"

	// lLegacy is not in the catalog: the planner cannot know it.
	lLegacy = "Legacy Widget Portal"

	// lGuest is the license of a site's guest user.
	lGuest = "Guest User License"
)

// Profiles that are not the standard profile of their license.
const (
	pSysAdmin    = "System Administrator"
	pPartnerAdm  = "Custom: Partner Portal Admin"
	pLegacy      = "Legacy Widget Portal User"
	pGuest       = "Partner Support Site Profile"
	pCCUser      = "Customer Community User"
	pCCLoginUser = "Customer Community Login User"
	pCCPlusUser  = "Customer Community Plus User"
	pPCUser      = "Partner Community User"
	pStdUser     = "Standard User"
	pStdPlatform = "Standard Platform User"
)

// Permission sets (API names) and permission set licenses (MasterLabel).
const (
	psCaseViewAll     = "Case_View_All_Support_Leads"
	psAcctModifyAll   = "Account_Modify_All_Regional_Admin"
	psOppViewAll      = "Opportunity_View_All_Partners"
	psDealDesk        = "Deal_Desk_Modify_All"
	psKnowledge       = "Community_Knowledge_Reader"
	psCaseSubmit      = "Self_Service_Case_Submit"
	psPartnerLeads    = "Partner_Lead_Management"
	psDealReg         = "Partner_Deal_Registration"
	psSalesOps        = "Sales_Operations"
	psServiceConsole  = "Service_Console_User"
	pslEinstein       = "Sales Cloud Einstein"
	pslCPQ            = "Salesforce CPQ License"
	pslCommerce       = "B2B Commerce Buyer"
	pslLoyalty        = "Loyalty Management - Customer Community"
	pslChannelRevenue = "Channel Revenue Management"
)

// Portal role levels, lowest first.
const (
	worker = iota + 1
	manager
	executive
)

type license struct {
	name, key, userType string
	// total is TotalLicenses; 0 means "plenty": the used seats plus
	// generous headroom. free, when set, is the exact number of free seats.
	total, free int
}

// licenses is every UserLicense row. Customer Community Plus and Partner
// Community have too few free seats for the users the demo moves in.
var licenses = []license{
	{name: lSalesforce, key: "SFDC", userType: "Standard"},
	{name: lPlatform, key: "AUL", userType: "Standard"},
	{name: lOneApp, key: "FDC_ONE", userType: "Standard"},
	{name: lChatterOnly, key: "PID_CHATTER", userType: "Standard"},
	{name: lKnowledgeOnly, key: "PID_KNOWLEDGE", userType: "Standard"},
	{name: lSiteforceOnly, userType: "Standard"},
	{name: lContentOnly, key: "PID_CONTENT", userType: "Standard"},
	{name: lWorkDotCom, userType: "Standard"},
	{name: lChatterFree, userType: "CsnOnly", total: 5000},
	{name: lChatterExt, userType: "CsnOnly", total: 500},
	{name: lCC, key: "PID_Customer_Community", userType: "CspLitePortal", total: 500},
	{name: lCCLogin, key: "PID_Customer_Community_Login", userType: "CspLitePortal", total: 250},
	{name: lHVCP, userType: "CspLitePortal"},
	{name: lOverageHVCP, key: "PID_Overage_High Volume Customer Portal", userType: "CspLitePortal"},
	{name: lAuthWebsite, key: "Platform_Portal_User", userType: "CspLitePortal"},
	{name: lOverageAuthWeb, key: "Overage_Platform_Portal_User", userType: "CspLitePortal"},
	{name: lExtIdentity, userType: "CspLitePortal", total: 1000},
	{name: lExtApps, userType: "CspLitePortal"},
	{name: lCCPlus, key: "PID_Customer_Community_Plus", userType: "PowerCustomerSuccess", free: 3},
	{name: lCCPlusLogin, key: "PID_Customer_Community_Plus_Login", userType: "PowerCustomerSuccess", total: 25},
	{name: lCPMCustom, key: "PID_Customer_Portal_Standard", userType: "PowerCustomerSuccess"},
	{name: lCPMStandard, key: "PID_Customer_Portal_Basic", userType: "PowerCustomerSuccess"},
	{name: lOverageCPMCust, userType: "PowerCustomerSuccess"},
	{name: lOverageCPMStd, key: "PID_Overage_Customer_Portal_Basic", userType: "PowerCustomerSuccess"},
	{name: lPC, key: "PID_Partner_Community", userType: "PowerPartner", free: 4},
	{name: lPCLogin, key: "PID_Partner_Community_Login", userType: "PowerPartner"},
	{name: lPartner, key: "POWER_PRM", userType: "PowerPartner"},
	{name: lGold, key: "PID_STRATEGIC_PRM", userType: "PowerPartner"},
	{name: lSilver, userType: "PowerPartner"},
	{name: lBronze, userType: "PowerPartner"},
	{name: lLegacy, key: "PID_Legacy_Widget_Portal", userType: "CspLitePortal", total: 10},
	{name: lGuest, userType: "Guest", total: 25},
}

type profile struct {
	name, license string
	perms         []objPerm // object permissions of its profile-owned permission set
}

type objPerm struct {
	object             string
	viewAll, modifyAll bool
}

var (
	read      = func(o string) objPerm { return objPerm{object: o} }
	viewAll   = func(o string) objPerm { return objPerm{object: o, viewAll: true} }
	modifyAll = func(o string) objPerm { return objPerm{object: o, viewAll: true, modifyAll: true} }
)

// profiles is every Profile row: the standard profile of each license
// except Customer Community Plus Login, which deliberately has none, plus a
// custom Gold Partner profile and the System Administrator.
var profiles = []profile{
	{pSysAdmin, lSalesforce, []objPerm{modifyAll("Account"), modifyAll("Contact"), modifyAll("Case"), modifyAll("Opportunity")}},
	{pStdUser, lSalesforce, []objPerm{read("Account"), read("Contact"), read("Opportunity"), read("Case")}},
	{pStdPlatform, lPlatform, []objPerm{read("Account"), read("Contact")}},
	{"Force.com - One App User", lOneApp, nil},
	{"Chatter Only User", lChatterOnly, nil},
	{"Knowledge Only User", lKnowledgeOnly, nil},
	{"Siteforce Only User", lSiteforceOnly, nil},
	{"Content Only User", lContentOnly, nil},
	{"Work.com Only User", lWorkDotCom, nil},
	{"Chatter Free User", lChatterFree, nil},
	{"Chatter External User", lChatterExt, nil},
	{pCCUser, lCC, []objPerm{read("Account"), read("Case")}},
	{pCCLoginUser, lCCLogin, []objPerm{read("Case")}},
	{"High Volume Customer Portal User", lHVCP, []objPerm{read("Case")}},
	{"Overage High Volume Customer Portal User", lOverageHVCP, []objPerm{read("Case")}},
	{"Authenticated Website", lAuthWebsite, nil},
	{"Overage Authenticated Website User", lOverageAuthWeb, nil},
	{"External Identity User", lExtIdentity, nil},
	{"External Apps User", lExtApps, nil},
	{pCCPlusUser, lCCPlus, []objPerm{read("Account"), read("Case"), read("Contact")}},
	// The one profile-owned permission set with View All Records.
	{"Customer Portal Manager Custom", lCPMCustom, []objPerm{read("Account"), viewAll("Case")}},
	{"Customer Portal Manager Standard", lCPMStandard, []objPerm{read("Case")}},
	{"Overage Customer Portal Manager Custom", lOverageCPMCust, []objPerm{read("Case")}},
	{"Overage Customer Portal Manager Standard", lOverageCPMStd, []objPerm{read("Case")}},
	{pPCUser, lPC, []objPerm{read("Lead"), read("Opportunity")}},
	{"Partner Community Login User", lPCLogin, []objPerm{read("Lead")}},
	{"Partner User", lPartner, []objPerm{read("Lead")}},
	{"Gold Partner User", lGold, []objPerm{read("Lead"), read("Opportunity")}},
	{pPartnerAdm, lGold, []objPerm{read("Lead"), read("Opportunity"), read("Account")}},
	{"Silver Partner User", lSilver, []objPerm{read("Lead")}},
	{"Bronze Partner User", lBronze, []objPerm{read("Lead")}},
	{pLegacy, lLegacy, nil},
	{pGuest, lGuest, nil},
}

type permSet struct {
	name  string
	perms []objPerm
	// license is the user license the permission set needs
	// (PermissionSet.LicenseId), "" for none.
	license string
}

var customPermSets = []permSet{
	{psCaseViewAll, []objPerm{viewAll("Case")}, ""},
	{psAcctModifyAll, []objPerm{modifyAll("Account")}, ""},
	{psOppViewAll, []objPerm{viewAll("Opportunity")}, ""},
	{psDealDesk, []objPerm{modifyAll("Opportunity"), modifyAll("Quote")}, ""},
	{psKnowledge, []objPerm{read("Knowledge__kav")}, lCC},
	{psCaseSubmit, []objPerm{read("Case")}, ""},
	{psPartnerLeads, []objPerm{read("Lead")}, lPC},
	{psDealReg, []objPerm{read("Opportunity")}, lPC},
	{psSalesOps, []objPerm{viewAll("Account"), read("Opportunity")}, lSalesforce},
	{psServiceConsole, []objPerm{read("Case")}, lSalesforce},
}

// internalRoles is the internal role hierarchy (PortalType None).
var internalRoles = []string{
	"CEO", "VP Sales", "VP Customer Success", "Channel Manager", "Account Manager East",
	"Account Manager West", "Support Manager", "Support Agent", "Marketing Manager",
}

type user struct {
	name    string
	license string
	// profile is the profile name; "" is the standard profile of license.
	profile string
	// role is an internal role name (internal users) or a portal role level
	// (role-based external users; 0 = worker).
	role     string
	level    int
	inactive bool
	// username overrides the one made from name and the account's domain.
	username string
	permSets []string
	psls     []string
	// target and targetProfile make a row of targets.csv.
	target, targetProfile string
}

type account struct {
	name    string
	domain  string
	partner bool
	owner   string // name of an internal user
	// custRoles and partRoles are the number of customer and partner
	// portal roles the account already has (0-3).
	custRoles, partRoles int
	users                []user
}

// Hostile names: spreadsheet formulas and HTML in account and user names.
const (
	hyperlinkAccount = `=HYPERLINK("http://evil.example","Click")`
	scriptAccount    = `<script>alert(1)</script> Labs`
	quotedAccount    = `Acme "Quoted" Widgets, Inc.`
	pipeAccount      = `North | South Traders`
	plusAccount      = `+Plus Reseller Network`
	atAccount        = `@Home Services`
	dashAccount      = `-Dash Couriers`
	nonASCIIAccount  = `Société Lumière SARL`
)

const internalDomain = "acme.example.com"

var internalUsers = []user{
	{name: "Olivia Bennett", license: lSalesforce, profile: pSysAdmin, role: "CEO", psls: []string{pslEinstein}},
	{name: "Marcus Reed", license: lSalesforce, role: "VP Sales", permSets: []string{psSalesOps, psDealDesk}, psls: []string{pslEinstein}},
	{name: "Hannah Cho", license: lSalesforce, role: "Channel Manager", permSets: []string{psSalesOps}},
	{name: "Diego Alvarez", license: lSalesforce, role: "Account Manager East", psls: []string{pslCPQ}},
	// Another profile of her own license: change_profile.
	{name: "Priya Raman", license: lSalesforce, role: "Account Manager West", target: lSalesforce, targetProfile: pSysAdmin},
	// Owns Brightwater Outfitters without a role.
	{name: "Dana Whitfield", license: lSalesforce},
	{name: "Samuel Okafor", license: lSalesforce, role: "Support Manager", permSets: []string{psServiceConsole}},
	{name: "Grace Liu", license: lSalesforce, role: "VP Customer Success"},
	// Internal license change in place.
	{name: "Tom Becker", license: lSalesforce, role: "Account Manager East", psls: []string{pslCPQ}, target: lPlatform, targetProfile: pStdPlatform},
	// No conversion path from an internal to a partner license: recreate.
	{name: "Rachel Stein", license: lSalesforce, role: "Marketing Manager", permSets: []string{psDealDesk}, target: lPC},
	{name: "Kevin Walsh", license: lSalesforce, role: "Account Manager West", inactive: true},
	{name: "Nina Petrova", license: lPlatform, role: "Support Agent", permSets: []string{psServiceConsole}},
	{name: "Omar Haddad", license: lPlatform},
	{name: "Lena Fischer", license: lOneApp, role: "Support Agent"},
	{name: "Paul Murphy", license: lChatterOnly},
	{name: "Ingrid Larsen", license: lKnowledgeOnly, role: "Support Agent"},
	{name: "Hugo Moreau", license: lSiteforceOnly},
	{name: "Aisha Khan", license: lContentOnly, role: "Marketing Manager"},
	{name: "Ben Carter", license: lWorkDotCom},
	// Chatter Free to a community license: no path, recreate.
	{name: "Emma Walsh", license: lChatterFree, target: lCC},
	// Chatter Free to Salesforce: in place.
	{name: "Liam Byrne", license: lChatterFree, target: lSalesforce, targetProfile: pStdUser},
	{name: "Sofia Rossi", license: lChatterFree},
	{name: "Victor Santos", license: lChatterExt, username: "victor.santos@santos-consulting.example.com"},
}

// contactlessUser is an External Identity user with no contact and no account.
var contactlessUser = user{
	name: "Jordan Pike", license: lExtIdentity, username: "jordan.pike@mail.example.net",
	target: lCC, targetProfile: pCCUser,
}

// guestUser is the guest user of the partner support site, which a target
// names by mistake: no path (a guest user cannot be converted).
var guestUser = user{
	name: "Partner Support Site Guest User", license: lGuest, profile: pGuest,
	username: "partnersupport@acme-partners.force.com", target: lCC,
}

var accounts = []account{
	{
		name: "Globex Corporation", domain: "globex.example.com", owner: "Diego Alvarez", custRoles: 3,
		users: []user{
			// Upgrades to a role-based license on an account that has
			// roles; Lucia loses View All on cases and her permission set
			// license.
			{name: "Lucia Fernandez", license: lCC, permSets: []string{psCaseViewAll, psKnowledge}, psls: []string{pslCommerce}, target: lCCPlus, targetProfile: pCCPlusUser},
			{name: "Wei Zhang", license: lCC, permSets: []string{psCaseSubmit}, psls: []string{pslCommerce}, target: lCCPlus},
			{name: "Amelia Brooks", license: lCC, psls: []string{pslCommerce}},
			{name: "Noah Patel", license: lCC, permSets: []string{psCaseSubmit}},
			{name: "Isabella Moore", license: lCC, inactive: true},
			{name: "Ethan Wright", license: lCC},
			{name: "Mia Thompson", license: lCC, permSets: []string{psKnowledge}},
			{name: "Lucas Martin", license: lCC},
			{name: "Harper Lewis", license: lCC},
			{name: "Mason Clark", license: lCC},
			// Login license upgrade; loses Modify All on accounts.
			{name: "Ava Robinson", license: lCCLogin, permSets: []string{psAcctModifyAll}, target: lCCPlus, targetProfile: pCCPlusUser},
			{name: "Logan Hall", license: lCCLogin},
			{name: "Ella Young", license: lCCLogin},
			// Customer Portal Manager Custom: preset to Customer Community
			// Plus; their profile has View All on cases.
			{name: "Benjamin Scott", license: lCPMCustom, level: executive},
			{name: "Charlotte King", license: lCPMCustom, level: manager},
			// Down from Customer Community Plus: disable and re-enable.
			{name: "Henry Adams", license: lCCPlus, target: lCC, targetProfile: pCCUser},
			{name: "Abigail Baker", license: lCCPlus},
		},
	},
	{
		name: "Initech", domain: "initech.example.com", owner: "Priya Raman",
		users: []user{
			// No roles on the account yet: the upgrade creates them.
			{name: "Peter Gibbs", license: lCC, permSets: []string{psCaseViewAll}, psls: []string{pslLoyalty}, target: lCCPlus, targetProfile: pCCPlusUser},
			{name: "Samira Nasser", license: lCC, permSets: []string{psKnowledge}, target: lCCPlus},
			{name: "Joanna Rivera", license: lCC},
			{name: "Lawrence Tate", license: lCC},
			{name: "Nina Kowalski", license: lCC, psls: []string{pslLoyalty}},
			{name: "Carl Jensen", license: lCCLogin},
			{name: "Diane Foster", license: lCCLogin, inactive: true},
		},
	},
	{
		name: "Umbrella Health Systems", domain: "umbrellahealth.example.com", owner: "Diego Alvarez",
		users: []user{
			{name: "Alice Carter", license: lCCLogin, permSets: []string{psKnowledge}, target: lCCPlus},
			{name: "Jill Morgan", license: lCCLogin},
			{name: "Chris Redmond", license: lCCLogin},
			{name: "Claire Hudson", license: lCCLogin},
			{name: "Barry Whitman", license: lCCLogin},
			// In place, but the target profile belongs to another license.
			{name: "Martin Ochoa", license: lCC, target: lCCLogin, targetProfile: pPCUser},
			{name: "Sandra Petit", license: lCC},
		},
	},
	{
		name: "Stark Logistics", domain: "starklogistics.example.com", owner: "Priya Raman", custRoles: 3,
		users: []user{
			{name: "Virginia Holt", license: lCCPlus, level: executive, target: lCC, targetProfile: pCCUser},
			// No profile of Customer Community Plus Login exists.
			{name: "Harold Hogan", license: lCCPlus, level: manager, target: lCCPlusLogin},
			// Disable, enable the account as a partner account, enable as
			// a partner user.
			{name: "Owen Gallagher", license: lCCPlus, target: lPC, targetProfile: pPCUser},
			{name: "Fiona Walsh", license: lCCPlus, target: lCC},
			{name: "Yusuf Demir", license: lCCPlus, inactive: true},
			{name: "Greta Lindqvist", license: lCCPlus},
			{name: "Ravi Menon", license: lCCPlus},
			{name: "Theresa Clarke", license: lCPMStandard, level: manager},
			{name: "Colin Doyle", license: lCPMStandard},
		},
	},
	{
		// The account owner has no role.
		name: "Brightwater Outfitters", domain: "brightwater.example.com", owner: "Dana Whitfield",
		users: []user{
			{name: "Maya Singh", license: lCC, target: lCCPlus, targetProfile: pCCPlusUser},
			{name: "Caleb Turner", license: lCC},
			{name: "Zara Ahmed", license: lCC},
			{name: "Felix Braun", license: lCC},
		},
	},
	{
		name: "Soylent Foods", domain: "soylentfoods.example.com", owner: "Marcus Reed",
		users: []user{
			{name: "Gloria Mendes", license: lHVCP},
			{name: "Arthur Pryce", license: lHVCP},
			{name: "Beatrice Lowe", license: lHVCP, inactive: true},
			{name: "Desmond Hale", license: lHVCP},
			{name: "Eunice Park", license: lOverageHVCP},
			{name: "Franklin Ode", license: lOverageHVCP},
			{name: "Gavin Moss", license: lAuthWebsite},
			{name: "Helena Ruiz", license: lAuthWebsite},
			// The license is not in the catalog.
			{name: "Ivan Sokolov", license: lLegacy, profile: pLegacy, target: lCC},
		},
	},
	{
		// Not a partner account: upgrading to Partner Community needs it
		// enabled as one first.
		name: "Vandelay Industries", domain: "vandelay.example.com", owner: "Marcus Reed",
		users: []user{
			{name: "Art Delgado", license: lCC, permSets: []string{psAcctModifyAll}, target: lPC, targetProfile: pPCUser},
			{name: "Elaine Benton", license: lCC, target: lPC},
			{name: "George Costa", license: lCC},
			{name: "Jerome Seymour", license: lCC},
			// Customer Community Login to Partner Community: the two
			// source documents disagree.
			{name: "Newman Price", license: lCCLogin, target: lPC, targetProfile: pPCUser},
			{name: "Susan Ross", license: lCCLogin},
		},
	},
	{
		name: "Pied Piper Analytics", domain: "piedpiper.example.com", owner: "Priya Raman",
		users: []user{
			{name: "Monica Hall", license: lCC, permSets: []string{psOppViewAll}, target: lPC, targetProfile: pPCUser},
			{name: "Dinesh Chandra", license: lCC, target: lPC},
			{name: "Jared Dunn", license: lCC},
		},
	},
	{
		name: hyperlinkAccount, domain: "evil.example", owner: "Diego Alvarez",
		users: []user{
			{name: "Eve Mallory", license: lCC, target: lPC},
			{name: "Trent Oscar", license: lCC},
			{name: "Walter Grant", license: lCCLogin},
		},
	},
	{
		name: atAccount, domain: "athome.example.com", owner: "Priya Raman",
		users: []user{
			{name: "@Channel Bot", license: lCC, username: "channel.bot@athome.example.com"},
			{name: "Ruth Ellison", license: lCC},
			{name: "Samuel Grey", license: lCC},
			{name: "Tobias Reed", license: lAuthWebsite},
			{name: "Una Fitzgerald", license: lAuthWebsite},
			{name: "Vera Lang", license: lOverageAuthWeb},
			{name: "Wyatt Cole", license: lOverageAuthWeb},
		},
	},
	{
		name: dashAccount, domain: "dashcouriers.example.com", owner: "Marcus Reed",
		users: []user{
			{name: "-Dispatch Desk", license: lCCLogin, username: "dispatch.desk@dashcouriers.example.com"},
			{name: "Xavier Bloom", license: lCCLogin},
			{name: "Yara Haddad", license: lCCLogin},
			{name: "Zane Foster", license: lExtApps},
			{name: "Amara Obi", license: lExtApps},
			{name: "Bianca Romero", license: lExtIdentity},
			{name: "Cyrus Vahdat", license: lExtIdentity},
		},
	},
	{
		// Only Customer Community users, but the account kept one customer
		// role from an earlier Customer Portal user.
		name: scriptAccount, domain: "scriptlabs.example.com", owner: "Diego Alvarez", custRoles: 1,
		users: []user{
			{name: "Mallory <script>alert(1)</script>", license: lCC, username: "mallory+xss@scriptlabs.example.com",
				permSets: []string{psCaseViewAll}, target: lCCPlus, targetProfile: pCCPlusUser},
			{name: "Dmitri Volkov", license: lCC},
			{name: "Elif Yilmaz", license: lCC},
		},
	},
	{
		name: quotedAccount, domain: "acmewidgets.example.com", owner: "Priya Raman", custRoles: 2,
		users: []user{
			{name: `Bobby "Tables" O'Brien, Jr.`, license: lCCPlus, level: manager, username: "bobby.obrien@acmewidgets.example.com", target: lCC},
			{name: "Farah Nasser", license: lCCPlus},
			{name: "Gustavo Lima", license: lCCPlus},
			{name: "Hana Kobayashi", license: lCPMCustom, level: manager},
			{name: "Idris Bello", license: lCPMCustom},
			{name: "Jonas Berg", license: lOverageCPMCust},
			{name: "Keiko Tanaka", license: lOverageCPMStd},
		},
	},
	{
		name: pipeAccount, domain: "northsouth.example.com", owner: "Marcus Reed",
		users: []user{
			{name: "Leo Marchetti", license: lHVCP},
			{name: "Mina Park", license: lHVCP},
			{name: "Nils Andersen", license: lOverageHVCP},
			{name: `=cmd|' /C calc'!A0`, license: lCC, username: "calc@northsouth.example.com"},
			{name: "Oona Byrne", license: lCC, inactive: true},
		},
	},
	{
		name: nonASCIIAccount, domain: "societe-lumiere.example.fr", owner: "Grace Liu", custRoles: 3,
		users: []user{
			{name: "Zoë Åberg", license: lCC, username: "zoe.aberg@societe-lumiere.example.fr"},
			{name: "Chloé Dubois", license: lCC, username: "chloe.dubois@societe-lumiere.example.fr"},
			{name: "Jürgen Weiß", license: lCC, username: "juergen.weiss@societe-lumiere.example.fr"},
			{name: "José Muñoz", license: lCCPlus, level: executive, username: "jose.munoz@societe-lumiere.example.fr", target: lCC},
			{name: "Łukasz Wróbel", license: lCCPlus, username: "lukasz.wrobel@societe-lumiere.example.fr", target: lCCLogin, targetProfile: pCCLoginUser},
			{name: "Amélie Laurent", license: lExtIdentity, username: "amelie.laurent@societe-lumiere.example.fr"},
		},
	},
	{
		name: "Cyberdyne Systems", domain: "cyberdyne.example.com", owner: "Hannah Cho", partner: true, partRoles: 3,
		users: []user{
			{name: "Miles Dawson", license: lPC, level: executive, permSets: []string{psPartnerLeads, psDealReg}, psls: []string{pslChannelRevenue}},
			// Partner to customer: disable and re-enable.
			{name: "Sarah Connolly", license: lPC, level: manager, permSets: []string{psPartnerLeads}, target: lCC, targetProfile: pCCUser},
			{name: "Kyle Bennett", license: lPC},
			{name: "Tara Quinn", license: lPC, inactive: true},
			{name: "Umar Farouk", license: lPC, permSets: []string{psDealReg}},
			// Partner to internal: no path, recreate.
			{name: "Vince Harlow", license: lPCLogin, target: lPlatform, targetProfile: pStdPlatform},
			{name: "Wendy Cho", license: lPCLogin},
			{name: "Xander Price", license: lPCLogin},
		},
	},
	{
		name: "Tyrell Channel Partners", domain: "tyrellpartners.example.com", owner: "Hannah Cho", partner: true, partRoles: 3,
		users: []user{
			// Gold Partner: preset to Partner Community; loses View All on
			// opportunities.
			{name: "Eldon Tyler", license: lGold, profile: pPartnerAdm, level: executive, permSets: []string{psOppViewAll, psDealReg}, psls: []string{pslChannelRevenue}},
			// Partner to internal: no path, recreate.
			{name: "Priscilla Stratton", license: lGold, level: manager, target: lSalesforce, targetProfile: pStdUser},
			{name: "Roy Barton", license: lGold},
			{name: "Leon Kowal", license: lSilver},
			{name: "Zora Salo", license: lSilver},
			{name: "Irene Vasquez", license: lBronze},
			{name: "Jasper Holden", license: lBronze, inactive: true},
			{name: "Holden Marsh", license: lPartner, level: manager},
			{name: "Marietta Cole", license: lPartner},
		},
	},
	{
		// A partner account with customer users only and no roles yet.
		name: plusAccount, domain: "plusreseller.example.com", owner: "Hannah Cho", partner: true,
		users: []user{
			{name: "+44 Support Desk", license: lCC, username: "support.desk@plusreseller.example.com"},
			{name: "Quinn Harper", license: lCC, target: lPC, targetProfile: pPCUser},
			{name: "Rosa Jimenez", license: lCC},
			{name: "Stefan Novak", license: lCCLogin},
		},
	},
	{
		name: "Oscorp Solutions", domain: "oscorp.example.com", owner: "Marcus Reed", partner: true, partRoles: 2,
		users: []user{
			{name: "Norman Ogden", license: lPC, level: manager, permSets: []string{psPartnerLeads}},
			{name: "Harry Oswald", license: lPC, target: lCC},
			{name: "Gwen Stafford", license: lPC},
			{name: "Otto Ortega", license: lPC},
			{name: "Felicia Hart", license: lPCLogin},
			{name: "Max Dillard", license: lPCLogin},
		},
	},
	{
		name: "Northwind Integrators", domain: "northwind-int.example.com", owner: "Hannah Cho", partner: true, partRoles: 3,
		users: []user{
			{name: "Andrew Fuller", license: lPC, level: executive, permSets: []string{psDealReg}},
			{name: "Nancy Davolio", license: lPC, level: manager},
			{name: "Janet Leverling", license: lPC},
			{name: "Margaret Peacock", license: lPC},
			{name: "Steven Buchanan", license: lPCLogin, target: lCCLogin},
			{name: "Laura Callahan", license: lPCLogin},
			{name: "Robert King", license: lGold},
		},
	},
}
