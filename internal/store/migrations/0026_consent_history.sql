-- +goose Up
-- Every change of a contact's tracking consent, applied or not, in a hash
-- chain per workspace (foyer.ConsentEntry): each entry's hash covers its
-- content, its ID and the previous entry's hash, so that editing,
-- deleting, reordering or inserting an entry is found by VerifyChain.
-- Entries are never updated after their hash is set, nor deleted. The
-- reason is sealed under the contact's data key; the hash covers the
-- sealed bytes, so the chain verifies without the master key, and after a
-- contact's key is destroyed. contact_id has no foreign key: the history
-- outlives the contact.
CREATE TABLE consent_history (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	contact_id   {{bigint}} NOT NULL,
	at           {{bigint}} NOT NULL,
	status_at    {{bigint}} NOT NULL,
	action       TEXT NOT NULL,
	source       TEXT NOT NULL,
	actor        TEXT NOT NULL,
	reason       {{blob}} NOT NULL,
	applied      {{bool}} NOT NULL,
	why          TEXT NOT NULL,
	prev_hash    {{blob}} NOT NULL,
	hash         {{blob}} NOT NULL
);
CREATE INDEX consent_history_contact ON consent_history(contact_id, id);
CREATE INDEX consent_history_chain ON consent_history(workspace_id, id);

-- The hash of each workspace's newest entry, moved in the transaction that
-- appends: deleting the newest entries shows as a chain that does not end
-- at its head.
CREATE TABLE consent_heads (
	workspace_id {{bigint}} PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
	hash         {{blob}} NOT NULL
);

-- +goose Down
DROP TABLE consent_heads;
DROP TABLE consent_history;
