-- Retention of the tenants' change feeds (serve --event-retention): events
-- older than the retention are deleted, and events_pruned remembers per
-- tenant the highest seq deleted, so a reader whose position is below it is
-- told to resynchronize instead of silently missing changes.
CREATE INDEX events_time ON events(time);

CREATE TABLE events_pruned (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    through   BIGINT NOT NULL
);
