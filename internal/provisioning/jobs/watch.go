package jobs

import (
	"context"
	"errors"
	"time"
)

// watchPoll is how often watchChanges reads the change feed's head.
const watchPoll = 250 * time.Millisecond

// headPeeker is a Source that reads its feed's head cheaply, without the
// ordering guarantees a cycle needs (sqlstore: without PostgreSQL's feed
// lock).
type headPeeker interface {
	PeekHead(ctx context.Context) (int64, error)
}

// watchChanges runs until ctx ends when Options.ChangeDebounce is
// positive: changes flow to the applications in seconds rather than at
// the next interval. Every watchPoll it reads the head of the directory's
// change feed (one indexed read of the store, which every node shares: a
// change made through any node is seen by all, with no notification
// channel between them); once the head has stopped moving for the
// debounce (or kept moving for four times that), it starts an incremental
// cycle of every enabled job whose watermark is below the head, unless the
// job is quarantined, already running here, or was triggered for this
// head already (a cycle that fails is not retried before the next change
// or its interval). Several nodes race for the job's lock as the
// scheduler does; the loser's start fails with ErrBusy and is dropped.
// At the start, the jobs behind the head are triggered too. The interval
// stays the safety net.
func (s *Service) watchChanges(ctx context.Context) {
	if s.debounce <= 0 {
		return
	}
	read := s.src.Head
	if p, ok := s.src.(headPeeker); ok {
		read = p.PeekHead
	}
	ticks, stop := s.newTicker(min(watchPoll, s.debounce))
	defer stop()
	var head int64             // 0: at the start, jobs behind the head are triggered too
	var moved, since time.Time // last move of the head; first move not yet served
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
		h, err := read(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("provisioning change watch: read change feed head", "err", err)
			}
			continue
		}
		now := s.now()
		if h != head {
			head, moved = h, now
			if since.IsZero() {
				since = now
			}
		}
		if since.IsZero() || now.Sub(moved) < s.debounce && now.Sub(since) < 4*s.debounce {
			continue
		}
		done := s.triggerChanged(ctx, head)
		s.log.Debug("provisioning change watch: triggered", "head", head, "done", done)
		if done {
			since = time.Time{}
		}
	}
}

// triggerChanged starts the cycles a change of the feed up to head
// concerns (see watchChanges), and reports whether none is left waiting
// for a running cycle of its job to end.
func (s *Service) triggerChanged(ctx context.Context, head int64) bool {
	js, err := s.st.ListJobs(ctx)
	if err != nil {
		s.log.Warn("provisioning change watch: list jobs", "err", err)
		return false
	}
	quarantined := s.quarantinedUntil(ctx)
	done := true
	for _, j := range js {
		if !j.Enabled || s.triggeredFor(j.ID) >= head {
			continue
		}
		if _, q := quarantined[j.ID]; q {
			continue
		}
		wm, ok, err := s.st.Watermark(ctx, j.ID)
		if err != nil {
			s.log.Warn("provisioning change watch: read watermark", "app", j.AppID, "err", err)
			continue
		}
		if !ok || wm >= head {
			continue // no cycle yet (the scheduler runs the initial one), or up to date
		}
		if s.running(j.ID) {
			done = false // its cycle read the head before this change: run again after it
			continue
		}
		if !s.trySlot() {
			done = false
			continue
		}
		s.setTriggered(j.ID, head)
		if _, err := s.start(ctx, j, true); err != nil && !errors.Is(err, ErrBusy) {
			s.log.Warn("provisioning change watch: start cycle", "app", j.AppID, "err", err)
		}
	}
	return done
}

func (s *Service) triggeredFor(jobID string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.triggered[jobID]
}

func (s *Service) setTriggered(jobID string, head int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.triggered[jobID] = head
}
