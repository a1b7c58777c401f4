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
// release. On SQLite it is always granted.
func TestLockJob(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t, filepath.Join(t.TempDir(), "provisio.db"))
	for range 2 {
		release, ok, err := s.Jobs().LockJob(ctx, "j1", nil)
		if err != nil || !ok {
			t.Fatalf("SQLite LockJob = %v, %v; want granted", ok, err)
		}
		defer release()
	}

	dsn := freshSchema(t, postgresURL(t))
	a, b := openPostgres(t, dsn), openPostgres(t, dsn)
	lock := func(s *Store, job string) (func(), bool) {
		t.Helper()
		release, ok, err := s.Jobs().LockJob(ctx, job, func() { t.Errorf("lease of %s lost", job) })
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
	releaseA() // twice: harmless
	releaseB, ok := lock(b, "j1")
	if !ok {
		t.Fatal("LockJob(j1) not granted after the holder released it")
	}
	releaseB()
}

// TestJobLeaseRenewedAndTakenOver: on PostgreSQL, a held lease outlives
// its duration while the holder renews it; a holder that can no longer
// reach the database (its store closed, as a server that hangs or is cut
// off) is told it lost the lease within the lease, and another server
// gets the job once it expired; a holder whose lease was taken is told
// so at its next renewal.
func TestJobLeaseRenewedAndTakenOver(t *testing.T) {
	ctx := context.Background()
	dsn := freshSchema(t, postgresURL(t))
	a, b := openPostgres(t, dsn), openPostgres(t, dsn)
	const lease = time.Second
	a.SetJobLease(lease)
	b.SetJobLease(lease)
	lostA := make(chan time.Time, 1)
	releaseA, ok, err := a.Jobs().LockJob(ctx, "j1", func() { lostA <- time.Now() })
	if err != nil || !ok {
		t.Fatalf("LockJob = %v, %v", ok, err)
	}
	time.Sleep(3 * lease) // renewed meanwhile
	if _, ok, err := b.Jobs().LockJob(ctx, "j1", nil); err != nil || ok {
		t.Fatalf("LockJob on b after 3 leases of a renewed one = %v, %v; want refused", ok, err)
	}
	select {
	case <-lostA:
		t.Fatal("a renewed lease was reported lost")
	default:
	}

	cut := time.Now()
	a.leases.Close() // a can no longer renew (its leases have their own pool)
	var took time.Duration
	for {
		release, ok, err := b.Jobs().LockJob(ctx, "j1", nil)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			took = time.Since(cut)
			defer release()
			break
		}
		if time.Since(cut) > 5*lease {
			t.Fatal("b did not get the lease of a holder cut off 5 leases ago")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if took > lease+500*time.Millisecond {
		t.Errorf("b got the lease %s after a was cut off, want within about the lease %s", took, lease)
	}
	select {
	case at := <-lostA:
		if at.Sub(cut) > lease {
			t.Errorf("a was told of the lost lease %s after it was cut off, want within the lease %s", at.Sub(cut), lease)
		}
	case <-time.After(lease):
		t.Error("a was not told it lost the lease")
	}
	releaseA() // on a closed pool: must not panic or hang

	// A lease taken by another: the holder hears it at its next renewal.
	c := openPostgres(t, dsn)
	c.SetJobLease(lease)
	lostC := make(chan struct{})
	releaseC, ok, err := c.Jobs().LockJob(ctx, "j3", func() { close(lostC) })
	if err != nil || !ok {
		t.Fatalf("LockJob(j3) = %v, %v", ok, err)
	}
	defer releaseC()
	if _, err := b.w.ExecContext(ctx, "UPDATE provisioning_job_leases SET holder = 'other' WHERE job_id = 'j3'"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-lostC:
	case <-time.After(lease):
		t.Error("a holder whose lease was taken was not told within a lease")
	}
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
		release, ok, err := s.Jobs().LockJob(ctx, fmt.Sprintf("j%d", i), nil)
		if err != nil || !ok {
			t.Fatalf("LockJob(j%d) with %d locks held = %v, %v; want granted", i, i, ok, err)
		}
		defer release()
	}
	if _, err := s.Jobs().CreateJob(ctx, store.Job{AppID: "a1", Scope: "all", Mappings: []byte("{}")}); err != nil {
		t.Errorf("CreateJob with %d job locks held = %v, want it written", pool+1, err)
	}
}

// TestLeaseRenewedWhileWritePoolBusy: on PostgreSQL, a lease is renewed
// while every connection of the write pool is taken (a busy cycle and the
// SCIM service on a loaded machine): the renewals have their own.
func TestLeaseRenewedWhileWritePoolBusy(t *testing.T) {
	ctx := context.Background()
	s := openPostgres(t, freshSchema(t, postgresURL(t)))
	const lease = time.Second
	s.SetJobLease(lease)
	lost := make(chan struct{})
	release, ok, err := s.Jobs().LockJob(ctx, "j1", func() { close(lost) })
	if err != nil || !ok {
		t.Fatalf("LockJob = %v, %v", ok, err)
	}
	defer release()
	s.w.SetMaxOpenConns(1)
	tx, err := s.w.BeginTx(ctx, nil) // the write pool's one connection, held
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	select {
	case <-lost:
		t.Error("the lease was lost while the write pool was busy")
	case <-time.After(3 * lease):
	}
}
