-- Issue 11: what guards a provisioning job (store.JobGuard): its deletion
-- threshold (NULL: the job service's default), the one-shot permission to
-- send the staged disables and deletes, and its quarantine (JSON, NULL
-- when not quarantined).
CREATE TABLE provisioning_job_guards (
    job_id                     TEXT PRIMARY KEY REFERENCES provisioning_jobs(id) ON DELETE CASCADE,
    deletion_threshold         INTEGER,
    deletion_threshold_percent INTEGER,
    allow_deletes              INTEGER NOT NULL DEFAULT 0,
    quarantine                 TEXT
) WITHOUT ROWID;
