-- +goose Up
-- API tokens for scripts: a workspace's, with a scope. Only the SHA-256 of
-- a token is kept.
CREATE TABLE api_tokens (
	id           {{identity}},
	token_hash   {{blob}} NOT NULL UNIQUE,
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	name         TEXT NOT NULL DEFAULT '',
	scope        TEXT NOT NULL CHECK (scope IN ('read', 'write')),
	created_at   {{bigint}} NOT NULL,
	last_used_at {{bigint}} NOT NULL DEFAULT 0,
	revoked_at   {{bigint}}
);
CREATE INDEX api_tokens_workspace ON api_tokens(workspace_id);

-- +goose Down
DROP TABLE api_tokens;
