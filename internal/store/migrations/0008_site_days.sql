-- +goose Up
-- What a site's overview reads, per UTC day, kept by the roll-up: visits
-- (from companies, from carriers and hosting, and in all), page views, and
-- page views by page and visits by source.
CREATE TABLE site_days (
	site_id          {{bigint}} NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	day              {{bigint}} NOT NULL,
	visits           {{bigint}} NOT NULL DEFAULT 0,
	company_visits   {{bigint}} NOT NULL DEFAULT 0,
	anonymous_visits {{bigint}} NOT NULL DEFAULT 0, -- from carriers and hosting networks
	pageviews        {{bigint}} NOT NULL DEFAULT 0,
	PRIMARY KEY (site_id, day)
);
CREATE TABLE page_days (
	site_id   {{bigint}} NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	day       {{bigint}} NOT NULL,
	page_id   {{bigint}} NOT NULL,
	pageviews {{bigint}} NOT NULL DEFAULT 0,
	PRIMARY KEY (site_id, day, page_id)
);
CREATE TABLE source_days (
	site_id {{bigint}} NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	day     {{bigint}} NOT NULL,
	source  TEXT NOT NULL, -- utm_source, else the referrer's host, else 'direct'
	visits  {{bigint}} NOT NULL DEFAULT 0,
	PRIMARY KEY (site_id, day, source)
);

-- +goose Down
DROP TABLE source_days;
DROP TABLE page_days;
DROP TABLE site_days;
