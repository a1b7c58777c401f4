package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// TestProvisionOnDemand provisions a user of a stopped job on every
// store: the user is created, its log entry carries the on-demand cycle,
// which is recorded, and the watermark, state and last cycle stay.
func TestProvisionOnDemand(t *testing.T) {
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			dsn, path := open(t)
			e := newEnv(t, dsn, path)
			e.configure(jobs.Config{}) // stopped: never started
			e.addUsers(1, 2)
			ctx := context.Background()
			od, err := e.svc.Provision(ctx, appID, provisioning.TypeUser, "u1")
			if err != nil {
				t.Fatalf("Provision(u1) = %v", err)
			}
			if len(od.Objects) != 1 || od.Objects[0].Entry.Action != provisioning.ActionCreate || od.Stats.Created != 1 {
				t.Fatalf("Provision(u1) = %+v, want one create", od)
			}
			if n := e.target.count(t, "Users"); n != 1 {
				t.Errorf("target users = %d, want 1", n)
			}
			logs, err := e.svc.Logs(ctx, appID, jobs.LogQuery{CycleID: od.CycleID})
			if err != nil || len(logs) != 1 || logs[0].SourceID != "u1" {
				t.Errorf("Logs(cycle %s) = %+v, %v; want the entry of u1", od.CycleID, logs, err)
			}
			cs, err := e.svc.Cycles(ctx, appID, 0)
			if err != nil || len(cs) != 1 || cs[0].ID != od.CycleID || cs[0].Kind != provisioning.CycleOnDemand || cs[0].Stats.Created != 1 {
				t.Errorf("Cycles = %+v, %v; want the on-demand cycle", cs, err)
			}
			st := e.status()
			if st.State != jobs.StateStopped || st.LastCycle != nil || st.NextKind != provisioning.CycleInitial || st.Links.Users != 1 {
				t.Errorf("Status after Provision = %+v, want stopped, no last cycle, initial next, 1 user linked", st)
			}
			// The first cycle finds u1 linked and creates only u2.
			if sum := e.run(); sum.Stats.Created != 1 || sum.Stats.Failed != 0 {
				t.Errorf("first cycle after Provision = %+v, want 1 created", sum.Stats)
			}
		})
	}
}

// TestProvisionOnDemandNeverRacesACycle: while a cycle runs, a provision
// on demand is refused with ErrBusy; while a provision on demand runs, a
// cycle is.
func TestProvisionOnDemandNeverRacesACycle(t *testing.T) {
	e := sqliteEnv(t)
	e.configure(jobs.Config{})
	e.addUsers(1, 2)
	ctx := context.Background()

	gate := e.target.hold()
	done, err := e.svc.Trigger(ctx, appID)
	if err != nil {
		t.Fatalf("Trigger = %v", err)
	}
	waitFor(t, "the held request", func() bool { return e.target.requests.Load() > 0 })
	if _, err := e.svc.Provision(ctx, appID, provisioning.TypeUser, "u1"); !errors.Is(err, jobs.ErrBusy) {
		t.Errorf("Provision while a cycle runs = %v, want ErrBusy", err)
	}
	close(gate)
	<-done

	e.addUsers(3, 3)
	gate = e.target.hold()
	e.target.requests.Store(0)
	provisioned := make(chan error, 1)
	go func() {
		_, err := e.svc.Provision(ctx, appID, provisioning.TypeUser, "u3")
		provisioned <- err
	}()
	waitFor(t, "the held request", func() bool { return e.target.requests.Load() > 0 })
	if _, err := e.svc.Run(ctx, appID); !errors.Is(err, jobs.ErrBusy) {
		t.Errorf("Run while a provision on demand runs = %v, want ErrBusy", err)
	}
	close(gate)
	select {
	case err := <-provisioned:
		if err != nil {
			t.Errorf("Provision(u3) = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Provision(u3) did not end")
	}
	if n := e.target.count(t, "Users"); n != 3 {
		t.Errorf("target users = %d, want 3", n)
	}
}
