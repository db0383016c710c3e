-- +goose Up
-- Single sign-on: a user's accounts at OpenID Connect providers, named by
-- the provider's issuer URL and the account's subject (never its address),
-- one account per issuer and user; and whether a session's identity
-- provider reported multi-factor authentication.
CREATE TABLE identities (
	issuer       TEXT NOT NULL,
	subject      TEXT NOT NULL,
	user_id      {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	provider     TEXT NOT NULL, -- the configured provider's ID when linked
	created_at   {{bigint}} NOT NULL,
	last_used_at {{bigint}} NOT NULL,
	PRIMARY KEY (issuer, subject),
	UNIQUE (user_id, issuer)
);
ALTER TABLE auth_sessions ADD COLUMN mfa_at_idp INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE auth_sessions DROP COLUMN mfa_at_idp;
DROP TABLE identities;
