-- +goose Up
-- Persona Insights: a workspace switches it on with the legal basis it
-- rests on (legitimate interest or consent), and who did it when; ''
-- while off.
ALTER TABLE workspaces ADD COLUMN persona_basis TEXT NOT NULL DEFAULT '' CHECK (persona_basis IN ('', 'legitimate_interest', 'consent'));
ALTER TABLE workspaces ADD COLUMN persona_by TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN persona_at {{bigint}} NOT NULL DEFAULT 0;
-- The HubSpot connector: the private app token, sealed under a key derived
-- from the master key (NULL: none), and its last failure ('' when its last
-- call worked) with the time of that call.
ALTER TABLE workspaces ADD COLUMN hubspot_token {{blob}};
ALTER TABLE workspaces ADD COLUMN hubspot_error TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN hubspot_checked_at {{bigint}} NOT NULL DEFAULT 0;

-- A site's further identification settings: only the forms marked
-- data-foyer-form, HubSpot recognition, and the landing URL's parameters
-- of the email, first and last name ('' for fy_email fy_fn fy_ln).
ALTER TABLE sites ADD COLUMN identify_marked_forms {{bool}} NOT NULL DEFAULT {{bool_value false}};
ALTER TABLE sites ADD COLUMN identify_hubspot {{bool}} NOT NULL DEFAULT {{bool_value false}};
ALTER TABLE sites ADD COLUMN identify_params TEXT NOT NULL DEFAULT '';

-- The contact a visit is linked to, how it was recognised
-- (foyer.IdentifyVia) and from when (Unix ms): the visit's pages before
-- that time are not the contact's. NULL while anonymous.
ALTER TABLE sessions ADD COLUMN contact_id {{bigint}} REFERENCES contacts(id) ON DELETE SET NULL;
ALTER TABLE sessions ADD COLUMN identified_via {{smallint}} NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN identified_at {{bigint}} NOT NULL DEFAULT 0;
CREATE INDEX sessions_contact ON sessions(contact_id, id) WHERE contact_id IS NOT NULL;

-- The browsers (visitors) recognised as a contact: their visits from the
-- identification on are the contact's, while MayTrack allows it, checked
-- as each visit is stored.
CREATE TABLE visitor_links (
	visitor_id   {{bigint}} PRIMARY KEY REFERENCES visitors(id) ON DELETE CASCADE,
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	contact_id   {{bigint}} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	via          {{smallint}} NOT NULL,
	linked_at    {{bigint}} NOT NULL
);
CREATE INDEX visitor_links_contact ON visitor_links(contact_id);

-- Tokens for the links of tracked emails (fy_t): a SHA-256 of the token,
-- never the token, the contact it names and until when.
CREATE TABLE contact_tokens (
	token_hash   {{blob}} PRIMARY KEY,
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	contact_id   {{bigint}} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	created_at   {{bigint}} NOT NULL,
	expires_at   {{bigint}} NOT NULL,
	created_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX contact_tokens_contact ON contact_tokens(contact_id);

-- A company's known contacts, and a contact found by its CRM ID.
CREATE INDEX contacts_company ON contacts(company_id) WHERE company_id IS NOT NULL;
CREATE INDEX contacts_crm ON contacts(workspace_id, crm_id) WHERE crm_id <> '';

-- A contact's changes also record the unlinking of its visits.
{{if postgres}}
ALTER TABLE contact_changes DROP CONSTRAINT contact_changes_action_check;
ALTER TABLE contact_changes ADD CONSTRAINT contact_changes_action_check CHECK (action IN ('created', 'updated', 'deleted', 'unlinked'));
{{else}}
CREATE TABLE contact_changes_new (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	contact_id   {{bigint}} NOT NULL,
	at           {{bigint}} NOT NULL,
	actor        TEXT NOT NULL,
	action       TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted', 'unlinked')),
	fields       TEXT NOT NULL DEFAULT ''
);
INSERT INTO contact_changes_new SELECT id, workspace_id, contact_id, at, actor, action, fields FROM contact_changes;
DROP TABLE contact_changes;
ALTER TABLE contact_changes_new RENAME TO contact_changes;
CREATE INDEX contact_changes_contact ON contact_changes(contact_id, id);
CREATE INDEX contact_changes_workspace ON contact_changes(workspace_id, id);
{{end}}

-- +goose Down
DROP INDEX contacts_crm;
DROP INDEX contacts_company;
DROP TABLE contact_tokens;
DROP TABLE visitor_links;
DROP INDEX sessions_contact;
ALTER TABLE sessions DROP COLUMN identified_at;
ALTER TABLE sessions DROP COLUMN identified_via;
ALTER TABLE sessions DROP COLUMN contact_id;
ALTER TABLE sites DROP COLUMN identify_params;
ALTER TABLE sites DROP COLUMN identify_hubspot;
ALTER TABLE sites DROP COLUMN identify_marked_forms;
ALTER TABLE workspaces DROP COLUMN hubspot_checked_at;
ALTER TABLE workspaces DROP COLUMN hubspot_error;
ALTER TABLE workspaces DROP COLUMN hubspot_token;
ALTER TABLE workspaces DROP COLUMN persona_at;
ALTER TABLE workspaces DROP COLUMN persona_by;
ALTER TABLE workspaces DROP COLUMN persona_basis;
