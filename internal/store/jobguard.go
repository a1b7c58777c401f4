package store

import "context"

// JobGuard is what guards a provisioning job against accidents, kept
// beside its settings (issue 11): its deletion threshold (Entra's
// "Prevent accidental deletions"), the one-shot permission to send the
// disables and deletes the threshold staged, and its quarantine.
type JobGuard struct {
	JobID string
	// DeletionThreshold and DeletionThresholdPercent are nil until set:
	// the job service's defaults apply.
	DeletionThreshold        *int
	DeletionThresholdPercent *int
	// AllowDeletes lets the next cycle send what the threshold staged.
	AllowDeletes bool
	// Quarantine is the job's quarantine as JSON (opaque here); nil when
	// the job is not quarantined.
	Quarantine []byte
}

// JobGuardStore keeps jobs' guards. A job without a stored guard has the
// zero JobGuard; each setter changes its own fields only. Every method
// naming a job returns ErrNotFound for an unknown job; the guard goes
// with its job (DeleteJob).
type JobGuardStore interface {
	JobGuard(ctx context.Context, jobID string) (JobGuard, error)
	// JobGuards returns the stored guards of every job.
	JobGuards(ctx context.Context) ([]JobGuard, error)
	SetDeletionThreshold(ctx context.Context, jobID string, count, percent *int) error
	SetAllowDeletes(ctx context.Context, jobID string, allow bool) error
	// SetQuarantine records the job's quarantine; nil clears it.
	SetQuarantine(ctx context.Context, jobID string, q []byte) error
}
