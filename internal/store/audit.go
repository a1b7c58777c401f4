package store

import (
	"context"
	"time"
)

// AuditEntry is one administrative change that took effect (issue 12):
// who made it (the admin token's name), what (the request's method and
// route, the kind and id or name of the object), when, and for job
// settings and mappings the job before and after, as JSON without
// secrets. Seq orders entries; it is assigned by AppendAudit.
type AuditEntry struct {
	Seq      int64
	Time     time.Time
	Actor    string // the admin token's name
	ActorID  string // the admin token's id
	Method   string
	Route    string // the route pattern, e.g. /api/v1/apps/{app}/job
	Path     string // the request path as sent
	Object   string // tenant, user, group, app, assignment, job, mapping, scoping, token
	ObjectID string
	Status   int    // the HTTP status answered
	Before   []byte // JSON; nil when not recorded
	After    []byte // JSON; nil when not recorded
}

// DefaultAuditLimit and MaxAuditLimit bound an AuditQuery's Limit.
const (
	DefaultAuditLimit = 100
	MaxAuditLimit     = 1000
)

// AuditQuery selects audit entries, newest first: those at or after Since
// (zero: all), with Seq below Before (0: from the newest) — the paging
// cursor —, at most Limit (0: DefaultAuditLimit; capped at MaxAuditLimit).
// Until (zero: none) keeps entries strictly before it; Actor keeps those
// whose Actor or ActorID equals it, Object those whose Object (the kind)
// or ObjectID equals it, both ignoring case ("" for any).
type AuditQuery struct {
	Since  time.Time
	Until  time.Time
	Actor  string
	Object string
	Before int64
	Limit  int
}

// AuditStore keeps the audit log.
type AuditStore interface {
	// AppendAudit stores e and returns it with its Seq.
	AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error)
	// Audit returns the entries q selects, newest first.
	Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
	// PruneAudit deletes the entries older than before and reports how
	// many went.
	PruneAudit(ctx context.Context, before time.Time) (int64, error)
}
