-- Issue 13: post-logout redirect URIs of an OIDC client (JSON array,
-- matched exactly; OpenID Connect RP-Initiated Logout 1.0 §3) and the
-- administrator role of directory users (a row per administrator; it goes
-- with the user).
ALTER TABLE oidc_clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';
CREATE TABLE dir_admins (
    object_id TEXT PRIMARY KEY REFERENCES dir_users(object_id) ON DELETE CASCADE,
    granted   INTEGER NOT NULL
) WITHOUT ROWID;
