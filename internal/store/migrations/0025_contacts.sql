-- +goose Up
-- The people a workspace already knows. Their personal fields are one
-- sealed value (AES-256-GCM, internal/vault) under a data key of their
-- own, stored wrapped by the master key, which is never in the database;
-- key_id names the contact to the seal, so that sealed data moved to
-- another row does not open. They are found by email through a keyed hash
-- of the workspace and the normalised address, never the address.
CREATE TABLE contacts (
	id                  {{identity}},
	workspace_id        {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	key_id              TEXT NOT NULL,
	email_hash          {{blob}} NOT NULL,
	data_key            {{blob}} NOT NULL,
	sealed              {{blob}} NOT NULL,
	company_id          {{bigint}} REFERENCES companies(id) ON DELETE SET NULL,
	crm_id              TEXT NOT NULL DEFAULT '',
	tracking_consent    TEXT NOT NULL DEFAULT '' CHECK (tracking_consent IN ('', 'accepted', 'refused')),
	tracking_consent_at {{bigint}} NOT NULL DEFAULT 0,
	created_at          {{bigint}} NOT NULL,
	updated_at          {{bigint}} NOT NULL,
	UNIQUE (workspace_id, email_hash)
);
CREATE INDEX contacts_list ON contacts(workspace_id, id);
CREATE INDEX contacts_consent ON contacts(workspace_id, tracking_consent, id);

-- +goose Down
DROP TABLE contacts;
