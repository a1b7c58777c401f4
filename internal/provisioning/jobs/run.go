package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim/client"
)

// CycleSummary is the record of one completed (or interrupted) cycle.
type CycleSummary struct {
	ID        string                 `json:"id"`
	Kind      provisioning.CycleKind `json:"kind"`
	Started   time.Time              `json:"started"`
	Finished  time.Time              `json:"finished"`
	Stats     provisioning.Stats     `json:"stats"`
	Watermark int64                  `json:"watermark"`
	// Error says why the cycle ended early; empty when it ran to its end.
	Error string `json:"error,omitempty"`
}

// run is a cycle in flight, from the moment it is asked for; callers of
// Run wait on done.
type run struct {
	// ctx is the cycle's context, cancelled by Stop, Delete and Close
	// (cancel), whether the cycle runs or still waits for its slot.
	ctx    context.Context
	cancel context.CancelFunc
	e      *provisioning.Engine
	logs   *logSink
	done   chan struct{}
	// queued: the run waits for a cycle slot; progress is nil until the
	// cycle starts (both guarded by Service.mu).
	queued   bool
	progress *tracker
	restart  bool // Restart was asked while running: clear the watermark after
	// leaseLost: the job's lease was lost mid-cycle (loseLease); another
	// server may run the job now.
	leaseLost atomic.Bool
	res       *CycleSummary
	err       error
}

// Run runs a cycle of the application's job now and waits for it. When a
// cycle of the job is already running or queued (started by the scheduler
// or by another request), Run waits for that one instead; when every cycle
// slot of the server is taken, the cycle waits for one (the job's status
// says queued). A cancelled ctx stops the waiting, not the cycle. The
// summary is returned even when the cycle failed (with its error).
func (s *Service) Run(ctx context.Context, appID string) (*CycleSummary, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return nil, err
	}
	r, err := s.start(ctx, j, false)
	if err != nil {
		return nil, err
	}
	select {
	case <-r.done:
		return r.res, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Trigger starts a cycle of the application's job unless one is running
// or queued, and returns a channel closed when the (started or joined)
// cycle ends; [Service.Status] shows its progress meanwhile.
func (s *Service) Trigger(ctx context.Context, appID string) (<-chan struct{}, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return nil, err
	}
	r, err := s.start(ctx, j, false)
	if err != nil {
		return nil, err
	}
	return r.done, nil
}

// start begins a cycle of j in the background, or returns the one in
// flight. It takes the job's lock first (ErrBusy when another server holds
// it), then a free cycle slot, or else queues the cycle to wait for one.
// A caller that reserved a slot (slot) hands it over: start frees it when
// it starts nothing.
func (s *Service) start(ctx context.Context, j store.Job, slot bool) (*run, error) {
	r, joined, err := s.claim(j)
	if err != nil || joined {
		if slot {
			s.freeSlot()
		}
		return r, err
	}
	// Not under mu: the lock may wait for a database connection, as long
	// as both the caller and the run (Stop, Delete, Close) allow.
	lctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(r.ctx, cancel)
	release, ok, err := s.st.LockJob(lctx, j.ID, r.loseLease) // a lost lease stops the cycle
	stop()
	cancel()
	if err == nil && !ok {
		err = fmt.Errorf("job of app %q: %w", j.AppID, ErrBusy)
	}
	if err != nil {
		if slot {
			s.freeSlot()
		}
		s.finish(j.ID, r, nil, err)
		s.wg.Done()
		return nil, err
	}
	if !slot {
		slot = s.trySlot()
	}
	s.mu.Lock()
	r.queued = !slot
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		s.cycle(j, r, release)
	}()
	return r, nil
}

// loseLease stops the run whose lease of the job was lost.
func (r *run) loseLease() {
	r.leaseLost.Store(true)
	r.cancel()
}

// claim registers a new run of j, or returns the one in flight (joined).
func (s *Service) claim(j store.Job) (r *run, joined bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.runs[j.ID]; r != nil {
		return r, true, nil
	}
	if s.base.Err() != nil {
		return nil, false, fmt.Errorf("job of app %q: %w", j.AppID, ErrClosed)
	}
	if s.onDemand[j.ID] {
		return nil, false, ErrBusy.With("a provision on demand of the job of app %q is running", j.AppID)
	}
	e, logs, err := s.engine(j, true)
	if err != nil {
		return nil, false, err
	}
	ctx, cancel := context.WithCancel(s.base)
	r = &run{ctx: ctx, cancel: cancel, e: e, logs: logs, done: make(chan struct{})}
	s.runs[j.ID] = r
	delete(s.failedStart, j.ID)
	s.wg.Add(1) // done by start, or by the cycle's goroutine
	return r, false, nil
}

// recordTimeout bounds the bookkeeping of a cycle (its state, buffered
// logs, record, log retention): it runs even when the cycle was
// cancelled, but must not hold up a shutdown when the database hangs. (The
// engine writes the cycle's links itself, bounded alike.)
const recordTimeout = 10 * time.Second

// cycle waits for a cycle slot if r is queued, runs the cycle and records
// it: the buffered logs, the cycle record, the job's last cycle and state,
// and the log retention. Then it releases the job's lock and
// the slot.
func (s *Service) cycle(j store.Job, r *run, release func()) {
	ctx := r.ctx
	end := func(sum *CycleSummary, err error) {
		release()
		s.freeSlot() // before the run ends: the scheduler then finds it free
		s.finish(j.ID, r, sum, err)
	}
	s.mu.Lock()
	queued := r.queued
	s.mu.Unlock()
	if queued {
		if err := s.takeSlot(ctx); err != nil {
			release()
			s.finish(j.ID, r, nil, fmt.Errorf("job of app %q: %w", j.AppID, ErrCancelled))
			return
		}
		s.mu.Lock()
		r.queued = false
		s.mu.Unlock()
	}
	_, hasMark, err := s.st.Watermark(ctx, j.ID)
	if err != nil {
		end(nil, fmt.Errorf("read watermark of app %q: %w", j.AppID, err))
		return
	}
	kind := provisioning.CycleIncremental
	if !hasMark {
		kind = provisioning.CycleInitial
	}
	p, h, cw := &tracker{}, &health{}, &credWatch{}
	obs := &observers{info: CycleInfo{JobID: j.ID, AppID: j.AppID, Kind: kind, Started: s.now()},
		list: append([]Observer{p, h, cw}, s.observers...)}
	r.logs.obs = obs
	obs.started()
	s.mu.Lock()
	r.progress = p
	s.mu.Unlock()
	s.freshLinks(ctx, j)
	if err := s.st.SetJobState(ctx, j.ID, string(StateRunning), nil); err != nil {
		s.log.Warn("provisioning job: record state", "app", j.AppID, "err", err)
	}
	var res *provisioning.Result
	err = s.probe(ctx, j) // quarantine.go
	if err == nil {
		res, err = r.e.Run(provisioning.WithProgress(ctx, p))
	}
	sum := &CycleSummary{Kind: kind, Started: obs.info.Started, Finished: s.now()}
	if res != nil {
		sum.ID, sum.Kind, sum.Stats, sum.Watermark = res.CycleID, res.Kind, res.Stats, res.Watermark
	}
	if err != nil {
		sum.Error = err.Error()
	}
	// The bookkeeping happens even when the cycle was cancelled, within
	// recordTimeout.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	err = errors.Join(err, r.logs.flush(bctx))
	if rerr := s.record(bctx, j, sum, !r.leaseLost.Load()); rerr != nil {
		err = errors.Join(err, rerr)
	}
	if _, perr := s.st.PruneLogs(bctx, j.ID, s.maxLogs); perr != nil {
		s.log.Warn("provisioning job: prune logs", "app", j.AppID, "err", perr)
	}
	s.mu.Lock()
	restart := r.restart
	s.mu.Unlock()
	if restart {
		err = errors.Join(err, s.st.ClearWatermark(bctx, j.ID))
	}
	s.noteCycleCredentials(bctx, j, cw)
	s.log.LogAttrs(bctx, slog.LevelInfo, "provisioning job cycle", slog.String("app", j.AppID),
		slog.String("cycle", sum.ID), slog.String("kind", string(sum.Kind)), slog.Any("stats", sum.Stats))
	obs.finished(sum, err)
	gate := &s.memory(j.ID).gate
	s.afterAllowed(bctx, j, gate, err)
	s.afterCycle(bctx, j, sum, h, gate, err)
	end(sum, err)
}

// freshLinks keeps the job's links in memory for the work about to start
// under the job's lock (a cycle, a provision on demand, a reconciliation)
// only if no one else wrote the job's links since this server's last turn:
// it bumps the job's link generation (store.JobStore.BumpLinkGeneration),
// which every other writer bumps too, and reads the links afresh (a new
// table generation, so the cycle's memory compares everything again) unless
// the bump returns the one this server saw last plus one. With several
// servers on one database, another may have run cycles, provisioned on
// demand or reconciled since, or died in a cycle; on one server, escrows
// may have been made due.
func (s *Service) freshLinks(ctx context.Context, j store.Job) {
	mem := s.memory(j.ID)
	gen, err := s.st.BumpLinkGeneration(ctx, j.ID)
	if err != nil {
		s.log.Warn("provisioning job: bump link generation", "app", j.AppID, "err", err)
		gen = 0 // unknown: the next turn reads the links again too
	}
	s.cmu.Lock()
	current := gen != 0 && mem.linkGen != 0 && gen == mem.linkGen+1
	mem.linkGen = gen
	s.cmu.Unlock()
	if !current {
		mem.links.Invalidate()
	}
}

// finish ends the run r of job jobID with its result, waking its waiters.
func (s *Service) finish(jobID string, r *run, sum *CycleSummary, err error) {
	s.mu.Lock()
	r.res, r.err = sum, err
	delete(s.runs, jobID)
	s.mu.Unlock()
	r.cancel()
	close(r.done)
}

// takeSlot waits for one of the server's cycle slots until ctx ends.
func (s *Service) takeSlot(ctx context.Context) error {
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// trySlot takes a cycle slot if one is free.
func (s *Service) trySlot() bool {
	select {
	case s.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// freeSlot gives a cycle slot back.
func (s *Service) freeSlot() { <-s.slots }

// record stores the cycle record and, when the cycle still held the job's
// lease (held), the job's last cycle and state. A cycle that lost its
// lease leaves the job's state "running": whichever server's scheduler
// (this one's too) takes the job over once the lease is free, and resumes
// the cycle, rather than the job idling until its interval.
func (s *Service) record(ctx context.Context, j store.Job, sum *CycleSummary, held bool) error {
	stats, err := json.Marshal(sum.Stats)
	if err != nil {
		return fmt.Errorf("encode cycle stats: %w", err)
	}
	if sum.ID != "" {
		c := store.Cycle{ID: sum.ID, JobID: j.ID, Kind: string(sum.Kind), Started: sum.Started, Finished: sum.Finished,
			Stats: stats, Error: sum.Error}
		if err := s.st.PutCycle(ctx, c); err != nil {
			return fmt.Errorf("record cycle: %w", err)
		}
	}
	if !held {
		return nil
	}
	last, err := json.Marshal(sum)
	if err != nil {
		return fmt.Errorf("encode cycle summary: %w", err)
	}
	// The job may have been stopped meanwhile: read its current setting.
	state := StateStopped
	if cur, err := s.st.GetJob(ctx, j.ID); err == nil && cur.Enabled {
		state = StateIdle
	}
	if err := s.st.SetJobState(ctx, j.ID, string(state), last); err != nil {
		return fmt.Errorf("record job state: %w", err)
	}
	return nil
}

func cycleSummaryOf(c store.Cycle) CycleSummary {
	sum := CycleSummary{ID: c.ID, Kind: provisioning.CycleKind(c.Kind), Started: c.Started, Finished: c.Finished, Error: c.Error}
	_ = json.Unmarshal(c.Stats, &sum.Stats) // stats written by record; a bad record shows zeros
	return sum
}

// cancelRun cancels the job's running cycle, if any, without waiting.
func (s *Service) cancelRun(jobID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.runs[jobID]; r != nil {
		r.cancel()
	}
}

// Status is a job's state for `provisio job status`.
type Status struct {
	AppID   string
	JobID   string
	State   State
	Enabled bool
	// NextKind is the kind of the running cycle, or else of the next one.
	NextKind provisioning.CycleKind
	// Progress is the running cycle's; nil when none runs.
	Progress *Progress
	// NextRun is when the scheduler starts the next cycle (zero when the
	// job is stopped).
	NextRun   time.Time
	Links     LinkCounts
	LastCycle *CycleSummary
	// Quarantine is the job's quarantine; nil when it is not quarantined.
	Quarantine *Quarantine
	// Throttle is the state of the job's rate limit and concurrency
	// (client.Throttle); nil before its first request since the server
	// started.
	Throttle *client.ThrottleStats
	// Warnings are the credentials' warnings (expiring, refused after
	// they had worked): what to fix before the job fails.
	Warnings []string
}

// LinkCounts counts a job's links: the objects it manages.
type LinkCounts struct {
	Users    int
	Groups   int
	Disabled int // provisioned with active=false
	Pending  int // a create was sent or is due; not confirmed
	Failed   int // awaiting a retry
}

// Status reports the application's job: state, cycle kind, progress of
// the running cycle, link counts and the last cycle.
func (s *Service) Status(ctx context.Context, appID string) (*Status, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return nil, err
	}
	st := &Status{AppID: j.AppID, JobID: j.ID, Enabled: j.Enabled, State: StateStopped, NextKind: provisioning.CycleInitial}
	if _, st.Warnings, err = authView(j, s.now()); err != nil {
		return nil, err
	}
	if j.Enabled {
		st.State = StateIdle
	}
	if _, ok, err := s.st.Watermark(ctx, j.ID); err != nil {
		return nil, fmt.Errorf("read watermark of app %q: %w", appID, err)
	} else if ok {
		st.NextKind = provisioning.CycleIncremental
	}
	if len(j.LastCycle) > 0 {
		st.LastCycle = &CycleSummary{}
		if err := json.Unmarshal(j.LastCycle, st.LastCycle); err != nil {
			return nil, fmt.Errorf("read last cycle of app %q: %w", appID, err)
		}
	}
	s.mu.Lock()
	r := s.runs[j.ID]
	switch {
	case r != nil && r.queued:
		st.State = StateQueued
	case r != nil && r.progress != nil:
		st.State, st.Progress = StateRunning, r.progress.snapshot()
		st.NextKind = st.Progress.Kind
	case r != nil: // starting
		st.State = StateRunning
	}
	s.mu.Unlock()
	if st.Quarantine, err = s.quarantine(ctx, j.ID); err != nil {
		return nil, own(err, "read quarantine of app %q", appID)
	}
	if j.Enabled {
		st.NextRun = nextRun(j, st.LastCycle, s.now())
		if st.Quarantine != nil {
			st.NextRun = st.Quarantine.NextAttempt
		}
		if at := s.retryAt(j.ID); at.After(st.NextRun) {
			st.NextRun = at // its last start failed here (say, a token sealed with another node's key)
		}
	}
	st.Throttle = s.throttleStats(j.ID)
	if st.Links, err = s.runningLinkCounts(ctx, j.ID, r != nil); err != nil {
		return nil, fmt.Errorf("count links of app %q: %w", appID, err)
	}
	return st, nil
}

// linkCountsMaxAge is how old the link counts in the status of a job
// whose cycle is running may be: counting scans every link of the job, and
// a client polling the status (job run --wait, four times a second) must
// not slow the cycle down.
const linkCountsMaxAge = 30 * time.Second

// countedLinks is a job's link counts as last counted.
type countedLinks struct {
	counts LinkCounts
	at     time.Time
}

// runningLinkCounts counts the job's links; while a cycle runs (running),
// it reuses counts up to linkCountsMaxAge old.
func (s *Service) runningLinkCounts(ctx context.Context, jobID string, running bool) (LinkCounts, error) {
	now := s.now()
	s.mu.Lock()
	last, ok := s.counted[jobID]
	s.mu.Unlock()
	if running && ok && now.Sub(last.at) < linkCountsMaxAge {
		return last.counts, nil
	}
	c, err := s.linkCounts(ctx, jobID)
	if err != nil {
		return c, err
	}
	s.mu.Lock()
	s.counted[jobID] = countedLinks{counts: c, at: now}
	s.mu.Unlock()
	return c, nil
}

func (s *Service) linkCounts(ctx context.Context, jobID string) (LinkCounts, error) {
	var c LinkCounts
	rows, err := s.st.CountLinks(ctx, jobID)
	if err != nil {
		return c, err
	}
	for _, r := range rows {
		switch r.Type {
		case provisioning.TypeUser:
			c.Users += r.N
		case provisioning.TypeGroup:
			c.Groups += r.N
		}
		switch {
		case r.Failed:
			c.Failed += r.N
		case r.State == provisioning.LinkPendingCreate:
			c.Pending += r.N
		case r.State == provisioning.LinkDisabled:
			c.Disabled += r.N
		}
	}
	return c, nil
}
