package directory

import "time"

// Kind is the type of a directory object referenced by a group member,
// an assignment or a change.
type Kind string

// Object kinds.
const (
	KindUser       Kind = "user"
	KindGroup      Kind = "group"
	KindApp        Kind = "app"
	KindAssignment Kind = "assignment"
)

// Member is one member of a group: a user or a group (groups nest).
type Member struct {
	ID   string // ObjectID of the member
	Kind Kind
}

// Group is a directory group.
type Group struct {
	ObjectID     string
	DisplayName  string
	Description  string
	Mail         string
	MailNickname string
	Members      []Member
	Extensions   map[string]string
	DeletedAt    *time.Time // set while soft-deleted
}

// SoftDeleted reports whether the group is in the recycle bin.
func (g *Group) SoftDeleted() bool { return g.DeletedAt != nil }

// Attr returns the value of the named source attribute (case-insensitive;
// see [LookupGroup]) as a string; "members" is the list of member object
// ids ([]string). Empty values and unknown names are absent. Names that
// are not built in are looked up among the extension attributes.
func (g *Group) Attr(name string) (any, bool) {
	a, ok := LookupGroup(name)
	if !ok {
		a = groups.extension(name)
	}
	return a.Value(g)
}
