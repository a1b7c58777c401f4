package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Job leases (store.JobStore.LockJob): provisioning_job_leases, one row
// per job whose cycle lock is or was held, with the holder's random id and
// the lease's expiry on the database's clock (so that the servers' clocks
// need not agree). The holder renews the lease every third of its
// duration and deletes the row on release; a server that dies or hangs
// stops renewing, and another takes the job over once the lease expired.
// A holder that cannot renew (the row was taken, or no renewal succeeded
// for two thirds of the lease) is told the lease is lost before another
// server can take it, and stops its cycle. The leases have connections of
// their own (openLeases): a busy cycle's link writes and the SCIM
// service's, which can take every connection of the write pool for
// seconds on a loaded machine, must not hold a renewal up until the lease
// is lost.

// DefaultJobLease is how long a job's cycle lease lasts without renewal
// unless [Store.SetJobLease] says otherwise: the longest a job waits for
// another server after the one running its cycle died.
const DefaultJobLease = 30 * time.Second

// MinJobLease is the shortest lease SetJobLease accepts: renewals every
// third of it must reach the database in time.
const MinJobLease = time.Second

// leaseNow is PostgreSQL's clock in epoch milliseconds.
const leaseNow = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT"

// SetJobLease sets how long a job's cycle lease lasts without renewal
// (at least MinJobLease). Call it before the store is used.
func (s *Store) SetJobLease(d time.Duration) { s.lease = max(d, MinJobLease) }

// JobLease is the lease SetJobLease set.
func (s *Store) JobLease() time.Duration { return s.lease }

// LockJob implements [store.JobStore]. On SQLite a database file is one
// server's, whose job service runs one cycle per job at a time: the lock
// is always granted and never lost. On PostgreSQL it is a lease
// (provisioning_job_leases): granted when no other holder's lease is
// current, renewed in the background until release, and lost (lost is
// called once, then the renewals stop) when a renewal finds it taken or
// none succeeded for two thirds of the lease.
func (s jobStore) LockJob(ctx context.Context, jobID string, lost func()) (release func(), ok bool, err error) {
	if !s.d.postgres {
		return func() {}, true, nil
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	holder := hex.EncodeToString(b)
	ms := s.lease.Milliseconds()
	var got string
	err = s.leases.QueryRowContext(ctx, "INSERT INTO provisioning_job_leases (job_id, holder, expires_ms) VALUES ($1, $2, "+leaseNow+" + $3) "+
		"ON CONFLICT (job_id) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms "+
		"WHERE provisioning_job_leases.expires_ms < "+leaseNow+" RETURNING holder", jobID, holder, ms).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("lock job %q: %w", jobID, err)
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go s.renewLease(jobID, holder, lost, stop, done)
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			<-done
			ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
			defer cancel()
			// On failure the lease expires by itself.
			if _, err := s.leases.ExecContext(ctx, "DELETE FROM provisioning_job_leases WHERE job_id = $1 AND holder = $2", jobID, holder); err != nil {
				s.log.Warn("release provisioning job lease", "job", jobID, "err", err)
			}
		})
	}, true, nil
}

// leaseConns is the connections of the job leases: a lease statement is
// one short round trip, and a server holds few leases at once.
const leaseConns = 2

// openLeases opens the job leases' pool on PostgreSQL.
func openLeases(dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(leaseConns)
	db.SetMaxIdleConns(leaseConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// unlockTimeout bounds a lease's release and each renewal.
const unlockTimeout = 5 * time.Second

// renewLease renews holder's lease of jobID every third of the lease until
// stop is closed, or calls lost once it is lost.
func (s jobStore) renewLease(jobID, holder string, lost func(), stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	every := s.lease / 3
	t := time.NewTicker(every)
	defer t.Stop()
	renewed := time.Now() // the lease was granted at or after this
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		sent := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), min(unlockTimeout, every))
		res, err := s.leases.ExecContext(ctx, "UPDATE provisioning_job_leases SET expires_ms = "+leaseNow+" + $3 WHERE job_id = $1 AND holder = $2",
			jobID, holder, s.lease.Milliseconds())
		cancel()
		var n int64
		if err == nil {
			n, err = res.RowsAffected()
		}
		switch {
		case err == nil && n == 1:
			renewed = sent
			continue
		case err == nil:
			s.log.Warn("provisioning job lease taken by another server: stopping the cycle", "job", jobID)
		case time.Since(renewed) < s.lease*2/3:
			s.log.Warn("renew provisioning job lease", "job", jobID, "err", err)
			continue
		default:
			s.log.Warn("provisioning job lease not renewed in time: stopping the cycle", "job", jobID, "err", err)
		}
		if lost != nil {
			lost()
		}
		return
	}
}

// Ping checks that the database answers a read and the write pool a
// connection, within ctx (GET /readyz).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("database read: %w", err)
	}
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("database write pool: %w", err)
	}
	return nil
}
