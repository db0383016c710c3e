-- +goose Up
-- What the company feed reads: per company, site and UTC day, kept by the
-- roll-up (rollup.go) from the events it folds, never by the ingest path.
CREATE TABLE company_days (
	company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
	site_id    BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	day        BIGINT NOT NULL, -- days since 1970-01-01, UTC
	visits     BIGINT NOT NULL DEFAULT 0, -- visits that started that day
	pageviews  BIGINT NOT NULL DEFAULT 0,
	engaged_ms BIGINT NOT NULL DEFAULT 0,
	events     BIGINT NOT NULL DEFAULT 0,
	last_at    BIGINT NOT NULL,
	PRIMARY KEY (company_id, site_id, day)
);
CREATE INDEX company_days_site_day ON company_days(site_id, day);

-- +goose Down
DROP TABLE company_days;
