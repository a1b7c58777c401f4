package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
)

// What users and groups do alike in the store, written once: insert,
// update, read for update, unchanged, collect, read by ids, read all,
// purge. Each kind keeps its own columns, scan and validation.

// insertObject runs an INSERT ... ON CONFLICT DO NOTHING of a new object
// of kind and appends its creation; taken is the error when the insert
// affected no row (wrapped with store.ErrExists).
func (d dirStore) insertObject(ctx context.Context, t tx, kind directory.Kind, id, taken, query string, args ...any) error {
	res, err := t.exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, fmt.Errorf("%s: %w", taken, store.ErrExists))
	}
	return d.appendChange(ctx, t, kind, id, directory.OpCreate, "")
}

// updateObject runs the UPDATE of an object of kind and appends op; taken
// is the error when a unique index refuses it (wrapped with
// store.ErrExists).
func (d dirStore) updateObject(ctx context.Context, t tx, kind directory.Kind, id string, op directory.Op, taken, query string, args ...any) error {
	_, err := t.exec(ctx, query, args...)
	if _, ok := uniqueViolation(err); ok {
		return fmt.Errorf("%s: %w", taken, store.ErrExists)
	}
	if err != nil {
		return err
	}
	return d.appendChange(ctx, t, kind, id, op, "")
}

// unchanged reports whether writing b over a would change nothing: they
// are equal, an empty extensions map being equal to none.
func (o objects[T]) unchanged(a, b T) bool {
	for _, p := range []*T{&a, &b} {
		if e := o.ext(p); len(*e) == 0 {
			*e = nil
		}
	}
	return reflect.DeepEqual(a, b)
}

// modify is a read-modify-write of one object in one transaction: fn
// changes a copy of it (with its own extensions map; the ObjectID stays),
// save writes the copy over the old one.
func (o objects[T]) modify(ctx context.Context, id string, fn func(*T) error, save func(t tx, old, v *T) error) (T, error) {
	var out T
	err := o.d.write(ctx, func(t tx) error {
		old, err := o.readForUpdate(ctx, t, id)
		if err != nil {
			return err
		}
		v := old
		*o.ext(&v) = maps.Clone(*o.ext(&old))
		if err := fn(&v); err != nil {
			return err
		}
		*o.id(&v) = *o.id(&old)
		if err := save(t, &old, &v); err != nil {
			return err
		}
		out = v
		return nil
	})
	return out, err
}

// collect scans every row and closes rows.
func collect[T any](rows *sql.Rows, scan func(dirScanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// objects is how the store reads one kind of directory object: users
// or groups.
type objects[T any] struct {
	d       dirStore
	kind    directory.Kind
	table   string // dir_users, dir_groups
	columns string
	scan    func(dirScanner) (T, error) // one row, as selected by columns
	query   func(ctx context.Context, query string, args ...any) ([]T, error)
	id      func(*T) *string
	ext     func(*T) *map[string]string
}

func (d dirStore) userObjects() objects[directory.User] {
	return objects[directory.User]{d: d, kind: directory.KindUser, table: "dir_users", columns: userColumns, scan: scanUser,
		query: d.queryUsers, id: func(u *directory.User) *string { return &u.ObjectID },
		ext: func(u *directory.User) *map[string]string { return &u.Extensions }}
}

func (d dirStore) groupObjects() objects[directory.Group] {
	return objects[directory.Group]{d: d, kind: directory.KindGroup, table: "dir_groups", columns: groupColumns, scan: scanGroup,
		query: d.groups, id: func(g *directory.Group) *string { return &g.ObjectID },
		ext: func(g *directory.Group) *map[string]string { return &g.Extensions }}
}

// readForUpdate reads an object inside t (locking its row on PostgreSQL);
// store.ErrNotFound when there is none.
func (o objects[T]) readForUpdate(ctx context.Context, t tx, id string) (T, error) {
	v, err := o.scan(t.queryRow(ctx, "SELECT "+o.columns+" FROM "+o.table+" WHERE object_id = ?"+o.d.s.d.forUpdate, id))
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("%s %q: %w", o.kind, id, store.ErrNotFound)
	}
	return v, err
}

// byIDs reads the objects with ids, a page of ids per query.
func (o objects[T]) byIDs(ctx context.Context, ids []string) ([]*T, error) {
	return o.by(ctx, "object_id", ids)
}

// by reads the objects whose column col holds one of keys, a page of keys
// per query.
func (o objects[T]) by(ctx context.Context, col string, ids []string) ([]*T, error) {
	var out []*T
	for len(ids) > 0 {
		n := min(len(ids), dirPage)
		page, err := o.query(ctx, "SELECT "+o.columns+" FROM "+o.table+" WHERE "+o.d.inIDs(col), o.d.idsArg(ids[:n]))
		if err != nil {
			return nil, fmt.Errorf("read %ss: %w", o.kind, err)
		}
		for i := range page {
			out = append(out, &page[i])
		}
		ids = ids[n:]
	}
	return out, nil
}

// all calls fn for every object, read a page at a time in objectId order,
// so no read holds a connection while fn runs.
func (o objects[T]) all(ctx context.Context, fn func(*T) error) error {
	after := ""
	for {
		page, err := o.query(ctx, "SELECT "+o.columns+" FROM "+o.table+" WHERE object_id > ? ORDER BY object_id LIMIT ?", after, dirPage)
		if err != nil {
			return fmt.Errorf("read all %ss: %w", o.kind, err)
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if len(page) < dirPage {
			return nil
		}
		after = *o.id(&page[len(page)-1])
	}
}

// purge hard-deletes an object inside t, with its memberships and
// assignments, each with its change.
func (o objects[T]) purge(ctx context.Context, t tx, id string) error {
	res, err := t.exec(ctx, "DELETE FROM "+o.table+" WHERE object_id = ?", id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, store.ErrNotFound)
	}
	if err := o.d.appendChange(ctx, t, o.kind, id, directory.OpHardDelete, ""); err != nil {
		return err
	}
	if err := o.d.leaveGroups(ctx, t, id); err != nil {
		return err
	}
	return o.d.dropAssignments(ctx, t, o.kind, id)
}

// detach cuts the rows that refer to a deleted object id: it reads the ids
// sel finds for it, runs write once if there are any, then calls each for
// every id in order (to record a change).
func detach(ctx context.Context, t tx, sel, id, write string, writeArgs []any, each func(string) error) error {
	ids, err := dirColumn(ctx, t, sel, id)
	if err != nil || len(ids) == 0 {
		return err
	}
	if _, err := t.exec(ctx, write, writeArgs...); err != nil {
		return err
	}
	for _, id := range ids {
		if err := each(id); err != nil {
			return err
		}
	}
	return nil
}

// catalogColumns are the store columns of a catalog's attributes, in its
// order (objectId, the key, first); attributes stored elsewhere (members)
// have none.
func catalogColumns[T directory.Object](catalog []directory.Attribute[T]) []string {
	if catalog[0].Column != "object_id" {
		panic("sqlstore: a directory catalog does not start with objectId")
	}
	var cols []string
	for i := range catalog {
		if c := catalog[i].Column; c != "" {
			cols = append(cols, c)
		}
	}
	return cols
}

// setColumns returns "a = ?, b = ?" for an UPDATE of cols.
func setColumns(cols []string) string { return strings.Join(cols, " = ?, ") + " = ?" }

// scanDest returns where a row's catalogColumns scan into obj.
func scanDest[T directory.Object](catalog []directory.Attribute[T], obj *T) []any {
	dest := make([]any, 0, len(catalog)+2)
	for i := range catalog {
		a := &catalog[i]
		if a.Column == "" {
			continue
		}
		f := a.Field(obj)
		if p, ok := f.(*string); ok && a.Nullable {
			f = nullString{p}
		}
		dest = append(dest, f)
	}
	return dest
}

// nullString scans a nullable column into a string: NULL is "".
type nullString struct{ p *string }

func (n nullString) Scan(v any) error {
	var s sql.NullString
	err := s.Scan(v)
	*n.p = s.String
	return err
}

// columnValues returns the values of obj's catalogColumns (an empty
// Nullable one as NULL).
func columnValues[T directory.Object](catalog []directory.Attribute[T], obj *T) []any {
	vals := make([]any, 0, len(catalog)+5)
	for i := range catalog {
		a := &catalog[i]
		if a.Column == "" {
			continue
		}
		switch p := a.Field(obj).(type) {
		case *string:
			if a.Nullable {
				vals = append(vals, dirNull(*p))
			} else {
				vals = append(vals, *p)
			}
		case *bool:
			vals = append(vals, *p)
		}
	}
	return vals
}
