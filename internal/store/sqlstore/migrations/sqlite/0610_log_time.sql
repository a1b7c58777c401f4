-- Issue 12: provisioning logs filtered by time range and change id, and
-- kept by age (entries older than the retention are deleted hourly, of
-- every job at once).
CREATE INDEX provisioning_logs_time ON provisioning_logs(time);
CREATE INDEX provisioning_logs_job_time ON provisioning_logs(job_id, time);
CREATE INDEX provisioning_logs_change ON provisioning_logs(job_id, change_id);
