-- +goose Up
-- The organisations behind a workspace's visits that the IP data says are
-- not companies (carriers, hosting, unknown type), keyed as
-- companies are (companies.org_key): what an admin needs to say "this is a
-- company" of one the classifier left out, and to bring its past visits
-- into the feed. Only what the IP data says of the network is kept; never
-- an address.
CREATE TABLE orgs (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	org_key      TEXT NOT NULL,
	name         TEXT NOT NULL,
	domain       TEXT NOT NULL DEFAULT '',
	asn          {{bigint}} NOT NULL DEFAULT 0,
	type         TEXT NOT NULL,
	UNIQUE (workspace_id, org_key)
);

-- The organisation of a visit the IP data does not make a company's (and of
-- a visit of an organisation the workspace said is a company, so that
-- taking that back finds its visits).
ALTER TABLE sessions ADD COLUMN org_id {{bigint}} REFERENCES orgs(id) ON DELETE SET NULL;
CREATE INDEX sessions_org ON sessions(org_id) WHERE org_id IS NOT NULL;

-- An override may also say an organisation is a company after all.
{{if postgres}}
ALTER TABLE org_overrides DROP CONSTRAINT org_overrides_kind_check;
ALTER TABLE org_overrides ADD CONSTRAINT org_overrides_kind_check
	CHECK (kind IN ('isp', 'hosting', 'vpn', 'other', 'own', 'competitor', 'company'));
{{else}}
CREATE TABLE org_overrides_new (
	workspace_id    {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	org_key         TEXT NOT NULL,
	kind            TEXT NOT NULL CHECK (kind IN ('isp', 'hosting', 'vpn', 'other', 'own', 'competitor', 'company')),
	name            TEXT NOT NULL,
	created_by      {{bigint}} REFERENCES users(id) ON DELETE SET NULL,
	created_by_name TEXT NOT NULL DEFAULT '',
	created_at      {{bigint}} NOT NULL,
	PRIMARY KEY (workspace_id, org_key)
);
INSERT INTO org_overrides_new SELECT workspace_id, org_key, kind, name, created_by, created_by_name, created_at FROM org_overrides;
DROP TABLE org_overrides;
ALTER TABLE org_overrides_new RENAME TO org_overrides;
{{end}}

-- +goose Down
DELETE FROM org_overrides WHERE kind = 'company';
DROP INDEX sessions_org;
ALTER TABLE sessions DROP COLUMN org_id;
DROP TABLE orgs;
