-- +goose Up
-- The time zone a user reads times of day in: an IANA name such as
-- Europe/Berlin, or '' until the user chose one (times then show in UTC,
-- and the app asks). Day roll-ups stay per UTC day.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN time_zone;
