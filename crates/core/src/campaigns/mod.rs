//! Campaigns: their status workflow and their recipient list with per-recipient sending state.
//!
//! The status moves draft → scheduled → sending → sent / failed, plus paused and cancelled;
//! [`check_transition`] is the one place that says which moves are legal. The recipient list
//! is a snapshot taken when sending starts ([`snapshot_recipients`]); the sending engine
//! ([`crate::sending`]) owns the state of each row after that.
//!
//! The wizard's CRUD ([`update`], [`list`], [`delete`], [`duplicate`], [`schedule`]) lives
//! here; the audience in [`audience`], the pre-send review in [`review`], the real
//! per-recipient renderer in [`renderer`], and the GUI-free send service (start, pause,
//! resume, cancel, also from another process) in [`service`].

pub mod audience;
pub mod renderer;
pub mod review;
pub mod service;

use std::fmt;

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
use crate::render::{TemplateContent, TemplateFormat};
use crate::time::now_rfc3339;

/// Where a campaign is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CampaignStatus {
    Draft,
    Scheduled,
    Sending,
    Paused,
    Sent,
    Failed,
    Cancelled,
}

impl CampaignStatus {
    pub const ALL: [CampaignStatus; 7] = [
        CampaignStatus::Draft,
        CampaignStatus::Scheduled,
        CampaignStatus::Sending,
        CampaignStatus::Paused,
        CampaignStatus::Sent,
        CampaignStatus::Failed,
        CampaignStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Scheduled => "scheduled",
            CampaignStatus::Sending => "sending",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Sent => "sent",
            CampaignStatus::Failed => "failed",
            CampaignStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// What moving into this status is called, for error messages.
    pub(crate) fn verb(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "turned back into a draft",
            CampaignStatus::Scheduled => "scheduled",
            CampaignStatus::Sending => "sent",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Sent => "marked as sent",
            CampaignStatus::Failed => "marked as failed",
            CampaignStatus::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for CampaignStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CampaignStatus::Draft => "a draft",
            CampaignStatus::Scheduled => "scheduled",
            CampaignStatus::Sending => "sending",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Sent => "sent",
            CampaignStatus::Failed => "failed",
            CampaignStatus::Cancelled => "cancelled",
        })
    }
}

/// Refuses every status change the workflow does not allow.
///
/// `sent`/`failed` → `sending` is the explicit "resend unknown / retry failed" action;
/// `cancelled` is final.
pub fn check_transition(from: CampaignStatus, to: CampaignStatus) -> Result<()> {
    use CampaignStatus::*;
    let legal = match from {
        Draft => matches!(to, Scheduled | Sending | Cancelled),
        Scheduled => matches!(to, Draft | Sending | Cancelled),
        Sending => matches!(to, Paused | Sent | Failed | Cancelled),
        Paused => matches!(to, Sending | Cancelled),
        Sent | Failed => matches!(to, Sending),
        Cancelled => false,
    };
    if legal {
        Ok(())
    } else {
        Err(Error::IllegalTransition { from, to })
    }
}

/// Why a campaign stopped by itself (shown with a paused or failed campaign).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PauseKind {
    /// The user pressed pause.
    User,
    /// The account's rolling 24-hour quota is used up; resumes by itself at `resume_at`.
    DailyQuota,
    /// The account is suspended, sending is paused, or the sender is not verified: the user
    /// must fix something in SES first.
    Account,
    /// SES could not be reached or kept failing; retried by itself at `resume_at`.
    Unreachable,
    /// Status `scheduled`: its time passed more than the grace period ago while Herald was
    /// not running. It waits for the user: "send now" ([`service::SendService::start`]) or
    /// cancel.
    MissedSchedule,
}

impl PauseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PauseKind::User => "user",
            PauseKind::DailyQuota => "daily_quota",
            PauseKind::Account => "account",
            PauseKind::Unreachable => "unreachable",
            PauseKind::MissedSchedule => "missed_schedule",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            PauseKind::User,
            PauseKind::DailyQuota,
            PauseKind::Account,
            PauseKind::Unreachable,
            PauseKind::MissedSchedule,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// The wizard's steps, in order. A draft remembers the one it was left at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WizardStep {
    Name,
    Audience,
    Template,
    Content,
    Schedule,
    Review,
}

impl WizardStep {
    pub const ALL: [WizardStep; 6] = [
        WizardStep::Name,
        WizardStep::Audience,
        WizardStep::Template,
        WizardStep::Content,
        WizardStep::Schedule,
        WizardStep::Review,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WizardStep::Name => "name",
            WizardStep::Audience => "audience",
            WizardStep::Template => "template",
            WizardStep::Content => "content",
            WizardStep::Schedule => "schedule",
            WizardStep::Review => "review",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.as_str() == s)
    }
}

/// Who receives a campaign: everyone in any of the segments, with any of the tags, or
/// listed explicitly, minus everyone in the exclusions. Contacts that are unsubscribed,
/// bounced, complained or blocked, and suppressed addresses, are always left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Audience {
    #[ts(type = "Array<number>")]
    pub segments: Vec<i64>,
    #[ts(type = "Array<number>")]
    pub tags: Vec<i64>,
    #[ts(type = "Array<number>")]
    pub contacts: Vec<i64>,
    #[ts(type = "Array<number>")]
    pub exclude_segments: Vec<i64>,
    #[ts(type = "Array<number>")]
    pub exclude_tags: Vec<i64>,
    #[ts(type = "Array<number>")]
    pub exclude_contacts: Vec<i64>,
}

impl Audience {
    /// Nobody is chosen yet.
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty() && self.tags.is_empty() && self.contacts.is_empty()
    }
}

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Campaign {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub status: CampaignStatus,
    /// The wizard step a draft was left at; it reopens there.
    pub draft_step: Option<WizardStep>,
    /// Who receives it (segments, tags, contacts, minus exclusions).
    pub audience: Audience,
    /// The template the content started from (NULL once that template is deleted).
    #[ts(type = "number | null")]
    pub template_id: Option<i64>,
    pub subject: String,
    pub preheader: String,
    /// The campaign's own copy of the body (the template's source with this campaign's
    /// edits); `None` until a template is chosen or a body written.
    pub body_source: Option<String>,
    pub body_format: Option<TemplateFormat>,
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub reply_to: Option<String>,
    /// RFC 3339, UTC.
    pub scheduled_at: Option<String>,
    /// The IANA time zone the schedule was chosen in (for display).
    pub schedule_time_zone: Option<String>,
    /// Recipients per second; `None` means the account's maximum.
    pub send_rate: Option<f64>,
    pub pause_kind: Option<PauseKind>,
    pub pause_reason: Option<String>,
    /// For a quota or network pause: when it is retried by itself (RFC 3339 UTC).
    pub resume_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

impl Campaign {
    /// The editable part, for [`update`].
    pub fn draft(&self) -> CampaignDraft {
        CampaignDraft {
            name: self.name.clone(),
            draft_step: self.draft_step,
            audience: self.audience.clone(),
            template_id: self.template_id,
            subject: self.subject.clone(),
            preheader: self.preheader.clone(),
            body_source: self.body_source.clone(),
            body_format: self.body_format,
            from_name: self.from_name.clone(),
            from_address: self.from_address.clone(),
            reply_to: self.reply_to.clone(),
            send_rate: self.send_rate,
        }
    }

    /// What the renderer compiles: the campaign's own body (or `None` when it has none).
    pub fn content(&self) -> Option<TemplateContent> {
        Some(TemplateContent {
            format: self.body_format.unwrap_or(TemplateFormat::Html),
            source: self.body_source.clone()?,
            subject: self.subject.clone(),
            preheader: self.preheader.clone(),
        })
    }
}

/// What a new campaign starts with; everything else is filled in by the wizard.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct NewCampaign {
    pub name: String,
    pub subject: String,
    #[ts(type = "number | null")]
    pub template_id: Option<i64>,
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub reply_to: Option<String>,
    pub send_rate: Option<f64>,
}

/// Everything the wizard edits; [`update`] replaces all of it at once (the UI sends the
/// whole draft after each step, with `draft_step` set to the step the user is on).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct CampaignDraft {
    pub name: String,
    pub draft_step: Option<WizardStep>,
    pub audience: Audience,
    #[ts(type = "number | null")]
    pub template_id: Option<i64>,
    pub subject: String,
    pub preheader: String,
    pub body_source: Option<String>,
    pub body_format: Option<TemplateFormat>,
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub reply_to: Option<String>,
    pub send_rate: Option<f64>,
}

/// One row of the campaign list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CampaignSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub status: CampaignStatus,
    pub subject: String,
    pub draft_step: Option<WizardStep>,
    pub scheduled_at: Option<String>,
    pub schedule_time_zone: Option<String>,
    pub pause_kind: Option<PauseKind>,
    pub pause_reason: Option<String>,
    pub resume_at: Option<String>,
    /// Recipients by state (all zero before sending starts).
    pub counts: RecipientCounts,
    /// Share of the recipients with an outcome (sent, failed, unknown, skipped), 0–1.
    pub progress: f64,
    pub created_at: String,
    pub updated_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

const CAMPAIGN_COLUMNS: &str = "id, name, status, draft_step, audience_json, template_id, subject, \
     preheader, body_source, from_name, from_address, reply_to, scheduled_at, schedule_time_zone, \
     send_rate, pause_kind, pause_reason, resume_at, created_at, updated_at, started_at, finished_at, \
     body_format";

fn campaign_from_row(r: &Row<'_>) -> rusqlite::Result<Campaign> {
    let status: String = r.get(2)?;
    let pause_kind: Option<String> = r.get(15)?;
    let body_format: Option<String> = r.get(22)?;
    Ok(Campaign {
        id: r.get(0)?,
        name: r.get(1)?,
        status: CampaignStatus::parse(&status).unwrap_or(CampaignStatus::Failed),
        draft_step: r
            .get::<_, Option<String>>(3)?
            .as_deref()
            .and_then(WizardStep::parse),
        audience: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
        template_id: r.get(5)?,
        subject: r.get(6)?,
        preheader: r.get(7)?,
        body_source: r.get(8)?,
        body_format: body_format.as_deref().and_then(TemplateFormat::parse),
        from_name: r.get(9)?,
        from_address: r.get(10)?,
        reply_to: r.get(11)?,
        scheduled_at: r.get(12)?,
        schedule_time_zone: r.get(13)?,
        send_rate: r.get(14)?,
        pause_kind: pause_kind.as_deref().and_then(PauseKind::parse),
        pause_reason: r.get(16)?,
        resume_at: r.get(17)?,
        created_at: r.get(18)?,
        updated_at: r.get(19)?,
        started_at: r.get(20)?,
        finished_at: r.get(21)?,
    })
}

const MAX_NAME_CHARS: usize = 200;

/// Checks the fields every save checks, pushing one problem per bad field.
fn check_fields(
    name: &str,
    send_rate: Option<f64>,
    from_address: &Option<String>,
    reply_to: &Option<String>,
    problems: &mut Vec<FieldError>,
) {
    if name.is_empty() {
        problems.push(FieldError::new("name", "Give the campaign a name."));
    } else if name.chars().count() > MAX_NAME_CHARS {
        problems.push(FieldError::new(
            "name",
            format!("Use at most {MAX_NAME_CHARS} characters."),
        ));
    } else if name.chars().any(char::is_control) {
        problems.push(FieldError::new(
            "name",
            "A campaign name is one line of text.",
        ));
    }
    if let Some(rate) = send_rate {
        if !(rate.is_finite() && rate > 0.0) {
            problems.push(FieldError::new(
                "send_rate",
                "The sending rate must be a positive number of emails per second.",
            ));
        }
    }
    for (field, value) in [("from_address", from_address), ("reply_to", reply_to)] {
        if let Some(addr) = value.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            if let Err(reason) = crate::settings::check_email(addr) {
                problems.push(FieldError::new(field, reason));
            }
        }
    }
}

fn check_name_free(conn: &Connection, id: Option<i64>, name: &str) -> Result<()> {
    let other: Option<i64> = conn
        .query_row("SELECT id FROM campaigns WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?;
    match other {
        Some(other) if Some(other) != id => Err(Error::invalid(
            "name",
            format!("A campaign named “{name}” already exists."),
        )),
        _ => Ok(()),
    }
}

fn blank_to_none(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Creates a draft campaign.
pub fn create(conn: &Connection, new: &NewCampaign) -> Result<Campaign> {
    let name = new.name.trim();
    let mut problems = Vec::new();
    check_fields(
        name,
        new.send_rate,
        &new.from_address,
        &new.reply_to,
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    check_name_free(conn, None, name)?;
    let now = now_rfc3339();
    conn.execute(
        "INSERT INTO campaigns (name, subject, template_id, from_name, from_address, reply_to,
                                send_rate, draft_step, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'name', ?8, ?8)",
        (
            name,
            &new.subject,
            new.template_id,
            blank_to_none(&new.from_name),
            blank_to_none(&new.from_address),
            blank_to_none(&new.reply_to),
            new.send_rate,
            &now,
        ),
    )?;
    let id = conn.last_insert_rowid();
    if let Some(template_id) = new.template_id {
        use_template(conn, id, template_id)?;
    }
    get(conn, id)
}

/// Saves the wizard's draft (all editable fields at once). Only drafts and scheduled
/// campaigns can be edited; a scheduled one keeps its schedule.
pub fn update(conn: &Connection, id: i64, draft: &CampaignDraft) -> Result<Campaign> {
    let current = get(conn, id)?;
    check_editable(&current)?;
    let name = draft.name.trim();
    let mut problems = Vec::new();
    check_fields(
        name,
        draft.send_rate,
        &draft.from_address,
        &draft.reply_to,
        &mut problems,
    );
    if draft.subject.chars().count() > 998 {
        problems.push(FieldError::new("subject", "Use at most 998 characters."));
    }
    if let Some(source) = &draft.body_source {
        if source.len() > crate::render::MAX_SOURCE_BYTES {
            problems.push(FieldError::new(
                "body_source",
                format!(
                    "The body is {} KB; the limit is {} KB.",
                    source.len() / 1024,
                    crate::render::MAX_SOURCE_BYTES / 1024
                ),
            ));
        }
    }
    audience::check(conn, &draft.audience, &mut problems)?;
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    check_name_free(conn, Some(id), name)?;
    if let Some(template_id) = draft.template_id {
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM templates WHERE id = ?1)",
            [template_id],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(Error::invalid(
                "template_id",
                "That template no longer exists. Choose another one.",
            ));
        }
    }
    let audience = serde_json::to_string(&draft.audience).expect("audiences serialise");
    conn.execute(
        "UPDATE campaigns SET name = ?2, draft_step = ?3, audience_json = ?4, template_id = ?5,
                subject = ?6, preheader = ?7, body_source = ?8, body_format = ?9, from_name = ?10,
                from_address = ?11, reply_to = ?12, send_rate = ?13, updated_at = ?14
         WHERE id = ?1",
        rusqlite::params![
            id,
            name,
            draft.draft_step.map(WizardStep::as_str),
            audience,
            draft.template_id,
            draft.subject.trim(),
            draft.preheader.trim(),
            draft.body_source,
            draft
                .body_source
                .as_ref()
                .map(|_| draft.body_format.unwrap_or(TemplateFormat::Html).as_str()),
            blank_to_none(&draft.from_name),
            blank_to_none(&draft.from_address),
            blank_to_none(&draft.reply_to),
            draft.send_rate,
            now_rfc3339(),
        ],
    )?;
    get(conn, id)
}

/// The template step: copies the template's body, format, subject and preheader into the
/// campaign (subject and preheader only where the campaign has none yet) and remembers it.
pub fn use_template(conn: &Connection, id: i64, template_id: i64) -> Result<Campaign> {
    let current = get(conn, id)?;
    check_editable(&current)?;
    let template: Option<(String, String, String, String)> = conn
        .query_row(
            "SELECT format, source, subject, preheader FROM templates WHERE id = ?1",
            [template_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((format, source, subject, preheader)) = template else {
        return Err(Error::invalid(
            "template_id",
            "That template no longer exists. Choose another one.",
        ));
    };
    conn.execute(
        "UPDATE campaigns SET template_id = ?2, body_source = ?3, body_format = ?4,
                subject = CASE WHEN subject = '' THEN ?5 ELSE subject END,
                preheader = CASE WHEN preheader = '' THEN ?6 ELSE preheader END,
                updated_at = ?7
         WHERE id = ?1",
        (
            id,
            template_id,
            source,
            format,
            subject,
            preheader,
            now_rfc3339(),
        ),
    )?;
    get(conn, id)
}

fn check_editable(campaign: &Campaign) -> Result<()> {
    match campaign.status {
        CampaignStatus::Draft | CampaignStatus::Scheduled => Ok(()),
        status => Err(Error::invalid(
            "status",
            format!(
                "“{}” is {status} and can no longer be edited. Duplicate it to make a new draft.",
                campaign.name
            ),
        )),
    }
}

/// Every campaign, newest first, optionally only those in one status.
pub fn list(conn: &Connection, status: Option<CampaignStatus>) -> Result<Vec<CampaignSummary>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM campaigns
         WHERE ?1 IS NULL OR status = ?1
         ORDER BY created_at DESC, id DESC"
    ))?;
    let campaigns = stmt
        .query_map([status.map(CampaignStatus::as_str)], campaign_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut counts: std::collections::HashMap<i64, RecipientCounts> =
        std::collections::HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT campaign_id, state, count(*) FROM campaign_recipients GROUP BY campaign_id, state",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (id, state, n) = row?;
        if let Some(state) = RecipientState::parse(&state) {
            counts.entry(id).or_default().set(state, n as u64);
        }
    }
    Ok(campaigns
        .into_iter()
        .map(|c| {
            let counts = counts.get(&c.id).copied().unwrap_or_default();
            summary_of(c, counts)
        })
        .collect())
}

/// One campaign's list row (status, counts, progress).
pub fn summary(conn: &Connection, id: i64) -> Result<CampaignSummary> {
    let campaign = get(conn, id)?;
    let counts = recipient_counts(conn, id)?;
    Ok(summary_of(campaign, counts))
}

fn summary_of(c: Campaign, counts: RecipientCounts) -> CampaignSummary {
    let total = counts.total();
    let done = counts.sent + counts.failed + counts.unknown + counts.skipped;
    CampaignSummary {
        id: c.id,
        name: c.name,
        status: c.status,
        subject: c.subject,
        draft_step: c.draft_step,
        scheduled_at: c.scheduled_at,
        schedule_time_zone: c.schedule_time_zone,
        pause_kind: c.pause_kind,
        pause_reason: c.pause_reason,
        resume_at: c.resume_at,
        counts,
        progress: if total == 0 {
            0.0
        } else {
            done as f64 / total as f64
        },
        created_at: c.created_at,
        updated_at: c.updated_at,
        started_at: c.started_at,
        finished_at: c.finished_at,
    }
}

/// The campaign with this exact name (any case).
pub fn find_by_name(conn: &Connection, name: &str) -> Result<Option<Campaign>> {
    Ok(conn
        .query_row(
            &format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE name = ?1"),
            [name.trim()],
            campaign_from_row,
        )
        .optional()?)
}

/// Deletes a campaign. A draft goes at once; a campaign that was scheduled or sent (it has
/// history) needs `confirmation` equal to its name; one that is sending or paused must be
/// cancelled first.
pub fn delete(conn: &Connection, id: i64, confirmation: Option<&str>) -> Result<()> {
    let campaign = get(conn, id)?;
    match campaign.status {
        CampaignStatus::Draft => {}
        CampaignStatus::Sending | CampaignStatus::Paused => {
            return Err(Error::invalid(
                "status",
                format!(
                    "“{}” is {}. Cancel it before deleting it.",
                    campaign.name, campaign.status
                ),
            ))
        }
        _ => {
            if confirmation.map(str::trim) != Some(campaign.name.as_str()) {
                return Err(Error::ConfirmationMismatch(campaign.name));
            }
        }
    }
    conn.execute("DELETE FROM campaigns WHERE id = ?1", [id])?;
    Ok(())
}

/// A new draft with the same audience and content, named `name` or "<name> (copy)",
/// "<name> (copy 2)", …
pub fn duplicate(conn: &Connection, id: i64, name: Option<&str>) -> Result<Campaign> {
    let original = get(conn, id)?;
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n.to_owned(),
        None => {
            let mut n = 1;
            loop {
                let candidate = if n == 1 {
                    format!("{} (copy)", original.name)
                } else {
                    format!("{} (copy {n})", original.name)
                };
                if find_by_name(conn, &candidate)?.is_none() {
                    break candidate;
                }
                n += 1;
            }
        }
    };
    let mut problems = Vec::new();
    check_fields(&name, None, &None, &None, &mut problems);
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    check_name_free(conn, None, &name)?;
    let now = now_rfc3339();
    conn.execute(
        "INSERT INTO campaigns (name, draft_step, audience_json, template_id, subject, preheader,
                                body_source, body_format, from_name, from_address, reply_to,
                                send_rate, created_at, updated_at)
         SELECT ?2, 'name', audience_json, template_id, subject, preheader, body_source,
                body_format, from_name, from_address, reply_to, send_rate, ?3, ?3
         FROM campaigns WHERE id = ?1",
        (id, &name, &now),
    )?;
    get(conn, conn.last_insert_rowid())
}

/// Schedules a draft (or moves a scheduled campaign) to `at` (RFC 3339 with any offset;
/// stored in UTC). `time_zone` is the IANA zone the user picked the time in, kept for
/// display. This does not review the campaign: front ends call
/// [`service::SendService::schedule`], which reviews first.
pub fn schedule(conn: &Connection, id: i64, at: &str, time_zone: Option<&str>) -> Result<Campaign> {
    use time::format_description::well_known::Rfc3339;
    let campaign = get(conn, id)?;
    let parsed = time::OffsetDateTime::parse(at.trim(), &Rfc3339).map_err(|_| {
        Error::invalid(
            "scheduled_at",
            format!("“{at}” is not a date and time like 2026-12-01T09:00:00+01:00."),
        )
    })?;
    if parsed < time::OffsetDateTime::now_utc() - time::Duration::minutes(1) {
        return Err(Error::invalid(
            "scheduled_at",
            "That time has passed. Choose a time in the future, or send now.",
        ));
    }
    if campaign.status != CampaignStatus::Scheduled {
        check_transition(campaign.status, CampaignStatus::Scheduled)?;
    }
    let utc = crate::time::timestamp(parsed);
    conn.execute(
        "UPDATE campaigns SET status = 'scheduled', scheduled_at = ?2, schedule_time_zone = ?3,
                draft_step = 'review', pause_kind = NULL, pause_reason = NULL, resume_at = NULL,
                updated_at = ?4
         WHERE id = ?1",
        (
            id,
            utc,
            time_zone.map(str::trim).filter(|z| !z.is_empty()),
            now_rfc3339(),
        ),
    )?;
    get(conn, id)
}

/// Takes a scheduled campaign back to a draft (its schedule is forgotten).
pub fn unschedule(conn: &Connection, id: i64) -> Result<Campaign> {
    let campaign = get(conn, id)?;
    check_transition(campaign.status, CampaignStatus::Draft)?;
    conn.execute(
        "UPDATE campaigns SET status = 'draft', scheduled_at = NULL, schedule_time_zone = NULL,
                pause_kind = NULL, pause_reason = NULL, resume_at = NULL, updated_at = ?2
         WHERE id = ?1",
        (id, now_rfc3339()),
    )?;
    get(conn, id)
}

/// The campaign with this id.
pub fn get(conn: &Connection, id: i64) -> Result<Campaign> {
    conn.query_row(
        &format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = ?1"),
        [id],
        campaign_from_row,
    )
    .optional()?
    .ok_or(Error::CampaignNotFound(id))
}

/// Moves a campaign to `to` if the workflow allows it; a pause or failure carries its reason.
pub fn set_status(
    conn: &Connection,
    id: i64,
    to: CampaignStatus,
    pause: Option<(PauseKind, &str, Option<&str>)>,
) -> Result<Campaign> {
    let current = get(conn, id)?;
    check_transition(current.status, to)?;
    let now = now_rfc3339();
    let (kind, reason, resume_at) = match pause {
        Some((kind, reason, resume_at)) => (Some(kind.as_str()), Some(reason), resume_at),
        None => (None, None, None),
    };
    conn.execute(
        "UPDATE campaigns SET status = ?2, pause_kind = ?3, pause_reason = ?4, resume_at = ?5,
                updated_at = ?6,
                started_at = CASE WHEN ?2 = 'sending' THEN coalesce(started_at, ?6) ELSE started_at END,
                finished_at = CASE WHEN ?2 IN ('sent', 'failed', 'cancelled') THEN ?6 ELSE NULL END
         WHERE id = ?1",
        (id, to.as_str(), kind, reason, resume_at, &now),
    )?;
    get(conn, id)
}

/// Records why a campaign is paused (or waits), whatever its status, without a status
/// change: used when the status was already changed (e.g. by another process).
pub fn set_pause_details(
    conn: &Connection,
    id: i64,
    kind: Option<PauseKind>,
    reason: Option<&str>,
    resume_at: Option<&str>,
) -> Result<Campaign> {
    conn.execute(
        "UPDATE campaigns SET pause_kind = ?2, pause_reason = ?3, resume_at = ?4, updated_at = ?5
         WHERE id = ?1",
        (
            id,
            kind.map(PauseKind::as_str),
            reason,
            resume_at,
            now_rfc3339(),
        ),
    )?;
    get(conn, id)
}

/// Pauses a campaign from any process: a `sending` campaign becomes `paused` (by the user)
/// in the database, and the process sending it notices within a second and stops taking
/// new recipients. A campaign already paused stays paused.
pub fn request_pause(conn: &Connection, id: i64) -> Result<Campaign> {
    let campaign = get(conn, id)?;
    if campaign.status == CampaignStatus::Paused {
        return Ok(campaign);
    }
    set_status(
        conn,
        id,
        CampaignStatus::Paused,
        Some((
            PauseKind::User,
            "Paused by you. Resume to continue where it stopped.",
            None,
        )),
    )
}

/// Resumes a paused campaign from any process by marking it `sending` again. Whoever
/// sends it must then run it: a process that is sending it notices by itself; when none
/// is ([`runner_alive`] is false), the caller runs the engine (the CLI does, the app's
/// send service does).
pub fn request_resume(conn: &Connection, id: i64) -> Result<Campaign> {
    let campaign = get(conn, id)?;
    if campaign.status == CampaignStatus::Sending {
        return Ok(campaign);
    }
    set_status(conn, id, CampaignStatus::Sending, None)
}

/// Cancels a campaign from any process: recipients not yet sent to are skipped (in one
/// transaction with the status), and a process sending it stops within a second.
pub fn request_cancel(conn: &mut Connection, id: i64) -> Result<Campaign> {
    // Immediate: it reads, then writes while another process may be committing results;
    // a deferred transaction could not upgrade its snapshot and would fail at once.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let campaign = get(&tx, id)?;
    if campaign.status != CampaignStatus::Cancelled {
        set_status(&tx, id, CampaignStatus::Cancelled, None)?;
    }
    skip_pending(
        &tx,
        id,
        "The campaign was cancelled before this recipient was sent to.",
    )?;
    tx.commit()?;
    get(conn, id)
}

/// How long a runner's lease lasts without being renewed.
pub const RUNNER_LEASE: std::time::Duration = std::time::Duration::from_secs(10);

/// Whether some process renewed its lease on sending this campaign recently.
pub fn runner_alive(conn: &Connection, id: i64) -> Result<bool> {
    let cutoff = crate::time::timestamp(
        time::OffsetDateTime::now_utc()
            - time::Duration::try_from(RUNNER_LEASE).unwrap_or_default(),
    );
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = ?1 AND runner IS NOT NULL
                                                   AND runner_seen_at >= ?2)",
        (id, cutoff),
        |r| r.get(0),
    )?)
}

/// Takes (or renews) the lease on sending a campaign for `runner`. `false` when another
/// runner holds a live lease: it must not be run here too. A lease whose holder (a process
/// on this computer, named in the runner id as `<pid>-…`) is gone is taken over at once,
/// so a restart after a crash or kill does not wait for the lease to run out.
pub fn claim_runner(conn: &Connection, id: i64, runner: &str) -> Result<bool> {
    let now = time::OffsetDateTime::now_utc();
    let cutoff =
        crate::time::timestamp(now - time::Duration::try_from(RUNNER_LEASE).unwrap_or_default());
    let holder: Option<String> = conn
        .query_row(
            "SELECT runner FROM campaigns WHERE id = ?1 AND runner IS NOT NULL AND runner <> ?2
                                            AND runner_seen_at >= ?3",
            (id, runner, &cutoff),
            |r| r.get(0),
        )
        .optional()?;
    if let Some(holder) = holder {
        if process_alive(&holder) {
            return Ok(false);
        }
    }
    conn.execute(
        "UPDATE campaigns SET runner = ?2, runner_seen_at = ?3 WHERE id = ?1",
        (id, runner, crate::time::timestamp(now)),
    )?;
    Ok(true)
}

/// Whether the process named at the start of a runner id (`<pid>-…`) still runs on this
/// computer. Unknown (no pid, or no way to tell) counts as alive.
fn process_alive(runner: &str) -> bool {
    let Some(pid) = runner.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
        return true;
    };
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        return std::path::Path::new(&format!("/proc/{pid}")).exists();
    }
    if cfg!(unix) {
        return std::process::Command::new("kill")
            .args(["-0", &pid.to_string()])
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(true);
    }
    true
}

/// Gives the lease up (the run ended).
pub fn release_runner(conn: &Connection, id: i64, runner: &str) -> Result<()> {
    conn.execute(
        "UPDATE campaigns SET runner = NULL, runner_seen_at = NULL WHERE id = ?1 AND runner = ?2",
        (id, runner),
    )?;
    Ok(())
}

/// A scheduled campaign whose time passed beyond the grace period: it stays `scheduled`
/// and waits for the user's decision (send now or cancel).
pub fn mark_missed_schedule(conn: &Connection, id: i64, reason: &str) -> Result<Campaign> {
    set_pause_details(
        conn,
        id,
        Some(PauseKind::MissedSchedule),
        Some(reason),
        None,
    )
}

/// Where one recipient's message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RecipientState {
    Pending,
    /// Committed just before the request to SES leaves.
    Sending,
    Sent,
    Failed,
    /// The request may or may not have reached SES (timeout, crash); never resent blindly.
    Unknown,
    Skipped,
}

impl RecipientState {
    pub fn as_str(self) -> &'static str {
        match self {
            RecipientState::Pending => "pending",
            RecipientState::Sending => "sending",
            RecipientState::Sent => "sent",
            RecipientState::Failed => "failed",
            RecipientState::Unknown => "unknown",
            RecipientState::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        use RecipientState::*;
        [Pending, Sending, Sent, Failed, Unknown, Skipped]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

/// One address in the snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecipient {
    pub contact_id: Option<i64>,
    pub email: String,
    /// Personalisation data captured with the snapshot (a JSON object), if any.
    pub variables: Option<serde_json::Value>,
}

/// Adds recipients to a campaign's list; an address already on it is left alone. Returns how
/// many were added.
pub fn snapshot_recipients(
    conn: &mut Connection,
    campaign_id: i64,
    recipients: impl IntoIterator<Item = NewRecipient>,
) -> Result<usize> {
    get(conn, campaign_id)?;
    let now = now_rfc3339();
    let tx = conn.transaction()?;
    let mut added = 0;
    {
        let mut insert = tx.prepare(
            "INSERT INTO campaign_recipients (campaign_id, contact_id, email, variables_json,
                                              created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (campaign_id, email) DO NOTHING",
        )?;
        for r in recipients {
            let variables = r.variables.as_ref().map(|v| v.to_string());
            added +=
                insert.execute((campaign_id, r.contact_id, r.email.trim(), variables, &now))?;
        }
    }
    tx.commit()?;
    Ok(added)
}

/// How many of a campaign's recipients are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RecipientCounts {
    #[ts(type = "number")]
    pub pending: u64,
    #[ts(type = "number")]
    pub sending: u64,
    #[ts(type = "number")]
    pub sent: u64,
    #[ts(type = "number")]
    pub failed: u64,
    #[ts(type = "number")]
    pub unknown: u64,
    #[ts(type = "number")]
    pub skipped: u64,
}

impl RecipientCounts {
    pub fn total(&self) -> u64 {
        self.pending + self.sending + self.sent + self.failed + self.unknown + self.skipped
    }

    fn set(&mut self, state: RecipientState, n: u64) {
        match state {
            RecipientState::Pending => self.pending = n,
            RecipientState::Sending => self.sending = n,
            RecipientState::Sent => self.sent = n,
            RecipientState::Failed => self.failed = n,
            RecipientState::Unknown => self.unknown = n,
            RecipientState::Skipped => self.skipped = n,
        }
    }

    pub fn get(&self, state: RecipientState) -> u64 {
        match state {
            RecipientState::Pending => self.pending,
            RecipientState::Sending => self.sending,
            RecipientState::Sent => self.sent,
            RecipientState::Failed => self.failed,
            RecipientState::Unknown => self.unknown,
            RecipientState::Skipped => self.skipped,
        }
    }
}

pub fn recipient_counts(conn: &Connection, campaign_id: i64) -> Result<RecipientCounts> {
    let mut stmt = conn.prepare_cached(
        "SELECT state, count(*) FROM campaign_recipients WHERE campaign_id = ?1 GROUP BY state",
    )?;
    let mut counts = RecipientCounts::default();
    let rows = stmt.query_map([campaign_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (state, n) = row?;
        let n = n as u64;
        match RecipientState::parse(&state) {
            Some(RecipientState::Pending) => counts.pending = n,
            Some(RecipientState::Sending) => counts.sending = n,
            Some(RecipientState::Sent) => counts.sent = n,
            Some(RecipientState::Failed) => counts.failed = n,
            Some(RecipientState::Unknown) => counts.unknown = n,
            Some(RecipientState::Skipped) => counts.skipped = n,
            None => {}
        }
    }
    Ok(counts)
}

/// One recipient row, as the UI lists it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CampaignRecipient {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub contact_id: Option<i64>,
    pub email: String,
    pub state: RecipientState,
    pub ses_message_id: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
}

/// The recipients of a campaign in one state (all states when `None`), in list order.
pub fn recipients(
    conn: &Connection,
    campaign_id: i64,
    state: Option<RecipientState>,
) -> Result<Vec<CampaignRecipient>> {
    recipients_page(conn, campaign_id, state, 0, u32::MAX)
}

/// One page of [`recipients`]: `limit` rows after skipping `offset`.
pub fn recipients_page(
    conn: &Connection,
    campaign_id: i64,
    state: Option<RecipientState>,
    offset: u32,
    limit: u32,
) -> Result<Vec<CampaignRecipient>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, contact_id, email, state, ses_message_id, attempts, last_error, sent_at
         FROM campaign_recipients
         WHERE campaign_id = ?1 AND (?2 IS NULL OR state = ?2)
         ORDER BY id LIMIT ?3 OFFSET ?4",
    )?;
    let rows = stmt.query_map(
        (
            campaign_id,
            state.map(RecipientState::as_str),
            i64::from(limit),
            i64::from(offset),
        ),
        |r| {
            let state: String = r.get(3)?;
            Ok(CampaignRecipient {
                id: r.get(0)?,
                contact_id: r.get(1)?,
                email: r.get(2)?,
                state: RecipientState::parse(&state).unwrap_or(RecipientState::Unknown),
                ses_message_id: r.get(4)?,
                attempts: r.get(5)?,
                last_error: r.get(6)?,
                sent_at: r.get(7)?,
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether the workspace has campaigns that need Herald running: scheduled (and not
/// waiting for the user), sending, or paused with a time to continue by itself. The tray
/// asks this when the window closes.
pub fn has_pending_work(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM campaigns
                        WHERE (status = 'scheduled' AND coalesce(pause_kind, '') <> 'missed_schedule')
                           OR status = 'sending'
                           OR (status = 'paused' AND resume_at IS NOT NULL))",
        [],
        |r| r.get(0),
    )?)
}

/// After a crash or kill: every row still `sending` may or may not have reached SES, so it
/// becomes `unknown`. Returns how many.
pub fn mark_interrupted_unknown(conn: &Connection, campaign_id: i64) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE campaign_recipients
         SET state = 'unknown', updated_at = ?2,
             last_error = 'Herald stopped while this message was being handed to SES; it may or may not have been sent.'
         WHERE campaign_id = ?1 AND state = 'sending'",
        (campaign_id, now_rfc3339()),
    )?)
}

/// The user's explicit decision to send again to the recipients whose outcome is unknown
/// (they may receive the campaign twice). Returns how many were queued again; the campaign
/// must then be sent (resumed) as usual.
pub fn resend_unknown(conn: &Connection, campaign_id: i64) -> Result<usize> {
    get(conn, campaign_id)?;
    Ok(conn.execute(
        "UPDATE campaign_recipients SET state = 'pending', last_error = NULL, updated_at = ?2
         WHERE campaign_id = ?1 AND state = 'unknown'",
        (campaign_id, now_rfc3339()),
    )?)
}

/// The user's decision not to resend to the recipients whose outcome is unknown: they are
/// skipped, with that reason. Returns how many.
pub fn dismiss_unknown(conn: &Connection, campaign_id: i64) -> Result<usize> {
    get(conn, campaign_id)?;
    Ok(conn.execute(
        "UPDATE campaign_recipients
         SET state = 'skipped', updated_at = ?2,
             last_error = 'You chose not to send again: SES may or may not have sent this message.'
         WHERE campaign_id = ?1 AND state = 'unknown'",
        (campaign_id, now_rfc3339()),
    )?)
}

/// Cancelling: recipients never sent to are skipped, with the reason. Returns how many.
pub fn skip_pending(conn: &Connection, campaign_id: i64, reason: &str) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE campaign_recipients SET state = 'skipped', last_error = ?2, updated_at = ?3
         WHERE campaign_id = ?1 AND state = 'pending'",
        (campaign_id, reason, now_rfc3339()),
    )?)
}

/// When a quota pause may end: SES counts a rolling 24 hours, so the oldest send Herald
/// made in the window frees a slot 24 hours after it. Sends from outside Herald are not
/// known here, so this is never earlier than `now` + 10 minutes (SES's own advice), and is
/// `now` + 1 hour when Herald sent nothing in the window.
pub fn quota_resume_time(conn: &Connection, now: time::OffsetDateTime) -> Result<String> {
    use time::format_description::well_known::Rfc3339;
    let day = time::Duration::hours(24);
    let window_start = (now - day).format(&Rfc3339).expect("UTC timestamps format");
    let oldest: Option<String> = conn.query_row(
        "SELECT min(sent_at) FROM campaign_recipients WHERE sent_at >= ?1",
        [window_start],
        |r| r.get(0),
    )?;
    let earliest = now + time::Duration::minutes(10);
    let at = match oldest.and_then(|t| time::OffsetDateTime::parse(&t, &Rfc3339).ok()) {
        Some(oldest) => (oldest + day).max(earliest),
        None => now + time::Duration::hours(1),
    };
    Ok(at.format(&Rfc3339).expect("UTC timestamps format"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{open, OpenMode};

    #[test]
    fn only_the_workflow_transitions_are_legal() {
        use CampaignStatus::*;
        let legal = [
            (Draft, Scheduled),
            (Draft, Sending),
            (Draft, Cancelled),
            (Scheduled, Draft),
            (Scheduled, Sending),
            (Scheduled, Cancelled),
            (Sending, Paused),
            (Sending, Sent),
            (Sending, Failed),
            (Sending, Cancelled),
            (Paused, Sending),
            (Paused, Cancelled),
            (Sent, Sending),
            (Failed, Sending),
        ];
        for from in CampaignStatus::ALL {
            for to in CampaignStatus::ALL {
                let result = check_transition(from, to);
                assert_eq!(
                    result.is_ok(),
                    legal.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
        let err = check_transition(Cancelled, Sending).unwrap_err();
        assert_eq!(err.code(), "illegal_transition");
        assert_eq!(
            err.to_string(),
            "A campaign that is cancelled cannot be sent."
        );
        assert_eq!(
            check_transition(Sent, Paused).unwrap_err().to_string(),
            "A campaign that is sent cannot be paused."
        );
    }

    #[test]
    fn campaigns_are_created_validated_and_move_through_statuses() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
        let err = create(
            &conn,
            &NewCampaign {
                name: " ".into(),
                send_rate: Some(-1.0),
                from_address: Some("nope".into()),
                ..NewCampaign::default()
            },
        )
        .unwrap_err();
        let fields: Vec<&str> = err.fields().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "send_rate", "from_address"]);

        let c = create(
            &conn,
            &NewCampaign {
                name: "Spring sale".into(),
                subject: "Hello".into(),
                template_id: None,
                ..NewCampaign::default()
            },
        )
        .unwrap();
        assert_eq!(c.status, CampaignStatus::Draft);
        assert_eq!(c.template_id, None);
        let dup = create(
            &conn,
            &NewCampaign {
                name: "SPRING SALE".into(),
                ..NewCampaign::default()
            },
        )
        .unwrap_err();
        assert_eq!(dup.fields()[0].field, "name");

        let sending = set_status(&conn, c.id, CampaignStatus::Sending, None).unwrap();
        assert!(sending.started_at.is_some());
        let paused = set_status(
            &conn,
            c.id,
            CampaignStatus::Paused,
            Some((PauseKind::DailyQuota, "quota", Some("2030-01-01T00:00:00Z"))),
        )
        .unwrap();
        assert_eq!(paused.pause_kind, Some(PauseKind::DailyQuota));
        assert_eq!(paused.resume_at.as_deref(), Some("2030-01-01T00:00:00Z"));
        assert!(set_status(&conn, c.id, CampaignStatus::Sent, None).is_err());
        assert_eq!(get(&conn, c.id).unwrap().status, CampaignStatus::Paused);

        let added = snapshot_recipients(
            &mut conn,
            c.id,
            ["a@example.com", "B@example.com", "b@EXAMPLE.com"].map(|e| NewRecipient {
                contact_id: None,
                email: e.into(),
                variables: None,
            }),
        )
        .unwrap();
        assert_eq!(added, 2, "addresses are unique per campaign, ignoring case");
        assert_eq!(recipient_counts(&conn, c.id).unwrap().pending, 2);
        assert!(matches!(get(&conn, 999), Err(Error::CampaignNotFound(999))));
    }
}
