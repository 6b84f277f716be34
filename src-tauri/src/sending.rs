//! The app side of sending: one core [`SendService`] and one scheduler per workspace opened
//! in this run of Herald. Progress goes to the UI as `campaign-progress` events, the end of
//! a run as `campaign-finished` plus an OS notification. Sends keep going when the user
//! switches workspace; they stop (like a pause, to continue on the next launch) only when
//! Herald quits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use herald_core::campaigns::service::{SendEvent, SendService};
use herald_core::campaigns::{self, CampaignStatus, PauseKind};
use herald_core::db::{self, OpenMode};
use herald_core::scheduler::{self, SchedulerConfig, SchedulerHandle};
use herald_core::sending::RunReport;
use tauri::{AppHandle, Emitter, Runtime};

use crate::desktop;
use crate::error::CommandResult;
use crate::state::AppState;

/// The event that carries a running campaign's `SendProgress`.
pub const PROGRESS_EVENT: &str = "campaign-progress";
/// Sent when a run ends (sent, failed, paused, cancelled) or could not run: lists reload.
pub const FINISHED_EVENT: &str = "campaign-finished";

/// How long quitting waits for requests in flight to be recorded.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(10);

struct WorkspaceSending {
    service: SendService,
    scheduler: SchedulerHandle,
    db_path: std::path::PathBuf,
}

/// Every workspace's sending in this process, by workspace id.
#[derive(Default)]
pub struct SendingService {
    workspaces: Mutex<HashMap<String, WorkspaceSending>>,
}

impl SendingService {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, WorkspaceSending>> {
        // Only handles live here; a poisoned lock holds nothing half-changed.
        self.workspaces.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The send service of the open workspace, starting it (and its scheduler, which
    /// catches up on what was due while Herald was closed) the first time.
    pub fn current<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        state: &AppState,
    ) -> CommandResult<SendService> {
        let (id, db_path) = state.with_workspace(|ws| Ok((ws.id().to_owned(), ws.db_path())))?;
        let mut all = self.lock();
        if let Some(existing) = all.get(&id) {
            // A renamed workspace lives in another folder: start over there once nothing runs.
            if existing.db_path == db_path || !existing.service.running().is_empty() {
                return Ok(existing.service.clone());
            }
            if let Some(stale) = all.remove(&id) {
                stale.scheduler.stop();
            }
        }
        let listener_app = app.clone();
        let listener_db = db_path.clone();
        let service = SendService::at(
            db_path.clone(),
            &id,
            state.secrets.clone(),
            Arc::new(move |event: &SendEvent| on_event(&listener_app, &listener_db, event)),
        );
        // The scheduler is a tokio task; commands may run outside the runtime's context.
        let _runtime = tauri::async_runtime::handle().inner().enter();
        let handle = scheduler::spawn(
            db_path.clone(),
            Arc::new(service.clone()),
            SchedulerConfig::default(),
        );
        all.insert(
            id,
            WorkspaceSending {
                service: service.clone(),
                scheduler: handle,
                db_path,
            },
        );
        Ok(service)
    }

    /// Schedules changed in the open workspace: its scheduler looks again now.
    pub fn schedules_changed(&self, state: &AppState) {
        let Some(info) = state.current_info() else {
            return;
        };
        if let Some(ws) = self.lock().get(&info.id) {
            ws.scheduler.notify();
        }
    }

    /// True while a campaign is sending here, or one in an opened workspace is scheduled or
    /// waiting to resume by itself (quota, network): then closing the window only hides it.
    pub fn has_work(&self) -> bool {
        let all = self.lock();
        all.values().any(|ws| {
            !ws.service.running().is_empty() || workspace_waits(&ws.db_path).unwrap_or(false)
        })
    }

    /// Herald is quitting: every run stops like a pause and records what it sent, so the
    /// next launch continues where it stopped.
    pub async fn shutdown(&self) {
        let services: Vec<SendService> = {
            let mut all = self.lock();
            all.drain()
                .map(|(_, ws)| {
                    ws.scheduler.stop();
                    ws.service
                })
                .collect()
        };
        for service in &services {
            service.shutdown();
        }
        let started = Instant::now();
        while services.iter().any(|s| !s.running().is_empty()) && started.elapsed() < SHUTDOWN_WAIT
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Whether a workspace has a campaign that will start or resume by itself.
fn workspace_waits(db_path: &std::path::Path) -> herald_core::Result<bool> {
    campaigns::has_pending_work(&db::open(db_path, OpenMode::Existing)?)
}

fn on_event<R: Runtime>(app: &AppHandle<R>, db_path: &std::path::Path, event: &SendEvent) {
    match event {
        SendEvent::Progress(progress) => {
            // No window (hidden in the tray) is fine: the send goes on.
            let _ = app.emit(PROGRESS_EVENT, progress);
        }
        SendEvent::Finished(report) => {
            let _ = app.emit(FINISHED_EVENT, report.campaign_id);
            if let Some((title, body)) =
                finished_notice(&name_of(db_path, report.campaign_id), report)
            {
                desktop::notify(app, &title, &body);
            }
        }
        SendEvent::Error {
            campaign_id,
            message,
        }
        | SendEvent::NotStarted {
            campaign_id,
            message,
        } => {
            let _ = app.emit(FINISHED_EVENT, *campaign_id);
            let name = name_of(db_path, *campaign_id);
            if matches!(event, SendEvent::NotStarted { .. }) {
                let title = format!("“{name}” did not start at its time");
                desktop::notify(app, &title, &not_started_body(message));
            } else {
                desktop::notify(app, &format!("“{name}” could not be sent"), message);
            }
        }
    }
}

/// The reason, then what happens now: the campaign waits for the user.
fn not_started_body(reason: &str) -> String {
    let reason = reason.trim_end();
    let stop = if reason.ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    format!("{reason}{stop} It waits for you in Herald: send it now or change its time.")
}

fn name_of(db_path: &std::path::Path, campaign_id: i64) -> String {
    db::open(db_path, OpenMode::Existing)
        .and_then(|conn| campaigns::get(&conn, campaign_id))
        .map(|c| c.name)
        .unwrap_or_else(|_| format!("Campaign {campaign_id}"))
}

/// The OS notification for the end of a run; none when the user paused it or Herald is
/// quitting (they know).
fn finished_notice(name: &str, report: &RunReport) -> Option<(String, String)> {
    let c = &report.counts;
    let sent = c.sent;
    let recipients = |n: u64| format!("{n} recipient{}", if n == 1 { "" } else { "s" });
    match report.status {
        CampaignStatus::Sent => {
            let mut body = format!("Sent to {}.", recipients(sent));
            if c.failed > 0 {
                body.push_str(&format!(" {} failed.", recipients(c.failed)));
            }
            Some((format!("“{name}” was sent"), body))
        }
        CampaignStatus::Failed => Some((
            format!("“{name}” failed"),
            report
                .pause_reason
                .clone()
                .unwrap_or_else(|| "Open Herald to see why.".into()),
        )),
        CampaignStatus::Paused if matches!(report.pause_kind, Some(k) if k != PauseKind::User) => {
            Some((
                format!("“{name}” stopped after {}", recipients(sent)),
                report
                    .pause_reason
                    .clone()
                    .unwrap_or_else(|| "Open Herald to see why.".into()),
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use herald_core::campaigns::RecipientCounts;

    use super::*;

    fn report(status: CampaignStatus, pause_kind: Option<PauseKind>) -> RunReport {
        RunReport {
            campaign_id: 7,
            status,
            pause_kind,
            pause_reason: Some("The account's 24-hour sending quota is used up.".into()),
            resume_at: None,
            counts: RecipientCounts {
                sent: 998,
                failed: 2,
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_start_that_did_not_happen_says_why_and_what_now() {
        assert_eq!(
            not_started_body("Add the postal address in Settings"),
            "Add the postal address in Settings. It waits for you in Herald: send it now or change its time."
        );
        assert!(not_started_body("No credentials. ").starts_with("No credentials. It waits"));
    }

    #[test]
    fn a_finished_campaign_is_announced_with_its_counts() {
        let (title, body) =
            finished_notice("November news", &report(CampaignStatus::Sent, None)).unwrap();
        assert_eq!(title, "“November news” was sent");
        assert_eq!(body, "Sent to 998 recipients. 2 recipients failed.");
    }

    #[test]
    fn a_stop_by_ses_is_announced_but_a_pause_by_the_user_is_not() {
        let (title, body) = finished_notice(
            "November news",
            &report(CampaignStatus::Paused, Some(PauseKind::DailyQuota)),
        )
        .unwrap();
        assert_eq!(title, "“November news” stopped after 998 recipients");
        assert!(body.contains("quota"), "{body}");
        assert!(finished_notice(
            "November news",
            &report(CampaignStatus::Paused, Some(PauseKind::User))
        )
        .is_none());
        assert!(finished_notice("x", &report(CampaignStatus::Cancelled, None)).is_none());
    }
}
