package directory

import "time"

// User is a directory user. ObjectID is immutable and unique; the
// userPrincipalName is unique but may change.
type User struct {
	ObjectID          string            `json:"objectId"`
	UserPrincipalName string            `json:"userPrincipalName"`
	Mail              string            `json:"mail,omitempty"`
	MailNickname      string            `json:"mailNickname,omitempty"`
	DisplayName       string            `json:"displayName,omitempty"`
	GivenName         string            `json:"givenName,omitempty"`
	Surname           string            `json:"surname,omitempty"`
	JobTitle          string            `json:"jobTitle,omitempty"`
	Department        string            `json:"department,omitempty"`
	EmployeeID        string            `json:"employeeId,omitempty"`
	Mobile            string            `json:"mobile,omitempty"`
	TelephoneNumber   string            `json:"telephoneNumber,omitempty"`
	StreetAddress     string            `json:"streetAddress,omitempty"`
	PostalCode        string            `json:"postalCode,omitempty"`
	Manager           string            `json:"manager,omitempty"` // the manager's ObjectID
	AccountEnabled    bool              `json:"accountEnabled"`
	Extensions        map[string]string `json:"extensions,omitempty"` // free extension attributes by name
	DeletedAt         *time.Time        `json:"deletedAt,omitempty"`  // set while soft-deleted
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
