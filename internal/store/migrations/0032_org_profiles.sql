-- +goose Up
-- What open data (Wikidata, CC0) says of an organisation, by the key
-- companies give it (companies.org_key): public facts of the organisation,
-- the same for every workspace, looked up by its domain or name only.
-- found false: nothing matched at looked_up_at (tried again later).
CREATE TABLE org_profiles (
	org_key      TEXT PRIMARY KEY,
	looked_up_at {{bigint}} NOT NULL,
	found        {{bool}} NOT NULL,
	qid          TEXT NOT NULL DEFAULT '',
	name         TEXT NOT NULL DEFAULT '',
	website      TEXT NOT NULL DEFAULT '',
	industry     TEXT NOT NULL DEFAULT '',
	employees    {{bigint}} NOT NULL DEFAULT 0,
	country      TEXT NOT NULL DEFAULT '',
	linkedin     TEXT NOT NULL DEFAULT '',
	logo         TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE org_profiles;
