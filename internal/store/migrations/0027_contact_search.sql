-- +goose Up
-- A workspace's contact-tracking consent mode (foyer.TrackingMode): a
-- contact with no answer may be tracked in opt-out mode, not in opt-in.
ALTER TABLE workspaces ADD COLUMN tracking_mode TEXT NOT NULL DEFAULT 'opt-out' CHECK (tracking_mode IN ('opt-out', 'opt-in'));

-- The keyed hash of a contact's email domain (its registrable part): a
-- company of that domain, when there is one, is linked to the contact
-- without the domain being stored in plain text beside the contact.
ALTER TABLE contacts ADD COLUMN domain_hash {{blob}};
CREATE INDEX contacts_domain ON contacts(workspace_id, domain_hash);

-- The words a contact is found by (of its names, its email, the email's
-- domain and its company), each as the first 8 bytes of a keyed hash: the
-- list searches whole words without the words being stored.
CREATE TABLE contact_terms (
	workspace_id {{bigint}} NOT NULL,
	term         {{bigint}} NOT NULL,
	contact_id   {{bigint}} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	PRIMARY KEY (workspace_id, term, contact_id)
){{if sqlite}} WITHOUT ROWID{{end}};
CREATE INDEX contact_terms_contact ON contact_terms(contact_id);

-- Who changed which of a contact's fields, and when: the names of the
-- fields, never their values. It outlives the contact.
CREATE TABLE contact_changes (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	contact_id   {{bigint}} NOT NULL,
	at           {{bigint}} NOT NULL,
	actor        TEXT NOT NULL,
	action       TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
	fields       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX contact_changes_contact ON contact_changes(contact_id, id);
CREATE INDEX contact_changes_workspace ON contact_changes(workspace_id, id);

-- +goose Down
DROP TABLE contact_changes;
DROP TABLE contact_terms;
DROP INDEX contacts_domain;
ALTER TABLE contacts DROP COLUMN domain_hash;
ALTER TABLE workspaces DROP COLUMN tracking_mode;
