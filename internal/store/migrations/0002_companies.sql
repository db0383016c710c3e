-- +goose Up
-- A company is an organisation seen behind visits, kept per workspace: a
-- network's organisation from the IP data, or a row of the operator's
-- company list. Only organisations of a company type (business, education,
-- government, non-profit) become companies; visits from carriers and
-- hosting networks keep only their type and count as anonymous traffic.
-- Nothing here is derived from an address beyond what the lookup answered.
CREATE TABLE companies (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	-- What identifies the organisation across lookups: its domain, or its
	-- name and AS number.
	org_key      TEXT NOT NULL,
	name         TEXT NOT NULL,
	domain       TEXT NOT NULL DEFAULT '',
	asn          {{bigint}} NOT NULL DEFAULT 0,
	country      TEXT NOT NULL DEFAULT '', -- where it was first seen
	city         TEXT NOT NULL DEFAULT '',
	type         TEXT NOT NULL,
	industry     TEXT NOT NULL DEFAULT '',
	size         TEXT NOT NULL DEFAULT '',
	created_at   {{bigint}} NOT NULL,
	UNIQUE (workspace_id, org_key)
);

-- A visit's company (NULL when anonymous), its organisation type ('' when
-- no IP data answered) and city.
ALTER TABLE sessions ADD COLUMN company_id {{bigint}} REFERENCES companies(id) ON DELETE SET NULL;
ALTER TABLE sessions ADD COLUMN org_type TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN city TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_company ON sessions(company_id, started_at, id) WHERE company_id IS NOT NULL;

-- +goose Down
DROP INDEX sessions_company;
ALTER TABLE sessions DROP COLUMN city;
ALTER TABLE sessions DROP COLUMN org_type;
ALTER TABLE sessions DROP COLUMN company_id;
DROP TABLE companies;
