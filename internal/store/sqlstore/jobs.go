package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning/record"
	"github.com/provisio-dev/provisio/internal/store"
)

// Provisioning jobs (store.JobStore): provisioning_jobs holds a job's
// settings, its encrypted Secret Token (opaque bytes here), its watermark
// and last cycle; provisioning_links, provisioning_logs and
// provisioning_cycles hang off it with ON DELETE CASCADE.

// jobStore is the [store.JobStore] view of a Store.
type jobStore struct{ *Store }

var _ store.JobStore = jobStore{}

// Jobs returns the storage of provisioning jobs.
func (s *Store) Jobs() store.JobStore { return jobStore{s} }

const jobColumns = "id, app_id, tenant_url, secret, enabled, scope, interval_ms, notify_email, mappings, skip_out_of_scope_deletions, target_schema, state, last_cycle, created, updated, webhook_url, webhook_secret, rate_limit, max_concurrency, oauth, credential_state, reconcile_every_ms, bulk"

func scanJob(row interface{ Scan(...any) error }) (store.Job, error) {
	var j store.Job
	var interval, created, updated, reconcileEvery int64
	var mappings string
	var last, schema, oauth, creds sql.NullString
	err := row.Scan(&j.ID, &j.AppID, &j.TenantURL, &j.Secret, &j.Enabled, &j.Scope, &interval,
		&j.NotificationEmail, &mappings, &j.SkipOutOfScopeDeletions, &schema, &j.State, &last, &created, &updated,
		&j.WebhookURL, &j.WebhookSecret, &j.RateLimit, &j.MaxConcurrency, &oauth, &creds, &reconcileEvery, &j.Bulk)
	if err != nil {
		return store.Job{}, err
	}
	j.Interval = time.Duration(interval) * time.Millisecond
	j.ReconcileEvery = time.Duration(reconcileEvery) * time.Millisecond
	j.Mappings = []byte(mappings)
	if last.Valid {
		j.LastCycle = []byte(last.String)
	}
	if schema.Valid {
		j.TargetSchema = []byte(schema.String)
	}
	if oauth.Valid {
		j.OAuth = []byte(oauth.String)
	}
	if creds.Valid {
		j.CredentialState = []byte(creds.String)
	}
	j.Created, j.Updated = fromMillis(created), fromMillis(updated)
	return j, nil
}

// CreateJob implements [store.JobStore].
func (s jobStore) CreateJob(ctx context.Context, j store.Job) (store.Job, error) {
	if j.AppID == "" {
		return store.Job{}, fmt.Errorf("create job: empty app id: %w", store.ErrInvalid)
	}
	j.ID = newID()
	j.Created = fromMillis(millis(s.now()))
	j.Updated = j.Created
	err := s.write(ctx, "", func(tx tx) error {
		_, err := tx.exec(ctx, "INSERT INTO provisioning_jobs ("+jobColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			j.ID, j.AppID, j.TenantURL, j.Secret, j.Enabled, j.Scope, j.Interval.Milliseconds(), j.NotificationEmail,
			string(j.Mappings), j.SkipOutOfScopeDeletions, nullText(j.TargetSchema), j.State, nullText(j.LastCycle), millis(j.Created), millis(j.Updated),
			j.WebhookURL, j.WebhookSecret, j.RateLimit, j.MaxConcurrency, nullText(j.OAuth), nullText(j.CredentialState), j.ReconcileEvery.Milliseconds(), j.Bulk)
		return err
	})
	if _, ok := uniqueViolation(err); ok {
		return store.Job{}, fmt.Errorf("create job of app %q: %w", j.AppID, store.ErrExists)
	}
	if err != nil {
		return store.Job{}, fmt.Errorf("create job of app %q: %w", j.AppID, err)
	}
	return j, nil
}

func nullText(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// UpdateJob implements [store.JobStore].
func (s jobStore) UpdateJob(ctx context.Context, j store.Job) (store.Job, error) {
	err := s.writeOne(ctx, fmt.Sprintf("update job %q", j.ID),
		"UPDATE provisioning_jobs SET tenant_url = ?, secret = ?, enabled = ?, scope = ?, interval_ms = ?, notify_email = ?, mappings = ?, skip_out_of_scope_deletions = ?, target_schema = ?, state = ?, updated = ?, webhook_url = ?, webhook_secret = ?, rate_limit = ?, max_concurrency = ?, oauth = ?, credential_state = ?, reconcile_every_ms = ?, bulk = ? WHERE id = ?",
		j.TenantURL, j.Secret, j.Enabled, j.Scope, j.Interval.Milliseconds(), j.NotificationEmail, string(j.Mappings),
		j.SkipOutOfScopeDeletions, nullText(j.TargetSchema), j.State, millis(s.now()), j.WebhookURL, j.WebhookSecret, j.RateLimit, j.MaxConcurrency, nullText(j.OAuth), nullText(j.CredentialState), j.ReconcileEvery.Milliseconds(), j.Bulk, j.ID)
	if err != nil {
		return store.Job{}, err
	}
	return s.GetJob(ctx, j.ID)
}

// GetJob implements [store.JobStore].
func (s jobStore) GetJob(ctx context.Context, id string) (store.Job, error) {
	j, err := scanJob(s.queryRow(ctx, "SELECT "+jobColumns+" FROM provisioning_jobs WHERE id = ?", id))
	return j, notFound(err, "get job %q", id)
}

// GetJobByApp implements [store.JobStore].
func (s jobStore) GetJobByApp(ctx context.Context, appID string) (store.Job, error) {
	j, err := scanJob(s.queryRow(ctx, "SELECT "+jobColumns+" FROM provisioning_jobs WHERE app_id = ?", appID))
	return j, notFound(err, "get job of app %q", appID)
}

// ListJobs implements [store.JobStore].
func (s jobStore) ListJobs(ctx context.Context) ([]store.Job, error) {
	rows, err := s.query(ctx, "SELECT "+jobColumns+" FROM provisioning_jobs ORDER BY app_id")
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	defer rows.Close()
	var out []store.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("list jobs: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return out, nil
}

// SetJobState implements [store.JobStore].
func (s jobStore) SetJobState(ctx context.Context, id, state string, lastCycle []byte) error {
	what := fmt.Sprintf("set state of job %q", id)
	if lastCycle == nil {
		return s.writeOne(ctx, what, "UPDATE provisioning_jobs SET state = ? WHERE id = ?", state, id)
	}
	return s.writeOne(ctx, what, "UPDATE provisioning_jobs SET state = ?, last_cycle = ? WHERE id = ?", state, string(lastCycle), id)
}

// DeleteJob implements [store.JobStore]; links, logs and cycles go with
// the job (ON DELETE CASCADE).
func (s jobStore) DeleteJob(ctx context.Context, id string) error {
	return s.writeOne(ctx, fmt.Sprintf("delete job %q", id), "DELETE FROM provisioning_jobs WHERE id = ?", id)
}

const linkColumns = "type, source_id, target_id, state, hash, written, unresolved, attempts, next_retry, last_error, failed_action, source_name, updated"

// linkWidth is the number of values of one link row (job_id, linkColumns).
const linkWidth = 14

// Links implements [store.JobStore].
func (s jobStore) Links(ctx context.Context, jobID string, t record.ObjectType) ([]record.Link, error) {
	return s.links(ctx, jobID, true, "type = ?", string(t))
}

// LinkStates implements [store.JobStore].
func (s jobStore) LinkStates(ctx context.Context, jobID string, t record.ObjectType) ([]record.Link, error) {
	return s.links(ctx, jobID, false, "type = ?", string(t))
}

// linksOfChunk is how many source ids one query of LinksOf names.
const linksOfChunk = 500

// LinksOf implements [store.JobStore].
func (s jobStore) LinksOf(ctx context.Context, jobID string, t record.ObjectType, sourceIDs []string) ([]record.Link, error) {
	var out []record.Link
	for ids := range slices.Chunk(sourceIDs, linksOfChunk) {
		args := make([]any, 0, len(ids)+1)
		args = append(args, string(t))
		for _, id := range ids {
			args = append(args, id)
		}
		ls, err := s.links(ctx, jobID, true, "type = ? AND source_id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", args...)
		if err != nil {
			return nil, err
		}
		out = append(out, ls...)
	}
	return out, nil
}

// links reads the job's links matching where (with args), Written only
// when withWritten.
func (s jobStore) links(ctx context.Context, jobID string, withWritten bool, where string, args ...any) ([]record.Link, error) {
	if err := s.jobExists(ctx, jobID); err != nil {
		return nil, err
	}
	cols := linkColumns
	if !withWritten {
		cols = strings.Replace(cols, "written", "NULL", 1)
	}
	rows, err := s.query(ctx, "SELECT "+cols+" FROM provisioning_links WHERE job_id = ? AND "+where, append([]any{jobID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read links of job %q: %w", jobID, err)
	}
	defer rows.Close()
	var out []record.Link
	for rows.Next() {
		var l record.Link
		var written sql.NullString
		var next sql.NullInt64
		var updated int64
		if err := rows.Scan(&l.Type, &l.SourceID, &l.TargetID, &l.State, &l.Hash, &written, &l.Unresolved,
			&l.Attempts, &next, &l.LastError, &l.FailedAction, &l.SourceName, &updated); err != nil {
			return nil, fmt.Errorf("read links of job %q: %w", jobID, err)
		}
		if written.Valid {
			if err := json.Unmarshal([]byte(written.String), &l.Written); err != nil {
				return nil, fmt.Errorf("read link %s/%s of job %q: %w", l.Type, l.SourceID, jobID, err)
			}
		}
		if next.Valid {
			l.NextRetry = fromMillis(next.Int64)
		}
		l.Updated = fromMillis(updated)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read links of job %q: %w", jobID, err)
	}
	return out, nil
}

// jobExists returns ErrNotFound for an unknown job.
func (s jobStore) jobExists(ctx context.Context, jobID string) error {
	var one int
	err := s.queryRow(ctx, "SELECT 1 FROM provisioning_jobs WHERE id = ?", jobID).Scan(&one)
	return notFound(err, "job %q", jobID)
}

// rowsPerInsert is how many rows one multi-row INSERT carries: a cycle
// writes thousands of links and log entries, and one statement per row
// costs a round trip each on PostgreSQL (12 parameters per row stays far
// below both databases' parameter limits).
const rowsPerInsert = 200

const upsertLinkConflict = " ON CONFLICT (job_id, type, source_id) DO UPDATE SET target_id = excluded.target_id, state = excluded.state, " +
	"hash = excluded.hash, written = excluded.written, unresolved = excluded.unresolved, attempts = excluded.attempts, " +
	"next_retry = excluded.next_retry, last_error = excluded.last_error, failed_action = excluded.failed_action, " +
	"source_name = excluded.source_name, updated = excluded.updated"

// insertRows returns "INSERT INTO table (cols) VALUES (?, ...), (?, ...)"
// for n rows of width columns.
func insertRows(table, cols string, width, n int) string {
	row := "(" + strings.Repeat("?, ", width-1) + "?)"
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// insertChunked inserts rows (each a slice of width values) in chunks of
// rowsPerInsert, with suffix (say, an ON CONFLICT clause) after each.
func insertChunked(ctx context.Context, tx tx, table, cols string, width int, rows [][]any, suffix string) error {
	for len(rows) > 0 {
		n := min(len(rows), rowsPerInsert)
		args := make([]any, 0, n*width)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := tx.exec(ctx, insertRows(table, cols, width, n)+suffix, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// WriteLinks implements [store.JobStore]: one transaction for the batch.
// A link put twice is written once, with its last value (one statement
// may not upsert a row twice).
func (s jobStore) WriteLinks(ctx context.Context, jobID string, put []record.Link, del []record.Key) error {
	last := make(map[record.Key]int, len(put))
	for i, l := range put {
		last[l.Key()] = i
	}
	rows := make([][]any, 0, len(last))
	for i, l := range put {
		if last[l.Key()] != i {
			continue
		}
		var written any
		if l.Written != nil {
			text, err := jsonText(l.Written)
			if err != nil {
				return fmt.Errorf("write link %s/%s of job %q: %w", l.Type, l.SourceID, jobID, err)
			}
			written = text
		}
		var next any
		if !l.NextRetry.IsZero() {
			next = millis(l.NextRetry)
		}
		rows = append(rows, []any{jobID, string(l.Type), l.SourceID, l.TargetID, string(l.State), l.Hash, written, l.Unresolved, l.Attempts,
			next, l.LastError, string(l.FailedAction), l.SourceName, millis(l.Updated)})
	}
	err := s.write(ctx, "", func(tx tx) error {
		if err := insertChunked(ctx, tx, "provisioning_links", "job_id, "+linkColumns, linkWidth, rows, upsertLinkConflict); err != nil {
			return err
		}
		for _, k := range del {
			if _, err := tx.exec(ctx, "DELETE FROM provisioning_links WHERE job_id = ? AND type = ? AND source_id = ?", jobID, string(k.Type), k.SourceID); err != nil {
				return err
			}
		}
		return nil
	})
	if foreignKeyViolation(err) {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("write links of job %q: %w", jobID, err)
	}
	return nil
}

// Escrows implements [store.JobStore].
func (s jobStore) Escrows(ctx context.Context, jobID string) ([]record.Link, error) {
	ls, err := s.links(ctx, jobID, false, "attempts > 0")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ls, func(a, b record.Link) int {
		return cmp.Or(a.NextRetry.Compare(b.NextRetry), cmp.Compare(a.Type, b.Type), cmp.Compare(a.SourceID, b.SourceID))
	})
	return ls, nil
}

// RetryEscrows implements [store.JobStore].
func (s jobStore) RetryEscrows(ctx context.Context, jobID string, keys []record.Key, at time.Time) (int, error) {
	if err := s.jobExists(ctx, jobID); err != nil {
		return 0, err
	}
	const set = "UPDATE provisioning_links SET next_retry = ? WHERE job_id = ? AND attempts > 0"
	var n int64
	err := s.write(ctx, "", func(tx tx) error {
		if keys == nil {
			res, err := tx.exec(ctx, set, millis(at), jobID)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		}
		for _, k := range keys {
			res, err := tx.exec(ctx, set+" AND type = ? AND source_id = ?", millis(at), jobID, string(k.Type), k.SourceID)
			if err != nil {
				return err
			}
			m, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += m
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("retry escrows of job %q: %w", jobID, err)
	}
	return int(n), nil
}

// CountLinks implements [store.JobStore].
func (s jobStore) CountLinks(ctx context.Context, jobID string) ([]store.LinkCount, error) {
	if err := s.jobExists(ctx, jobID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT type, state, attempts > 0, COUNT(*) FROM provisioning_links WHERE job_id = ? GROUP BY type, state, attempts > 0", jobID)
	if err != nil {
		return nil, fmt.Errorf("count links of job %q: %w", jobID, err)
	}
	defer rows.Close()
	var out []store.LinkCount
	for rows.Next() {
		var c store.LinkCount
		if err := rows.Scan(&c.Type, &c.State, &c.Failed, &c.N); err != nil {
			return nil, fmt.Errorf("count links of job %q: %w", jobID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count links of job %q: %w", jobID, err)
	}
	return out, nil
}

// Watermark implements [store.JobStore].
func (s jobStore) Watermark(ctx context.Context, jobID string) (int64, bool, error) {
	var wm sql.NullInt64
	err := s.queryRow(ctx, "SELECT watermark FROM provisioning_jobs WHERE id = ?", jobID).Scan(&wm)
	if err != nil {
		return 0, false, notFound(err, "read watermark of job %q", jobID)
	}
	return wm.Int64, wm.Valid, nil
}

// SetWatermark implements [store.JobStore].
func (s jobStore) SetWatermark(ctx context.Context, jobID string, seq int64) error {
	return s.writeOne(ctx, fmt.Sprintf("set watermark of job %q", jobID), "UPDATE provisioning_jobs SET watermark = ? WHERE id = ?", seq, jobID)
}

// ClearWatermark implements [store.JobStore].
func (s jobStore) ClearWatermark(ctx context.Context, jobID string) error {
	return s.writeOne(ctx, fmt.Sprintf("clear watermark of job %q", jobID), "UPDATE provisioning_jobs SET watermark = NULL WHERE id = ?", jobID)
}

// logColumns are the columns of a log entry: the whole entry as JSON, and
// the fields LogQuery filters by.
const logColumns = "job_id, time, cycle_id, change_id, object_type, source_id, source_name, target_id, action, status, error_code, entry"

// AppendLogs implements [store.JobStore].
func (s jobStore) AppendLogs(ctx context.Context, jobID string, entries []record.LogEntry) error {
	if len(entries) == 0 {
		return s.jobExists(ctx, jobID)
	}
	rows := make([][]any, len(entries))
	for i, e := range entries {
		text, err := jsonText(e)
		if err != nil {
			return fmt.Errorf("append logs of job %q: encode entry: %w", jobID, err)
		}
		rows[i] = []any{jobID, millis(e.Time), e.CycleID, e.ChangeID, string(e.ObjectType), e.SourceID, e.SourceName, e.TargetID,
			string(e.Action), string(e.Status), e.ErrorCode, text}
	}
	err := s.write(ctx, "", func(tx tx) error {
		return insertChunked(ctx, tx, "provisioning_logs", logColumns, 12, rows, "")
	})
	if foreignKeyViolation(err) {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("append logs of job %q: %w", jobID, err)
	}
	return nil
}

// Logs implements [store.JobStore].
func (s jobStore) Logs(ctx context.Context, jobID string, q store.LogQuery) ([]record.LogRecord, error) {
	if err := s.jobExists(ctx, jobID); err != nil {
		return nil, err
	}
	where := []string{"job_id = ?"}
	args := []any{jobID}
	for _, c := range []struct{ col, v string }{
		{"status", q.Status}, {"action", q.Action}, {"cycle_id", q.CycleID}, {"change_id", q.ChangeID}, {"object_type", q.ObjectType},
	} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if q.Object != "" {
		where = append(where, "(source_id = ? OR target_id = ? OR source_name = ?)")
		args = append(args, q.Object, q.Object, q.Object)
	}
	if !q.Since.IsZero() {
		where = append(where, "time >= ?")
		args = append(args, millis(q.Since))
	}
	if !q.Until.IsZero() {
		where = append(where, "time < ?")
		args = append(args, millis(q.Until))
	}
	if q.Before > 0 {
		where = append(where, "seq < ?")
		args = append(args, q.Before)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = store.DefaultLogLimit
	}
	args = append(args, min(limit, store.MaxLogLimit))
	rows, err := s.query(ctx, "SELECT seq, entry FROM provisioning_logs WHERE "+strings.Join(where, " AND ")+" ORDER BY seq DESC LIMIT ?", args...)
	if err != nil {
		return nil, fmt.Errorf("read logs of job %q: %w", jobID, err)
	}
	defer rows.Close()
	var out []record.LogRecord
	for rows.Next() {
		var r record.LogRecord
		var entry string
		if err := rows.Scan(&r.Seq, &entry); err != nil {
			return nil, fmt.Errorf("read logs of job %q: %w", jobID, err)
		}
		if err := json.Unmarshal([]byte(entry), &r.LogEntry); err != nil {
			return nil, fmt.Errorf("read log entry %d of job %q: %w", r.Seq, jobID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read logs of job %q: %w", jobID, err)
	}
	return out, nil
}

// PruneLogs implements [store.JobStore].
func (s jobStore) PruneLogs(ctx context.Context, jobID string, keep int) (int64, error) {
	if err := s.jobExists(ctx, jobID); err != nil {
		return 0, err
	}
	n, err := s.writeCount(ctx, "DELETE FROM provisioning_logs WHERE job_id = ? AND seq <= (SELECT seq FROM provisioning_logs WHERE job_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)",
		jobID, jobID, max(keep, 0))
	if err != nil {
		return 0, fmt.Errorf("prune logs of job %q: %w", jobID, err)
	}
	return n, nil
}

// PruneLogsBefore implements [store.JobStore].
func (s jobStore) PruneLogsBefore(ctx context.Context, t time.Time) (int64, error) {
	n, err := s.writeCount(ctx, "DELETE FROM provisioning_logs WHERE time < ?", millis(t))
	if err != nil {
		return 0, fmt.Errorf("prune logs before %s: %w", t.UTC().Format(time.RFC3339), err)
	}
	return n, nil
}

// PutCycle implements [store.JobStore].
func (s jobStore) PutCycle(ctx context.Context, c store.Cycle) error {
	if c.ID == "" {
		return fmt.Errorf("put cycle: empty id: %w", store.ErrInvalid)
	}
	err := s.write(ctx, "", func(tx tx) error {
		_, err := tx.exec(ctx, "INSERT INTO provisioning_cycles (id, job_id, kind, started, finished, stats, error) VALUES (?, ?, ?, ?, ?, ?, ?) "+
			"ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, started = excluded.started, finished = excluded.finished, stats = excluded.stats, error = excluded.error",
			c.ID, c.JobID, c.Kind, millis(c.Started), millis(c.Finished), string(c.Stats), c.Error)
		return err
	})
	if foreignKeyViolation(err) {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("put cycle %q of job %q: %w", c.ID, c.JobID, err)
	}
	return nil
}

// Cycles implements [store.JobStore].
func (s jobStore) Cycles(ctx context.Context, jobID string, limit int) ([]store.Cycle, error) {
	if err := s.jobExists(ctx, jobID); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 20
	}
	rows, err := s.query(ctx, "SELECT id, job_id, kind, started, finished, stats, error FROM provisioning_cycles WHERE job_id = ? ORDER BY started DESC, id DESC LIMIT ?", jobID, limit)
	if err != nil {
		return nil, fmt.Errorf("read cycles of job %q: %w", jobID, err)
	}
	defer rows.Close()
	var out []store.Cycle
	for rows.Next() {
		var c store.Cycle
		var started, finished int64
		var stats string
		if err := rows.Scan(&c.ID, &c.JobID, &c.Kind, &started, &finished, &stats, &c.Error); err != nil {
			return nil, fmt.Errorf("read cycles of job %q: %w", jobID, err)
		}
		c.Started, c.Finished, c.Stats = fromMillis(started), fromMillis(finished), []byte(stats)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read cycles of job %q: %w", jobID, err)
	}
	return out, nil
}
