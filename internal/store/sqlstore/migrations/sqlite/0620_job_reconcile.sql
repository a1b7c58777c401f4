-- Issue 12: how often the scheduler reconciles a job's application (drift,
-- orphans, gone accounts; internal/provisioning Engine.Reconcile), in
-- milliseconds; 0: never (job reconcile runs it by hand).
ALTER TABLE provisioning_jobs ADD COLUMN reconcile_every_ms INTEGER NOT NULL DEFAULT 0;
