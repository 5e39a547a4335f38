-- The web client's shared state (web.SessionStore), in a table namespace
-- of its own (web_*). Ids and throttle keys are stored as SHA-256 hashes:
-- a reader of the database cannot take over a session or learn who
-- tried to log in from where.
CREATE TABLE web_sessions (
	id_hash   bytea PRIMARY KEY,
	user_name text NOT NULL,
	csrf      text NOT NULL,
	created   timestamptz NOT NULL,
	seen      timestamptz NOT NULL,
	expires   timestamptz NOT NULL,
	-- typed groupware passwords by source name, each sealed
	-- (AES-256-GCM, key from serve.secret_key_file): never plain text.
	secrets   jsonb NOT NULL DEFAULT '{}'::jsonb,
	-- the wizard run holding the review, "REPLICA/RUN", '' none
	wizard    text NOT NULL DEFAULT ''
);
CREATE INDEX web_sessions_expires ON web_sessions (expires);

CREATE TABLE web_login_throttle (
	key_hash  bytea PRIMARY KEY,
	fails     integer NOT NULL DEFAULT 0,
	until     timestamptz NOT NULL DEFAULT 'epoch',
	forget_at timestamptz NOT NULL DEFAULT 'epoch'
);
CREATE INDEX web_login_throttle_forget ON web_login_throttle (forget_at);

CREATE TABLE web_known_devices (
	id_hash   bytea PRIMARY KEY,
	user_name text NOT NULL,
	expires   timestamptz NOT NULL
);
CREATE INDEX web_known_devices_expires ON web_known_devices (expires);
