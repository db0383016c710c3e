-- +goose Up
-- The one-time links that create an installation's first owner. While no
-- user exists, each start of `foyer serve` stores one and logs it; the
-- first owner's sign-up spends them all. Only a SHA-256 of each token is
-- kept.
CREATE TABLE setup_links (
	token_hash {{blob}} PRIMARY KEY,
	created_at {{bigint}} NOT NULL,
	expires_at {{bigint}} NOT NULL
);

-- +goose Down
DROP TABLE setup_links;
