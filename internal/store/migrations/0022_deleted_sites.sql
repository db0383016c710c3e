-- +goose Up
-- The sites DeleteSite deleted, and when: a batch of another process that
-- still names one (its collector had the site cached) is stored without
-- its hits, where a site that never existed fails the batch. A new site
-- that SQLite gives a deleted one's ID takes it off this list.
CREATE TABLE deleted_sites (
	site_id    {{bigint}} PRIMARY KEY,
	deleted_at {{bigint}} NOT NULL
);

-- +goose Down
DROP TABLE deleted_sites;
