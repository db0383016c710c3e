-- +goose Up
-- The audit log (foyer.AuditEntry): who did what, when, to which object,
-- in a hash chain per workspace as the consent history is. workspace_id 0
-- is the installation's own log (failed sign-ins of addresses without an
-- account), so it has no foreign key; a workspace's entries go with it
-- when one is ever deleted. No IP address: network is a keyed hash of the
-- client's /24 or /48, or ''. Entries are never updated after their hash
-- is set; only the retention (PruneAudit) deletes, oldest first.
CREATE TABLE audit_log (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL,
	at           {{bigint}} NOT NULL,
	actor_kind   TEXT NOT NULL,
	actor_id     {{bigint}} NOT NULL,
	actor        TEXT NOT NULL,
	action       TEXT NOT NULL,
	object_type  TEXT NOT NULL,
	object_id    TEXT NOT NULL,
	detail       TEXT NOT NULL,
	user_agent   TEXT NOT NULL,
	network      TEXT NOT NULL,
	prev_hash    {{blob}} NOT NULL,
	hash         {{blob}} NOT NULL
);
CREATE INDEX audit_log_chain ON audit_log(workspace_id, id);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_object ON audit_log(workspace_id, object_type, object_id, id);

-- Each log's newest entry's hash (head), moved in the transaction that
-- appends, and the hash of the last entry the retention deleted (anchor),
-- after which the log now starts.
CREATE TABLE audit_heads (
	workspace_id {{bigint}} PRIMARY KEY,
	hash         {{blob}} NOT NULL,
	anchor       {{blob}} NOT NULL
);

-- +goose Down
DROP TABLE audit_heads;
DROP TABLE audit_log;
