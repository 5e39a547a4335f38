-- 0003: number changes with less work per row (issue 12: PostgreSQL's
-- CPU was the largest share of a worker's cost per user).
--
-- * An activity inserted without a number takes the next one from the
--   column's default; the row trigger of 0002 now runs only for a row
--   inserted with change_seq 0 (an older gwsync names the column), as
--   SQLite's insert trigger does since its 0005. Updates are numbered by
--   that trigger as before.
-- * Owners added by one statement number their activities once, from a
--   statement-level trigger over the added rows, instead of an UPDATE per
--   owner row. An activity inserted by the running transaction is left
--   alone: its insert numbered it already, and its owners are new with it
--   (Upsert inserts an activity and its owners in one statement, where
--   0002 wrote every imported row a second time).
--
-- xmin is the transaction that wrote the row version; a version written
-- by the running transaction has its xid (gwsync uses no savepoints, so
-- no subtransaction's xid). A frozen row keeps its old xmin, which can
-- equal the running xid only after the xid counter wrapped around: such
-- an owner added by hand is then not numbered, and the periodic full
-- listing finds it.

ALTER TABLE activities ALTER COLUMN change_seq SET DEFAULT nextval('activity_changes');

DROP TRIGGER activities_change_numbered ON activities;
CREATE TRIGGER activities_change_numbered_insert
BEFORE INSERT ON activities
FOR EACH ROW WHEN (NEW.change_seq = 0)
EXECUTE FUNCTION activities_change_numbered();
CREATE TRIGGER activities_change_numbered_update
BEFORE UPDATE ON activities
FOR EACH ROW EXECUTE FUNCTION activities_change_numbered();

DROP TRIGGER activities_change_owner_added ON activity_owners;
DROP FUNCTION activities_change_owner_added();

CREATE FUNCTION activities_change_owners_added() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added_to bigint;
BEGIN
    -- One UPDATE by id per activity, not one over all of them: the plan
    -- is cached with the function for the connection's life, and a plan
    -- made while activities was new (no statistics) scanned the whole
    -- table on every Upsert (as a join, and as = ANY of an array too).
    -- An update by primary key is an index lookup under any plan.
    FOR added_to IN SELECT DISTINCT activity_id FROM added LOOP
        UPDATE activities a SET change_seq = 0 -- activities_change_numbered_update numbers it
         WHERE a.id = added_to AND a.xmin <> pg_current_xact_id()::xid;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE TRIGGER activities_change_owners_added
AFTER INSERT ON activity_owners
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION activities_change_owners_added();
