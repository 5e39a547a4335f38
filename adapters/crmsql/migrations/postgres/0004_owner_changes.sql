-- 0004: each owner row carries its activity's change number, indexed by
-- (owner, change_seq), so that one user's change listing reads only that
-- user's changed rows. Before, a listing walked either every activity
-- changed since the cursor, by all users, checking the owner of each, or
-- every activity of the owner, checking its number: with thousands of
-- users sharing one CRM, and owners holding years of activities, both
-- grow with the database, not with what changed.
--
-- Two triggers keep the copy equal to activities.change_seq however the
-- activity is renumbered (a write by gwsync, an owner added, psql): an
-- owner row inserted without a number takes its activity's, and a
-- renumbered activity passes its number to its owner rows. Upsert's one
-- statement (pginsert.go) gives the owners of the activities it inserts
-- their number itself: a trigger cannot see rows another part of the same
-- statement inserts. Both run in the writing transaction, so a listing's
-- snapshot sees the two equal. (The update trigger cannot be UPDATE OF
-- change_seq: PostgreSQL fires those only for columns the statement sets,
-- and the number is set by a trigger.)

ALTER TABLE activity_owners ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;
UPDATE activity_owners o SET change_seq = a.change_seq FROM activities a WHERE a.id = o.activity_id;
CREATE INDEX activity_owners_by_change ON activity_owners (owner, change_seq);

CREATE FUNCTION activity_owners_take_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.change_seq = 0 THEN
        SELECT change_seq INTO STRICT NEW.change_seq FROM activities WHERE id = NEW.activity_id;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER activity_owners_take_change
BEFORE INSERT ON activity_owners
FOR EACH ROW EXECUTE FUNCTION activity_owners_take_change();

CREATE FUNCTION activities_pass_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE activity_owners SET change_seq = NEW.change_seq
     WHERE activity_id = NEW.id AND change_seq <> NEW.change_seq;
    RETURN NULL;
END
$$;

CREATE TRIGGER activities_pass_change
AFTER UPDATE ON activities
FOR EACH ROW WHEN (OLD.change_seq IS DISTINCT FROM NEW.change_seq)
EXECUTE FUNCTION activities_pass_change();
