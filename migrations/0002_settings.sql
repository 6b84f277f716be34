-- Workspace settings as typed keys (see herald_core::settings). Secrets never live here:
-- AWS keys, relay tokens and signing keys are in the OS keychain.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
