-- +goose Up
-- Running totals of company_days, kept by the roll-up beside them: per
-- company, site and UTC day on which the company visited the site, what it
-- did on that site up to and including that day. A period's sums are the
-- difference of two rows: the last on or before its last day, less the
-- last before its first day (none: zero). The feed of a period then reads
-- two rows per company and site instead of one per company, site and day.
-- last_at is of that day alone, as in company_days: it is the period's last
-- visit when the later row's day is in the period.
--
-- Whoever deletes old rows (a retention rule) must keep, for each company
-- and site, the last row before the oldest day still asked for, or rebase
-- every later row on it, and the totals in company_sites below with them:
-- a difference is only right while its earlier row is there, and the feed
-- takes company_sites' totals for the latest row's.
CREATE TABLE company_totals (
	company_id {{bigint}} NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
	site_id    {{bigint}} NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	day        {{bigint}} NOT NULL, -- days since 1970-01-01, UTC: a day of company_days
	visits     {{bigint}} NOT NULL, -- up to and including day
	pageviews  {{bigint}} NOT NULL,
	engaged_ms {{bigint}} NOT NULL,
	last_at    {{bigint}} NOT NULL, -- that day's last activity
	PRIMARY KEY (company_id, site_id, day)
){{if sqlite}} WITHOUT ROWID{{end}};

-- What the roll-up has already folded: company_days, summed in day order.
INSERT INTO company_totals (company_id, site_id, day, visits, pageviews, engaged_ms, last_at)
SELECT company_id, site_id, day,
	SUM(visits) OVER w, SUM(pageviews) OVER w, SUM(engaged_ms) OVER w, last_at
FROM company_days
WINDOW w AS (PARTITION BY company_id, site_id ORDER BY day ROWS UNBOUNDED PRECEDING);

-- And each company's totals on each site to date, beside its last visit
-- there: the latest row of company_totals, read without a seek. They bound
-- what the company can have done in any period, so the feed sums only the
-- companies that can still reach its page. The index of last visits holds
-- them too, so a period's companies are read from it alone.
ALTER TABLE company_sites ADD COLUMN visits {{bigint}} NOT NULL DEFAULT 0;
ALTER TABLE company_sites ADD COLUMN pageviews {{bigint}} NOT NULL DEFAULT 0;
ALTER TABLE company_sites ADD COLUMN engaged_ms {{bigint}} NOT NULL DEFAULT 0;
UPDATE company_sites SET visits = d.visits, pageviews = d.pageviews, engaged_ms = d.engaged_ms
FROM (SELECT company_id, site_id, SUM(visits) AS visits, SUM(pageviews) AS pageviews, SUM(engaged_ms) AS engaged_ms
	FROM company_days GROUP BY company_id, site_id) AS d
WHERE company_sites.company_id = d.company_id AND company_sites.site_id = d.site_id;
DROP INDEX company_sites_recent;
{{if sqlite -}}
CREATE INDEX company_sites_recent ON company_sites(site_id, last_at, company_id, visits, pageviews, engaged_ms);
{{- else -}}
CREATE INDEX company_sites_recent ON company_sites(site_id, last_at) INCLUDE (company_id, visits, pageviews, engaged_ms);
{{- end}}

-- The visits of each company per source and week (weeks from Monday, UTC:
-- week = (day + 3) / 7), beside company_sources: a page of the feed sums
-- its companies' sources over the period's whole weeks from here and over
-- the days at its ends from company_sources.
CREATE TABLE company_source_weeks (
	company_id {{bigint}} NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
	week       {{bigint}} NOT NULL,
	site_id    {{bigint}} NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	source     TEXT NOT NULL,
	visits     {{bigint}} NOT NULL DEFAULT 0,
	PRIMARY KEY (company_id, week, site_id, source){{if postgres}} INCLUDE (visits){{end}}
){{if sqlite}} WITHOUT ROWID{{end}};
INSERT INTO company_source_weeks (company_id, week, site_id, source, visits)
SELECT company_id, (day + 3) / 7, site_id, source, SUM(visits)
FROM company_sources GROUP BY company_id, (day + 3) / 7, site_id, source;
{{- if postgres}}

-- The feed's plans need the new tables' statistics now, not when
-- autovacuum comes round.
ANALYZE company_totals;
ANALYZE company_sites;
ANALYZE company_source_weeks;
{{- end}}

-- +goose Down
DROP TABLE company_source_weeks;
DROP INDEX company_sites_recent;
CREATE INDEX company_sites_recent ON company_sites(site_id, last_at);
ALTER TABLE company_sites DROP COLUMN engaged_ms;
ALTER TABLE company_sites DROP COLUMN pageviews;
ALTER TABLE company_sites DROP COLUMN visits;
DROP TABLE company_totals;
