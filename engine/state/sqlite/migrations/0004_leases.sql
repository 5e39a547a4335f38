-- 0004: user leases, so that one user is synced by one process at a time
-- (the CLI, the web client and workers alike). A holder renews its row;
-- one killed stops renewing, and once expires_ms is past another may take
-- it. expires_ms is Unix milliseconds: leases of a few seconds in tests
-- need more than the journal's whole seconds.

CREATE TABLE leases (
    user       TEXT    PRIMARY KEY,
    token      TEXT    NOT NULL,
    host       TEXT    NOT NULL,
    pid        INTEGER NOT NULL,
    what       TEXT    NOT NULL,
    since      TEXT    NOT NULL,
    expires_ms INTEGER NOT NULL
);
