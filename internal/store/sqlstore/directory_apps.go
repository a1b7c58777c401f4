package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
)

// CreateApp implements [store.Directory].
func (d dirStore) CreateApp(ctx context.Context, a directory.App) (directory.App, error) {
	a.ID = newObjectID(a.ID)
	if strings.TrimSpace(a.Name) == "" {
		return directory.App{}, fmt.Errorf("create app: empty name: %w", store.ErrInvalid)
	}
	err := d.write(ctx, func(t tx) error {
		res, err := t.exec(ctx, "INSERT INTO dir_apps (id, name, name_lower, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			a.ID, a.Name, strings.ToLower(a.Name), millis(d.s.now()))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, fmt.Errorf("id %q or name: %w", a.ID, store.ErrExists))
		}
		return d.appendChange(ctx, t, directory.KindApp, a.ID, directory.OpCreate, "")
	})
	if err != nil {
		return directory.App{}, fmt.Errorf("create app %q: %w", a.Name, err)
	}
	return a, nil
}

// GetApp implements [store.Directory].
func (d dirStore) GetApp(ctx context.Context, idOrName string) (directory.App, error) {
	var a directory.App
	err := d.s.queryRow(ctx, "SELECT id, name FROM dir_apps WHERE id = ?", idOrName).Scan(&a.ID, &a.Name)
	if errors.Is(err, sql.ErrNoRows) {
		err = d.s.queryRow(ctx, "SELECT id, name FROM dir_apps WHERE name_lower = ?", strings.ToLower(idOrName)).Scan(&a.ID, &a.Name)
	}
	return a, notFound(err, "app %q", idOrName)
}

// ListApps implements [store.Directory].
func (d dirStore) ListApps(ctx context.Context) ([]directory.App, error) {
	rows, err := d.s.query(ctx, "SELECT id, name FROM dir_apps ORDER BY name_lower")
	if err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	defer rows.Close()
	var out []directory.App
	for rows.Next() {
		var a directory.App
		if err := rows.Scan(&a.ID, &a.Name); err != nil {
			return nil, fmt.Errorf("list apps: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	return out, nil
}

// DeleteApp implements [store.Directory].
func (d dirStore) DeleteApp(ctx context.Context, id string) error {
	err := d.write(ctx, func(t tx) error {
		as, err := readAssignments(ctx, t, "SELECT app_id, principal_id, principal_kind, app_role_id FROM dir_assignments WHERE app_id = ? ORDER BY principal_id", id)
		if err != nil {
			return err
		}
		res, err := t.exec(ctx, "DELETE FROM dir_apps WHERE id = ?", id) // assignments cascade
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, store.ErrNotFound)
		}
		for _, a := range as {
			if err := d.appendChange(ctx, t, a.PrincipalKind, a.PrincipalID, directory.OpUnassign, id); err != nil {
				return err
			}
		}
		return d.appendChange(ctx, t, directory.KindApp, id, directory.OpHardDelete, "")
	})
	if err != nil {
		return fmt.Errorf("delete app %q: %w", id, err)
	}
	return nil
}

// Assign implements [store.Directory].
func (d dirStore) Assign(ctx context.Context, a directory.Assignment) (bool, error) {
	var table string
	switch a.PrincipalKind {
	case directory.KindUser:
		table = "dir_users"
	case directory.KindGroup:
		table = "dir_groups"
	default:
		return false, fmt.Errorf("assign %q: kind %q is neither user nor group: %w", a.PrincipalID, a.PrincipalKind, store.ErrInvalid)
	}
	changed := false
	err := d.write(ctx, func(t tx) error {
		for _, c := range []struct{ what, query, id string }{
			{"app", "SELECT 1 FROM dir_apps WHERE id = ?", a.AppID},
			{string(a.PrincipalKind), "SELECT 1 FROM " + table + " WHERE object_id = ?", a.PrincipalID},
		} {
			ok, err := dirExists(ctx, t, c.query, c.id)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%s %q: %w", c.what, c.id, store.ErrNotFound)
			}
		}
		var kind, role string
		err := t.queryRow(ctx, "SELECT principal_kind, app_role_id FROM dir_assignments WHERE app_id = ? AND principal_id = ?", a.AppID, a.PrincipalID).Scan(&kind, &role)
		switch {
		case err == nil && kind == string(a.PrincipalKind) && role == a.AppRoleID:
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		_, err = t.exec(ctx, "INSERT INTO dir_assignments (app_id, principal_id, principal_kind, app_role_id, created) VALUES (?, ?, ?, ?, ?) "+
			"ON CONFLICT (app_id, principal_id) DO UPDATE SET principal_kind = excluded.principal_kind, app_role_id = excluded.app_role_id",
			a.AppID, a.PrincipalID, string(a.PrincipalKind), a.AppRoleID, millis(d.s.now()))
		if err != nil {
			return err
		}
		changed = true
		return d.appendChange(ctx, t, a.PrincipalKind, a.PrincipalID, directory.OpAssign, a.AppID)
	})
	if err != nil {
		return false, fmt.Errorf("assign %s %q to app %q: %w", a.PrincipalKind, a.PrincipalID, a.AppID, err)
	}
	return changed, nil
}

// Unassign implements [store.Directory].
func (d dirStore) Unassign(ctx context.Context, appID, principalID string) (bool, error) {
	had := false
	err := d.write(ctx, func(t tx) error {
		var kind string
		err := t.queryRow(ctx, "SELECT principal_kind FROM dir_assignments WHERE app_id = ? AND principal_id = ?", appID, principalID).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, "DELETE FROM dir_assignments WHERE app_id = ? AND principal_id = ?", appID, principalID); err != nil {
			return err
		}
		had = true
		return d.appendChange(ctx, t, directory.Kind(kind), principalID, directory.OpUnassign, appID)
	})
	if err != nil {
		return false, fmt.Errorf("unassign %q from app %q: %w", principalID, appID, err)
	}
	return had, nil
}

// dropAssignments removes every assignment of a deleted principal, with an
// OpUnassign each.
func (d dirStore) dropAssignments(ctx context.Context, t tx, kind directory.Kind, principalID string) error {
	return detach(ctx, t, "SELECT app_id FROM dir_assignments WHERE principal_id = ? ORDER BY app_id", principalID,
		"DELETE FROM dir_assignments WHERE principal_id = ?", []any{principalID}, func(app string) error {
			return d.appendChange(ctx, t, kind, principalID, directory.OpUnassign, app)
		})
}

func readAssignments(ctx context.Context, q querier, query string, arg any) ([]directory.Assignment, error) {
	rows, err := q.query(ctx, query, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []directory.Assignment
	for rows.Next() {
		var a directory.Assignment
		if err := rows.Scan(&a.AppID, &a.PrincipalID, &a.PrincipalKind, &a.AppRoleID); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Assignments implements [store.Directory].
func (d dirStore) Assignments(ctx context.Context, appID string) ([]directory.Assignment, error) {
	as, err := readAssignments(ctx, d.s, "SELECT app_id, principal_id, principal_kind, app_role_id FROM dir_assignments WHERE app_id = ? ORDER BY principal_id", appID)
	if err != nil {
		return nil, fmt.Errorf("assignments of app %q: %w", appID, err)
	}
	return as, nil
}

// PrincipalAssignments implements [store.Directory].
func (d dirStore) PrincipalAssignments(ctx context.Context, principalID string) ([]directory.Assignment, error) {
	as, err := readAssignments(ctx, d.s, "SELECT app_id, principal_id, principal_kind, app_role_id FROM dir_assignments WHERE principal_id = ? ORDER BY app_id", principalID)
	if err != nil {
		return nil, fmt.Errorf("assignments of %q: %w", principalID, err)
	}
	return as, nil
}
