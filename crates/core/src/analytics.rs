//! Campaign analytics: the numbers, rates and warnings of one campaign, its opens and clicks
//! over time, the trend across campaigns, and the CSV report. Everything reads the running
//! totals [`crate::events`] keeps (`campaign_stats`, `campaign_activity`, `campaign_links`),
//! so a campaign of a million recipients answers as fast as one of ten.
//!
//! Rates (all fractions, 0–1; `None` when the denominator is 0):
//! delivery = delivered / sent; open = unique opens / delivered; click = unique clicks /
//! delivered; click-to-open = unique clicks / unique opens; bounce = hard bounces / sent;
//! complaint = complaints / sent; unsubscribe = unsubscribes / delivered. The "human" rates
//! leave out machine opens and scanner clicks (see [`crate::events::is_machine_open`]).

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use ts_rs::TS;

use crate::campaigns::{self, CampaignStatus};
use crate::error::{Error, Result};
use crate::time::timestamp;

/// SES reviews an account whose bounce rate reaches 5%.
pub const BOUNCE_WARNING_RATE: f64 = 0.05;
/// ... or whose complaint rate reaches 0.1%.
pub const COMPLAINT_WARNING_RATE: f64 = 0.001;
/// The activity chart is hourly for this many hours after sending starts, then daily.
pub const HOURLY_SPAN_HOURS: i64 = 72;

/// Opens or clicks: unique counts recipients, total counts events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Engagement {
    #[ts(type = "number")]
    pub unique: u64,
    #[ts(type = "number")]
    pub total: u64,
    /// Without machine opens / scanner clicks.
    #[ts(type = "number")]
    pub human_unique: u64,
    #[ts(type = "number")]
    pub human_total: u64,
}

/// The rates of one campaign, as fractions (0.25 = 25%).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Rates {
    pub delivery: Option<f64>,
    pub open: Option<f64>,
    pub human_open: Option<f64>,
    pub click: Option<f64>,
    pub human_click: Option<f64>,
    pub click_to_open: Option<f64>,
    pub human_click_to_open: Option<f64>,
    pub bounce: Option<f64>,
    pub complaint: Option<f64>,
    pub unsubscribe: Option<f64>,
}

/// One link's clicks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LinkClicks {
    pub url: String,
    pub clicks: Engagement,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WarningKind {
    BounceRate,
    ComplaintRate,
}

/// Something the user should act on before sending again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
}

/// Everything the analytics page shows for one campaign.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CampaignAnalytics {
    #[ts(type = "number")]
    pub campaign_id: i64,
    pub name: String,
    pub status: CampaignStatus,
    pub started_at: Option<String>,
    /// On the recipient list.
    #[ts(type = "number")]
    pub recipients: u64,
    /// Accepted by SES.
    #[ts(type = "number")]
    pub sent: u64,
    #[ts(type = "number")]
    pub delivered: u64,
    /// Recipients whose mail bounced permanently.
    #[ts(type = "number")]
    pub hard_bounces: u64,
    /// Transient bounces SES gave up on (events), and the recipients they hit.
    #[ts(type = "number")]
    pub soft_bounces: u64,
    #[ts(type = "number")]
    pub soft_bounced_recipients: u64,
    #[ts(type = "number")]
    pub complaints: u64,
    #[ts(type = "number")]
    pub rejects: u64,
    #[ts(type = "number")]
    pub delivery_delays: u64,
    pub opens: Engagement,
    pub clicks: Engagement,
    #[ts(type = "number")]
    pub unsubscribes: u64,
    pub rates: Rates,
    /// Most clicked first.
    pub links: Vec<LinkClicks>,
    pub warnings: Vec<Warning>,
    pub first_event_at: Option<String>,
    pub last_event_at: Option<String>,
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A campaign by name, any case.
pub fn campaign_id_by_name(conn: &Connection, name: &str) -> Result<i64> {
    conn.query_row(
        "SELECT id FROM campaigns WHERE name = ?1 COLLATE NOCASE",
        [name.trim()],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| {
        Error::invalid(
            "campaign",
            format!("There is no campaign named “{}”.", name.trim()),
        )
    })
}

#[derive(Debug, Default)]
struct Stats {
    delivered: u64,
    hard_bounces: u64,
    soft_bounces: u64,
    soft_bounced: u64,
    complaints: u64,
    rejects: u64,
    delivery_delays: u64,
    opens: Engagement,
    clicks: Engagement,
    unsubscribes: u64,
    first_event_at: Option<String>,
    last_event_at: Option<String>,
}

fn stats(conn: &Connection, campaign_id: i64) -> Result<Stats> {
    Ok(conn
        .prepare_cached(
            "SELECT delivered, hard_bounces, soft_bounces, soft_bounced, complaints, rejects,
                    delivery_delays, opens_total, opens_unique, human_opens_total,
                    human_opens_unique, clicks_total, clicks_unique, human_clicks_total,
                    human_clicks_unique, unsubscribes, first_event_at, last_event_at
             FROM campaign_stats WHERE campaign_id = ?1",
        )?
        .query_row([campaign_id], |r| {
            let n = |i: usize| -> rusqlite::Result<u64> { Ok(r.get::<_, i64>(i)?.max(0) as u64) };
            Ok(Stats {
                delivered: n(0)?,
                hard_bounces: n(1)?,
                soft_bounces: n(2)?,
                soft_bounced: n(3)?,
                complaints: n(4)?,
                rejects: n(5)?,
                delivery_delays: n(6)?,
                opens: Engagement {
                    total: n(7)?,
                    unique: n(8)?,
                    human_total: n(9)?,
                    human_unique: n(10)?,
                },
                clicks: Engagement {
                    total: n(11)?,
                    unique: n(12)?,
                    human_total: n(13)?,
                    human_unique: n(14)?,
                },
                unsubscribes: n(15)?,
                first_event_at: r.get(16)?,
                last_event_at: r.get(17)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

/// The analytics of one campaign.
pub fn campaign(conn: &Connection, campaign_id: i64) -> Result<CampaignAnalytics> {
    let c = campaigns::get(conn, campaign_id)?;
    let counts = campaigns::recipient_counts(conn, campaign_id)?;
    let s = stats(conn, campaign_id)?;
    let sent = counts.sent;
    let rates = Rates {
        delivery: ratio(s.delivered, sent),
        open: ratio(s.opens.unique, s.delivered),
        human_open: ratio(s.opens.human_unique, s.delivered),
        click: ratio(s.clicks.unique, s.delivered),
        human_click: ratio(s.clicks.human_unique, s.delivered),
        click_to_open: ratio(s.clicks.unique, s.opens.unique),
        human_click_to_open: ratio(s.clicks.human_unique, s.opens.human_unique),
        bounce: ratio(s.hard_bounces, sent),
        complaint: ratio(s.complaints, sent),
        unsubscribe: ratio(s.unsubscribes, s.delivered),
    };
    let mut warnings = Vec::new();
    if let Some(rate) = rates.bounce.filter(|r| *r >= BOUNCE_WARNING_RATE) {
        warnings.push(Warning {
            kind: WarningKind::BounceRate,
            message: format!(
                "{} of {sent} messages bounced permanently ({}). SES reviews accounts whose \
                 bounce rate reaches 5%: remove invalid addresses before sending again.",
                s.hard_bounces,
                percent(rate)
            ),
        });
    }
    if let Some(rate) = rates.complaint.filter(|r| *r >= COMPLAINT_WARNING_RATE) {
        warnings.push(Warning {
            kind: WarningKind::ComplaintRate,
            message: format!(
                "{} marked this campaign as spam ({}). SES reviews accounts whose \
                 complaint rate reaches 0.1%: send only to people who asked for your mail.",
                if s.complaints == 1 {
                    "1 recipient".to_owned()
                } else {
                    format!("{} recipients", s.complaints)
                },
                percent(rate)
            ),
        });
    }
    Ok(CampaignAnalytics {
        campaign_id,
        name: c.name,
        status: c.status,
        started_at: c.started_at,
        recipients: counts.total(),
        sent,
        delivered: s.delivered,
        hard_bounces: s.hard_bounces,
        soft_bounces: s.soft_bounces,
        soft_bounced_recipients: s.soft_bounced,
        complaints: s.complaints,
        rejects: s.rejects,
        delivery_delays: s.delivery_delays,
        opens: s.opens,
        clicks: s.clicks,
        unsubscribes: s.unsubscribes,
        rates,
        links: links(conn, campaign_id)?,
        warnings,
        first_event_at: s.first_event_at,
        last_event_at: s.last_event_at,
    })
}

/// A rate as people read it: "4.2%", "0.12%".
pub fn percent(rate: f64) -> String {
    let p = rate * 100.0;
    if p != 0.0 && p.abs() < 1.0 {
        format!("{p:.2}%")
    } else {
        format!("{p:.1}%")
    }
}

fn links(conn: &Connection, campaign_id: i64) -> Result<Vec<LinkClicks>> {
    let mut stmt = conn.prepare_cached(
        "SELECT url, clicks_total, clicks_unique, human_clicks_total, human_clicks_unique
         FROM campaign_links WHERE campaign_id = ?1
         ORDER BY clicks_unique DESC, clicks_total DESC, url",
    )?;
    let rows = stmt.query_map([campaign_id], |r| {
        Ok(LinkClicks {
            url: r.get(0)?,
            clicks: Engagement {
                total: r.get::<_, i64>(1)? as u64,
                unique: r.get::<_, i64>(2)? as u64,
                human_total: r.get::<_, i64>(3)? as u64,
                human_unique: r.get::<_, i64>(4)? as u64,
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One bucket of the activity chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ActivityPoint {
    /// The bucket's start, RFC 3339 UTC.
    pub start: String,
    /// Hours since sending started at the bucket's start.
    #[ts(type = "number")]
    pub hours_since_start: i64,
    /// 1 (hourly) or 24 (daily).
    pub hours: u32,
    #[ts(type = "number")]
    pub opens: u64,
    #[ts(type = "number")]
    pub human_opens: u64,
    #[ts(type = "number")]
    pub clicks: u64,
    #[ts(type = "number")]
    pub human_clicks: u64,
}

/// Opens and clicks since sending started: hourly for [`HOURLY_SPAN_HOURS`], then daily,
/// up to the last activity (empty buckets included, so the line shows quiet hours).
pub fn activity(conn: &Connection, campaign_id: i64) -> Result<Vec<ActivityPoint>> {
    let c = campaigns::get(conn, campaign_id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT hour, opens, human_opens, clicks, human_clicks FROM campaign_activity
         WHERE campaign_id = ?1 ORDER BY hour",
    )?;
    let rows: Vec<(i64, [u64; 4])> = stmt
        .query_map([campaign_id], |r| {
            Ok((
                r.get(0)?,
                [
                    r.get::<_, i64>(1)? as u64,
                    r.get::<_, i64>(2)? as u64,
                    r.get::<_, i64>(3)? as u64,
                    r.get::<_, i64>(4)? as u64,
                ],
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let start_hour = c
        .started_at
        .as_deref()
        .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        .map(|t| t.unix_timestamp().div_euclid(3600))
        .or_else(|| rows.first().map(|(h, _)| *h));
    let Some(start_hour) = start_hour else {
        return Ok(Vec::new());
    };
    let last_hour = rows.last().map(|(h, _)| *h).unwrap_or(start_hour);
    let bucket_of = |hour: i64| -> usize {
        let since = (hour - start_hour).max(0);
        if since < HOURLY_SPAN_HOURS {
            since as usize
        } else {
            (HOURLY_SPAN_HOURS + (since - HOURLY_SPAN_HOURS) / 24 * 24) as usize
        }
    };
    let mut points: Vec<ActivityPoint> = Vec::new();
    let mut since = 0i64;
    let end = (last_hour - start_hour).max(0);
    while since <= end {
        let hours = if since < HOURLY_SPAN_HOURS { 1 } else { 24 };
        let start = OffsetDateTime::from_unix_timestamp((start_hour + since) * 3600)
            .map(timestamp)
            .unwrap_or_default();
        points.push(ActivityPoint {
            start,
            hours_since_start: since,
            hours,
            opens: 0,
            human_opens: 0,
            clicks: 0,
            human_clicks: 0,
        });
        since += i64::from(hours);
    }
    for (hour, counts) in rows {
        let key = bucket_of(hour) as i64;
        if let Some(p) = points.iter_mut().rev().find(|p| p.hours_since_start <= key) {
            p.opens += counts[0];
            p.human_opens += counts[1];
            p.clicks += counts[2];
            p.human_clicks += counts[3];
        }
    }
    Ok(points)
}

/// One campaign in the cross-campaign trend.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TrendPoint {
    #[ts(type = "number")]
    pub campaign_id: i64,
    pub name: String,
    pub started_at: Option<String>,
    #[ts(type = "number")]
    pub delivered: u64,
    pub open_rate: Option<f64>,
    pub human_open_rate: Option<f64>,
    pub click_rate: Option<f64>,
    pub human_click_rate: Option<f64>,
}

/// Open and click rates of the last `limit` campaigns that had deliveries, oldest first.
pub fn trend(conn: &Connection, limit: usize) -> Result<Vec<TrendPoint>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.name, c.started_at, s.delivered, s.opens_unique, s.human_opens_unique,
                s.clicks_unique, s.human_clicks_unique
         FROM campaign_stats s JOIN campaigns c ON c.id = s.campaign_id
         WHERE s.delivered > 0
         ORDER BY coalesce(c.started_at, s.first_event_at) DESC, c.id DESC
         LIMIT ?1",
    )?;
    let mut points: Vec<TrendPoint> = stmt
        .query_map([limit as i64], |r| {
            let delivered = r.get::<_, i64>(3)? as u64;
            let n = |i: usize| -> rusqlite::Result<u64> { Ok(r.get::<_, i64>(i)? as u64) };
            Ok(TrendPoint {
                campaign_id: r.get(0)?,
                name: r.get(1)?,
                started_at: r.get(2)?,
                delivered,
                open_rate: ratio(n(4)?, delivered),
                human_open_rate: ratio(n(5)?, delivered),
                click_rate: ratio(n(6)?, delivered),
                human_click_rate: ratio(n(7)?, delivered),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    points.reverse();
    Ok(points)
}

/// A campaign in the analytics list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CampaignListItem {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub status: CampaignStatus,
    pub started_at: Option<String>,
    #[ts(type = "number")]
    pub delivered: u64,
    pub open_rate: Option<f64>,
    pub click_rate: Option<f64>,
}

/// Every campaign that started sending (or has events), newest first.
pub fn campaigns(conn: &Connection) -> Result<Vec<CampaignListItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.name, c.status, c.started_at, coalesce(s.delivered, 0),
                coalesce(s.opens_unique, 0), coalesce(s.clicks_unique, 0)
         FROM campaigns c LEFT JOIN campaign_stats s ON s.campaign_id = c.id
         WHERE c.started_at IS NOT NULL OR s.campaign_id IS NOT NULL
         ORDER BY coalesce(c.started_at, s.first_event_at) DESC, c.id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        let status: String = r.get(2)?;
        let delivered = r.get::<_, i64>(4)? as u64;
        Ok(CampaignListItem {
            id: r.get(0)?,
            name: r.get(1)?,
            status: CampaignStatus::parse(&status).unwrap_or(CampaignStatus::Failed),
            started_at: r.get(3)?,
            delivered,
            open_rate: ratio(r.get::<_, i64>(5)? as u64, delivered),
            click_rate: ratio(r.get::<_, i64>(6)? as u64, delivered),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What became of a message to one recipient, the most telling fact first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MessageOutcome {
    /// A complaint (marked as spam).
    Complained,
    HardBounce,
    Unsubscribed,
    Delivered,
    SoftBounce,
    /// Accepted by SES, no delivery event (yet).
    Sent,
    Failed,
    /// Maybe sent (timeout, crash); never resent blindly.
    Unknown,
    /// Left out (cancelled, dismissed).
    NotSent,
    /// Still to be sent.
    Waiting,
}

impl MessageOutcome {
    /// As the CLI prints it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Complained => "marked as spam",
            Self::HardBounce => "bounced",
            Self::Unsubscribed => "unsubscribed",
            Self::Delivered => "delivered",
            Self::SoftBounce => "soft bounce",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Unknown => "outcome unknown",
            Self::NotSent => "not sent",
            Self::Waiting => "waiting to send",
        }
    }
}

/// One campaign in a contact's history: what was sent to them and what they did with it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ContactCampaign {
    #[ts(type = "number")]
    pub campaign_id: i64,
    pub campaign_name: String,
    pub campaign_status: CampaignStatus,
    /// Where this recipient is in the send (pending, sent, failed, …).
    pub state: campaigns::RecipientState,
    pub sent_at: Option<String>,
    pub delivered_at: Option<String>,
    /// "hard" or "soft".
    pub bounce_type: Option<String>,
    pub bounced_at: Option<String>,
    pub complained_at: Option<String>,
    pub opens: u32,
    pub human_opens: u32,
    pub last_open_at: Option<String>,
    pub clicks: u32,
    pub human_clicks: u32,
    pub last_click_at: Option<String>,
    pub unsubscribed_at: Option<String>,
    pub outcome: MessageOutcome,
}

impl ContactCampaign {
    fn outcome(&self) -> MessageOutcome {
        use campaigns::RecipientState as S;
        if self.complained_at.is_some() {
            MessageOutcome::Complained
        } else if self.bounce_type.as_deref() == Some("hard") {
            MessageOutcome::HardBounce
        } else if self.unsubscribed_at.is_some() {
            MessageOutcome::Unsubscribed
        } else if self.delivered_at.is_some() {
            MessageOutcome::Delivered
        } else if self.bounce_type.is_some() {
            MessageOutcome::SoftBounce
        } else {
            match self.state {
                S::Sent => MessageOutcome::Sent,
                S::Failed => MessageOutcome::Failed,
                S::Unknown => MessageOutcome::Unknown,
                S::Skipped => MessageOutcome::NotSent,
                S::Pending | S::Sending => MessageOutcome::Waiting,
            }
        }
    }
}

/// The most campaigns a contact's history lists.
pub const CONTACT_HISTORY_LIMIT: usize = 200;

/// The campaigns a contact was in (snapshotted as a recipient), newest first, with their
/// delivery and engagement as the events reported them.
pub fn contact_history(conn: &Connection, contact_id: i64) -> Result<Vec<ContactCampaign>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.name, c.status, r.state, r.sent_at,
                a.delivered_at, a.bounce_type, a.bounced_at, a.complained_at,
                coalesce(a.opens, 0), coalesce(a.human_opens, 0), a.last_open_at,
                coalesce(a.clicks, 0), coalesce(a.human_clicks, 0), a.last_click_at,
                a.unsubscribed_at
         FROM campaign_recipients r
         JOIN campaigns c ON c.id = r.campaign_id
         LEFT JOIN recipient_activity a ON a.recipient_id = r.id
         WHERE r.contact_id = ?1
         ORDER BY coalesce(r.sent_at, c.started_at, c.created_at) DESC, r.id DESC
         LIMIT ?2",
    )?;
    let ms = |v: Option<i64>| v.and_then(crate::time::timestamp_from_unix_ms);
    let rows = stmt.query_map((contact_id, CONTACT_HISTORY_LIMIT as i64), |r| {
        let status: String = r.get(2)?;
        let state: String = r.get(3)?;
        let mut row = ContactCampaign {
            campaign_id: r.get(0)?,
            campaign_name: r.get(1)?,
            campaign_status: CampaignStatus::parse(&status).unwrap_or(CampaignStatus::Failed),
            state: campaigns::RecipientState::parse(&state)
                .unwrap_or(campaigns::RecipientState::Unknown),
            sent_at: r.get(4)?,
            delivered_at: ms(r.get(5)?),
            bounce_type: r.get(6)?,
            bounced_at: ms(r.get(7)?),
            complained_at: ms(r.get(8)?),
            opens: r.get(9)?,
            human_opens: r.get(10)?,
            last_open_at: ms(r.get(11)?),
            clicks: r.get(12)?,
            human_clicks: r.get(13)?,
            last_click_at: ms(r.get(14)?),
            unsubscribed_at: ms(r.get(15)?),
            outcome: MessageOutcome::Waiting,
        };
        row.outcome = row.outcome();
        Ok(row)
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The campaign report as CSV: the numbers with their rates, then the links.
pub fn report_csv(a: &CampaignAnalytics) -> Result<String> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let rate = |r: Option<f64>| r.map(|r| format!("{:.4}", r * 100.0)).unwrap_or_default();
    let csv_err = |e: csv::Error| Error::io("written", "the report", std::io::Error::other(e));
    w.write_record([
        "metric",
        "count",
        "rate_percent",
        "human_count",
        "human_rate_percent",
    ])
    .map_err(csv_err)?;
    let rows: Vec<[String; 5]> = vec![
        [
            "recipients".into(),
            a.recipients.to_string(),
            String::new(),
            String::new(),
            String::new(),
        ],
        [
            "sent".into(),
            a.sent.to_string(),
            String::new(),
            String::new(),
            String::new(),
        ],
        [
            "delivered".into(),
            a.delivered.to_string(),
            rate(a.rates.delivery),
            String::new(),
            String::new(),
        ],
        [
            "hard_bounces".into(),
            a.hard_bounces.to_string(),
            rate(a.rates.bounce),
            String::new(),
            String::new(),
        ],
        [
            "soft_bounces".into(),
            a.soft_bounces.to_string(),
            String::new(),
            String::new(),
            String::new(),
        ],
        [
            "complaints".into(),
            a.complaints.to_string(),
            rate(a.rates.complaint),
            String::new(),
            String::new(),
        ],
        [
            "opens_unique".into(),
            a.opens.unique.to_string(),
            rate(a.rates.open),
            a.opens.human_unique.to_string(),
            rate(a.rates.human_open),
        ],
        [
            "opens_total".into(),
            a.opens.total.to_string(),
            String::new(),
            a.opens.human_total.to_string(),
            String::new(),
        ],
        [
            "clicks_unique".into(),
            a.clicks.unique.to_string(),
            rate(a.rates.click),
            a.clicks.human_unique.to_string(),
            rate(a.rates.human_click),
        ],
        [
            "clicks_total".into(),
            a.clicks.total.to_string(),
            String::new(),
            a.clicks.human_total.to_string(),
            String::new(),
        ],
        [
            "click_to_open".into(),
            String::new(),
            rate(a.rates.click_to_open),
            String::new(),
            rate(a.rates.human_click_to_open),
        ],
        [
            "unsubscribes".into(),
            a.unsubscribes.to_string(),
            rate(a.rates.unsubscribe),
            String::new(),
            String::new(),
        ],
    ];
    for row in rows {
        w.write_record(row).map_err(csv_err)?;
    }
    // A blank line, then the links table.
    let mut out = w.into_inner().map_err(|e| {
        Error::io(
            "written",
            "the report",
            std::io::Error::other(e.to_string()),
        )
    })?;
    out.push(b'\n');
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(out);
    w.write_record([
        "link",
        "clicks_unique",
        "clicks_total",
        "human_clicks_unique",
        "human_clicks_total",
    ])
    .map_err(csv_err)?;
    for l in &a.links {
        w.write_record([
            l.url.clone(),
            l.clicks.unique.to_string(),
            l.clicks.total.to_string(),
            l.clicks.human_unique.to_string(),
            l.clicks.human_total.to_string(),
        ])
        .map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|e| {
        Error::io(
            "written",
            "the report",
            std::io::Error::other(e.to_string()),
        )
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

pub mod charts;

#[cfg(test)]
mod tests;
