-- Campaigns and their per-recipient sending state (issue 5).
--
-- contact_id and template_id are plain integers on purpose: the contacts and templates
-- tables arrive from other branches, and the foreign keys to them are added when those
-- branches are merged.

CREATE TABLE campaigns (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL COLLATE NOCASE UNIQUE,
    status             TEXT NOT NULL DEFAULT 'draft'
                       CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'sent', 'failed', 'cancelled')),
    -- The wizard step the draft was left at, so it reopens there.
    draft_step         TEXT,
    -- Segments, tags and explicit contacts, minus exclusions (JSON, see campaigns::Audience).
    audience_json      TEXT NOT NULL DEFAULT '{}',
    template_id        INTEGER,
    subject            TEXT NOT NULL DEFAULT '',
    preheader          TEXT NOT NULL DEFAULT '',
    -- The body as edited in the template editor (the template's source with this campaign's changes).
    body_source        TEXT,
    from_name          TEXT,
    from_address       TEXT,
    reply_to           TEXT,
    -- When to start (RFC 3339 UTC) and the time zone the user picked it in (IANA name).
    scheduled_at       TEXT,
    schedule_time_zone TEXT,
    -- Recipients per second chosen by the user; NULL means the account's MaxSendRate.
    send_rate          REAL CHECK (send_rate IS NULL OR send_rate > 0),
    -- Why a paused or failed campaign stopped, and when a quota pause may resume by itself.
    pause_kind         TEXT,
    pause_reason       TEXT,
    resume_at          TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    started_at         TEXT,
    finished_at        TEXT
) STRICT;

-- The scheduler looks for due campaigns.
CREATE INDEX campaigns_by_status ON campaigns (status, scheduled_at);

-- The recipient list, snapshotted when sending starts. `sending` is committed before the SES
-- request leaves; a row still `sending` after a crash becomes `unknown` and is never resent
-- without the user's say-so.
CREATE TABLE campaign_recipients (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    contact_id     INTEGER,
    email          TEXT NOT NULL COLLATE NOCASE,
    -- Personalisation data captured with the snapshot (JSON object), if any.
    variables_json TEXT,
    state          TEXT NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown', 'skipped')),
    ses_message_id TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    sent_at        TEXT,
    UNIQUE (campaign_id, email)
) STRICT;

-- The engine claims pending rows in id order and counts rows by state.
CREATE INDEX campaign_recipients_by_state ON campaign_recipients (campaign_id, state, id);
-- The rolling 24-hour quota window looks at recent sends across campaigns.
CREATE INDEX campaign_recipients_by_sent_at ON campaign_recipients (sent_at) WHERE sent_at IS NOT NULL;
-- SES events carry the message id; the events poller maps them back to a recipient.
CREATE INDEX campaign_recipients_by_message_id ON campaign_recipients (ses_message_id)
    WHERE ses_message_id IS NOT NULL;
