//! The GUI-free send service: review → snapshot → sending → engine, and pause, resume and
//! cancel at any moment. The desktop app keeps one per open workspace; the CLI makes one
//! per command.
//!
//! Control goes through the database, so it works across processes: pausing writes
//! `paused`, and whichever process runs the campaign notices within
//! [`EngineConfig::status_poll_interval`] and stops taking new recipients; cancelling
//! writes `cancelled` and skips the unsent recipients in the same transaction. A run holds
//! a lease on the campaign ([`super::claim_runner`]) so two processes never run it at once.
//! Locally started runs are also signalled directly, so they react at once.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use super::renderer::CampaignRenderer;
use super::review::{self, Review};
use super::{audience, Campaign, CampaignStatus};
use crate::db::{self, OpenMode};
use crate::error::{Error, Result};
use crate::render::AssetUrls;
use crate::secrets::SecretStore;
use crate::sending::{
    self, unsubscribe, EngineConfig, Mailbox, RunControl, RunReport, SendProgress, SesMessenger,
    UnsubscribeLinks,
};
use crate::ses::SesConnection;
use crate::settings::{self, Settings};
use crate::workspaces::Workspace;

/// What the live view and the notifications hear.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum SendEvent {
    /// While sending, a few times a second.
    Progress(SendProgress),
    /// The run ended: sent, failed, paused (by the user, the quota, SES) or cancelled.
    /// Show an OS notification.
    Finished(RunReport),
    /// The run could not start or stopped on an error Herald could not handle.
    Error {
        #[ts(type = "number")]
        campaign_id: i64,
        message: String,
    },
    /// The scheduler could not start a campaign at its time (the review blocks, no
    /// credentials): it waits for the user, with `message` as the reason.
    NotStarted {
        #[ts(type = "number")]
        campaign_id: i64,
        message: String,
    },
}

/// Receives [`SendEvent`]s (from the service's tasks; keep it quick).
pub type Listener = Arc<dyn Fn(&SendEvent) + Send + Sync>;

/// Starts and resumes campaigns; the scheduler calls it.
pub trait CampaignStarter: Send + Sync + 'static {
    /// Starts a draft or scheduled campaign now (review, snapshot, send).
    fn start(&self, campaign_id: i64) -> BoxFuture<'_, Result<()>>;
    /// Runs a paused (quota, network) or interrupted campaign again.
    fn resume(&self, campaign_id: i64) -> BoxFuture<'_, Result<()>>;
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

struct Running {
    control: RunControl,
    last: Option<SendProgress>,
    /// Resume was asked while this run was stopping for a pause: run again when it ends.
    resume_requested: bool,
}

struct Inner {
    db_path: PathBuf,
    workspace_dir: PathBuf,
    workspace_id: String,
    secrets: Arc<dyn SecretStore>,
    listener: Listener,
    runs: Mutex<HashMap<i64, Running>>,
    /// Overrides for tests and benchmarks.
    tuning: Mutex<Tuning>,
}

/// Knobs tests and benchmarks turn; the defaults suit the app.
#[derive(Debug, Clone)]
pub struct Tuning {
    pub send_timeout: Duration,
    pub max_in_flight: usize,
    pub status_poll_interval: Duration,
    pub progress_interval: Duration,
    pub retry: Option<sending::RetryPolicy>,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            send_timeout: sending::DEFAULT_SEND_TIMEOUT,
            max_in_flight: 256,
            status_poll_interval: Duration::from_millis(250),
            progress_interval: Duration::from_millis(250),
            retry: None,
        }
    }
}

/// Sends a workspace's campaigns. Cheap to clone; every clone is the same service.
#[derive(Clone)]
pub struct SendService {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SendService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendService")
            .field("db_path", &self.inner.db_path)
            .finish_non_exhaustive()
    }
}

impl SendService {
    /// A service for the open workspace. `listener` hears progress and outcomes.
    pub fn new(ws: &Workspace, secrets: Arc<dyn SecretStore>, listener: Listener) -> Self {
        Self::at(ws.db_path(), ws.id(), secrets, listener)
    }

    /// A service for the workspace database at `db_path` with id `workspace_id`.
    pub fn at(
        db_path: PathBuf,
        workspace_id: &str,
        secrets: Arc<dyn SecretStore>,
        listener: Listener,
    ) -> Self {
        let workspace_dir = db_path.parent().map(Path::to_owned).unwrap_or_default();
        Self {
            inner: Arc::new(Inner {
                db_path,
                workspace_dir,
                workspace_id: workspace_id.to_owned(),
                secrets,
                listener,
                runs: Mutex::new(HashMap::new()),
                tuning: Mutex::new(Tuning::default()),
            }),
        }
    }

    /// Changes the tuning for runs started from now on.
    pub fn set_tuning(&self, tuning: Tuning) {
        *self.inner.tuning.lock().unwrap_or_else(|e| e.into_inner()) = tuning;
    }

    fn conn(&self) -> Result<rusqlite::Connection> {
        db::open(&self.inner.db_path, OpenMode::Existing)
    }

    /// The pre-send review (local checks, then SES).
    pub async fn review(&self, campaign_id: i64) -> Result<Review> {
        let pending = {
            let conn = self.conn()?;
            let settings = settings::load(&conn)?;
            let campaign = super::get(&conn, campaign_id)?;
            review::prepare(
                &conn,
                &settings,
                self.inner.secrets.as_ref(),
                &self.inner.workspace_id,
                &campaign,
            )?
        };
        Ok(pending.finish().await)
    }

    /// Reviews, then schedules (a `review_blocked` error lists what must be fixed first).
    /// Tell the scheduler afterwards ([`crate::scheduler::SchedulerHandle::notify`]).
    pub async fn schedule(
        &self,
        campaign_id: i64,
        at: &str,
        time_zone: Option<&str>,
    ) -> Result<Campaign> {
        self.review(campaign_id).await?.ensure_sendable()?;
        super::schedule(&self.conn()?, campaign_id, at, time_zone)
    }

    /// Sends a draft or scheduled campaign now: review (blocking problems refuse with
    /// `review_blocked`), snapshot of the audience, then the engine on a background task.
    /// Returns the review (its warnings are worth showing) once sending has started.
    pub async fn start(&self, campaign_id: i64) -> Result<Review> {
        let review = self.review(campaign_id).await?;
        review.ensure_sendable()?;
        self.snapshot(campaign_id).await?;
        self.spawn_run(campaign_id).await?;
        Ok(review)
    }

    /// Like [`start`](Self::start) but runs in the foreground until the run ends (the CLI).
    pub async fn send_foreground(&self, campaign_id: i64) -> Result<RunReport> {
        let review = self.review(campaign_id).await?;
        review.ensure_sendable()?;
        self.snapshot(campaign_id).await?;
        self.run_foreground(campaign_id).await
    }

    /// Resumes in the foreground (the CLI): when another process is running the campaign
    /// it only marks it `sending` (that process continues; `Ok(None)`), otherwise it runs
    /// it here until the run ends.
    pub async fn resume_foreground(&self, campaign_id: i64) -> Result<Option<RunReport>> {
        let conn = self.conn()?;
        let campaign = super::get(&conn, campaign_id)?;
        if matches!(
            campaign.status,
            CampaignStatus::Draft | CampaignStatus::Scheduled
        ) {
            drop(conn);
            return self.send_foreground(campaign_id).await.map(Some);
        }
        if super::runner_alive(&conn, campaign_id)? {
            super::request_resume(&conn, campaign_id)?;
            return Ok(None);
        }
        if campaign.status != CampaignStatus::Sending {
            super::check_transition(campaign.status, CampaignStatus::Sending)?;
        }
        drop(conn);
        self.run_foreground(campaign_id).await.map(Some)
    }

    async fn snapshot(&self, campaign_id: i64) -> Result<usize> {
        let db_path = self.inner.db_path.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db::open(&db_path, OpenMode::Existing)?;
            let campaign = super::get(&conn, campaign_id)?;
            if !matches!(
                campaign.status,
                CampaignStatus::Draft | CampaignStatus::Scheduled
            ) {
                super::check_transition(campaign.status, CampaignStatus::Sending)?;
            }
            audience::snapshot(&mut conn, campaign_id)
        })
        .await
        .map_err(|e| Error::NotAvailable(format!("The recipient list could not be made: {e}")))?
    }

    /// Pauses from this process or another; the sending process stops taking new
    /// recipients within a moment (requests in flight finish).
    pub fn pause(&self, campaign_id: i64) -> Result<Campaign> {
        let campaign = super::request_pause(&self.conn()?, campaign_id)?;
        if let Some(run) = self.runs().get_mut(&campaign_id) {
            run.resume_requested = false;
            run.control.pause();
        }
        Ok(campaign)
    }

    /// Resumes a paused campaign: if another process is running it, that process
    /// continues; otherwise this service runs it.
    pub async fn resume(&self, campaign_id: i64) -> Result<Campaign> {
        let conn = self.conn()?;
        let campaign = super::get(&conn, campaign_id)?;
        if campaign.status == CampaignStatus::Scheduled || campaign.status == CampaignStatus::Draft
        {
            drop(conn);
            self.start(campaign_id).await?;
            return super::get(&self.conn()?, campaign_id);
        }
        if self.runs().contains_key(&campaign_id) || super::runner_alive(&conn, campaign_id)? {
            let campaign = super::request_resume(&conn, campaign_id)?;
            if let Some(run) = self.runs().get_mut(&campaign_id) {
                // The run may be stopping for the pause right now: it runs again after.
                run.resume_requested = true;
                run.control.resume();
            }
            return Ok(campaign);
        }
        super::check_transition(campaign.status, CampaignStatus::Sending).or_else(|e| {
            (campaign.status == CampaignStatus::Sending)
                .then_some(())
                .ok_or(e)
        })?;
        drop(conn);
        self.spawn_run(campaign_id).await?;
        super::get(&self.conn()?, campaign_id)
    }

    /// Cancels from this process or another: unsent recipients are skipped.
    pub fn cancel(&self, campaign_id: i64) -> Result<Campaign> {
        let campaign = super::request_cancel(&mut self.conn()?, campaign_id)?;
        if let Some(run) = self.runs().get(&campaign_id) {
            run.control.cancel();
        }
        Ok(campaign)
    }

    /// The latest progress of a campaign this service is sending.
    pub fn progress(&self, campaign_id: i64) -> Option<SendProgress> {
        self.runs().get(&campaign_id).and_then(|r| r.last.clone())
    }

    /// The campaigns this service is sending right now.
    pub fn running(&self) -> Vec<i64> {
        self.runs().keys().copied().collect()
    }

    /// Herald is closing: every run stops (requests in flight finish) and is left paused,
    /// to continue on the next launch.
    pub fn shutdown(&self) {
        for run in self.runs().values() {
            run.control.shutdown();
        }
    }

    fn runs(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Running>> {
        self.inner.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Everything a run needs, read from the workspace.
    async fn prepare_run(
        &self,
        campaign_id: i64,
    ) -> Result<(EngineConfig, CampaignRenderer, SesMessenger)> {
        let conn = self.conn()?;
        let settings = settings::load(&conn)?;
        let campaign = super::get(&conn, campaign_id)?;
        let asset_urls = self.asset_urls(&settings, &campaign).await?;
        let renderer = CampaignRenderer::new(&campaign, &settings, &asset_urls)?;
        let config = self.engine_config(&settings)?;
        let tuning = self
            .inner
            .tuning
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let connection = SesConnection {
            region: settings.aws_region.clone(),
            endpoint: settings.effective_ses_endpoint(),
            credentials: crate::credentials::resolve(
                &settings,
                self.inner.secrets.as_ref(),
                &self.inner.workspace_id,
            )?,
        };
        drop(conn);
        let messenger = SesMessenger::connect(&connection, tuning.send_timeout).await?;
        Ok((config, renderer, messenger))
    }

    fn engine_config(&self, settings: &Settings) -> Result<EngineConfig> {
        let relay = settings.relay_url.clone().ok_or_else(|| {
            Error::invalid(
                "relay_url",
                "Set the Herald Relay URL in Settings: unsubscribe links point there.",
            )
        })?;
        let key = unsubscribe::signing_key(self.inner.secrets.as_ref(), &self.inner.workspace_id)?;
        let links = UnsubscribeLinks::new(
            key,
            &self.inner.workspace_id,
            &relay,
            settings.unsubscribe_mailto.as_deref(),
        );
        let from = Mailbox {
            name: settings.from_name.clone(),
            address: settings.from_address.clone().unwrap_or_default(),
        };
        let mut config = EngineConfig::new(&self.inner.workspace_id, links, from);
        config.configuration_set = settings.configuration_set.clone();
        config.default_reply_to = settings.reply_to.clone();
        config.max_rate = settings.max_send_rate();
        config.exit_on_pause = true;
        let tuning = self
            .inner
            .tuning
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        config.max_in_flight = tuning.max_in_flight;
        config.status_poll_interval = tuning.status_poll_interval;
        config.progress_interval = tuning.progress_interval;
        if let Some(retry) = tuning.retry {
            config.retry = retry;
        }
        Ok(config)
    }

    /// Public URLs for the assets the body uses, publishing them first when a bucket is set.
    async fn asset_urls(&self, settings: &Settings, campaign: &Campaign) -> Result<AssetUrls> {
        let Some(source) = &campaign.body_source else {
            return Ok(AssetUrls::new());
        };
        if !settings.publishing_configured() || crate::assets::first_reference(source).is_none() {
            return Ok(AssetUrls::new());
        }
        use crate::assets::publish::{self, PublishTarget};
        let home = self
            .inner
            .workspace_dir
            .parent()
            .and_then(Path::parent)
            .map(crate::workspaces::Home::at)
            .ok_or_else(|| {
                Error::Publishing(
                    "The workspace folder is not where Herald keeps workspaces.".into(),
                )
            })?;
        let name = self
            .inner
            .workspace_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ws = home.open(&name)?;
        let target = PublishTarget::for_workspace(&ws, self.inner.secrets.as_ref())?;
        let urls = publish::public_urls(&ws, &target, source)?;
        let items = publish::items_for_source(&ws, &target, source)?;
        let published = target.publish(items).await?;
        publish::record(&ws, &published)?;
        Ok(urls)
    }

    async fn run_foreground(&self, campaign_id: i64) -> Result<RunReport> {
        let (config, renderer, messenger) = self.prepare_run(campaign_id).await?;
        let control = RunControl::new();
        self.runs().insert(
            campaign_id,
            Running {
                control: control.clone(),
                last: None,
                resume_requested: false,
            },
        );
        let this = self.clone();
        let progress = move |p: &SendProgress| {
            if let Some(run) = this.runs().get_mut(&p.campaign_id) {
                run.last = Some(p.clone());
            }
            (this.inner.listener)(&SendEvent::Progress(p.clone()));
        };
        let result = sending::run_campaign(
            &self.inner.db_path,
            campaign_id,
            Arc::new(messenger),
            &renderer,
            &config,
            &progress,
            &control,
        )
        .await;
        self.runs().remove(&campaign_id);
        match &result {
            Ok(report) => (self.inner.listener)(&SendEvent::Finished(report.clone())),
            Err(e) => (self.inner.listener)(&SendEvent::Error {
                campaign_id,
                message: e.to_string(),
            }),
        }
        result
    }

    /// [`spawn_run`](Self::spawn_run) behind a named future type, so a run can start the
    /// next one.
    fn run_again(self, campaign_id: i64) -> BoxFuture<'static, Result<()>> {
        Box::pin(async move { self.spawn_run(campaign_id).await })
    }

    async fn spawn_run(&self, campaign_id: i64) -> Result<()> {
        if self.runs().contains_key(&campaign_id) {
            return Ok(());
        }
        // Fail early (credentials, template) so the caller sees the error.
        let prepared = self.prepare_run(campaign_id).await?;
        let control = RunControl::new();
        {
            let mut runs = self.runs();
            if runs.contains_key(&campaign_id) {
                return Ok(());
            }
            runs.insert(
                campaign_id,
                Running {
                    control: control.clone(),
                    last: None,
                    resume_requested: false,
                },
            );
        }
        // The status is `sending` before this returns: a page opened right after must not
        // still see a draft (nor a pause) while the background task gets going.
        let begun = self
            .conn()
            .and_then(|conn| crate::sending::begin_run(&conn, campaign_id, &prepared.0.runner_id));
        if let Err(e) = begun {
            self.runs().remove(&campaign_id);
            return Err(e);
        }
        let this = self.clone();
        tokio::spawn(async move {
            let (config, renderer, messenger) = prepared;
            let progress_to = this.clone();
            let progress = move |p: &SendProgress| {
                if let Some(run) = progress_to.runs().get_mut(&p.campaign_id) {
                    run.last = Some(p.clone());
                }
                (progress_to.inner.listener)(&SendEvent::Progress(p.clone()));
            };
            let result = sending::run_campaign(
                &this.inner.db_path,
                campaign_id,
                Arc::new(messenger),
                &renderer,
                &config,
                &progress,
                &control,
            )
            .await;
            let again = this
                .runs()
                .remove(&campaign_id)
                .is_some_and(|run| run.resume_requested);
            let paused = matches!(&result, Ok(r) if r.status == CampaignStatus::Paused);
            if again && paused {
                let conn = this.conn();
                let resumed = conn
                    .and_then(|conn| super::request_resume(&conn, campaign_id))
                    .is_ok();
                if resumed && this.clone().run_again(campaign_id).await.is_ok() {
                    return;
                }
            }
            match result {
                Ok(report) => (this.inner.listener)(&SendEvent::Finished(report)),
                Err(e) => (this.inner.listener)(&SendEvent::Error {
                    campaign_id,
                    message: e.to_string(),
                }),
            }
        });
        Ok(())
    }
}

/// Why a start failed, short enough for a notification: the first problem the review found
/// and how many more there are (the campaign's page lists them all), or the error.
fn notice_reason(e: &Error) -> String {
    let Error::ReviewBlocked(problems) = e else {
        return e.to_string();
    };
    match problems.as_slice() {
        [] => e.to_string(),
        [only] => only.message.clone(),
        [first, more @ ..] => {
            let n = more.len();
            let (s, verb) = if n == 1 { ("", "is") } else { ("s", "are") };
            format!(
                "{} {n} more problem{s} {verb} listed on the campaign.",
                first.message
            )
        }
    }
}

impl CampaignStarter for SendService {
    /// The scheduler's start: nobody is looking at a button, so a start that fails (the review
    /// blocks, no credentials) is also told to the listener, which shows it as a notification.
    /// A failed resume is not: the scheduler retries those every few minutes.
    fn start(&self, campaign_id: i64) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let result = SendService::start(self, campaign_id).await.map(|_| ());
            if let Err(e) = &result {
                (self.inner.listener)(&SendEvent::NotStarted {
                    campaign_id,
                    message: notice_reason(e),
                });
            }
            result
        })
    }

    fn resume(&self, campaign_id: i64) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move { SendService::resume(self, campaign_id).await.map(|_| ()) })
    }
}
