-- Issue 11: a job's OAuth 2.0 client credentials (JSON: token URL, client
-- id, scopes and the client secret sealed like the Secret Token; NULL for a
-- job with a Secret Token), and what it knows of its credentials' health
-- (JSON: worked, the Secret Token's JWT expiry, warnings raised; NULL
-- before anything is known).
ALTER TABLE provisioning_jobs ADD COLUMN oauth TEXT;
ALTER TABLE provisioning_jobs ADD COLUMN credential_state TEXT;
