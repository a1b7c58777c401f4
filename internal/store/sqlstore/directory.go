package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
)

// The directory (migration 0100_directory.sql): dir_users with a column per
// built-in attribute and a JSON column for extension attributes, unique
// lower-cased userPrincipalName, soft delete in deleted_at; dir_groups with
// a unique lower-cased displayName; dir_members (group, member, kind), so
// groups nest; dir_apps; dir_assignments, one per (app, principal); and
// dir_changes, the directory change feed, appended in the transaction of
// every write. On PostgreSQL every directory write holds the directory feed
// lock shared and Head/Changes read under it exclusively, as the SCIM event
// feed does (see the package doc), so seq order is commit order.

// lockDirectory is the advisory lock class of the directory feed
// (PostgreSQL).
const lockDirectory = 0x44495246 // "DIRF"

// dirStore is the [store.Directory] of a Store.
type dirStore struct{ s *Store }

var _ store.Directory = dirStore{}

// Directory returns the directory storage held in the same database.
func (s *Store) Directory() store.Directory { return dirStore{s} }

// write runs fn in a write transaction holding the directory feed lock
// shared (PostgreSQL).
func (d dirStore) write(ctx context.Context, fn func(tx) error) error {
	return d.s.write(ctx, "", func(t tx) error {
		if d.s.d.postgres {
			if _, err := t.exec(ctx, "SELECT pg_advisory_xact_lock_shared(?, 0)", lockDirectory); err != nil {
				return fmt.Errorf("lock directory feed: %w", err)
			}
		}
		return fn(t)
	})
}

// appendChange records one change in the feed of t's transaction.
func (d dirStore) appendChange(ctx context.Context, t tx, kind directory.Kind, id string, op directory.Op, appID string) error {
	_, err := t.exec(ctx, "INSERT INTO dir_changes (time, kind, object_id, op, app_id) VALUES (?, ?, ?, ?, ?)",
		millis(d.s.now()), string(kind), id, string(op), appID)
	if err != nil {
		return fmt.Errorf("append change: %w", err)
	}
	return nil
}

// feedRead runs fn on a reader that sees every change up to the feed's
// head committed: on PostgreSQL under the exclusive feed lock, on SQLite
// (one writer, commits in seq order) on the read pool.
func (d dirStore) feedRead(ctx context.Context, fn func(querier) error) error {
	if !d.s.d.postgres {
		return fn(d.s)
	}
	return d.s.write(ctx, "", func(t tx) error {
		if _, err := t.exec(ctx, "SELECT pg_advisory_xact_lock(?, 0)", lockDirectory); err != nil {
			return fmt.Errorf("lock directory feed: %w", err)
		}
		return fn(t)
	})
}

// Head implements [store.Directory].
func (d dirStore) Head(ctx context.Context) (int64, error) {
	var head int64
	err := d.feedRead(ctx, func(q querier) error {
		return q.queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM dir_changes").Scan(&head)
	})
	if err != nil {
		return 0, fmt.Errorf("directory feed head: %w", err)
	}
	return head, nil
}

// PeekHead returns the directory feed's latest sequence as committed, read
// without the feed's lock (on PostgreSQL, Head takes it in a write
// transaction): for a poll that only asks whether the feed moved (the
// jobs' change trigger); a cycle reads Head.
func (d dirStore) PeekHead(ctx context.Context) (int64, error) {
	var head int64
	if err := d.s.queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM dir_changes").Scan(&head); err != nil {
		return 0, fmt.Errorf("directory feed head: %w", err)
	}
	return head, nil
}

// Changes implements [store.Directory].
func (d dirStore) Changes(ctx context.Context, after int64, limit int) ([]directory.Change, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []directory.Change
	err := d.feedRead(ctx, func(q querier) error {
		rows, err := q.query(ctx, "SELECT seq, time, kind, object_id, op, app_id FROM dir_changes WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c directory.Change
			var ms int64
			if err := rows.Scan(&c.Seq, &ms, &c.Kind, &c.ObjectID, &c.Op, &c.AppID); err != nil {
				return err
			}
			c.Time = fromMillis(ms)
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("directory changes after %d: %w", after, err)
	}
	return out, nil
}

// PruneChanges implements [store.Directory]. The deletion and the
// pruned-through mark are one transaction, under the feed lock shared like
// any directory write.
func (d dirStore) PruneChanges(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := d.write(ctx, func(t tx) error {
		var upTo sql.NullInt64
		err := t.queryRow(ctx, "SELECT MAX(seq) FROM dir_changes WHERE time < ? AND seq < (SELECT MAX(seq) FROM dir_changes)",
			millis(before)).Scan(&upTo)
		if err != nil || !upTo.Valid {
			return err
		}
		res, err := t.exec(ctx, "DELETE FROM dir_changes WHERE seq <= ?", upTo.Int64)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = t.exec(ctx, "INSERT INTO dir_changes_pruned (id, through) VALUES (1, ?) "+
			"ON CONFLICT (id) DO UPDATE SET through = excluded.through WHERE excluded.through > dir_changes_pruned.through", upTo.Int64)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune directory changes: %w", err)
	}
	return n, nil
}

// PrunedThrough implements [store.Directory].
func (d dirStore) PrunedThrough(ctx context.Context) (int64, error) {
	var through int64
	err := d.s.queryRow(ctx, "SELECT COALESCE(MAX(through), 0) FROM dir_changes_pruned").Scan(&through)
	if err != nil {
		return 0, fmt.Errorf("directory feed pruned-through mark: %w", err)
	}
	return through, nil
}

// inIDs is a condition "col is one of the ids bound to its one
// placeholder" (see idsArg): one statement shape for any number of ids.
func (d dirStore) inIDs(col string) string {
	if d.s.d.postgres {
		return col + " = ANY(?)"
	}
	return col + " IN (SELECT value FROM json_each(?))"
}

// idsArg binds ids for inIDs.
func (d dirStore) idsArg(ids []string) any {
	if d.s.d.postgres {
		return ids
	}
	b, _ := json.Marshal(ids) // []string always marshals
	return string(b)
}

// dirScanner is a *sql.Row or *sql.Rows.
type dirScanner interface{ Scan(...any) error }

// dirNull stores "" as NULL.
func dirNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// dirNullMillis stores a nil time as NULL.
func dirNullMillis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return millis(*t)
}

func dirFromNullMillis(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMillis(n.Int64)
	return &t
}

// marshalExtensions stores extension attributes as a JSON object (NULL
// when there are none).
func marshalExtensions(m map[string]string) (any, error) {
	if len(m) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("extension attributes: %w", err)
	}
	return string(b), nil
}

func unmarshalExtensions(s sql.NullString) (map[string]string, error) {
	if !s.Valid || s.String == "" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s.String), &m); err != nil {
		return nil, fmt.Errorf("extension attributes: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// newObjectID fills in an empty id with a UUIDv7 (time-ordered, so
// inserts append to the primary-key index).
func newObjectID(id string) string {
	if id != "" {
		return id
	}
	v7, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return v7.String()
}

// dirExists reports whether query (selecting one row by its one argument)
// finds a row.
func dirExists(ctx context.Context, q querier, query string, arg any) (bool, error) {
	var one int
	err := q.queryRow(ctx, query, arg).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// dirColumn reads a one-column result of strings.
func dirColumn(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// dirPageSize applies the ListUsers / ListGroups limits.
func dirPageSize(limit int) int {
	if limit <= 0 {
		return store.DefaultPageSize
	}
	return min(limit, store.MaxPageSize)
}

// dirPage is the batch size of AllUsers and AllGroups.
const dirPage = 1000
