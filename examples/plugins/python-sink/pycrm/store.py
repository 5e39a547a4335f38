"""The example CRM: activities, their owners and contacts in one SQLite file.

An activity row holds what gwsync sends (type, subject, body, times, busy,
location, the groupware key and where it came from); owners and contacts
are tables of their own so that an upsert of a known key adds to them.
Times are whole seconds since the epoch in UTC (NULL: not set), which is
gwsync's precision. version counts the activity's changes; id and version
go to gwsync as text.

One Store serves one configured instance. It opens the file on first use
(a constructor must not do I/O) and serialises its calls with a lock:
sqlite3 connections are not shared across threads otherwise, and several
processes (a worker's users) reach the same file through SQLite's locks.
"""
import sqlite3
import threading
import time

SCHEMA = """
CREATE TABLE IF NOT EXISTS activities (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  version     INTEGER NOT NULL DEFAULT 1,
  type        TEXT NOT NULL,
  subject     TEXT NOT NULL DEFAULT '',
  body        TEXT NOT NULL DEFAULT '',
  start_s     INTEGER,
  end_s       INTEGER,
  due_s       INTEGER,
  all_day     INTEGER NOT NULL DEFAULT 0,
  time_zone   TEXT NOT NULL DEFAULT '',
  busy        TEXT NOT NULL DEFAULT '',
  location    TEXT NOT NULL DEFAULT '',
  key         TEXT UNIQUE,              -- NULL: created in the CRM
  source      TEXT NOT NULL DEFAULT '',
  source_item TEXT NOT NULL DEFAULT '',
  modified_s  INTEGER
);
CREATE TABLE IF NOT EXISTS activity_owners (
  activity_id INTEGER NOT NULL REFERENCES activities(id),
  owner       TEXT NOT NULL,
  PRIMARY KEY (activity_id, owner)
);
CREATE TABLE IF NOT EXISTS activity_contacts (
  activity_id INTEGER NOT NULL REFERENCES activities(id),
  email       TEXT NOT NULL,
  PRIMARY KEY (activity_id, email)
);
CREATE TABLE IF NOT EXISTS attachments (
  activity_id INTEGER NOT NULL REFERENCES activities(id),
  name        TEXT NOT NULL,
  type        TEXT NOT NULL DEFAULT '',
  size        INTEGER NOT NULL DEFAULT 0,
  data        BLOB
);
"""

# The columns of an activity row that an insert writes, in order.
COLUMNS = ("type", "subject", "body", "start_s", "end_s", "due_s", "all_day", "time_zone",
           "busy", "location", "key", "source", "source_item", "modified_s")


class NotFound(Exception):
    pass


class Conflict(Exception):
    pass


class Store:
    def __init__(self, path):
        self.path = path
        self._conn = None
        self._lock = threading.Lock()

    def _db(self):
        if self._conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)
            self._conn = conn
        return self._conn

    def close(self):
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def list(self, owner, types):
        """Yields the activities of owner (dicts with owners, contacts and
        attachments), of the given types or all, ordered by id."""
        with self._lock:
            db = self._db()
            sql = ("SELECT a.* FROM activities a JOIN activity_owners o ON o.activity_id = a.id"
                   " WHERE o.owner = ?")
            args = [owner]
            if types:
                sql += " AND a.type IN (%s)" % ",".join("?" * len(types))
                args += list(types)
            rows = [dict(r) for r in db.execute(sql + " ORDER BY a.id", args)]
            for row in rows:
                self._complete(db, row)
        return rows

    def upsert_batch(self, requests):
        """Upserts a batch in one transaction (one disk sync, not one per
        activity). requests are (row, owners, contacts, attachments); each
        activity is created unless its key exists, and then its owners and
        contacts are added to the existing one. Returns one (row, created)
        or the exception of that activity, in order: a failed activity is
        rolled back to its savepoint, the others are kept."""
        out = []
        with self._lock:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                for req in requests:
                    db.execute("SAVEPOINT item")
                    try:
                        out.append(self._upsert_one(db, *req))
                        db.execute("RELEASE item")
                    except sqlite3.Error as e:
                        db.execute("ROLLBACK TO item")
                        db.execute("RELEASE item")
                        out.append(e)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return out

    def _upsert_one(self, db, row, owners, contacts, attachments):
        existing = db.execute("SELECT id FROM activities WHERE key = ?", (row["key"],)).fetchone()
        created = existing is None
        if created:
            cur = db.execute("INSERT INTO activities (%s) VALUES (%s)" % (
                ",".join(COLUMNS), ",".join("?" * len(COLUMNS))), [row.get(c) for c in COLUMNS])
            activity_id = cur.lastrowid
            for a in attachments:
                db.execute("INSERT INTO attachments (activity_id, name, type, size, data) VALUES (?,?,?,?,?)",
                           (activity_id, a["name"], a["type"], a["size"], a["data"]))
        else:
            activity_id = existing["id"]
        self._add_people(db, activity_id, owners, contacts)
        got = dict(db.execute("SELECT * FROM activities WHERE id = ?", (activity_id,)).fetchone())
        self._complete(db, got)
        return got, created

    def insert_crm(self, row, owners, contacts):
        """Creates an activity as a CRM user would (no key). Returns its id."""
        with self._lock:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                cur = db.execute("INSERT INTO activities (%s) VALUES (%s)" % (
                    ",".join(COLUMNS), ",".join("?" * len(COLUMNS))), [row.get(c) for c in COLUMNS])
                self._add_people(db, cur.lastrowid, owners, contacts)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return cur.lastrowid

    def update_times(self, activity_id, if_version, times):
        """Sets start_s, end_s, due_s, all_day and time_zone of one activity
        when its version is if_version (or if_version is ""). Returns the
        new version. Raises NotFound or Conflict."""
        with self._lock:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT version FROM activities WHERE id = ?", (activity_id,)).fetchone()
                if row is None:
                    raise NotFound("activity %s does not exist" % activity_id)
                if if_version and if_version != str(row["version"]):
                    raise Conflict("activity %s is at version %s, not %s" % (activity_id, row["version"], if_version))
                version = row["version"] + 1
                db.execute("UPDATE activities SET start_s=?, end_s=?, due_s=?, all_day=?, time_zone=?,"
                           " version=?, modified_s=? WHERE id=?",
                           (times["start_s"], times["end_s"], times["due_s"], times["all_day"],
                            times["time_zone"], version, int(time.time()), activity_id))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return version

    @staticmethod
    def _add_people(db, activity_id, owners, contacts):
        for o in owners:
            db.execute("INSERT OR IGNORE INTO activity_owners (activity_id, owner) VALUES (?, ?)", (activity_id, o))
        for c in contacts:
            db.execute("INSERT OR IGNORE INTO activity_contacts (activity_id, email) VALUES (?, ?)",
                       (activity_id, c.lower()))

    @staticmethod
    def _complete(db, row):
        i = row["id"]
        row["owners"] = [r[0] for r in db.execute(
            "SELECT owner FROM activity_owners WHERE activity_id = ? ORDER BY owner", (i,))]
        row["contacts"] = [r[0] for r in db.execute(
            "SELECT email FROM activity_contacts WHERE activity_id = ? ORDER BY email", (i,))]
        row["attachments"] = [dict(r) for r in db.execute(
            "SELECT name, type, size FROM attachments WHERE activity_id = ? ORDER BY rowid", (i,))]
