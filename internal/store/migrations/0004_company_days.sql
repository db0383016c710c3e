-- +goose Up
-- What the company feed reads: per company, site and UTC day, kept by the
-- roll-up (rollup.go) from the events it folds, never by the ingest path.
CREATE TABLE company_days (
	company_id {{bigint}} NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
	site_id    {{bigint}} NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	day        {{bigint}} NOT NULL, -- days since 1970-01-01, UTC
	visits     {{bigint}} NOT NULL DEFAULT 0, -- visits that started that day
	pageviews  {{bigint}} NOT NULL DEFAULT 0,
	engaged_ms {{bigint}} NOT NULL DEFAULT 0,
	events     {{bigint}} NOT NULL DEFAULT 0,
	last_at    {{bigint}} NOT NULL,
	PRIMARY KEY (company_id, site_id, day)
);
CREATE INDEX company_days_site_day ON company_days(site_id, day);

-- When each company last visited each site, and the workspace at all: the
-- feed of a period that ends today pages through these, newest first,
-- and sums company_days for the page's companies only.
CREATE TABLE company_sites (
	company_id {{bigint}} NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
	site_id    {{bigint}} NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	last_at    {{bigint}} NOT NULL,
	PRIMARY KEY (company_id, site_id)
);
CREATE INDEX company_sites_recent ON company_sites(site_id, last_at);
ALTER TABLE companies ADD COLUMN last_at {{bigint}} NOT NULL DEFAULT 0;
CREATE INDEX companies_recent ON companies(workspace_id, last_at);

-- +goose Down
DROP INDEX companies_recent;
ALTER TABLE companies DROP COLUMN last_at;
DROP TABLE company_sites;
DROP TABLE company_days;
