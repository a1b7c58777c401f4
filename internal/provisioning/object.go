package provisioning

import (
	"strings"
	"sync"

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

	members *membership // the cycle's MEMBER_OF groups, for MemberOf
	// Roles is the pseudo-attribute appRoleAssignments: the app roles
	// given to a user by its direct assignment, then those of the assigned
	// groups it is a member of, directly or through nested groups (sorted,
	// without duplicates); for a group, its own assignment's role. An
	// assignment without a role gives none.
	Roles []string

	ev *expr.Env // while a mapping evaluates o: its environment (see bindEnv)
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

// MemberOf reports whether the object is a member of group, directly or
// through nested groups, where group is as a scoping filter's MEMBER_OF
// clause writes it (an object id or a display name; see loadMembership).
// It implements scoping.Object with Attr.
func (o *Object) MemberOf(group string) bool {
	return o.members.isMember(group, o.ID())
}

// env is the expression environment of o: its attributes.
func (o *Object) env() *expr.Env {
	if o.ev == nil {
		return &expr.Env{Attr: o.Attr} // outside bindEnv (a caller's own Value)
	}
	return o.ev
}

// cursorEnv is an expression environment reused from object to object:
// Attr reads the current object, so evaluating an object allocates no
// environment or closure.
type cursorEnv struct {
	cur *Object
	env expr.Env
}

func (c *cursorEnv) attr(name string) (any, bool) { return c.cur.Attr(name) }

var envs = sync.Pool{New: func() any {
	c := &cursorEnv{}
	c.env.Attr = c.attr
	return c
}}

// bindEnv gives o an expression environment from the pool (in effect one
// per planning worker) until unbindEnv.
func (o *Object) bindEnv() *cursorEnv {
	c := envs.Get().(*cursorEnv)
	c.cur, o.ev = o, &c.env
	return c
}

func (o *Object) unbindEnv(c *cursorEnv) {
	c.cur, o.ev = nil, nil
	envs.Put(c)
}
