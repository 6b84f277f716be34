-- Delivery and engagement events (issue 6): what SES published through the relay, what it
-- did to each recipient, and running totals so a campaign's analytics never scan its events.
--
-- Timestamps are RFC 3339 UTC with three fraction digits (text order is time order), except
-- in the two per-event tables (events, recipient_activity), which keep Unix milliseconds.

-- Every event taken from the relay, exactly once: `source_id` is the SNS MessageId (or the
-- relay's id for events it made itself, such as one-click unsubscribes). Only what analytics
-- and the contact history need is kept, not the whole SES JSON (nor when the relay received
-- it: the relay keeps that).
-- The dedupe key is `source_key` (events::source_key): the hour the event happened in the
-- high bits, a 40-bit hash of `source_id` in the low ones. Relay pages arrive in the order
-- events happen, so the inserts of a poll land in one small region at the end of the index
-- instead of on a random leaf each. The text is kept to tell a hash collision from a
-- duplicate (a colliding event takes the next free key).
-- recipient_id is a plain integer: the campaign's cascade removes the events with it. The
-- address is kept only for events no recipient matched (the recipient row has it).
-- occurred_at is Unix milliseconds, UTC.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    source_key   INTEGER NOT NULL UNIQUE,
    source_id    TEXT NOT NULL,
    kind         TEXT NOT NULL
                 CHECK (kind IN ('send', 'delivery', 'bounce', 'complaint', 'open', 'click',
                                 'reject', 'delivery_delay', 'rendering_failure',
                                 'subscription', 'unsubscribe')),
    campaign_id  INTEGER REFERENCES campaigns (id) ON DELETE CASCADE,
    recipient_id INTEGER,
    email        TEXT,
    occurred_at  INTEGER NOT NULL,
    -- Bounces: 'hard' (Permanent) or 'soft' (Transient, Undetermined).
    bounce_type  TEXT CHECK (bounce_type IS NULL OR bounce_type IN ('hard', 'soft')),
    -- Clicks: which link.
    link_id      INTEGER,
    -- Apple Mail Privacy Protection prefetches and link scanners (see events::is_machine_*).
    machine      INTEGER NOT NULL DEFAULT 0 CHECK (machine IN (0, 1)),
    -- The bounce diagnostic, complaint feedback type or failure reason, short.
    detail       TEXT
) STRICT;
-- Only the dedupe key: analytics read the running totals below, never this table, and every
-- extra index would slow the ingest. The campaign's cascade finds its events through it.
CREATE INDEX events_by_campaign ON events (campaign_id);

-- What the events did to each recipient: a narrow row (about 35 bytes), made by the first
-- event of the recipient. It is not a set of columns on campaign_recipients (a ~200-byte
-- row) because every event updates it at a random place: narrow rows put a whole campaign's
-- engagement in few pages, which stay cached and are written once per transaction.
-- Times are Unix milliseconds, UTC.
CREATE TABLE recipient_activity (
    recipient_id    INTEGER PRIMARY KEY
                    REFERENCES campaign_recipients (id) ON DELETE CASCADE,
    -- The recipient's campaign (as in campaign_recipients): the ingest checks an event's
    -- tags against it without reading the wide row.
    campaign_id     INTEGER NOT NULL,
    delivered_at    INTEGER,
    bounce_type     TEXT CHECK (bounce_type IS NULL OR bounce_type IN ('hard', 'soft')),
    bounced_at      INTEGER,
    soft_bounces    INTEGER NOT NULL DEFAULT 0,
    complained_at   INTEGER,
    rejected_at     INTEGER,
    opens           INTEGER NOT NULL DEFAULT 0,
    human_opens     INTEGER NOT NULL DEFAULT 0,
    last_open_at    INTEGER,
    clicks          INTEGER NOT NULL DEFAULT 0,
    human_clicks    INTEGER NOT NULL DEFAULT 0,
    last_click_at   INTEGER,
    unsubscribed_at INTEGER
) STRICT;

-- Segment conditions on events look up a contact's recipient rows through
-- `campaign_recipients_by_contact`, which 0005_campaigns.sql creates, then their
-- recipient_activity row by its key.

-- Running totals per campaign, kept by the ingest in the same transaction as the events.
-- "unique" columns count recipients, the others count events; "human" leaves out machine
-- opens and clicks.
CREATE TABLE campaign_stats (
    campaign_id          INTEGER PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
    delivered            INTEGER NOT NULL DEFAULT 0,
    hard_bounces         INTEGER NOT NULL DEFAULT 0,
    soft_bounces         INTEGER NOT NULL DEFAULT 0,
    soft_bounced         INTEGER NOT NULL DEFAULT 0,
    complaints           INTEGER NOT NULL DEFAULT 0,
    rejects              INTEGER NOT NULL DEFAULT 0,
    delivery_delays      INTEGER NOT NULL DEFAULT 0,
    rendering_failures   INTEGER NOT NULL DEFAULT 0,
    opens_total          INTEGER NOT NULL DEFAULT 0,
    opens_unique         INTEGER NOT NULL DEFAULT 0,
    human_opens_total    INTEGER NOT NULL DEFAULT 0,
    human_opens_unique   INTEGER NOT NULL DEFAULT 0,
    clicks_total         INTEGER NOT NULL DEFAULT 0,
    clicks_unique        INTEGER NOT NULL DEFAULT 0,
    human_clicks_total   INTEGER NOT NULL DEFAULT 0,
    human_clicks_unique  INTEGER NOT NULL DEFAULT 0,
    unsubscribes         INTEGER NOT NULL DEFAULT 0,
    first_event_at       TEXT,
    last_event_at        TEXT
) STRICT;

-- Opens and clicks per campaign and hour (hours since the Unix epoch, UTC) for the
-- activity chart.
CREATE TABLE campaign_activity (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    hour         INTEGER NOT NULL,
    opens        INTEGER NOT NULL DEFAULT 0,
    human_opens  INTEGER NOT NULL DEFAULT 0,
    clicks       INTEGER NOT NULL DEFAULT 0,
    human_clicks INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, hour)
) STRICT, WITHOUT ROWID;

-- The links of a campaign, as SES reported them in click events.
CREATE TABLE campaign_links (
    id                  INTEGER PRIMARY KEY,
    campaign_id         INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    url                 TEXT NOT NULL,
    clicks_total        INTEGER NOT NULL DEFAULT 0,
    clicks_unique       INTEGER NOT NULL DEFAULT 0,
    human_clicks_total  INTEGER NOT NULL DEFAULT 0,
    human_clicks_unique INTEGER NOT NULL DEFAULT 0,
    UNIQUE (campaign_id, url)
) STRICT;

-- Who clicked which link, so a link's unique clicks are counted once per recipient.
-- `human` is 1 once the recipient made a click on it that was not a scanner's.
CREATE TABLE campaign_link_clicks (
    link_id      INTEGER NOT NULL REFERENCES campaign_links (id) ON DELETE CASCADE,
    recipient_id INTEGER NOT NULL,
    human        INTEGER NOT NULL DEFAULT 0 CHECK (human IN (0, 1)),
    PRIMARY KEY (link_id, recipient_id)
) STRICT, WITHOUT ROWID;

-- Where polling the relay stands (one row): the cursor to ask after, and the last outcome.
CREATE TABLE event_poll (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    cursor         TEXT,
    last_polled_at TEXT,
    last_error     TEXT,
    events_total   INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO event_poll (id) VALUES (1);
