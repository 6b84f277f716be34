-- The workspace's identity. Exactly one row; its id names the workspace's keychain entries,
-- so renaming the folder keeps the secrets attached.
CREATE TABLE workspace_info (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    id         TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
