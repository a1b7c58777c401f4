package jobs_test

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim/client"
)

// twoServers is two job services ("servers") on one fresh PostgreSQL
// database, with the same directory and secret key; it skips the test
// when PROVISIO_TEST_POSTGRES is unset.
func twoServers(t *testing.T) (a, b *env) {
	t.Helper()
	base := os.Getenv("PROVISIO_TEST_POSTGRES")
	if base == "" {
		t.Skip("PROVISIO_TEST_POSTGRES is unset: PostgreSQL not tested")
	}
	dsn := freshSchema(t, base)
	a = newEnv(t, dsn, "")
	b = newEnv(t, dsn, "", func(o *jobs.Options) { o.Source, o.Box = a.dir, a.box }) // the same directory and key
	return a, b
}

// TestLinksReadAfreshAfterAnotherServersCycle: two servers on one
// PostgreSQL database run the job's cycles in turn. The first keeps the
// job's links in memory after its cycle; the second's cycle then links a
// new user. The first server's next cycle must read the links again and
// update that user, not take it for unlinked and create it again.
func TestLinksReadAfreshAfterAnotherServersCycle(t *testing.T) {
	a, b := twoServers(t)
	a.configure(jobs.Config{})
	a.addUsers(1, 2)
	if sum := a.run(); sum.Stats.Created != 2 || sum.Error != "" {
		t.Fatalf("first server's cycle = %+v, want 2 created", sum)
	}
	a.addUsers(3, 3)
	if sum := b.run(); sum.Stats.Created != 1 || sum.Error != "" {
		t.Fatalf("second server's cycle = %+v, want u3 created", sum)
	}
	a.dir.PutUser(directory.User{ObjectID: "u3", UserPrincipalName: "user3@example.com", DisplayName: "User Three",
		GivenName: "User", Surname: "3", AccountEnabled: true})
	sum := a.run()
	if sum.Stats.Created != 0 || sum.Stats.Matched != 0 || sum.Stats.Updated != 1 || sum.Stats.Failed != 0 || sum.Error != "" {
		t.Errorf("first server's next cycle = %+v, want u3 updated through the link the other server made", sum.Stats)
	}
}

// TestLinksReadAfreshAfterAnotherServersOnDemandAndReconcile: server A
// runs the job's cycles and keeps its links in memory; server B, on the
// same PostgreSQL database, provisions a new user on demand, then
// reconciles with repair, dropping the link of an account deleted in the
// application. A's next incremental cycles must see both: the user B
// linked is neither matched nor created again, and the account whose link
// B dropped is created again rather than missed.
func TestLinksReadAfreshAfterAnotherServersOnDemandAndReconcile(t *testing.T) {
	a, b := twoServers(t)
	a.configure(jobs.Config{})
	a.addUsers(1, 2)
	if sum := a.run(); sum.Stats.Created != 2 || sum.Error != "" {
		t.Fatalf("A's initial cycle = %+v, want 2 created", sum)
	}
	onDemandThenReconcile(t, a, b)
}

// TestOnDemandAndReconcileKeepLinksInMemory: on one server, on every
// store, a provision on demand and a reconciliation with repair write the
// links through the table the job's cycles keep, so the next incremental
// cycles act on them without reading every link again.
func TestOnDemandAndReconcileKeepLinksInMemory(t *testing.T) {
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			dsn, path := open(t)
			var reads linkReads
			a := newEnv(t, dsn, path, reads.wrap)
			a.configure(jobs.Config{})
			a.addUsers(1, 2)
			if sum := a.run(); sum.Stats.Created != 2 || sum.Error != "" {
				t.Fatalf("initial cycle = %+v, want 2 created", sum)
			}
			loaded := reads.n.Load()
			onDemandThenReconcile(t, a, a)
			if n := reads.n.Load(); n != loaded {
				t.Errorf("the links were read %d more times after the initial cycle, want the table kept", n-loaded)
			}
		})
	}
}

// onDemandThenReconcile: with users u1 and u2 provisioned by a's cycles,
// b provisions u3 on demand, then a's incremental cycle must leave u3
// alone; b reconciles with repair after u2's account was deleted in the
// application, then a's next cycle must create u2 again.
func onDemandThenReconcile(t *testing.T, a, b *env) {
	t.Helper()
	ctx := context.Background()
	a.addUsers(3, 3)
	if od, err := b.svc.Provision(ctx, appID, provisioning.TypeUser, "u3"); err != nil || od.Stats.Created != 1 {
		t.Fatalf("Provision(u3) = %+v, %v; want u3 created", od, err)
	}
	if sum := a.run(); sum.Stats.Created != 0 || sum.Stats.Matched != 0 || sum.Stats.Failed != 0 || sum.Error != "" {
		t.Errorf("cycle after the provision on demand = %+v, want u3 left alone (linked on demand)", sum)
	}
	c, _ := client.New(a.target.url, client.WithStaticToken(token))
	lr, err := c.List(ctx, "Users", client.Query{Filter: client.Eq("userName", "user2@example.com")})
	if err != nil || len(lr.Resources) != 1 {
		t.Fatalf("target user u2: %v, %v", lr, err)
	}
	if err := c.Delete(ctx, "Users", lr.Resources[0]["id"].(string)); err != nil {
		t.Fatal(err)
	}
	rec, err := b.svc.Reconcile(ctx, appID, true)
	if err != nil || len(rec.Findings) != 1 || rec.Findings[0].Kind != provisioning.FindingGone || !rec.Findings[0].Repaired {
		t.Fatalf("Reconcile(repair) = %+v, %v; want u2's gone account repaired (its link dropped)", rec, err)
	}
	if sum := a.run(); sum.Stats.Created != 1 || sum.Stats.Matched != 0 || sum.Stats.Failed != 0 || sum.Error != "" {
		t.Errorf("cycle after the reconciliation = %+v, want u2 created again", sum)
	}
	if n := a.target.count(t, "Users"); n != 3 {
		t.Errorf("target users = %d, want 3 (no duplicate, none missing)", n)
	}
}

// linkReads counts the reads of every link of a type (a LinkTable load).
type linkReads struct{ n atomic.Int64 }

func (r *linkReads) wrap(o *jobs.Options) { o.Store = &countingStore{JobStore: o.Store, reads: r} }

type countingStore struct {
	store.JobStore
	reads *linkReads
}

func (s *countingStore) LinkStates(ctx context.Context, jobID string, t provisioning.ObjectType) ([]provisioning.Link, error) {
	s.reads.n.Add(1)
	return s.JobStore.LinkStates(ctx, jobID, t)
}

// TestLostLeaseLeavesTheJobToBeTakenOver: a cycle whose lease is lost
// mid-way (its renewals failed: another server may take the job) stops
// and leaves the job's stored state running, so the next tick of a
// scheduler (here the same server's) takes the job over and finishes the
// cycle's work at once, not at the job's next interval.
func TestLostLeaseLeavesTheJobToBeTakenOver(t *testing.T) {
	var lease leaseLoser
	e := sqliteEnv(t, lease.wrap)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.svc.Schedule(ctx)
	j := e.configure(jobs.Config{})
	e.addUsers(1, 2)
	if _, err := e.svc.Start(ctx, appID); err != nil {
		t.Fatalf("Start = %v", err)
	}
	tick := func() { e.ticks <- e.clock.now() }
	tick()
	waitFor(t, "the first cycle", func() bool { return e.target.count(t, "Users") == 2 && e.status().State == jobs.StateIdle })
	e.addUsers(3, 20)
	sent := e.target.requests.Load()
	gate := e.target.hold()
	e.clock.advance(time.Second)
	if _, err := e.svc.Trigger(ctx, appID); err != nil {
		t.Fatalf("Trigger = %v", err)
	}
	waitFor(t, "the second cycle's first request", func() bool { return e.target.requests.Load() > sent })
	lease.lose()
	close(gate)
	waitFor(t, "the cycle to stop", func() bool { return e.status().State == jobs.StateIdle })
	if got, err := lease.st.GetJob(ctx, j.ID); err != nil || got.State != string(jobs.StateRunning) {
		t.Fatalf("stored job state after the lost lease = %q, %v; want running (for another server to take over)", got.State, err)
	}
	tick()
	waitFor(t, "the job taken over", func() bool { return e.target.count(t, "Users") == 20 && e.status().State == jobs.StateIdle })
	if got, _ := lease.st.GetJob(ctx, j.ID); got.State != string(jobs.StateIdle) {
		t.Errorf("stored job state after the takeover = %q, want idle", got.State)
	}
}

// leaseLoser lets a test lose the lease of the last LockJob.
type leaseLoser struct {
	st   store.JobStore
	mu   sync.Mutex
	lost func()
}

func (l *leaseLoser) wrap(o *jobs.Options) {
	l.st = o.Store
	o.Store = &losingStore{JobStore: o.Store, l: l}
}

func (l *leaseLoser) lose() {
	l.mu.Lock()
	lost := l.lost
	l.mu.Unlock()
	lost()
}

type losingStore struct {
	store.JobStore
	l *leaseLoser
}

func (s *losingStore) LockJob(ctx context.Context, jobID string, lost func()) (func(), bool, error) {
	s.l.mu.Lock()
	s.l.lost = lost
	s.l.mu.Unlock()
	return s.JobStore.LockJob(ctx, jobID, lost)
}
