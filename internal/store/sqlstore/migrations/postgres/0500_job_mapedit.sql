-- Issue 10: a job's SkipOutOfScopeDeletions setting (Entra's), and what it
-- discovered of the application's /Schemas and /ResourceTypes (JSON, NULL
-- before the first discovery).
ALTER TABLE provisioning_jobs ADD COLUMN skip_out_of_scope_deletions BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE provisioning_jobs ADD COLUMN target_schema TEXT;
