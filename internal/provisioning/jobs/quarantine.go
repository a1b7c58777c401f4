package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim/client"
)

// Quarantine reasons, in words for an administrator (Entra's
// synchronizationQuarantine reasons, entra-provisioning.md §3.9–3.10).
const (
	// ReasonCredentials: most of a cycle's requests were answered 401 or
	// 403, or Test Connection was (Entra: EncounteredQuarantineException,
	// "Invalid credentials").
	ReasonCredentials = "credentials refused"
	// ReasonFailures: most of a cycle's object actions failed (Entra:
	// EncounteredEscrowProportionThreshold).
	ReasonFailures = "too many failures"
	// ReasonDeletions: the deletion threshold staged the cycle's disables
	// and deletes (Entra: TooManyDeletes).
	ReasonDeletions = "too many deletions"
)

// Quarantine thresholds and backoff. Entra evaluates failures from 5,000
// on and quarantines above 40% (§3.10), which a job of a few hundred
// accounts never reaches; these are scaled for small jobs.
const (
	// QuarantineMinActions is how many object actions a cycle needs for
	// its failure share to count.
	QuarantineMinActions = 10
	// QuarantineFailurePercent is the failure share, in percent, that
	// quarantines a cycle of at least QuarantineMinActions actions.
	QuarantineFailurePercent = 50
	// QuarantineAllFailedMin is how many actions, all failed, quarantine
	// a smaller cycle.
	QuarantineAllFailedMin = 3
	// QuarantineFirstBackoff is the wait after the first quarantined
	// cycle, doubling with every further one up to QuarantineMaxBackoff
	// (Entra: "gradually reduced to once per day"); never shorter than the
	// job's interval.
	QuarantineFirstBackoff = 5 * time.Minute
	QuarantineMaxBackoff   = 24 * time.Hour
)

// Quarantine is a quarantined job's state (Entra's
// synchronizationQuarantine: reason, currentBegan, nextAttempt,
// seriesCount).
type Quarantine struct {
	Reason string    `json:"reason"` // one of the Reason constants
	Detail string    `json:"detail"` // what the last cycle saw, in words
	Since  time.Time `json:"since"`  // when the job entered quarantine
	// NextAttempt is when the scheduler runs the job's next cycle.
	NextAttempt time.Time `json:"nextAttempt"`
	// Cycles counts the quarantined cycles in a row (the backoff's step).
	Cycles int `json:"cycles"`
	// Staged is how many disables and deletes the last cycle staged, in
	// cycle StagedCycle (see [Service.Staged]).
	Staged      int    `json:"staged,omitempty"`
	StagedCycle string `json:"stagedCycle,omitempty"`
}

// backoff is the wait after the n-th quarantined cycle in a row.
func backoff(n int, interval time.Duration) time.Duration {
	d := QuarantineFirstBackoff
	for i := 1; i < n && d < QuarantineMaxBackoff; i++ {
		d *= 2
	}
	return max(min(d, QuarantineMaxBackoff), interval)
}

// health counts a cycle's object actions from its log entries: the
// Observer the quarantine decision reads. Skips and staged actions sent
// nothing and count for nothing.
type health struct {
	actions, failed, refused atomic.Int64
}

// CycleStarted implements Observer.
func (h *health) CycleStarted(CycleInfo) {}

// ActionLogged implements Observer.
func (h *health) ActionLogged(_ CycleInfo, e provisioning.LogEntry) {
	failed := e.Status == provisioning.StatusFailure
	if !failed && (e.Action == provisioning.ActionSkip || e.Status == provisioning.StatusStaged) {
		return
	}
	h.actions.Add(1)
	if failed {
		h.failed.Add(1)
		if refusedCode(e.ErrorCode) {
			h.refused.Add(1)
		}
	}
}

// CycleFinished implements Observer.
func (h *health) CycleFinished(CycleInfo, *CycleSummary, error) {}

// refusedCode reports a log entry's error code for a 401 or 403 answer
// (see provisioning's error codes: "http-401", "http-403-<scimType>").
func refusedCode(code string) bool {
	return code == "http-401" || code == "http-403" || strings.HasPrefix(code, "http-401-") || strings.HasPrefix(code, "http-403-")
}

// assess decides a cycle's quarantine reason from its health and error:
// "" with ok when it succeeded (the job leaves quarantine), ok false when
// it says nothing either way (it was cancelled, or the directory or the
// store failed).
func assess(actions, failed, refused int64, staged bool, err error) (reason, detail string, ok bool) {
	switch {
	case refused > 0 && refused*2 > actions:
		return ReasonCredentials, fmt.Sprintf("%d of %d object actions were answered 401 or 403: the Secret Token was refused", refused, actions), true
	case credentialsRefused(err):
		return ReasonCredentials, err.Error(), true
	case staged:
		return ReasonDeletions, "", true
	case actions >= QuarantineMinActions && failed*100 >= QuarantineFailurePercent*actions,
		actions >= QuarantineAllFailedMin && failed == actions:
		return ReasonFailures, fmt.Sprintf("%d of %d object actions failed", failed, actions), true
	case err != nil:
		return "", "", false
	}
	return "", "", true
}

// decodeQuarantine reads a stored quarantine; nil when there is none.
func decodeQuarantine(b []byte) (*Quarantine, error) {
	if b == nil {
		return nil, nil
	}
	q := &Quarantine{}
	if err := json.Unmarshal(b, q); err != nil {
		return nil, fmt.Errorf("read quarantine: %w", err)
	}
	return q, nil
}

// quarantine returns the job's quarantine; nil when it is not
// quarantined.
func (s *Service) quarantine(ctx context.Context, jobID string) (*Quarantine, error) {
	g, err := s.st.JobGuard(ctx, jobID)
	if err != nil {
		return nil, err
	}
	return decodeQuarantine(g.Quarantine)
}

func (s *Service) setQuarantine(ctx context.Context, jobID string, q *Quarantine) error {
	var b []byte
	if q != nil {
		var err error
		if b, err = json.Marshal(q); err != nil {
			return fmt.Errorf("encode quarantine: %w", err)
		}
	}
	return s.st.SetQuarantine(ctx, jobID, b)
}

// event is a JobEvent of job j.
func (s *Service) event(j store.Job, kind JobEventKind, q *Quarantine) JobEvent {
	e := JobEvent{Kind: kind, JobID: j.ID, AppID: j.AppID, AppName: j.AppID, NotificationEmail: j.NotificationEmail, At: s.now()}
	if q != nil {
		e.Reason, e.Since, e.NextAttempt = q.Reason, q.Since, q.NextAttempt
		if q.Detail != "" {
			e.Reason += ": " + q.Detail
		}
	}
	return e
}

// afterCycle enters, keeps, changes or ends the job's quarantine after a
// cycle (sum, with the health h and the cycle's error), and tells the
// JobObservers: EventQuarantined, EventQuarantineChanged or
// EventRecovered, then EventDeletionsStaged when the cycle staged other
// deletions than the last. Errors are logged: the cycle is recorded.
func (s *Service) afterCycle(ctx context.Context, j store.Job, sum *CycleSummary, h *health, g *deletionGate, cycleErr error) {
	staged := errors.Is(cycleErr, provisioning.ErrStaged) && sum.Stats.Staged > 0
	reason, detail, ok := assess(h.actions.Load(), h.failed.Load(), h.refused.Load(), staged, cycleErr)
	if !ok {
		return
	}
	o := outcome{reason: reason, detail: detail}
	if reason == ReasonDeletions {
		o.detail = g.staged()
	}
	if staged {
		o.staged, o.stagedCycle = int(sum.Stats.Staged), sum.ID
	}
	s.transition(ctx, j, o)
}

// outcome is what an attempt (a cycle, or Test Connection) says of a
// job's quarantine: a reason ("" for success) and the deletions staged.
type outcome struct {
	reason, detail string
	staged         int
	stagedCycle    string
}

// transition enters, keeps, changes or ends the job's quarantine after
// an attempt, and tells the JobObservers.
func (s *Service) transition(ctx context.Context, j store.Job, o outcome) {
	reason, detail := o.reason, o.detail
	prev, err := s.quarantine(ctx, j.ID)
	if err != nil {
		s.log.Warn("provisioning job: read quarantine", "app", j.AppID, "err", err)
		return
	}
	now := s.now()
	var next *Quarantine
	var events []JobEvent
	switch {
	case reason == "" && prev == nil:
		return
	case reason == "":
		events = append(events, s.event(j, EventRecovered, prev))
	case prev == nil:
		next = &Quarantine{Reason: reason, Detail: detail, Since: now, Cycles: 1}
		events = append(events, s.event(j, EventQuarantined, next))
	default:
		q := *prev
		next = &q
		next.Cycles++
		next.Detail = detail
		if next.Reason != reason {
			next.Reason = reason
			events = append(events, s.event(j, EventQuarantineChanged, next))
		}
	}
	if next != nil {
		next.NextAttempt = now.Add(backoff(next.Cycles, j.Interval))
		next.Staged, next.StagedCycle = o.staged, o.stagedCycle
		if o.staged > 0 {
			if prev == nil || prev.Staged != next.Staged {
				e := s.event(j, EventDeletionsStaged, next)
				e.Count = next.Staged
				events = append(events, e)
			}
		}
		// Events carry the next attempt too.
		for i := range events {
			events[i].NextAttempt = next.NextAttempt
		}
	}
	if err := s.setQuarantine(ctx, j.ID, next); err != nil {
		s.log.Warn("provisioning job: record quarantine", "app", j.AppID, "err", err)
		return
	}
	if next != nil {
		s.log.Warn("provisioning job: quarantined", "app", j.AppID, "reason", next.Reason, "detail", next.Detail, "next_attempt", next.NextAttempt)
	} else {
		s.log.Info("provisioning job: left quarantine", "app", j.AppID)
	}
	for _, e := range events {
		s.jobEvent(e)
	}
}

// ClearQuarantine ends the job's quarantine at once (EventRecovered) and,
// when the job is on, starts its next cycle now. The deletion threshold
// still applies: to send staged deletions use [Service.AllowDeletes].
func (s *Service) ClearQuarantine(ctx context.Context, appID string) error {
	j, err := s.job(ctx, appID)
	if err != nil {
		return err
	}
	q, err := s.quarantine(ctx, j.ID)
	if err != nil {
		return own(err, "read quarantine of app %q", appID)
	}
	if q == nil {
		return nil
	}
	if err := s.setQuarantine(ctx, j.ID, nil); err != nil {
		return own(err, "clear quarantine of app %q", appID)
	}
	e := s.event(j, EventRecovered, q)
	e.Reason = "cleared by an administrator (was: " + e.Reason + ")"
	s.jobEvent(e)
	if j.Enabled {
		if _, err := s.Trigger(ctx, appID); err != nil && !errors.Is(err, ErrBusy) {
			s.log.Warn("provisioning job: start a cycle after clearing the quarantine", "app", appID, "err", err)
		}
	}
	return nil
}

// credentialsRefused reports a Test Connection answered 401 or 403.
func credentialsRefused(err error) bool {
	var ce *client.ConnectionError
	return errors.As(err, &ce) && ce.Reason == client.ReasonCredentials
}

// probe runs Test Connection before the cycle of a job quarantined
// because its credentials were refused, as Entra does at the start of
// every activity (entra-provisioning.md §1.1): refused again, the cycle
// sends nothing more (one request, not one per object) and probe returns
// why; otherwise (or when the job is not quarantined for that) nil.
func (s *Service) probe(ctx context.Context, j store.Job) error {
	q, err := s.quarantine(ctx, j.ID)
	if err != nil || q == nil || q.Reason != ReasonCredentials {
		return nil
	}
	c, m, err := s.target(j)
	if err != nil {
		return nil
	}
	if err := c.TestConnection(ctx, m.MatchingTarget()); credentialsRefused(err) {
		return fmt.Errorf("test connection before the cycle: %w", err)
	}
	return nil
}

// afterTest records what Test Connection says of the job's credentials:
// refused, the job enters (or stays in) quarantine; accepted while it is
// quarantined for them, its next cycle is due at once.
func (s *Service) afterTest(ctx context.Context, j store.Job, testErr error) {
	q, err := s.quarantine(ctx, j.ID)
	refusedBefore := err == nil && q != nil && q.Reason == ReasonCredentials
	switch {
	case credentialsRefused(testErr) && !refusedBefore: // a test again is no further attempt
		s.transition(ctx, j, outcome{reason: ReasonCredentials, detail: "Test Connection: " + testErr.Error()})
		return
	case testErr != nil || !refusedBefore:
		return
	}
	s.attemptNow(ctx, j, q)
}

// attemptNow makes the next attempt of a job quarantined for refused
// credentials due at once: new credentials (Configure) or a successful
// Test Connection deserve a try at the next tick.
func (s *Service) attemptNow(ctx context.Context, j store.Job, q *Quarantine) {
	if q == nil {
		var err error
		if q, err = s.quarantine(ctx, j.ID); err != nil || q == nil {
			return
		}
	}
	if q.Reason != ReasonCredentials {
		return
	}
	q.NextAttempt = s.now()
	if err := s.setQuarantine(ctx, j.ID, q); err != nil {
		s.log.Warn("provisioning job: record quarantine", "app", j.AppID, "err", err)
	}
}

// quarantinedUntil returns, for every quarantined job, when its next
// cycle is due: the scheduler's view.
func (s *Service) quarantinedUntil(ctx context.Context) map[string]time.Time {
	gs, err := s.st.JobGuards(ctx)
	if err != nil {
		s.log.Warn("provisioning scheduler: read quarantines", "err", err)
		return nil
	}
	out := map[string]time.Time{}
	for _, g := range gs {
		q, err := decodeQuarantine(g.Quarantine)
		if err != nil {
			s.log.Warn("provisioning scheduler: read quarantine", "job", g.JobID, "err", err)
			continue
		}
		if q != nil {
			out[g.JobID] = q.NextAttempt
		}
	}
	return out
}
