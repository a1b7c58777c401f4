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

// Object is a directory object with attributes: a user or a group.
type Object interface{ User | Group }

// Attribute describes one attribute of a user or a group: the single
// description that [User.Attr] and [Group.Attr], the directory service's
// SetAttr and limits, the CSV importer's headers, the store's columns and
// the CLI help are derived from.
type Attribute[T Object] struct {
	// Name is Entra's source attribute name; it is also the attribute's
	// CSV header and admin API field. Lookups ignore case.
	Name string
	Type Type
	// Multi reports a multi-valued attribute: a group's members, whose
	// value is a []string of member ObjectIDs.
	Multi bool
	// Settable reports whether an update may set it by name (objectId
	// cannot be changed, a CSV import may give it for a new user; members
	// change through their own operations).
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

	field func(*T) any                // *string or *bool of a built-in one
	list  func(*T) []string           // the value of a multi-valued one
	ext   func(*T) *map[string]string // the extensions, of an extension one
}

// UserCatalog lists the built-in user attributes in Entra's order
// (objectId, the key, first); any other name starting with
// [ExtensionPrefix] is a free extension attribute.
var UserCatalog = []Attribute[User]{
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

// GroupCatalog lists the built-in group attributes (objectId first); any
// other name starting with [ExtensionPrefix] is a free extension attribute.
var GroupCatalog = []Attribute[Group]{
	{Name: "objectId", Type: String, Identifier: true, Column: "object_id", field: func(g *Group) any { return &g.ObjectID }},
	{Name: "displayName", Type: String, Settable: true, Identifier: true, Column: "display_name", field: func(g *Group) any { return &g.DisplayName }},
	{Name: "description", Type: String, Settable: true, Column: "description", field: func(g *Group) any { return &g.Description }},
	{Name: "mail", Type: String, Settable: true, Column: "mail", field: func(g *Group) any { return &g.Mail }},
	{Name: "mailNickname", Type: String, Settable: true, Column: "mail_nickname", field: func(g *Group) any { return &g.MailNickname }},
	{Name: "members", Type: String, Multi: true, list: func(g *Group) []string {
		ids := make([]string, len(g.Members))
		for i, m := range g.Members {
			ids[i] = m.ID
		}
		return ids
	}},
}

// UserAttributes lists the names of [UserCatalog], in its order.
var UserAttributes = func() []string {
	names := make([]string, len(UserCatalog))
	for i, a := range UserCatalog {
		names[i] = a.Name
	}
	return names
}()

// catalog indexes the attributes of one kind of object.
type catalog[T Object] struct {
	byName map[string]*Attribute[T] // by exact and by lower-case name
	ext    func(*T) *map[string]string
}

func newCatalog[T Object](attrs []Attribute[T], ext func(*T) *map[string]string) catalog[T] {
	c := catalog[T]{byName: make(map[string]*Attribute[T], 2*len(attrs)), ext: ext}
	for i := range attrs {
		a := &attrs[i]
		c.byName[a.Name], c.byName[strings.ToLower(a.Name)] = a, a
	}
	return c
}

var (
	users  = newCatalog(UserCatalog, func(u *User) *map[string]string { return &u.Extensions })
	groups = newCatalog(GroupCatalog, func(g *Group) *map[string]string { return &g.Extensions })
)

// lookup finds a built-in attribute by name, ignoring case, or makes the
// extension attribute a name starting with ExtensionPrefix names.
func (c catalog[T]) lookup(name string) (Attribute[T], bool) {
	if a, ok := c.byName[name]; ok {
		return *a, true
	}
	if a, ok := c.byName[strings.ToLower(name)]; ok {
		return *a, true
	}
	if IsExtension(name) {
		return c.extension(name), true
	}
	return Attribute[T]{}, false
}

// extension is the extension attribute name.
func (c catalog[T]) extension(name string) Attribute[T] {
	return Attribute[T]{Name: name, Type: String, Settable: true, ext: c.ext}
}

// LookupUser returns the user attribute named name (case-insensitive): a
// built-in one of [UserCatalog], or a free extension attribute for a name
// that starts with [ExtensionPrefix] and goes on.
func LookupUser(name string) (Attribute[User], bool) { return users.lookup(name) }

// LookupGroup returns the group attribute named name, as [LookupUser].
func LookupGroup(name string) (Attribute[Group], bool) { return groups.lookup(name) }

// IsExtension reports whether name is that of a free extension attribute.
func IsExtension(name string) bool {
	return len(name) > len(ExtensionPrefix) && strings.EqualFold(name[:len(ExtensionPrefix)], ExtensionPrefix)
}

// Field returns a pointer to a built-in single-valued attribute's field
// of obj (*string or *bool, by a.Type), or nil.
func (a *Attribute[T]) Field(obj *T) any {
	if a.field == nil {
		return nil
	}
	return a.field(obj)
}

// Value returns a's value of obj, typed: a string, a bool for a Boolean,
// a []string for a multi-valued attribute. An empty value is absent (ok
// false): Entra does not provision null values.
func (a *Attribute[T]) Value(obj *T) (v any, ok bool) {
	switch {
	case a.list != nil:
		l := a.list(obj)
		return l, len(l) > 0
	case a.ext != nil:
		s := extension(*a.ext(obj), a.Name)
		return s, s != ""
	}
	switch p := a.Field(obj).(type) {
	case *bool:
		return *p, true
	case *string:
		return *p, *p != ""
	}
	return nil, false
}

// Set sets a's value of obj: a string for a String attribute ("" clears
// it), a bool for a Boolean. It does not check a.Settable; a multi-valued
// attribute cannot be set.
func (a *Attribute[T]) Set(obj *T, v any) error {
	want := "a string"
	if a.Type == Boolean {
		want = "a boolean"
	}
	if a.ext != nil {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: want %s, not %T", a.Name, want, v)
		}
		setExtension(a.ext(obj), a.Name, s)
		return nil
	}
	switch p := a.Field(obj).(type) {
	case *bool:
		if b, ok := v.(bool); ok {
			*p = b
			return nil
		}
	case *string:
		if s, ok := v.(string); ok {
			*p = s
			return nil
		}
	default:
		return fmt.Errorf("%s cannot be set by name", a.Name)
	}
	return fmt.Errorf("%s: want %s, not %T", a.Name, want, v)
}

// setExtension stores an extension under the spelling already in use, if
// any, so names stay case-insensitive; "" deletes it.
func setExtension(m *map[string]string, name, value string) {
	for k := range *m {
		if strings.EqualFold(k, name) {
			name = k
			break
		}
	}
	if value == "" {
		delete(*m, name)
		return
	}
	if *m == nil {
		*m = map[string]string{}
	}
	(*m)[name] = value
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
