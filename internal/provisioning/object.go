package provisioning

import (
	"strings"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/expr"
)

// Pseudo-attributes of the source objects (Entra's names), besides those
// of the directory's catalog.
const (
	attrSoftDeleted = "IsSoftDeleted"
	attrAppRoles    = "appRoleAssignments"
)

// Object is one source object as mappings see it: a user or a group plus
// what the cycle decided about its scope.
type Object struct {
	Type  ObjectType
	User  *directory.User  // set for TypeUser
	Group *directory.Group // set for TypeGroup
	// SoftDeleted is Entra's IsSoftDeleted: true when the object is not
	// assigned / out of scope, soft-deleted, or (users) accountEnabled=false.
	SoftDeleted bool
	// Roles is the pseudo-attribute appRoleAssignments: the app roles
	// given to a user by its direct assignment, then those of the assigned
	// groups it is a member of, directly or through nested groups (sorted,
	// without duplicates); for a group, its own assignment's role. An
	// assignment without a role gives none.
	Roles []string

	ev *expr.Env // built on the first expression evaluated; see env
}

// ID returns the source object id.
func (o *Object) ID() string {
	if o.Type == TypeUser {
		return o.User.ObjectID
	}
	return o.Group.ObjectID
}

// Display returns the identity shown in logs: the userPrincipalName of a
// user, the displayName of a group.
func (o *Object) Display() string {
	if o.Type == TypeUser {
		return o.User.UserPrincipalName
	}
	return o.Group.DisplayName
}

// Attr returns a source attribute by name, case-insensitively (see
// [directory.User.Attr] and [directory.Group.Attr], extensions included),
// plus Entra's pseudo-attributes IsSoftDeleted (a bool) and
// appRoleAssignments ([]string, null when there is none).
func (o *Object) Attr(name string) (any, bool) {
	switch {
	case strings.EqualFold(name, attrSoftDeleted):
		return o.SoftDeleted, true
	case strings.EqualFold(name, attrAppRoles):
		return o.Roles, len(o.Roles) > 0
	case o.Type == TypeUser:
		return o.User.Attr(name)
	}
	return o.Group.Attr(name)
}

// env is the expression environment of o: its attributes. One per
// object, built once for all of its mappings.
func (o *Object) env() *expr.Env {
	if o.ev == nil {
		o.ev = &expr.Env{Attr: o.Attr}
	}
	return o.ev
}
