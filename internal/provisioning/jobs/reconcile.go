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
	release, ok, err := s.st.LockJob(ctx, j.ID)
	if err != nil {
		return nil, fmt.Errorf("reconcile the job of app %q: %w", appID, err)
	}
	if !ok {
		return nil, fmt.Errorf("job of app %q: %w", appID, ErrBusy)
	}
	defer release()
	e, logs, err := s.engine(j, true)
	if err != nil {
		return nil, err
	}
	started := s.now()
	rec, err := e.Reconcile(ctx, repair)
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	err = errors.Join(err, logs.flush(bctx))
	if rec != nil {
		err = errors.Join(err, s.recordReconcile(bctx, j, rec, started))
	}
	if err != nil {
		return nil, fmt.Errorf("reconcile the job of app %q: %w", appID, err)
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "provisioning job: reconcile", slog.String("app", appID),
		slog.String("cycle", rec.CycleID), slog.Bool("repair", repair), slog.Int("findings", len(rec.Findings)),
		slog.Any("stats", rec.Stats))
	return rec, nil
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
