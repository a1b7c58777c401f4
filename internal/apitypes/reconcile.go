package apitypes

// ReconcileRequest asks for a reconciliation of a job's application
// (POST /api/v1/apps/{app}/job/reconcile).
type ReconcileRequest struct {
	// Repair puts drifted values and memberships back and drops the links
	// of gone accounts; orphans are only reported.
	Repair bool `json:"repair"`
}

// Reconciliation is what a reconciliation found (and repaired).
type Reconciliation struct {
	CycleID  string `json:"cycleId"`
	Repair   bool   `json:"repair"`
	Accounts int    `json:"accounts"`
	Linked   int    `json:"linked"`
	// Unchecked counts links that remember no written values.
	Unchecked int       `json:"unchecked"`
	Findings  []Finding `json:"findings"`
	Stats     Stats     `json:"stats"`
}

// Finding is one account that differs from what the job wrote: kind
// drift, members, orphan or gone.
type Finding struct {
	Kind       string `json:"kind"`
	Type       string `json:"type"`
	SourceID   string `json:"sourceId,omitempty"`
	TargetID   string `json:"targetId"`
	TargetName string `json:"targetName,omitempty"`
	// Modified: old is the application's value now, new what the job
	// last wrote.
	Modified []ModifiedProperty `json:"modified,omitempty"`
	Added    []string           `json:"added,omitempty"`
	Removed  []string           `json:"removed,omitempty"`
	Repaired bool               `json:"repaired"`
	Error    string             `json:"error,omitempty"`
}
