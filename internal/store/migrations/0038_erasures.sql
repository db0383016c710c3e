-- +goose Up
-- The erasure ledger: each contact erased, when, by whom, on which request,
-- and its email's keyed hash (contacts.email_hash), never a personal
-- field. A restore replays it (and the ledger file kept beside the master
-- key) so that no backup brings an erased person back; a contact created
-- later with the same email is told from the one erased by its creation
-- time. It outlives the workspace's contacts, so it has no foreign key.
CREATE TABLE erasures (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL,
	contact_id   {{bigint}} NOT NULL,
	email_hash   {{blob}} NOT NULL,
	at           {{bigint}} NOT NULL,
	request_id   TEXT NOT NULL DEFAULT '',
	actor        TEXT NOT NULL DEFAULT '',
	UNIQUE (workspace_id, contact_id, at)
);
CREATE INDEX erasures_email ON erasures(workspace_id, email_hash, at);

-- +goose Down
DROP TABLE erasures;
