-- +goose Up
-- recovery_codes.used_at holds Unix milliseconds, which do not fit the
-- 32-bit INTEGER PostgreSQL gave it in 0007: spending a recovery code
-- failed there. SQLite's INTEGER is 64 bits already; a no-op keeps its
-- version in step.
{{if postgres}}ALTER TABLE recovery_codes ALTER COLUMN used_at TYPE BIGINT;{{else}}SELECT 1;{{end}}

-- +goose Down
{{if postgres}}ALTER TABLE recovery_codes ALTER COLUMN used_at TYPE INTEGER;{{else}}SELECT 1;{{end}}
