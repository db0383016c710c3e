-- +goose Up
-- The query parameters a site keeps in stored page URLs (see
-- foyer.Site.KeepParams), newline-separated, in lower case. Every other
-- parameter is dropped by the collector; none is kept until a site lists it.
ALTER TABLE sites ADD COLUMN keep_params TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sites DROP COLUMN keep_params;
