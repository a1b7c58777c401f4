-- Issue 13: per-application "assignment required" of an OIDC client (on by
-- default): when off, any enabled, non-deleted directory user may sign in.
ALTER TABLE oidc_clients ADD COLUMN assignment_required BOOLEAN NOT NULL DEFAULT TRUE;
