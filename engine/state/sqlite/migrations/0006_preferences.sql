-- 0006: each user's own settings (the web client's "User preferences /
-- Groupware" page) and their journal: who changed which key, when, old
-- and new value. Which keys exist and which a user may change is the
-- config's business; here they are text.

CREATE TABLE user_preferences (
    user       TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user, key)
);

CREATE TABLE preference_changes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    user      TEXT NOT NULL,
    key       TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    at        TEXT NOT NULL
);

CREATE INDEX preference_changes_user ON preference_changes (user, id);
