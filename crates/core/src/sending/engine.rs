//! The sending engine: runs one campaign through a [`Messenger`] at the account's pace,
//! with durable per-recipient state, pause / resume / cancel, and progress events.
//!
//! Per recipient: render → wait for a rate token → wait for a concurrency slot → commit the
//! row as `sending` (group commit) → send → record `sent` / `failed` / `unknown`, or put it
//! back to `pending` when the request was refused without sending (throttled, server
//! error, account problem).

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use ts_rs::TS;

use super::message::{
    AccountIssue, Mailbox, MessageTag, Messenger, OutgoingMessage, QuotaError, SendOutcome,
};
use super::rate::{AimdConfig, RateLimiter};
use super::retry::RetryPolicy;
use super::store::{AttemptResult, Store};
use super::unsubscribe::UnsubscribeLinks;
use crate::campaigns::{
    self, Campaign, CampaignStatus, PauseKind, RecipientCounts, RecipientState,
};
use crate::error::{Error, Result};

/// One recipient as the renderer sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    pub id: i64,
    pub contact_id: Option<i64>,
    pub email: String,
    /// Personalisation data captured with the snapshot, if any.
    pub variables: Option<serde_json::Value>,
}

/// The personalised parts of one message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderedMessage {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// Fills one recipient's variables into the campaign's compiled template. Implemented over
/// the templates module (compile once per campaign, fill per recipient); tests use simple
/// ones. `unsubscribe_url` is this recipient's link for the visible footer.
pub trait RecipientRenderer: Send + Sync {
    fn render(
        &self,
        campaign: &Campaign,
        recipient: &Recipient,
        unsubscribe_url: &str,
    ) -> std::result::Result<RenderedMessage, String>;
}

/// How a run sends; everything not in the campaign itself.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub workspace_id: String,
    /// The workspace's SES configuration set (events are only published with one).
    pub configuration_set: Option<String>,
    pub unsubscribe: UnsubscribeLinks,
    /// Used when the campaign has no sender of its own (the workspace settings).
    pub default_from: Mailbox,
    pub default_reply_to: Option<String>,
    /// An upper bound on the rate below the account's and the campaign's, if any.
    pub max_rate: Option<f64>,
    /// Requests in flight at once, so slow answers do not lower throughput.
    pub max_in_flight: usize,
    pub retry: RetryPolicy,
    pub aimd: AimdConfig,
    /// Results are committed at least this often.
    pub commit_interval: Duration,
    /// How often progress is reported while sending.
    pub progress_interval: Duration,
    /// Who runs the campaign (a lease in the database, so two processes never run it at
    /// once); unique per process by default.
    pub runner_id: String,
    /// How often the run reads the campaign's status in the database, so a pause or cancel
    /// from another process (the CLI while the app sends) is noticed, and renews its lease.
    pub status_poll_interval: Duration,
    /// End the run when the campaign is paused (it is run again to resume) instead of
    /// waiting for [`RunControl::resume`].
    pub exit_on_pause: bool,
    /// When SES cannot be reached, the campaign pauses and is retried after this long
    /// (its `resume_at`; the scheduler resumes it).
    pub unreachable_retry: Duration,
}

impl EngineConfig {
    pub fn new(workspace_id: &str, unsubscribe: UnsubscribeLinks, default_from: Mailbox) -> Self {
        Self {
            workspace_id: workspace_id.to_owned(),
            configuration_set: None,
            unsubscribe,
            default_from,
            default_reply_to: None,
            max_rate: None,
            max_in_flight: 256,
            retry: RetryPolicy::default(),
            aimd: AimdConfig::default(),
            commit_interval: Duration::from_millis(50),
            progress_interval: Duration::from_millis(250),
            runner_id: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4()),
            status_poll_interval: Duration::from_millis(250),
            exit_on_pause: false,
            unreachable_retry: Duration::from_secs(60),
        }
    }
}

/// What the user asked the run to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlCommand {
    Run,
    Pause,
    Cancel,
    /// Herald is closing: stop like a pause, and end the run instead of waiting.
    Shutdown,
}

/// Pause, resume and cancel a run from anywhere (the UI, the tray, the CLI).
#[derive(Debug, Clone)]
pub struct RunControl {
    tx: Arc<watch::Sender<ControlCommand>>,
}

impl Default for RunControl {
    fn default() -> Self {
        Self::new()
    }
}

impl RunControl {
    pub fn new() -> Self {
        Self {
            tx: Arc::new(watch::channel(ControlCommand::Run).0),
        }
    }

    /// Stops taking new recipients; requests in flight finish. A paused run waits for
    /// [`resume`](Self::resume) or [`cancel`](Self::cancel).
    pub fn pause(&self) {
        self.tx.send_replace(ControlCommand::Pause);
    }

    pub fn resume(&self) {
        self.tx.send_replace(ControlCommand::Run);
    }

    /// Stops for good; recipients not yet sent are skipped.
    pub fn cancel(&self) {
        self.tx.send_replace(ControlCommand::Cancel);
    }

    /// Herald is closing: requests in flight finish, the campaign is left paused, and the
    /// run returns. Running the campaign again continues it.
    pub fn shutdown(&self) {
        self.tx.send_replace(ControlCommand::Shutdown);
    }

    fn subscribe(&self) -> watch::Receiver<ControlCommand> {
        self.tx.subscribe()
    }
}

/// A progress event for the live view.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SendProgress {
    #[ts(type = "number")]
    pub campaign_id: i64,
    pub status: CampaignStatus,
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub sent: u64,
    #[ts(type = "number")]
    pub failed: u64,
    #[ts(type = "number")]
    pub unknown: u64,
    #[ts(type = "number")]
    pub skipped: u64,
    /// Not sent yet (pending, or being sent right now).
    #[ts(type = "number")]
    pub remaining: u64,
    /// Recipients per second over the last few seconds.
    pub current_rate: f64,
    /// The rate the bucket allows right now (lower than the ceiling after throttling).
    pub target_rate: f64,
    /// Seconds left at the current pace, when there is a pace.
    pub eta_seconds: Option<f64>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RunReport {
    #[ts(type = "number")]
    pub campaign_id: i64,
    /// `sent` or `failed` when finished, `paused` or `cancelled` otherwise.
    pub status: CampaignStatus,
    pub pause_kind: Option<PauseKind>,
    pub pause_reason: Option<String>,
    /// For a quota pause: when the rolling window allows sending again (RFC 3339).
    pub resume_at: Option<String>,
    pub counts: RecipientCounts,
}

/// Why a stretch of sending stopped early.
#[derive(Debug, Clone, PartialEq)]
enum StopReason {
    User(ControlCommand),
    Account(AccountIssue, String),
    QuotaBudget,
    Unreachable(String),
    Store(String),
}

/// Shared by the send tasks: set once, first reason wins.
struct Stop {
    flag: watch::Sender<bool>,
    reason: Mutex<Option<StopReason>>,
}

impl Stop {
    fn new() -> Self {
        Self {
            flag: watch::channel(false).0,
            reason: Mutex::new(None),
        }
    }

    fn set(&self, reason: StopReason) {
        let mut slot = self.reason.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(reason);
        }
        self.flag.send_replace(true);
    }

    fn is_set(&self) -> bool {
        *self.flag.borrow()
    }

    fn reason(&self) -> Option<StopReason> {
        self.reason
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    async fn stopped(&self) {
        let mut rx = self.flag.subscribe();
        let _ = rx.wait_for(|v| *v).await;
    }
}

struct TaskContext<M> {
    messenger: Arc<M>,
    limiter: Arc<RateLimiter>,
    slots: Arc<Semaphore>,
    stop: Arc<Stop>,
    store: Store,
    retry: RetryPolicy,
}

/// How one recipient's task ended, for the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TaskEnd {
    Sent,
    Failed,
    Unknown,
    /// Not sent; the row is `pending` again.
    NotSent,
}

/// Sends one campaign until it is done, paused, stopped by an account problem or
/// cancelled. Call it again to resume a paused campaign (or after a crash: rows left
/// `sending` then become `unknown` first). The campaign must be in a status that may move to
/// `sending`, or already be `sending`.
pub async fn run_campaign<M: Messenger>(
    db_path: &Path,
    campaign_id: i64,
    messenger: Arc<M>,
    renderer: &dyn RecipientRenderer,
    config: &EngineConfig,
    progress: &(dyn Fn(&SendProgress) + Send + Sync),
    control: &RunControl,
) -> Result<RunReport> {
    let result = run(
        db_path,
        campaign_id,
        messenger,
        renderer,
        config,
        progress,
        control,
    )
    .await;
    if let Ok(conn) = crate::db::open(db_path, crate::db::OpenMode::Existing) {
        let _ = campaigns::release_runner(&conn, campaign_id, &config.runner_id);
    }
    let report = result?;
    // The last event carries the status the run ended in.
    let c = &report.counts;
    progress(&SendProgress {
        campaign_id,
        status: report.status,
        total: c.total(),
        sent: c.sent,
        failed: c.failed,
        unknown: c.unknown,
        skipped: c.skipped,
        remaining: c.pending + c.sending,
        current_rate: 0.0,
        target_rate: 0.0,
        eta_seconds: None,
    });
    Ok(report)
}

/// Takes the campaign for the runner `runner` and marks it `sending` (rows an earlier run
/// left `sending` become `unknown` first). [`run_campaign`] does it when it starts; a caller
/// that starts the run in the background does it first too, so the status it shows right
/// away is already `sending`. Doing it twice for the same runner changes nothing more.
pub fn begin_run(
    conn: &rusqlite::Connection,
    campaign_id: i64,
    runner: &str,
) -> Result<crate::campaigns::Campaign> {
    if !campaigns::claim_runner(conn, campaign_id, runner)? {
        return Err(Error::invalid(
            "status",
            "Another Herald process (the app or the command line) is sending this campaign right now.",
        ));
    }
    campaigns::mark_interrupted_unknown(conn, campaign_id)?;
    let campaign = campaigns::get(conn, campaign_id)?;
    if campaign.status == CampaignStatus::Sending {
        Ok(campaign)
    } else {
        campaigns::set_status(conn, campaign_id, CampaignStatus::Sending, None)
    }
}

async fn run<M: Messenger>(
    db_path: &Path,
    campaign_id: i64,
    messenger: Arc<M>,
    renderer: &dyn RecipientRenderer,
    config: &EngineConfig,
    progress: &(dyn Fn(&SendProgress) + Send + Sync),
    control: &RunControl,
) -> Result<RunReport> {
    let store = Store::open(db_path, config.commit_interval)?;
    let runner = config.runner_id.clone();
    let campaign = store
        .call(move |conn| begin_run(conn, campaign_id, &runner))
        .await?;
    let mut control_rx = control.subscribe();
    let limiter = Arc::new(RateLimiter::new(1.0, config.aimd));
    let mut meter = RateMeter::default();

    loop {
        let command = *control_rx.borrow_and_update();
        match command {
            ControlCommand::Run => {}
            ControlCommand::Pause => {
                match wait_while_paused(&store, campaign_id, control, &mut control_rx, config)
                    .await?
                {
                    Some(report) => return Ok(report),
                    None => continue,
                }
            }
            ControlCommand::Cancel => return cancel(&store, campaign_id).await,
            ControlCommand::Shutdown => return shut_down(&store, campaign_id).await,
        }
        let quota = match messenger.quota().await {
            Ok(quota) => quota,
            Err(QuotaError::Account(issue, message)) => {
                return stop_for_account(&store, campaign_id, issue, &message).await
            }
            Err(QuotaError::Unavailable(message)) => {
                return pause(
                    &store,
                    campaign_id,
                    PauseKind::Unreachable,
                    &format!("Amazon SES could not be reached ({message}). The campaign continues by itself when SES answers again."),
                    Some(retry_at(config.unreachable_retry)),
                )
                .await
            }
        };
        let ceiling = [
            Some(quota.max_send_rate),
            campaign.send_rate,
            config.max_rate,
        ]
        .into_iter()
        .flatten()
        .filter(|r| r.is_finite() && *r > 0.0)
        .fold(f64::INFINITY, f64::min);
        limiter.set_ceiling(if ceiling.is_finite() { ceiling } else { 1.0 });

        let stop = Arc::new(Stop::new());
        let context = Arc::new(TaskContext {
            messenger: messenger.clone(),
            limiter: limiter.clone(),
            slots: Arc::new(Semaphore::new(config.max_in_flight.max(1))),
            stop: stop.clone(),
            store: store.clone(),
            retry: config.retry,
        });
        let segment = Segment {
            campaign: &campaign,
            renderer,
            config,
            progress,
            context,
            budget: quota.remaining(),
        };
        segment.run(&mut control_rx, &mut meter).await?;
        let counts = counts(&store, campaign_id).await?;

        match stop.reason() {
            None => return finish(&store, campaign_id, counts).await,
            Some(StopReason::User(ControlCommand::Pause)) => {
                match wait_while_paused(&store, campaign_id, control, &mut control_rx, config).await? {
                    Some(report) => return Ok(report),
                    None => continue,
                }
            }
            Some(StopReason::User(ControlCommand::Shutdown)) => {
                return shut_down(&store, campaign_id).await
            }
            Some(StopReason::User(_)) => return cancel(&store, campaign_id).await,
            Some(StopReason::Account(issue, message)) => {
                return stop_for_account(&store, campaign_id, issue, &message).await
            }
            Some(StopReason::QuotaBudget) => {
                return stop_for_account(
                    &store,
                    campaign_id,
                    AccountIssue::DailyQuotaExhausted,
                    "the remaining 24-hour quota was used",
                )
                .await
            }
            Some(StopReason::Unreachable(message)) => {
                return pause(
                    &store,
                    campaign_id,
                    PauseKind::Unreachable,
                    &format!("Amazon SES kept failing ({message}). The campaign continues by itself when SES answers again."),
                    Some(retry_at(config.unreachable_retry)),
                )
                .await
            }
            Some(StopReason::Store(message)) => {
                return Err(Error::Database(rusqlite::Error::InvalidParameterName(message)))
            }
        }
    }
}

/// One stretch of sending between the start (or a resume) and a stop or the end.
struct Segment<'a, M> {
    campaign: &'a Campaign,
    renderer: &'a dyn RecipientRenderer,
    config: &'a EngineConfig,
    progress: &'a (dyn Fn(&SendProgress) + Send + Sync),
    context: Arc<TaskContext<M>>,
    /// Sends the daily quota still allows in this stretch; `None` = unlimited.
    budget: Option<u64>,
}

impl<M: Messenger> Segment<'_, M> {
    async fn run(
        mut self,
        control_rx: &mut watch::Receiver<ControlCommand>,
        meter: &mut RateMeter,
    ) -> Result<()> {
        let campaign_id = self.campaign.id;
        let stop = self.context.stop.clone();
        let mut counts = counts(&self.context.store, campaign_id).await?;
        let read_ahead = (self.config.max_in_flight * 2).clamp(64, 2048);
        let max_tasks = self.config.max_in_flight + read_ahead / 2;
        let mut queue: VecDeque<Recipient> = VecDeque::new();
        let mut after_id = 0i64;
        let mut exhausted = false;
        let mut tasks: JoinSet<TaskEnd> = JoinSet::new();
        let mut ticker = tokio::time::interval(self.config.progress_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut status_poll = tokio::time::interval(self.config.status_poll_interval);
        status_poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut control_open = true;

        loop {
            let out_of_budget = self.budget == Some(0);
            if !stop.is_set() {
                if queue.len() < read_ahead / 2 && !exhausted {
                    let batch = self
                        .context
                        .store
                        .call(move |conn| pending_after(conn, campaign_id, after_id, read_ahead))
                        .await?;
                    exhausted = batch.len() < read_ahead;
                    if let Some(last) = batch.last() {
                        after_id = last.id;
                    }
                    queue.extend(batch);
                }
                while tasks.len() < max_tasks && self.budget != Some(0) {
                    let Some(recipient) = queue.pop_front() else {
                        break;
                    };
                    if let Some(budget) = &mut self.budget {
                        *budget -= 1;
                    }
                    match self.message_for(&recipient) {
                        Ok(message) => {
                            let context = self.context.clone();
                            tasks.spawn(deliver(context, recipient.id, message));
                        }
                        Err(reason) => {
                            self.context.store.record(AttemptResult {
                                recipient_id: recipient.id,
                                state: RecipientState::Failed,
                                message_id: None,
                                error: Some(format!(
                                    "The message could not be personalised: {reason}"
                                )),
                                attempted: false,
                            });
                            counts.pending = counts.pending.saturating_sub(1);
                            counts.failed += 1;
                        }
                    }
                }
            }
            let nothing_left = queue.is_empty() && exhausted;
            if tasks.is_empty() && (stop.is_set() || nothing_left || out_of_budget) {
                if out_of_budget && !nothing_left && !stop.is_set() {
                    stop.set(StopReason::QuotaBudget);
                }
                break;
            }
            tokio::select! {
                Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                    let end = joined.unwrap_or(TaskEnd::NotSent);
                    match end {
                        TaskEnd::Sent => { counts.pending = counts.pending.saturating_sub(1); counts.sent += 1; meter.count(1); }
                        TaskEnd::Failed => { counts.pending = counts.pending.saturating_sub(1); counts.failed += 1; }
                        TaskEnd::Unknown => { counts.pending = counts.pending.saturating_sub(1); counts.unknown += 1; }
                        TaskEnd::NotSent => {}
                    }
                }
                changed = control_rx.changed(), if control_open => {
                    match changed {
                        Ok(()) => match *control_rx.borrow() {
                            ControlCommand::Run => {}
                            command => stop.set(StopReason::User(command)),
                        },
                        Err(_) => control_open = false,
                    }
                }
                _ = ticker.tick() => {
                    (self.progress)(&self.snapshot(&counts, meter));
                }
                _ = status_poll.tick(), if !stop.is_set() => {
                    let runner = self.config.runner_id.clone();
                    let status = self.context.store.call(move |conn| {
                        campaigns::claim_runner(conn, campaign_id, &runner)?;
                        Ok(campaigns::get(conn, campaign_id)?.status)
                    }).await?;
                    match status {
                        CampaignStatus::Paused => stop.set(StopReason::User(ControlCommand::Pause)),
                        CampaignStatus::Cancelled => stop.set(StopReason::User(ControlCommand::Cancel)),
                        _ => {}
                    }
                }
            }
        }
        (self.progress)(&self.snapshot(&counts, meter));
        Ok(())
    }

    fn message_for(&self, recipient: &Recipient) -> std::result::Result<OutgoingMessage, String> {
        let links = &self.config.unsubscribe;
        let token = links.token(self.campaign.id, &recipient.email);
        let rendered = self
            .renderer
            .render(self.campaign, recipient, &links.url(&token))?;
        let from = match &self.campaign.from_address {
            Some(address) => Mailbox {
                name: self.campaign.from_name.clone(),
                address: address.clone(),
            },
            None => self.config.default_from.clone(),
        };
        Ok(OutgoingMessage {
            from,
            reply_to: self
                .campaign
                .reply_to
                .clone()
                .or_else(|| self.config.default_reply_to.clone()),
            to: recipient.email.clone(),
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
            headers: links.headers(&token).into(),
            configuration_set: self.config.configuration_set.clone(),
            tags: vec![
                MessageTag::new("herald_workspace", &self.config.workspace_id),
                MessageTag::new("herald_campaign", &self.campaign.id.to_string()),
                MessageTag::new("herald_recipient", &recipient.id.to_string()),
            ],
        })
    }

    fn snapshot(&self, counts: &RecipientCounts, meter: &mut RateMeter) -> SendProgress {
        let remaining = counts.pending + counts.sending;
        let current_rate = meter.rate();
        let target_rate = self.context.limiter.current_rate();
        let pace = if current_rate > 0.0 {
            current_rate
        } else {
            target_rate
        };
        SendProgress {
            campaign_id: self.campaign.id,
            status: CampaignStatus::Sending,
            total: counts.total(),
            sent: counts.sent,
            failed: counts.failed,
            unknown: counts.unknown,
            skipped: counts.skipped,
            remaining,
            current_rate,
            target_rate,
            eta_seconds: (pace > 0.0).then(|| remaining as f64 / pace),
        }
    }
}

/// One recipient, from its first attempt to its final state.
async fn deliver<M: Messenger>(
    ctx: Arc<TaskContext<M>>,
    recipient_id: i64,
    message: OutgoingMessage,
) -> TaskEnd {
    let mut throttles = 0u32;
    let mut failures = 0u32;
    loop {
        // Waiting for a token or a slot can be long at a low rate: a stop must not wait.
        let permit = tokio::select! {
            permit = async {
                ctx.limiter.acquire().await;
                ctx.slots.acquire().await
            } => permit,
            _ = ctx.stop.stopped() => return TaskEnd::NotSent,
        };
        let Ok(permit) = permit else {
            return TaskEnd::NotSent;
        };
        if ctx.stop.is_set() {
            return TaskEnd::NotSent;
        }
        match ctx.store.mark_sending(recipient_id).await {
            Ok(true) => {}
            Ok(false) => return TaskEnd::NotSent,
            Err(e) => {
                ctx.stop.set(StopReason::Store(e));
                return TaskEnd::NotSent;
            }
        }
        let outcome = ctx.messenger.send(&message).await;
        drop(permit);
        let record = |state, message_id: Option<String>, error: Option<String>| {
            ctx.store.record(AttemptResult {
                recipient_id,
                state,
                message_id,
                error,
                attempted: true,
            })
        };
        let wait = match outcome {
            SendOutcome::Sent { message_id } => {
                record(RecipientState::Sent, Some(message_id), None);
                return TaskEnd::Sent;
            }
            SendOutcome::Permanent(reason) => {
                record(RecipientState::Failed, None, Some(reason));
                return TaskEnd::Failed;
            }
            SendOutcome::Unknown(reason) => {
                record(RecipientState::Unknown, None, Some(reason));
                return TaskEnd::Unknown;
            }
            SendOutcome::AccountLevel(issue, reason) => {
                record(RecipientState::Pending, None, Some(reason.clone()));
                ctx.stop.set(StopReason::Account(issue, reason));
                return TaskEnd::NotSent;
            }
            SendOutcome::Throttled => {
                ctx.limiter.throttled();
                throttles += 1;
                let reason = "SES asked Herald to slow down (throttled).".to_owned();
                record(RecipientState::Pending, None, Some(reason.clone()));
                if throttles >= ctx.retry.max_throttled_attempts {
                    ctx.stop.set(StopReason::Unreachable(reason));
                    return TaskEnd::NotSent;
                }
                ctx.retry.throttle_backoff(throttles)
            }
            SendOutcome::Transient(reason) => {
                failures += 1;
                record(RecipientState::Pending, None, Some(reason.clone()));
                if failures >= ctx.retry.max_attempts {
                    ctx.stop.set(StopReason::Unreachable(reason));
                    return TaskEnd::NotSent;
                }
                ctx.retry.backoff(failures)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = ctx.stop.stopped() => return TaskEnd::NotSent,
        }
    }
}

fn pending_after(
    conn: &mut rusqlite::Connection,
    campaign_id: i64,
    after_id: i64,
    limit: usize,
) -> Result<Vec<Recipient>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, contact_id, email, variables_json FROM campaign_recipients
         WHERE campaign_id = ?1 AND state = 'pending' AND id > ?2
         ORDER BY id LIMIT ?3",
    )?;
    let rows = stmt.query_map((campaign_id, after_id, limit as i64), |r| {
        let variables: Option<String> = r.get(3)?;
        Ok(Recipient {
            id: r.get(0)?,
            contact_id: r.get(1)?,
            email: r.get(2)?,
            variables: variables.and_then(|v| serde_json::from_str(&v).ok()),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

async fn counts(store: &Store, campaign_id: i64) -> Result<RecipientCounts> {
    store
        .call(move |conn| campaigns::recipient_counts(conn, campaign_id))
        .await
}

async fn report(store: &Store, campaign_id: i64) -> Result<RunReport> {
    store
        .call(move |conn| {
            let campaign = campaigns::get(conn, campaign_id)?;
            Ok(RunReport {
                campaign_id,
                status: campaign.status,
                pause_kind: campaign.pause_kind,
                pause_reason: campaign.pause_reason,
                resume_at: campaign.resume_at,
                counts: campaigns::recipient_counts(conn, campaign_id)?,
            })
        })
        .await
}

/// Everyone has an outcome: `sent`, unless nobody could be sent to.
async fn finish(store: &Store, campaign_id: i64, counts: RecipientCounts) -> Result<RunReport> {
    let status = if counts.sent == 0 && counts.unknown == 0 && counts.failed > 0 {
        CampaignStatus::Failed
    } else {
        CampaignStatus::Sent
    };
    store
        .call(move |conn| campaigns::set_status(conn, campaign_id, status, None).map(|_| ()))
        .await?;
    report(store, campaign_id).await
}

async fn pause(
    store: &Store,
    campaign_id: i64,
    kind: PauseKind,
    reason: &str,
    resume_at: Option<String>,
) -> Result<RunReport> {
    let reason = reason.to_owned();
    store
        .call(move |conn| {
            // Another process may have paused it already.
            if campaigns::get(conn, campaign_id)?.status == CampaignStatus::Paused {
                campaigns::set_pause_details(
                    conn,
                    campaign_id,
                    Some(kind),
                    Some(&reason),
                    resume_at.as_deref(),
                )
            } else {
                campaigns::set_status(
                    conn,
                    campaign_id,
                    CampaignStatus::Paused,
                    Some((kind, &reason, resume_at.as_deref())),
                )
            }
            .map(|_| ())
        })
        .await?;
    report(store, campaign_id).await
}

async fn stop_for_account(
    store: &Store,
    campaign_id: i64,
    issue: AccountIssue,
    detail: &str,
) -> Result<RunReport> {
    let reason = format!("{} (SES said: {detail})", issue.describe());
    if issue == AccountIssue::DailyQuotaExhausted {
        let resume_at = store
            .call(|conn| campaigns::quota_resume_time(conn, time::OffsetDateTime::now_utc()))
            .await?;
        return pause(
            store,
            campaign_id,
            PauseKind::DailyQuota,
            &reason,
            Some(resume_at),
        )
        .await;
    }
    pause(store, campaign_id, PauseKind::Account, &reason, None).await
}

async fn shut_down(store: &Store, campaign_id: i64) -> Result<RunReport> {
    pause(
        store,
        campaign_id,
        PauseKind::User,
        "Stopped because Herald was closing. Resume to continue where it stopped.",
        None,
    )
    .await
}

async fn cancel(store: &Store, campaign_id: i64) -> Result<RunReport> {
    store
        .call(move |conn| campaigns::request_cancel(conn, campaign_id).map(|_| ()))
        .await?;
    report(store, campaign_id).await
}

/// Marks the campaign paused by the user and waits for resume (`Ok(None)`) or cancel,
/// from this process ([`RunControl`]) or another (the status in the database). With
/// `exit_on_pause`, or when every control handle is gone, the run ends, paused.
async fn wait_while_paused(
    store: &Store,
    campaign_id: i64,
    control: &RunControl,
    control_rx: &mut watch::Receiver<ControlCommand>,
    config: &EngineConfig,
) -> Result<Option<RunReport>> {
    let paused = pause(
        store,
        campaign_id,
        PauseKind::User,
        "Paused by you. Resume to continue where it stopped.",
        None,
    )
    .await?;
    if config.exit_on_pause {
        return Ok(Some(paused));
    }
    let mut poll = tokio::time::interval(config.status_poll_interval);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Only what happens from now on counts: the pause itself is already handled.
    control_rx.borrow_and_update();
    loop {
        tokio::select! {
            changed = control_rx.changed() => {
                if changed.is_err() {
                    return Ok(Some(paused));
                }
                let command = *control_rx.borrow_and_update();
                match command {
                    ControlCommand::Run => {
                        store
                            .call(move |conn| campaigns::request_resume(conn, campaign_id).map(|_| ()))
                            .await?;
                        return Ok(None);
                    }
                    ControlCommand::Cancel => return cancel(store, campaign_id).await.map(Some),
                    ControlCommand::Shutdown => return Ok(Some(paused)),
                    ControlCommand::Pause => {}
                }
            }
            _ = poll.tick() => {
                let runner = config.runner_id.clone();
                let status = store
                    .call(move |conn| {
                        campaigns::claim_runner(conn, campaign_id, &runner)?;
                        Ok(campaigns::get(conn, campaign_id)?.status)
                    })
                    .await?;
                match status {
                    CampaignStatus::Sending => {
                        // Resumed elsewhere: this run's own control follows.
                        control.resume();
                        control_rx.borrow_and_update();
                        return Ok(None);
                    }
                    CampaignStatus::Cancelled => return cancel(store, campaign_id).await.map(Some),
                    _ => {}
                }
            }
        }
    }
}

/// `after` from now, as stored.
fn retry_at(after: Duration) -> String {
    crate::time::timestamp(
        time::OffsetDateTime::now_utc() + time::Duration::try_from(after).unwrap_or_default(),
    )
}

/// Sends per second over a sliding window of a few seconds.
#[derive(Debug, Default)]
struct RateMeter {
    samples: VecDeque<(Instant, u64)>,
    total: u64,
}

impl RateMeter {
    const WINDOW: Duration = Duration::from_secs(5);

    fn count(&mut self, n: u64) {
        self.total += n;
    }

    fn rate(&mut self) -> f64 {
        let now = Instant::now();
        self.samples.push_back((now, self.total));
        while self
            .samples
            .front()
            .is_some_and(|(t, _)| now.saturating_duration_since(*t) > Self::WINDOW)
        {
            self.samples.pop_front();
        }
        match (self.samples.front(), self.samples.back()) {
            (Some((t0, n0)), Some((t1, n1))) if t1 > t0 => {
                (n1 - n0) as f64 / t1.saturating_duration_since(*t0).as_secs_f64()
            }
            _ => 0.0,
        }
    }
}
