package provisioningtest

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
)

// Directory is an in-memory directory: users, groups, assignments and a
// change feed. Every write appends a change. Objects are copied on the way
// in and out.
type Directory struct {
	mu          sync.RWMutex
	now         func() time.Time
	users       map[string]*directory.User
	groups      map[string]*directory.Group
	assignments []directory.Assignment
	feed        []directory.Change
	pruned      int64 // the feed's changes up to this seq are gone
}

var _ provisioning.Source = (*Directory)(nil)

// NewDirectory returns an empty directory.
func NewDirectory() *Directory {
	return &Directory{now: time.Now, users: map[string]*directory.User{}, groups: map[string]*directory.Group{}}
}

func (d *Directory) appendLocked(kind directory.Kind, id string, op directory.Op, app string) {
	d.feed = append(d.feed, directory.Change{Seq: int64(len(d.feed) + 1), Time: d.now(), Kind: kind, ObjectID: id, Op: op, AppID: app})
}

func copyUser(u *directory.User) *directory.User {
	c := *u
	c.Extensions = maps.Clone(u.Extensions)
	return &c
}

func copyGroup(g *directory.Group) *directory.Group {
	c := *g
	c.Members = slices.Clone(g.Members)
	return &c
}

// PutUser creates or replaces a user.
func (d *Directory) PutUser(u directory.User) {
	put(d, d.users, directory.KindUser, u.ObjectID, copyUser(&u))
}

// put stores a copy of an object (a user or a group) under its id,
// recording its creation or update in the feed.
func put[T any](d *Directory, m map[string]*T, kind directory.Kind, id string, obj *T) {
	d.mu.Lock()
	defer d.mu.Unlock()
	op := directory.OpUpdate
	if _, ok := m[id]; !ok {
		op = directory.OpCreate
	}
	m[id] = obj
	d.appendLocked(kind, id, op, "")
}

// UpdateUser changes a user in place; it reports whether the user exists.
func (d *Directory) UpdateUser(id string, change func(*directory.User)) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, ok := d.users[id]
	if !ok {
		return false
	}
	change(u)
	d.appendLocked(directory.KindUser, id, directory.OpUpdate, "")
	return true
}

// SoftDeleteUser moves a user to the recycle bin.
func (d *Directory) SoftDeleteUser(id string) {
	d.UpdateUser(id, func(u *directory.User) { t := d.now(); u.DeletedAt = &t })
}

// RestoreUser takes a user out of the recycle bin.
func (d *Directory) RestoreUser(id string) {
	d.UpdateUser(id, func(u *directory.User) { u.DeletedAt = nil })
}

// HardDeleteUser removes a user for good, and from every group.
func (d *Directory) HardDeleteUser(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	hardDeleteLocked(d, d.users, directory.KindUser, id)
	for gid, g := range d.groups {
		if n := len(g.Members); n > 0 {
			g.Members = slices.DeleteFunc(g.Members, func(m directory.Member) bool { return m.ID == id })
			if len(g.Members) != n {
				d.appendLocked(directory.KindGroup, gid, directory.OpUpdate, "")
			}
		}
	}
}

// hardDeleteLocked removes an object (a user or a group) and its
// assignments for good, recording it in the feed.
func hardDeleteLocked[T any](d *Directory, m map[string]*T, kind directory.Kind, id string) {
	delete(m, id)
	d.appendLocked(kind, id, directory.OpHardDelete, "")
	d.assignments = slices.DeleteFunc(d.assignments, func(a directory.Assignment) bool { return a.PrincipalID == id })
}

// PutGroup creates or replaces a group.
func (d *Directory) PutGroup(g directory.Group) {
	put(d, d.groups, directory.KindGroup, g.ObjectID, copyGroup(&g))
}

// HardDeleteGroup removes a group for good.
func (d *Directory) HardDeleteGroup(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	hardDeleteLocked(d, d.groups, directory.KindGroup, id)
}

// Assign adds an assignment, or replaces the principal's assignment to
// the app (a new role), as the stores do.
func (d *Directory) Assign(a directory.Assignment) {
	d.mu.Lock()
	defer d.mu.Unlock()
	i := slices.IndexFunc(d.assignments, func(b directory.Assignment) bool {
		return b.AppID == a.AppID && b.PrincipalID == a.PrincipalID
	})
	if i < 0 {
		d.assignments = append(d.assignments, a)
	} else {
		d.assignments[i] = a
	}
	d.appendLocked(a.PrincipalKind, a.PrincipalID, directory.OpAssign, a.AppID)
}

// Unassign removes every assignment of principal to app.
func (d *Directory) Unassign(appID, principalID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var kind directory.Kind
	d.assignments = slices.DeleteFunc(d.assignments, func(a directory.Assignment) bool {
		if a.AppID == appID && a.PrincipalID == principalID {
			kind = a.PrincipalKind
			return true
		}
		return false
	})
	if kind != "" {
		d.appendLocked(kind, principalID, directory.OpUnassign, appID)
	}
}

// Head implements provisioning.Source.
func (d *Directory) Head(context.Context) (int64, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return int64(len(d.feed)), nil
}

// Prune drops the changes up to the latest but one from the feed, as a
// store's retention does.
func (d *Directory) Prune() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pruned = max(d.pruned, int64(len(d.feed))-1)
}

// PrunedThrough implements provisioning.Source.
func (d *Directory) PrunedThrough(context.Context) (int64, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.pruned, nil
}

// Changes implements provisioning.Source.
func (d *Directory) Changes(_ context.Context, after int64, limit int) ([]directory.Change, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	start := min(max(after, d.pruned, 0), int64(len(d.feed)))
	end := min(start+int64(limit), int64(len(d.feed)))
	return slices.Clone(d.feed[start:end]), nil
}

// Users implements provisioning.Source.
func (d *Directory) Users(_ context.Context, ids []string) ([]*directory.User, error) {
	return some(d, d.users, ids, copyUser), nil
}

// Groups implements provisioning.Source.
func (d *Directory) Groups(_ context.Context, ids []string) ([]*directory.Group, error) {
	return some(d, d.groups, ids, copyGroup), nil
}

// GroupsNamed implements provisioning.Source. Unlike a store, this
// directory lets two groups share a name.
func (d *Directory) GroupsNamed(_ context.Context, names []string) ([]*directory.Group, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []*directory.Group
	for _, g := range d.groups {
		if slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, g.DisplayName) }) {
			out = append(out, copyGroup(g))
		}
	}
	return out, nil
}

// some returns copies of the objects with the given ids that exist.
func some[T any](d *Directory, m map[string]*T, ids []string, clone func(*T) *T) []*T {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []*T
	for _, id := range ids {
		if o, ok := m[id]; ok {
			out = append(out, clone(o))
		}
	}
	return out
}

// AllUsers implements provisioning.Source.
func (d *Directory) AllUsers(_ context.Context, fn func(*directory.User) error) error {
	return each(d, d.users, copyUser, fn)
}

// AllGroups implements provisioning.Source.
func (d *Directory) AllGroups(_ context.Context, fn func(*directory.Group) error) error {
	return each(d, d.groups, copyGroup, fn)
}

// each calls fn with a copy of every object, outside the lock.
func each[T any](d *Directory, m map[string]*T, clone func(*T) *T, fn func(*T) error) error {
	d.mu.RLock()
	objs := make([]*T, 0, len(m))
	for _, o := range m {
		objs = append(objs, clone(o))
	}
	d.mu.RUnlock()
	for _, o := range objs {
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// Assignments implements provisioning.Source.
func (d *Directory) Assignments(_ context.Context, appID string) ([]directory.Assignment, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []directory.Assignment
	for _, a := range d.assignments {
		if a.AppID == appID {
			out = append(out, a)
		}
	}
	return out, nil
}
