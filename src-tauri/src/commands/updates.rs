//! Settings → Updates: the update preferences (which IT may lock), "Check for updates" and
//! installing what the check found. Downloading, signature checking and installing are the
//! Tauri updater plugin's; which channel to ask is Herald's.

use std::sync::Mutex;

use herald_core::updates::{self, UpdatePreferences, UpdateSettings};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use tauri_plugin_updater::{Update, UpdaterExt};
use ts_rs::TS;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// Event the UI listens to while an update downloads.
pub const PROGRESS_EVENT: &str = "updates-progress";
/// Event sent when the automatic check at start found an update.
pub const AVAILABLE_EVENT: &str = "updates-available";

/// A newer version the update server offers.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AvailableUpdate {
    pub version: String,
    /// Release notes from the update manifest.
    pub notes: Option<String>,
    /// Publication date (RFC 3339), when the manifest gives one.
    pub date: Option<String>,
}

/// What Settings → Updates shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UpdateStatus {
    pub current_version: String,
    pub settings: UpdateSettings,
    /// The manifest URL of the channel in force.
    pub manifest_url: String,
    /// When the last check finished (RFC 3339); `None` before the first check.
    pub checked_at: Option<String>,
    /// What the last check found; `None` means up to date (or not checked yet).
    pub available: Option<AvailableUpdate>,
}

/// Download progress, sent as [`PROGRESS_EVENT`].
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UpdateProgress {
    /// Bytes so far (far below 2^53, so a JavaScript number holds it).
    #[ts(type = "number")]
    pub downloaded: u64,
    /// Total size when the server says it.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
}

/// The last check's result, kept so the page can show it and install it.
#[derive(Default)]
pub struct UpdaterState {
    last: Mutex<Option<(String, Option<Update>)>>,
}

impl UpdaterState {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(String, Option<Update>)>> {
        self.last.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn preferences(state: &AppState) -> CommandResult<UpdateSettings> {
    Ok(updates::load(&state.home, state.policy()?)?)
}

fn status<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    updater: &UpdaterState,
) -> CommandResult<UpdateStatus> {
    let settings = preferences(state)?;
    let last = updater.lock();
    Ok(UpdateStatus {
        current_version: app.package_info().version.to_string(),
        manifest_url: settings.preferences.channel.manifest_url(),
        settings,
        checked_at: last.as_ref().map(|(at, _)| at.clone()),
        available: last
            .as_ref()
            .and_then(|(_, update)| update.as_ref())
            .map(|u| AvailableUpdate {
                version: u.version.clone(),
                notes: u.body.clone(),
                date: u.date.and_then(|d| {
                    d.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                }),
            }),
    })
}

/// The error and its causes ("error sending request: dns error: …"): the top level alone
/// ("builder error") rarely says what to fix.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let next = c.to_string();
        if !text.contains(&next) {
            text = format!("{text}: {next}");
        }
        cause = c.source();
    }
    text
}

fn check_failed(e: impl std::error::Error) -> CommandError {
    CommandError::new(
        "update_check_failed",
        format!(
            "Herald could not check for updates ({}). Check the network connection and try again later.",
            with_causes(&e)
        ),
    )
}

/// Asks the channel in force whether a newer, correctly signed version exists.
async fn check<R: Runtime>(app: &AppHandle<R>) -> CommandResult<()> {
    let state = app.state::<AppState>();
    let channel = preferences(&state)?.preferences.channel;
    let url = url::Url::parse(&channel.manifest_url()).map_err(check_failed)?;
    let found = app
        .updater_builder()
        .endpoints(vec![url])
        .map_err(check_failed)?
        .build()
        .map_err(check_failed)?
        .check()
        .await
        .map_err(check_failed)?;
    *app.state::<UpdaterState>().lock() = Some((herald_core::time::now_rfc3339(), found));
    Ok(())
}

/// The check at start, made only when the preferences (or IT) allow it. Failures are quiet:
/// nobody asked, and the next start tries again.
pub fn check_at_start<R: Runtime>(app: &AppHandle<R>) {
    let allowed = preferences(&app.state::<AppState>())
        .map(|s| s.preferences.automatic)
        .unwrap_or(false);
    if !allowed {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        match check(&app).await {
            Ok(()) => {
                let state = app.state::<AppState>();
                if let Ok(status) = status(&app, &state, &app.state::<UpdaterState>()) {
                    if status.available.is_some() {
                        let _ = app.emit(AVAILABLE_EVENT, status);
                    }
                }
            }
            Err(e) => eprintln!("Herald's automatic update check failed: {}", e.message),
        }
    });
}

#[tauri::command]
pub fn updates_get<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    updater: State<'_, UpdaterState>,
) -> CommandResult<UpdateStatus> {
    status(&app, &state, &updater)
}

#[tauri::command]
pub fn updates_save<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    updater: State<'_, UpdaterState>,
    preferences: UpdatePreferences,
) -> CommandResult<UpdateStatus> {
    let before = self::preferences(&state)?.preferences.channel;
    updates::save(&state.home, state.policy()?, preferences)?;
    if before != preferences.channel {
        // What one channel offered says nothing about the other.
        *updater.lock() = None;
    }
    status(&app, &state, &updater)
}

#[tauri::command]
pub async fn updates_check<R: Runtime>(app: AppHandle<R>) -> CommandResult<UpdateStatus> {
    check(&app).await?;
    status(&app, &app.state::<AppState>(), &app.state::<UpdaterState>())
}

/// Downloads the update the last check found, verifies its signature against the public key
/// built into Herald, installs it and restarts.
#[tauri::command]
pub async fn updates_install<R: Runtime>(app: AppHandle<R>) -> CommandResult<()> {
    let update = app
        .state::<UpdaterState>()
        .lock()
        .as_ref()
        .and_then(|(_, u)| u.clone())
        .ok_or_else(|| {
            CommandError::new(
                "no_update",
                "There is no update to install. Check for updates first.",
            )
        })?;
    let mut downloaded = 0u64;
    let progress = app.clone();
    update
        .download_and_install(
            |chunk, total| {
                downloaded += chunk as u64;
                let _ = progress.emit(PROGRESS_EVENT, UpdateProgress { downloaded, total });
            },
            || {},
        )
        .await
        .map_err(|e| {
            CommandError::new(
                "update_install_failed",
                format!(
                    "The update could not be installed ({}). Nothing was changed; try again later or ask IT for the installer.",
                    with_causes(&e)
                ),
            )
        })?;
    app.restart();
}
