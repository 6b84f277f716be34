//! Polling Herald Relay: on demand (Settings → Event tracking, "Poll now") and every minute
//! while the app runs. The workspace is locked only to apply a page, never across a network
//! call, so the UI stays responsive while the relay is slow.

use std::time::Duration;

use herald_core::events::poll::{self, EventsStatus, PollReport, RelayClient};
use herald_core::events::BounceGuard;
use herald_core::settings;
use tauri::{AppHandle, Emitter, Manager, State};

use crate::error::CommandResult;
use crate::state::AppState;

/// Emitted after every successful poll that stored something, so open pages refresh.
pub const POLLED_EVENT: &str = "events://polled";

/// `HERALD_POLL_INTERVAL_SECS` overrides the one-minute period (tests, slow links).
const INTERVAL_ENV: &str = "HERALD_POLL_INTERVAL_SECS";

#[tauri::command(async)]
pub fn events_status(state: State<'_, AppState>) -> CommandResult<EventsStatus> {
    let policy = state.policy()?;
    state.with_workspace(|ws| {
        let settings = settings::load_with(ws.conn(), policy)?;
        poll::status(ws.conn(), &settings, state.secrets.as_ref(), ws.id())
    })
}

/// Stores the relay token in the keychain (a blank token removes it).
#[tauri::command(async)]
pub fn events_set_token(state: State<'_, AppState>, token: String) -> CommandResult<EventsStatus> {
    state.with_workspace(|ws| poll::set_token(state.secrets.as_ref(), ws.id(), &token))?;
    events_status(state)
}

/// What a poll does; shared by the command and the periodic task.
pub(crate) async fn poll_now(state: &AppState) -> CommandResult<PollReport> {
    let policy = state.policy()?.clone();
    let (client, workspace_id, guard, start) = state.with_workspace(|ws| {
        let settings = settings::load_with(ws.conn(), &policy)?;
        Ok((
            RelayClient::for_workspace(&settings, state.secrets.as_ref(), ws.id())?,
            ws.id().to_owned(),
            BounceGuard::from_settings(&settings),
            poll::state(ws.conn())?.cursor,
        ))
    })?;
    let result = poll::poll_pages(&client, start, |pages| {
        state
            .with_workspace_mut(|ws| {
                // The user may have switched workspaces while the request was out.
                if ws.id() != workspace_id {
                    return Err(herald_core::Error::NoWorkspace);
                }
                poll::apply_pages(ws.conn_mut(), &workspace_id, pages, guard)
            })
            .map_err(|e| herald_core::Error::NotAvailable(e.message))
    })
    .await;
    if let Err(e) = &result {
        let _ = state.with_workspace(|ws| poll::record_failure(ws.conn(), e));
    }
    Ok(result?)
}

#[tauri::command]
pub async fn events_poll(app: AppHandle, state: State<'_, AppState>) -> CommandResult<PollReport> {
    let report = poll_now(&state).await?;
    let _ = app.emit(POLLED_EVENT, &report);
    Ok(report)
}

/// Polls every minute while the app runs, when the open workspace has a relay. Failures are
/// recorded in the workspace's poll state (Settings shows them) and retried next period.
pub fn start_poller(app: AppHandle) {
    let period = std::env::var(INTERVAL_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(poll::DEFAULT_INTERVAL);
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(period).await;
            let state = app.state::<AppState>();
            let configured = state
                .with_workspace(|ws| {
                    let settings = settings::load(ws.conn())?;
                    poll::status(ws.conn(), &settings, state.secrets.as_ref(), ws.id())
                })
                .is_ok_and(|s| s.relay_url.is_some() && s.token_stored);
            if !configured {
                continue;
            }
            if let Ok(report) = poll_now(&state).await {
                if report.ingest.stored > 0 {
                    let _ = app.emit(POLLED_EVENT, &report);
                }
            }
        }
    });
}
