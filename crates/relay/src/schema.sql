-- Herald Relay's own database (version 1). Applied once by store::open.

CREATE TABLE workspaces (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    -- The public half of the bearer token, used to find the row; the secret half is kept
    -- only as its SHA-256.
    token_id    TEXT NOT NULL UNIQUE,
    token_hash  BLOB NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE topics (
    topic_arn     TEXT PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    subscription  TEXT NOT NULL DEFAULT 'pending'
                  CHECK (subscription IN ('pending', 'confirmed', 'unsubscribed')),
    confirmed_at  TEXT
) STRICT;
CREATE INDEX topics_by_workspace ON topics(workspace_id);

CREATE TABLE unsubscribe_keys (
    workspace_id      INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    app_workspace_id  TEXT NOT NULL,
    fingerprint       TEXT NOT NULL,
    key               BLOB NOT NULL,
    added_at          TEXT NOT NULL,
    PRIMARY KEY (workspace_id, app_workspace_id, fingerprint)
) STRICT;
CREATE INDEX unsubscribe_keys_by_app_workspace ON unsubscribe_keys(app_workspace_id);

-- AUTOINCREMENT: a cursor is never handed out twice, even after old rows are purged.
CREATE TABLE events (
    cursor         INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- 'sns' + MessageId, or 'unsubscribe' + recipient: what makes a delivery a duplicate.
    dedupe_key     TEXT NOT NULL UNIQUE,
    received_at    TEXT NOT NULL,
    received_unix  INTEGER NOT NULL,
    -- herald_protocol::api::EventBody as JSON.
    body           TEXT NOT NULL
) STRICT;
CREATE INDEX events_by_workspace ON events(workspace_id, cursor);
CREATE INDEX events_by_age ON events(received_unix);
