//! Delivery and engagement events: turning what SES published (through Herald Relay) into
//! recipient states, contact states, the suppression list and the running totals that
//! [`crate::analytics`] reads.
//!
//! [`ingest`] takes a batch of [`InboundEvent`]s in one transaction. Each event is stored
//! once, keyed by its source id (the SNS MessageId, or the relay's id for an unsubscribe):
//! the same event twice changes nothing. It maps back to a recipient through the message
//! tags the sending engine set (`herald_campaign`, `herald_recipient`) or, failing that,
//! the SES message id. The relay poller lives in [`poll`].

pub mod poll;

use std::borrow::Cow;
use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use ts_rs::TS;

use crate::campaigns::{self, CampaignStatus, PauseKind};
use crate::contacts::email_key;
use crate::error::Result;
use crate::time::{now_timestamp, timestamp};

/// Clicks this soon after SES accepted the message are a link scanner's, not a person's:
/// security gateways fetch links seconds after delivery; people are slower.
pub const SCANNER_CLICK_SECONDS: i64 = 10;
/// Opens this soon after SES accepted the message are a prefetch (Apple Mail Privacy
/// Protection loads images when the message arrives, not when it is read).
pub const PREFETCH_OPEN_SECONDS: i64 = 3;

/// One event as the relay handed it over.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundEvent {
    /// Unique per event: the SNS MessageId, or the relay's own id.
    pub source_id: String,
    pub body: InboundBody,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InboundBody {
    /// The SES event JSON (the `Message` of the SNS notification).
    Ses(String),
    /// A recipient used the one-click or confirmation-page unsubscribe on the relay.
    Unsubscribe {
        campaign_id: i64,
        email: String,
        /// RFC 3339.
        at: String,
    },
}

/// What one ingest did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct IngestReport {
    /// New events stored.
    #[ts(type = "number")]
    pub stored: u64,
    /// Events already stored before (the same event delivered again).
    #[ts(type = "number")]
    pub duplicates: u64,
    /// Stored, but no campaign recipient matched (a test send, a deleted campaign).
    #[ts(type = "number")]
    pub unmatched: u64,
    /// Not understood (not SES JSON, an event type Herald does not know) or for another
    /// workspace; skipped.
    #[ts(type = "number")]
    pub skipped: u64,
    /// Contacts whose status changed (bounced, complained, unsubscribed).
    #[ts(type = "number")]
    pub contacts_changed: u64,
    /// Addresses added to the suppression list.
    #[ts(type = "number")]
    pub suppressed: u64,
    /// Campaigns paused by the bounce-rate guard.
    #[ts(type = "number[]")]
    pub paused_campaigns: Vec<i64>,
}

impl IngestReport {
    pub fn add(&mut self, other: IngestReport) {
        self.stored += other.stored;
        self.duplicates += other.duplicates;
        self.unmatched += other.unmatched;
        self.skipped += other.skipped;
        self.contacts_changed += other.contacts_changed;
        self.suppressed += other.suppressed;
        self.paused_campaigns.extend(other.paused_campaigns);
    }
}

/// The bounce-rate guard: a sending campaign pauses itself when its hard-bounce rate passes
/// `max_percent` once at least `min_sent` messages went out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BounceGuard {
    pub max_percent: f64,
    pub min_sent: u64,
}

impl Default for BounceGuard {
    fn default() -> Self {
        Self {
            max_percent: crate::settings::DEFAULT_BOUNCE_GUARD_PERCENT,
            min_sent: crate::settings::DEFAULT_BOUNCE_GUARD_MIN_SENT,
        }
    }
}

impl BounceGuard {
    /// The guard the workspace's settings ask for.
    pub fn from_settings(settings: &crate::settings::Settings) -> Self {
        let default = Self::default();
        Self {
            max_percent: settings
                .bounce_guard_percent
                .as_deref()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default.max_percent),
            min_sent: settings
                .bounce_guard_min_sent
                .as_deref()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default.min_sent),
        }
    }
}

// ---- SES event JSON (only the fields Herald uses) ----
//
// Borrowed from the JSON text where it can be (`Cow` falls back to an owned string when the
// text has escapes): ingest reads a few fields of a ~1 KB document per event, and every
// other field (headers, common headers, other tags) is skipped without allocating.

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SesEvent<'a> {
    #[serde(alias = "notificationType", borrow)]
    event_type: Cow<'a, str>,
    #[serde(borrow)]
    mail: Mail<'a>,
    bounce: Option<Bounce>,
    complaint: Option<Complaint>,
    #[serde(borrow)]
    delivery: Option<Stamped<'a>>,
    #[serde(borrow)]
    open: Option<Engagement<'a>>,
    #[serde(borrow)]
    click: Option<Engagement<'a>>,
    reject: Option<Reason>,
    failure: Option<Failure>,
    delivery_delay: Option<DeliveryDelay>,
    subscription: Option<Subscription>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Mail<'a> {
    #[serde(borrow)]
    timestamp: Cow<'a, str>,
    #[serde(borrow)]
    message_id: Cow<'a, str>,
    #[serde(default, borrow)]
    destination: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    tags: Tags<'a>,
}

/// The message tags the sending engine set (SES adds its own `ses:*` tags, skipped).
#[derive(Debug, Default, Deserialize)]
struct Tags<'a> {
    #[serde(default, borrow)]
    herald_workspace: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    herald_campaign: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    herald_recipient: Vec<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stamped<'a> {
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: String,
    #[serde(default)]
    bounce_sub_type: String,
    #[serde(default)]
    bounced_recipients: Vec<Recipient>,
    timestamp: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    email_address: String,
    diagnostic_code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complaint {
    #[serde(default)]
    complained_recipients: Vec<Recipient>,
    timestamp: Option<String>,
    complaint_feedback_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Engagement<'a> {
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow)]
    ip_address: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user_agent: Option<Cow<'a, str>>,
    #[serde(borrow)]
    link: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reason {
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Failure {
    error_message: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeliveryDelay {
    timestamp: Option<String>,
    delay_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Subscription {
    timestamp: Option<String>,
    new_topic_preferences: Option<TopicPreferences>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TopicPreferences {
    #[serde(default)]
    unsubscribe_all: bool,
}

/// What kind of event, as stored in `events.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EventKind {
    Send,
    Delivery,
    Bounce,
    Complaint,
    Open,
    Click,
    Reject,
    DeliveryDelay,
    RenderingFailure,
    Subscription,
    Unsubscribe,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Send => "send",
            EventKind::Delivery => "delivery",
            EventKind::Bounce => "bounce",
            EventKind::Complaint => "complaint",
            EventKind::Open => "open",
            EventKind::Click => "click",
            EventKind::Reject => "reject",
            EventKind::DeliveryDelay => "delivery_delay",
            EventKind::RenderingFailure => "rendering_failure",
            EventKind::Subscription => "subscription",
            EventKind::Unsubscribe => "unsubscribe",
        }
    }

    /// From SES's `eventType` (or the older `notificationType`).
    fn from_ses(event_type: &str) -> Option<Self> {
        Some(match event_type {
            "Send" => EventKind::Send,
            "Delivery" => EventKind::Delivery,
            "Bounce" => EventKind::Bounce,
            "Complaint" => EventKind::Complaint,
            "Open" => EventKind::Open,
            "Click" => EventKind::Click,
            "Reject" => EventKind::Reject,
            "DeliveryDelay" => EventKind::DeliveryDelay,
            "Rendering Failure" | "RenderingFailure" => EventKind::RenderingFailure,
            "Subscription" => EventKind::Subscription,
            _ => return None,
        })
    }
}

// ---- Machine opens and scanner clicks ----

/// Whether an open is a machine's: Apple Mail Privacy Protection's proxy (it fetches with
/// the bare user agent `Mozilla/5.0` from Apple's 17.0.0.0/8 network) or a prefetch within
/// [`PREFETCH_OPEN_SECONDS`] of sending.
pub fn is_machine_open(
    user_agent: Option<&str>,
    ip: Option<&str>,
    seconds_after_send: Option<i64>,
) -> bool {
    let ua = user_agent.map(str::trim).unwrap_or("");
    ua == "Mozilla/5.0"
        || is_apple_network(ip)
        || is_scanner_agent(ua)
        || seconds_after_send.is_some_and(|s| s < PREFETCH_OPEN_SECONDS)
}

/// Whether a click is a link scanner's: a known scanner or headless agent, or a click
/// within [`SCANNER_CLICK_SECONDS`] of sending.
pub fn is_machine_click(user_agent: Option<&str>, seconds_after_send: Option<i64>) -> bool {
    is_scanner_agent(user_agent.unwrap_or(""))
        || seconds_after_send.is_some_and(|s| s < SCANNER_CLICK_SECONDS)
}

fn is_apple_network(ip: Option<&str>) -> bool {
    ip.and_then(|ip| ip.parse::<std::net::Ipv4Addr>().ok())
        .is_some_and(|ip| ip.octets()[0] == 17)
}

fn is_scanner_agent(ua: &str) -> bool {
    const MARKERS: [&str; 14] = [
        "bot",
        "spider",
        "crawler",
        "headless",
        "python",
        "curl/",
        "wget",
        "go-http-client",
        "okhttp",
        "java/",
        "barracuda",
        "mimecast",
        "proofpoint",
        "safelinks",
    ];
    let ua = ua.to_ascii_lowercase();
    MARKERS.iter().any(|m| ua.contains(m))
}

// ---- Ingest ----

/// A recipient an event belongs to.
#[derive(Debug, Clone)]
struct Target {
    recipient_id: i64,
    campaign_id: i64,
    /// The recipient's counts before this event (all 0 before its first).
    before: Counts,
}

/// A recipient's running counts in recipient_activity, read with the target so the updates
/// need not return them (a RETURNING clause costs a temporary table per statement).
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    opens: i64,
    human_opens: i64,
    clicks: i64,
    human_clicks: i64,
    soft_bounces: i64,
}

/// The recipient's campaign and counts, if it has had events.
fn activity(tx: &Transaction<'_>, recipient_id: i64) -> Result<Option<(i64, Counts)>> {
    Ok(tx
        .prepare_cached(
            "SELECT campaign_id, opens, human_opens, clicks, human_clicks, soft_bounces
             FROM recipient_activity WHERE recipient_id = ?1",
        )?
        .query_row([recipient_id], |r| {
            Ok((
                r.get(0)?,
                Counts {
                    opens: r.get(1)?,
                    human_opens: r.get(2)?,
                    clicks: r.get(3)?,
                    human_clicks: r.get(4)?,
                    soft_bounces: r.get(5)?,
                },
            ))
        })
        .optional()?)
}

/// Per-campaign changes to `campaign_stats`, summed over a batch.
#[derive(Debug, Default, Clone, Copy)]
struct StatsDelta {
    delivered: i64,
    hard_bounces: i64,
    soft_bounces: i64,
    soft_bounced: i64,
    complaints: i64,
    rejects: i64,
    delivery_delays: i64,
    rendering_failures: i64,
    opens_total: i64,
    opens_unique: i64,
    human_opens_total: i64,
    human_opens_unique: i64,
    clicks_total: i64,
    clicks_unique: i64,
    human_clicks_total: i64,
    human_clicks_unique: i64,
    unsubscribes: i64,
}

#[derive(Default)]
struct Batch {
    stats: HashMap<i64, StatsDelta>,
    /// (campaign, hour) → opens, human opens, clicks, human clicks.
    activity: HashMap<(i64, i64), [i64; 4]>,
    /// link id → total, unique, human total, human unique.
    links: HashMap<i64, [i64; 4]>,
    link_ids: HashMap<(i64, String), i64>,
    /// Per campaign, the first and last event time of the batch (Unix ms).
    first_last: HashMap<i64, (i64, i64)>,
    report: IngestReport,
}

impl Batch {
    fn stats(&mut self, campaign_id: i64) -> &mut StatsDelta {
        self.stats.entry(campaign_id).or_default()
    }

    fn seen(&mut self, campaign_id: i64, at_ms: i64) {
        let entry = self.first_last.entry(campaign_id).or_insert((at_ms, at_ms));
        entry.0 = entry.0.min(at_ms);
        entry.1 = entry.1.max(at_ms);
    }
}

/// Stores a batch of events and applies their effects, all in one transaction.
///
/// `workspace_id` guards against events of another workspace (their `herald_workspace` tag
/// differs): they are skipped, never applied here.
pub fn ingest(
    conn: &mut Connection,
    workspace_id: &str,
    events: &[InboundEvent],
    guard: BounceGuard,
) -> Result<IngestReport> {
    let tx = conn.transaction()?;
    let report = ingest_in(&tx, workspace_id, events, guard)?;
    tx.commit()?;
    Ok(report)
}

/// [`ingest`] inside a transaction the caller commits (the poller commits the cursor with it).
pub(crate) fn ingest_in(
    tx: &Transaction<'_>,
    workspace_id: &str,
    events: &[InboundEvent],
    guard: BounceGuard,
) -> Result<IngestReport> {
    // A big page cache: ingest touches recipient rows all over a large campaign.
    tx.pragma_update(None, "cache_size", -65_536)?;
    // Checkpoint every 64 MB of WAL instead of every 4 MB: a page of events dirties a page of
    // the database per recipient it touches, and with the default nearly every commit was
    // followed by a checkpoint writing those pages again and syncing. Recipients touched
    // again in later pages are now written back once per checkpoint. (A connection setting:
    // it stays for this connection, whose other writes are small.)
    tx.pragma_update(None, "wal_autocheckpoint", 16_384)?;
    // Ingest uses about twenty statements; the default cache (16) would re-prepare some of
    // them for every event.
    tx.set_prepared_statement_cache_capacity(64);
    let mut batch = Batch::default();
    // What the engine put in the `herald_workspace` tag.
    let workspace_tag = crate::sending::sanitize_tag(workspace_id);
    for event in events {
        ingest_one(tx, &workspace_tag, event, &mut batch)?;
    }
    flush(tx, &mut batch)?;
    let touched: Vec<i64> = batch
        .stats
        .iter()
        .filter(|(_, d)| d.hard_bounces > 0)
        .map(|(id, _)| *id)
        .collect();
    for campaign_id in touched {
        if apply_bounce_guard(tx, campaign_id, guard)? {
            batch.report.paused_campaigns.push(campaign_id);
        }
    }
    Ok(batch.report)
}

/// A stored timestamp from SES's (or anyone's) RFC 3339 text; `None` if unreadable.
fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

fn ingest_one(
    tx: &Transaction<'_>,
    workspace_tag: &str,
    event: &InboundEvent,
    batch: &mut Batch,
) -> Result<()> {
    match &event.body {
        InboundBody::Ses(json) => {
            let Ok(ses) = serde_json::from_str::<SesEvent>(json) else {
                batch.report.skipped += 1;
                return Ok(());
            };
            let Some(kind) = EventKind::from_ses(&ses.event_type) else {
                batch.report.skipped += 1;
                return Ok(());
            };
            if let Some(ws) = ses.mail.tags.herald_workspace.first() {
                if **ws != *workspace_tag {
                    batch.report.skipped += 1;
                    return Ok(());
                }
            }
            ingest_ses(tx, &event.source_id, kind, &ses, batch)
        }
        InboundBody::Unsubscribe {
            campaign_id,
            email,
            at,
        } => {
            let when = parse_time(at).unwrap_or_else(OffsetDateTime::now_utc);
            let at = timestamp(when);
            let target = tx
                .prepare_cached(
                    "SELECT id FROM campaign_recipients WHERE campaign_id = ?1 AND email = ?2",
                )?
                .query_row((campaign_id, email.trim()), |r| r.get::<_, i64>(0))
                .optional()?
                .map(|recipient_id| Target {
                    before: Counts::default(),
                    recipient_id,
                    campaign_id: *campaign_id,
                });
            // The relay records one unsubscribe per recipient and campaign, but its time is
            // when the link was used: another relay (or the same link used again after a
            // restore) would give another, so the key leaves the time out.
            let stored = store_event(
                tx,
                &StoredEvent {
                    source_id: &event.source_id,
                    hour: None,
                    kind: EventKind::Unsubscribe,
                    target: target.as_ref(),
                    email: Some(email),
                    at_ms: unix_ms(when),
                    bounce_type: None,
                    link_id: None,
                    machine: false,
                    detail: None,
                },
                batch,
            )?;
            if !stored {
                return Ok(());
            }
            unsubscribe(tx, target.as_ref(), email, &at, unix_ms(when), batch)
        }
    }
}

fn ingest_ses(
    tx: &Transaction<'_>,
    source_id: &str,
    kind: EventKind,
    ses: &SesEvent,
    batch: &mut Batch,
) -> Result<()> {
    let target = find_target(tx, &ses.mail)?;
    let sent_at = parse_time(&ses.mail.timestamp);
    let own_time = match kind {
        EventKind::Delivery => ses.delivery.as_ref().and_then(|d| d.timestamp.as_deref()),
        EventKind::Bounce => ses.bounce.as_ref().and_then(|b| b.timestamp.as_deref()),
        EventKind::Complaint => ses.complaint.as_ref().and_then(|c| c.timestamp.as_deref()),
        EventKind::Open => ses.open.as_ref().and_then(|o| o.timestamp.as_deref()),
        EventKind::Click => ses.click.as_ref().and_then(|c| c.timestamp.as_deref()),
        EventKind::DeliveryDelay => ses
            .delivery_delay
            .as_ref()
            .and_then(|d| d.timestamp.as_deref()),
        EventKind::Subscription => ses
            .subscription
            .as_ref()
            .and_then(|s| s.timestamp.as_deref()),
        _ => None,
    };
    let occurred = own_time.and_then(parse_time).or(sent_at);
    let when = occurred.unwrap_or_else(OffsetDateTime::now_utc);
    let at_ms = unix_ms(when);
    let seconds_after_send = match (occurred, sent_at) {
        (Some(o), Some(s)) => Some((o - s).whole_seconds()),
        _ => None,
    };
    let email = match kind {
        EventKind::Bounce => ses
            .bounce
            .as_ref()
            .and_then(|b| b.bounced_recipients.first())
            .map(|r| r.email_address.as_str()),
        EventKind::Complaint => ses
            .complaint
            .as_ref()
            .and_then(|c| c.complained_recipients.first())
            .map(|r| r.email_address.as_str()),
        _ => None,
    }
    .or_else(|| ses.mail.destination.first().map(|d| &**d));

    let mut bounce_type = None;
    let mut detail: Option<String> = None;
    let mut machine = false;
    let mut link = None;
    match kind {
        EventKind::Bounce => {
            let b = ses.bounce.as_ref();
            let hard = b.is_some_and(|b| b.bounce_type == "Permanent");
            bounce_type = Some(if hard { "hard" } else { "soft" });
            detail = b.map(|b| {
                let diagnostic = b
                    .bounced_recipients
                    .first()
                    .and_then(|r| r.diagnostic_code.as_deref())
                    .unwrap_or("");
                short(&format!(
                    "{} {}: {diagnostic}",
                    b.bounce_type, b.bounce_sub_type
                ))
            });
        }
        EventKind::Complaint => {
            detail = ses
                .complaint
                .as_ref()
                .and_then(|c| c.complaint_feedback_type.clone());
        }
        EventKind::Open => {
            let o = ses.open.as_ref();
            machine = is_machine_open(
                o.and_then(|o| o.user_agent.as_deref()),
                o.and_then(|o| o.ip_address.as_deref()),
                seconds_after_send,
            );
        }
        EventKind::Click => {
            let c = ses.click.as_ref();
            machine = is_machine_click(c.and_then(|c| c.user_agent.as_deref()), seconds_after_send);
            link = c.and_then(|c| c.link.as_deref());
        }
        EventKind::Reject => detail = ses.reject.as_ref().and_then(|r| r.reason.clone()),
        EventKind::RenderingFailure => {
            detail = ses
                .failure
                .as_ref()
                .and_then(|f| f.error_message.as_deref().map(short))
        }
        EventKind::DeliveryDelay => {
            detail = ses
                .delivery_delay
                .as_ref()
                .and_then(|d| d.delay_type.clone())
        }
        _ => {}
    }
    let link_id = match (link, &target) {
        (Some(url), Some(t)) => Some(link_id(tx, t.campaign_id, url, batch)?),
        _ => None,
    };
    let stored = store_event(
        tx,
        &StoredEvent {
            source_id,
            // Only a time the event itself carries: the key must come out the same when
            // the event is delivered again.
            hour: occurred.map(hour_of),
            kind,
            target: target.as_ref(),
            email,
            at_ms,
            bounce_type,
            link_id,
            machine,
            detail: detail.as_deref(),
        },
        batch,
    )?;
    if !stored {
        return Ok(());
    }

    match kind {
        EventKind::Delivery => {
            if let Some(t) = &target {
                let changed = mark_once(tx, t, Once::Delivered, at_ms)?;
                batch.stats(t.campaign_id).delivered += i64::from(changed);
            }
        }
        EventKind::Bounce if bounce_type == Some("hard") => {
            if let Some(t) = &target {
                let changed = tx
                    .prepare_cached(
                        "INSERT INTO recipient_activity
                                (recipient_id, campaign_id, bounce_type, bounced_at)
                         VALUES (?1, ?3, 'hard', ?2)
                         ON CONFLICT (recipient_id) DO UPDATE
                         SET bounce_type = 'hard', bounced_at = excluded.bounced_at
                         WHERE bounce_type IS NOT 'hard'",
                    )?
                    .execute((t.recipient_id, at_ms, t.campaign_id))?;
                batch.stats(t.campaign_id).hard_bounces += changed as i64;
            }
            if let Some(email) = email {
                set_contact_status(tx, email, "bounced", &["subscribed", "unsubscribed"], batch)?;
                suppress(
                    tx,
                    email,
                    "hard_bounce",
                    detail.as_deref(),
                    target.as_ref(),
                    &timestamp(when),
                    batch,
                )?;
            }
        }
        EventKind::Bounce => {
            if let Some(t) = &target {
                tx.prepare_cached(
                    "INSERT INTO recipient_activity
                                (recipient_id, campaign_id, soft_bounces, bounce_type, bounced_at)
                         VALUES (?1, ?3, 1, 'soft', ?2)
                         ON CONFLICT (recipient_id) DO UPDATE
                         SET soft_bounces = soft_bounces + 1,
                             bounce_type = coalesce(bounce_type, 'soft'),
                             bounced_at = coalesce(bounced_at, excluded.bounced_at)",
                )?
                .execute((t.recipient_id, at_ms, t.campaign_id))?;
                let stats = batch.stats(t.campaign_id);
                stats.soft_bounces += 1;
                stats.soft_bounced += i64::from(t.before.soft_bounces == 0);
            }
        }
        EventKind::Complaint => {
            if let Some(t) = &target {
                let changed = mark_once(tx, t, Once::Complained, at_ms)?;
                batch.stats(t.campaign_id).complaints += i64::from(changed);
            }
            if let Some(email) = email {
                set_contact_status(
                    tx,
                    email,
                    "complained",
                    &["subscribed", "unsubscribed", "bounced"],
                    batch,
                )?;
                suppress(
                    tx,
                    email,
                    "complaint",
                    detail.as_deref(),
                    target.as_ref(),
                    &timestamp(when),
                    batch,
                )?;
            }
        }
        EventKind::Open => {
            if let Some(t) = &target {
                let human = i64::from(!machine);
                tx.prepare_cached(
                    "INSERT INTO recipient_activity
                                (recipient_id, campaign_id, opens, human_opens, last_open_at)
                         VALUES (?1, ?4, 1, ?3, ?2)
                         ON CONFLICT (recipient_id) DO UPDATE
                         SET opens = opens + 1,
                             human_opens = human_opens + excluded.human_opens,
                             last_open_at = max(coalesce(last_open_at, excluded.last_open_at),
                                                excluded.last_open_at)",
                )?
                .execute((t.recipient_id, at_ms, human, t.campaign_id))?;
                let stats = batch.stats(t.campaign_id);
                stats.opens_total += 1;
                stats.opens_unique += i64::from(t.before.opens == 0);
                stats.human_opens_total += human;
                stats.human_opens_unique += i64::from(human == 1 && t.before.human_opens == 0);
                if let Some(hour) = occurred.map(hour_of) {
                    let a = batch.activity.entry((t.campaign_id, hour)).or_default();
                    a[0] += 1;
                    a[1] += human;
                }
            }
        }
        EventKind::Click => {
            if let Some(t) = &target {
                let human = i64::from(!machine);
                tx.prepare_cached(
                    "INSERT INTO recipient_activity
                                (recipient_id, campaign_id, clicks, human_clicks, last_click_at)
                         VALUES (?1, ?4, 1, ?3, ?2)
                         ON CONFLICT (recipient_id) DO UPDATE
                         SET clicks = clicks + 1,
                             human_clicks = human_clicks + excluded.human_clicks,
                             last_click_at = max(coalesce(last_click_at, excluded.last_click_at),
                                                 excluded.last_click_at)",
                )?
                .execute((t.recipient_id, at_ms, human, t.campaign_id))?;
                let stats = batch.stats(t.campaign_id);
                stats.clicks_total += 1;
                stats.clicks_unique += i64::from(t.before.clicks == 0);
                stats.human_clicks_total += human;
                stats.human_clicks_unique += i64::from(human == 1 && t.before.human_clicks == 0);
                if let Some(hour) = occurred.map(hour_of) {
                    let a = batch.activity.entry((t.campaign_id, hour)).or_default();
                    a[2] += 1;
                    a[3] += human;
                }
                if let Some(link_id) = link_id {
                    count_link_click(tx, link_id, t.recipient_id, human == 1, batch)?;
                }
            }
        }
        EventKind::Reject => {
            if let Some(t) = &target {
                let changed = mark_once(tx, t, Once::Rejected, at_ms)?;
                batch.stats(t.campaign_id).rejects += i64::from(changed);
            }
        }
        EventKind::DeliveryDelay => {
            if let Some(t) = &target {
                batch.stats(t.campaign_id).delivery_delays += 1;
            }
        }
        EventKind::RenderingFailure => {
            if let Some(t) = &target {
                batch.stats(t.campaign_id).rendering_failures += 1;
            }
        }
        EventKind::Subscription => {
            let all = ses
                .subscription
                .as_ref()
                .and_then(|s| s.new_topic_preferences.as_ref())
                .is_some_and(|p| p.unsubscribe_all);
            if let (true, Some(email)) = (all, email) {
                unsubscribe(tx, target.as_ref(), email, &timestamp(when), at_ms, batch)?;
            }
        }
        EventKind::Send | EventKind::Unsubscribe => {}
    }
    Ok(())
}

fn short(s: &str) -> String {
    s.trim().chars().take(300).collect()
}

fn hour_of(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(3600)
}

fn unix_ms(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Sets one of the recipient's "when it first happened" columns unless it is set; `true`
/// if it was not set before.
fn mark_once(tx: &Transaction<'_>, t: &Target, column: Once, at_ms: i64) -> Result<bool> {
    let changed =
        tx.prepare_cached(column.sql())?
            .execute((t.recipient_id, at_ms, t.campaign_id))?;
    Ok(changed == 1)
}

/// The recipient_activity columns [`mark_once`] sets.
#[derive(Clone, Copy)]
enum Once {
    Delivered,
    Complained,
    Rejected,
    Unsubscribed,
}

impl Once {
    fn sql(self) -> &'static str {
        macro_rules! mark {
            ($column:literal) => {
                concat!(
                    "INSERT INTO recipient_activity (recipient_id, campaign_id, ",
                    $column,
                    ") VALUES (?1, ?3, ?2) ON CONFLICT (recipient_id) DO UPDATE SET ",
                    $column,
                    " = excluded.",
                    $column,
                    " WHERE ",
                    $column,
                    " IS NULL"
                )
            };
        }
        match self {
            Once::Delivered => mark!("delivered_at"),
            Once::Complained => mark!("complained_at"),
            Once::Rejected => mark!("rejected_at"),
            Once::Unsubscribed => mark!("unsubscribed_at"),
        }
    }
}

/// The recipient by the engine's tags, else by the SES message id.
fn find_target(tx: &Transaction<'_>, mail: &Mail) -> Result<Option<Target>> {
    let tag = |values: &[Cow<'_, str>]| -> Option<i64> { values.first()?.parse().ok() };
    if let (Some(campaign_id), Some(recipient_id)) = (
        tag(&mail.tags.herald_campaign),
        tag(&mail.tags.herald_recipient),
    ) {
        // A recipient with events has a narrow recipient_activity row, which stays cached;
        // its wide campaign_recipients row is read only for its first event.
        let before = match activity(tx, recipient_id)? {
            Some((known, counts)) => (known == campaign_id).then_some(counts),
            None => tx
                .prepare_cached(
                    "SELECT 1 FROM campaign_recipients WHERE id = ?1 AND campaign_id = ?2",
                )?
                .exists((recipient_id, campaign_id))?
                .then(Counts::default),
        };
        if let Some(before) = before {
            return Ok(Some(Target {
                recipient_id,
                campaign_id,
                before,
            }));
        }
    }
    let found: Option<(i64, i64)> = tx
        .prepare_cached(
            "SELECT id, campaign_id FROM campaign_recipients WHERE ses_message_id = ?1",
        )?
        .query_row([&*mail.message_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((recipient_id, campaign_id)) = found else {
        return Ok(None);
    };
    Ok(Some(Target {
        recipient_id,
        campaign_id,
        before: activity(tx, recipient_id)?
            .map(|(_, counts)| counts)
            .unwrap_or_default(),
    }))
}

/// An event as [`store_event`] writes it.
struct StoredEvent<'a> {
    source_id: &'a str,
    /// The hour the event happened in, from the event itself (the dedupe key's high bits).
    hour: Option<i64>,
    kind: EventKind,
    target: Option<&'a Target>,
    email: Option<&'a str>,
    at_ms: i64,
    bounce_type: Option<&'a str>,
    link_id: Option<i64>,
    machine: bool,
    detail: Option<&'a str>,
}

/// Stores the event; `false` when it was stored before (nothing more to do).
fn store_event(tx: &Transaction<'_>, e: &StoredEvent<'_>, batch: &mut Batch) -> Result<bool> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO events (source_key, source_id, kind, campaign_id, recipient_id, email,
                             occurred_at, bounce_type, link_id, machine, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (source_key) DO NOTHING",
    )?;
    let mut key = source_key(e.source_id, e.hour);
    loop {
        let inserted = insert.execute(rusqlite::params![
            key,
            e.source_id,
            e.kind.as_str(),
            e.target.map(|t| t.campaign_id),
            e.target.map(|t| t.recipient_id),
            // A matched event finds the address through its recipient.
            if e.target.is_some() { None } else { e.email },
            e.at_ms,
            e.bounce_type,
            e.link_id,
            e.machine,
            e.detail,
        ])?;
        if inserted == 1 {
            break;
        }
        let holder: String = tx
            .prepare_cached("SELECT source_id FROM events WHERE source_key = ?1")?
            .query_row([key], |r| r.get(0))?;
        if holder == e.source_id {
            batch.report.duplicates += 1;
            return Ok(false);
        }
        // A hash collision (about one in 2^40 per pair of events of the same hour): probe
        // the next key.
        key = key.wrapping_add(1);
    }
    batch.report.stored += 1;
    match e.target {
        Some(t) => batch.seen(t.campaign_id, e.at_ms),
        None => batch.report.unmatched += 1,
    }
    Ok(true)
}

/// Bits of the dedupe key that hold the hash; the hour is above them.
const SOURCE_KEY_HASH_BITS: u32 = 40;

/// The dedupe key of an event: the hour it happened in (hours since the Unix epoch; 0 when
/// unknown) in the high bits, then 40 bits of a hash of its source id (FNV-1a, then the
/// SplitMix64 finaliser to spread the bits). Events arrive roughly in the order they
/// happen, so new keys are near each other at the end of the index. Stable across versions
/// and platforms, since it is stored.
pub(crate) fn source_key(source_id: &str, hour: Option<i64>) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in source_id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    // 23 bits of hours reach the year 2926; out-of-range times share hour 0.
    let hour = hour.filter(|h| (0..1 << 23).contains(h)).unwrap_or(0);
    (hour << SOURCE_KEY_HASH_BITS) | (h & ((1 << SOURCE_KEY_HASH_BITS) - 1)) as i64
}

fn link_id(tx: &Transaction<'_>, campaign_id: i64, url: &str, batch: &mut Batch) -> Result<i64> {
    let url: String = url.chars().take(2000).collect();
    if let Some(id) = batch.link_ids.get(&(campaign_id, url.clone())) {
        return Ok(*id);
    }
    let id: i64 = tx
        .prepare_cached(
            "INSERT INTO campaign_links (campaign_id, url) VALUES (?1, ?2)
             ON CONFLICT (campaign_id, url) DO UPDATE SET url = excluded.url
             RETURNING id",
        )?
        .query_row((campaign_id, &url), |r| r.get(0))?;
    batch.link_ids.insert((campaign_id, url), id);
    Ok(id)
}

fn count_link_click(
    tx: &Transaction<'_>,
    link_id: i64,
    recipient_id: i64,
    human: bool,
    batch: &mut Batch,
) -> Result<()> {
    let before: Option<bool> = tx
        .prepare_cached(
            "SELECT human FROM campaign_link_clicks WHERE link_id = ?1 AND recipient_id = ?2",
        )?
        .query_row((link_id, recipient_id), |r| r.get(0))
        .optional()?;
    let delta = batch.links.entry(link_id).or_default();
    delta[0] += 1;
    delta[2] += i64::from(human);
    match before {
        None => {
            tx.prepare_cached(
                "INSERT INTO campaign_link_clicks (link_id, recipient_id, human) VALUES (?1, ?2, ?3)",
            )?
            .execute((link_id, recipient_id, human))?;
            delta[1] += 1;
            delta[3] += i64::from(human);
        }
        Some(false) if human => {
            tx.prepare_cached(
                "UPDATE campaign_link_clicks SET human = 1 WHERE link_id = ?1 AND recipient_id = ?2",
            )?
            .execute((link_id, recipient_id))?;
            delta[3] += 1;
        }
        Some(_) => {}
    }
    Ok(())
}

fn set_contact_status(
    tx: &Transaction<'_>,
    email: &str,
    status: &str,
    from: &[&str],
    batch: &mut Batch,
) -> Result<()> {
    // `from` is one of this module's own constant lists, never input.
    let allowed = from
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let changed = tx
        .prepare_cached(&format!(
            "UPDATE contacts SET status = ?2, updated_at = ?3
             WHERE email_key = ?1 AND status IN ({allowed})"
        ))?
        .execute((email_key(email), status, now_timestamp()))?;
    batch.report.contacts_changed += changed as u64;
    Ok(())
}

fn suppress(
    tx: &Transaction<'_>,
    email: &str,
    reason: &str,
    detail: Option<&str>,
    target: Option<&Target>,
    at: &str,
    batch: &mut Batch,
) -> Result<()> {
    let added = tx
        .prepare_cached(
            "INSERT INTO suppressions (email, email_key, reason, detail, campaign_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (email_key) DO NOTHING",
        )?
        .execute((
            email.trim(),
            email_key(email),
            reason,
            detail,
            target.map(|t| t.campaign_id),
            at,
        ))?;
    batch.report.suppressed += added as u64;
    Ok(())
}

/// The recipient asked to stop: the recipient row records it once, the contact becomes
/// unsubscribed. An address with no contact goes on the suppression list instead, so it is
/// never mailed again either way.
fn unsubscribe(
    tx: &Transaction<'_>,
    target: Option<&Target>,
    email: &str,
    at: &str,
    at_ms: i64,
    batch: &mut Batch,
) -> Result<()> {
    if let Some(t) = target {
        let changed = mark_once(tx, t, Once::Unsubscribed, at_ms)?;
        batch.stats(t.campaign_id).unsubscribes += i64::from(changed);
    }
    let is_contact = tx
        .prepare_cached("SELECT 1 FROM contacts WHERE email_key = ?1")?
        .exists([email_key(email)])?;
    if is_contact {
        set_contact_status(tx, email, "unsubscribed", &["subscribed"], batch)
    } else {
        suppress(tx, email, "unsubscribe", None, target, at, batch)
    }
}

fn flush(tx: &Transaction<'_>, batch: &mut Batch) -> Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO campaign_stats (campaign_id, delivered, hard_bounces, soft_bounces,
                soft_bounced, complaints, rejects, delivery_delays, rendering_failures,
                opens_total, opens_unique, human_opens_total, human_opens_unique, clicks_total,
                clicks_unique, human_clicks_total, human_clicks_unique, unsubscribes,
                first_event_at, last_event_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20)
         ON CONFLICT (campaign_id) DO UPDATE SET
                delivered = delivered + excluded.delivered,
                hard_bounces = hard_bounces + excluded.hard_bounces,
                soft_bounces = soft_bounces + excluded.soft_bounces,
                soft_bounced = soft_bounced + excluded.soft_bounced,
                complaints = complaints + excluded.complaints,
                rejects = rejects + excluded.rejects,
                delivery_delays = delivery_delays + excluded.delivery_delays,
                rendering_failures = rendering_failures + excluded.rendering_failures,
                opens_total = opens_total + excluded.opens_total,
                opens_unique = opens_unique + excluded.opens_unique,
                human_opens_total = human_opens_total + excluded.human_opens_total,
                human_opens_unique = human_opens_unique + excluded.human_opens_unique,
                clicks_total = clicks_total + excluded.clicks_total,
                clicks_unique = clicks_unique + excluded.clicks_unique,
                human_clicks_total = human_clicks_total + excluded.human_clicks_total,
                human_clicks_unique = human_clicks_unique + excluded.human_clicks_unique,
                unsubscribes = unsubscribes + excluded.unsubscribes,
                first_event_at = min(coalesce(first_event_at, excluded.first_event_at),
                                     excluded.first_event_at),
                last_event_at = max(coalesce(last_event_at, excluded.last_event_at),
                                    excluded.last_event_at)",
    )?;
    let campaigns: Vec<i64> = batch
        .stats
        .keys()
        .chain(batch.first_last.keys())
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for id in campaigns {
        let d = batch.stats.get(&id).copied().unwrap_or_default();
        let text = crate::time::timestamp_from_unix_ms;
        let (first, last) = batch
            .first_last
            .get(&id)
            .map(|&(first, last)| (text(first), text(last)))
            .unzip();
        let (first, last) = (first.flatten(), last.flatten());
        upsert.execute(rusqlite::params![
            id,
            d.delivered,
            d.hard_bounces,
            d.soft_bounces,
            d.soft_bounced,
            d.complaints,
            d.rejects,
            d.delivery_delays,
            d.rendering_failures,
            d.opens_total,
            d.opens_unique,
            d.human_opens_total,
            d.human_opens_unique,
            d.clicks_total,
            d.clicks_unique,
            d.human_clicks_total,
            d.human_clicks_unique,
            d.unsubscribes,
            first,
            last,
        ])?;
    }
    let mut activity = tx.prepare_cached(
        "INSERT INTO campaign_activity (campaign_id, hour, opens, human_opens, clicks, human_clicks)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (campaign_id, hour) DO UPDATE SET
                opens = opens + excluded.opens, human_opens = human_opens + excluded.human_opens,
                clicks = clicks + excluded.clicks, human_clicks = human_clicks + excluded.human_clicks",
    )?;
    for ((campaign_id, hour), a) in &batch.activity {
        activity.execute((campaign_id, hour, a[0], a[1], a[2], a[3]))?;
    }
    let mut links = tx.prepare_cached(
        "UPDATE campaign_links SET clicks_total = clicks_total + ?2,
                clicks_unique = clicks_unique + ?3, human_clicks_total = human_clicks_total + ?4,
                human_clicks_unique = human_clicks_unique + ?5
         WHERE id = ?1",
    )?;
    for (id, l) in &batch.links {
        links.execute((id, l[0], l[1], l[2], l[3]))?;
    }
    tx.prepare_cached("UPDATE event_poll SET events_total = events_total + ?1 WHERE id = 1")?
        .execute([batch.report.stored as i64])?;
    Ok(())
}

/// Pauses a sending campaign whose hard-bounce rate passed the guard; `true` if it did.
fn apply_bounce_guard(tx: &Transaction<'_>, campaign_id: i64, guard: BounceGuard) -> Result<bool> {
    let campaign = campaigns::get(tx, campaign_id)?;
    if campaign.status != CampaignStatus::Sending {
        return Ok(false);
    }
    let sent: i64 = tx.query_row(
        "SELECT count(*) FROM campaign_recipients WHERE campaign_id = ?1 AND state = 'sent'",
        [campaign_id],
        |r| r.get(0),
    )?;
    let hard: i64 = tx.query_row(
        "SELECT hard_bounces FROM campaign_stats WHERE campaign_id = ?1",
        [campaign_id],
        |r| r.get(0),
    )?;
    if (sent as u64) < guard.min_sent || sent == 0 {
        return Ok(false);
    }
    let percent = hard as f64 * 100.0 / sent as f64;
    if percent <= guard.max_percent {
        return Ok(false);
    }
    let reason = format!(
        "Paused by the bounce-rate guard: {hard} of {sent} messages bounced permanently \
         ({percent:.1}%, the limit is {}%). Clean the audience, then resume.",
        guard.max_percent
    );
    campaigns::set_status(
        tx,
        campaign_id,
        CampaignStatus::Paused,
        Some((PauseKind::Account, &reason, None)),
    )?;
    Ok(true)
}

#[cfg(test)]
pub(crate) mod tests;
