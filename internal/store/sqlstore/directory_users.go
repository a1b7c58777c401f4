package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
)

// The columns of dir_users are those of directory.UserCatalog, then
// extensions and deleted_at.
var userColumns, insertUser, updateUser = func() (cols, insert, update string) {
	names := catalogColumns(directory.UserCatalog)
	cols = strings.Join(append(names, "extensions", "deleted_at"), ", ")
	// insert creates a user unless its objectId or UPN is taken (then no
	// row is affected: one statement shape for single and bulk creates).
	insert = "INSERT INTO dir_users (" + cols + ", upn_lower, created, modified) VALUES (" + placeholders(len(names)+5) + ") ON CONFLICT DO NOTHING"
	update = "UPDATE dir_users SET " + setColumns(append(names[1:], "extensions", "deleted_at", "upn_lower", "modified")) + " WHERE object_id = ?"
	return cols, insert, update
}()

func scanUser(row dirScanner) (directory.User, error) {
	var u directory.User
	var ext sql.NullString
	var deleted sql.NullInt64
	if err := row.Scan(append(scanDest(directory.UserCatalog, &u), &ext, &deleted)...); err != nil {
		return directory.User{}, err
	}
	u.DeletedAt = dirFromNullMillis(deleted)
	var err error
	if u.Extensions, err = unmarshalExtensions(ext); err != nil {
		return directory.User{}, err
	}
	return u, nil
}

// userValues are the values of userColumns, then upn_lower.
func userValues(u *directory.User) ([]any, error) {
	ext, err := marshalExtensions(u.Extensions)
	if err != nil {
		return nil, err
	}
	return append(columnValues(directory.UserCatalog, u), ext, dirNullMillis(u.DeletedAt), strings.ToLower(u.UserPrincipalName)), nil
}

func validUser(u *directory.User) error {
	if strings.TrimSpace(u.UserPrincipalName) == "" {
		return fmt.Errorf("empty userPrincipalName: %w", store.ErrInvalid)
	}
	if u.Manager == u.ObjectID && u.Manager != "" {
		return fmt.Errorf("a user cannot be their own manager: %w", store.ErrInvalid)
	}
	return nil
}

// createUser inserts u and its change in t; ErrExists when taken.
func (d dirStore) createUser(ctx context.Context, t tx, u *directory.User) error {
	if err := validUser(u); err != nil {
		return err
	}
	vals, err := userValues(u)
	if err != nil {
		return fmt.Errorf("%w: %w", err, store.ErrInvalid)
	}
	now := millis(d.s.now())
	return d.insertObject(ctx, t, directory.KindUser, u.ObjectID,
		fmt.Sprintf("objectId %q or userPrincipalName %q", u.ObjectID, u.UserPrincipalName), insertUser, append(vals, now, now)...)
}

// CreateUser implements [store.Directory].
func (d dirStore) CreateUser(ctx context.Context, u directory.User) (directory.User, error) {
	u.ObjectID, u.DeletedAt = newObjectID(u.ObjectID), nil
	u.Extensions = maps.Clone(u.Extensions)
	if err := d.write(ctx, func(t tx) error { return d.createUser(ctx, t, &u) }); err != nil {
		return directory.User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// ImportUsers implements [store.Directory].
func (d dirStore) ImportUsers(ctx context.Context, users []directory.User) ([]error, error) {
	errs := make([]error, len(users))
	err := d.write(ctx, func(t tx) error {
		for i := range users {
			users[i].ObjectID = newObjectID(users[i].ObjectID)
			u := users[i]
			u.DeletedAt = nil
			err := d.createUser(ctx, t, &u)
			if errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrInvalid) {
				errs[i] = err
				continue
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import users: %w", err)
	}
	return errs, nil
}

// GetUser implements [store.Directory].
func (d dirStore) GetUser(ctx context.Context, objectID string) (directory.User, error) {
	u, err := scanUser(d.s.queryRow(ctx, "SELECT "+userColumns+" FROM dir_users WHERE object_id = ?", objectID))
	return u, notFound(err, "user %q", objectID)
}

// GetUserByUPN implements [store.Directory].
func (d dirStore) GetUserByUPN(ctx context.Context, upn string) (directory.User, error) {
	u, err := scanUser(d.s.queryRow(ctx, "SELECT "+userColumns+" FROM dir_users WHERE upn_lower = ?", strings.ToLower(upn)))
	return u, notFound(err, "user %q", upn)
}

// ListUsers implements [store.Directory].
func (d dirStore) ListUsers(ctx context.Context, q store.UserQuery) ([]directory.User, error) {
	cond, args := "upn_lower > ?", []any{strings.ToLower(q.After)}
	if p := strings.ToLower(q.Search); p != "" {
		// A range of the upn_lower index (its start and, as a bound for
		// the index walk, p followed by the greatest code point) and the
		// exact prefix test, whatever the column's collation.
		cond += " AND upn_lower >= ? AND upn_lower < ? AND substr(upn_lower, 1, ?) = ?"
		args = append(args, p, p+"\U0010FFFF", utf8.RuneCountInString(p), p)
	}
	out, err := d.queryUsers(ctx, "SELECT "+userColumns+" FROM dir_users WHERE "+cond+deletedCond(q.Deleted)+" ORDER BY upn_lower LIMIT ?",
		append(args, dirPageSize(q.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// deletedCond is the condition (" AND ...") selecting soft-deleted rows as
// sel says.
func deletedCond(sel store.Deleted) string {
	switch sel {
	case store.DeletedOnly:
		return " AND deleted_at IS NOT NULL"
	case store.AnyDeleted:
		return ""
	}
	return " AND deleted_at IS NULL"
}

// storeUser writes u over its row and appends op when it differs from old.
func (d dirStore) storeUser(ctx context.Context, t tx, old, u *directory.User, op directory.Op) error {
	if d.userObjects().unchanged(*old, *u) {
		return nil
	}
	if err := validUser(u); err != nil {
		return err
	}
	vals, err := userValues(u)
	if err != nil {
		return fmt.Errorf("%w: %w", err, store.ErrInvalid)
	}
	return d.updateObject(ctx, t, directory.KindUser, u.ObjectID, op, fmt.Sprintf("userPrincipalName %q", u.UserPrincipalName),
		updateUser, append(vals[1:], millis(d.s.now()), u.ObjectID)...)
}

// modifyUser is a read-modify-write of one user in one transaction.
func (d dirStore) modifyUser(ctx context.Context, what, id string, op directory.Op, fn func(*directory.User) error) (directory.User, error) {
	out, err := d.userObjects().modify(ctx, id, fn, func(t tx, old, u *directory.User) error {
		return d.storeUser(ctx, t, old, u, op)
	})
	if err != nil {
		return directory.User{}, fmt.Errorf("%s user %q: %w", what, id, err)
	}
	return out, nil
}

// UpdateUser implements [store.Directory].
func (d dirStore) UpdateUser(ctx context.Context, objectID string, fn func(*directory.User) error) (directory.User, error) {
	return d.modifyUser(ctx, "update", objectID, directory.OpUpdate, func(u *directory.User) error {
		deleted := u.DeletedAt
		err := fn(u)
		u.DeletedAt = deleted
		return err
	})
}

// SoftDeleteUser implements [store.Directory].
func (d dirStore) SoftDeleteUser(ctx context.Context, objectID string, at time.Time) (directory.User, error) {
	at = fromMillis(millis(at))
	return d.modifyUser(ctx, "soft-delete", objectID, directory.OpSoftDelete, func(u *directory.User) error {
		if u.DeletedAt == nil {
			u.DeletedAt = &at
		}
		return nil
	})
}

// RestoreUser implements [store.Directory].
func (d dirStore) RestoreUser(ctx context.Context, objectID string) (directory.User, error) {
	return d.modifyUser(ctx, "restore", objectID, directory.OpRestore, func(u *directory.User) error {
		u.DeletedAt = nil
		return nil
	})
}

// PurgeUser implements [store.Directory].
func (d dirStore) PurgeUser(ctx context.Context, objectID string) error {
	if err := d.write(ctx, func(t tx) error { return d.purgeUser(ctx, t, objectID) }); err != nil {
		return fmt.Errorf("purge user %q: %w", objectID, err)
	}
	return nil
}

// PurgeDeletedUsers implements [store.Directory].
func (d dirStore) PurgeDeletedUsers(ctx context.Context, cutoff time.Time) ([]string, error) {
	return d.purgeDeleted(ctx, "users", cutoff, d.purgeUser)
}

// purgeDeleted hard-deletes with purge, in one transaction, the rows of
// dir_<kind> soft-deleted before cutoff, and returns their ids.
func (d dirStore) purgeDeleted(ctx context.Context, kind string, cutoff time.Time, purge func(context.Context, tx, string) error) ([]string, error) {
	var ids []string
	err := d.write(ctx, func(t tx) error {
		var err error
		if ids, err = dirColumn(ctx, t, "SELECT object_id FROM dir_"+kind+" WHERE deleted_at < ?", millis(cutoff)); err != nil {
			return err
		}
		for _, id := range ids {
			if err := purge(ctx, t, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("purge %s soft-deleted before %s: %w", kind, cutoff.UTC().Format(time.RFC3339), err)
	}
	return ids, nil
}

// purgeUser hard-deletes a user with its memberships and assignments and
// clears it as manager, each with its change.
func (d dirStore) purgeUser(ctx context.Context, t tx, id string) error {
	if err := d.userObjects().purge(ctx, t, id); err != nil {
		return err
	}
	return detach(ctx, t, "SELECT object_id FROM dir_users WHERE manager = ? ORDER BY object_id", id,
		"UPDATE dir_users SET manager = NULL, modified = ? WHERE manager = ?", []any{millis(d.s.now()), id}, func(r string) error {
			return d.appendChange(ctx, t, directory.KindUser, r, directory.OpUpdate, "")
		})
}

// Users implements [store.Directory].
func (d dirStore) Users(ctx context.Context, ids []string) ([]*directory.User, error) {
	return d.userObjects().byIDs(ctx, ids)
}

// AllUsers implements [store.Directory]: pages in objectId order, so no
// read holds a connection while fn runs.
func (d dirStore) AllUsers(ctx context.Context, fn func(*directory.User) error) error {
	return d.userObjects().all(ctx, fn)
}

// queryUsers runs a query of userColumns.
func (d dirStore) queryUsers(ctx context.Context, query string, args ...any) ([]directory.User, error) {
	rows, err := d.s.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanUser)
}
