-- +goose Up
-- The account page lists a user's sessions and revokes one: each session
-- gets a random public ID to name it in forms (never its token's hash),
-- and a coarse device label such as "Firefox on Linux" taken from the
-- User-Agent at sign-in. No address is kept. Sessions stored before this
-- migration get an ID here; the unique index skips rows without one.
ALTER TABLE auth_sessions ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
ALTER TABLE auth_sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
UPDATE auth_sessions SET public_id = {{if sqlite}}lower(hex(randomblob(16))){{else}}replace(gen_random_uuid()::text, '-', ''){{end}};
CREATE UNIQUE INDEX auth_sessions_public_id ON auth_sessions(public_id) WHERE public_id <> '';

-- +goose Down
DROP INDEX auth_sessions_public_id;
ALTER TABLE auth_sessions DROP COLUMN device;
ALTER TABLE auth_sessions DROP COLUMN public_id;
