package jobs_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/client"
)

// TestReconcile reconciles a job on every store: an orphan is reported
// and left, a gone account's link is dropped with repair, the
// reconciliation is recorded as a cycle of its own, and a reconciliation
// is refused while a cycle runs.
func TestReconcile(t *testing.T) {
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			dsn, path := open(t)
			e := newEnv(t, dsn, path)
			e.configure(jobs.Config{})
			e.addUsers(1, 2)
			e.run()
			ctx := context.Background()
			c, _ := client.New(e.target.url, client.WithStaticToken(token))
			lr, err := c.List(ctx, "Users", client.Query{Filter: client.Eq("userName", "user2@example.com")})
			if err != nil || len(lr.Resources) != 1 {
				t.Fatalf("target user u2: %v, %v", lr, err)
			}
			if err := c.Delete(ctx, "Users", lr.Resources[0]["id"].(string)); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Create(ctx, "Users", scim.Resource{"schemas": []any{scim.UserSchema}, "userName": "orphan"}); err != nil {
				t.Fatal(err)
			}
			rec, err := e.svc.Reconcile(ctx, appID, true)
			if err != nil {
				t.Fatalf("Reconcile(repair) = %v", err)
			}
			got := map[provisioning.FindingKind]bool{}
			for _, f := range rec.Findings {
				got[f.Kind] = f.Repaired
			}
			if len(rec.Findings) != 2 || !got[provisioning.FindingGone] || got[provisioning.FindingOrphan] {
				t.Errorf("Reconcile(repair) findings = %+v, want gone (repaired) and orphan (left)", rec.Findings)
			}
			cs, err := e.svc.Cycles(ctx, appID, 0)
			if err != nil || !slices.ContainsFunc(cs, func(c jobs.CycleSummary) bool {
				return c.ID == rec.CycleID && c.Kind == provisioning.CycleReconcile
			}) {
				t.Errorf("Cycles = %+v, %v; want the reconcile cycle among them", cs, err)
			}
			if st := e.status(); st.Links.Users != 1 {
				t.Errorf("links after repair = %d users, want 1 (u2's dropped)", st.Links.Users)
			}
			if sum := e.run(); sum.Stats.Created != 1 {
				t.Errorf("cycle after repair = %+v, want u2 created again", sum.Stats)
			}
		})
	}
}

func TestReconcileNeverRacesACycle(t *testing.T) {
	e := sqliteEnv(t)
	e.configure(jobs.Config{})
	e.addUsers(1, 1)
	ctx := context.Background()
	gate := e.target.hold()
	done, err := e.svc.Trigger(ctx, appID)
	if err != nil {
		t.Fatalf("Trigger = %v", err)
	}
	waitFor(t, "the held request", func() bool { return e.target.requests.Load() > 0 })
	if _, err := e.svc.Reconcile(ctx, appID, false); !errors.Is(err, jobs.ErrBusy) {
		t.Errorf("Reconcile while a cycle runs = %v, want ErrBusy", err)
	}
	close(gate)
	<-done
}

// TestScheduledReconcile: a started job with ReconcileEvery is reconciled
// by the scheduler one period after its schedule was first seen, then
// every period; a schedule below MinReconcileEvery is refused.
func TestScheduledReconcile(t *testing.T) {
	e := sqliteEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.svc.Schedule(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	if _, err := e.svc.Configure(context.Background(), appID, jobs.Config{ReconcileEvery: ptr(time.Second)}); !errors.Is(err, jobs.ErrInvalid) {
		t.Errorf("Configure(ReconcileEvery 1s) = %v, want ErrInvalid", err)
	}
	every := time.Hour
	j := e.configure(jobs.Config{Interval: 24 * time.Hour, ReconcileEvery: &every})
	if j.ReconcileEvery != time.Hour {
		t.Errorf("Configure(ReconcileEvery 1h).ReconcileEvery = %s, want 1h", j.ReconcileEvery)
	}
	e.addUsers(1, 1)
	if _, err := e.svc.Start(context.Background(), appID); err != nil {
		t.Fatalf("Start = %v", err)
	}
	reconciles := func() int {
		cs, err := e.svc.Cycles(context.Background(), appID, 0)
		if err != nil {
			t.Fatalf("Cycles = %v", err)
		}
		n := 0
		for _, c := range cs {
			if c.Kind == provisioning.CycleReconcile {
				n++
			}
		}
		return n
	}
	tick := func() {
		e.ticks <- e.clock.now()
		e.ticks <- e.clock.now()
		waitFor(t, "the job to settle", func() bool { return e.status().State != jobs.StateRunning })
	}
	tick() // the first cycle; the schedule is seen
	waitFor(t, "the first cycle", func() bool { return e.status().LastCycle != nil })
	if n := reconciles(); n != 0 {
		t.Errorf("reconciles at once = %d, want 0", n)
	}
	e.clock.advance(time.Hour)
	tick()
	waitFor(t, "a scheduled reconcile", func() bool { return reconciles() == 1 })
	e.clock.advance(30 * time.Minute)
	tick()
	if n := reconciles(); n != 1 {
		t.Errorf("reconciles half a period later = %d, want 1", n)
	}
}
