-- +goose Up
-- What a site's overview reads, per UTC day, kept by the roll-up: visits
-- (from companies, from carriers and hosting, and in all), page views, and
-- page views by page and visits by source.
CREATE TABLE site_days (
	site_id          INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	day              INTEGER NOT NULL,
	visits           INTEGER NOT NULL DEFAULT 0,
	company_visits   INTEGER NOT NULL DEFAULT 0,
	anonymous_visits INTEGER NOT NULL DEFAULT 0, -- from carriers and hosting networks
	pageviews        INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (site_id, day)
);
CREATE TABLE page_days (
	site_id   INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	day       INTEGER NOT NULL,
	page_id   INTEGER NOT NULL,
	pageviews INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (site_id, day, page_id)
);
CREATE TABLE source_days (
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	day     INTEGER NOT NULL,
	source  TEXT NOT NULL, -- utm_source, else the referrer's host, else 'direct'
	visits  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (site_id, day, source)
);

-- +goose Down
DROP TABLE source_days;
DROP TABLE page_days;
DROP TABLE site_days;
