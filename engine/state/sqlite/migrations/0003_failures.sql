-- 0003: outstanding failures, so that one that keeps failing unchanged
-- is told apart from a new one ("still unreadable since DATE, N attempts")
-- and a run exits with "partial" only when it met something new.
--
-- item_id is '' for a source whose listing failed; kind is 'unreadable',
-- 'listing' or the action kind that failed. A row lives until a run that
-- could see the source's items no longer meets it.

CREATE TABLE failures (
    user       TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    item_id    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    first_seen TEXT    NOT NULL,
    last_seen  TEXT    NOT NULL,
    attempts   INTEGER NOT NULL CHECK (attempts > 0),
    PRIMARY KEY (user, source, item_id, kind)
);
