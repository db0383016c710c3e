-- +goose Up
-- Each workspace's retention (foyer.Retention): days of raw events, days
-- of identification links, months after which an inactive contact is
-- flagged for review. events_purged_to is how far the retention job has
-- deleted the workspace's events: every one of its events up to that ID
-- is gone, so the next run starts after it.
ALTER TABLE workspaces ADD COLUMN retention_event_days {{bigint}} NOT NULL DEFAULT 395;
ALTER TABLE workspaces ADD COLUMN retention_link_days {{bigint}} NOT NULL DEFAULT 395;
ALTER TABLE workspaces ADD COLUMN retention_review_months {{bigint}} NOT NULL DEFAULT 24;
ALTER TABLE workspaces ADD COLUMN events_purged_to {{bigint}} NOT NULL DEFAULT 0;

-- When the retention job flagged the contact as inactive (no change, no
-- consent change, no identified visit for the workspace's months), for a
-- user to review; 0 when not flagged. Any activity clears it.
ALTER TABLE contacts ADD COLUMN review_at {{bigint}} NOT NULL DEFAULT 0;
-- The latest identified visit or browser link of the contact that the
-- retention job unlinked (0: none), which still counts as activity.
ALTER TABLE contacts ADD COLUMN seen_at {{bigint}} NOT NULL DEFAULT 0;
CREATE INDEX contacts_review ON contacts(workspace_id, id) WHERE review_at > 0;

-- What each run of the retention job did in a workspace: how many rows
-- of a kind it deleted (events, links), unlinked (visits) or flagged
-- (review), and its cutoff (older went).
CREATE TABLE retention_runs (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	at           {{bigint}} NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('events', 'links', 'visits', 'review')),
	removed      {{bigint}} NOT NULL,
	cutoff       {{bigint}} NOT NULL
);
CREATE INDEX retention_runs_workspace ON retention_runs(workspace_id, id);

-- +goose Down
DROP TABLE retention_runs;
DROP INDEX contacts_review;
ALTER TABLE contacts DROP COLUMN seen_at;
ALTER TABLE contacts DROP COLUMN review_at;
ALTER TABLE workspaces DROP COLUMN events_purged_to;
ALTER TABLE workspaces DROP COLUMN retention_review_months;
ALTER TABLE workspaces DROP COLUMN retention_link_days;
ALTER TABLE workspaces DROP COLUMN retention_event_days;
