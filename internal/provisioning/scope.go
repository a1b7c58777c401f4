package provisioning

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/expr/scoping"
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
	filter    scopeFilter // set by begin, before any object is decided
	// app roles given at assignment (see Object.Roles): of a directly
	// assigned user or group, and of the assigned groups a user is a
	// member of, directly or nested.
	directRole map[string]string   // principal id → role of its assignment
	groupRoles map[string][]string // user id → roles through groups, unsorted
	roleGroups map[string]bool     // groups that give a role: assigned with one, or nested in one
	// assignments are the app's, as read (see loadScopeFrom)
	assignments []directory.Assignment
}

// loadScope computes the scope. Assigned: users assigned directly plus the
// members of assigned groups, transitively through nested groups (Entra
// only takes direct members; a nested group here brings its members in);
// groups assigned directly. Soft-deleted groups give no access.
func loadScope(ctx context.Context, src Source, mode ScopeMode, appID string) (*scope, error) {
	return loadScopeFrom(ctx, src, mode, appID, nil, nil, true)
}

// loadScopeFrom is loadScope reusing prev (a scope of the same job read
// earlier; nil: none): its assignments unless assigns (the feed holds an
// assignment change of the app), and its groups except those in changed
// (assigned mode; in ScopeAll mode every object is read again).
func loadScopeFrom(ctx context.Context, src Source, mode ScopeMode, appID string, prev *scope, changed map[string]bool, assigns bool) (*scope, error) {
	s := &scope{users: map[string]bool{}, groups: map[string]bool{},
		userObjs: map[string]*directory.User{}, groupObjs: map[string]*directory.Group{}}
	var as []directory.Assignment
	if prev != nil && !assigns {
		as = prev.assignments
	} else {
		var err error
		if as, err = src.Assignments(ctx, appID); err != nil {
			return nil, fmt.Errorf("read assignments: %w", err)
		}
	}
	s.assignments = as
	if mode == ScopeAll {
		if err := s.loadAll(ctx, src); err != nil {
			return nil, err
		}
		s.loadRoles(as)
		return s, nil
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
		var missing []string
		var read []*directory.Group
		for _, id := range next {
			if g := prev.group(id); g != nil && !changed[id] {
				read = append(read, g)
			} else {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			fetched, err := src.Groups(ctx, missing)
			if err != nil {
				return nil, fmt.Errorf("read assigned groups: %w", err)
			}
			read = append(read, fetched...)
		}
		next = nil
		for _, g := range read {
			s.groupObjs[g.ObjectID] = g
		}
		for _, g := range read {
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
	s.loadRoles(as)
	return s, nil
}

// group returns a group the scope read (nil: none, or no scope).
func (s *scope) group(id string) *directory.Group {
	if s == nil {
		return nil
	}
	return s.groupObjs[id]
}

// loadRoles records the roles of the assignments as: a user's or group's
// own, and an assigned group's for every user it reaches through the
// loaded groups (soft-deleted groups give nothing). Unlike Entra, which
// refuses role mappings with "sync all users and groups", roles are given
// in both scope modes.
func (s *scope) loadRoles(as []directory.Assignment) {
	for _, a := range as {
		if a.AppRoleID == "" {
			continue
		}
		if s.directRole == nil {
			s.directRole, s.groupRoles, s.roleGroups = map[string]string{}, map[string][]string{}, map[string]bool{}
		}
		s.directRole[a.PrincipalID] = a.AppRoleID
		if a.PrincipalKind == directory.KindGroup {
			s.walkMembers(a.PrincipalID, map[string]bool{}, func(user string) {
				s.groupRoles[user] = append(s.groupRoles[user], a.AppRoleID)
			})
		}
	}
}

// walkMembers calls fn for every user member of role-giving group id,
// transitively through the loaded groups, skipping soft-deleted ones
// (which are still recorded in roleGroups: their members lost a role).
func (s *scope) walkMembers(id string, seen map[string]bool, fn func(user string)) {
	g := s.groupObjs[id]
	if g == nil || seen[id] {
		return
	}
	seen[id], s.roleGroups[id] = true, true
	if g.SoftDeleted() {
		return
	}
	for _, m := range g.Members {
		switch m.Kind {
		case directory.KindUser:
			fn(m.ID)
		case directory.KindGroup:
			s.walkMembers(m.ID, seen, fn)
		}
	}
}

// rolesOf is the appRoleAssignments of principal id: its own role first,
// then those of its groups, sorted, without duplicates.
func (s *scope) rolesOf(id string) []string {
	own, fromGroups := s.directRole[id], s.groupRoles[id]
	if own == "" && len(fromGroups) == 0 {
		return nil
	}
	rest := slices.Clone(fromGroups)
	slices.Sort(rest)
	rest = slices.Compact(rest)
	if own == "" {
		return rest
	}
	rest = slices.DeleteFunc(rest, func(r string) bool { return r == own })
	return append([]string{own}, rest...)
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

// assigned reports whether the object is in the job's scope (before
// the scoping filters and its own state).
func (s *scope) assigned(t ObjectType, id string) bool {
	if t == TypeGroup {
		return s.groups[id]
	}
	return s.users[id]
}

// verdict is the kind of a scope decision.
type verdict int

// Verdicts. notAssigned and filteredOut put an object out of scope (see
// SkipOutOfScopeDeletions); ownState is about the object itself.
const (
	inScope     verdict = iota
	notAssigned         // outside the job's scope: not assigned (assigned mode)
	filteredOut         // fails the object type's scoping filters
	ownState            // soft-deleted, or (users) disabled, in the directory
)

// scoped is a scope decision: its kind, the reason logged, and whether
// the object is soft-deleted or disabled in the directory whatever the
// scope (SkipOutOfScopeDeletions does not protect those, see the package
// documentation).
type scoped struct {
	verdict verdict
	reason  string
	own     bool
}

// reasonNotAssigned is the scope decision for objects outside the job's scope.
const reasonNotAssigned = "not assigned to the application"

// scopeFilter is the scoping filters of the cycle's object types (nil
// Set: no group mapping), with what MEMBER_OF clauses and relative dates
// need.
type scopeFilter struct {
	users, groups *scoping.Set
	members       *membership
	now           time.Time
}

// userObject wraps u with Entra's IsSoftDeleted and the decision behind
// it: not assigned, failing the scoping filters ("out of scope: ..."),
// soft-deleted or disabled (Entra: IsSoftDeleted is true when unassigned,
// failing a scoping filter, soft-deleted or accountEnabled=false).
func (s *scope) userObject(u *directory.User) (*Object, scoped) {
	o := &Object{Type: TypeUser, User: u, members: s.filter.members, Roles: s.rolesOf(u.ObjectID)}
	own := ""
	switch {
	case u.SoftDeleted():
		own = "soft-deleted in the directory"
	case !u.AccountEnabled:
		own = "disabled in the directory (accountEnabled=false)"
	}
	return o, s.decide(o, s.users[u.ObjectID], s.filter.users, own)
}

func (s *scope) groupObject(g *directory.Group) (*Object, scoped) {
	o := &Object{Type: TypeGroup, Group: g, members: s.filter.members, Roles: s.rolesOf(g.ObjectID)}
	own := ""
	if g.SoftDeleted() {
		own = "soft-deleted in the directory"
	}
	return o, s.decide(o, s.groups[g.ObjectID], s.filter.groups, own)
}

// decide sets o.SoftDeleted and returns the decision: not assigned first,
// then the scoping filters, then the object's own state. The filters see
// IsSoftDeleted as the object's own state.
func (s *scope) decide(o *Object, assigned bool, f *scoping.Set, own string) scoped {
	o.SoftDeleted = own != ""
	d := scoped{verdict: inScope, reason: "in scope", own: own != ""}
	if !assigned {
		d.verdict, d.reason = notAssigned, reasonNotAssigned
	} else if in, why := f.Match(o, s.filter.now); !in {
		d.verdict, d.reason = filteredOut, "out of scope: "+why
	} else if own != "" {
		d.verdict, d.reason = ownState, own
	}
	o.SoftDeleted = d.verdict != inScope
	return d
}

// readsClock reports whether f has a clause relative to now (OLDER_THAN,
// NEWER_THAN): its result can change while the object does not.
func readsClock(f scoping.Filters) bool {
	for _, fl := range f {
		for _, c := range fl.Clauses {
			if c.Operator == scoping.OlderThan || c.Operator == scoping.NewerThan {
				return true
			}
		}
	}
	return false
}
