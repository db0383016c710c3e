-- +goose Up
-- The events table loses its index by time, a sixth of what an event
-- costs to store, for a few rows a minute: each says that every event up
-- to event_id happened at or before max_ts (the latest time among them).
-- Events get their IDs in the order they are stored and their times when
-- they arrive, so times rise with IDs but for the events of one commit:
-- the export of the events since a time starts after the last mark before
-- that time and reads on by ID. The roll-up keeps one mark a minute, the
-- last event it has read by then.
CREATE TABLE event_marks (
	minute   BIGINT PRIMARY KEY, -- max_ts / 60000
	event_id BIGINT NOT NULL,
	max_ts   BIGINT NOT NULL
);

-- What the roll-up has already read, in chunks of 10,000 IDs: each chunk's
-- last ID and latest time in one pass over the table, then the running
-- latest of the chunks, and a mark per minute of that. (A MAX(ts) per
-- chunk would walk the index by time from the top for each chunk.)
INSERT INTO event_marks (minute, event_id, max_ts)
SELECT latest / 60000, MAX(hi), MAX(latest)
FROM (SELECT hi, MAX(chunk_latest) OVER (ORDER BY hi ROWS UNBOUNDED PRECEDING) AS latest
	FROM (SELECT MAX(id) AS hi, MAX(ts) AS chunk_latest FROM events
		WHERE id <= (SELECT last_event_id FROM rollup_marks WHERE name = 'sessions')
		GROUP BY id / 10000) AS c) AS r
GROUP BY latest / 60000;

DROP INDEX events_ts;

-- +goose Down
CREATE INDEX events_ts ON events(ts);
DROP TABLE event_marks;
