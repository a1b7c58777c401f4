package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/store"
)

// Reconcile compares the application's accounts with the job's links and,
// with repair, puts drifted values and memberships back and drops the
// links of gone accounts (see provisioning.Engine.Reconcile). Like a
// provision on demand it holds the job's lock as a cycle does, so it never
// runs beside a cycle (ErrBusy meanwhile), works whether the job is
// started or stopped, writes the provisioning log entries of its findings,
// records a cycle of kind provisioning.CycleReconcile and leaves the
// watermark and the job's state alone.
func (s *Service) Reconcile(ctx context.Context, appID string, repair bool) (*provisioning.Reconciliation, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return nil, err
	}
	if err := s.holdOnDemand(j); err != nil {
		return nil, err
	}
	defer s.releaseOnDemand(j.ID)
	return s.reconcileHeld(ctx, j, repair)
}

// reconcileHeld is Reconcile of a job this server holds (holdOnDemand).
func (s *Service) reconcileHeld(ctx context.Context, j store.Job, repair bool) (*provisioning.Reconciliation, error) {
	appID := j.AppID
	started := s.now()
	var rec *provisioning.Reconciliation
	err := s.withEngineLocked(ctx, j, "reconcile", func(ctx context.Context, e *provisioning.Engine) (func(context.Context) error, error) {
		var err error
		if rec, err = e.Reconcile(ctx, repair); rec == nil {
			return nil, err
		}
		return func(bctx context.Context) error { return s.recordReconcile(bctx, j, rec, started) }, err
	})
	if err != nil {
		return nil, err
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "provisioning job: reconcile", slog.String("app", appID),
		slog.String("cycle", rec.CycleID), slog.Bool("repair", repair), slog.Int("findings", len(rec.Findings)),
		slog.Any("stats", rec.Stats))
	return rec, nil
}

// MinReconcileEvery is the shortest schedule of reconciliations.
const MinReconcileEvery = time.Minute

// applyReconcileEvery validates c's reconciliation schedule and sets it on j.
func applyReconcileEvery(j *store.Job, c Config) error {
	switch d := c.ReconcileEvery; {
	case d == nil:
	case *d != 0 && *d < MinReconcileEvery:
		return fmt.Errorf("reconcile every %s: want 0 (never) or at least %s", *d, MinReconcileEvery)
	default:
		j.ReconcileEvery = *d
	}
	return nil
}

// reconcileDue starts, in the background, a reconciliation (without
// repair: findings are logged) of each started job whose schedule is due:
// ReconcileEvery after the previous one, or after the scheduler first saw
// the job's schedule (the time is kept in memory: a restarted server
// waits a whole period). A job with a cycle in flight is tried again at
// the next tick; a reconciliation holds the job's lock, so no cycle
// starts beside it.
func (s *Service) reconcileDue(ctx context.Context, js []store.Job, busy map[string]bool, now time.Time) {
	for _, j := range js {
		if !j.Enabled || j.ReconcileEvery <= 0 || busy[j.ID] || s.running(j.ID) || now.Before(s.nextReconcile(j, now)) {
			continue
		}
		if err := s.holdOnDemand(j); err != nil {
			continue // a cycle or a provision on demand: the next tick
		}
		s.setNextReconcile(j.ID, now.Add(j.ReconcileEvery))
		go func() {
			defer s.releaseOnDemand(j.ID)
			_, err := s.reconcileHeld(ctx, j, false)
			if errors.Is(err, ErrBusy) {
				s.setNextReconcile(j.ID, now) // another server's cycle: the next tick
				return
			}
			if err != nil {
				s.log.Warn("provisioning scheduler: reconcile", "app", j.AppID, "err", err)
			}
		}()
	}
}

// nextReconcile is when the job's next scheduled reconciliation is due;
// the first time a schedule is seen, one period from now.
func (s *Service) nextReconcile(j store.Job, now time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.reconcileAt[j.ID]
	if !ok {
		at = now.Add(j.ReconcileEvery)
		s.reconcileAt[j.ID] = at
	}
	return at
}

func (s *Service) setNextReconcile(jobID string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reconcileAt[jobID] = at
}

// recordReconcile stores the cycle record of a reconciliation.
func (s *Service) recordReconcile(ctx context.Context, j store.Job, rec *provisioning.Reconciliation, started time.Time) error {
	stats, err := json.Marshal(rec.Stats)
	if err != nil {
		return fmt.Errorf("encode cycle stats: %w", err)
	}
	c := store.Cycle{ID: rec.CycleID, JobID: j.ID, Kind: string(provisioning.CycleReconcile), Started: started,
		Finished: s.now(), Stats: stats}
	if err := s.st.PutCycle(ctx, c); err != nil {
		return fmt.Errorf("record cycle: %w", err)
	}
	return nil
}
