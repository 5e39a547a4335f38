-- 0003: ids are never handed out twice. 0001 declared "id INTEGER PRIMARY
-- KEY" without AUTOINCREMENT, with which SQLite gives a new row max(id)+1:
-- after the newest activity was deleted, the next one got its id, and a
-- state link that pointed at the deleted activity then pointed at a
-- different one. AUTOINCREMENT keeps the highest id ever used
-- (sqlite_sequence), so a deleted id stays retired.
--
-- SQLite cannot add AUTOINCREMENT to a table, so activities and contacts
-- are rebuilt (the documented 12-step way: new table, copy, drop, rename),
-- keeping every row and id. gwsync runs this with foreign keys off, so the
-- DROP does not cascade into activity_owners, activity_contacts and
-- attachments, whose references then resolve to the new tables by name.
-- attachments keeps its ids: nothing outside the row refers to one, and
-- rebuilding it would copy every stored attachment's content.

CREATE TABLE activities_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO activities_new (id, type, subject, body, location, start_at, end_at, due_at, all_day,
                            time_zone, busy, ext_key, source, source_item, created_at, updated_at, version)
     SELECT id, type, subject, body, location, start_at, end_at, due_at, all_day,
            time_zone, busy, ext_key, source, source_item, created_at, updated_at, version
       FROM activities;
DROP TABLE activities; -- drops its triggers too; they are made again below
ALTER TABLE activities_new RENAME TO activities;

CREATE TABLE contacts_new (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    name  TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL UNIQUE COLLATE NOCASE
);
INSERT INTO contacts_new (id, name, email) SELECT id, name, email FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_new RENAME TO contacts;

-- The triggers of 0001, unchanged.
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
