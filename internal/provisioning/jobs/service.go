package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/provisio-dev/provisio/internal/outbound"
	"github.com/provisio-dev/provisio/internal/provisioning"
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
)

// Defaults.
const (
	DefaultInterval     = 40 * time.Minute // Entra's fixed cycle
	MinInterval         = time.Second
	DefaultLogRetention = 100_000 // log entries kept per job
	DefaultTick         = time.Second
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
	// Warnings are problems of the settings that do not stop the job,
	// such as a Secret Token sent in clear.
	Warnings []string
	Created  time.Time
	Updated  time.Time
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
	// LogRetention is the number of log entries kept per job (default
	// DefaultLogRetention).
	LogRetention int
	// Concurrency is the engine's objects in flight (0: engine default).
	Concurrency int
	// MaxConcurrentCycles is how many cycles run at once on this server,
	// of all jobs (default DefaultMaxConcurrentCycles). The scheduler
	// starts due jobs, most overdue first, while a slot is free and
	// leaves the rest due for a later tick (or another server); a manual
	// run waits for a slot, queued.
	MaxConcurrentCycles int
	Now                 func() time.Time // default time.Now
	// NewTicker returns the scheduler's ticks every d and a stop function
	// (default: a time.Ticker). Tests pass a channel they feed.
	NewTicker func(d time.Duration) (<-chan time.Time, func())
	Tick      time.Duration // scheduler resolution (default DefaultTick)
	Logger    *slog.Logger
}

// Service manages provisioning jobs. It is safe for concurrent use.
type Service struct {
	st        store.JobStore
	src       provisioning.Source
	box       *secretbox.Box
	copts     []client.Option
	outbound  *outbound.Policy
	retention int
	conc      int
	now       func() time.Time
	newTicker func(time.Duration) (<-chan time.Time, func())
	tick      time.Duration
	log       *slog.Logger

	base   context.Context // cycles run under it; Close cancels it
	cancel context.CancelFunc
	wg     sync.WaitGroup
	slots  chan struct{} // one element per running cycle (cap MaxConcurrentCycles)

	mu          sync.Mutex
	runs        map[string]*run      // job id → the running or queued cycle
	failedStart map[string]time.Time // job id → when the scheduler tries again
	counted     map[string]countedLinks

	// cmu guards memories: they are looked up while mu is held.
	cmu      sync.Mutex
	memories map[string]*jobMemory // job id → what is kept between its cycles
}

// jobMemory is what the service keeps of a job between its cycles, which
// each build a new Engine.
type jobMemory struct {
	links   linkCache
	settled provisioning.Settled
}

// memory returns the job's memory.
func (s *Service) memory(jobID string) *jobMemory {
	s.cmu.Lock()
	defer s.cmu.Unlock()
	m := s.memories[jobID]
	if m == nil {
		m = &jobMemory{}
		s.memories[jobID] = m
	}
	return m
}

// New returns a Service.
func New(o Options) (*Service, error) {
	if o.Store == nil || o.Source == nil || o.Box == nil {
		return nil, errors.New("jobs: Store, Source and Box are required")
	}
	s := &Service{st: o.Store, src: o.Source, box: o.Box, copts: o.ClientOptions, outbound: o.Outbound, retention: o.LogRetention,
		conc: o.Concurrency, now: o.Now, newTicker: o.NewTicker, tick: o.Tick, log: o.Logger, runs: map[string]*run{},
		failedStart: map[string]time.Time{}, counted: map[string]countedLinks{},
		memories: map[string]*jobMemory{}}
	if s.retention <= 0 {
		s.retention = DefaultLogRetention
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
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.base, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Close cancels running and queued cycles and waits for them to end.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// Configure creates the application's job or changes its settings. Every
// problem is reported at once, wrapped in ErrInvalid.
func (s *Service) Configure(ctx context.Context, appID string, c Config) (Job, error) {
	cur, err := s.st.GetJobByApp(ctx, appID)
	isNew := errors.Is(err, store.ErrNotFound)
	if err != nil && !isNew {
		return Job{}, fmt.Errorf("configure job of app %q: %w", appID, err)
	}
	if isNew {
		cur = store.Job{AppID: appID, Scope: string(provisioning.ScopeAssigned), Interval: DefaultInterval, State: string(StateStopped)}
		if cur.Mappings, err = json.Marshal(DefaultMappings()); err != nil {
			return Job{}, fmt.Errorf("configure job of app %q: %w", appID, err)
		}
	}
	next, err := s.apply(cur, c, isNew)
	if err != nil {
		return Job{}, fmt.Errorf("configure job of app %q: %w", appID, err)
	}
	if isNew {
		next, err = s.st.CreateJob(ctx, next)
	} else {
		next, err = s.st.UpdateJob(ctx, next)
	}
	if err != nil {
		return Job{}, fmt.Errorf("configure job of app %q: %w", appID, err)
	}
	s.setRetryAt(next.ID, time.Time{})
	if c.TenantURL != "" && outbound.Cleartext(next.TenantURL) {
		s.log.Warn("provisioning job: "+cleartextWarning, "app", appID)
	}
	return jobView(next)
}

// cleartextWarning is shown with a job whose Tenant URL is plain http to a
// host that is not loopback (see outbound.Cleartext).
const cleartextWarning = "the Tenant URL is plain http to a host that is not loopback: the Secret Token travels in clear; use https"

// apply validates c and applies it to j.
func (s *Service) apply(j store.Job, c Config, isNew bool) (store.Job, error) {
	cur := j
	var errs []error
	if c.TenantURL != "" {
		if err := validateTenantURL(c.TenantURL); err != nil {
			errs = append(errs, err)
		}
		j.TenantURL = c.TenantURL
	} else if isNew {
		errs = append(errs, errors.New("a tenant url is required"))
	}
	if c.SecretToken == "" && isNew {
		errs = append(errs, errors.New("a secret token is required"))
	}
	if from, to := origin(cur.TenantURL), origin(j.TenantURL); c.SecretToken == "" && !isNew && len(j.Secret) > 0 && from != to {
		errs = append(errs, fmt.Errorf("the tenant url moves from %s to %s: send the secret token again, as the stored one belongs to %s", from, to, from))
	}
	switch c.Scope {
	case "":
	case provisioning.ScopeAssigned, provisioning.ScopeAll:
		j.Scope = string(c.Scope)
	default:
		errs = append(errs, fmt.Errorf("scope %q: want %q or %q", c.Scope, provisioning.ScopeAssigned, provisioning.ScopeAll))
	}
	switch {
	case c.Interval == 0:
	case c.Interval < MinInterval:
		errs = append(errs, fmt.Errorf("interval %s: want at least %s", c.Interval, MinInterval))
	default:
		j.Interval = c.Interval
	}
	if c.NotificationEmail != nil {
		if *c.NotificationEmail != "" {
			if a, err := mail.ParseAddress(*c.NotificationEmail); err != nil || a.Address != *c.NotificationEmail {
				errs = append(errs, fmt.Errorf("notification email %q is not an email address", *c.NotificationEmail))
			}
		}
		j.NotificationEmail = *c.NotificationEmail
	}
	if c.Mappings != nil {
		if err := validateMappings(*c.Mappings); err != nil {
			errs = append(errs, err)
		}
		b, err := json.Marshal(c.Mappings)
		if err != nil {
			errs = append(errs, fmt.Errorf("mappings: %w", err))
		}
		j.Mappings = b
	}
	if len(errs) > 0 {
		return j, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	if c.SecretToken != "" {
		sealed, err := s.box.Seal([]byte(c.SecretToken), []byte(j.AppID))
		if err != nil {
			return j, fmt.Errorf("encrypt secret token: %w", err)
		}
		j.Secret = sealed
	}
	return j, nil
}

// validateTenantURL accepts an absolute http or https URL without
// credentials or fragment.
func validateTenantURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("tenant url: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("tenant url %q: want an absolute http or https url", raw)
	case u.Host == "":
		return fmt.Errorf("tenant url %q: no host", raw)
	case u.User != nil:
		return errors.New("tenant url must not contain credentials; use the secret token")
	case u.Fragment != "":
		return fmt.Errorf("tenant url %q: no fragment allowed", raw)
	}
	return nil
}

// origin is the scheme, host and port of a Tenant URL (RFC 6454 §4), the
// default port made explicit: a stored Secret Token is only ever sent to
// the origin it was given for.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// validateMappings compiles the mappings with the engine's own checks.
func validateMappings(m Mappings) error {
	users, groups, cerr := m.compile()
	c, _ := client.New("http://127.0.0.1")
	_, err := provisioning.New(provisioning.Config{Users: users, Groups: groups,
		Source: nopSource{}, Links: nopLinks{}, Logs: nopLogs{}, Target: c})
	if err = errors.Join(cerr, err); err != nil {
		return fmt.Errorf("mappings: %w", err)
	}
	return nil
}

// Get returns the application's job.
func (s *Service) Get(ctx context.Context, appID string) (Job, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return Job{}, err
	}
	return jobView(j)
}

// List returns every job, by application id.
func (s *Service) List(ctx context.Context) ([]Job, error) {
	js, err := s.st.ListJobs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	out := make([]Job, 0, len(js))
	for _, j := range js {
		v, err := jobView(j)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Delete stops the application's job and removes it with its links, logs
// and cycles. The accounts in the application are left as they are.
func (s *Service) Delete(ctx context.Context, appID string) error {
	j, err := s.job(ctx, appID)
	if err != nil {
		return err
	}
	s.cancelRun(j.ID)
	s.cmu.Lock()
	delete(s.memories, j.ID)
	s.cmu.Unlock()
	s.mu.Lock()
	delete(s.counted, j.ID)
	s.mu.Unlock()
	if err := s.st.DeleteJob(ctx, j.ID); err != nil {
		return fmt.Errorf("delete job of app %q: %w", appID, err)
	}
	return nil
}

// Start switches provisioning on: the scheduler runs the job every
// interval, the first cycle at its next tick.
func (s *Service) Start(ctx context.Context, appID string) (Job, error) {
	return s.setEnabled(ctx, appID, true)
}

// Stop switches provisioning off and cancels a running cycle (the next
// cycle picks up where it stopped).
func (s *Service) Stop(ctx context.Context, appID string) (Job, error) {
	j, err := s.setEnabled(ctx, appID, false)
	if err == nil {
		s.cancelRun(j.ID)
	}
	return j, err
}

func (s *Service) setEnabled(ctx context.Context, appID string, on bool) (Job, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return Job{}, err
	}
	if on && (j.TenantURL == "" || len(j.Secret) == 0) {
		return Job{}, fmt.Errorf("start job of app %q: %w", appID, ErrNoToken)
	}
	j.Enabled = on
	if j, err = s.st.UpdateJob(ctx, j); err != nil {
		return Job{}, fmt.Errorf("update job of app %q: %w", appID, err)
	}
	s.setRetryAt(j.ID, time.Time{})
	return jobView(j)
}

// Restart makes the job's next cycle an initial cycle, keeping its links
// (Entra's "restart provisioning"). With a cycle running, the watermark is
// cleared when it ends.
func (s *Service) Restart(ctx context.Context, appID string) error {
	j, err := s.job(ctx, appID)
	if err != nil {
		return err
	}
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
		return fmt.Errorf("restart job of app %q: %w", appID, err)
	}
	return nil
}

// TestConnection tests the job's stored credentials as Entra does. A
// failure of the target is a *client.ConnectionError whose Reason says
// what is wrong (unreachable, tls, timeout, credentials, not-found,
// not-scim, ...).
func (s *Service) TestConnection(ctx context.Context, appID string) error {
	j, err := s.job(ctx, appID)
	if err != nil {
		return err
	}
	c, m, err := s.target(j)
	if err != nil {
		return err
	}
	return c.TestConnection(ctx, m.matchingTarget())
}

// TestCredentials tests a Tenant URL and Secret Token before they are
// saved, querying userName.
func (s *Service) TestCredentials(ctx context.Context, tenantURL, token string) error {
	if err := validateTenantURL(tenantURL); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	c, err := s.newClient(tenantURL, token)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return c.TestConnection(ctx, "userName")
}

// Plan computes what the job's next cycle would do, writing nothing.
func (s *Service) Plan(ctx context.Context, appID string) (*provisioning.Plan, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return nil, err
	}
	e, _, _, err := s.engine(j)
	if err != nil {
		return nil, err
	}
	p, err := e.Plan(ctx)
	if err != nil {
		return nil, fmt.Errorf("plan job of app %q: %w", appID, err)
	}
	return p, nil
}

// LogQuery selects provisioning log entries; empty fields match all.
type LogQuery struct {
	Status     provisioning.Status
	Action     provisioning.ActionKind
	CycleID    string
	ObjectType provisioning.ObjectType
	Object     string // source id, target id or source name
	Before     int64  // only entries with Seq < Before (paging)
	Limit      int    // default 100, at most 10000
}

// LogRecord is a log entry with its sequence number (for paging).
type LogRecord struct {
	Seq int64
	provisioning.LogEntry
}

// Logs returns the job's log entries that q selects, newest first.
func (s *Service) Logs(ctx context.Context, appID string, q LogQuery) ([]LogRecord, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return nil, err
	}
	rows, err := s.st.Logs(ctx, j.ID, store.LogQuery{Status: string(q.Status), Action: string(q.Action),
		CycleID: q.CycleID, ObjectType: string(q.ObjectType), Object: q.Object, Before: q.Before, Limit: q.Limit})
	if err != nil {
		return nil, fmt.Errorf("read logs of app %q: %w", appID, err)
	}
	out := make([]LogRecord, 0, len(rows))
	for _, r := range rows {
		rec := LogRecord{Seq: r.Seq}
		if err := json.Unmarshal(r.Entry, &rec.LogEntry); err != nil {
			return nil, fmt.Errorf("read log entry %d: %w", r.Seq, err)
		}
		out = append(out, rec)
	}
	return out, nil
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

// job reads the application's job, mapping a missing one to ErrNotFound.
func (s *Service) job(ctx context.Context, appID string) (store.Job, error) {
	j, err := s.st.GetJobByApp(ctx, appID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Job{}, fmt.Errorf("app %q: %w", appID, ErrNotFound)
	}
	if err != nil {
		return store.Job{}, fmt.Errorf("read job of app %q: %w", appID, err)
	}
	return j, nil
}

func jobView(j store.Job) (Job, error) {
	v := Job{ID: j.ID, AppID: j.AppID, TenantURL: j.TenantURL, TokenSet: len(j.Secret) > 0, Enabled: j.Enabled,
		Scope: provisioning.ScopeMode(j.Scope), Interval: j.Interval, NotificationEmail: j.NotificationEmail,
		Created: j.Created, Updated: j.Updated}
	if err := json.Unmarshal(j.Mappings, &v.Mappings); err != nil {
		return Job{}, fmt.Errorf("job of app %q: read mappings: %w", j.AppID, err)
	}
	if outbound.Cleartext(j.TenantURL) {
		v.Warnings = append(v.Warnings, cleartextWarning)
	}
	return v, nil
}

// target builds the job's SCIM client with the decrypted token.
func (s *Service) target(j store.Job) (*client.Client, Mappings, error) {
	var m Mappings
	if j.TenantURL == "" || len(j.Secret) == 0 {
		return nil, m, fmt.Errorf("app %q: %w", j.AppID, ErrNoToken)
	}
	if err := json.Unmarshal(j.Mappings, &m); err != nil {
		return nil, m, fmt.Errorf("job of app %q: read mappings: %w", j.AppID, err)
	}
	token, err := s.box.Open(j.Secret, []byte(j.AppID))
	if err != nil {
		return nil, m, fmt.Errorf("job of app %q: decrypt secret token (is %s the key it was stored with?): %w", j.AppID, secretbox.KeyEnv, err)
	}
	c, err := s.newClient(j.TenantURL, string(token))
	if err != nil {
		return nil, m, fmt.Errorf("job of app %q: %w", j.AppID, err)
	}
	return c, m, nil
}

// newClient is the SCIM client of a Tenant URL, held to the outbound
// policy.
func (s *Service) newClient(tenantURL, token string) (*client.Client, error) {
	opts := append([]client.Option{client.WithStaticToken(token), client.WithLogger(s.log)}, s.outbound.ClientOptions(tenantURL)...)
	return client.New(tenantURL, append(opts, s.copts...)...)
}

// engine builds the job's engine over buffered store adapters.
func (s *Service) engine(j store.Job) (*provisioning.Engine, *linkStore, *logSink, error) {
	c, m, err := s.target(j)
	if err != nil {
		return nil, nil, nil, err
	}
	users, groups, err := m.compile()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("job of app %q: %w", j.AppID, err)
	}
	mem := s.memory(j.ID)
	links := &linkStore{st: s.st, jobID: j.ID, cache: &mem.links}
	logs := &logSink{st: s.st, jobID: j.ID}
	e, err := provisioning.New(provisioning.Config{JobID: j.ID, AppID: j.AppID, Scope: provisioning.ScopeMode(j.Scope),
		Users: users, Groups: groups, Source: s.src, Links: links, Logs: logs, Target: c, Settled: &mem.settled,
		Concurrency: s.conc, Now: s.now, Logger: s.log})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("job of app %q: %w", j.AppID, err)
	}
	return e, links, logs, nil
}
