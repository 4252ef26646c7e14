package orggen

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/licenseplan/licenseplan/org"
)

// localeSettings are the time zone, locale, email encoding and language a
// generated user is given, one set per user in turn.
var localeSettings = [...][4]string{
	{"America/Los_Angeles", "en_US", "UTF-8", "en_US"},
	{"America/New_York", "en_US", "UTF-8", "en_US"},
	{"Europe/London", "en_GB", "UTF-8", "en_GB"},
	{"Europe/Paris", "fr_FR", "ISO-8859-1", "fr"},
	{"Europe/Berlin", "de_DE", "UTF-8", "de"},
	{"Asia/Tokyo", "ja_JP", "UTF-8", "ja"},
}

// NewUserFields returns the values of the fields a new user record for the same contact
// would copy from a generated user with this first and last name and
// username, the seq-th user of its org: the username as the email, an
// alias of the first name's initial and up to seven letters of the last
// name (Salesforce allows 8), a nickname unique in the org, and one of a
// few locale settings.
func NewUserFields(first, last, username string, seq int) [org.NumNewUserFields]string {
	var f [org.NumNewUserFields]string
	f[org.NewUserEmail] = username
	f[org.NewUserFirstName] = first
	f[org.NewUserLastName] = last
	f[org.NewUserAlias] = alias(first, last)
	f[org.NewUserCommunityNickname] = strings.ToLower(strings.ReplaceAll(first+last, " ", "")) + strconv.FormatInt(int64(seq), 36)
	ls := localeSettings[seq%len(localeSettings)]
	f[org.NewUserTimeZoneSidKey] = ls[0]
	f[org.NewUserLocaleSidKey] = ls[1]
	f[org.NewUserEmailEncodingKey] = ls[2]
	f[org.NewUserLanguageLocaleKey] = ls[3]
	return f
}

// alias is the first rune of first and the first runes of last, at most 8
// runes in all, lower case, without spaces.
func alias(first, last string) string {
	var b strings.Builder
	n := 0
	add := func(s string, max int) {
		for _, r := range strings.ToLower(s) {
			if n >= max {
				return
			}
			if r == ' ' || r == utf8.RuneError {
				continue
			}
			b.WriteRune(r)
			n++
		}
	}
	add(first, 1)
	add(last, 8)
	return b.String()
}
