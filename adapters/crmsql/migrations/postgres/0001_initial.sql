-- 0001 (PostgreSQL): the CRM tables of docs/crm-schema.md, with the same
-- names, columns and meaning as the SQLite schema at its 0003. The
-- differences are documented there ("PostgreSQL"): identity columns that
-- never hand an id out twice, bytea for attachment content, a seq column
-- that keeps the order owners and contacts were added in (PostgreSQL has
-- no rowid), contacts unique on the ASCII-folded e-mail, and ON DELETE
-- CASCADE doing what SQLite's *_deleted triggers do. Times stay RFC 3339
-- text in UTC, so that both databases hold and accept the same values.
-- Never edit a released migration: add the next numbered file instead.

CREATE TABLE activities (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type        text    NOT NULL CHECK (type IN ('MAILIN', 'TASK', 'APPOINTMENT', 'MEETING', 'FOLLOWUP')),
    subject     text    NOT NULL DEFAULT '',
    body        text    NOT NULL DEFAULT '',
    location    text    NOT NULL DEFAULT '',
    start_at    text,               -- RFC 3339 UTC, '2026-12-03T09:00:00Z', or NULL
    end_at      text,
    due_at      text,
    all_day     integer NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1)),
    time_zone   text    NOT NULL DEFAULT '',
    busy        text    NOT NULL DEFAULT '',
    ext_key     text    UNIQUE,     -- groupware identity; NULL when created in the CRM
    source      text    NOT NULL DEFAULT '',
    source_item text    NOT NULL DEFAULT '',
    created_at  text    NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    updated_at  text    NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    version     integer NOT NULL DEFAULT 1
);

CREATE TABLE activity_owners (
    activity_id bigint NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    owner       text   NOT NULL,
    seq         bigint GENERATED ALWAYS AS IDENTITY, -- the order owners were added in
    PRIMARY KEY (activity_id, owner)
);
CREATE INDEX activity_owners_by_owner ON activity_owners (owner, activity_id);

CREATE TABLE contacts (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  text   NOT NULL DEFAULT '',
    email text   NOT NULL
);
-- SQLite's "UNIQUE COLLATE NOCASE": ASCII letters compare without case.
CREATE UNIQUE INDEX contacts_email_nocase ON contacts
    (translate(email, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'));

CREATE TABLE activity_contacts (
    activity_id bigint NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    contact_id  bigint NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    seq         bigint GENERATED ALWAYS AS IDENTITY, -- the order contacts were linked in
    PRIMARY KEY (activity_id, contact_id)
);
CREATE INDEX activity_contacts_by_contact ON activity_contacts (contact_id);

CREATE TABLE attachments (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id bigint  NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    name        text    NOT NULL DEFAULT '',
    type        text    NOT NULL DEFAULT '',
    size        bigint  NOT NULL DEFAULT 0,
    data        bytea
);
CREATE INDEX attachments_by_activity ON attachments (activity_id);

-- Any change of the raster, by gwsync or by a person with psql, is a
-- CRM-side change: it bumps the version (which UpdateTimes checks) and
-- updated_at (which decides newest-wins). A SET that leaves the values as
-- they were changes nothing.
CREATE FUNCTION activities_raster_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.start_at IS DISTINCT FROM NEW.start_at
       OR OLD.end_at IS DISTINCT FROM NEW.end_at
       OR OLD.due_at IS DISTINCT FROM NEW.due_at
       OR OLD.all_day IS DISTINCT FROM NEW.all_day THEN
        NEW.version := OLD.version + 1;
        NEW.updated_at := to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER activities_raster_changed
BEFORE UPDATE OF start_at, end_at, due_at, all_day ON activities
FOR EACH ROW EXECUTE FUNCTION activities_raster_changed();
