-- 0005: a change is numbered by the transaction that wrote it, so that a
-- listing never returns a cursor beyond a change still to be committed.
--
-- Until now a change took the next value of the sequence activity_changes
-- when its row was written, not when its transaction committed. With two
-- writers at once, number 10 could still be uncommitted while a listing
-- saw 11 and returned cursor 11: number 10 was then never listed (until
-- the engine's periodic full listing), and a time moved in the CRM was
-- lost for that long. Several workers, or a CRM application writing while
-- gwsync lists, make that an everyday case.
--
-- A change's number is now the id of its transaction (pg_current_xact_id:
-- 64 bits, never reused, only grows) plus an offset, the sequence's last
-- value at this migration: every new number is above every old one, so a
-- cursor stored before stays valid. Every transaction with an id below a
-- snapshot's xmin has ended, so every change numbered below xmin + offset
-- is visible to a listing that uses that snapshot, and that listing
-- returns xmin + offset - 1 as its cursor (changes.go): what it saw above
-- that is listed again next time, never skipped. All changes of one
-- transaction share its number.
--
-- activity_change_offset() holds the offset. A database restored into
-- another cluster, whose transaction ids are lower, would number new
-- changes below old ones: crmsql raises the offset when it opens such a
-- database (activity_changes_rebase, after the migrations).

-- Sets the offset: activity_change_offset() returns it as a constant.
CREATE FUNCTION activity_change_set_offset(o bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE OR REPLACE FUNCTION activity_change_offset() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                   format('SELECT %s::bigint', o));
END
$$;

SELECT activity_change_set_offset((SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM activity_changes));

-- The number of a change the running transaction writes.
CREATE FUNCTION activity_change_number() RETURNS bigint LANGUAGE sql VOLATILE AS
    'SELECT pg_current_xact_id()::text::bigint + activity_change_offset()';

ALTER TABLE activities ALTER COLUMN change_seq SET DEFAULT activity_change_number();

CREATE OR REPLACE FUNCTION activities_change_numbered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_seq := activity_change_number();
    RETURN NEW;
END
$$;

DROP SEQUENCE activity_changes;

-- Raises the offset when the highest number stored is not below the next
-- one this cluster would hand out (a restore into a younger cluster), so
-- that new changes are numbered above every stored one. True if it did.
CREATE FUNCTION activity_changes_rebase() RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    highest bigint;
    next_xid bigint := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
BEGIN
    SELECT max(change_seq) INTO highest FROM activities;
    IF highest IS NULL OR highest < next_xid + activity_change_offset() THEN
        RETURN false;
    END IF;
    PERFORM activity_change_set_offset(highest + 1 - next_xid);
    RETURN true;
END
$$;
