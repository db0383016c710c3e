-- +goose Up
-- A workspace's corrections of the IP data: an organisation, by its key
-- (companies.org_key: "domain:example.com" or "org:ASN:name"), that is not
-- a company to show, with what it is instead: a carrier (isp), a hosting
-- network, a VPN, something else, the workspace's own company or a
-- competitor. The source of truth; companies.hidden_kind follows it.
-- created_by is NULL once the account is gone; created_by_name keeps
-- whom it was.
CREATE TABLE org_overrides (
	workspace_id    {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	org_key         TEXT NOT NULL,
	kind            TEXT NOT NULL CHECK (kind IN ('isp', 'hosting', 'vpn', 'other', 'own', 'competitor')),
	name            TEXT NOT NULL,
	created_by      {{bigint}} REFERENCES users(id) ON DELETE SET NULL,
	created_by_name TEXT NOT NULL DEFAULT '',
	created_at      {{bigint}} NOT NULL,
	PRIMARY KEY (workspace_id, org_key)
);

-- The kind of the workspace's override of the company's organisation, ''
-- when it has none: the feed shows only companies with ''.
ALTER TABLE companies ADD COLUMN hidden_kind TEXT NOT NULL DEFAULT '';
CREATE INDEX companies_hidden ON companies(workspace_id) WHERE hidden_kind <> '';

-- The organisation types the workspace's feed leaves out, separated by
-- commas (education, government, nonprofit); '' for none.
ALTER TABLE workspaces ADD COLUMN hidden_types TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE workspaces DROP COLUMN hidden_types;
DROP INDEX companies_hidden;
ALTER TABLE companies DROP COLUMN hidden_kind;
DROP TABLE org_overrides;
