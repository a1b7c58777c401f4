-- Issue 15: send creates and updates in SCIM Bulk requests (RFC 7644
-- §3.7) when the application advertises bulk.supported; false: off.
ALTER TABLE provisioning_jobs ADD COLUMN bulk BOOLEAN NOT NULL DEFAULT FALSE;
