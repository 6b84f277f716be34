//! Campaigns: their status workflow and their recipient list with per-recipient sending state.
//!
//! The status moves draft → scheduled → sending → sent / failed, plus paused and cancelled;
//! [`check_transition`] is the one place that says which moves are legal. The recipient list
//! is a snapshot taken when sending starts ([`snapshot_recipients`]); the sending engine
//! ([`crate::sending`]) owns the state of each row after that.

use std::fmt;

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
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
    /// SES could not be reached or kept failing; resumes when it answers again.
    Unreachable,
}

impl PauseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PauseKind::User => "user",
            PauseKind::DailyQuota => "daily_quota",
            PauseKind::Account => "account",
            PauseKind::Unreachable => "unreachable",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            PauseKind::User,
            PauseKind::DailyQuota,
            PauseKind::Account,
            PauseKind::Unreachable,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
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
    pub draft_step: Option<String>,
    /// The audience definition as JSON (segments, tags, contacts, exclusions).
    pub audience_json: String,
    /// The template the content started from (templates(id) once templates are merged).
    #[ts(type = "number | null")]
    pub template_id: Option<i64>,
    pub subject: String,
    pub preheader: String,
    pub body_source: Option<String>,
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub reply_to: Option<String>,
    /// RFC 3339, UTC.
    pub scheduled_at: Option<String>,
    /// The IANA time zone the schedule was chosen in.
    pub schedule_time_zone: Option<String>,
    /// Recipients per second; `None` means the account's maximum.
    pub send_rate: Option<f64>,
    pub pause_kind: Option<PauseKind>,
    pub pause_reason: Option<String>,
    pub resume_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

/// What a new campaign starts with; everything else is filled in by the wizard.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
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

const CAMPAIGN_COLUMNS: &str = "id, name, status, draft_step, audience_json, template_id, subject, \
     preheader, body_source, from_name, from_address, reply_to, scheduled_at, schedule_time_zone, \
     send_rate, pause_kind, pause_reason, resume_at, created_at, updated_at, started_at, finished_at";

fn campaign_from_row(r: &Row<'_>) -> rusqlite::Result<Campaign> {
    let status: String = r.get(2)?;
    let pause_kind: Option<String> = r.get(15)?;
    Ok(Campaign {
        id: r.get(0)?,
        name: r.get(1)?,
        status: CampaignStatus::parse(&status).unwrap_or(CampaignStatus::Failed),
        draft_step: r.get(3)?,
        audience_json: r.get(4)?,
        template_id: r.get(5)?,
        subject: r.get(6)?,
        preheader: r.get(7)?,
        body_source: r.get(8)?,
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

/// Creates a draft campaign.
pub fn create(conn: &Connection, new: &NewCampaign) -> Result<Campaign> {
    let name = new.name.trim();
    let mut problems = Vec::new();
    if name.is_empty() {
        problems.push(FieldError::new("name", "Give the campaign a name."));
    } else if name.chars().count() > 200 {
        problems.push(FieldError::new("name", "Use at most 200 characters."));
    }
    if let Some(rate) = new.send_rate {
        if !(rate.is_finite() && rate > 0.0) {
            problems.push(FieldError::new(
                "send_rate",
                "The sending rate must be a positive number of emails per second.",
            ));
        }
    }
    for (field, value) in [
        ("from_address", &new.from_address),
        ("reply_to", &new.reply_to),
    ] {
        if let Some(addr) = value {
            if let Err(reason) = crate::settings::check_email(addr) {
                problems.push(FieldError::new(field, reason));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    let taken: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM campaigns WHERE name = ?1)",
        [name],
        |r| r.get(0),
    )?;
    if taken {
        return Err(Error::invalid(
            "name",
            format!("A campaign named “{name}” already exists."),
        ));
    }
    let now = now_rfc3339();
    conn.execute(
        "INSERT INTO campaigns (name, subject, template_id, from_name, from_address, reply_to,
                                send_rate, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        (
            name,
            &new.subject,
            new.template_id,
            &new.from_name,
            &new.from_address,
            &new.reply_to,
            new.send_rate,
            &now,
        ),
    )?;
    get(conn, conn.last_insert_rowid())
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
    let mut stmt = conn.prepare(
        "SELECT id, contact_id, email, state, ses_message_id, attempts, last_error, sent_at
         FROM campaign_recipients
         WHERE campaign_id = ?1 AND (?2 IS NULL OR state = ?2)
         ORDER BY id",
    )?;
    let rows = stmt.query_map((campaign_id, state.map(RecipientState::as_str)), |r| {
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
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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
                template_id: Some(7),
                ..NewCampaign::default()
            },
        )
        .unwrap();
        assert_eq!(c.status, CampaignStatus::Draft);
        assert_eq!(c.template_id, Some(7));
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
