-- +goose Up
-- People who sign in, their roles per workspace, and their signed-in
-- sessions. A session row holds the SHA-256 of its cookie's token, never
-- the token.
CREATE TABLE users (
	id                  {{identity}},
	email               TEXT NOT NULL UNIQUE, -- lower case
	name                TEXT NOT NULL DEFAULT '',
	password_hash       TEXT NOT NULL DEFAULT '', -- argon2id, PHC form; '' with single sign-on only
	created_at          {{bigint}} NOT NULL,
	password_changed_at {{bigint}} NOT NULL,
	failed_logins       INTEGER NOT NULL DEFAULT 0, -- in a row
	locked_until        {{bigint}} NOT NULL DEFAULT 0
);

CREATE TABLE memberships (
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	user_id      {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role         TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'analyst', 'viewer')),
	created_at   {{bigint}} NOT NULL,
	PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE auth_sessions (
	token_hash   {{blob}} PRIMARY KEY,
	user_id      {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at   {{bigint}} NOT NULL,
	expires_at   {{bigint}} NOT NULL,
	last_seen_at {{bigint}} NOT NULL,
	revoked_at   {{bigint}}
);
CREATE INDEX auth_sessions_user ON auth_sessions(user_id);

-- +goose Down
DROP TABLE auth_sessions;
DROP TABLE memberships;
DROP TABLE users;
