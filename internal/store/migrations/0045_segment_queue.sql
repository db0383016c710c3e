-- +goose Up
-- Contacts whose segments and score must be evaluated again: written in
-- the transaction that changes a contact (created, edited, consent,
-- unlinked visits), drained by the segment evaluator. Rows name a contact
-- only; they carry no data of it.
CREATE TABLE segment_dirty (
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	contact_id   {{bigint}} NOT NULL,
	at           {{bigint}} NOT NULL,
	PRIMARY KEY (workspace_id, contact_id)
);

-- The contacts a dynamic segment leaves out because they may not be
-- tracked: contacts MayTrack refuses who would be members if every
-- behavioural condition held for them. Decided from attributes only, so
-- a row says nothing of what the contact did; it makes
-- segments.excluded_untracked exact without a full evaluation.
CREATE TABLE segment_excluded (
	segment_id   {{bigint}} NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
	contact_id   {{bigint}} NOT NULL,
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	PRIMARY KEY (segment_id, contact_id)
);
CREATE INDEX segment_excluded_contact ON segment_excluded(workspace_id, contact_id);

-- The evaluator's progress in each workspace: when it last evaluated
-- every contact and company (0: it must), and up to when it has read new
-- identified visits, campaign opens and clicks and company visits.
CREATE TABLE segment_runs (
	workspace_id {{bigint}} NOT NULL PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
	full_at      {{bigint}} NOT NULL DEFAULT 0,
	polled_to    {{bigint}} NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE segment_runs;
DROP TABLE segment_excluded;
DROP TABLE segment_dirty;
