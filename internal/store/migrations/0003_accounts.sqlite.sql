-- +goose Up
-- People who sign in, their roles per workspace, and their signed-in
-- sessions. A session row holds the SHA-256 of its cookie's token, never
-- the token.
CREATE TABLE users (
	id                  INTEGER PRIMARY KEY,
	email               TEXT NOT NULL UNIQUE, -- lower case
	name                TEXT NOT NULL DEFAULT '',
	password_hash       TEXT NOT NULL DEFAULT '', -- argon2id, PHC form; '' with single sign-on only
	created_at          INTEGER NOT NULL,
	password_changed_at INTEGER NOT NULL,
	failed_logins       INTEGER NOT NULL DEFAULT 0, -- in a row
	locked_until        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE memberships (
	workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role         TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'analyst', 'viewer')),
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE auth_sessions (
	token_hash   BLOB PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	revoked_at   INTEGER
);
CREATE INDEX auth_sessions_user ON auth_sessions(user_id);

-- +goose Down
DROP TABLE auth_sessions;
DROP TABLE memberships;
DROP TABLE users;
