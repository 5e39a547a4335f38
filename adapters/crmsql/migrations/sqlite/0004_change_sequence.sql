-- 0004: a change sequence, so that a sync lists only what changed since
-- its last run (adapters.ChangeLister). Every insert of an activity, every
-- update of one and every owner added to one (for that owner the activity
-- is new) gives the row the next number of change_counter, by trigger, so
-- a person editing the file with sqlite3 moves it as gwsync does.
-- Deletions leave no number: the engine's periodic full listing finds them.

CREATE TABLE change_counter (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    last     INTEGER NOT NULL
);
INSERT INTO change_counter (only_row, last) SELECT 1, coalesce(max(id), 0) FROM activities;

ALTER TABLE activities ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
UPDATE activities SET change_seq = id; -- existing rows in id order, all below the counter
CREATE INDEX activities_by_change ON activities (change_seq);

CREATE TRIGGER activities_change_inserted
AFTER INSERT ON activities
FOR EACH ROW
BEGIN
    UPDATE change_counter SET last = last + 1;
    UPDATE activities SET change_seq = (SELECT last FROM change_counter) WHERE id = NEW.id;
END;

-- Any column but change_seq itself (the WHEN keeps the trigger's own
-- update, and the version bump of activities_raster_changed, from
-- numbering a row twice for one change).
CREATE TRIGGER activities_change_updated
AFTER UPDATE ON activities
FOR EACH ROW
WHEN NEW.change_seq IS OLD.change_seq
BEGIN
    UPDATE change_counter SET last = last + 1;
    UPDATE activities SET change_seq = (SELECT last FROM change_counter) WHERE id = NEW.id;
END;

CREATE TRIGGER activities_change_owner_added
AFTER INSERT ON activity_owners
FOR EACH ROW
BEGIN
    UPDATE change_counter SET last = last + 1;
    UPDATE activities SET change_seq = (SELECT last FROM change_counter) WHERE id = NEW.activity_id;
END;
