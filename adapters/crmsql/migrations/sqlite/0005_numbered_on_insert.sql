-- 0005: an import numbers its new activities in the INSERT itself.
-- Under 0004 every imported activity was written three times: its insert,
-- the insert trigger's number, and the owner trigger's number (a mail's
-- body rewritten twice; most of a first import's CRM time). Upsert now
-- reads the counter, inserts its new rows with the numbers above it and
-- raises the counter once, in the same transaction (SQLite has one writer
-- at a time), so:
--   * the insert trigger numbers only rows inserted without a number
--     (change_seq 0, the column's default: a person with sqlite3, or an
--     older gwsync);
--   * the owner trigger leaves alone an activity numbered above the
--     counter: that is a row inserted by the running Upsert, which raises
--     the counter past it before it commits, so a listing after the commit
--     finds it anyway. An owner added to any other activity numbers it as
--     before.

DROP TRIGGER activities_change_inserted;
CREATE TRIGGER activities_change_inserted
AFTER INSERT ON activities
FOR EACH ROW
WHEN NEW.change_seq = 0
BEGIN
    UPDATE change_counter SET last = last + 1;
    UPDATE activities SET change_seq = (SELECT last FROM change_counter) WHERE id = NEW.id;
END;

DROP TRIGGER activities_change_owner_added;
CREATE TRIGGER activities_change_owner_added
AFTER INSERT ON activity_owners
FOR EACH ROW
WHEN (SELECT change_seq FROM activities WHERE id = NEW.activity_id) <= (SELECT last FROM change_counter)
BEGIN
    UPDATE change_counter SET last = last + 1;
    UPDATE activities SET change_seq = (SELECT last FROM change_counter) WHERE id = NEW.activity_id;
END;
