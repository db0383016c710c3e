-- +goose Up
-- When a contact unsubscribed from the workspace's emails through the
-- hosted unsubscribe form (Unix ms), 0 when it has not.
ALTER TABLE contacts ADD COLUMN unsubscribed_at {{bigint}} NOT NULL DEFAULT 0;

-- Whether the unsubscribe form's confirmation offers a link to the
-- behavioural-tracking opt-out form: on unless the workspace turns it off.
ALTER TABLE workspaces ADD COLUMN unsubscribe_offers_optout {{bool}} NOT NULL DEFAULT {{bool_value true}};

-- The workspace's logo, shown on the hosted forms: a small PNG or JPEG
-- that an owner uploads, and its media type; NULL when it has none.
ALTER TABLE workspaces ADD COLUMN logo {{blob}};
ALTER TABLE workspaces ADD COLUMN logo_type TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE workspaces DROP COLUMN logo_type;
ALTER TABLE workspaces DROP COLUMN logo;
ALTER TABLE workspaces DROP COLUMN unsubscribe_offers_optout;
ALTER TABLE contacts DROP COLUMN unsubscribed_at;
