-- Issue 11: a job's rate limit (requests per second to the application,
-- 0: unlimited) and its cap on requests in flight (0: the default).
ALTER TABLE provisioning_jobs ADD COLUMN rate_limit REAL NOT NULL DEFAULT 0;
ALTER TABLE provisioning_jobs ADD COLUMN max_concurrency INTEGER NOT NULL DEFAULT 0;
