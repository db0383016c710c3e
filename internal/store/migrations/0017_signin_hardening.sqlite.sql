-- +goose Up
-- A TOTP code works once: the last time step a user's code was accepted
-- at, and no code of that step or an earlier one is taken again.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- A password reset link that a user asked for themselves ("forgot your
-- password") belongs to no workspace: workspace_id becomes optional.
-- SQLite cannot drop a NOT NULL, so the table is made anew.
CREATE TABLE auth_links_new (
	token_hash   BLOB PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind IN ('invite', 'reset')),
	workspace_id INTEGER REFERENCES workspaces(id) ON DELETE CASCADE, -- NULL: a reset the user asked for
	email        TEXT NOT NULL DEFAULT '', -- invite: whom
	role         TEXT NOT NULL DEFAULT '', -- invite: as what
	user_id      INTEGER REFERENCES users(id) ON DELETE CASCADE, -- reset: whose password
	created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	used_at      INTEGER
);
INSERT INTO auth_links_new SELECT token_hash, kind, workspace_id, email, role, user_id, created_by, created_at, expires_at, used_at FROM auth_links;
DROP TABLE auth_links;
ALTER TABLE auth_links_new RENAME TO auth_links;
CREATE INDEX auth_links_workspace ON auth_links(workspace_id);
-- A password change spends the user's outstanding reset links.
CREATE INDEX auth_links_user ON auth_links(user_id) WHERE user_id IS NOT NULL;

-- +goose Down
DROP INDEX auth_links_user;
DELETE FROM auth_links WHERE workspace_id IS NULL;
CREATE TABLE auth_links_old (
	token_hash   BLOB PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind IN ('invite', 'reset')),
	workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	email        TEXT NOT NULL DEFAULT '',
	role         TEXT NOT NULL DEFAULT '',
	user_id      INTEGER REFERENCES users(id) ON DELETE CASCADE,
	created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	used_at      INTEGER
);
INSERT INTO auth_links_old SELECT * FROM auth_links;
DROP TABLE auth_links;
ALTER TABLE auth_links_old RENAME TO auth_links;
CREATE INDEX auth_links_workspace ON auth_links(workspace_id);
ALTER TABLE users DROP COLUMN totp_last_step;
