package store

import (
	"context"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning/record"
)

// This file is the persistence contract of provisioning jobs (the identity
// side: one job per application keeps its accounts in step with the
// directory). The records are plain data: the store does not import the
// provisioning engine (stores never depend on HTTP code, and the engine
// talks to its target through scim/client), so internal/provisioning/jobs
// adapts these records to the engine's LinkStore and LogSink.

// Job is one application's provisioning job as stored.
type Job struct {
	ID    string // assigned by the store
	AppID string // unique: one job per application
	// TenantURL is the SCIM base URL of the application.
	TenantURL string
	// Secret is the Secret Token, encrypted (internal/secretbox); the
	// store never sees it in clear.
	Secret            []byte
	Enabled           bool   // provisioning status on/off
	Scope             string // "assigned" or "all"
	Interval          time.Duration
	NotificationEmail string
	// Mappings is the job's attribute mappings as JSON; the store keeps it
	// opaque.
	Mappings []byte
	// SkipOutOfScopeDeletions leaves objects that leave scope as they are
	// in the application (Entra's SkipOutOfScopeDeletions).
	SkipOutOfScopeDeletions bool
	// RateLimit is the most requests per second sent to the application
	// (0: unlimited); MaxConcurrency the most in flight (0: the default).
	RateLimit      float64
	MaxConcurrency int
	// TargetSchema is what the job discovered of the application's
	// /Schemas and /ResourceTypes as JSON (opaque here); nil before the
	// first discovery.
	TargetSchema []byte
	// State is the job's state as the job service names it (opaque here).
	State string
	// LastCycle is the summary of the last completed cycle as JSON
	// (opaque here); nil before the first.
	LastCycle []byte
	// WebhookURL is where the job's events are posted ("" for none);
	// WebhookSecret the HMAC key of their signature, encrypted like
	// Secret.
	WebhookURL    string
	WebhookSecret []byte
	// OAuth is the job's OAuth 2.0 client credentials as JSON, its client
	// secret sealed (opaque here); nil for a job with a Secret Token.
	OAuth []byte
	// CredentialState is what the job service knows of the credentials'
	// health as JSON (opaque here); nil before anything is known.
	CredentialState []byte
	// ReconcileEvery is how often the scheduler reconciles the
	// application (drift, orphans, gone accounts); 0: never.
	ReconcileEvery time.Duration
	// Bulk sends creates and updates in SCIM Bulk requests (RFC 7644
	// §3.7) when the application advertises bulk.supported.
	Bulk    bool
	Created time.Time // set by the store
	Updated time.Time // set by the store by CreateJob and UpdateJob
}

// LinkCount is the number of a job's links of one type and state, failed
// (Attempts > 0) or not.
type LinkCount struct {
	Type   record.ObjectType
	State  record.LinkState
	Failed bool
	N      int
}

// LogQuery selects provisioning log entries of one job. Empty fields match
// everything. Results are newest first.
type LogQuery struct {
	Status     string
	Action     string
	CycleID    string
	ChangeID   string
	ObjectType string
	// Since and Until, when not zero, bound the entries' Time: Since <=
	// Time < Until.
	Since, Until time.Time
	// Object matches the source id, the target id or the source name
	// (userPrincipalName / displayName), exactly.
	Object string
	// Before, when > 0, returns only entries with Seq < Before (paging
	// backwards: pass the last Seq of the previous page).
	Before int64
	// Limit caps the entries returned: <= 0 means DefaultLogLimit, and it
	// is capped at MaxLogLimit.
	Limit int
}

// Log paging limits for [JobStore.Logs].
const (
	DefaultLogLimit = 100
	MaxLogLimit     = 10000
)

// Cycle is the record of one provisioning cycle.
type Cycle struct {
	ID       string // the engine's cycle id (the CycleID of its log entries)
	JobID    string
	Kind     string // "initial" or "incremental"
	Started  time.Time
	Finished time.Time
	Stats    []byte // the cycle's statistics as JSON (opaque here)
	Error    string // why the cycle ended early; "" when it ran to its end
}

// JobStore is the storage of provisioning jobs. Implementations are safe
// for concurrent use. Every method naming a job id returns ErrNotFound for
// an unknown job, except the link and watermark writes noted below.
type JobStore interface {
	// CreateJob stores a new job (ID, Created and Updated are assigned and
	// returned). A second job for the same AppID is ErrExists; an empty
	// AppID is ErrInvalid.
	CreateJob(ctx context.Context, j Job) (Job, error)
	// UpdateJob replaces the settings of job j.ID (everything but AppID,
	// Created, LastCycle and the watermark).
	UpdateJob(ctx context.Context, j Job) (Job, error)
	GetJob(ctx context.Context, id string) (Job, error)
	GetJobByApp(ctx context.Context, appID string) (Job, error)
	// ListJobs returns every job ordered by AppID.
	ListJobs(ctx context.Context) ([]Job, error)
	// SetJobState records the job's state and, when lastCycle is not nil,
	// its last cycle summary.
	SetJobState(ctx context.Context, id, state string, lastCycle []byte) error
	// DeleteJob removes the job with its links, logs and cycles.
	DeleteJob(ctx context.Context, id string) error

	// Links returns the job's links of one object type.
	Links(ctx context.Context, jobID string, t record.ObjectType) ([]record.Link, error)
	// LinkStates is Links without Written (nil): what a cycle keeps in
	// memory for every link, without reading and decoding what was written.
	LinkStates(ctx context.Context, jobID string, t record.ObjectType) ([]record.Link, error)
	// LinksOf returns the job's links of one object type whose SourceID is
	// among sourceIDs (those that exist, in no particular order).
	LinksOf(ctx context.Context, jobID string, t record.ObjectType, sourceIDs []string) ([]record.Link, error)
	// WriteLinks upserts put (by Type and SourceID) and removes del, all in
	// one transaction; removing a missing link is not an error.
	WriteLinks(ctx context.Context, jobID string, put []record.Link, del []record.Key) error
	// Escrows returns the job's links with failures (Attempts > 0),
	// without Written, ordered by NextRetry, type and source id.
	Escrows(ctx context.Context, jobID string) ([]record.Link, error)
	// RetryEscrows sets NextRetry to at on the job's links with failures
	// among keys (nil: all of them), and returns how many it changed.
	RetryEscrows(ctx context.Context, jobID string, keys []record.Key, at time.Time) (int, error)
	// CountLinks counts the job's links by type, state and failure
	// (Attempts > 0).
	CountLinks(ctx context.Context, jobID string) ([]LinkCount, error)
	// Watermark returns the change-feed sequence the job's last completed
	// cycle read up to; ok is false before the first cycle and after
	// ClearWatermark.
	Watermark(ctx context.Context, jobID string) (seq int64, ok bool, err error)
	SetWatermark(ctx context.Context, jobID string, seq int64) error
	ClearWatermark(ctx context.Context, jobID string) error

	// LockJob takes the job's cycle lock until release is called, so that
	// servers sharing one database run a job's cycles one at a time; ok is
	// false when another holder has it. It never waits for the lock, and
	// waits for a database connection only as long as ctx allows.
	// PostgreSQL: a lease, renewed in the background while held; a server
	// that dies or hangs stops renewing, and the job is another's once the
	// lease expired. lost (may be nil) is called once if the holder's
	// lease is lost before release (renewals failed or found it taken):
	// the holder must stop the work it guards.
	// SQLite: a database file is one server's, whose job service already
	// runs one cycle per job at a time, so the lock is always granted.
	LockJob(ctx context.Context, jobID string, lost func()) (release func(), ok bool, err error)
	// BumpLinkGeneration adds one to the job's link generation and returns
	// the new value (the first call returns 1). Every holder of the job's
	// lock that may write links calls it once after taking the lock, and
	// every other writer of links (RetryEscrows) after its write: a server
	// that keeps the job's links in memory holds them current only while
	// each of its bumps returns the one before plus one.
	BumpLinkGeneration(ctx context.Context, jobID string) (int64, error)

	// AppendLogs appends entries to the job's provisioning log, in order,
	// each stored whole (as JSON) with the columns LogQuery filters by.
	AppendLogs(ctx context.Context, jobID string, entries []record.LogEntry) error
	// Logs returns the entries q selects, newest first, each with its
	// sequence number (increasing in append order).
	Logs(ctx context.Context, jobID string, q LogQuery) ([]record.LogRecord, error)
	// PruneLogs keeps the newest keep entries of the job and deletes the
	// rest, returning how many it deleted.
	PruneLogs(ctx context.Context, jobID string, keep int) (int64, error)
	// PruneLogsBefore deletes the log entries of every job whose Time is
	// before t, returning how many it deleted (retention by age).
	PruneLogsBefore(ctx context.Context, t time.Time) (int64, error)

	// PutCycle inserts or replaces a cycle record.
	PutCycle(ctx context.Context, c Cycle) error
	// Cycles returns up to limit of the job's cycles, newest first
	// (limit <= 0: 20).
	Cycles(ctx context.Context, jobID string, limit int) ([]Cycle, error)

	// JobGuardStore keeps deletion thresholds and quarantines.
	JobGuardStore
}
