-- Tenants, tokens, SCIM resources, memberships and the change feed (SQLite).
-- Times are Unix milliseconds (UTC).
CREATE TABLE tenants (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    policy  BLOB
);

CREATE TABLE tenant_tokens (
    id        TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    hash      BLOB NOT NULL UNIQUE,
    created   INTEGER NOT NULL,
    revoked   INTEGER
);
CREATE INDEX tenant_tokens_tenant ON tenant_tokens(tenant_id, created);

CREATE TABLE admin_tokens (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    hash    BLOB NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    revoked INTEGER
);

-- One row per SCIM resource: the canonical JSON document (without id, meta
-- and members) plus the columns filters are pushed down to.
CREATE TABLE resources (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    type         TEXT NOT NULL,
    doc          TEXT NOT NULL,
    user_name    TEXT,    -- lower(userName)
    external_id  TEXT,
    display_name TEXT,    -- lower(displayName)
    group_name   TEXT,    -- lower(displayName) of groups only: unique per tenant
    active       INTEGER,
    created      INTEGER NOT NULL,
    modified     INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE INDEX resources_order ON resources(tenant_id, type, created, id);
-- Unique indexes are not partial (NULLs never collide): SQLite re-prepares
-- statements whose bound parameters it compared against a partial index's
-- WHERE clause on every execution.
CREATE UNIQUE INDEX resources_user_name ON resources(tenant_id, type, user_name);
CREATE INDEX resources_display_name ON resources(tenant_id, type, display_name);
CREATE UNIQUE INDEX resources_group_name ON resources(tenant_id, group_name);
CREATE INDEX resources_external_id ON resources(tenant_id, type, external_id);

CREATE TABLE members (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    group_id    TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    member_type TEXT NOT NULL,
    display     TEXT,    -- as the client sent it, if it did
    PRIMARY KEY (tenant_id, group_id, member_id)
) WITHOUT ROWID;
CREATE INDEX members_member ON members(tenant_id, member_id);

CREATE TABLE events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    op            TEXT NOT NULL,
    time          INTEGER NOT NULL
);
CREATE INDEX events_tenant_seq ON events(tenant_id, seq);
