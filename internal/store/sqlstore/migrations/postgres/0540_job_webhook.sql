-- Issue 11: a job's webhook, posted every job event (internal/notify): its
-- URL ('' for none) and the HMAC key of its signature, encrypted
-- (internal/secretbox) as the Secret Token is.
ALTER TABLE provisioning_jobs ADD COLUMN webhook_url TEXT NOT NULL DEFAULT '';
ALTER TABLE provisioning_jobs ADD COLUMN webhook_secret BYTEA;
