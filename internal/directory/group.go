package directory

import (
	"strings"
	"time"
)

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

// Attr returns the value of the named source attribute (case-insensitive)
// as a string; "members" is the list of member object ids ([]string).
// Empty values and unknown names are absent.
func (g *Group) Attr(name string) (any, bool) {
	var s string
	switch strings.ToLower(name) {
	case "objectid":
		s = g.ObjectID
	case "displayname":
		s = g.DisplayName
	case "description":
		s = g.Description
	case "mail":
		s = g.Mail
	case "mailnickname":
		s = g.MailNickname
	case "members":
		ids := make([]string, len(g.Members))
		for i, m := range g.Members {
			ids[i] = m.ID
		}
		return ids, len(ids) > 0
	default:
		s = extension(g.Extensions, name)
	}
	return s, s != ""
}
