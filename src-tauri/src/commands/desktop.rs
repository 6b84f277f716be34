//! Settings → Sending → "Start Herald at login". This belongs to the computer, not to a
//! workspace, so it is the OS's own login-item entry (the autostart plugin), not a setting.

use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::ManagerExt;

use crate::error::{CommandError, CommandResult};

fn autostart_error(e: impl std::fmt::Display) -> CommandError {
    CommandError::new(
        "autostart",
        format!("Herald could not change whether it starts at login ({e})."),
    )
}

/// Whether Herald starts when the user logs in.
#[tauri::command]
pub fn autostart_get<R: Runtime>(app: AppHandle<R>) -> CommandResult<bool> {
    app.autolaunch().is_enabled().map_err(autostart_error)
}

/// Turns starting at login on or off and returns the state now in force.
#[tauri::command]
pub fn autostart_set<R: Runtime>(app: AppHandle<R>, enabled: bool) -> CommandResult<bool> {
    let launcher = app.autolaunch();
    if enabled {
        launcher.enable().map_err(autostart_error)?;
    } else if launcher.is_enabled().map_err(autostart_error)? {
        launcher.disable().map_err(autostart_error)?;
    }
    launcher.is_enabled().map_err(autostart_error)
}
