-- +goose Up
-- A member's subscription to a saved feed: an email when a company enters
-- it, at once ('immediately') or in a digest at 08:00 in the member's time
-- zone ('daily', or 'weekly' on Mondays). It belongs to the membership, so
-- that removing the member from the workspace drops it. checked_at is the
-- job's last check (0: none yet, the first check takes the feed's
-- companies as already known); cut_at is when the last digest (or, for a
-- new subscription, the subscription) closed the companies it lists;
-- last_sent_at and last_sent_count say what the last sent email held.
CREATE TABLE feed_alerts (
	id              {{identity}},
	workspace_id    {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	user_id         {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	saved_feed_id   {{bigint}} NOT NULL REFERENCES saved_feeds(id) ON DELETE CASCADE,
	frequency       TEXT NOT NULL CHECK (frequency IN ('immediately', 'daily', 'weekly')),
	created_at      {{bigint}} NOT NULL,
	checked_at      {{bigint}} NOT NULL DEFAULT 0,
	cut_at          {{bigint}} NOT NULL,
	last_sent_at    {{bigint}} NOT NULL DEFAULT 0,
	last_sent_count {{bigint}} NOT NULL DEFAULT 0,
	UNIQUE (user_id, saved_feed_id),
	FOREIGN KEY (workspace_id, user_id) REFERENCES memberships(workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX feed_alerts_feed ON feed_alerts(saved_feed_id);
CREATE INDEX feed_alerts_membership ON feed_alerts(workspace_id, user_id);

-- One email of a subscription, written before it is sent (sent_at 0) and
-- marked sent after, so that a restart sends what it has not sent and
-- never sends a company twice.
CREATE TABLE feed_alert_deliveries (
	id          {{identity}},
	alert_id    {{bigint}} NOT NULL REFERENCES feed_alerts(id) ON DELETE CASCADE,
	created_at  {{bigint}} NOT NULL,
	companies   {{bigint}} NOT NULL,
	sent_at     {{bigint}} NOT NULL DEFAULT 0,
	attempts    {{bigint}} NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX feed_alert_deliveries_alert ON feed_alert_deliveries(alert_id, sent_at);

-- The companies a subscription has seen in its feed. fresh is false for
-- those of its first check (already there when it began); a fresh company
-- waits for an email until delivery_id names the one that lists it.
-- visits and pageviews are the company's figures in the feed's period at
-- the latest check that saw it, which the email shows.
CREATE TABLE feed_alert_companies (
	alert_id    {{bigint}} NOT NULL REFERENCES feed_alerts(id) ON DELETE CASCADE,
	company_id  {{bigint}} NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
	found_at    {{bigint}} NOT NULL,
	fresh       {{bool}} NOT NULL,
	visits      {{bigint}} NOT NULL DEFAULT 0,
	pageviews   {{bigint}} NOT NULL DEFAULT 0,
	delivery_id {{bigint}} REFERENCES feed_alert_deliveries(id) ON DELETE SET NULL,
	PRIMARY KEY (alert_id, company_id)
);
CREATE INDEX feed_alert_companies_company ON feed_alert_companies(company_id);
CREATE INDEX feed_alert_companies_delivery ON feed_alert_companies(delivery_id);

-- +goose Down
DROP TABLE feed_alert_companies;
DROP TABLE feed_alert_deliveries;
DROP TABLE feed_alerts;
