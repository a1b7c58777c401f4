package apitypes

import "time"

// User is a directory user as the API shows it (Entra ID's attribute
// names). Extensions holds free extension attributes by name.
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
	Manager           string            `json:"manager,omitempty"` // the manager's objectId
	AccountEnabled    bool              `json:"accountEnabled"`
	Extensions        map[string]string `json:"extensions,omitempty"`
	DeletedAt         *time.Time        `json:"deletedAt,omitempty"` // set while soft-deleted
	// Admin is whether the user holds the administrator role; set by GET
	// /users/{user} and PUT /users/{user}/admin only.
	Admin *bool `json:"admin,omitempty"`
}

// UserAttributes is the body of a user create or update: attribute names
// (case-insensitive, or extension_<name>) to strings, accountEnabled also
// to a boolean, null or "" to clear; "extensions" may hold extension
// attributes as an object of strings.
type UserAttributes map[string]any

// UserPage is a page of GET /users; Next, set when the page is full, is
// the after of the next page.
type UserPage struct {
	Users []User `json:"users"`
	Next  string `json:"next,omitempty"`
}

// ImportResult is the answer to a CSV import. Errors lists the first
// rejected rows; Failed counts them all.
type ImportResult struct {
	Rows     int           `json:"rows"`
	Imported int           `json:"imported"`
	Updated  int           `json:"updated"`
	Failed   int           `json:"failed"`
	Errors   []ImportError `json:"errors"`
}

// ImportError is one rejected CSV row.
type ImportError struct {
	Line              int    `json:"line"`
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
	Message           string `json:"message"`
}

// Group is a directory group. Members is set (possibly empty) in answers
// about one group, with each member's name; lists leave it out.
type Group struct {
	ObjectID     string            `json:"objectId"`
	DisplayName  string            `json:"displayName"`
	Description  string            `json:"description,omitempty"`
	Mail         string            `json:"mail,omitempty"`
	MailNickname string            `json:"mailNickname,omitempty"`
	Members      []Member          `json:"members,omitzero"`
	Extensions   map[string]string `json:"extensions,omitempty"`
	DeletedAt    *time.Time        `json:"deletedAt,omitempty"` // set while soft-deleted
}

// Member is a group member: a user or a group, with its name
// (userPrincipalName or displayName).
type Member struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // user or group
	Name string `json:"name,omitempty"`
}

// CreateGroup is the body of POST /groups.
type CreateGroup struct {
	ObjectID     string `json:"objectId,omitempty"`
	DisplayName  string `json:"displayName"`
	Description  string `json:"description,omitempty"`
	Mail         string `json:"mail,omitempty"`
	MailNickname string `json:"mailNickname,omitempty"`
}

// GroupPage is a page of GET /groups; Next as in UserPage.
type GroupPage struct {
	Groups []Group `json:"groups"`
	Next   string  `json:"next,omitempty"`
}

// MembersChange is the body of PATCH /groups/{group}/members: users by
// userPrincipalName or object id, groups by object id or displayName.
type MembersChange struct {
	Add    []string `json:"add,omitempty"`
	Remove []string `json:"remove,omitempty"`
}

// MembersChanged counts the members a MembersChange added and removed.
type MembersChanged struct {
	Added   int `json:"added"`
	Removed int `json:"removed"`
}

// App is an application.
type App struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CreateApp is the body of POST /apps.
type CreateApp struct {
	Name string `json:"name"`
}

// AppList is the answer of GET /apps.
type AppList struct {
	Apps []App `json:"apps"`
}

// Assignment assigns a user or a group (PrincipalKind) to an app, with
// the principal's name (userPrincipalName or displayName).
type Assignment struct {
	AppID         string `json:"appId"`
	PrincipalID   string `json:"principalId"`
	PrincipalKind string `json:"principalKind"`
	AppRoleID     string `json:"appRoleId,omitempty"`
	PrincipalName string `json:"principalName,omitempty"`
}

// AssignmentList is the answer of GET /apps/{app}/assignments.
type AssignmentList struct {
	Assignments []Assignment `json:"assignments"`
}

// Assign is the body of POST /apps/{app}/assignments: exactly one of a
// user (userPrincipalName or object id) and a group (displayName or
// object id), with an optional app role.
type Assign struct {
	User  string `json:"user,omitempty"`
	Group string `json:"group,omitempty"`
	Role  string `json:"role,omitempty"`
}
