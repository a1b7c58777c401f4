package sqlstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/storetest"
)

func TestJobsSQLite(t *testing.T) {
	storetest.RunJobs(t, func(t *testing.T) store.JobStore {
		return openSQLite(t, filepath.Join(t.TempDir(), "provisio.db")).Jobs()
	})
}

func TestJobsPostgres(t *testing.T) {
	base := postgresURL(t)
	storetest.RunJobs(t, func(t *testing.T) store.JobStore { return openPostgres(t, freshSchema(t, base)).Jobs() })
}

// TestLockJob: two stores on one PostgreSQL database, as two servers: the
// job's cycle lock is granted to one at a time, per job, and again after
// release; closing a holder's store ends its lock too. On SQLite it is
// always granted.
func TestLockJob(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t, filepath.Join(t.TempDir(), "provisio.db"))
	for range 2 {
		release, ok, err := s.Jobs().LockJob(ctx, "j1")
		if err != nil || !ok {
			t.Fatalf("SQLite LockJob = %v, %v; want granted", ok, err)
		}
		defer release()
	}

	dsn := freshSchema(t, postgresURL(t))
	a, b := openPostgres(t, dsn), openPostgres(t, dsn)
	lock := func(s *Store, job string) (func(), bool) {
		t.Helper()
		release, ok, err := s.Jobs().LockJob(ctx, job)
		if err != nil {
			t.Fatalf("LockJob(%s) = %v", job, err)
		}
		return release, ok
	}
	releaseA, ok := lock(a, "j1")
	if !ok {
		t.Fatal("first LockJob(j1) not granted")
	}
	if _, ok := lock(b, "j1"); ok {
		t.Error("LockJob(j1) on a second server granted while the first holds it")
	}
	releaseJ2, ok := lock(b, "j2")
	if !ok {
		t.Error("LockJob(j2) not granted: locks of different jobs must not collide")
	}
	releaseJ2()
	releaseA()
	releaseB, ok := lock(b, "j1")
	if !ok {
		t.Fatal("LockJob(j1) not granted after the holder released it")
	}
	// A server that dies holding the lock loses it with its session: end
	// the holder's backend as a crash would.
	var pid int
	if err := a.w.QueryRowContext(ctx, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = hashtext('j1')::oid AND granted",
		lockJobs).Scan(&pid); err != nil {
		t.Fatalf("find the holder's session: %v", err)
	}
	if _, err := a.w.ExecContext(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		release, ok := lock(a, "j1")
		if ok {
			release()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("LockJob(j1) not granted after the holder's session ended")
		}
		time.Sleep(50 * time.Millisecond)
	}
	releaseB() // on a dead connection: must not panic or hang
}

// TestLockJobLeavesWritesFree: on PostgreSQL, more job locks held than the
// write pool has connections (shrunk here to 2) neither wait for one nor
// keep writes from getting one: the cycles holding the locks must write.
func TestLockJobLeavesWritesFree(t *testing.T) {
	s := openPostgres(t, freshSchema(t, postgresURL(t)))
	const pool = 2
	s.w.SetMaxOpenConns(pool)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := range pool + 1 {
		release, ok, err := s.Jobs().LockJob(ctx, fmt.Sprintf("j%d", i))
		if err != nil || !ok {
			t.Fatalf("LockJob(j%d) with %d locks held = %v, %v; want granted", i, i, ok, err)
		}
		defer release()
	}
	if _, err := s.Jobs().CreateJob(ctx, store.Job{AppID: "a1", Scope: "all", Mappings: []byte("{}")}); err != nil {
		t.Errorf("CreateJob with %d job locks held = %v, want it written", pool+1, err)
	}
}
