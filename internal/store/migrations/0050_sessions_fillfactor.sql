-- +goose Up
-- On PostgreSQL the roll-up updates every visit's counters (pageviews,
-- events, engaged time, last activity, event range) after its events
-- arrive, most visits several times. None of those columns is indexed, so
-- each update can be a heap-only tuple (HOT) one, which writes no index
-- entry, if the row's page has room for the new version; with the default
-- fillfactor of 100 a third of them found none (measured under the
-- loadgen mix), and each of those wrote a new entry in all six of the
-- table's indexes. A quarter of each new page is left free for them.
-- Pages written before stay as they are. SQLite updates rows in place.
{{if postgres -}}
ALTER TABLE sessions SET (fillfactor = 75);
{{- else -}}
SELECT 1;
{{- end}}

-- +goose Down
{{if postgres -}}
ALTER TABLE sessions RESET (fillfactor);
{{- else -}}
SELECT 1;
{{- end}}
