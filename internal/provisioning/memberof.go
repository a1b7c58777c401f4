package provisioning

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/provisio-dev/provisio/internal/directory"
)

// membership is the transitive members of the groups the scoping
// filters' MEMBER_OF clauses name, resolved once per cycle so that a
// clause costs a map lookup per object.
type membership struct {
	// of maps a group as a clause writes it to its members, direct or
	// through nested groups: users and groups, with their kind.
	of map[string]map[string]directory.Kind
	// missing lists the groups no directory group answers to: nobody is
	// their member.
	missing []string
}

// isMember reports whether id is a member of group (as written).
func (m *membership) isMember(group, id string) bool {
	if m == nil {
		return false
	}
	_, ok := m.of[group][id]
	return ok
}

// loadMembership resolves the groups (as MEMBER_OF clauses write them)
// by objectId, else by displayName (case-insensitively), and computes
// their transitive members. A name several groups carry is an error: the
// clause would be ambiguous. A soft-deleted group has no members, as it
// gives no access through an assignment (see loadScope).
func loadMembership(ctx context.Context, src Source, written []string) (*membership, error) {
	m := &membership{of: map[string]map[string]directory.Kind{}}
	if len(written) == 0 {
		return m, nil
	}
	roots, err := resolveGroups(ctx, src, written)
	if err != nil {
		return nil, err
	}
	graph := map[string]*directory.Group{}
	var next []string
	for _, g := range roots {
		if g != nil {
			graph[g.ObjectID] = g
			next = append(next, nestedOf(g, graph, next)...)
		}
	}
	for len(next) > 0 {
		gs, err := src.Groups(ctx, next)
		if err != nil {
			return nil, fmt.Errorf("read nested groups: %w", err)
		}
		next = nil
		for _, g := range gs {
			graph[g.ObjectID] = g
		}
		for _, g := range gs {
			next = append(next, nestedOf(g, graph, next)...)
		}
	}
	for _, w := range written {
		g := roots[w]
		if g == nil {
			m.missing = append(m.missing, w)
		}
		m.of[w] = closure(g, graph)
	}
	return m, nil
}

// nestedOf lists g's member groups not read yet (and not already listed
// in pending); none when g is soft-deleted.
func nestedOf(g *directory.Group, graph map[string]*directory.Group, pending []string) []string {
	if g.SoftDeleted() {
		return nil
	}
	var out []string
	for _, mb := range g.Members {
		if _, read := graph[mb.ID]; mb.Kind == directory.KindGroup && !read && !slices.Contains(pending, mb.ID) && !slices.Contains(out, mb.ID) {
			out = append(out, mb.ID)
		}
	}
	return out
}

// closure is the members of root, direct and through nested groups (a
// nesting loop is walked once).
func closure(root *directory.Group, graph map[string]*directory.Group) map[string]directory.Kind {
	out := map[string]directory.Kind{}
	if root == nil {
		return out
	}
	stack := []*directory.Group{root}
	for len(stack) > 0 {
		g := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if g.SoftDeleted() {
			continue
		}
		for _, mb := range g.Members {
			if _, seen := out[mb.ID]; seen {
				continue
			}
			out[mb.ID] = mb.Kind
			if sub := graph[mb.ID]; mb.Kind == directory.KindGroup && sub != nil {
				stack = append(stack, sub)
			}
		}
	}
	return out
}

// resolveGroups finds the group each written reference names: the group
// with that objectId (as written or lower-cased: directory ids are
// lower-case UUIDs, Entra's portal may show them otherwise), else the one
// group with that displayName; nil when none.
func resolveGroups(ctx context.Context, src Source, written []string) (map[string]*directory.Group, error) {
	keys := slices.Clone(written)
	for _, w := range written {
		if l := strings.ToLower(w); l != w {
			keys = append(keys, l)
		}
	}
	byID, err := src.Groups(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read MEMBER_OF groups: %w", err)
	}
	out := map[string]*directory.Group{}
	var names []string
	for _, w := range written {
		if i := slices.IndexFunc(byID, func(g *directory.Group) bool { return strings.EqualFold(g.ObjectID, w) }); i >= 0 {
			out[w] = byID[i]
		} else {
			names = append(names, w)
		}
	}
	if len(names) == 0 {
		return out, nil
	}
	byName, err := src.GroupsNamed(ctx, names)
	if err != nil {
		return nil, fmt.Errorf("read MEMBER_OF groups: %w", err)
	}
	for _, w := range names {
		var found []*directory.Group
		for _, g := range byName {
			if strings.EqualFold(g.DisplayName, w) {
				found = append(found, g)
			}
		}
		switch len(found) {
		case 0:
		case 1:
			out[w] = found[0]
		default:
			ids := make([]string, len(found))
			for i, g := range found {
				ids[i] = g.ObjectID
			}
			slices.Sort(ids)
			return nil, fmt.Errorf("scoping filter: MEMBER_OF %q: %d groups have that name (object ids %s); name the group by its object id",
				w, len(found), strings.Join(ids, ", "))
		}
	}
	return out, nil
}

// changedMembers lists, by kind, the objects whose membership of some
// group of written changed between prev and cur: they were added or
// removed, directly or through a nested group.
func changedMembers(prev, cur map[string]map[string]directory.Kind) map[ObjectType][]string {
	seen := map[string]bool{}
	out := map[ObjectType][]string{}
	note := func(id string, k directory.Kind) {
		if seen[id] {
			return
		}
		seen[id] = true
		if t, ok := objectType(k); ok {
			out[t] = append(out[t], id)
		}
	}
	for g, now := range cur {
		was := prev[g]
		for id, k := range now {
			if _, ok := was[id]; !ok {
				note(id, k)
			}
		}
		for id, k := range was {
			if _, ok := now[id]; !ok {
				note(id, k)
			}
		}
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out
}

// objectType is the engine's type of a directory kind.
func objectType(k directory.Kind) (ObjectType, bool) {
	switch k {
	case directory.KindUser:
		return TypeUser, true
	case directory.KindGroup:
		return TypeGroup, true
	}
	return "", false
}
