package jobs

import (
	"context"
	"sync"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning"
)

// Observer is told of the cycle events of every job a Service runs: where
// notifications (email, webhooks) and metrics attach, outside the engine.
// Calls are synchronous, ActionLogged from the goroutines that apply a
// cycle's objects: an Observer must be quick (queue slow work) and safe
// for concurrent use. A cycle's own progress ([Service.Status]) is one.
type Observer interface {
	// CycleStarted: a cycle of the job starts, holding its job's lock and
	// a cycle slot.
	CycleStarted(c CycleInfo)
	// ActionLogged: one object action of the cycle was logged (Entra's
	// provisioning log entry).
	ActionLogged(c CycleInfo, e provisioning.LogEntry)
	// CycleFinished: the cycle ended and was recorded; err says why it
	// ended early (nil: it ran to its end).
	CycleFinished(c CycleInfo, sum *CycleSummary, err error)
}

// JobObserver is an Observer that is also told of a job's state changes
// (quarantine, staged deletions, credentials): what notifications (email,
// webhooks) are sent for. Calls are synchronous and made outside any lock
// of the Service: a JobObserver must be quick (queue slow work) and safe
// for concurrent use. Observers that implement it get the events.
type JobObserver interface {
	Observer
	JobEvent(e JobEvent)
}

// JobEventKind is what happened to a job.
type JobEventKind string

// Job event kinds: one event per change of state, never one per object.
const (
	EventQuarantined       JobEventKind = "quarantined"         // the job entered quarantine
	EventQuarantineChanged JobEventKind = "quarantine-changed"  // still quarantined, for another reason
	EventRecovered         JobEventKind = "recovered"           // the job left quarantine (a cycle succeeded, or cleared)
	EventDeletionsStaged   JobEventKind = "deletions-staged"    // disables/deletes over the threshold were staged, not sent
	EventCredentialsWarn   JobEventKind = "credentials-warning" // the job's credentials expire soon or started being refused
)

// JobEvent is one change of a job's state.
type JobEvent struct {
	Kind              JobEventKind
	JobID, AppID      string
	AppName           string // for people; the app id if unknown
	NotificationEmail string // the job's notification address ("" if none)
	Reason            string // why, in words for an administrator
	Since             time.Time
	NextAttempt       time.Time // quarantine: when the next cycle is tried (zero if none)
	Count             int       // deletions-staged: how many actions were staged
	At                time.Time
}

// CycleInfo names the cycle an event belongs to.
type CycleInfo struct {
	JobID   string
	AppID   string
	Kind    provisioning.CycleKind
	Started time.Time
}

// jobEvent tells every JobObserver of e.
func (s *Service) jobEvent(e JobEvent) {
	if e.At.IsZero() {
		e.At = s.now()
	}
	if s.appName != nil && (e.AppName == "" || e.AppName == e.AppID) {
		ctx, cancel := context.WithTimeout(s.base, 2*time.Second)
		if name, err := s.appName(ctx, e.AppID); err == nil && name != "" {
			e.AppName = name
		}
		cancel()
	}
	for _, ob := range s.observers {
		if jo, ok := ob.(JobObserver); ok {
			jo.JobEvent(e)
		}
	}
}

// observers are the Observers of one cycle.
type observers struct {
	info CycleInfo
	list []Observer
}

func (o *observers) started() {
	for _, ob := range o.list {
		ob.CycleStarted(o.info)
	}
}

func (o *observers) logged(e provisioning.LogEntry) {
	for _, ob := range o.list {
		ob.ActionLogged(o.info, e)
	}
}

func (o *observers) finished(sum *CycleSummary, err error) {
	for _, ob := range o.list {
		ob.CycleFinished(o.info, sum, err)
	}
}

// tracker counts a running cycle's progress from its log entries: the
// Observer of one cycle that [Service.Status] reads.
type tracker struct {
	mu        sync.Mutex
	kind      provisioning.CycleKind
	started   time.Time
	cycleID   string
	processed int64
	counts    provisioning.Stats
	// total and considered: the candidates of the stages begun so far
	// and those planned and applied (provisioning.ProgressReporter).
	total, considered int64
}

// StagePlanned implements provisioning.ProgressReporter.
func (p *tracker) StagePlanned(_ provisioning.ObjectType, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total += int64(n)
}

// ChunkDone implements provisioning.ProgressReporter.
func (p *tracker) ChunkDone(_ provisioning.ObjectType, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.considered += int64(n)
}

// CycleStarted implements Observer.
func (p *tracker) CycleStarted(c CycleInfo) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kind, p.started = c.Kind, c.Started
}

// ActionLogged implements Observer.
func (p *tracker) ActionLogged(_ CycleInfo, e provisioning.LogEntry) { p.note(e) }

// CycleFinished implements Observer.
func (p *tracker) CycleFinished(CycleInfo, *CycleSummary, error) {}

// Progress is a running cycle's progress: the objects acted on so far (one
// per log entry), by outcome.
type Progress struct {
	CycleID   string // known once the first object is logged
	Kind      provisioning.CycleKind
	Started   time.Time
	Processed int64
	Counts    provisioning.Stats // Unchanged and Requests are known only at the end
	// Total is the objects the cycle's stages begun so far will consider
	// (0: not known yet); Considered those of them planned and applied,
	// unchanged ones included. Groups join the total when their stage
	// begins, after the users.
	Total, Considered int64
}

func (p *tracker) note(e provisioning.LogEntry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cycleID = e.CycleID
	p.processed++
	if e.Matched {
		p.counts.Matched++
	}
	switch {
	case e.Status == provisioning.StatusFailure:
		p.counts.Failed++
	case e.Status == provisioning.StatusStaged:
		p.counts.Staged++
	case e.Matched && e.Action != provisioning.ActionUpdate:
		// counted as matched only
	case e.Status == provisioning.StatusSkipped || e.Status == provisioning.StatusWarning || e.Action == provisioning.ActionSkip:
		p.counts.Skipped++
	case e.Action == provisioning.ActionCreate:
		p.counts.Created++
	case e.Action == provisioning.ActionUpdate:
		p.counts.Updated++
	case e.Action == provisioning.ActionDisable:
		p.counts.Disabled++
	case e.Action == provisioning.ActionDelete:
		p.counts.Deleted++
	}
}

func (p *tracker) snapshot() *Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &Progress{CycleID: p.cycleID, Kind: p.kind, Started: p.started, Processed: p.processed, Counts: p.counts,
		Total: p.total, Considered: p.considered}
}
