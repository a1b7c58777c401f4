package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/provisio-dev/provisio/internal/outbound"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/mapping"
	"github.com/provisio-dev/provisio/internal/provisioning/record"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/svcerr"
	"github.com/provisio-dev/provisio/scim/client"
)

// Errors of the job service (service errors, see svcerr); test with
// errors.Is.
var (
	// ErrNotFound: no provisioning job for the application.
	ErrNotFound = svcerr.New(svcerr.NotFound, "", "provisioning job not found")
	// ErrInvalid: settings rejected; the wrapping message says why.
	ErrInvalid = svcerr.New(svcerr.Invalid, "", "invalid provisioning job settings")
	// ErrNoToken: the job has no Tenant URL or Secret Token yet.
	ErrNoToken = svcerr.New(svcerr.Conflict, "no_credentials", "provisioning job has no admin credentials")
	// ErrBusy: a cycle of the job is running on another server sharing
	// the database.
	ErrBusy = svcerr.New(svcerr.Busy, "job_busy", "a cycle of this provisioning job is running on another server")
	// ErrCancelled: a cycle was stopped (Stop, Delete, shutdown) while it
	// waited for a cycle slot, before it started.
	ErrCancelled = svcerr.New(svcerr.Conflict, "cycle_cancelled", "provisioning cycle cancelled before it started")
	// ErrClosed: the service was closed (the server is shutting down).
	ErrClosed = svcerr.New(svcerr.Unavailable, "shutting_down", "provisioning job service is shut down")
	// ErrExists: the application got a job from a concurrent request.
	ErrExists = svcerr.New(svcerr.Conflict, "", "the application already has a provisioning job")
)

// own wraps err with context and turns the store's sentinels into the
// service's own errors (svcerr.Own).
func own(err error, format string, args ...any) error {
	return svcerr.Own(fmt.Errorf(format+": %w", append(args, err)...),
		svcerr.Translation{From: store.ErrNotFound, To: ErrNotFound},
		svcerr.Translation{From: store.ErrExists, To: ErrExists},
		svcerr.Translation{From: store.ErrInvalid, To: ErrInvalid})
}

// The serializable form of a job's attribute mappings (see package
// mapping).
type Mappings = mapping.Mappings

// DefaultMappings returns the engine's default user and group mappings.
func DefaultMappings() Mappings { return mapping.DefaultMappings() }

// Defaults.
const (
	DefaultInterval = 40 * time.Minute // Entra's fixed cycle
	MinInterval     = time.Second
	// DefaultLogRetention is how long log entries are kept: Entra keeps
	// provisioning logs 30 days.
	DefaultLogRetention = 30 * 24 * time.Hour
	// DefaultMaxLogEntries caps the log entries kept per job, whatever
	// their age: a safety net for the disk, pruned after every cycle.
	DefaultMaxLogEntries = 1_000_000
	DefaultTick          = time.Second
	// DefaultMaxConcurrentCycles is how many cycles a server runs at once
	// unless Options.MaxConcurrentCycles says otherwise.
	DefaultMaxConcurrentCycles = 8
)

// State is a job's state.
type State string

// Job states.
const (
	StateStopped State = "stopped" // provisioning is off
	StateIdle    State = "idle"    // on, waiting for its next cycle
	StateRunning State = "running" // a cycle is running
	// StateQueued: a cycle was asked for (job run) and waits for one of
	// the server's cycle slots (Options.MaxConcurrentCycles).
	StateQueued State = "queued"
)

// Job is a job's settings as the API shows them; the Secret Token is never
// included, only whether one is set.
type Job struct {
	ID                string
	AppID             string
	TenantURL         string
	TokenSet          bool
	Enabled           bool
	Scope             provisioning.ScopeMode
	Interval          time.Duration
	NotificationEmail string
	Mappings          Mappings
	// SkipOutOfScopeDeletions leaves objects that leave scope as they are
	// in the application (Entra's SkipOutOfScopeDeletions).
	SkipOutOfScopeDeletions bool
	// WebhookURL is where the job's events are posted ("" for none);
	// the webhook secret is write-only: only whether one is set.
	WebhookURL       string
	WebhookSecretSet bool
	// DeletionThreshold is the job's threshold on the disables and
	// deletes of one cycle (deletions.go).
	DeletionThreshold DeletionThreshold
	// RateLimit is the most requests per second sent to the application
	// (0: unlimited); MaxConcurrency the ceiling of the requests in
	// flight, and the most objects applied at once. Both adapt down when
	// the application throttles, and the requests in flight follow its
	// latency below the ceiling (see client.Throttle).
	RateLimit      float64
	MaxConcurrency int
	// Schema is what the job knows of the application's /Schemas and
	// the default mappings it left out for it.
	Schema SchemaReport
	// Warnings are problems of the settings that do not stop the job,
	// such as a Secret Token sent in clear, and the credentials' warnings
	// (expiring, refused after they had worked).
	Warnings []string
	// Auth is how the job authenticates (never a secret).
	Auth Auth
	// ReconcileEvery is how often the scheduler reconciles a started
	// job's application (reconcile.go); 0: never.
	ReconcileEvery time.Duration
	// Bulk sends creates and updates in SCIM Bulk requests (RFC 7644
	// §3.7) when the application advertises bulk.supported.
	Bulk    bool
	Created time.Time
	Updated time.Time
}

// Config is a change to a job's settings. Zero fields keep the current
// value (or take the default when the job is new).
type Config struct {
	TenantURL         string                 // required for a new job
	SecretToken       string                 // required for a new job; never stored in clear
	Scope             provisioning.ScopeMode // default assigned
	Interval          time.Duration          // default DefaultInterval; at least MinInterval
	NotificationEmail *string                // nil keeps; "" clears
	Mappings          *Mappings              // nil keeps; default DefaultMappings()
	// SkipOutOfScopeDeletions: nil keeps; default false.
	SkipOutOfScopeDeletions *bool
	// WebhookURL: nil keeps; "" removes the webhook (and its secret).
	WebhookURL *string
	// WebhookSecret is the HMAC key of the webhook's signature: "" keeps
	// it; required with a job's first webhook URL; never stored in clear.
	WebhookSecret string
	// DeletionThreshold and DeletionThresholdPercent: nil keeps; 0 turns
	// the check off; defaults DefaultDeletionThreshold and
	// DefaultDeletionThresholdPercent.
	DeletionThreshold        *int
	DeletionThresholdPercent *int
	// RateLimit: nil keeps; 0 (the default) is unlimited; at most
	// MaxRateLimit.
	RateLimit *float64
	// MaxConcurrency: nil keeps; 0 is the default (Options.Concurrency,
	// else provisioning.DefaultConcurrency); at most MaxMaxConcurrency.
	MaxConcurrency *int
	// OAuth: OAuth 2.0 client credentials instead of a Secret Token (nil
	// keeps; a SecretToken given switches back).
	OAuth *OAuthConfig
	// ReconcileEvery: nil keeps; 0 (the default) turns the scheduled
	// reconciliation off; else at least MinReconcileEvery.
	ReconcileEvery *time.Duration
	// Bulk: nil keeps; default false (off).
	Bulk *bool
}

// Options configures a Service.
type Options struct {
	Store  store.JobStore      // required
	Source provisioning.Source // the directory; required
	Box    *secretbox.Box      // encrypts Secret Tokens; required
	// ClientOptions are added to every job's scim/client (after the
	// bearer token), e.g. client.WithHTTPClient or client.WithTimeout.
	ClientOptions []client.Option
	// Outbound restricts the targets jobs connect to, for cycles and Test
	// Connection alike (nil: every target). It needs the scim/client's
	// default HTTP client: no client.WithHTTPClient in ClientOptions.
	Outbound *outbound.Policy
	// MaxLogEntries caps the log entries kept per job, oldest pruned
	// after every cycle (default DefaultMaxLogEntries). Retention by age
	// is [Service.RunLogRetention].
	MaxLogEntries int
	// Concurrency is the engine's objects in flight (0: engine default).
	Concurrency int
	// MaxConcurrentCycles is how many cycles run at once on this server,
	// of all jobs (default DefaultMaxConcurrentCycles). The scheduler
	// starts due jobs, most overdue first, while a slot is free and
	// leaves the rest due for a later tick (or another server); a manual
	// run waits for a slot, queued.
	MaxConcurrentCycles int
	// ChangeDebounce, when positive, has Schedule poll the change feed's
	// head and run the enabled jobs' incremental cycles that long after a
	// change with no further change (see watchChanges); 0: only the
	// interval starts cycles.
	ChangeDebounce time.Duration
	// AppName looks up an application's name for the job events people
	// read (JobEvent.AppName); nil: events name the application by id.
	AppName func(ctx context.Context, appID string) (string, error)
	// DiscoveryWait is how long saving a job's credentials waits for the
	// application's /Schemas before saving without it (the discovery goes
	// on in the background); 0 means 3 s.
	DiscoveryWait time.Duration
	Now           func() time.Time // default time.Now
	// NewTicker returns the scheduler's ticks every d and a stop function
	// (default: a time.Ticker). Tests pass a channel they feed.
	NewTicker func(d time.Duration) (<-chan time.Time, func())
	Tick      time.Duration // scheduler resolution (default DefaultTick)
	// Observers are told of every cycle's events (see Observer).
	Observers []Observer
	Logger    *slog.Logger
}

// Service manages provisioning jobs. It is safe for concurrent use.
type Service struct {
	st        store.JobStore
	src       provisioning.Source
	box       *secretbox.Box
	copts     []client.Option
	outbound  *outbound.Policy
	maxLogs   int
	conc      int
	now       func() time.Time
	newTicker func(time.Duration) (<-chan time.Time, func())
	tick      time.Duration
	observers []Observer
	log       *slog.Logger

	base   context.Context // cycles run under it; Close cancels it
	cancel context.CancelFunc
	wg     sync.WaitGroup
	slots  chan struct{} // one element per running cycle (cap MaxConcurrentCycles)
	// debounce is Options.ChangeDebounce; triggered: job id → the feed
	// head a change triggered its cycle for (watch.go)
	debounce  time.Duration
	triggered map[string]int64

	mu          sync.Mutex
	runs        map[string]*run      // job id → the running or queued cycle
	failedStart map[string]time.Time // job id → when the scheduler tries again
	reconcileAt map[string]time.Time // job id → when the scheduler reconciles next
	counted     map[string]countedLinks
	onDemand    map[string]bool // job id → a provision on demand holds the job (ondemand.go)

	// editLocks serialize, per application, the read-modify-write of a
	// job's settings and mappings (mappings.go) and the recording of its
	// schema discovery on this server: one job's slow application never
	// holds up the edits of another.
	editLocks     sync.Map // app id → *sync.Mutex
	appName       func(ctx context.Context, appID string) (string, error)
	discoveryWait time.Duration

	// cmu guards memories: they are looked up while mu is held.
	cmu      sync.Mutex
	memories map[string]*jobMemory // job id → what is kept between its cycles
}

// jobMemory is what the service keeps of a job between its cycles, which
// each build a new Engine.
type jobMemory struct {
	links   provisioning.LinkTable
	settled provisioning.Settled
	cycles  provisioning.CycleMemory // with links: incremental work follows the feed
	gate    deletionGate             // its cycles' gate (deletions.go)
	// throttle is the job's gate to its application, kept while its
	// settings stay (limits); nil before its first request.
	throttle *client.Throttle
	limits   limits
	oauth    *cachedSource // the job's OAuth token source (guarded by cmu)
	// linkGen is the job's link generation this server's last turn under
	// the job's lock set (guarded by cmu; 0: unknown): links is current
	// only while no one else moved it since (see freshLinks).
	linkGen int64
}

// memory returns the job's memory.
func (s *Service) memory(jobID string) *jobMemory {
	s.cmu.Lock()
	defer s.cmu.Unlock()
	m := s.memories[jobID]
	if m == nil {
		m = &jobMemory{gate: deletionGate{st: s.st, jobID: jobID}}
		s.memories[jobID] = m
	}
	return m
}

// New returns a Service.
func New(o Options) (*Service, error) {
	if o.Store == nil || o.Source == nil || o.Box == nil {
		return nil, errors.New("jobs: Store, Source and Box are required")
	}
	s := &Service{st: o.Store, src: o.Source, box: o.Box, copts: o.ClientOptions, outbound: o.Outbound, maxLogs: o.MaxLogEntries,
		conc: o.Concurrency, now: o.Now, newTicker: o.NewTicker, tick: o.Tick, observers: o.Observers, log: o.Logger, runs: map[string]*run{},
		failedStart: map[string]time.Time{}, reconcileAt: map[string]time.Time{}, counted: map[string]countedLinks{},
		memories: map[string]*jobMemory{}}
	if s.maxLogs <= 0 {
		s.maxLogs = DefaultMaxLogEntries
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newTicker == nil {
		s.newTicker = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
	}
	if s.tick <= 0 {
		s.tick = DefaultTick
	}
	n := o.MaxConcurrentCycles
	if n <= 0 {
		n = DefaultMaxConcurrentCycles
	}
	s.slots = make(chan struct{}, n)
	s.appName = o.AppName
	s.debounce, s.triggered = o.ChangeDebounce, map[string]int64{}
	if s.discoveryWait = o.DiscoveryWait; s.discoveryWait <= 0 {
		s.discoveryWait = defaultDiscoveryWait
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.base, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// editLock locks the edits of the application's job and returns the
// unlock.
func (s *Service) editLock(appID string) (unlock func()) {
	mu, _ := s.editLocks.LoadOrStore(appID, new(sync.Mutex))
	mu.(*sync.Mutex).Lock()
	return mu.(*sync.Mutex).Unlock
}

// Close cancels running and queued cycles and waits for them to end.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// Restart makes the job's next cycle an initial cycle, keeping its links
// (Entra's "restart provisioning"). With a cycle running, the watermark is
// cleared when it ends.
func (s *Service) Restart(ctx context.Context, appID string) error {
	j, err := s.job(ctx, appID)
	if err != nil {
		return err
	}
	return s.restart(ctx, j)
}

// restart clears the job's watermark, or has its running cycle clear it
// when it ends. The initial cycle that follows evaluates every object in
// scope and starts the memory of settled skips afresh
// (provisioning.Settled).
func (s *Service) restart(ctx context.Context, j store.Job) error {
	s.mu.Lock()
	r := s.runs[j.ID]
	if r != nil {
		r.restart = true
	}
	s.mu.Unlock()
	if r != nil {
		return nil
	}
	if err := s.st.ClearWatermark(ctx, j.ID); err != nil {
		return own(err, "restart job of app %q", j.AppID)
	}
	return nil
}

// Plan computes what the job's next cycle would do, writing nothing.
func (s *Service) Plan(ctx context.Context, appID string) (*provisioning.Plan, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return nil, err
	}
	e, _, err := s.engine(j, false)
	if err != nil {
		return nil, err
	}
	p, err := e.Plan(ctx)
	if err != nil {
		return nil, fmt.Errorf("plan job of app %q: %w", appID, err)
	}
	return p, nil
}

// Preview computes what the job's next cycle would send for one object
// (see provisioning.Engine.Preview), writing nothing.
func (s *Service) Preview(ctx context.Context, appID string, t provisioning.ObjectType, sourceID string) (*provisioning.Preview, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return nil, err
	}
	e, _, err := s.engine(j, false)
	if err != nil {
		return nil, err
	}
	p, err := e.Preview(ctx, t, sourceID)
	if err != nil {
		return nil, fmt.Errorf("preview job of app %q: %w", appID, err)
	}
	return p, nil
}

// Object returns a directory object as the application's job sees it
// (see provisioning.Engine.Object): its attributes, IsSoftDeleted and the
// scope decision; for an application without a job, as a new job would
// (scope assigned, see provisioning.ScopedObject). A missing object is a
// not-found service error.
func (s *Service) Object(ctx context.Context, appID string, t provisioning.ObjectType, sourceID string) (*provisioning.Object, string, error) {
	var o *provisioning.Object
	var scope string
	var ok bool
	j, err := s.job(ctx, appID)
	switch {
	case errors.Is(err, ErrNotFound):
		o, scope, ok, err = provisioning.ScopedObject(ctx, s.src, provisioning.ScopeAssigned, appID, t, sourceID)
	case err != nil:
		return nil, "", err
	default:
		e, _, eerr := s.engine(j, false)
		if eerr != nil {
			return nil, "", eerr
		}
		o, scope, ok, err = e.Object(ctx, t, sourceID)
	}
	if err != nil {
		return nil, "", fmt.Errorf("read %s %s for the job of app %q: %w", t, sourceID, appID, err)
	}
	if !ok {
		return nil, "", svcerr.Errorf(svcerr.NotFound, "%s %s not found", t, sourceID)
	}
	return o, scope, nil
}

// LogQuery selects provisioning log entries; empty fields match all.
type LogQuery struct {
	Status     provisioning.Status
	Action     provisioning.ActionKind
	CycleID    string
	ChangeID   string
	ObjectType provisioning.ObjectType
	Object     string    // source id, target id or source name
	Since      time.Time // when not zero: only entries at or after it
	Until      time.Time // when not zero: only entries before it
	Before     int64     // only entries with Seq < Before (paging)
	Limit      int       // default 100, at most 10000
}

// Paging limits of LogQuery.
const (
	DefaultLogLimit = store.DefaultLogLimit
	MaxLogLimit     = store.MaxLogLimit
)

// LogRecord is a log entry with its sequence number (for paging).
type LogRecord = record.LogRecord

// Logs returns the job's log entries that q selects, newest first.
func (s *Service) Logs(ctx context.Context, appID string, q LogQuery) ([]LogRecord, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return nil, err
	}
	rows, err := s.st.Logs(ctx, j.ID, store.LogQuery{Status: string(q.Status), Action: string(q.Action),
		CycleID: q.CycleID, ChangeID: q.ChangeID, ObjectType: string(q.ObjectType), Object: q.Object,
		Since: q.Since, Until: q.Until, Before: q.Before, Limit: q.Limit})
	if err != nil {
		return nil, fmt.Errorf("read logs of app %q: %w", appID, err)
	}
	return rows, nil
}

// Cycles returns up to limit of the job's cycles, newest first.
func (s *Service) Cycles(ctx context.Context, appID string, limit int) ([]CycleSummary, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return nil, err
	}
	cs, err := s.st.Cycles(ctx, j.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("read cycles of app %q: %w", appID, err)
	}
	out := make([]CycleSummary, 0, len(cs))
	for _, c := range cs {
		out = append(out, cycleSummaryOf(c))
	}
	return out, nil
}

// engine builds the job's engine over buffered store adapters; a cycle
// (cycle) keeps the job's links in memory between its cycles, a plan reads
// them from the store, so that it never loads them into the table of a
// running cycle.
func (s *Service) engine(j store.Job, cycle bool) (*provisioning.Engine, *logSink, error) {
	c, m, err := s.target(j)
	if err != nil {
		return nil, nil, err
	}
	users, groups, err := m.Compile()
	if err != nil {
		return nil, nil, fmt.Errorf("job of app %q: %w", j.AppID, err)
	}
	mem := s.memory(j.ID)
	var table *provisioning.LinkTable
	var cycles *provisioning.CycleMemory
	if cycle {
		table, cycles = &mem.links, &mem.cycles
	}
	logs := &logSink{st: s.st, jobID: j.ID}
	e, err := provisioning.New(provisioning.Config{JobID: j.ID, AppID: j.AppID, Scope: provisioning.ScopeMode(j.Scope),
		Users: users, Groups: groups, Source: s.src, Links: &linkStore{st: s.st, jobID: j.ID}, Logs: logs, Target: c,
		Table: table, Settled: &mem.settled, Memory: cycles, Gate: &mem.gate, Concurrency: s.limits(j).concurrency, Now: s.now, Logger: s.log,
		SkipOutOfScopeDeletions: j.SkipOutOfScopeDeletions, Bulk: j.Bulk})
	if err != nil {
		return nil, nil, fmt.Errorf("job of app %q: %w", j.AppID, err)
	}
	return e, logs, nil
}
