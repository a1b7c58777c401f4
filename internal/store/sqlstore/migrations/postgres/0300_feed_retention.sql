-- Retention of the directory change feed: changes older than the retention
-- are deleted; dir_changes_pruned remembers the highest seq deleted, so a
-- provisioning job whose watermark is below it knows it missed changes and
-- runs an initial cycle instead.
CREATE INDEX dir_changes_time ON dir_changes(time);

CREATE TABLE dir_changes_pruned (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    through BIGINT NOT NULL
);
