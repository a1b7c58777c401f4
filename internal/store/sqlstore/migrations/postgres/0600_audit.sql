-- Issue 12: the audit log of administrative changes (store.AuditEntry).
-- time is Unix milliseconds; before_json and after_json are the job's
-- settings and mappings around the change, NULL when not recorded.
CREATE TABLE audit_log (
    seq         BIGSERIAL PRIMARY KEY,
    time        BIGINT NOT NULL,
    actor       TEXT NOT NULL, -- the admin token's name
    actor_id    TEXT NOT NULL, -- the admin token's id
    method      TEXT NOT NULL,
    route       TEXT NOT NULL,
    path        TEXT NOT NULL,
    object      TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    status      INTEGER NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_log_time ON audit_log(time);
