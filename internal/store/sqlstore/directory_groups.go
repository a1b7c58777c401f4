package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
)

// The columns of dir_groups are those of directory.GroupCatalog, then
// extensions and deleted_at.
var groupColumns, insertGroup, updateGroup = func() (cols, insert, update string) {
	names := catalogColumns(directory.GroupCatalog)
	cols = strings.Join(append(names, "extensions", "deleted_at"), ", ")
	insert = "INSERT INTO dir_groups (" + cols + ", name_lower, created, modified) VALUES (" + placeholders(len(names)+5) + ") ON CONFLICT DO NOTHING"
	update = "UPDATE dir_groups SET " + setColumns(append(names[1:], "extensions", "name_lower", "modified")) + " WHERE object_id = ?"
	return cols, insert, update
}()

func scanGroup(row dirScanner) (directory.Group, error) {
	var g directory.Group
	var ext sql.NullString
	var deleted sql.NullInt64
	if err := row.Scan(append(scanDest(directory.GroupCatalog, &g), &ext, &deleted)...); err != nil {
		return directory.Group{}, err
	}
	g.DeletedAt = dirFromNullMillis(deleted)
	var err error
	g.Extensions, err = unmarshalExtensions(ext)
	return g, err
}

func validGroup(g *directory.Group) error {
	if strings.TrimSpace(g.DisplayName) == "" {
		return fmt.Errorf("empty group displayName: %w", store.ErrInvalid)
	}
	return nil
}

// CreateGroup implements [store.Directory].
func (d dirStore) CreateGroup(ctx context.Context, g directory.Group) (directory.Group, error) {
	g.ObjectID, g.DeletedAt = newObjectID(g.ObjectID), nil
	g.Extensions = maps.Clone(g.Extensions)
	if err := validGroup(&g); err != nil {
		return directory.Group{}, fmt.Errorf("create group: %w", err)
	}
	ext, err := marshalExtensions(g.Extensions)
	if err != nil {
		return directory.Group{}, fmt.Errorf("create group: %w: %w", err, store.ErrInvalid)
	}
	var members []directory.Member
	err = d.write(ctx, func(t tx) error {
		now := millis(d.s.now())
		err := d.insertObject(ctx, t, directory.KindGroup, g.ObjectID, fmt.Sprintf("objectId %q or displayName %q", g.ObjectID, g.DisplayName),
			insertGroup, append(columnValues(directory.GroupCatalog, &g), ext, nil, strings.ToLower(g.DisplayName), now, now)...)
		if err != nil {
			return err
		}
		if _, err := d.insertMembers(ctx, t, g.ObjectID, g.Members); err != nil {
			return err
		}
		members, err = d.members(ctx, t, g.ObjectID)
		return err
	})
	if err != nil {
		return directory.Group{}, fmt.Errorf("create group %q: %w", g.DisplayName, err)
	}
	g.Members = members
	return g, nil
}

// insertMembers adds members to a group after checking each exists, and
// returns how many were new.
func (d dirStore) insertMembers(ctx context.Context, t tx, groupID string, ms []directory.Member) (int, error) {
	added := 0
	for _, m := range ms {
		var table string
		switch m.Kind {
		case directory.KindUser:
			table = "dir_users"
		case directory.KindGroup:
			table = "dir_groups"
		default:
			return 0, fmt.Errorf("member %q: kind %q is neither user nor group: %w", m.ID, m.Kind, store.ErrInvalid)
		}
		if m.Kind == directory.KindGroup && m.ID == groupID {
			return 0, fmt.Errorf("a group cannot be its own member: %w", store.ErrInvalid)
		}
		ok, err := dirExists(ctx, t, "SELECT 1 FROM "+table+" WHERE object_id = ?", m.ID)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, fmt.Errorf("member %s %q: %w", m.Kind, m.ID, store.ErrNotFound)
		}
		res, err := t.exec(ctx, "INSERT INTO dir_members (group_id, member_id, member_kind) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			groupID, m.ID, string(m.Kind))
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		added += int(n)
	}
	return added, nil
}

// members reads a group's direct members in member id order.
func (d dirStore) members(ctx context.Context, q querier, groupID string) ([]directory.Member, error) {
	rows, err := q.query(ctx, "SELECT member_id, member_kind FROM dir_members WHERE group_id = ? ORDER BY member_id", groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []directory.Member
	for rows.Next() {
		var m directory.Member
		var kind sql.RawBytes
		if err := rows.Scan(&m.ID, &kind); err != nil {
			return nil, err
		}
		m.Kind = memberKind(kind)
		out = append(out, m)
	}
	return out, rows.Err()
}

// memberKind is the Kind spelled b, a constant for the kinds a member
// has: a group of 100,000 members holds no copy of "user" per member.
func memberKind(b []byte) directory.Kind {
	switch string(b) {
	case string(directory.KindUser):
		return directory.KindUser
	case string(directory.KindGroup):
		return directory.KindGroup
	}
	return directory.Kind(b)
}

// withMembers fills in the members of groups with one query.
func (d dirStore) withMembers(ctx context.Context, gs []directory.Group) error {
	if len(gs) == 0 {
		return nil
	}
	idx := make(map[string]int, len(gs))
	ids := make([]string, len(gs))
	for i, g := range gs {
		idx[g.ObjectID], ids[i] = i, g.ObjectID
	}
	rows, err := d.s.query(ctx, "SELECT group_id, member_id, member_kind FROM dir_members WHERE "+d.inIDs("group_id")+" ORDER BY group_id, member_id", d.idsArg(ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var gid, kind sql.RawBytes // valid until the next row: not copied
		var m directory.Member
		if err := rows.Scan(&gid, &m.ID, &kind); err != nil {
			return err
		}
		m.Kind = memberKind(kind)
		if i, ok := idx[string(gid)]; ok {
			gs[i].Members = append(gs[i].Members, m)
		}
	}
	return rows.Err()
}

// groups runs a group query and fills in the members.
func (d dirStore) groups(ctx context.Context, query string, args ...any) ([]directory.Group, error) {
	rows, err := d.s.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out, err := collect(rows, scanGroup)
	if err != nil {
		return nil, err
	}
	return out, d.withMembers(ctx, out)
}

// oneGroup returns the single group a query finds, or ErrNotFound.
func (d dirStore) oneGroup(ctx context.Context, query string, arg any) (directory.Group, error) {
	gs, err := d.groups(ctx, query, arg)
	if err != nil {
		return directory.Group{}, err
	}
	if len(gs) == 0 {
		return directory.Group{}, store.ErrNotFound
	}
	return gs[0], nil
}

// GetGroup implements [store.Directory].
func (d dirStore) GetGroup(ctx context.Context, objectID string) (directory.Group, error) {
	g, err := d.oneGroup(ctx, "SELECT "+groupColumns+" FROM dir_groups WHERE object_id = ?", objectID)
	if err != nil {
		return directory.Group{}, fmt.Errorf("group %q: %w", objectID, err)
	}
	return g, nil
}

// GetGroupByName implements [store.Directory].
func (d dirStore) GetGroupByName(ctx context.Context, displayName string) (directory.Group, error) {
	g, err := d.oneGroup(ctx, "SELECT "+groupColumns+" FROM dir_groups WHERE name_lower = ?", strings.ToLower(displayName))
	if err != nil {
		return directory.Group{}, fmt.Errorf("group %q: %w", displayName, err)
	}
	return g, nil
}

// GroupID implements [store.Directory]: one indexed row, whatever the
// group's size (adding members a batch at a time must not read them all).
func (d dirStore) GroupID(ctx context.Context, ref string) (string, error) {
	var id string
	err := d.s.queryRow(ctx, "SELECT object_id FROM (SELECT object_id, 0 AS k FROM dir_groups WHERE object_id = ?"+
		" UNION ALL SELECT object_id, 1 AS k FROM dir_groups WHERE name_lower = ?) AS g ORDER BY k LIMIT 1",
		ref, strings.ToLower(ref)).Scan(&id)
	if isNoRows(err) {
		err = store.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("group %q: %w", ref, err)
	}
	return id, nil
}

// ListGroups implements [store.Directory].
func (d dirStore) ListGroups(ctx context.Context, q store.GroupQuery) ([]directory.Group, error) {
	gs, err := d.groups(ctx, "SELECT "+groupColumns+" FROM dir_groups WHERE name_lower > ?"+deletedCond(q.Deleted)+" ORDER BY name_lower LIMIT ?",
		strings.ToLower(q.After), dirPageSize(q.Limit))
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return gs, nil
}

// UpdateGroup implements [store.Directory].
func (d dirStore) UpdateGroup(ctx context.Context, objectID string, fn func(*directory.Group) error) (directory.Group, error) {
	out, err := d.groupObjects().modify(ctx, objectID, fn, func(t tx, old, g *directory.Group) error {
		g.DeletedAt, g.Members = old.DeletedAt, nil
		if err := d.storeGroup(ctx, t, old, g); err != nil {
			return err
		}
		var err error
		g.Members, err = d.members(ctx, t, objectID)
		return err
	})
	if err != nil {
		return directory.Group{}, fmt.Errorf("update group %q: %w", objectID, err)
	}
	return out, nil
}

func (d dirStore) storeGroup(ctx context.Context, t tx, old, g *directory.Group) error {
	if d.groupObjects().unchanged(*old, *g) {
		return nil
	}
	if err := validGroup(g); err != nil {
		return err
	}
	ext, err := marshalExtensions(g.Extensions)
	if err != nil {
		return fmt.Errorf("%w: %w", err, store.ErrInvalid)
	}
	return d.updateObject(ctx, t, directory.KindGroup, g.ObjectID, directory.OpUpdate, fmt.Sprintf("displayName %q", g.DisplayName),
		updateGroup, append(columnValues(directory.GroupCatalog, g)[1:], ext, strings.ToLower(g.DisplayName), millis(d.s.now()), g.ObjectID)...)
}

// lockGroup checks a group exists inside t (locking its row on
// PostgreSQL, so membership changes of one group queue).
func (d dirStore) lockGroup(ctx context.Context, t tx, id string) error {
	ok, err := dirExists(ctx, t, "SELECT 1 FROM dir_groups WHERE object_id = ?"+d.s.d.forUpdate, id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("group %q: %w", id, store.ErrNotFound)
	}
	return nil
}

// touchGroup records a membership change of a group.
func (d dirStore) touchGroup(ctx context.Context, t tx, id string) error {
	if _, err := t.exec(ctx, "UPDATE dir_groups SET modified = ? WHERE object_id = ?", millis(d.s.now()), id); err != nil {
		return err
	}
	return d.appendChange(ctx, t, directory.KindGroup, id, directory.OpUpdate, "")
}

// AddMembers implements [store.Directory].
func (d dirStore) AddMembers(ctx context.Context, groupID string, members []directory.Member) (int, error) {
	var added int
	err := d.write(ctx, func(t tx) error {
		if err := d.lockGroup(ctx, t, groupID); err != nil {
			return err
		}
		var err error
		if added, err = d.insertMembers(ctx, t, groupID, members); err != nil || added == 0 {
			return err
		}
		return d.touchGroup(ctx, t, groupID)
	})
	if err != nil {
		return 0, fmt.Errorf("add members to group %q: %w", groupID, err)
	}
	return added, nil
}

// RemoveMembers implements [store.Directory].
func (d dirStore) RemoveMembers(ctx context.Context, groupID string, memberIDs []string) (int, error) {
	var removed int
	err := d.write(ctx, func(t tx) error {
		if err := d.lockGroup(ctx, t, groupID); err != nil {
			return err
		}
		removed = 0
		for _, id := range memberIDs {
			res, err := t.exec(ctx, "DELETE FROM dir_members WHERE group_id = ? AND member_id = ?", groupID, id)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			removed += int(n)
		}
		if removed == 0 {
			return nil
		}
		return d.touchGroup(ctx, t, groupID)
	})
	if err != nil {
		return 0, fmt.Errorf("remove members from group %q: %w", groupID, err)
	}
	return removed, nil
}

// DeleteGroup implements [store.Directory].
func (d dirStore) DeleteGroup(ctx context.Context, objectID string) error {
	if err := d.write(ctx, func(t tx) error { return d.deleteGroup(ctx, t, objectID) }); err != nil {
		return fmt.Errorf("delete group %q: %w", objectID, err)
	}
	return nil
}

// deleteGroup hard-deletes a group inside t.
func (d dirStore) deleteGroup(ctx context.Context, t tx, objectID string) error {
	return d.groupObjects().purge(ctx, t, objectID)
}

// SoftDeleteGroup implements [store.Directory].
func (d dirStore) SoftDeleteGroup(ctx context.Context, objectID string, at time.Time) (directory.Group, error) {
	at = fromMillis(millis(at))
	return d.setGroupDeleted(ctx, "soft-delete", objectID, &at, directory.OpSoftDelete)
}

// RestoreGroup implements [store.Directory].
func (d dirStore) RestoreGroup(ctx context.Context, objectID string) (directory.Group, error) {
	return d.setGroupDeleted(ctx, "restore", objectID, nil, directory.OpRestore)
}

// setGroupDeleted sets or clears a group's deleted_at, with a change of op;
// a group already in that state is returned as it is, without a change.
func (d dirStore) setGroupDeleted(ctx context.Context, what, objectID string, at *time.Time, op directory.Op) (directory.Group, error) {
	var out directory.Group
	err := d.write(ctx, func(t tx) error {
		g, err := d.groupObjects().readForUpdate(ctx, t, objectID)
		if err != nil {
			return err
		}
		if (g.DeletedAt == nil) != (at == nil) {
			var ms sql.NullInt64
			if at != nil {
				ms = sql.NullInt64{Int64: millis(*at), Valid: true}
			}
			if _, err := t.exec(ctx, "UPDATE dir_groups SET deleted_at = ?, modified = ? WHERE object_id = ?", ms, millis(d.s.now()), objectID); err != nil {
				return err
			}
			if err := d.appendChange(ctx, t, directory.KindGroup, objectID, op, ""); err != nil {
				return err
			}
			g.DeletedAt = at
		}
		out = g
		out.Members, err = d.members(ctx, t, objectID)
		return err
	})
	if err != nil {
		return directory.Group{}, fmt.Errorf("%s group %q: %w", what, objectID, err)
	}
	return out, nil
}

// PurgeDeletedGroups implements [store.Directory].
func (d dirStore) PurgeDeletedGroups(ctx context.Context, cutoff time.Time) ([]string, error) {
	return d.purgeDeleted(ctx, "groups", cutoff, d.deleteGroup)
}

// leaveGroups removes a deleted object from every group it is a member
// of, with an OpUpdate of each.
func (d dirStore) leaveGroups(ctx context.Context, t tx, memberID string) error {
	return detach(ctx, t, "SELECT group_id FROM dir_members WHERE member_id = ? ORDER BY group_id", memberID,
		"DELETE FROM dir_members WHERE member_id = ?", []any{memberID}, func(gid string) error {
			return d.touchGroup(ctx, t, gid)
		})
}

// Groups implements [store.Directory].
func (d dirStore) Groups(ctx context.Context, ids []string) ([]*directory.Group, error) {
	return d.groupObjects().byIDs(ctx, ids)
}

// GroupsNamed implements [store.Directory].
func (d dirStore) GroupsNamed(ctx context.Context, names []string) ([]*directory.Group, error) {
	lower := make([]string, len(names))
	for i, n := range names {
		lower[i] = strings.ToLower(n)
	}
	return d.groupObjects().by(ctx, "name_lower", lower)
}

// AllGroups implements [store.Directory].
func (d dirStore) AllGroups(ctx context.Context, fn func(*directory.Group) error) error {
	return d.groupObjects().all(ctx, fn)
}
