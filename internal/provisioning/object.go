package provisioning

import (
	"strings"

	"github.com/provisio-dev/provisio/internal/directory"
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

// Attr returns a source attribute by name (see [directory.User.Attr] and
// [directory.Group.Attr]) plus the virtual attribute "IsSoftDeleted".
func (o *Object) Attr(name string) (any, bool) {
	if strings.EqualFold(name, "IsSoftDeleted") {
		return o.SoftDeleted, true
	}
	if o.Type == TypeUser {
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
