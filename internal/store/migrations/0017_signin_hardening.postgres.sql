-- +goose Up
-- A TOTP code works once: the last time step a user's code was accepted
-- at, and no code of that step or an earlier one is taken again.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- A password reset link that a user asked for themselves ("forgot your
-- password") belongs to no workspace.
ALTER TABLE auth_links ALTER COLUMN workspace_id DROP NOT NULL;
-- A password change spends the user's outstanding reset links.
CREATE INDEX auth_links_user ON auth_links(user_id) WHERE user_id IS NOT NULL;

-- +goose Down
DROP INDEX auth_links_user;
DELETE FROM auth_links WHERE workspace_id IS NULL;
ALTER TABLE auth_links ALTER COLUMN workspace_id SET NOT NULL;
ALTER TABLE users DROP COLUMN totp_last_step;
