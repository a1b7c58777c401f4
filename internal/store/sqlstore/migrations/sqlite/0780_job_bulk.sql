-- Issue 15: send creates and updates in SCIM Bulk requests (RFC 7644
-- §3.7) when the application advertises bulk.supported; 0: off.
ALTER TABLE provisioning_jobs ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;
