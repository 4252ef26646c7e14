package orggen

// Word lists for people, accounts, roles, permission sets and permission set
// licenses. Changing any list changes every generated org.

var firstNames = [...]string{
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
	"David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
	"Thomas", "Sarah", "Charles", "Karen", "Daniel", "Lisa", "Matthew", "Nancy",
	"Anthony", "Betty", "Mark", "Sandra", "Steven", "Ashley", "Andrew", "Emily",
	"Joshua", "Michelle", "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah",
	"Timothy", "Stephanie", "Ronald", "Rebecca", "Jason", "Laura", "Ryan", "Sharon",
	"Jacob", "Cynthia", "Gary", "Kathleen", "Nicholas", "Amy", "Eric", "Angela",
	"Jonathan", "Helen", "Larry", "Anna", "Justin", "Brenda", "Scott", "Pamela",
	"Priya", "Aarav", "Mei", "Wei", "Hiroshi", "Yuki", "Fatima", "Omar",
	"Sofia", "Mateo", "Lucia", "Diego", "Ingrid", "Lars", "Anika", "Jonas",
	"Chloe", "Hugo", "Amara", "Kwame", "Leila", "Arjun", "Nadia", "Tomasz",
	"Olga", "Dmitri", "Aisha", "Kenji", "Elena", "Marco", "Freya", "Emeka",
}

var lastNames = [...]string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
	"Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
	"Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
	"Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
	"Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
	"Carter", "Roberts", "Patel", "Shah", "Chen", "Wang", "Tanaka", "Sato",
	"Okafor", "Mensah", "Khan", "Haddad", "Schmidt", "Muller", "Rossi", "Bianchi",
	"Novak", "Kowalski", "Larsen", "Nilsen", "Dubois", "Moreau", "Silva", "Santos",
	"Ivanova", "Petrov", "Kim", "Park", "Murphy", "Kelly", "Byrne", "Walsh",
	"Fischer", "Weber", "Jansen", "de Vries", "Eriksson", "Lindqvist", "Costa", "Ferreira",
	"Cohen", "Levi", "Ali", "Hussain", "Singh", "Kumar", "Reyes", "Cruz",
}

var accountPrefixes = [...]string{
	"Blue Ridge", "Northwind", "Summit", "Redwood", "Silver Lake", "Ironbridge", "Harbor", "Pinecrest",
	"Granite", "Cedar", "Lakeside", "Evergreen", "Pioneer", "Keystone", "Atlas", "Beacon",
	"Crescent", "Falcon", "Horizon", "Meridian", "Oakmont", "Prairie", "Quantum", "Riverbend",
	"Sterling", "Tidewater", "Union", "Vanguard", "Westfield", "Yellowstone", "Apex", "Bayview",
	"Coastal", "Delta", "Eastgate", "Frontier", "Golden Gate", "Highland", "Inland", "Juniper",
	"Kingsley", "Liberty", "Maple", "Northstar", "Orion", "Patriot", "Rockport", "Sequoia",
	"Trident", "Upland", "Valley", "Windmill", "Bright", "Clearwater", "Driftwood", "Emerald",
	"Foxhill", "Greystone", "Hawthorne", "Ivy",
}

var accountCores = [...]string{
	"Logistics", "Health", "Dental", "Foods", "Motors", "Energy", "Financial", "Insurance",
	"Manufacturing", "Pharma", "Retail", "Software", "Systems", "Telecom", "Construction", "Realty",
	"Biotech", "Analytics", "Aerospace", "Apparel", "Brewing", "Chemicals", "Consulting", "Devices",
	"Electric", "Engineering", "Farms", "Freight", "Furniture", "Hospitality", "Industries", "Labs",
	"Legal", "Marine", "Media", "Medical", "Metals", "Mining", "Networks", "Optics",
	"Packaging", "Plastics", "Power", "Robotics", "Security", "Solar", "Staffing", "Textiles",
	"Tools", "Water",
}

var accountSuffixes = [...]string{
	"Inc.", "LLC", "Ltd", "Group", "Corp.", "Co.", "GmbH", "S.A.", "Partners", "Holdings", "PLC", "AG",
}

// internalRoles is the internal role hierarchy (PortalType None).
var internalRoles = [...]string{
	"CEO", "CFO", "COO", "VP Sales", "VP Customer Success", "VP Channel Sales",
	"Sales Director Americas", "Sales Director EMEA", "Sales Director APAC",
	"Account Manager Americas", "Account Manager EMEA", "Account Manager APAC",
	"Channel Manager Americas", "Channel Manager EMEA", "Channel Manager APAC",
	"Customer Success Manager", "Support Manager", "Support Agent",
	"Marketing Manager", "Operations Analyst",
}

// Audiences of custom permission sets and permission set licenses.
const (
	forInternal = iota
	forCustomer
	forPartner
	forExternal // customer and partner users
	numAudiences
)

type objPerm struct {
	object    string
	viewAll   bool
	modifyAll bool
}

type permSetSpec struct {
	name     string
	audience int
	perms    []objPerm
}

var customPermSets = [...]permSetSpec{
	{"Sales_Operations", forInternal, []objPerm{{"Opportunity", true, true}, {"Account", true, false}}},
	{"Service_Supervisor", forInternal, []objPerm{{"Case", true, true}}},
	{"Marketing_User", forInternal, []objPerm{{"Campaign", false, false}, {"Lead", true, false}}},
	{"Knowledge_Author", forInternal, []objPerm{{"Knowledge__kav", false, false}}},
	{"Report_Builder", forInternal, nil},
	{"API_Integration", forInternal, []objPerm{{"Account", true, true}, {"Contact", true, true}}},
	{"Data_Export", forInternal, []objPerm{{"Account", true, false}, {"Contact", true, false}, {"Case", true, false}, {"Opportunity", true, false}}},
	{"Territory_Manager", forInternal, []objPerm{{"Account", true, false}}},
	{"Deal_Desk", forInternal, []objPerm{{"Opportunity", true, true}, {"Quote", true, true}}},
	{"CRM_Analytics_User", forInternal, nil},
	{"Field_Service_Dispatcher", forInternal, []objPerm{{"WorkOrder", true, false}, {"ServiceAppointment", true, true}}},
	{"CPQ_User", forInternal, []objPerm{{"Quote", false, false}}},
	{"Chatter_Groups_Admin", forInternal, nil},
	{"Lightning_Console_User", forInternal, nil},
	{"Sales_Cloud_Einstein", forInternal, nil},
	{"Community_Case_Access", forCustomer, []objPerm{{"Case", false, false}}},
	{"Community_Case_View_All", forCustomer, []objPerm{{"Case", true, false}}},
	{"Community_Knowledge_Reader", forCustomer, []objPerm{{"Knowledge__kav", false, false}}},
	{"Community_Account_Admin", forCustomer, []objPerm{{"Account", true, true}}},
	{"Customer_Order_Viewer", forCustomer, []objPerm{{"Order", true, false}}},
	{"Self_Service_Profile_Edit", forCustomer, []objPerm{{"Contact", false, false}}},
	{"Commerce_Buyer", forCustomer, []objPerm{{"Order", false, false}, {"Product2", false, false}}},
	{"Commerce_Buyer_Manager", forCustomer, []objPerm{{"Order", true, false}}},
	{"Loyalty_Member", forCustomer, nil},
	{"Partner_Lead_Management", forPartner, []objPerm{{"Lead", false, false}}},
	{"Partner_Deal_Registration", forPartner, []objPerm{{"Opportunity", false, false}}},
	{"Partner_Opportunity_View_All", forPartner, []objPerm{{"Opportunity", true, false}}},
	{"Partner_MDF_Requests", forPartner, nil},
	{"Partner_Account_Modify_All", forPartner, []objPerm{{"Account", true, true}}},
	{"Partner_Case_Escalation", forPartner, []objPerm{{"Case", true, false}}},
	{"Channel_Marketing_Assets", forPartner, []objPerm{{"ContentVersion", false, false}}},
	{"Community_Moderator", forExternal, nil},
	{"Event_Registration", forExternal, []objPerm{{"Event", false, false}}},
	{"Survey_Respondent", forExternal, nil},
	{"Warranty_Claims", forExternal, []objPerm{{"Asset", true, false}}},
	{"Files_Connect", forExternal, nil},
}

// permSetLicenses are PermissionSetLicense.MasterLabel values by audience.
var permSetLicenses = [numAudiences][]string{
	forInternal: {"Sales Cloud Einstein", "Salesforce CPQ License", "Field Service Dispatcher", "CRM Analytics Plus"},
	forCustomer: {"B2B Commerce Buyer", "Loyalty Management - Customer Community"},
	forPartner:  {"Partner Relationship Management", "Channel Revenue Management"},
	forExternal: {"Experience Cloud Member Analytics"},
}

// orgNames are Organization.Name values; the seed picks one.
var orgNames = [...]string{
	"Contoso Holdings", "Fabrikam Industries", "Northwind Traders", "Tailspin Manufacturing",
	"Wingtip Distribution", "Proseware Group", "Litware Services", "Adatum Corporation",
}
