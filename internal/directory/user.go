package directory

import "time"

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

// Attr returns the value of the named source attribute (case-insensitive;
// see [LookupUser]): a string, or a bool for accountEnabled. Empty strings
// and unknown names are absent (ok false): Entra does not provision null
// values. Names that are not built in are looked up among the extension
// attributes.
func (u *User) Attr(name string) (any, bool) {
	a, ok := LookupUser(name)
	if !ok {
		a = users.extension(name)
	}
	return a.Value(u)
}
