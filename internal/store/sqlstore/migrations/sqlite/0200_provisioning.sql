-- Provisioning jobs (one per application), their links, watermark,
-- provisioning log and cycles (SQLite). Times are Unix milliseconds (UTC).
CREATE TABLE provisioning_jobs (
    id            TEXT PRIMARY KEY,
    app_id        TEXT NOT NULL UNIQUE,
    tenant_url    TEXT NOT NULL,
    secret        BLOB,    -- AES-256-GCM ciphertext (internal/secretbox)
    enabled       INTEGER NOT NULL,
    scope         TEXT NOT NULL,
    interval_ms   INTEGER NOT NULL,
    notify_email  TEXT NOT NULL,
    mappings      TEXT NOT NULL,
    state         TEXT NOT NULL,
    last_cycle    TEXT,
    watermark     INTEGER, -- NULL: no completed cycle (or restarted)
    created       INTEGER NOT NULL,
    updated       INTEGER NOT NULL
);

CREATE TABLE provisioning_links (
    job_id      TEXT NOT NULL REFERENCES provisioning_jobs(id) ON DELETE CASCADE,
    type        TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    state       TEXT NOT NULL,
    hash        TEXT NOT NULL,
    written     TEXT,    -- JSON
    unresolved  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL,
    next_retry  INTEGER, -- NULL: none
    last_error  TEXT NOT NULL,
    updated     INTEGER NOT NULL,
    PRIMARY KEY (job_id, type, source_id)
) WITHOUT ROWID;

CREATE TABLE provisioning_logs (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      TEXT NOT NULL REFERENCES provisioning_jobs(id) ON DELETE CASCADE,
    time        INTEGER NOT NULL,
    cycle_id    TEXT NOT NULL,
    change_id   TEXT NOT NULL,
    object_type TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    source_name TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    status      TEXT NOT NULL,
    error_code  TEXT NOT NULL,
    entry       TEXT NOT NULL -- the whole entry as JSON
);
CREATE INDEX provisioning_logs_job ON provisioning_logs(job_id, seq);
CREATE INDEX provisioning_logs_cycle ON provisioning_logs(job_id, cycle_id, seq);
CREATE INDEX provisioning_logs_source ON provisioning_logs(job_id, source_id, seq);
CREATE INDEX provisioning_logs_status ON provisioning_logs(job_id, status, seq);

CREATE TABLE provisioning_cycles (
    id        TEXT PRIMARY KEY,
    job_id    TEXT NOT NULL REFERENCES provisioning_jobs(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    started   INTEGER NOT NULL,
    finished  INTEGER NOT NULL,
    stats     TEXT NOT NULL,
    error     TEXT NOT NULL
);
CREATE INDEX provisioning_cycles_job ON provisioning_cycles(job_id, started);
