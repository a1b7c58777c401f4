package apitypes

import "time"

// Escrow is one object whose action failed and is retried by a later
// cycle (Entra's escrow).
type Escrow struct {
	ObjectType string    `json:"objectType"` // User or Group
	SourceID   string    `json:"sourceId"`
	SourceName string    `json:"sourceName,omitempty"` // userPrincipalName or displayName
	TargetID   string    `json:"targetId,omitempty"`   // empty when a create failed
	Action     string    `json:"action"`               // create, update, disable, delete, skip; "" if unknown
	Attempts   int       `json:"attempts"`             // consecutive failures
	LastError  string    `json:"lastError"`
	NextRetry  time.Time `json:"nextRetry,omitzero"`
	Updated    time.Time `json:"updated"`
}

// EscrowList is a job's escrows, the next due first.
type EscrowList struct {
	Escrows []Escrow `json:"escrows"`
}

// RetryEscrows asks for escrows to be retried now: all of them, or the
// one of Object (a source id, name or target id).
type RetryEscrows struct {
	Object string `json:"object,omitempty"`
}

// EscrowRetry says what a retry did: how many escrows were made due, and
// whether a cycle was started (false: one was running; the next retries
// them).
type EscrowRetry struct {
	Due     int  `json:"due"`
	Started bool `json:"started"`
}
