package apitypes

import (
	"encoding/json"
	"time"
)

// AuditEntry is one administrative change in the audit log: who (the
// admin token's name and id), what (method, route pattern, path, the kind
// of object and its id or name as the request named it, or as created),
// when, and for a provisioning job's settings, mappings and scoping the
// job before and after (secrets are never in them).
type AuditEntry struct {
	Seq      int64           `json:"seq"`
	Time     time.Time       `json:"time"`
	Actor    string          `json:"actor"`
	ActorID  string          `json:"actorId"`
	Method   string          `json:"method"`
	Route    string          `json:"route"`
	Path     string          `json:"path"`
	Object   string          `json:"object"`
	ObjectID string          `json:"objectId"`
	Status   int             `json:"status"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
}

// AuditPage is the answer of GET /audit: entries newest first.
type AuditPage struct {
	Entries []AuditEntry `json:"entries"`
	// Next, when set, is the before= of the next (older) page.
	Next string `json:"next,omitempty"`
}
