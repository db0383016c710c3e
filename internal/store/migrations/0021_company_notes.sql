-- +goose Up
-- What a workspace's team keeps about a company it follows up: notes,
-- tags and the member the company is assigned to. Each row names its
-- workspace beside the company, so that every read and write is scoped by
-- it as well as by the company.
CREATE TABLE company_notes (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	company_id   {{bigint}} NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
	author_id    {{bigint}} REFERENCES users(id) ON DELETE SET NULL, -- NULL once the account is gone
	body         TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
	created_at   {{bigint}} NOT NULL
);
CREATE INDEX company_notes_company ON company_notes(company_id, created_at);

-- A tag as its author wrote it (trimmed), and its key: lower case, unique
-- per company; the feed's filter matches the key.
CREATE TABLE company_tags (
	company_id   {{bigint}} NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
	tag_key      TEXT NOT NULL,
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	tag          TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 40),
	created_at   {{bigint}} NOT NULL,
	PRIMARY KEY (company_id, tag_key)
);
CREATE INDEX company_tags_key ON company_tags(workspace_id, tag_key, company_id);

-- The member a company is assigned to: the key to memberships makes it a
-- member of the company's workspace, and removing the member from the
-- workspace (or the workspace) clears the assignment.
CREATE TABLE company_assignees (
	company_id   {{bigint}} PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
	workspace_id {{bigint}} NOT NULL,
	user_id      {{bigint}} NOT NULL,
	assigned_at  {{bigint}} NOT NULL,
	FOREIGN KEY (workspace_id, user_id) REFERENCES memberships(workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX company_assignees_user ON company_assignees(workspace_id, user_id);

-- +goose Down
DROP TABLE company_assignees;
DROP TABLE company_tags;
DROP TABLE company_notes;
