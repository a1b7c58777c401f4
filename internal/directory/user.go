package directory

import (
	"strings"
	"time"
)

// User is a directory user. ObjectID is immutable and unique; the
// userPrincipalName is unique but may change.
type User struct {
	ObjectID          string
	UserPrincipalName string
	Mail              string
	MailNickname      string
	DisplayName       string
	GivenName         string
	Surname           string
	JobTitle          string
	Department        string
	EmployeeID        string
	Mobile            string
	TelephoneNumber   string
	StreetAddress     string
	PostalCode        string
	Manager           string // the manager's ObjectID
	AccountEnabled    bool
	Extensions        map[string]string // free extension attributes by name
	DeletedAt         *time.Time        // set while soft-deleted
}

// SoftDeleted reports whether the user is in the recycle bin.
func (u *User) SoftDeleted() bool { return u.DeletedAt != nil }

// UserAttributes lists the source attribute names [User.Attr] knows besides
// extension attributes, in Entra's spelling.
var UserAttributes = []string{
	"objectId", "userPrincipalName", "mail", "mailNickname", "displayName", "givenName", "surname",
	"jobTitle", "department", "employeeId", "mobile", "telephoneNumber", "streetAddress", "postalCode",
	"manager", "accountEnabled",
}

// Attr returns the value of the named source attribute (case-insensitive):
// a string, or a bool for accountEnabled. Empty strings and unknown names
// are absent (ok false): Entra does not provision null values. Names that
// are not built in are looked up among the extension attributes.
func (u *User) Attr(name string) (any, bool) {
	var s string
	switch strings.ToLower(name) {
	case "objectid":
		s = u.ObjectID
	case "userprincipalname":
		s = u.UserPrincipalName
	case "mail":
		s = u.Mail
	case "mailnickname":
		s = u.MailNickname
	case "displayname":
		s = u.DisplayName
	case "givenname":
		s = u.GivenName
	case "surname":
		s = u.Surname
	case "jobtitle":
		s = u.JobTitle
	case "department":
		s = u.Department
	case "employeeid":
		s = u.EmployeeID
	case "mobile":
		s = u.Mobile
	case "telephonenumber":
		s = u.TelephoneNumber
	case "streetaddress":
		s = u.StreetAddress
	case "postalcode":
		s = u.PostalCode
	case "manager":
		s = u.Manager
	case "accountenabled":
		return u.AccountEnabled, true
	default:
		s = extension(u.Extensions, name)
	}
	return s, s != ""
}

// extension finds an extension attribute by exact name, then ignoring case.
func extension(m map[string]string, name string) string {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
