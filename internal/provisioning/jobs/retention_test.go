package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// TestLogRetentionByAge: entries older than the retention go, on the
// service's clock; the time-range and change-id filters select by age.
func TestLogRetentionByAge(t *testing.T) {
	for name, backend := range backends() {
		t.Run(name, func(t *testing.T) {
			dsn, path := backend(t)
			e := newEnv(t, dsn, path)
			ctx := context.Background()
			e.configure(jobs.Config{})
			e.addUsers(1, 5)
			first := e.run()
			e.clock.advance(10 * 24 * time.Hour)
			cut := e.clock.now()
			e.addUsers(6, 7)
			second := e.run()
			count := func(q jobs.LogQuery) int {
				t.Helper()
				logs, err := e.svc.Logs(ctx, appID, q)
				if err != nil {
					t.Fatalf("Logs(%+v) = %v", q, err)
				}
				return len(logs)
			}
			all := count(jobs.LogQuery{})
			older, newer := count(jobs.LogQuery{CycleID: first.ID}), count(jobs.LogQuery{CycleID: second.ID})
			if older == 0 || newer == 0 || older+newer != all {
				t.Fatalf("cycles logged %d and %d entries of %d, want both some", older, newer, all)
			}
			filters := []struct {
				name string
				q    jobs.LogQuery
				want int
			}{
				{"since", jobs.LogQuery{Since: cut}, newer},
				{"until", jobs.LogQuery{Until: cut}, older},
				{"since after the last", jobs.LogQuery{Since: e.clock.now().Add(time.Hour)}, 0},
			}
			for _, f := range filters {
				if got := count(f.q); got != f.want {
					t.Errorf("%s: Logs(%+v) = %d entries, want %d", f.name, f.q, got, f.want)
				}
			}
			one, err := e.svc.Logs(ctx, appID, jobs.LogQuery{Limit: 1})
			if err != nil || len(one) != 1 {
				t.Fatalf("Logs(limit 1) = %v, %v", one, err)
			}
			if got := count(jobs.LogQuery{ChangeID: one[0].ChangeID}); got != 1 {
				t.Errorf("Logs(change id %q) = %d entries, want 1", one[0].ChangeID, got)
			}

			e.clock.advance(21 * 24 * time.Hour) // the first cycle is 31 days old, the second 21
			prunes := []struct {
				retention time.Duration
				want      int64
				left      int
			}{
				{jobs.DefaultLogRetention, int64(older), newer},
				{jobs.DefaultLogRetention, 0, newer},
				{20 * 24 * time.Hour, int64(newer), 0},
			}
			for _, p := range prunes {
				n, err := e.svc.PruneLogs(ctx, p.retention)
				if err != nil || n != p.want {
					t.Errorf("PruneLogs(%v) = %d, %v, want %d", p.retention, n, err, p.want)
				}
				if got := count(jobs.LogQuery{}); got != p.left {
					t.Errorf("after PruneLogs(%v): %d entries, want %d", p.retention, got, p.left)
				}
			}
			if _, err := e.svc.PruneLogs(ctx, 0); err == nil {
				t.Error("PruneLogs(0) = nil error, want one")
			}
		})
	}
}

// TestRunLogRetention: the loop prunes when it starts and returns nil
// when its context ends.
func TestRunLogRetention(t *testing.T) {
	e := sqliteEnv(t)
	e.configure(jobs.Config{})
	e.addUsers(1, 3)
	e.run()
	e.clock.advance(jobs.DefaultLogRetention + time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.svc.RunLogRetention(ctx, jobs.DefaultLogRetention, time.Hour) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		logs, err := e.svc.Logs(context.Background(), appID, jobs.LogQuery{})
		if err == nil && len(logs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("RunLogRetention left %d entries, %v, want 0", len(logs), err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("RunLogRetention = %v, want nil after cancel", err)
	}
}
