package directory

import (
	"fmt"
	"strings"
)

// Type is the value type of a user attribute.
type Type string

// Attribute value types.
const (
	String  Type = "string"  // a string; empty is absent
	Boolean Type = "boolean" // a bool, always present
)

// ExtensionPrefix starts the name of a free extension attribute (Entra's
// directory extensions are named extension_<appId>_<name>).
const ExtensionPrefix = "extension_"

// Attribute describes one user attribute: the single description that
// [User.Attr], the directory service's SetAttr, the CSV importer's
// headers, the store's columns and the CLI help are derived from.
type Attribute struct {
	// Name is Entra's source attribute name; it is also the attribute's
	// CSV header and admin API field. Lookups ignore case.
	Name string
	Type Type
	// Multi reports a multi-valued attribute (none of the built-in ones
	// is; the expression language of the next issue will ask).
	Multi bool
	// Settable reports whether an update may set it (objectId cannot be
	// changed; a CSV import may give it for a new user).
	Settable bool
	// Identifier reports a string held to the limits of an identifier
	// (scim.CheckIdentifier) instead of free text.
	Identifier bool
	// Column is the store's column for it ("" for an extension attribute,
	// kept in the extensions document); Nullable ones store empty as NULL.
	Column   string
	Nullable bool
	// Help is the CLI help text of an attribute whose name does not say
	// it all.
	Help string

	field func(*User) any // *string or *bool; nil for an extension attribute
}

// UserCatalog lists the built-in user attributes in Entra's order; any
// other name starting with [ExtensionPrefix] is a free extension attribute.
var UserCatalog = []Attribute{
	{Name: "objectId", Type: String, Identifier: true, Column: "object_id", field: func(u *User) any { return &u.ObjectID }},
	{Name: "userPrincipalName", Type: String, Settable: true, Identifier: true, Column: "upn", field: func(u *User) any { return &u.UserPrincipalName }},
	{Name: "mail", Type: String, Settable: true, Column: "mail", field: func(u *User) any { return &u.Mail }},
	{Name: "mailNickname", Type: String, Settable: true, Column: "mail_nickname", field: func(u *User) any { return &u.MailNickname }},
	{Name: "displayName", Type: String, Settable: true, Column: "display_name", field: func(u *User) any { return &u.DisplayName }},
	{Name: "givenName", Type: String, Settable: true, Column: "given_name", field: func(u *User) any { return &u.GivenName }},
	{Name: "surname", Type: String, Settable: true, Column: "surname", field: func(u *User) any { return &u.Surname }},
	{Name: "jobTitle", Type: String, Settable: true, Column: "job_title", field: func(u *User) any { return &u.JobTitle }},
	{Name: "department", Type: String, Settable: true, Column: "department", field: func(u *User) any { return &u.Department }},
	{Name: "employeeId", Type: String, Settable: true, Column: "employee_id", field: func(u *User) any { return &u.EmployeeID }},
	{Name: "mobile", Type: String, Settable: true, Column: "mobile", field: func(u *User) any { return &u.Mobile }},
	{Name: "telephoneNumber", Type: String, Settable: true, Column: "telephone_number", field: func(u *User) any { return &u.TelephoneNumber }},
	{Name: "streetAddress", Type: String, Settable: true, Column: "street_address", field: func(u *User) any { return &u.StreetAddress }},
	{Name: "postalCode", Type: String, Settable: true, Column: "postal_code", field: func(u *User) any { return &u.PostalCode }},
	{Name: "manager", Type: String, Settable: true, Identifier: true, Column: "manager", Nullable: true,
		Help: "the manager's userPrincipalName or object id", field: func(u *User) any { return &u.Manager }},
	{Name: "accountEnabled", Type: Boolean, Settable: true, Column: "account_enabled",
		Help: "true/false", field: func(u *User) any { return &u.AccountEnabled }},
}

// UserAttributes lists the names of [UserCatalog], in its order.
var UserAttributes = func() []string {
	names := make([]string, len(UserCatalog))
	for i, a := range UserCatalog {
		names[i] = a.Name
	}
	return names
}()

// userByName indexes UserCatalog by exact and by lower-case name.
var userByName = func() map[string]*Attribute {
	m := make(map[string]*Attribute, 2*len(UserCatalog))
	for i := range UserCatalog {
		a := &UserCatalog[i]
		m[a.Name], m[strings.ToLower(a.Name)] = a, a
	}
	return m
}()

// LookupUser returns the user attribute named name (case-insensitive): a
// built-in one of [UserCatalog], or a free extension attribute for a name
// that starts with [ExtensionPrefix] and goes on.
func LookupUser(name string) (Attribute, bool) {
	if a, ok := userByName[name]; ok {
		return *a, true
	}
	if a, ok := userByName[strings.ToLower(name)]; ok {
		return *a, true
	}
	if IsExtension(name) {
		return Attribute{Name: name, Type: String, Settable: true}, true
	}
	return Attribute{}, false
}

// IsExtension reports whether name is that of a free extension attribute.
func IsExtension(name string) bool {
	return len(name) > len(ExtensionPrefix) && strings.EqualFold(name[:len(ExtensionPrefix)], ExtensionPrefix)
}

// Field returns a pointer to a built-in attribute's field of u (*string
// or *bool, by a.Type), or nil for an extension attribute.
func (a *Attribute) Field(u *User) any {
	if a.field == nil {
		return nil
	}
	return a.field(u)
}

// Value returns a's value of u, typed: a string, or a bool for a Boolean.
// An empty string is absent (ok false): Entra does not provision null
// values.
func (a *Attribute) Value(u *User) (v any, ok bool) {
	switch p := a.Field(u).(type) {
	case *bool:
		return *p, true
	case *string:
		return *p, *p != ""
	}
	s := extension(u.Extensions, a.Name)
	return s, s != ""
}

// Set sets a's value of u: a string for a String attribute ("" clears
// it), a bool for a Boolean. It does not check a.Settable.
func (a *Attribute) Set(u *User, v any) error {
	switch p := a.Field(u).(type) {
	case *bool:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("%s: want a boolean, not %T", a.Name, v)
		}
		*p = b
		return nil
	case *string:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: want a string, not %T", a.Name, v)
		}
		*p = s
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%s: want a string, not %T", a.Name, v)
	}
	setExtension(u, a.Name, s)
	return nil
}

// setExtension stores an extension under the spelling already in use, if
// any, so names stay case-insensitive; "" deletes it.
func setExtension(u *User, name, value string) {
	for k := range u.Extensions {
		if strings.EqualFold(k, name) {
			name = k
			break
		}
	}
	if value == "" {
		delete(u.Extensions, name)
		return
	}
	if u.Extensions == nil {
		u.Extensions = map[string]string{}
	}
	u.Extensions[name] = value
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

// UserAttrHelp describes the settable user attributes for command help,
// wrapped at width columns.
func UserAttrHelp(width int) string {
	words := strings.Fields("Attributes (Entra's names):")
	for i := range UserCatalog {
		a := &UserCatalog[i]
		if !a.Settable {
			continue
		}
		if a.Help != "" {
			words = append(words, a.Name, "("+a.Help+"),")
			continue
		}
		words = append(words, a.Name+",")
	}
	last := words[len(words)-1]
	words[len(words)-1] = strings.TrimSuffix(last, ",") + ";"
	words = append(words, strings.Fields("any other name is a free extension attribute.")...)
	var b strings.Builder
	n := 0
	for _, w := range words {
		switch {
		case n == 0:
		case n+1+len(w) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}
