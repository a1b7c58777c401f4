package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/provisio-dev/provisio/internal/store"
)

// Job guards ([store.JobGuardStore]): provisioning_job_guards, one row per
// job that has one, going with the job (ON DELETE CASCADE).

const guardColumns = "job_id, deletion_threshold, deletion_threshold_percent, allow_deletes, quarantine"

func scanGuard(row interface{ Scan(...any) error }) (store.JobGuard, error) {
	var g store.JobGuard
	var count, percent sql.NullInt64
	var q sql.NullString
	if err := row.Scan(&g.JobID, &count, &percent, &g.AllowDeletes, &q); err != nil {
		return g, err
	}
	if count.Valid {
		n := int(count.Int64)
		g.DeletionThreshold = &n
	}
	if percent.Valid {
		n := int(percent.Int64)
		g.DeletionThresholdPercent = &n
	}
	if q.Valid {
		g.Quarantine = []byte(q.String)
	}
	return g, nil
}

// JobGuard implements [store.JobGuardStore].
func (s jobStore) JobGuard(ctx context.Context, jobID string) (store.JobGuard, error) {
	g, err := scanGuard(s.queryRow(ctx, "SELECT "+guardColumns+" FROM provisioning_job_guards WHERE job_id = ?", jobID))
	if errors.Is(err, sql.ErrNoRows) {
		return store.JobGuard{JobID: jobID}, s.jobExists(ctx, jobID)
	}
	if err != nil {
		return g, fmt.Errorf("read guard of job %q: %w", jobID, err)
	}
	return g, nil
}

// JobGuards implements [store.JobGuardStore].
func (s jobStore) JobGuards(ctx context.Context) ([]store.JobGuard, error) {
	rows, err := s.query(ctx, "SELECT "+guardColumns+" FROM provisioning_job_guards ORDER BY job_id")
	if err != nil {
		return nil, fmt.Errorf("list job guards: %w", err)
	}
	defer rows.Close()
	var out []store.JobGuard
	for rows.Next() {
		g, err := scanGuard(rows)
		if err != nil {
			return nil, fmt.Errorf("list job guards: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list job guards: %w", err)
	}
	return out, nil
}

// SetDeletionThreshold implements [store.JobGuardStore].
func (s jobStore) SetDeletionThreshold(ctx context.Context, jobID string, count, percent *int) error {
	return s.setGuard(ctx, jobID, "deletion threshold", "deletion_threshold = excluded.deletion_threshold, deletion_threshold_percent = excluded.deletion_threshold_percent",
		"deletion_threshold, deletion_threshold_percent", nullInt(count), nullInt(percent))
}

// SetAllowDeletes implements [store.JobGuardStore].
func (s jobStore) SetAllowDeletes(ctx context.Context, jobID string, allow bool) error {
	return s.setGuard(ctx, jobID, "allow deletes", "allow_deletes = excluded.allow_deletes", "allow_deletes", allow)
}

// SetQuarantine implements [store.JobGuardStore].
func (s jobStore) SetQuarantine(ctx context.Context, jobID string, q []byte) error {
	return s.setGuard(ctx, jobID, "quarantine", "quarantine = excluded.quarantine", "quarantine", nullText(q))
}

// setGuard inserts the job's guard with cols set to args, or sets them
// (set) on the stored one.
func (s jobStore) setGuard(ctx context.Context, jobID, what, set, cols string, args ...any) error {
	err := s.write(ctx, "", func(tx tx) error {
		var one int
		if err := tx.queryRow(ctx, "SELECT 1 FROM provisioning_jobs WHERE id = ?", jobID).Scan(&one); err != nil {
			return notFound(err, "job %q", jobID)
		}
		marks := "?"
		for range args {
			marks += ", ?"
		}
		_, err := tx.exec(ctx, "INSERT INTO provisioning_job_guards (job_id, "+cols+") VALUES ("+marks+") ON CONFLICT (job_id) DO UPDATE SET "+set,
			append([]any{jobID}, args...)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("set %s of job %q: %w", what, jobID, err)
	}
	return nil
}

func nullInt(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}
