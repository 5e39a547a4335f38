-- 0001: the CRM tables. docs/crm-schema.md is the contract for everything
-- here; change it together with this file, and never edit a released
-- migration: add the next numbered file instead.

CREATE TABLE activities (
    id          INTEGER PRIMARY KEY,
    type        TEXT    NOT NULL CHECK (type IN ('MAILIN', 'TASK', 'APPOINTMENT', 'MEETING', 'FOLLOWUP')),
    subject     TEXT    NOT NULL DEFAULT '',
    body        TEXT    NOT NULL DEFAULT '',
    location    TEXT    NOT NULL DEFAULT '',
    start_at    TEXT,               -- RFC 3339 UTC, '2026-12-03T09:00:00Z', or NULL
    end_at      TEXT,
    due_at      TEXT,
    all_day     INTEGER NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1)),
    time_zone   TEXT    NOT NULL DEFAULT '',
    busy        TEXT    NOT NULL DEFAULT '',
    ext_key     TEXT    UNIQUE,     -- groupware identity; NULL when created in the CRM
    source      TEXT    NOT NULL DEFAULT '',
    source_item TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE activity_owners (
    activity_id INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    owner       TEXT    NOT NULL,
    PRIMARY KEY (activity_id, owner)
);
CREATE INDEX activity_owners_by_owner ON activity_owners (owner, activity_id);

CREATE TABLE contacts (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE activity_contacts (
    activity_id INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (activity_id, contact_id)
);

CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL DEFAULT '',
    type        TEXT    NOT NULL DEFAULT '',
    size        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attachments_by_activity ON attachments (activity_id);

-- Any change of the raster, by gwsync or by a person with sqlite3, is a
-- CRM-side change: it bumps the version (which UpdateTimes checks) and
-- updated_at (which decides newest-wins). A SET that leaves the values as
-- they were changes nothing.
CREATE TRIGGER activities_raster_changed
AFTER UPDATE OF start_at, end_at, due_at, all_day ON activities
FOR EACH ROW
WHEN OLD.start_at IS NOT NEW.start_at
  OR OLD.end_at IS NOT NEW.end_at
  OR OLD.due_at IS NOT NEW.due_at
  OR OLD.all_day IS NOT NEW.all_day
BEGIN
    UPDATE activities
       SET version = OLD.version + 1,
           updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
     WHERE id = NEW.id;
END;

-- sqlite3 does not enforce foreign keys unless told to (PRAGMA
-- foreign_keys), so a DELETE typed there would leave orphans; this trigger
-- cleans up whatever the connection's settings.
CREATE TRIGGER activities_deleted
AFTER DELETE ON activities
FOR EACH ROW
BEGIN
    DELETE FROM activity_owners WHERE activity_id = OLD.id;
    DELETE FROM activity_contacts WHERE activity_id = OLD.id;
    DELETE FROM attachments WHERE activity_id = OLD.id;
END;

CREATE TRIGGER contacts_deleted
AFTER DELETE ON contacts
FOR EACH ROW
BEGIN
    DELETE FROM activity_contacts WHERE contact_id = OLD.id;
END;
