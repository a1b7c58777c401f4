package provisioning

import (
	"context"
	"fmt"
	"slices"

	"github.com/provisio-dev/provisio/internal/directory"
)

// ScopeMode is the job's scope setting (Entra: "Sync only assigned users
// and groups" or "Sync all users and groups").
type ScopeMode string

// Scope modes.
const (
	ScopeAssigned ScopeMode = "assigned"
	ScopeAll      ScopeMode = "all"
)

// scope is what is in scope at the start of a cycle, plus the objects
// read while finding out.
type scope struct {
	users  map[string]bool // user ids in scope (before enabled / deleted checks)
	groups map[string]bool // group ids in scope
	// loaded objects, by id: every group read while expanding assigned
	// groups; in ScopeAll mode every user and group.
	userObjs  map[string]*directory.User
	groupObjs map[string]*directory.Group
}

// loadScope computes the scope. Assigned: users assigned directly plus the
// members of assigned groups, transitively through nested groups (Entra
// only takes direct members; a nested group here brings its members in);
// groups assigned directly. Soft-deleted groups give no access.
func loadScope(ctx context.Context, src Source, mode ScopeMode, appID string) (*scope, error) {
	s := &scope{users: map[string]bool{}, groups: map[string]bool{},
		userObjs: map[string]*directory.User{}, groupObjs: map[string]*directory.Group{}}
	if mode == ScopeAll {
		return s, s.loadAll(ctx, src)
	}
	as, err := src.Assignments(ctx, appID)
	if err != nil {
		return nil, fmt.Errorf("read assignments: %w", err)
	}
	var next []string
	for _, a := range as {
		switch a.PrincipalKind {
		case directory.KindUser:
			s.users[a.PrincipalID] = true
		case directory.KindGroup:
			s.groups[a.PrincipalID] = true
			next = append(next, a.PrincipalID)
		}
	}
	for len(next) > 0 {
		gs, err := src.Groups(ctx, next)
		if err != nil {
			return nil, fmt.Errorf("read assigned groups: %w", err)
		}
		next = nil
		for _, g := range gs {
			s.groupObjs[g.ObjectID] = g
			if g.SoftDeleted() {
				continue
			}
			for _, m := range g.Members {
				switch m.Kind {
				case directory.KindUser:
					s.users[m.ID] = true
				case directory.KindGroup:
					if _, seen := s.groupObjs[m.ID]; !seen && !slices.Contains(next, m.ID) {
						next = append(next, m.ID)
					}
				}
			}
		}
	}
	return s, nil
}

func (s *scope) loadAll(ctx context.Context, src Source) error {
	err := src.AllUsers(ctx, func(u *directory.User) error {
		s.userObjs[u.ObjectID], s.users[u.ObjectID] = u, true
		return nil
	})
	if err != nil {
		return fmt.Errorf("read users: %w", err)
	}
	err = src.AllGroups(ctx, func(g *directory.Group) error {
		s.groupObjs[g.ObjectID], s.groups[g.ObjectID] = g, true
		return nil
	})
	if err != nil {
		return fmt.Errorf("read groups: %w", err)
	}
	return nil
}

// reasonNotAssigned is the scope decision for objects outside the job's scope.
const reasonNotAssigned = "not assigned to the application"

// userObject wraps u with Entra's IsSoftDeleted and the reason for it.
func (s *scope) userObject(u *directory.User) (*Object, string) {
	o := &Object{Type: TypeUser, User: u, SoftDeleted: true}
	switch {
	case !s.users[u.ObjectID]:
		return o, reasonNotAssigned
	case u.SoftDeleted():
		return o, "soft-deleted in the directory"
	case !u.AccountEnabled:
		return o, "disabled in the directory (accountEnabled=false)"
	}
	o.SoftDeleted = false
	return o, "in scope"
}

func (s *scope) groupObject(g *directory.Group) (*Object, string) {
	o := &Object{Type: TypeGroup, Group: g, SoftDeleted: true}
	switch {
	case !s.groups[g.ObjectID]:
		return o, reasonNotAssigned
	case g.SoftDeleted():
		return o, "soft-deleted in the directory"
	}
	o.SoftDeleted = false
	return o, "in scope"
}
