package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

// The audit log ([store.AuditStore]): audit_log, one row per change.

var _ store.AuditStore = auditStore{}

type auditStore struct{ *Store }

// Audit returns the audit log's store.
func (s *Store) Audit() store.AuditStore { return auditStore{s} }

const auditColumns = "seq, time, actor, actor_id, method, route, path, object, object_id, status, before_json, after_json"

// AppendAudit implements [store.AuditStore].
func (s auditStore) AppendAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error) {
	e.Time = fromMillis(millis(e.Time))
	err := s.write(ctx, "", func(tx tx) error {
		return tx.queryRow(ctx, "INSERT INTO audit_log (time, actor, actor_id, method, route, path, object, object_id, status, before_json, after_json) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
			millis(e.Time), e.Actor, e.ActorID, e.Method, e.Route, e.Path, e.Object, e.ObjectID, e.Status, nullText(e.Before), nullText(e.After)).Scan(&e.Seq)
	})
	if err != nil {
		return e, fmt.Errorf("append audit entry: %w", err)
	}
	return e, nil
}

// Audit implements [store.AuditStore].
func (s auditStore) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	where := []string{"1 = 1"}
	var args []any
	if !q.Since.IsZero() {
		where = append(where, "time >= ?")
		args = append(args, millis(q.Since))
	}
	if !q.Until.IsZero() {
		where = append(where, "time < ?")
		args = append(args, millis(q.Until))
	}
	if q.Actor != "" {
		where = append(where, "(LOWER(actor) = LOWER(?) OR LOWER(actor_id) = LOWER(?))")
		args = append(args, q.Actor, q.Actor)
	}
	if q.Object != "" {
		where = append(where, "(LOWER(object) = LOWER(?) OR LOWER(object_id) = LOWER(?))")
		args = append(args, q.Object, q.Object)
	}
	if q.Before > 0 {
		where = append(where, "seq < ?")
		args = append(args, q.Before)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = store.DefaultAuditLimit
	}
	args = append(args, min(limit, store.MaxAuditLimit))
	rows, err := s.query(ctx, "SELECT "+auditColumns+" FROM audit_log WHERE "+strings.Join(where, " AND ")+" ORDER BY seq DESC LIMIT ?", args...)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var ms int64
		var before, after sql.NullString
		if err := rows.Scan(&e.Seq, &ms, &e.Actor, &e.ActorID, &e.Method, &e.Route, &e.Path, &e.Object, &e.ObjectID, &e.Status, &before, &after); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		e.Time = fromMillis(ms)
		if before.Valid {
			e.Before = []byte(before.String)
		}
		if after.Valid {
			e.After = []byte(after.String)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// PruneAudit implements [store.AuditStore].
func (s auditStore) PruneAudit(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.writeCount(ctx, "DELETE FROM audit_log WHERE time < ?", millis(before))
	if err != nil {
		return 0, fmt.Errorf("prune audit log: %w", err)
	}
	return n, nil
}
