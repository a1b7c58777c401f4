-- Issue 13: a SCIM tenant's single sign-on settings at its OpenID provider,
-- used by the app portal (internal/portal). client_secret is sealed with
-- internal/secretbox and never returned by the admin API.
CREATE TABLE tenant_sso (
    tenant_id     TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    issuer        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    client_secret BYTEA NOT NULL,
    updated       BIGINT NOT NULL
);
