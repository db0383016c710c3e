-- +goose Up
-- The IDs of the batches a queue worker has stored (foyer.Batch), written
-- in the transaction that stores the batch's events, so that a batch
-- delivered again after its acknowledgement was lost is not stored twice.
-- An ID is random and says nothing of the visitor; the retention job
-- forgets IDs after foyer.BatchIDKeep.
CREATE TABLE ingest_batches (
	id        TEXT NOT NULL PRIMARY KEY,
	stored_at {{bigint}} NOT NULL
){{if sqlite}} WITHOUT ROWID{{end}};
CREATE INDEX ingest_batches_stored ON ingest_batches(stored_at);

-- +goose Down
DROP TABLE ingest_batches;
