-- +goose Up
-- Times are Unix milliseconds in every table, in both dialects.
CREATE TABLE workspaces (
	id         {{identity}},
	name       TEXT NOT NULL UNIQUE,
	created_at {{bigint}} NOT NULL
);

CREATE TABLE sites (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	site_key     TEXT NOT NULL UNIQUE,
	name         TEXT NOT NULL,
	hostnames    TEXT NOT NULL, -- newline-separated
	honor_gpc    {{bool}} NOT NULL DEFAULT {{bool_value true}},
	created_at   {{bigint}} NOT NULL
);
CREATE INDEX sites_workspace ON sites(workspace_id);

-- A visitor is a random first-party ID; nothing personal.
CREATE TABLE visitors (
	id         {{identity}},
	site_id    {{bigint}} NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	uid        TEXT NOT NULL,
	created_at {{bigint}} NOT NULL,
	UNIQUE (site_id, uid)
);

-- Pages and links are interned per site so that an event row stays small.
CREATE TABLE pages (
	id      {{identity}},
	site_id {{bigint}} NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	host    TEXT NOT NULL,
	path    TEXT NOT NULL,
	title   TEXT NOT NULL,
	UNIQUE (site_id, host, path, title)
);

CREATE TABLE links (
	id      {{identity}},
	site_id {{bigint}} NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	url     TEXT NOT NULL,
	UNIQUE (site_id, url)
);

-- A session is a visit: the attributes that hold for all its events live here.
CREATE TABLE sessions (
	id           {{identity}},
	site_id      {{bigint}} NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	visitor_id   {{bigint}} NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
	started_at   {{bigint}} NOT NULL,
	last_at      {{bigint}} NOT NULL,
	referrer     TEXT NOT NULL DEFAULT '',
	utm_source   TEXT NOT NULL DEFAULT '',
	utm_medium   TEXT NOT NULL DEFAULT '',
	utm_campaign TEXT NOT NULL DEFAULT '',
	utm_term     TEXT NOT NULL DEFAULT '',
	utm_content  TEXT NOT NULL DEFAULT '',
	country      TEXT NOT NULL DEFAULT '',
	pageviews    {{bigint}} NOT NULL DEFAULT 0,
	engaged_ms   {{bigint}} NOT NULL DEFAULT 0,
	events       {{bigint}} NOT NULL DEFAULT 0,
	-- The visit's events lie between these IDs (the events table has no
	-- index by session): set by the roll-up, NULL until it reaches the visit.
	first_event_id {{bigint}},
	last_event_id  {{bigint}}
);
-- The counters, last_at and the event range above are roll-ups: Append
-- writes a visit once, when it starts, and Rollup folds its later events in
-- (see rollup.go). No index holds them, so updating one moves no index entry.
CREATE INDEX sessions_site_started ON sessions(site_id, started_at);
CREATE INDEX sessions_visitor ON sessions(visitor_id, id);

-- Events are the bulk of the data, and the ingest path only ever appends
-- them: a few integers a row, IDs in commit order, and no index that a new
-- event would land in the middle of. session_id is not a foreign key, as
-- a cascade would need an index by session: whoever deletes visits deletes
-- their events first, by the visits' event ranges.
CREATE TABLE events (
	id         {{identity}},
	session_id {{bigint}} NOT NULL,
	ts         {{bigint}} NOT NULL,
	kind       {{smallint}} NOT NULL,
	page_id    {{bigint}} NOT NULL,
	engaged_ms {{bigint}},
	link_id    {{bigint}}
);
-- Time only grows, so new entries land at the end of this index.
CREATE INDEX events_ts ON events(ts);

-- How far each roll-up has read the events table.
CREATE TABLE rollup_marks (
	name          TEXT PRIMARY KEY,
	last_event_id {{bigint}} NOT NULL
);
INSERT INTO rollup_marks (name, last_event_id) VALUES ('sessions', 0);

-- +goose Down
DROP TABLE rollup_marks;
DROP TABLE events;
DROP TABLE sessions;
DROP TABLE links;
DROP TABLE pages;
DROP TABLE visitors;
DROP TABLE sites;
DROP TABLE workspaces;
