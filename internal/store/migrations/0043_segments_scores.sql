-- +goose Up
-- Segments of a workspace's contacts. definition is the segment's
-- conditions as JSON; '' makes a static list, whose members are added by
-- hand or by an automation. members and excluded_untracked are the counts
-- as of the last change (excluded_untracked: contacts that a behavioural
-- condition would have matched but who may not be tracked).
CREATE TABLE segments (
	id                 {{identity}},
	workspace_id       {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	name               TEXT NOT NULL,
	definition         TEXT NOT NULL DEFAULT '',
	members            {{bigint}} NOT NULL DEFAULT 0,
	excluded_untracked {{bigint}} NOT NULL DEFAULT 0,
	evaluated_at       {{bigint}} NOT NULL DEFAULT 0,
	created_by         TEXT NOT NULL,
	created_at         {{bigint}} NOT NULL,
	updated_at         {{bigint}} NOT NULL,
	UNIQUE (workspace_id, name)
);

-- A segment's members. added says how: 'rule' (its conditions match),
-- 'manual' (a user) or 'automation' (a rule's action).
CREATE TABLE segment_members (
	segment_id   {{bigint}} NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
	contact_id   {{bigint}} NOT NULL,
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	added        TEXT NOT NULL DEFAULT 'rule' CHECK (added IN ('rule', 'manual', 'automation')),
	since        {{bigint}} NOT NULL,
	PRIMARY KEY (segment_id, contact_id)
);
CREATE INDEX segment_members_contact ON segment_members(workspace_id, contact_id);

-- Scoring rules: points for behaviour (visits to pages, engaged time,
-- opens, clicks, forms) and for attributes (contact and company fields),
-- given to contacts or to companies. definition is the rule's condition as
-- JSON; behavioural rules never give points to an untracked contact.
CREATE TABLE score_rules (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	target       TEXT NOT NULL CHECK (target IN ('contact', 'company')),
	name         TEXT NOT NULL,
	definition   TEXT NOT NULL,
	points       {{bigint}} NOT NULL,
	behavioural  {{bool}} NOT NULL,
	created_by   TEXT NOT NULL,
	created_at   {{bigint}} NOT NULL
);
CREATE INDEX score_rules_workspace ON score_rules(workspace_id, target);

-- Scores, in thousandths of a point, as of at (Unix ms); they halve every
-- workspaces.score_half_life_days after that.
CREATE TABLE scores (
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	subject      TEXT NOT NULL CHECK (subject IN ('contact', 'company')),
	subject_id   {{bigint}} NOT NULL,
	milli        {{bigint}} NOT NULL,
	at           {{bigint}} NOT NULL,
	PRIMARY KEY (workspace_id, subject, subject_id)
);
ALTER TABLE workspaces ADD COLUMN score_half_life_days {{bigint}} NOT NULL DEFAULT 30;

-- What automations act on, written in the same transaction as the change:
-- a contact entering or leaving a segment, a contact's or company's score
-- changing. The automation worker reads it in id order from its cursor.
-- behavioural says whether behaviour caused it (so a rule for tracked
-- contacts only can tell).
CREATE TABLE automation_events (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	kind         TEXT NOT NULL CHECK (kind IN ('segment-entered', 'segment-left', 'score-changed')),
	segment_id   {{bigint}} NOT NULL DEFAULT 0,
	contact_id   {{bigint}} NOT NULL DEFAULT 0,
	company_id   {{bigint}} NOT NULL DEFAULT 0,
	old_milli    {{bigint}} NOT NULL DEFAULT 0,
	new_milli    {{bigint}} NOT NULL DEFAULT 0,
	behavioural  {{bool}} NOT NULL,
	at           {{bigint}} NOT NULL
);

-- +goose Down
DROP TABLE automation_events;
ALTER TABLE workspaces DROP COLUMN score_half_life_days;
DROP TABLE scores;
DROP TABLE score_rules;
DROP TABLE segment_members;
DROP TABLE segments;
