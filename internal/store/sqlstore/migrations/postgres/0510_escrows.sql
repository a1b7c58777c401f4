-- Issue 11: escrows. A link with failures (attempts > 0) records the action
-- that failed and the object's name when it failed, for `job escrows`; an
-- index finds a job's escrows without scanning its links.
ALTER TABLE provisioning_links ADD COLUMN failed_action TEXT NOT NULL DEFAULT '';
ALTER TABLE provisioning_links ADD COLUMN source_name TEXT NOT NULL DEFAULT '';
CREATE INDEX provisioning_links_escrows ON provisioning_links(job_id, next_retry) WHERE attempts > 0;
