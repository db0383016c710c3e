-- +goose Up
-- When the latest visit of each company_sources and company_source_weeks
-- row started (Unix ms; 0 when unknown), so that a company's top source
-- breaks a tie in visits by the most recent visit, not by name. The roll-up
-- keeps it from here on; the rows it has already written are filled from
-- the visits they count (the same visits and the same source expression
-- as in 0012: the names stored so far are not normalised, see
-- internal/referrer; the store normalises them when it reads them).
ALTER TABLE company_sources ADD COLUMN last_at {{bigint}} NOT NULL DEFAULT 0;
ALTER TABLE company_source_weeks ADD COLUMN last_at {{bigint}} NOT NULL DEFAULT 0;

UPDATE company_sources SET last_at = v.last_at
FROM (
{{- if sqlite}}
	SELECT company_id, day, site_id,
		CASE WHEN utm_source <> '' THEN utm_source
			WHEN referrer = '' THEN 'direct'
			WHEN substr(host, 1, 4) = 'www.' THEN substr(host, 5)
			ELSE host END AS source,
		MAX(started_at) AS last_at
	FROM (SELECT company_id, day, site_id, utm_source, referrer, started_at,
			CASE WHEN instr(rest, '/') > 0 THEN substr(rest, 1, instr(rest, '/') - 1) ELSE rest END AS host
		FROM (SELECT company_id, started_at / 86400000 AS day, site_id, utm_source, referrer, started_at,
				CASE WHEN instr(referrer, '://') > 0 THEN substr(referrer, instr(referrer, '://') + 3) ELSE referrer END AS rest
			FROM sessions
			WHERE company_id IS NOT NULL AND first_event_id IS NOT NULL))
	GROUP BY company_id, day, site_id, source
{{- else}}
	SELECT company_id, day, site_id, source, MAX(started_at) AS last_at FROM (
		SELECT company_id, started_at / 86400000 AS day, site_id, started_at,
			CASE WHEN utm_source <> '' THEN utm_source
				WHEN referrer = '' THEN 'direct'
				ELSE regexp_replace(split_part(CASE WHEN strpos(referrer, '://') > 0
					THEN substr(referrer, strpos(referrer, '://') + 3) ELSE referrer END, '/', 1), '^www\.', '')
			END AS source
		FROM sessions
		WHERE company_id IS NOT NULL AND first_event_id IS NOT NULL) AS s
	GROUP BY company_id, day, site_id, source
{{- end}}
) AS v
WHERE company_sources.company_id = v.company_id AND company_sources.day = v.day
	AND company_sources.site_id = v.site_id AND company_sources.source = v.source;

UPDATE company_source_weeks SET last_at = w.last_at
FROM (SELECT company_id, (day + 3) / 7 AS week, site_id, source, MAX(last_at) AS last_at
	FROM company_sources GROUP BY company_id, (day + 3) / 7, site_id, source) AS w
WHERE company_source_weeks.company_id = w.company_id AND company_source_weeks.week = w.week
	AND company_source_weeks.site_id = w.site_id AND company_source_weeks.source = w.source;

-- The feed's source filter finds the stored names of a source in
-- source_days, which the roll-up writes with company_sources, name for
-- name: make sure of it for rows rebuilt since (a row of no visits).
INSERT INTO source_days (site_id, day, source, visits)
SELECT DISTINCT site_id, day, source, 0 FROM company_sources WHERE true -- (SQLite reads ON after FROM t as a join without it)
ON CONFLICT (site_id, day, source) DO NOTHING;
{{- if postgres}}

-- The feed reads a page's sources from the keys alone: they hold last_at
-- now, beside the visits.
ALTER TABLE company_sources DROP CONSTRAINT company_sources_pkey,
	ADD PRIMARY KEY (company_id, day, site_id, source) INCLUDE (visits, last_at);
ALTER TABLE company_source_weeks DROP CONSTRAINT company_source_weeks_pkey,
	ADD PRIMARY KEY (company_id, week, site_id, source) INCLUDE (visits, last_at);
{{- end}}

-- The visits neither from a company nor anonymous (carriers, hosting):
-- from an organisation of unknown type, or without IP data. With them a
-- site's overview accounts for every visit: visits = company_visits +
-- anonymous_visits + unidentified_visits.
ALTER TABLE site_days ADD COLUMN unidentified_visits {{bigint}} NOT NULL DEFAULT 0;
UPDATE site_days SET unidentified_visits = visits - company_visits - anonymous_visits;

-- +goose Down
ALTER TABLE site_days DROP COLUMN unidentified_visits;
DELETE FROM source_days WHERE visits = 0;
{{- if postgres}}
ALTER TABLE company_source_weeks DROP CONSTRAINT company_source_weeks_pkey,
	ADD PRIMARY KEY (company_id, week, site_id, source) INCLUDE (visits);
ALTER TABLE company_sources DROP CONSTRAINT company_sources_pkey,
	ADD PRIMARY KEY (company_id, day, site_id, source) INCLUDE (visits);
{{- end}}
ALTER TABLE company_source_weeks DROP COLUMN last_at;
ALTER TABLE company_sources DROP COLUMN last_at;
