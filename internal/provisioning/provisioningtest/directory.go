package provisioningtest

import (
	"context"
	"slices"
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
	if u.Extensions != nil {
		c.Extensions = make(map[string]string, len(u.Extensions))
		for k, v := range u.Extensions {
			c.Extensions[k] = v
		}
	}
	return &c
}

func copyGroup(g *directory.Group) *directory.Group {
	c := *g
	c.Members = slices.Clone(g.Members)
	return &c
}

// PutUser creates or replaces a user.
func (d *Directory) PutUser(u directory.User) {
	d.mu.Lock()
	defer d.mu.Unlock()
	op := directory.OpUpdate
	if _, ok := d.users[u.ObjectID]; !ok {
		op = directory.OpCreate
	}
	d.users[u.ObjectID] = copyUser(&u)
	d.appendLocked(directory.KindUser, u.ObjectID, op, "")
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
	delete(d.users, id)
	d.appendLocked(directory.KindUser, id, directory.OpHardDelete, "")
	for gid, g := range d.groups {
		if n := len(g.Members); n > 0 {
			g.Members = slices.DeleteFunc(g.Members, func(m directory.Member) bool { return m.ID == id })
			if len(g.Members) != n {
				d.appendLocked(directory.KindGroup, gid, directory.OpUpdate, "")
			}
		}
	}
	d.assignments = slices.DeleteFunc(d.assignments, func(a directory.Assignment) bool { return a.PrincipalID == id })
}

// PutGroup creates or replaces a group.
func (d *Directory) PutGroup(g directory.Group) {
	d.mu.Lock()
	defer d.mu.Unlock()
	op := directory.OpUpdate
	if _, ok := d.groups[g.ObjectID]; !ok {
		op = directory.OpCreate
	}
	d.groups[g.ObjectID] = copyGroup(&g)
	d.appendLocked(directory.KindGroup, g.ObjectID, op, "")
}

// HardDeleteGroup removes a group for good.
func (d *Directory) HardDeleteGroup(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.groups, id)
	d.appendLocked(directory.KindGroup, id, directory.OpHardDelete, "")
	d.assignments = slices.DeleteFunc(d.assignments, func(a directory.Assignment) bool { return a.PrincipalID == id })
}

// Assign adds an assignment.
func (d *Directory) Assign(a directory.Assignment) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !slices.Contains(d.assignments, a) {
		d.assignments = append(d.assignments, a)
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
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []*directory.User
	for _, id := range ids {
		if u, ok := d.users[id]; ok {
			out = append(out, copyUser(u))
		}
	}
	return out, nil
}

// Groups implements provisioning.Source.
func (d *Directory) Groups(_ context.Context, ids []string) ([]*directory.Group, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []*directory.Group
	for _, id := range ids {
		if g, ok := d.groups[id]; ok {
			out = append(out, copyGroup(g))
		}
	}
	return out, nil
}

// AllUsers implements provisioning.Source.
func (d *Directory) AllUsers(_ context.Context, fn func(*directory.User) error) error {
	d.mu.RLock()
	users := make([]*directory.User, 0, len(d.users))
	for _, u := range d.users {
		users = append(users, copyUser(u))
	}
	d.mu.RUnlock()
	for _, u := range users {
		if err := fn(u); err != nil {
			return err
		}
	}
	return nil
}

// AllGroups implements provisioning.Source.
func (d *Directory) AllGroups(_ context.Context, fn func(*directory.Group) error) error {
	d.mu.RLock()
	groups := make([]*directory.Group, 0, len(d.groups))
	for _, g := range d.groups {
		groups = append(groups, copyGroup(g))
	}
	d.mu.RUnlock()
	for _, g := range groups {
		if err := fn(g); err != nil {
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
