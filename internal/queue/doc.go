// Package queue carries the collector's accepted batches to the workers
// that store them, over a NATS JetStream stream: the collector publishes
// each batch with a random ID (Publisher, a collect.Sink) and answers the
// browser once JetStream has acknowledged it; a worker (Worker) pulls many
// messages at once from a durable consumer, stores them with
// Store.AppendBatches in one transaction, which records the batch IDs so
// that a redelivered batch is stored once, and acknowledges them after the
// commit. Only one worker writes to a database at a time (Locker); the
// others wait to take over. See docs/queue.md.
package queue
