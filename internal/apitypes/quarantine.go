package apitypes

import "time"

// Quarantine is a quarantined job's state (Entra's synchronizationQuarantine):
// why, since when, and when the next cycle is tried; null in a job's
// status when it is not quarantined.
type Quarantine struct {
	// Reason: "credentials refused", "too many failures" or "too many
	// deletions".
	Reason      string    `json:"reason"`
	Detail      string    `json:"detail,omitempty"` // what the last cycle saw
	Since       time.Time `json:"since"`
	NextAttempt time.Time `json:"nextAttempt"`
	Cycles      int       `json:"cycles"`           // quarantined cycles in a row
	Staged      int       `json:"staged,omitempty"` // disables and deletes the last cycle staged
}

// StagedAction is a disable or delete the deletion threshold staged: not
// sent.
type StagedAction struct {
	Time       time.Time `json:"time"`
	CycleID    string    `json:"cycleId"`
	ObjectType string    `json:"objectType"`
	SourceID   string    `json:"sourceId"`
	SourceName string    `json:"sourceName,omitempty"`
	TargetID   string    `json:"targetId,omitempty"`
	Action     string    `json:"action"` // disable or delete
	Reason     string    `json:"reason,omitempty"`
}

// StagedList is the answer of GET /apps/{app}/job/staged: the actions the
// last cycle staged, whether the next cycle may send them (allow-deletes),
// and the job's quarantine.
type StagedList struct {
	Staged     []StagedAction `json:"staged"`
	Allowed    bool           `json:"allowed"`
	Quarantine *Quarantine    `json:"quarantine"`
}
