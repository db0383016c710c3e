-- +goose Up
-- Times are Unix milliseconds in every table, in both dialects.
CREATE TABLE workspaces (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);

CREATE TABLE sites (
	id           INTEGER PRIMARY KEY,
	workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	site_key     TEXT NOT NULL UNIQUE,
	name         TEXT NOT NULL,
	hostnames    TEXT NOT NULL, -- newline-separated
	honor_gpc    INTEGER NOT NULL DEFAULT 1,
	created_at   INTEGER NOT NULL
);
CREATE INDEX sites_workspace ON sites(workspace_id);

-- A visitor is a random first-party ID; nothing personal.
CREATE TABLE visitors (
	id         INTEGER PRIMARY KEY,
	site_id    INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	uid        TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (site_id, uid)
);

-- Pages and links are interned per site so that an event row stays small.
CREATE TABLE pages (
	id      INTEGER PRIMARY KEY,
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	host    TEXT NOT NULL,
	path    TEXT NOT NULL,
	title   TEXT NOT NULL,
	UNIQUE (site_id, host, path, title)
);

CREATE TABLE links (
	id      INTEGER PRIMARY KEY,
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	url     TEXT NOT NULL,
	UNIQUE (site_id, url)
);

-- A session is a visit: the attributes that hold for all its events live here.
CREATE TABLE sessions (
	id           INTEGER PRIMARY KEY,
	site_id      INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	visitor_id   INTEGER NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
	started_at   INTEGER NOT NULL,
	last_at      INTEGER NOT NULL,
	referrer     TEXT NOT NULL DEFAULT '',
	utm_source   TEXT NOT NULL DEFAULT '',
	utm_medium   TEXT NOT NULL DEFAULT '',
	utm_campaign TEXT NOT NULL DEFAULT '',
	utm_term     TEXT NOT NULL DEFAULT '',
	utm_content  TEXT NOT NULL DEFAULT '',
	country      TEXT NOT NULL DEFAULT '',
	pageviews    INTEGER NOT NULL DEFAULT 0,
	engaged_ms   INTEGER NOT NULL DEFAULT 0,
	events       INTEGER NOT NULL DEFAULT 0
);
-- No index holds last_at or a counter: Append updates those for every
-- event, and an indexed column would move index entries each time.
CREATE INDEX sessions_site_started ON sessions(site_id, started_at);
CREATE INDEX sessions_visitor ON sessions(visitor_id, id);

-- Events are the bulk of the data: keep each row to a handful of integers.
CREATE TABLE events (
	id         INTEGER PRIMARY KEY,
	session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	ts         INTEGER NOT NULL,
	kind       INTEGER NOT NULL,
	page_id    INTEGER NOT NULL,
	engaged_ms INTEGER,
	link_id    INTEGER
);
CREATE INDEX events_session ON events(session_id);

-- +goose Down
DROP TABLE events;
DROP TABLE sessions;
DROP TABLE links;
DROP TABLE pages;
DROP TABLE visitors;
DROP TABLE sites;
DROP TABLE workspaces;
