package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/store"
)

// Deletion threshold defaults (Entra's "Prevent accidental deletions",
// entra-provisioning.md §3.9): disables and deletes (unassignments, soft
// and hard deletes, out-of-scope and group deletions all count) in one
// cycle above DefaultDeletionThreshold, or above
// DefaultDeletionThresholdPercent percent of the objects the job manages
// when there are at least DeletionPercentMinimum of them, are staged.
// Entra has the count only (500); the percentage protects small jobs, in
// which one mistaken group unassignment takes out most accounts, and a
// job of four accounts may still lose them all without a stop.
const (
	DefaultDeletionThreshold        = 500
	DefaultDeletionThresholdPercent = 30
	DeletionPercentMinimum          = 5
)

// DeletionThreshold is a job's threshold on the disables and deletes of
// one cycle; 0 turns either check off.
type DeletionThreshold struct {
	Count   int // more than Count are staged
	Percent int // more than Percent % of the objects the job manages are staged
}

// exceeded says why t is over the threshold ("" when it is not).
func (d DeletionThreshold) exceeded(t provisioning.CycleTotals) string {
	n := t.Deprovisions
	switch {
	case d.Count > 0 && n > d.Count:
		return fmt.Sprintf("%d disables and deletes in one cycle, over the deletion threshold of %d", n, d.Count)
	case d.Percent > 0 && n >= DeletionPercentMinimum && n*100 > d.Percent*t.Managed:
		return fmt.Sprintf("%d disables and deletes in one cycle, over %d%% of the %d objects the job manages", n, d.Percent, t.Managed)
	}
	return ""
}

// thresholdOf is the job's threshold: what was set, else the defaults.
func thresholdOf(g store.JobGuard) DeletionThreshold {
	d := DeletionThreshold{Count: DefaultDeletionThreshold, Percent: DefaultDeletionThresholdPercent}
	if g.DeletionThreshold != nil {
		d.Count = *g.DeletionThreshold
	}
	if g.DeletionThresholdPercent != nil {
		d.Percent = *g.DeletionThresholdPercent
	}
	return d
}

// checkThreshold validates a change of the threshold.
func checkThreshold(c Config) error {
	var errs []error
	if c.DeletionThreshold != nil && *c.DeletionThreshold < 0 {
		errs = append(errs, fmt.Errorf("deletion threshold %d: want 0 (off) or more", *c.DeletionThreshold))
	}
	if p := c.DeletionThresholdPercent; p != nil && (*p < 0 || *p > 100) {
		errs = append(errs, fmt.Errorf("deletion threshold percent %d: want 0 (off) to 100", *p))
	}
	return errors.Join(errs...)
}

// saveThreshold stores the threshold c changes, if any.
func (s *Service) saveThreshold(ctx context.Context, jobID string, c Config) error {
	if c.DeletionThreshold == nil && c.DeletionThresholdPercent == nil {
		return nil
	}
	g, err := s.st.JobGuard(ctx, jobID)
	if err != nil {
		return err
	}
	count, percent := g.DeletionThreshold, g.DeletionThresholdPercent
	if c.DeletionThreshold != nil {
		count = c.DeletionThreshold
	}
	if c.DeletionThresholdPercent != nil {
		percent = c.DeletionThresholdPercent
	}
	return s.st.SetDeletionThreshold(ctx, jobID, count, percent)
}

// withGuard adds the job's deletion threshold to its view.
func (s *Service) withGuard(ctx context.Context, v *Job) error {
	g, err := s.st.JobGuard(ctx, v.ID)
	if err != nil {
		return own(err, "read deletion threshold of app %q", v.AppID)
	}
	v.DeletionThreshold = thresholdOf(g)
	return nil
}

// guards returns the stored guards of every job, by job id.
func (s *Service) guards(ctx context.Context) (map[string]store.JobGuard, error) {
	gs, err := s.st.JobGuards(ctx)
	if err != nil {
		return nil, fmt.Errorf("read deletion thresholds: %w", err)
	}
	out := make(map[string]store.JobGuard, len(gs))
	for _, g := range gs {
		out[g.JobID] = g
	}
	return out, nil
}

// deletionGate is a job's provisioning.CycleGate: it stages a cycle's
// disables and deletes over the job's threshold, unless an administrator
// allowed them ([Service.AllowDeletes]). It reads the threshold when the
// cycle asks, and remembers whether the permission was set then, which
// the runner takes back once that cycle has run to its end (needed or
// not).
type deletionGate struct {
	st    store.JobStore
	jobID string
	used  atomic.Bool
	why   atomic.Pointer[string] // why the last cycle was staged
}

// staged says why the gate staged its last cycle ("" if it did not).
func (g *deletionGate) staged() string {
	if p := g.why.Load(); p != nil {
		return *p
	}
	return ""
}

// Check implements provisioning.Gate: every batch passes; CheckCycle
// decided.
func (g *deletionGate) Check(context.Context, *provisioning.Plan) (provisioning.Verdict, error) {
	return provisioning.Verdict{Decision: provisioning.Pass}, nil
}

// CheckCycle implements provisioning.CycleGate.
func (g *deletionGate) CheckCycle(ctx context.Context, t provisioning.CycleTotals) (provisioning.Verdict, error) {
	g.why.Store(nil)
	guard, err := g.st.JobGuard(ctx, g.jobID)
	if err != nil {
		g.used.Store(false)
		return provisioning.Verdict{}, fmt.Errorf("read deletion threshold: %w", err)
	}
	// The permission is this cycle's, whether it needs it or not: it
	// never stays armed for a later mass deletion.
	g.used.Store(guard.AllowDeletes)
	why := thresholdOf(guard).exceeded(t)
	if why == "" || guard.AllowDeletes {
		return provisioning.Verdict{Decision: provisioning.Pass}, nil
	}
	g.why.Store(&why)
	return provisioning.Verdict{Decision: provisioning.Stage, Reason: why}, nil
}

// afterAllowed takes back the permission to send staged deletions once a
// cycle that had it ran to its end (one-shot: the threshold is back).
func (s *Service) afterAllowed(ctx context.Context, j store.Job, g *deletionGate, cycleErr error) {
	if !g.used.Load() || cycleErr != nil {
		return
	}
	if err := s.st.SetAllowDeletes(ctx, j.ID, false); err != nil {
		s.log.Warn("provisioning job: take back allow-deletes", "app", j.AppID, "err", err)
	}
}

// AllowDeletes lets the job's next cycle send the disables and deletes
// the threshold staged, once; a quarantined job's next cycle is due at
// once. The cycle after it applies the threshold again.
func (s *Service) AllowDeletes(ctx context.Context, appID string) error {
	j, err := s.job(ctx, appID)
	if err != nil {
		return err
	}
	if err := s.st.SetAllowDeletes(ctx, j.ID, true); err != nil {
		return own(err, "allow deletes of app %q", appID)
	}
	q, err := s.quarantine(ctx, j.ID)
	if err != nil {
		return own(err, "read quarantine of app %q", appID)
	}
	if q == nil {
		return nil
	}
	q.NextAttempt = s.now()
	if err := s.setQuarantine(ctx, j.ID, q); err != nil {
		return own(err, "allow deletes of app %q", appID)
	}
	return nil
}

// Staged returns the disables and deletes the job's last cycle staged
// (its log entries with status "staged", newest first, at most
// MaxLogLimit), and whether the next cycle may send them (AllowDeletes).
// None when the job is not quarantined for them.
func (s *Service) Staged(ctx context.Context, appID string) ([]LogRecord, bool, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return nil, false, err
	}
	g, err := s.st.JobGuard(ctx, j.ID)
	if err != nil {
		return nil, false, own(err, "read staged deletions of app %q", appID)
	}
	q, err := decodeQuarantine(g.Quarantine)
	if err != nil || q == nil || q.StagedCycle == "" {
		return nil, g.AllowDeletes, err
	}
	rows, err := s.st.Logs(ctx, j.ID, store.LogQuery{Status: string(provisioning.StatusStaged), CycleID: q.StagedCycle, Limit: MaxLogLimit})
	if err != nil {
		return nil, false, fmt.Errorf("read staged deletions of app %q: %w", appID, err)
	}
	return rows, g.AllowDeletes, nil
}
