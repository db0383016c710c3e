-- +goose Up
-- Automation rules: when a contact enters a segment, or a contact's or a
-- company's score crosses a threshold upwards, run the rule's actions.
-- actions is a JSON list (see foyer.AutomationAction); secret is the key of
-- the webhook signatures, sealed under a key derived from the master key.
-- fired and skipped_untracked count the events the rule acted on and those
-- it skipped because the contact could not be tracked: a skip keeps no
-- trace of the contact, not even its time.
CREATE TABLE automation_rules (
	id                {{identity}},
	workspace_id      {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	name              TEXT NOT NULL,
	trigger_kind      TEXT NOT NULL CHECK (trigger_kind IN ('segment-entered', 'contact-score', 'company-score')),
	segment_id        {{bigint}} NOT NULL DEFAULT 0,
	threshold_milli   {{bigint}} NOT NULL DEFAULT 0,
	actions           TEXT NOT NULL,
	secret            {{blob}} NOT NULL,
	enabled           {{bool}} NOT NULL,
	only_tracked      {{bool}} NOT NULL,
	fired             {{bigint}} NOT NULL DEFAULT 0,
	skipped_untracked {{bigint}} NOT NULL DEFAULT 0,
	last_fired_at     {{bigint}} NOT NULL DEFAULT 0,
	created_by        TEXT NOT NULL,
	created_at        {{bigint}} NOT NULL,
	updated_at        {{bigint}} NOT NULL,
	UNIQUE (workspace_id, name)
);

-- How far the automation worker has read automation_events (one row), and
-- the IDs below that point it has not seen yet: an event whose transaction
-- took its ID before a later one's but committed after it (PostgreSQL)
-- is read when it appears; a gap of a rolled-back transaction is forgotten
-- after a while.
CREATE TABLE automation_cursor (
	id      {{bigint}} PRIMARY KEY CHECK (id = 1),
	last_id {{bigint}} NOT NULL
);
CREATE TABLE automation_gaps (
	event_id {{bigint}} PRIMARY KEY,
	seen_at  {{bigint}} NOT NULL
);
{{if sqlite}}
-- SQLite gives a new row the highest ID plus one: when the newest events
-- are deleted (their workspace deleted), the next event takes an ID the
-- cursor has passed. Such an event is awaited like a gap.
-- +goose StatementBegin
CREATE TRIGGER automation_events_reused AFTER INSERT ON automation_events
WHEN NEW.id <= (SELECT last_id FROM automation_cursor WHERE id = 1)
BEGIN
	INSERT INTO automation_gaps (event_id, seen_at) VALUES (NEW.id, NEW.at) ON CONFLICT (event_id) DO UPDATE SET seen_at = NEW.at;
END;
-- +goose StatementEnd
{{end}}
-- The outbox: one row per action of a rule an event fired, written in the
-- same transaction as the cursor's advance. The contact or company it is
-- about goes with them (an erasure deletes the deliveries of the contact).
-- status: 'pending' until it succeeds ('delivered') or its retries end
-- ('failed'). next_at is when it is due (or, while an attempt runs, when
-- that attempt's lease ends).
CREATE TABLE automation_deliveries (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	rule_id      {{bigint}} NOT NULL REFERENCES automation_rules(id) ON DELETE CASCADE,
	event_id     {{bigint}} NOT NULL,
	action_index {{bigint}} NOT NULL,
	action_kind  TEXT NOT NULL CHECK (action_kind IN ('segment', 'email', 'slack', 'webhook')),
	trigger_kind TEXT NOT NULL,
	segment_id   {{bigint}} NOT NULL DEFAULT 0,
	contact_id   {{bigint}} REFERENCES contacts(id) ON DELETE CASCADE,
	company_id   {{bigint}} REFERENCES companies(id) ON DELETE CASCADE,
	old_milli    {{bigint}} NOT NULL DEFAULT 0,
	new_milli    {{bigint}} NOT NULL DEFAULT 0,
	behavioural  {{bool}} NOT NULL,
	event_at     {{bigint}} NOT NULL,
	status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
	attempts     {{bigint}} NOT NULL DEFAULT 0,
	created_at   {{bigint}} NOT NULL,
	first_at     {{bigint}} NOT NULL DEFAULT 0,
	next_at      {{bigint}} NOT NULL,
	done_at      {{bigint}} NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	UNIQUE (rule_id, event_id, action_index)
);
CREATE INDEX automation_deliveries_due ON automation_deliveries(status, next_at);
CREATE INDEX automation_deliveries_rule ON automation_deliveries(workspace_id, rule_id, id);
CREATE INDEX automation_deliveries_contact ON automation_deliveries(contact_id);
CREATE INDEX automation_deliveries_company ON automation_deliveries(company_id);

-- Each attempt of a delivery: when, the HTTP status (0 when there was no
-- answer) or the error, and how long it took.
CREATE TABLE automation_attempts (
	id           {{identity}},
	delivery_id  {{bigint}} NOT NULL REFERENCES automation_deliveries(id) ON DELETE CASCADE,
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	at           {{bigint}} NOT NULL,
	http_status  {{bigint}} NOT NULL DEFAULT 0,
	error        TEXT NOT NULL DEFAULT '',
	duration_ms  {{bigint}} NOT NULL DEFAULT 0
);
CREATE INDEX automation_attempts_delivery ON automation_attempts(delivery_id, id);

-- +goose Down
DROP TABLE automation_attempts;
DROP TABLE automation_deliveries;
{{if sqlite}}DROP TRIGGER automation_events_reused;{{end}}
DROP TABLE automation_gaps;
DROP TABLE automation_cursor;
DROP TABLE automation_rules;
