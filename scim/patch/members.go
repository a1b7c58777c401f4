package patch

import "github.com/provisio-dev/provisio/scim"

// MembersChange is the net effect of a sequence of PATCH operations on a
// group's "members": if Reset, all current members are removed first; then
// Remove is taken out and Add is put in (adding an existing member is a
// no-op). Add and Remove are disjoint.
type MembersChange struct {
	Reset  bool
	Add    []scim.Member
	Remove []string // member ids
}
