-- +goose Up
-- The root secret of the database, wrapped under its master key: the lookup
-- key of the keyed hashes and the keys of vault.Keyring.Derive come from it,
-- so that they outlive a rotation of the master key. NULL: the root is the
-- bound master key's own (a database not rotated yet, whose derived keys
-- came from the master key before roots existed).
ALTER TABLE master_key ADD COLUMN root {{blob}};

-- A rotation of the master key under way (foyer keys rotate): the new key's
-- check, its key-encryption key wrapped under the old one (so that a
-- running server holding the old key opens the data keys already rewrapped,
-- and wraps new ones under the new key), the root wrapped under the new key,
-- and how far the rewrap got: every contact up to last_id is done, up to
-- end_id, the last contact when the rotation began (those made after are
-- made under the new key, or rewrapped by the rotation's last sweep). The row
-- goes when the rewrap ends and master_key names the new key.
CREATE TABLE key_rotation (
	id         {{smallint}} PRIMARY KEY CHECK (id = 1),
	old_check  TEXT NOT NULL,
	new_check  TEXT NOT NULL,
	new_kek    {{blob}} NOT NULL,
	new_root   {{blob}} NOT NULL,
	last_id    {{bigint}} NOT NULL DEFAULT 0,
	end_id     {{bigint}} NOT NULL,
	rewrapped  {{bigint}} NOT NULL DEFAULT 0,
	started_at {{bigint}} NOT NULL
);

-- +goose Down
DROP TABLE key_rotation;
ALTER TABLE master_key DROP COLUMN root;
