-- Issue 13: directory users' passwords (argon2id PHC strings) and their
-- one-time invite links (SHA-256 of the token, hex); both go with the user.
CREATE TABLE dir_passwords (
    object_id  TEXT PRIMARY KEY REFERENCES dir_users(object_id) ON DELETE CASCADE,
    hash       TEXT NOT NULL,
    modified   INTEGER NOT NULL
);
CREATE TABLE dir_invites (
    token_hash TEXT PRIMARY KEY,
    object_id  TEXT NOT NULL REFERENCES dir_users(object_id) ON DELETE CASCADE,
    expires    INTEGER NOT NULL,
    created    INTEGER NOT NULL
);
CREATE INDEX dir_invites_user ON dir_invites(object_id);
CREATE INDEX dir_invites_expires ON dir_invites(expires);
