//! The in-app scheduler: a tokio task that starts each scheduled campaign at its time,
//! sleeps until the next one, and wakes early when schedules change
//! ([`SchedulerHandle::notify`]).
//!
//! It also brings back campaigns that wait for time to pass: a quota or network pause whose
//! `resume_at` has come, and a campaign left `sending` by a process that is gone (its lease
//! expired). On launch, a scheduled campaign whose time passed less than the grace period
//! ago (`schedule_grace_hours`, default 24) starts at once; one later than that is marked
//! `missed_schedule` and waits for the user ("send now" or cancel).
//!
//! Time comes from a [`Clock`]: the wall clock in the app, tokio's (pausable) clock in
//! tests. Sleeps are capped at [`MAX_SLEEP`] so that a computer waking from sleep, or a
//! clock change, is noticed soon.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::campaigns::service::CampaignStarter;
use crate::campaigns::{self, CampaignStatus, PauseKind, RUNNER_LEASE};
use crate::db::{self, OpenMode};
use crate::error::Result;

/// The longest the scheduler sleeps without looking again.
pub const MAX_SLEEP: Duration = Duration::from_secs(30);

/// Where "now" comes from.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

/// The computer's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Wall time that moves with tokio's clock: starts at `start` and advances as
/// `tokio::time` does (so a paused tokio clock in tests controls it).
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    start: OffsetDateTime,
    origin: tokio::time::Instant,
}

impl TokioClock {
    pub fn starting_at(start: OffsetDateTime) -> Self {
        Self {
            start,
            origin: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> OffsetDateTime {
        self.start + self.origin.elapsed()
    }
}

/// How the scheduler behaves.
#[derive(Debug, Clone, Default)]
pub struct SchedulerConfig {
    /// A scheduled campaign later than this starts anyway on launch; beyond, it waits for
    /// the user. `None`: read `schedule_grace_hours` from the workspace settings each time.
    pub grace: Option<Duration>,
}

/// The running scheduler. Dropping the handle does not stop it; call [`stop`](Self::stop).
#[derive(Debug)]
pub struct SchedulerHandle {
    wake: Arc<Notify>,
    task: JoinHandle<()>,
}

impl SchedulerHandle {
    /// Schedules changed (a campaign was scheduled, rescheduled, unscheduled, paused by
    /// quota, cancelled): look again now.
    pub fn notify(&self) {
        self.wake.notify_one();
    }

    /// A cloneable way to call [`notify`](Self::notify) from elsewhere.
    pub fn notifier(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

/// Starts the scheduler for the workspace database at `db_path` on the current tokio
/// runtime, with the system clock.
pub fn spawn(
    db_path: PathBuf,
    starter: Arc<dyn CampaignStarter>,
    config: SchedulerConfig,
) -> SchedulerHandle {
    spawn_with_clock(db_path, starter, config, Arc::new(SystemClock))
}

/// [`spawn`] with a chosen clock (tests).
pub fn spawn_with_clock(
    db_path: PathBuf,
    starter: Arc<dyn CampaignStarter>,
    config: SchedulerConfig,
    clock: Arc<dyn Clock>,
) -> SchedulerHandle {
    let wake = Arc::new(Notify::new());
    let task = tokio::spawn(run(db_path, starter, config, clock, wake.clone()));
    SchedulerHandle { wake, task }
}

/// What to do with one campaign now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    Start(i64),
    Resume(i64),
    Missed(i64, String),
}

async fn run(
    db_path: PathBuf,
    starter: Arc<dyn CampaignStarter>,
    config: SchedulerConfig,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
) {
    loop {
        let now = clock.now();
        let plan =
            db::open(&db_path, OpenMode::Existing).and_then(|conn| plan(&conn, now, config.grace));
        let next = match plan {
            Ok((due, next)) => {
                for item in due {
                    let id = item_id(&item);
                    let outcome = match item {
                        Due::Start(id) => starter.start(id).await,
                        Due::Resume(id) => starter.resume(id).await,
                        Due::Missed(id, reason) => db::open(&db_path, OpenMode::Existing)
                            .and_then(|conn| campaigns::mark_missed_schedule(&conn, id, &reason))
                            .map(|_| ()),
                    };
                    if let Err(e) = outcome {
                        // The campaign stays where it was; say why on it, for the user.
                        let _ = db::open(&db_path, OpenMode::Existing)
                            .and_then(|conn| note_failure(&conn, id, &e.to_string()));
                    }
                }
                next
            }
            Err(_) => None,
        };
        let sleep = next
            .map(|at| {
                let secs = (at - clock.now()).as_seconds_f64().max(0.0);
                Duration::from_secs_f64(secs)
            })
            .unwrap_or(MAX_SLEEP)
            .min(MAX_SLEEP);
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = wake.notified() => {}
        }
    }
}

fn item_id(item: &Due) -> i64 {
    match item {
        Due::Start(id) | Due::Resume(id) | Due::Missed(id, _) => *id,
    }
}

/// A scheduled start that failed (review, credentials): the campaign waits for the user
/// like a missed one, with the reason.
fn note_failure(conn: &Connection, id: i64, message: &str) -> Result<()> {
    let campaign = campaigns::get(conn, id)?;
    match campaign.status {
        CampaignStatus::Scheduled => {
            campaigns::set_pause_details(
                conn,
                id,
                Some(PauseKind::MissedSchedule),
                Some(&format!(
                    "The campaign could not start at its time: {message}"
                )),
                None,
            )?;
        }
        CampaignStatus::Paused => {
            // Try again later.
            let later =
                crate::time::timestamp(OffsetDateTime::now_utc() + time::Duration::minutes(5));
            campaigns::set_pause_details(
                conn,
                id,
                campaign.pause_kind,
                Some(&format!(
                    "{} (Resuming failed: {message})",
                    campaign.pause_reason.unwrap_or_default()
                )),
                Some(&later),
            )?;
        }
        _ => {}
    }
    Ok(())
}

fn parse(at: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(at, &Rfc3339).ok()
}

/// What is due at `now`, and when the next thing will be. `grace` `None` reads the
/// workspace setting.
pub fn plan(
    conn: &Connection,
    now: OffsetDateTime,
    grace: Option<Duration>,
) -> Result<(Vec<Due>, Option<OffsetDateTime>)> {
    let grace = match grace {
        Some(g) => g,
        None => Duration::from_secs(
            u64::from(crate::settings::load(conn)?.schedule_grace_hours()) * 3600,
        ),
    };
    let mut due = Vec::new();
    let mut next: Option<OffsetDateTime> = None;
    let mut later = |at: OffsetDateTime| {
        next = Some(next.map_or(at, |n| n.min(at)));
    };
    let mut stmt = conn.prepare(
        "SELECT id, status, scheduled_at, pause_kind, resume_at, runner_seen_at FROM campaigns
         WHERE status IN ('scheduled', 'paused', 'sending')",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    let lease = time::Duration::try_from(RUNNER_LEASE).unwrap_or_default();
    for row in rows {
        let (id, status, scheduled_at, pause_kind, resume_at, runner_seen_at) = row?;
        let pause_kind = pause_kind.as_deref().and_then(PauseKind::parse);
        match CampaignStatus::parse(&status) {
            Some(CampaignStatus::Scheduled) => {
                if pause_kind == Some(PauseKind::MissedSchedule) {
                    continue;
                }
                let Some(at) = scheduled_at.as_deref().and_then(parse) else {
                    continue;
                };
                if at > now {
                    later(at);
                } else if now - at <= time::Duration::try_from(grace).unwrap_or_default() {
                    due.push(Due::Start(id));
                } else {
                    due.push(Due::Missed(
                        id,
                        format!(
                            "It was due at {} but Herald was not running then, and that is more than {} hours ago. Send it now, or cancel it.",
                            scheduled_at.unwrap_or_default(),
                            grace.as_secs() / 3600
                        ),
                    ));
                }
            }
            Some(CampaignStatus::Paused) => {
                if !matches!(
                    pause_kind,
                    Some(PauseKind::DailyQuota | PauseKind::Unreachable)
                ) {
                    continue;
                }
                let Some(at) = resume_at.as_deref().and_then(parse) else {
                    continue;
                };
                if at > now {
                    later(at);
                } else if !runner_fresh(runner_seen_at.as_deref(), now, lease) {
                    due.push(Due::Resume(id));
                }
            }
            Some(CampaignStatus::Sending) => {
                // Left sending by a process that is gone: continue it.
                if !runner_fresh(runner_seen_at.as_deref(), now, lease) {
                    due.push(Due::Resume(id));
                } else if let Some(seen) = runner_seen_at.as_deref().and_then(parse_stamp) {
                    later(seen + lease + time::Duration::seconds(1));
                }
            }
            _ => {}
        }
    }
    Ok((due, next))
}

fn parse_stamp(at: &str) -> Option<OffsetDateTime> {
    parse(at)
}

fn runner_fresh(seen: Option<&str>, now: OffsetDateTime, lease: time::Duration) -> bool {
    seen.and_then(parse_stamp).is_some_and(|t| now - t < lease)
}
