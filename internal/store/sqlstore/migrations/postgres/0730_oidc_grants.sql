-- Issue 13: the OpenID provider's authorization requests, codes and tokens,
-- shared by every node behind a load balancer. Codes and tokens are kept
-- only as hex SHA-256 hashes, never in the clear. data is the provider's
-- own record (JSON), opaque to the store. Times in Unix milliseconds.
CREATE TABLE oidc_auth_requests (
    id        TEXT PRIMARY KEY,
    data      BYTEA NOT NULL,
    code_hash TEXT UNIQUE,
    exchanged BOOLEAN NOT NULL DEFAULT FALSE,
    expires   BIGINT NOT NULL
);
CREATE INDEX oidc_auth_requests_expires ON oidc_auth_requests (expires);
CREATE TABLE oidc_tokens (
    hash      TEXT PRIMARY KEY,
    kind      TEXT NOT NULL, -- 'access' or 'refresh'
    grant_id  TEXT NOT NULL, -- the authorization request the family comes from
    client_id TEXT NOT NULL,
    subject   TEXT NOT NULL,
    data      BYTEA NOT NULL,
    created   BIGINT NOT NULL,
    expires   BIGINT NOT NULL,
    used      BIGINT, -- a refresh token exchanged for a new one (rotation)
    revoked   BIGINT
);
CREATE INDEX oidc_tokens_grant ON oidc_tokens (grant_id);
CREATE INDEX oidc_tokens_subject ON oidc_tokens (subject, client_id);
CREATE INDEX oidc_tokens_expires ON oidc_tokens (expires);
