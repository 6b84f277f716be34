-- Campaigns and their per-recipient sending state (issue 5).

CREATE TABLE campaigns (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL COLLATE NOCASE UNIQUE,
    status             TEXT NOT NULL DEFAULT 'draft'
                       CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'sent', 'failed', 'cancelled')),
    -- The wizard step the draft was left at, so it reopens there (campaigns::WizardStep).
    draft_step         TEXT CHECK (draft_step IS NULL OR draft_step IN
                       ('name', 'audience', 'template', 'content', 'schedule', 'review')),
    -- Segments, tags and explicit contacts, minus exclusions (JSON, see campaigns::Audience).
    audience_json      TEXT NOT NULL DEFAULT '{}',
    -- The template the content started from; the campaign keeps its own copy in body_source.
    template_id        INTEGER REFERENCES templates (id) ON DELETE SET NULL,
    subject            TEXT NOT NULL DEFAULT '',
    preheader          TEXT NOT NULL DEFAULT '',
    -- The body as edited in the template editor (the template's source with this campaign's changes).
    body_source        TEXT,
    body_format        TEXT CHECK (body_format IS NULL OR body_format IN ('mjml', 'html')),
    from_name          TEXT,
    from_address       TEXT,
    reply_to           TEXT,
    -- When to start (RFC 3339 UTC) and the time zone the user picked it in (IANA name).
    scheduled_at       TEXT,
    schedule_time_zone TEXT,
    -- Recipients per second chosen by the user; NULL means the account's MaxSendRate.
    send_rate          REAL CHECK (send_rate IS NULL OR send_rate > 0),
    -- Why a paused or failed campaign stopped, and when a quota pause may resume by itself.
    -- A scheduled campaign whose time passed beyond the grace period while Herald was not
    -- running has status 'scheduled' and pause_kind 'missed_schedule': it waits for the user.
    pause_kind         TEXT CHECK (pause_kind IS NULL OR pause_kind IN
                       ('user', 'daily_quota', 'account', 'unreachable', 'missed_schedule')),
    pause_reason       TEXT,
    resume_at          TEXT,
    -- The process sending it right now and when it last said so (a lease, renewed every
    -- few seconds), so another process neither starts it twice nor thinks it abandoned.
    runner             TEXT,
    runner_seen_at     TEXT,
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
    contact_id     INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
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
-- Deleting a contact sets contact_id to NULL in its campaign rows.
CREATE INDEX campaign_recipients_by_contact ON campaign_recipients (contact_id)
    WHERE contact_id IS NOT NULL;
CREATE INDEX campaign_recipients_by_message_id ON campaign_recipients (ses_message_id)
    WHERE ses_message_id IS NOT NULL;
