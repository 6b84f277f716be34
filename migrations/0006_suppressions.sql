-- The workspace suppression list (issues 5 and 6): addresses Herald never sends to again,
-- whatever a segment or an explicit audience says. Hard bounces and complaints land here
-- from the events poller; a user can add or remove an address by hand.

CREATE TABLE suppressions (
    id          INTEGER PRIMARY KEY,
    -- As first seen; `email_key` (lower-case, trimmed, as contacts::email_key) is unique.
    email       TEXT NOT NULL,
    email_key   TEXT NOT NULL UNIQUE,
    reason      TEXT NOT NULL
                CHECK (reason IN ('hard_bounce', 'complaint', 'unsubscribe', 'manual')),
    -- What happened, in words a person understands (the bounce diagnostic, who added it).
    detail      TEXT,
    -- The campaign whose event caused it, if any.
    campaign_id INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL
) STRICT;
