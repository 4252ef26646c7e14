package orggen

// License is one license of the catalog the generator draws from.
type License struct {
	Name     string // UserLicense.Name
	Key      string // UserLicense.LicenseDefinitionKey
	UserType string // User.UserType of the license's users
	Profile  string // the standard profile of the license
}

// User.UserType values of the catalog's licenses.
const (
	Standard             = "Standard"
	CsnOnly              = "CsnOnly"
	CspLitePortal        = "CspLitePortal"
	PowerCustomerSuccess = "PowerCustomerSuccess"
	PowerPartner         = "PowerPartner"
)

// catalog lists every license in a fixed order; the index constants below
// name positions in it.
//
// Keys documented in salesforce-facts.md §2 are used as documented; the keys
// no source documents (Siteforce Only, Work.com Only, Chatter Free, Chatter
// External, High Volume Customer Portal, External Identity, External Apps,
// Overage Customer Portal Manager Custom, Silver and Bronze Partner) are left
// blank rather than invented.
var catalog = [...]License{
	licSalesforce:          {"Salesforce", "SFDC", Standard, "Standard User"},
	licPlatform:            {"Salesforce Platform", "AUL", Standard, "Standard Platform User"},
	licOneApp:              {"Force.com - One App", "FDC_ONE", Standard, "Force.com - One App User"},
	licChatterOnly:         {"Chatter Only", "PID_CHATTER", Standard, "Chatter Only User"},
	licKnowledgeOnly:       {"Knowledge Only", "PID_KNOWLEDGE", Standard, "Knowledge Only User"},
	licSiteforceOnly:       {"Siteforce Only", "", Standard, "Siteforce Only User"},
	licContentOnly:         {"Content Only", "PID_CONTENT", Standard, "Content Only User"},
	licWorkDotCom:          {"Work.com Only", "", Standard, "Work.com Only User"},
	licChatterFree:         {"Chatter Free", "", CsnOnly, "Chatter Free User"},
	licChatterExternal:     {"Chatter External", "", CsnOnly, "Chatter External User"},
	licCustomerCommunity:   {"Customer Community", "PID_Customer_Community", CspLitePortal, "Customer Community User"},
	licCustomerCommLogin:   {"Customer Community Login", "PID_Customer_Community_Login", CspLitePortal, "Customer Community Login User"},
	licHVCP:                {"High Volume Customer Portal", "", CspLitePortal, "High Volume Customer Portal User"},
	licOverageHVCP:         {"Overage High Volume Customer Portal", "PID_Overage_High Volume Customer Portal", CspLitePortal, "Overage High Volume Customer Portal User"},
	licAuthWebsite:         {"Authenticated Website", "Platform_Portal_User", CspLitePortal, "Authenticated Website"},
	licOverageAuthWebsite:  {"Overage Authenticated Website", "Overage_Platform_Portal_User", CspLitePortal, "Overage Authenticated Website User"},
	licExternalIdentity:    {"External Identity", "", CspLitePortal, "External Identity User"},
	licExternalApps:        {"External Apps", "", CspLitePortal, "External Apps User"},
	licCustomerCommPlus:    {"Customer Community Plus", "PID_Customer_Community_Plus", PowerCustomerSuccess, "Customer Community Plus User"},
	licCustomerCommPlusLgn: {"Customer Community Plus Login", "PID_Customer_Community_Plus_Login", PowerCustomerSuccess, "Customer Community Plus Login User"},
	licCPMCustom:           {"Customer Portal Manager Custom", "PID_Customer_Portal_Standard", PowerCustomerSuccess, "Customer Portal Manager Custom"},
	licCPMStandard:         {"Customer Portal Manager Standard", "PID_Customer_Portal_Basic", PowerCustomerSuccess, "Customer Portal Manager Standard"},
	licOverageCPMCustom:    {"Overage Customer Portal Manager Custom", "", PowerCustomerSuccess, "Overage Customer Portal Manager Custom"},
	licOverageCPMStandard:  {"Overage Customer Portal Manager Standard", "PID_Overage_Customer_Portal_Basic", PowerCustomerSuccess, "Overage Customer Portal Manager Standard"},
	licPartnerCommunity:    {"Partner Community", "PID_Partner_Community", PowerPartner, "Partner Community User"},
	licPartnerCommunityLgn: {"Partner Community Login", "PID_Partner_Community_Login", PowerPartner, "Partner Community Login User"},
	licPartner:             {"Partner", "POWER_PRM", PowerPartner, "Partner User"},
	licGoldPartner:         {"Gold Partner", "PID_STRATEGIC_PRM", PowerPartner, "Gold Partner User"},
	licSilverPartner:       {"Silver Partner", "", PowerPartner, "Silver Partner User"},
	licBronzePartner:       {"Bronze Partner", "", PowerPartner, "Bronze Partner User"},
}

const (
	licSalesforce = iota
	licPlatform
	licOneApp
	licChatterOnly
	licKnowledgeOnly
	licSiteforceOnly
	licContentOnly
	licWorkDotCom
	licChatterFree
	licChatterExternal
	licCustomerCommunity
	licCustomerCommLogin
	licHVCP
	licOverageHVCP
	licAuthWebsite
	licOverageAuthWebsite
	licExternalIdentity
	licExternalApps
	licCustomerCommPlus
	licCustomerCommPlusLgn
	licCPMCustom
	licCPMStandard
	licOverageCPMCustom
	licOverageCPMStandard
	licPartnerCommunity
	licPartnerCommunityLgn
	licPartner
	licGoldPartner
	licSilverPartner
	licBronzePartner
	numLicenses

	// firstExternal is the first license whose users sit on accounts.
	firstExternal = licCustomerCommunity
)

// Catalog returns the license catalog: every license the generator uses, in
// a fixed order (internal, Chatter, customer, role-based customer, partner).
func Catalog() []License {
	out := make([]License, numLicenses)
	copy(out, catalog[:])
	return out
}

// roleBased reports whether users of license l need a portal role.
func roleBased(l int) bool { return l >= licCustomerCommPlus }

// partnerLicense reports whether l is a PowerPartner license.
func partnerLicense(l int) bool { return l >= licPartnerCommunity }

const (
	base62   = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	idSuffix = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
)

// AppendID appends an 18-character Salesforce Id to dst: the 3-character key
// prefix (005 User, 001 Account, ...), the 2-character pod, a reserved "0",
// n in 9 base-62 digits, and the 3-character case-safe checksum Salesforce
// adds to 15-character Ids. prefix and pod must be ASCII of lengths 3 and 2.
func AppendID(dst []byte, prefix, pod string, n uint64) []byte {
	start := len(dst)
	dst = append(dst, prefix...)
	dst = append(dst, pod...)
	dst = append(dst, '0')
	var digits [9]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = base62[n%62]
		n /= 62
	}
	dst = append(dst, digits[:]...)
	id := dst[start:]
	for chunk := 0; chunk < 3; chunk++ {
		flags := 0
		for j := 0; j < 5; j++ {
			if c := id[chunk*5+j]; c >= 'A' && c <= 'Z' {
				flags |= 1 << j
			}
		}
		dst = append(dst, idSuffix[flags])
	}
	return dst
}
