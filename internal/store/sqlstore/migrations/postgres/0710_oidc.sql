-- Issue 13: the OpenID provider's signing keys (private key sealed with
-- internal/secretbox; published until retired; times in Unix
-- milliseconds) and the OIDC client of a directory application.
CREATE TABLE oidc_keys (
    id      TEXT PRIMARY KEY,
    private BYTEA NOT NULL,
    created BIGINT NOT NULL,
    retired BIGINT
);
CREATE TABLE oidc_clients (
    app_id        TEXT PRIMARY KEY REFERENCES dir_apps(id) ON DELETE CASCADE,
    client_id     TEXT NOT NULL UNIQUE,
    secret_hash   TEXT NOT NULL, -- hex SHA-256; '' for a public client
    redirect_uris TEXT NOT NULL, -- JSON array, matched exactly
    public        BOOLEAN NOT NULL,
    updated       BIGINT NOT NULL
);
