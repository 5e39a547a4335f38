-- 0003: each user's own settings and their journal, with the meaning of
-- SQLite's 0006 (user_name for user, timestamptz for the times).

CREATE TABLE user_preferences (
    user_name  text        NOT NULL CHECK (user_name <> ''),
    key        text        NOT NULL CHECK (key <> ''),
    value      text        NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_name, key)
);

CREATE TABLE preference_changes (
    id         bigserial   PRIMARY KEY,
    user_name  text        NOT NULL CHECK (user_name <> ''),
    key        text        NOT NULL CHECK (key <> ''),
    old_value  text        NOT NULL,
    new_value  text        NOT NULL,
    changed_by text        NOT NULL,
    at         timestamptz NOT NULL
);

CREATE INDEX preference_changes_user ON preference_changes (user_name, id);
