-- +goose Up
-- One-time links an admin copies and hands over: an invitation to a
-- workspace, or a password reset. Only the SHA-256 of a link's token is kept.
CREATE TABLE auth_links (
	token_hash   BLOB PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind IN ('invite', 'reset')),
	workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	email        TEXT NOT NULL DEFAULT '', -- invite: whom
	role         TEXT NOT NULL DEFAULT '', -- invite: as what
	user_id      INTEGER REFERENCES users(id) ON DELETE CASCADE, -- reset: whose password
	created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	used_at      INTEGER
);
CREATE INDEX auth_links_workspace ON auth_links(workspace_id);

-- +goose Down
DROP TABLE auth_links;
