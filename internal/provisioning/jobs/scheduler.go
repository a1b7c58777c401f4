package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

// Schedule runs the scheduler until ctx ends: at every tick (Options.Tick,
// default one second) it starts a cycle of each enabled job whose next run
// is due — the start of its last cycle plus its interval, or at once when
// it has never run, or a quarantined job's next attempt — most overdue
// first, while one of the server's cycle
// slots is free; the others stay due and wait their turn at a later tick.
// Cycles run in the background, one at a time per job. With
// Options.ChangeDebounce, directory changes start cycles too (watchChanges). When ctx ends,
// Schedule cancels the running cycles, waits for them and returns nil.
func (s *Service) Schedule(ctx context.Context) error {
	ticks, stop := s.newTicker(s.tick)
	defer stop()
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		s.watchChanges(ctx)
	}()
	for {
		select {
		case <-ctx.Done():
			<-watching
			s.cancelAll()
			s.wg.Wait()
			return nil
		case <-ticks:
			s.tickOnce(ctx)
		}
	}
}

// tickOnce starts the cycles that are due, as many as there are free
// slots.
func (s *Service) tickOnce(ctx context.Context) {
	// Jobs running before the jobs are read are skipped even if their
	// cycle ends meanwhile: the job read may predate that cycle's record,
	// and its stale last cycle would start another at once. A cycle that
	// ended before this snapshot was recorded before it (see cycle).
	busy := s.runningJobs()
	js, err := s.st.ListJobs(ctx)
	if err != nil {
		s.log.Warn("provisioning scheduler: list jobs", "err", err)
		return
	}
	quarantined := s.quarantinedUntil(ctx)
	now := s.now()
	type dueJob struct {
		j   store.Job
		due time.Time
	}
	var due []dueJob
	for _, j := range js {
		if !j.Enabled || busy[j.ID] || s.running(j.ID) {
			continue
		}
		var last *CycleSummary
		if len(j.LastCycle) > 0 {
			last = &CycleSummary{}
			if err := json.Unmarshal(j.LastCycle, last); err != nil {
				last = nil
			}
		}
		next := nextRun(j, last, now)
		if j.State == string(StateRunning) {
			// Not running here yet stored as running: the server running
			// it died or hangs. Due now: start takes it over once that
			// server's lease expired (ErrBusy until then).
			next = now
		}
		if at, ok := quarantined[j.ID]; ok {
			next = at // a quarantined job backs off (quarantine.go)
		}
		if now.Before(next) || now.Before(s.retryAt(j.ID)) {
			continue
		}
		due = append(due, dueJob{j, next})
	}
	s.reconcileDue(ctx, js, busy, now)
	slices.SortStableFunc(due, func(a, b dueJob) int { return a.due.Compare(b.due) })
	for _, d := range due {
		if !s.trySlot() {
			return // every slot is taken: the rest wait for a later tick
		}
		_, err := s.start(ctx, d.j, true)
		if errors.Is(err, ErrBusy) {
			continue // another server runs it; it records the cycle
		}
		if err != nil {
			// Say so once per interval, not at every tick.
			s.setRetryAt(d.j.ID, now.Add(d.j.Interval))
			s.log.Warn("provisioning scheduler: start cycle", "app", d.j.AppID, "err", err)
		}
	}
}

// nextRun is when an enabled job's next cycle is due.
func nextRun(j store.Job, last *CycleSummary, now time.Time) time.Time {
	if last == nil || last.Started.IsZero() {
		return now
	}
	return last.Started.Add(j.Interval)
}

// runningJobs returns the ids of the jobs with a cycle in flight.
func (s *Service) runningJobs() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]bool, len(s.runs))
	for id := range s.runs {
		out[id] = true
	}
	return out
}

func (s *Service) running(jobID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runs[jobID] != nil
}

func (s *Service) cancelAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.runs {
		r.cancel()
	}
}

// retryAt is when the scheduler tries again to start a job whose last
// start failed (say, a token that no longer decrypts).
func (s *Service) retryAt(jobID string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failedStart[jobID]
}

// setRetryAt sets it; the zero time clears it (new settings deserve a
// try at the next tick).
func (s *Service) setRetryAt(jobID string, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.IsZero() {
		delete(s.failedStart, jobID)
		return
	}
	s.failedStart[jobID] = t
}
