-- +goose Up
-- Two-factor authentication: a user's TOTP secret ('' without), one-time
-- recovery codes (hashed), whether a session has given its second factor,
-- and whether a workspace requires it of its members.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
CREATE TABLE recovery_codes (
	user_id   {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	code_hash {{blob}} NOT NULL,
	used_at   INTEGER,
	PRIMARY KEY (user_id, code_hash)
);
ALTER TABLE auth_sessions ADD COLUMN second_factor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workspaces ADD COLUMN require_2fa INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE workspaces DROP COLUMN require_2fa;
ALTER TABLE auth_sessions DROP COLUMN second_factor;
DROP TABLE recovery_codes;
ALTER TABLE users DROP COLUMN totp_secret;
