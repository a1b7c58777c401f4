package record

import "time"

// ActionKind is what a plan does to one object (Entra's provisioning
// action: Create, Update, Disable, Delete, Other).
type ActionKind string

// Action kinds.
const (
	ActionCreate  ActionKind = "create"
	ActionUpdate  ActionKind = "update"
	ActionDisable ActionKind = "disable"
	ActionDelete  ActionKind = "delete"
	ActionSkip    ActionKind = "skip"
)

// Status is the outcome of one logged action (Entra: Success, Failure,
// Skipped, Warning).
type Status string

// Statuses.
const (
	StatusSuccess Status = "success"
	StatusFailure Status = "failure"
	StatusSkipped Status = "skipped"
	StatusWarning Status = "warning"
	// StatusStaged: a disable or delete held back by the deletion
	// threshold, not sent (Entra's StagedDelete).
	StatusStaged Status = "staged"
)

// Step names, after Entra's provisioning steps.
const (
	StepImport = "import"
	StepScope  = "scope"
	StepMatch  = "match"
	StepAction = "action"
)

// Step is one stage of processing an object.
type Step struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// LogEntry is one provisioning log entry: one object action in one cycle
// (Entra's provisioningObjectSummary).
type LogEntry struct {
	Time       time.Time          `json:"time"`
	JobID      string             `json:"jobId"`
	CycleID    string             `json:"cycleId"`
	ChangeID   string             `json:"changeId"` // unique per object action per cycle
	ObjectType ObjectType         `json:"objectType"`
	SourceID   string             `json:"sourceId"`
	SourceName string             `json:"sourceName,omitempty"` // userPrincipalName or displayName
	TargetID   string             `json:"targetId,omitempty"`
	Action     ActionKind         `json:"action"`
	Status     Status             `json:"status"`
	Steps      []Step             `json:"steps,omitempty"`
	Modified   []ModifiedProperty `json:"modified,omitempty"`
	// Matched: the object was linked to an existing target object found
	// by its matching attributes (counted as matched, not skipped).
	Matched   bool          `json:"matched,omitempty"`
	ErrorCode string        `json:"errorCode,omitempty"`
	Reason    string        `json:"reason,omitempty"`
	Duration  time.Duration `json:"duration"`
}

// ModifiedProperty is one attribute an action changed (Entra's "Modified
// Properties": old → new).
type ModifiedProperty struct {
	Name string `json:"name"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
}

// LogRecord is a stored log entry with its sequence number (for paging).
type LogRecord struct {
	Seq int64
	LogEntry
}
