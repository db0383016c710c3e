-- +goose Up
-- Data-subject requests (access, rectification, erasure, objection) about
-- a workspace's contacts: when each came, when it is due, who opened and
-- who closed it, and what was done. A request outlives its contact (an
-- erasure request erases it), so contact_id has no foreign key; no
-- personal field is kept here.
CREATE TABLE subject_requests (
	id          {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	contact_id  {{bigint}} NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure', 'objection')),
	status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'rejected')),
	reference   TEXT NOT NULL DEFAULT '',
	received_at {{bigint}} NOT NULL,
	due_at      {{bigint}} NOT NULL,
	opened_by   TEXT NOT NULL,
	closed_at   {{bigint}} NOT NULL DEFAULT 0,
	closed_by   TEXT NOT NULL DEFAULT '',
	outcome     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX subject_requests_open ON subject_requests(workspace_id, status, due_at);
CREATE INDEX subject_requests_contact ON subject_requests(workspace_id, contact_id, id);

-- How many days the workspace gives itself to answer a request.
ALTER TABLE workspaces ADD COLUMN request_days {{bigint}} NOT NULL DEFAULT 30;

-- +goose Down
ALTER TABLE workspaces DROP COLUMN request_days;
DROP TABLE subject_requests;
