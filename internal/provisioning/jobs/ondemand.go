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

// Provision provisions one object of the application's job now (Entra's
// "provision on demand"; see provisioning.Engine.Provision): a user, or a
// group after up to provisioning.MaxOnDemandMembers of its members. It
// works whether the job is started or stopped, and whatever its cycles'
// state. It holds the job's lock as a cycle does, so the two never
// overlap: ErrBusy while a cycle of the job runs or waits for a slot, on
// this server or another; a cycle asked for meanwhile gets ErrBusy. It
// writes the links and the provisioning log entries, records a cycle of
// kind provisioning.CycleOnDemand (job runs lists it), and leaves the
// watermark and the job's state and last cycle alone.
func (s *Service) Provision(ctx context.Context, appID string, t provisioning.ObjectType, sourceID string) (*provisioning.OnDemand, error) {
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
		return nil, fmt.Errorf("provision on demand in the job of app %q: %w", appID, err)
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
	od, err := e.Provision(ctx, t, sourceID)
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	err = errors.Join(err, logs.flush(bctx))
	if od != nil {
		err = errors.Join(err, s.recordOnDemand(bctx, j, od, started))
	}
	if err != nil {
		return nil, fmt.Errorf("provision on demand in the job of app %q: %w", appID, err)
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "provisioning job: provision on demand", slog.String("app", appID),
		slog.String("cycle", od.CycleID), slog.String("type", string(t)), slog.String("sourceId", sourceID),
		slog.Any("stats", od.Stats))
	return od, nil
}

// recordOnDemand stores the cycle record of a provision on demand.
func (s *Service) recordOnDemand(ctx context.Context, j store.Job, od *provisioning.OnDemand, started time.Time) error {
	stats, err := json.Marshal(od.Stats)
	if err != nil {
		return fmt.Errorf("encode cycle stats: %w", err)
	}
	c := store.Cycle{ID: od.CycleID, JobID: j.ID, Kind: string(provisioning.CycleOnDemand), Started: started,
		Finished: s.now(), Stats: stats}
	if err := s.st.PutCycle(ctx, c); err != nil {
		return fmt.Errorf("record cycle: %w", err)
	}
	return nil
}

// holdOnDemand marks the job as held by a provision on demand on this
// server (claim refuses its cycles meanwhile), or fails with ErrBusy when
// a cycle of the job is in flight here or another provision on demand
// holds it.
func (s *Service) holdOnDemand(j store.Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.base.Err() != nil {
		return fmt.Errorf("job of app %q: %w", j.AppID, ErrClosed)
	}
	if s.runs[j.ID] != nil || s.onDemand[j.ID] {
		return ErrBusy.With("a cycle or a provision on demand of the job of app %q is running", j.AppID)
	}
	if s.onDemand == nil {
		s.onDemand = map[string]bool{}
	}
	s.onDemand[j.ID] = true
	s.wg.Add(1) // Close waits for it
	return nil
}

func (s *Service) releaseOnDemand(jobID string) {
	s.mu.Lock()
	delete(s.onDemand, jobID)
	s.mu.Unlock()
	s.wg.Done()
}
