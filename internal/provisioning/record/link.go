package record

import "time"

// ObjectType is the type of object a job provisions.
type ObjectType string

// Object types, named as Entra's mapping editor names them.
const (
	TypeUser  ObjectType = "User"
	TypeGroup ObjectType = "Group"
)

// LinkState is where a link stands (Entra's object connection plus its
// escrow).
type LinkState string

// Link states.
const (
	// LinkPendingCreate is written before a create is sent: after a crash
	// the object is matched on the target again instead of being created
	// twice.
	LinkPendingCreate LinkState = "pending-create"
	LinkActive        LinkState = "active"   // provisioned and enabled
	LinkDisabled      LinkState = "disabled" // provisioned with active=false
)

// Link ties a source object to its target object: Entra "detects and
// caches the target system's ID" after create or match and uses it for
// all future operations.
type Link struct {
	Type     ObjectType `json:"type"`
	SourceID string     `json:"sourceId"`
	TargetID string     `json:"targetId,omitempty"` // empty while pending create
	State    LinkState  `json:"state"`
	// Hash is the hash of Written; equal to the freshly mapped values'
	// hash, the object costs no request.
	Hash string `json:"hash,omitempty"`
	// Written holds the target values last written (mapped values applied
	// always, by target path): the "old" side of the next update's diff.
	Written map[string]any `json:"written,omitempty"`
	// Unresolved: a reference (manager, member) was left out because its
	// object had no target id yet; the next cycle evaluates the object.
	Unresolved bool `json:"unresolved,omitempty"`
	// Attempts counts consecutive failures; NextRetry is the earliest
	// time the object is tried again; LastError is the latest failure.
	// A link with Attempts > 0 is an escrow (Entra's word): FailedAction
	// is the action that failed and SourceName the object's name
	// (userPrincipalName or displayName) when it failed.
	Attempts     int        `json:"attempts,omitempty"`
	NextRetry    time.Time  `json:"nextRetry,omitzero"`
	LastError    string     `json:"lastError,omitempty"`
	FailedAction ActionKind `json:"failedAction,omitempty"`
	SourceName   string     `json:"sourceName,omitempty"`
	Updated      time.Time  `json:"updated"`
}

// Failed reports whether the link carries a failure awaiting retry.
func (l *Link) Failed() bool { return l.Attempts > 0 }

// ClearFailure forgets the link's failures: the object succeeded.
func (l *Link) ClearFailure() {
	l.Attempts, l.NextRetry, l.LastError, l.FailedAction, l.SourceName = 0, time.Time{}, "", "", ""
}

// NeedsAttention reports links an incremental cycle evaluates even when
// their object did not change.
func (l *Link) NeedsAttention() bool {
	return l.State == LinkPendingCreate || l.Unresolved || l.Failed()
}

// Key names one link of a job.
type Key struct {
	Type     ObjectType
	SourceID string
}

// Key returns the link's key.
func (l *Link) Key() Key { return Key{l.Type, l.SourceID} }
