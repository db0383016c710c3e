-- +goose Up
-- Campaigns that Foyer sends itself through the operator's SMTP relay.
--
-- A job is one start of a send: its pacing (messages a minute), the
-- address the messages' links point at, and when its next message may go.
CREATE TABLE campaign_delivery_jobs (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	campaign_id  {{bigint}} NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	base_url     TEXT NOT NULL,
	per_minute   {{bigint}} NOT NULL,
	next_at      {{bigint}} NOT NULL DEFAULT 0,
	created_by   TEXT NOT NULL,
	created_at   {{bigint}} NOT NULL
);
CREATE INDEX campaign_delivery_jobs_campaign ON campaign_delivery_jobs(workspace_id, campaign_id);

-- One row per message of a job, for a recipient row made as a sends call
-- makes it. No address is kept for a recipient linked to its contact: it
-- is read from the contact when the message goes. A recipient who may not
-- be tracked has no link to its contact, so its address is kept here,
-- sealed (address), with its keyed hash (address_hash) so that erasing the
-- contact finds it; both, and the sealed tokens of the message, are set to
-- NULL as soon as the message is sent or has failed for good.
-- state: queued, sending (handed to the relay; a row found so at start was
-- interrupted and is marked 'unknown', never sent again), sent, bounced
-- (the relay refused it for good), failed, unknown.
CREATE TABLE campaign_deliveries (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	campaign_id  {{bigint}} NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	job_id       {{bigint}} NOT NULL REFERENCES campaign_delivery_jobs(id) ON DELETE CASCADE,
	recipient_id {{bigint}} NOT NULL REFERENCES campaign_recipients(id) ON DELETE CASCADE,
	state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'bounced', 'failed', 'unknown')),
	address      {{blob}},
	address_hash {{blob}},
	tokens       {{blob}},
	attempts     {{bigint}} NOT NULL DEFAULT 0,
	not_before   {{bigint}} NOT NULL DEFAULT 0,
	done_at      {{bigint}} NOT NULL DEFAULT 0,
	error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX campaign_deliveries_due ON campaign_deliveries(state, job_id, id);
CREATE INDEX campaign_deliveries_campaign ON campaign_deliveries(campaign_id, state);
CREATE INDEX campaign_deliveries_address ON campaign_deliveries(workspace_id, address_hash);

-- +goose Down
DROP TABLE campaign_deliveries;
DROP TABLE campaign_delivery_jobs;
