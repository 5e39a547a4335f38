-- 0002: a change sequence, so that a sync lists only what changed since
-- its last run (adapters.ChangeLister). Every insert of an activity, every
-- update of one and every owner added to one (for that owner the activity
-- is new) gives the row the next value of activity_changes, by trigger, so
-- a person editing with psql moves it as gwsync does. Deletions leave no
-- number: the engine's periodic full listing finds them.
--
-- A sequence value is taken when a row is written, not when its
-- transaction commits: a transaction still open while a listing runs can
-- later commit a number below the cursor that listing returned. gwsync's
-- own writes to one user run under that user's lease; what another
-- writer commits that way is found by the periodic full listing.

CREATE SEQUENCE activity_changes;
ALTER TABLE activities ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;
UPDATE activities SET change_seq = id;
SELECT setval('activity_changes', greatest(coalesce(max(id), 0), 1)) FROM activities;
CREATE INDEX activities_by_change ON activities (change_seq);

CREATE FUNCTION activities_change_numbered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_seq := nextval('activity_changes');
    RETURN NEW;
END
$$;

CREATE TRIGGER activities_change_numbered
BEFORE INSERT OR UPDATE ON activities
FOR EACH ROW EXECUTE FUNCTION activities_change_numbered();

CREATE FUNCTION activities_change_owner_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE activities SET change_seq = 0 WHERE id = NEW.activity_id; -- the trigger above numbers it
    RETURN NEW;
END
$$;

CREATE TRIGGER activities_change_owner_added
AFTER INSERT ON activity_owners
FOR EACH ROW EXECUTE FUNCTION activities_change_owner_added();
