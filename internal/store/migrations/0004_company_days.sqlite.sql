-- +goose Up
-- What the company feed reads: per company, site and UTC day, kept by the
-- roll-up (rollup.go) from the events it folds, never by the ingest path.
CREATE TABLE company_days (
	company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
	site_id    INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	day        INTEGER NOT NULL, -- days since 1970-01-01, UTC
	visits     INTEGER NOT NULL DEFAULT 0, -- visits that started that day
	pageviews  INTEGER NOT NULL DEFAULT 0,
	engaged_ms INTEGER NOT NULL DEFAULT 0,
	events     INTEGER NOT NULL DEFAULT 0,
	last_at    INTEGER NOT NULL,
	PRIMARY KEY (company_id, site_id, day)
);
CREATE INDEX company_days_site_day ON company_days(site_id, day);

-- +goose Down
DROP TABLE company_days;
