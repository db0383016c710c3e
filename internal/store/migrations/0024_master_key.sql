-- +goose Up
-- Which master key seals this database's personal fields: its check value
-- (vault.Keyring.Check, which reveals nothing of the key), written by the
-- first start that had one. A start with another key is refused, and a
-- start without the key file does not make a new key for a database that
-- already has one.
CREATE TABLE master_key (
	id         {{smallint}} PRIMARY KEY CHECK (id = 1),
	key_check  TEXT NOT NULL,
	created_at {{bigint}} NOT NULL
);

-- +goose Down
DROP TABLE master_key;
