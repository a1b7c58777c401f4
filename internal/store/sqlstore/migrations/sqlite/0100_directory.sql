-- The identity-side directory (internal/directory): users, groups, members,
-- apps, assignments and the directory change feed (SQLite).
-- Times are Unix milliseconds (UTC); ids are UUIDs.
CREATE TABLE dir_users (
    object_id         TEXT PRIMARY KEY,
    upn               TEXT NOT NULL,
    upn_lower         TEXT NOT NULL UNIQUE,  -- lower(upn): unique case-insensitively
    mail              TEXT NOT NULL DEFAULT '',
    mail_nickname     TEXT NOT NULL DEFAULT '',
    display_name      TEXT NOT NULL DEFAULT '',
    given_name        TEXT NOT NULL DEFAULT '',
    surname           TEXT NOT NULL DEFAULT '',
    job_title         TEXT NOT NULL DEFAULT '',
    department        TEXT NOT NULL DEFAULT '',
    employee_id       TEXT NOT NULL DEFAULT '',
    mobile            TEXT NOT NULL DEFAULT '',
    telephone_number  TEXT NOT NULL DEFAULT '',
    street_address    TEXT NOT NULL DEFAULT '',
    postal_code       TEXT NOT NULL DEFAULT '',
    manager           TEXT,                  -- ObjectID of the manager
    account_enabled   INTEGER NOT NULL,
    extensions        TEXT,                  -- JSON object of extension attributes
    deleted_at        INTEGER,               -- set while soft-deleted
    created           INTEGER NOT NULL,
    modified          INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX dir_users_manager ON dir_users(manager);
-- The recycle bin, for retention purges; partial, so listing active users
-- walks the upn_lower index instead.
CREATE INDEX dir_users_deleted ON dir_users(deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE dir_groups (
    object_id     TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    name_lower    TEXT NOT NULL UNIQUE,      -- lower(display_name)
    description   TEXT NOT NULL DEFAULT '',
    mail          TEXT NOT NULL DEFAULT '',
    mail_nickname TEXT NOT NULL DEFAULT '',
    extensions    TEXT,
    deleted_at    INTEGER,
    created       INTEGER NOT NULL,
    modified      INTEGER NOT NULL
) WITHOUT ROWID;

-- Direct members; member_kind is 'user' or 'group' (groups nest).
CREATE TABLE dir_members (
    group_id    TEXT NOT NULL REFERENCES dir_groups(object_id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL,
    member_kind TEXT NOT NULL,
    PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID;
CREATE INDEX dir_members_member ON dir_members(member_id);

CREATE TABLE dir_apps (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_lower TEXT NOT NULL UNIQUE,
    created    INTEGER NOT NULL
) WITHOUT ROWID;

-- At most one assignment per (app, principal); app_role_id '' is none.
CREATE TABLE dir_assignments (
    app_id         TEXT NOT NULL REFERENCES dir_apps(id) ON DELETE CASCADE,
    principal_id   TEXT NOT NULL,
    principal_kind TEXT NOT NULL,
    app_role_id    TEXT NOT NULL DEFAULT '',
    created        INTEGER NOT NULL,
    PRIMARY KEY (app_id, principal_id)
) WITHOUT ROWID;
CREATE INDEX dir_assignments_principal ON dir_assignments(principal_id);

-- The directory change feed: one row per change, appended in the write's
-- transaction; seq order is commit order (one writer).
CREATE TABLE dir_changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    time      INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    object_id TEXT NOT NULL,
    op        TEXT NOT NULL,
    app_id    TEXT NOT NULL DEFAULT ''
);
