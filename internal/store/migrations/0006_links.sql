-- +goose Up
-- One-time links an admin copies and hands over: an invitation to a
-- workspace, or a password reset. Only the SHA-256 of a link's token is kept.
CREATE TABLE auth_links (
	token_hash   {{blob}} PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind IN ('invite', 'reset')),
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	email        TEXT NOT NULL DEFAULT '', -- invite: whom
	role         TEXT NOT NULL DEFAULT '', -- invite: as what
	user_id      {{bigint}} REFERENCES users(id) ON DELETE CASCADE, -- reset: whose password
	created_by   {{bigint}} REFERENCES users(id) ON DELETE SET NULL,
	created_at   {{bigint}} NOT NULL,
	expires_at   {{bigint}} NOT NULL,
	used_at      {{bigint}}
);
CREATE INDEX auth_links_workspace ON auth_links(workspace_id);

-- +goose Down
DROP TABLE auth_links;
