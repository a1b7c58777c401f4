package apitypes

import (
	"encoding/json"
	"time"

	"github.com/provisio-dev/provisio/scim"
)

// Job is a provisioning job's settings; the Secret Token is never shown,
// only whether one is set. Interval is a Go duration ("40m0s"); Mappings
// are the attribute mappings per object type (users, groups) as the job
// service stores them.
type Job struct {
	ID                string          `json:"id"`
	AppID             string          `json:"appId"`
	TenantURL         string          `json:"tenantUrl"`
	TokenSet          bool            `json:"tokenSet"`
	Enabled           bool            `json:"enabled"`
	Scope             string          `json:"scope"`
	NotificationEmail string          `json:"notificationEmail,omitempty"`
	Mappings          json.RawMessage `json:"mappings"`
	// SkipOutOfScopeDeletions: objects that leave scope are left as they
	// are in the application (Entra's SkipOutOfScopeDeletions).
	SkipOutOfScopeDeletions bool `json:"skipOutOfScopeDeletions"`
	// TargetSchema is what the job knows of the application's schema and
	// the default mappings it left out.
	TargetSchema *TargetSchema `json:"targetSchema,omitempty"`
	// Warnings are problems of the settings that do not stop the job,
	// such as a Secret Token sent in clear.
	Warnings []string `json:"warnings,omitempty"`
	// WebhookURL is where the job's events are posted; the secret is
	// write-only: WebhookSecretSet says whether there is one.
	WebhookURL       string    `json:"webhookUrl,omitempty"`
	WebhookSecretSet bool      `json:"webhookSecretSet"`
	Created          time.Time `json:"created"`
	Updated          time.Time `json:"updated"`
	Interval         string    `json:"interval"`
	// DeletionThreshold and DeletionThresholdPercent: more disables and
	// deletes in one cycle, or more than that percentage of the objects
	// the job manages, are staged; 0 is off.
	DeletionThreshold        int `json:"deletionThreshold"`
	DeletionThresholdPercent int `json:"deletionThresholdPercent"`
	// RateLimit is the most requests per second sent to the application
	// (0: unlimited); MaxConcurrency the ceiling of the requests in
	// flight, below which the engine finds the cap itself (0: the
	// default, 256).
	RateLimit      float64 `json:"rateLimit"`
	MaxConcurrency int     `json:"maxConcurrency"`
	// Auth is how the job authenticates (credentials.go).
	Auth JobAuth `json:"auth"`
	// ReconcileEvery is how often the scheduler reconciles the started
	// job's application, a Go duration ("24h0m0s"); absent: never.
	ReconcileEvery string `json:"reconcileEvery,omitempty"`
	// Bulk: creates and updates go in SCIM Bulk requests (RFC 7644 §3.7)
	// when the application advertises bulk.supported.
	Bulk bool `json:"bulk"`
}

// JobList is the answer of GET /jobs.
type JobList struct {
	Jobs []Job `json:"jobs"`
}

// ConfigureJob is the body of PUT /apps/{app}/job: absent fields keep
// their value (or take the default for a new job). Token is write-only;
// Interval is a Go duration ("40m", "30s").
type ConfigureJob struct {
	TenantURL         string          `json:"tenantUrl,omitempty"`
	Token             string          `json:"token,omitempty"`
	Scope             string          `json:"scope,omitempty"`
	Interval          string          `json:"interval,omitempty"`
	NotificationEmail *string         `json:"notificationEmail,omitempty"`
	Mappings          json.RawMessage `json:"mappings,omitempty"`
	// SkipOutOfScopeDeletions: absent keeps.
	SkipOutOfScopeDeletions *bool `json:"skipOutOfScopeDeletions,omitempty"`
	// WebhookURL: absent keeps, "" removes the webhook; WebhookSecret is
	// write-only (absent keeps).
	WebhookURL    *string `json:"webhookUrl,omitempty"`
	WebhookSecret string  `json:"webhookSecret,omitempty"`
	// DeletionThreshold, DeletionThresholdPercent: absent keeps; 0 is off.
	DeletionThreshold        *int `json:"deletionThreshold,omitempty"`
	DeletionThresholdPercent *int `json:"deletionThresholdPercent,omitempty"`
	// RateLimit and MaxConcurrency: absent keeps; 0 is unlimited and the
	// default.
	RateLimit      *float64 `json:"rateLimit,omitempty"`
	MaxConcurrency *int     `json:"maxConcurrency,omitempty"`
	// OAuth: client credentials instead of a token (credentials.go).
	OAuth *ConfigureOAuth `json:"oauth,omitempty"`
	// ReconcileEvery: a Go duration ("24h"); absent keeps, "0" turns the
	// scheduled reconciliation off.
	ReconcileEvery *string `json:"reconcileEvery,omitempty"`
	// Bulk: absent keeps; default false.
	Bulk *bool `json:"bulk,omitempty"`
}

// Stats counts what a cycle did, or a running cycle has done so far.
type Stats struct {
	Created  int64 `json:"created"`
	Updated  int64 `json:"updated"`
	Disabled int64 `json:"disabled"`
	Deleted  int64 `json:"deleted"`
	Skipped  int64 `json:"skipped"`
	// Matched: objects linked to an existing target object found by
	// their matching attributes (not counted as skipped or created).
	Matched   int64 `json:"matched"`
	Unchanged int64 `json:"unchanged"`
	Failed    int64 `json:"failed"`
	Requests  int64 `json:"requests"`         // requests sent to the target
	Staged    int64 `json:"staged,omitempty"` // disables and deletes staged, not sent
}

// Cycle is the record of one completed (or interrupted) cycle; Error says
// why it ended early.
type Cycle struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"` // initial, incremental or on-demand
	Started   time.Time `json:"started"`
	Finished  time.Time `json:"finished"`
	Stats     Stats     `json:"stats"`
	Watermark int64     `json:"watermark"`
	Error     string    `json:"error,omitempty"`
}

// CycleList is the answer of GET /apps/{app}/job/runs, newest first.
type CycleList struct {
	Runs []Cycle `json:"runs"`
}

// JobStatus is a job's state: the running cycle's progress, when the next
// one starts, the links it manages and its last cycle.
type JobStatus struct {
	AppID     string     `json:"appId"`
	JobID     string     `json:"jobId"`
	State     string     `json:"state"` // stopped, idle, queued or running
	Enabled   bool       `json:"enabled"`
	CycleKind string     `json:"cycleKind"` // of the running cycle, or else of the next
	Progress  *Progress  `json:"progress,omitempty"`
	NextRun   time.Time  `json:"nextRun,omitzero"`
	Links     LinkCounts `json:"links"`
	LastCycle *Cycle     `json:"lastCycle,omitempty"`
	// Quarantine is the job's quarantine; null when not quarantined.
	Quarantine *Quarantine `json:"quarantine"`
	// Throttle is the job's rate limit and concurrency as they adapted;
	// absent before its first request since the server started.
	Throttle *Throttle `json:"throttle,omitempty"`
	// Warnings are the credentials' (expiring, refused after they had
	// worked): what to fix before the job fails.
	Warnings []string `json:"warnings,omitempty"`
}

// Progress is a running cycle's progress: the objects acted on so far.
// Counts' Unchanged and Requests are known only at the end.
type Progress struct {
	CycleID   string    `json:"cycleId,omitempty"`
	Kind      string    `json:"kind"`
	Started   time.Time `json:"started"`
	Processed int64     `json:"processed"`
	Counts    Stats     `json:"counts"`
	// Total is the objects the stages begun so far will consider (users,
	// then groups join it); absent until known. Considered counts those
	// planned and applied (unchanged ones included): Considered/Total is
	// the fraction done.
	Total      int64 `json:"total,omitempty"`
	Considered int64 `json:"considered,omitempty"`
}

// LinkCounts counts a job's links: the objects it manages.
type LinkCounts struct {
	Users    int `json:"users"`
	Groups   int `json:"groups"`
	Disabled int `json:"disabled"` // provisioned with active=false
	Pending  int `json:"pending"`  // a create was sent or is due; not confirmed
	Failed   int `json:"failed"`   // awaiting a retry
}

// TestResult is the outcome of Test Connection: a failing target is an
// answer (ok false, with the reason), not an error of the API.
type TestResult struct {
	OK      bool   `json:"ok"`
	Reason  string `json:"reason,omitempty"` // unreachable, tls, credentials, ...
	Message string `json:"message"`
	// TargetSchema is what the job knows of the application's schema,
	// read again by a successful test.
	TargetSchema *TargetSchema `json:"targetSchema,omitempty"`
}

// LogEntry is one provisioning log entry: what a cycle did to one object.
type LogEntry struct {
	Seq        int64              `json:"seq"`
	Time       time.Time          `json:"time"`
	JobID      string             `json:"jobId"`
	CycleID    string             `json:"cycleId"`
	ChangeID   string             `json:"changeId"`
	ObjectType string             `json:"objectType"`
	SourceID   string             `json:"sourceId"`
	SourceName string             `json:"sourceName,omitempty"`
	TargetID   string             `json:"targetId,omitempty"`
	Action     string             `json:"action"`
	Status     string             `json:"status"`
	Steps      []Step             `json:"steps,omitempty"`
	Modified   []ModifiedProperty `json:"modified,omitempty"`
	// Matched: linked to an account found by the matching attributes.
	Matched   bool          `json:"matched,omitempty"`
	ErrorCode string        `json:"errorCode,omitempty"`
	Reason    string        `json:"reason,omitempty"`
	Duration  time.Duration `json:"duration"` // nanoseconds
}

// Step is one step of a log entry's action.
type Step struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// ModifiedProperty is one target attribute an action changes.
type ModifiedProperty struct {
	Name string `json:"name"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
}

// LogPage is a page of log entries, newest first; Next, when set, is the
// before of the next (older) page.
type LogPage struct {
	Entries []LogEntry `json:"entries"`
	Next    string     `json:"next,omitempty"`
}

// Plan is what the next cycle would do.
type Plan struct {
	CycleID   string          `json:"cycleId"`
	Kind      string          `json:"kind"`
	From      int64           `json:"from"`
	To        int64           `json:"to"`
	Counts    map[string]int  `json:"counts"` // by action
	Unchanged int             `json:"unchanged"`
	Actions   []PlannedAction `json:"actions"`
}

// PlannedAction is one planned action: a create carries the resource to
// POST, an update or disable the PATCH operations (RFC 7644 §3.5.2).
type PlannedAction struct {
	Action     string                `json:"action"`
	ObjectType string                `json:"objectType"`
	SourceID   string                `json:"sourceId"`
	SourceName string                `json:"sourceName,omitempty"`
	TargetID   string                `json:"targetId,omitempty"`
	Modified   []ModifiedProperty    `json:"modified,omitempty"`
	Reason     string                `json:"reason,omitempty"`
	Resource   scim.Resource         `json:"resource,omitempty"`
	Operations []scim.PatchOperation `json:"operations,omitempty"`
}
