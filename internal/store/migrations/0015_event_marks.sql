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
	minute   {{bigint}} PRIMARY KEY, -- max_ts / 60000
	event_id {{bigint}} NOT NULL,
	max_ts   {{bigint}} NOT NULL
);

{{if sqlite -}}
-- What the roll-up has already read, in chunks of 10,000 IDs: each chunk's
-- latest time, by a range of the key (the index by time is not used: it
-- is about to go), then the running latest of the chunks, and a mark per
-- minute of that. A chunk at a time keeps the memory small on large tables.
WITH RECURSIVE chunks (lo) AS (
	SELECT 0
	UNION ALL
	SELECT lo + 10000 FROM chunks
	WHERE lo + 10000 < (SELECT last_event_id FROM rollup_marks WHERE name = 'sessions')
)
INSERT INTO event_marks (minute, event_id, max_ts)
SELECT latest / 60000, MAX(hi), MAX(latest)
FROM (SELECT hi, MAX(chunk_latest) OVER (ORDER BY hi ROWS UNBOUNDED PRECEDING) AS latest
	FROM (SELECT MIN(lo + 10000, (SELECT last_event_id FROM rollup_marks WHERE name = 'sessions')) AS hi,
			(SELECT MAX(ts) FROM events WHERE id > lo AND id <= lo + 10000) AS chunk_latest
		FROM chunks) AS c
	WHERE chunk_latest IS NOT NULL) AS r
GROUP BY latest / 60000;
{{- else -}}
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
{{- end}}

DROP INDEX events_ts;

-- +goose Down
CREATE INDEX events_ts ON events(ts);
DROP TABLE event_marks;
