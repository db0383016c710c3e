-- +goose Up
-- Each contact import (a file from the import page or the command line)
-- and how far it got: its counts move in the transaction that writes each
-- batch of its rows, so that after a cancellation or a crash they say
-- exactly what was written. No personal data: the file's name (cut to 120
-- bytes) is the only text the user chose; user_id is NULL for the command
-- line, or once the account is gone.
CREATE TABLE contact_imports (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	user_id      {{bigint}} REFERENCES users(id) ON DELETE SET NULL,
	file_name    TEXT NOT NULL,
	format       TEXT NOT NULL CHECK (format IN ('csv', 'ndjson')),
	state        TEXT NOT NULL CHECK (state IN ('running', 'done', 'cancelled', 'failed')),
	error        TEXT NOT NULL DEFAULT '',
	rows_read    {{bigint}} NOT NULL DEFAULT 0,
	bytes_read   {{bigint}} NOT NULL DEFAULT 0,
	bytes_total  {{bigint}} NOT NULL DEFAULT 0,
	new_count       {{bigint}} NOT NULL DEFAULT 0,
	updated_count   {{bigint}} NOT NULL DEFAULT 0,
	unchanged_count {{bigint}} NOT NULL DEFAULT 0,
	rejected_count  {{bigint}} NOT NULL DEFAULT 0,
	started_at   {{bigint}} NOT NULL,
	finished_at  {{bigint}} NOT NULL DEFAULT 0
);
CREATE INDEX contact_imports_workspace ON contact_imports(workspace_id, id);

-- The first rejected rows of an import (at most 1,000 are kept; the count
-- is in contact_imports): the line and the reason, never the row's values.
CREATE TABLE contact_import_rejections (
	import_id {{bigint}} NOT NULL REFERENCES contact_imports(id) ON DELETE CASCADE,
	line      {{bigint}} NOT NULL,
	reason    TEXT NOT NULL,
	PRIMARY KEY (import_id, line)
);

-- +goose Down
DROP TABLE contact_import_rejections;
DROP TABLE contact_imports;
