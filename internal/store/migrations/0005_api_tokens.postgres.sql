-- +goose Up
-- API tokens for scripts: a workspace's, with a scope. Only the SHA-256 of
-- a token is kept.
CREATE TABLE api_tokens (
	token_hash   BYTEA PRIMARY KEY,
	workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	name         TEXT NOT NULL DEFAULT '',
	scope        TEXT NOT NULL CHECK (scope IN ('read', 'write')),
	created_at   BIGINT NOT NULL,
	last_used_at BIGINT NOT NULL DEFAULT 0,
	revoked_at   BIGINT
);
CREATE INDEX api_tokens_workspace ON api_tokens(workspace_id);

-- +goose Down
DROP TABLE api_tokens;
