-- +goose Up
-- A site's settings beyond its hostnames and GPC: the consent mode (see
-- foyer.ConsentMode), the excluded path patterns (newline-separated, see
-- foyer.MatchPath) and the person-identification features, stored now and
-- read when contact identification is built.
ALTER TABLE sites ADD COLUMN consent_mode TEXT NOT NULL DEFAULT 'none'
	CHECK (consent_mode IN ('none', 'required'));
ALTER TABLE sites ADD COLUMN excluded_paths TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN identify_forms {{bool}} NOT NULL DEFAULT {{bool_value false}};
ALTER TABLE sites ADD COLUMN identify_email_links {{bool}} NOT NULL DEFAULT {{bool_value false}};

-- +goose Down
ALTER TABLE sites DROP COLUMN identify_email_links;
ALTER TABLE sites DROP COLUMN identify_forms;
ALTER TABLE sites DROP COLUMN excluded_paths;
ALTER TABLE sites DROP COLUMN consent_mode;
