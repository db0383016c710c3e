-- +goose Up
-- Email campaigns: a message (subject and HTML) that a workspace sends with
-- any email tool, its links in order, its recipients and what they did.
--
-- Anonymised at the source: a recipient who may not be tracked when the
-- message is made has a row with contact_id NULL from the start, and a
-- contact who refuses later is detached (contact_id set to NULL) before any
-- open or click of theirs is recorded. Nothing else links an open or a
-- click to a contact: email_events point at the recipient row, never at the
-- contact. The campaign's totals are counted from these rows, so they stay
-- exact either way.
CREATE TABLE campaigns (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	subject      TEXT NOT NULL,
	html         TEXT NOT NULL,
	created_by   TEXT NOT NULL,
	created_at   {{bigint}} NOT NULL
);
CREATE INDEX campaigns_workspace ON campaigns(workspace_id, id);

-- The links of a campaign's message, in the order they appear (position
-- from 1). The click redirect goes only to one of these URLs.
CREATE TABLE campaign_links (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	campaign_id  {{bigint}} NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	position     {{bigint}} NOT NULL,
	url          TEXT NOT NULL,
	UNIQUE (campaign_id, position)
);

-- One row per message made for a recipient. contact_id is NULL for a
-- recipient who may not be tracked (at send time or since). The first_*
-- columns are the first open and click by a person (not a scanner), in
-- Unix ms, 0 for none; they make the unique counts.
CREATE TABLE campaign_recipients (
	id             {{identity}},
	workspace_id   {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	campaign_id    {{bigint}} NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	contact_id     {{bigint}},
	sent_at        {{bigint}} NOT NULL,
	delivered_at   {{bigint}} NOT NULL DEFAULT 0,
	bounced_at     {{bigint}} NOT NULL DEFAULT 0,
	bounce         TEXT NOT NULL DEFAULT '',
	first_open_at  {{bigint}} NOT NULL DEFAULT 0,
	first_click_at {{bigint}} NOT NULL DEFAULT 0
);
CREATE INDEX campaign_recipients_campaign ON campaign_recipients(campaign_id, id);
CREATE INDEX campaign_recipients_contact ON campaign_recipients(workspace_id, contact_id);

-- The tokens of the open pixel (/o/{token}, link_id 0) and of each wrapped
-- link (/c/{token}) of each recipient's message: SHA-256 of a random token
-- of at least 128 bits; the token itself is never stored.
CREATE TABLE campaign_tokens (
	token_hash   {{blob}} NOT NULL PRIMARY KEY,
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	campaign_id  {{bigint}} NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	recipient_id {{bigint}} NOT NULL REFERENCES campaign_recipients(id) ON DELETE CASCADE,
	link_id      {{bigint}} NOT NULL DEFAULT 0
);
CREATE INDEX campaign_tokens_recipient ON campaign_tokens(recipient_id);

-- Each open (link_id 0) and click. machine is '' for a person, else why the
-- event was taken for a mail scanner or prefetcher ('head', 'scanner-agent',
-- 'prefetch', 'all-links'); such events are counted apart.
CREATE TABLE email_events (
	id           {{identity}},
	workspace_id {{bigint}} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	campaign_id  {{bigint}} NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	recipient_id {{bigint}} NOT NULL REFERENCES campaign_recipients(id) ON DELETE CASCADE,
	link_id      {{bigint}} NOT NULL DEFAULT 0,
	kind         TEXT NOT NULL CHECK (kind IN ('open', 'click')),
	at           {{bigint}} NOT NULL,
	machine      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX email_events_campaign ON email_events(campaign_id, kind, at);
CREATE INDEX email_events_recipient ON email_events(recipient_id, at);

-- +goose Down
DROP TABLE email_events;
DROP TABLE campaign_tokens;
DROP TABLE campaign_recipients;
DROP TABLE campaign_links;
DROP TABLE campaigns;
