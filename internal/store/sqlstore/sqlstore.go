// Package sqlstore implements [store.Store] on database/sql with two
// dialects: SQLite (modernc.org/sqlite, the embedded default) and PostgreSQL
// (github.com/jackc/pgx/v5/stdlib, for production and for several nodes on
// one database).
//
// Layout (migrations/<dialect>/NNNN_name.sql, embedded, applied at Open and
// recorded in schema_migrations; PostgreSQL serializes concurrent starts with
// pg_advisory_xact_lock, SQLite with BEGIN IMMEDIATE):
//
//   - resources: one row per SCIM resource (RFC 7643 §3): the canonical JSON
//     document without id, meta and members, plus normalized columns for the
//     filters clients send all the time (lower-cased userName and
//     displayName, externalId, active) and created/modified/version, which
//     make meta (RFC 7643 §3.1). userName is unique per tenant
//     case-insensitively, and so is a Group's displayName (Entra requires
//     it); externalId is not unique.
//   - members: one row per (tenant, group, member) (RFC 7643 §4.2), so adding
//     or removing a member is O(1) in the group's size; members are read
//     only when asked for.
//   - events: the change feed, appended in the transaction of each write.
//     seq is one global sequence (AUTOINCREMENT / BIGSERIAL). SQLite has a
//     single writer, so seq order is commit order. On PostgreSQL every write
//     holds a shared advisory lock on its tenant and [Store.Events] reads
//     under the exclusive one, so a reader never sees seq N+1 committed
//     while N is still in flight.
//
// Concurrency: updates are read-modify-write with compare-and-swap on
// version; every write, its membership changes and its event are one
// transaction, so a failed request leaves nothing behind. SQLite has one
// writer connection owned by one goroutine that commits the writes queued
// meanwhile together (group commit, see batch.go; no SQLITE_BUSY retries)
// and a pool of query-only reader connections on the WAL; an update first
// reads and applies its change on a reader, off the writer, and writes with
// compare-and-swap; if that loses, it retries read-modify-write on the
// writer, where it cannot lose. An update assigns only the normalized
// columns whose values change, so a PATCH of active or a name rewrites no
// index. SQLite's WAL is checkpointed by a background goroutine on its own
// connection (batch.go), not by the committing writer. On PostgreSQL the
// read of a membership change locks the row (FOR UPDATE), concurrent
// creates without members and compare-and-swap updates of a tenant are
// written in batches, one autocommitted statement each (group commit,
// pgbatch.go); reads use a pool of their own, smaller than the writers',
// and concurrent `userName eq` lists are coalesced into one query (list.go);
// provisioning jobs' cycle locks are leases in a table (joblease.go).
// PostgreSQL also gets ANALYZE after 1024, 2048, 4096, ... creates through
// a Store: a tenant provisioned in bulk outgrows autovacuum, and without
// statistics the planner may walk the wrong index for `userName eq`.
//
// Identifiers are UUIDv7 (time-ordered, so the (created, id) order follows
// creation and inserts append to the indexes). meta.version is W/"<n>" with
// n counting the resource's writes; a membership change bumps the group's.
//
// Filters (RFC 7644 §3.4.2.2): `id`, `userName`, `externalId`,
// `displayName` eq and `active` eq, and AND/OR of those, run in SQL; the rest
// of a filter is evaluated in Go over the SQL candidates, streamed. Lists are
// ordered by (created, id) unless sortBy says otherwise, so paging is stable,
// and totalResults is exact.
package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim/backend"
)

// Store is a [store.Store] on SQLite or PostgreSQL.
type Store struct {
	d   dialect
	w   *sql.DB // writes; SQLite: exactly one connection
	r   *sql.DB // reads
	log *slog.Logger
	now func() time.Time

	batch *batcher      // SQLite: the group-committing writer; nil on PostgreSQL
	ckpt  *checkpointer // SQLite: background WAL checkpoints; nil on PostgreSQL

	lookups *lookups      // PostgreSQL: coalesced userName and id lookups (list_lookups.go); nil on SQLite
	pgw     *pgWriter     // PostgreSQL: batched creates and updates (pgbatch.go); nil on SQLite
	lease   time.Duration // how long a job's cycle lease lasts unrenewed (joblease.go)
	leases  *sql.DB       // PostgreSQL: the job leases' own connections (joblease.go); nil on SQLite

	creates   atomic.Int64   // PostgreSQL: resources created through this Store
	analyzing atomic.Bool    // an ANALYZE is running
	bg        sync.WaitGroup // background work, waited for by Close

	mu    sync.Mutex
	stmts map[stmtKey]*sql.Stmt
}

var _ store.Store = (*Store)(nil)

type stmtKey struct {
	write bool
	query string
}

// maxCachedStmts bounds the prepared-statement cache; list queries vary
// with the filter's shape.
const maxCachedStmts = 256

// Open opens (creating if needed) the database named by dsn and applies
// pending migrations. dsn is a postgres:// or postgresql:// URL, or else a
// SQLite file path or file: URL (the directory must exist). In-memory SQLite
// databases are not supported: readers use their own connections.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{log: logger, now: time.Now, stmts: map[stmtKey]*sql.Stmt{}, lease: DefaultJobLease}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		err = s.openPostgres(dsn)
	} else {
		err = s.openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) openPostgres(dsn string) error {
	w, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	r, err := sql.Open("pgx", dsn)
	if err != nil {
		w.Close()
		return fmt.Errorf("open postgres: %w", err)
	}
	// Writes wait for their commit's WAL flush, so they need many
	// connections in flight. Reads are short and CPU-bound on both sides:
	// a small pool keeps its backends busy instead of waking one of many
	// sleeping processes per query, which on a few cores costs more than
	// the query itself (about a third of PostgreSQL's CPU per filter GET
	// with 16 read connections on 2 cores).
	nw := max(16, 4*runtime.GOMAXPROCS(0))
	w.SetMaxOpenConns(nw)
	w.SetMaxIdleConns(nw)
	w.SetConnMaxIdleTime(5 * time.Minute)
	nr := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(nr)
	r.SetMaxIdleConns(nr)
	r.SetConnMaxIdleTime(5 * time.Minute)
	if s.leases, err = openLeases(dsn); err != nil {
		w.Close()
		r.Close()
		return err
	}
	s.d, s.w, s.r = postgresDialect, w, r
	s.lookups = &lookups{s: s, queues: map[lookupKey][]*lookup{}}
	s.pgw = newPGWriter(s)
	return nil
}

// pingSQLite opens the writer's connection, which sets its pragmas. While
// another connection (another process, or a concurrent Open) sets up the
// same new file, SQLite may answer SQLITE_BUSY at once instead of waiting
// for busy_timeout (switching the file to WAL, or recovering its
// wal-index); that is retried for up to 10 s.
func pingSQLite(db *sql.DB) error {
	var err error
	for range 100 {
		if err = db.Ping(); !sqliteBusy(err) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

func (s *Store) openSQLite(dsn string) error {
	if dsn == "" || strings.Contains(dsn, ":memory:") || strings.Contains(dsn, "mode=memory") {
		return fmt.Errorf("open sqlite %q: in-memory databases are not supported", dsn)
	}
	wdsn, err := sqliteDSN(dsn, false)
	if err != nil {
		return err
	}
	if err := createPrivate(sqlitePath(dsn)); err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	rdsn, err := sqliteDSN(dsn, true)
	if err != nil {
		return err
	}
	w, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	// The writer sets journal_mode=WAL before any reader opens the file.
	if err := pingSQLite(w); err != nil {
		w.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	r, err := sql.Open("sqlite", rdsn)
	if err != nil {
		w.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	c, err := sql.Open("sqlite", wdsn)
	if err != nil {
		w.Close()
		r.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	c.SetMaxOpenConns(1)
	c.SetMaxIdleConns(1)
	s.d, s.w, s.r = sqliteDialect, w, r
	s.ckpt = newCheckpointer(c, s.log)
	s.batch = newBatcher(s)
	return nil
}

// sqlitePath is the file a SQLite path or file: URL names.
func sqlitePath(dsn string) string {
	base, _, _ := strings.Cut(dsn, "?")
	return strings.TrimPrefix(base, "file:")
}

// createPrivate creates the database file readable by its owner only
// (0600) if it does not exist yet; SQLite gives the -wal and -shm files it
// creates next to it the same mode. An existing file is left as it is.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// sqliteSynchronous is the writers' synchronous setting. FULL: in WAL mode
// every commit syncs the WAL, so an acknowledged write survives a power
// failure, not only a crash of the process; with group commit that costs
// one fsync per batch of writes (docs/benchmarks.md, "SQLite durability").
const sqliteSynchronous = "FULL"

// sqliteDSN adds the connection settings to a SQLite path or file: URL:
// WAL, a busy timeout (other processes only; in-process writes are
// serialized), synchronous=FULL (see sqliteSynchronous), foreign keys;
// writers begin IMMEDIATE and leave checkpoints to the checkpointer up to
// writerAutoCheckpoint pages and keep temporary files (savepoints'
// sub-journals) in memory; readers are query-only.
func sqliteDSN(dsn string, reader bool) (string, error) {
	base, query, _ := strings.Cut(dsn, "?")
	v, err := url.ParseQuery(query)
	if err != nil {
		return "", fmt.Errorf("sqlite dsn: %w", err)
	}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous("+sqliteSynchronous+")")
	if reader {
		v.Add("_pragma", "query_only(1)")
	} else {
		v.Add("_pragma", "journal_mode(WAL)")
		v.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerAutoCheckpoint))
		// Group commit runs each write in a SAVEPOINT, whose sub-journal
		// (the pages' prior content) otherwise spills to a temporary file
		// that is created, written and closed per batch; in memory it
		// costs no system call. It holds at most the pages one batch
		// touches (docs/benchmarks.md, "Issue 15: SCIM service throughput").
		v.Add("_pragma", "temp_store(MEMORY)")
		v.Set("_txlock", "immediate")
	}
	return base + "?" + v.Encode(), nil
}

// Close closes the database.
func (s *Store) Close() error {
	if s.batch != nil {
		s.batch.close()
	}
	var err error
	if s.ckpt != nil {
		err = s.ckpt.close()
	}
	s.bg.Wait()
	s.mu.Lock()
	for k, st := range s.stmts {
		st.Close()
		delete(s.stmts, k)
	}
	s.mu.Unlock()
	err = errors.Join(err, s.w.Close())
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	if s.leases != nil {
		err = errors.Join(err, s.leases.Close())
	}
	return err
}

// Backend returns the SCIM resource store for the tenant bound to each
// call's ctx (store.WithTenant).
func (s *Store) Backend() backend.Backend { return resources{s} }

// stmt returns the cached prepared statement for query (already rebound)
// on the writer or reader pool, preparing it on first use. It returns nil
// when the cache is full or preparing fails; the caller then runs the query
// unprepared, which reports any error. PostgreSQL needs none of this: pgx
// caches prepared statements per connection itself.
func (s *Store) stmt(ctx context.Context, write bool, query string) *sql.Stmt {
	k := stmtKey{write, query}
	s.mu.Lock()
	st, ok := s.stmts[k]
	full := len(s.stmts) >= maxCachedStmts
	s.mu.Unlock()
	if ok || full {
		return st
	}
	db := s.r
	if write {
		db = s.w
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if have, ok := s.stmts[k]; ok {
		st.Close()
		return have
	}
	s.stmts[k] = st
	return st
}

// query runs a read on the reader pool.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = s.d.rebind(query)
	if !s.d.postgres {
		if st := s.stmt(ctx, false, query); st != nil {
			return st.QueryContext(ctx, args...)
		}
	}
	return s.r.QueryContext(ctx, query, args...)
}

// queryRow runs a single-row read on the reader pool.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = s.d.rebind(query)
	if !s.d.postgres {
		if st := s.stmt(ctx, false, query); st != nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	return s.r.QueryRowContext(ctx, query, args...)
}

// tx is a write transaction with prepared-statement reuse.
type tx struct {
	s  *Store
	tx *sql.Tx
	// ctx, if set, replaces the context the statements are given (see
	// batcher.runOne).
	ctx context.Context
	// unprepared collects SQLite queries this transaction ran without a
	// cached statement; write prepares them after commit, when the single
	// writer connection is free again.
	unprepared *[]string
}

// context returns the context statements run with.
func (t tx) context(ctx context.Context) context.Context {
	if t.ctx != nil {
		return t.ctx
	}
	return ctx
}

// txStmt returns the transaction's view of the cached statement for query
// (SQLite), or nil to run the rebound query unprepared.
func (t tx) txStmt(ctx context.Context, query string) (*sql.Stmt, string) {
	query = t.s.d.rebind(query)
	if t.s.d.postgres {
		return nil, query
	}
	k := stmtKey{true, query}
	t.s.mu.Lock()
	st, ok := t.s.stmts[k]
	t.s.mu.Unlock()
	if !ok {
		// Preparing on the pool now would wait for the connection this
		// transaction holds.
		*t.unprepared = append(*t.unprepared, query)
		return nil, query
	}
	return t.tx.StmtContext(ctx, st), query
}

func (t tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = t.context(ctx)
	st, q := t.txStmt(ctx, query)
	if st == nil {
		return t.tx.ExecContext(ctx, q, args...)
	}
	return st.ExecContext(ctx, args...)
}

func (t tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = t.context(ctx)
	st, q := t.txStmt(ctx, query)
	if st == nil {
		return t.tx.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (t tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = t.context(ctx)
	st, q := t.txStmt(ctx, query)
	if st == nil {
		return t.tx.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

// Advisory lock classes (PostgreSQL, two-key form).
const (
	lockMigrate = 0x50524f56 // "PROV"
	lockEvents  = 0x45564e54 // "EVNT"
)

// writeCount runs one statement in a write transaction and returns the
// number of rows it changed (a prune's deletes).
func (s *Store) writeCount(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := s.write(ctx, "", func(t tx) error {
		res, err := t.exec(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// write runs fn in a write transaction. With a tenantID on PostgreSQL the
// transaction holds the tenant's shared change-feed lock (see the package
// doc). fn's error rolls everything back and is returned unwrapped.
func (s *Store) write(ctx context.Context, tenantID string, fn func(tx) error) error {
	if s.batch != nil {
		return s.batch.do(ctx, fn)
	}
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// Rolls back on error and on panic; a no-op after Commit.
	defer sqlTx.Rollback()
	t := tx{s: s, tx: sqlTx, unprepared: new([]string)}
	if s.d.postgres && tenantID != "" {
		if _, err := t.exec(ctx, "SELECT pg_advisory_xact_lock_shared(?, hashtext(?))", lockEvents, tenantID); err != nil {
			return fmt.Errorf("lock tenant feed: %w", err)
		}
	}
	if err := fn(t); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// noteCreate counts a create and, on PostgreSQL, refreshes the planner's
// statistics after 1024, 2048, 4096, ... creates. A new tenant provisioned
// in bulk fills the table faster than autovacuum analyzes it, and without
// statistics the planner may walk the wrong index for `userName eq`.
func (s *Store) noteCreate() {
	if !s.d.postgres {
		return
	}
	n := s.creates.Add(1)
	if n < 1024 || n&(n-1) != 0 || !s.analyzing.CompareAndSwap(false, true) {
		return
	}
	s.bg.Go(func() {
		defer s.analyzing.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := s.w.ExecContext(ctx, "ANALYZE resources, members"); err != nil {
			s.log.Warn("analyze", "err", err)
		}
	})
}

// millis converts a time to the stored Unix milliseconds.
func millis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis converts stored Unix milliseconds to a UTC time.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// newID returns a short random URL-safe identifier ([a-z2-7], 60 bits).
func newID() string { return strings.ToLower(rand.Text()[:12]) }
