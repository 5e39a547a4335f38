-- 0001: links, cursors and the run journal.
--
-- Times are RFC 3339 UTC text with whole seconds ("2006-01-02T15:04:05Z"),
-- NULL when unset: fixed width, so text order is time order, and readable
-- with the sqlite3 shell when someone has to look at a user's state.

CREATE TABLE links (
    user             TEXT    NOT NULL CHECK (user <> ''),
    source           TEXT    NOT NULL CHECK (source <> ''),
    item_id          TEXT    NOT NULL CHECK (item_id <> ''),
    key              TEXT    NOT NULL DEFAULT '',
    kind             TEXT    NOT NULL,
    activity_id      TEXT    NOT NULL CHECK (activity_id <> ''),
    base_start       TEXT,
    base_end         TEXT,
    base_due         TEXT,
    all_day          INTEGER NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1)),
    time_zone        TEXT    NOT NULL DEFAULT '',
    item_version     TEXT    NOT NULL DEFAULT '',
    activity_version TEXT    NOT NULL DEFAULT '',
    updated_at       TEXT    NOT NULL,
    PRIMARY KEY (user, source, item_id)
) WITHOUT ROWID;

-- Finding the items linked to a CRM activity (write-back, deletions).
CREATE INDEX links_by_activity ON links (user, activity_id);

CREATE TABLE cursors (
    user   TEXT NOT NULL,
    source TEXT NOT NULL,
    cursor TEXT NOT NULL,
    PRIMARY KEY (user, source)
) WITHOUT ROWID;

-- AUTOINCREMENT so a run id is never reused, even after the newest run is
-- deleted: run ids appear in logs and reports.
CREATE TABLE runs (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    user     TEXT    NOT NULL,
    started  TEXT    NOT NULL,
    finished TEXT,
    dry_run  INTEGER NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1)),
    status   TEXT    NOT NULL DEFAULT 'running',
    counts   TEXT    NOT NULL DEFAULT '{}',
    error    TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX runs_by_user ON runs (user, id);

CREATE TABLE run_items (
    run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    action_id TEXT    NOT NULL DEFAULT '',
    source    TEXT    NOT NULL DEFAULT '',
    item_id   TEXT    NOT NULL DEFAULT '',
    kind      TEXT    NOT NULL DEFAULT '',
    outcome   TEXT    NOT NULL DEFAULT '',
    error     TEXT    NOT NULL DEFAULT '',
    at        TEXT,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
