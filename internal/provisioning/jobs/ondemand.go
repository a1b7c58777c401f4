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
	started := s.now()
	var od *provisioning.OnDemand
	err = s.withEngineLocked(ctx, j, "provision on demand in", func(ctx context.Context, e *provisioning.Engine) (func(context.Context) error, error) {
		var err error
		if od, err = e.Provision(ctx, t, sourceID); od == nil {
			return nil, err
		}
		return func(bctx context.Context) error { return s.recordOnDemand(bctx, j, od, started) }, err
	})
	if err != nil {
		return nil, err
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

// withEngineLocked runs op with the job's engine under the job's lock, as
// a cycle holds it (ErrBusy while a cycle runs anywhere), then writes the
// log entries op left and the record op returns, with a bounded context
// of their own: provision on demand and reconcile share it. op's context
// ends when the lock's lease is lost (store.JobStore.LockJob).
func (s *Service) withEngineLocked(ctx context.Context, j store.Job, what string, op func(context.Context, *provisioning.Engine) (record func(context.Context) error, err error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	release, ok, err := s.st.LockJob(ctx, j.ID, cancel) // a lost lease stops op
	if err != nil {
		return fmt.Errorf("%s the job of app %q: %w", what, j.AppID, err)
	}
	if !ok {
		return fmt.Errorf("job of app %q: %w", j.AppID, ErrBusy)
	}
	defer release()
	s.freshLinks(ctx, j)
	e, logs, err := s.engine(j, true)
	if err != nil {
		return err
	}
	record, err := op(ctx, e)
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	err = errors.Join(err, logs.flush(bctx))
	if record != nil {
		err = errors.Join(err, record(bctx))
	}
	if err != nil {
		return fmt.Errorf("%s the job of app %q: %w", what, j.AppID, err)
	}
	return nil
}
