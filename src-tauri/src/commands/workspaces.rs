use herald_core::workspaces::{WorkspaceInfo, WorkspaceSummary};
use tauri::{Manager, State, WebviewWindow};

use crate::error::CommandResult;
use crate::sending::SendingService;
use crate::state::AppState;

#[tauri::command]
pub fn workspaces_list(state: State<'_, AppState>) -> CommandResult<Vec<WorkspaceSummary>> {
    Ok(state.home.list()?)
}

#[tauri::command]
pub fn workspaces_current(state: State<'_, AppState>) -> CommandResult<Option<WorkspaceInfo>> {
    Ok(state.current_info())
}

#[tauri::command]
pub fn workspaces_create(
    window: WebviewWindow,
    state: State<'_, AppState>,
    name: String,
) -> CommandResult<WorkspaceInfo> {
    let info = state
        .set_current(Some(state.home.create(&name)?))
        .expect("a workspace was just created");
    show_in_title(&window, &state);
    start_sending(&window, &state);
    Ok(info)
}

#[tauri::command]
pub fn workspaces_open(
    window: WebviewWindow,
    state: State<'_, AppState>,
    name: String,
) -> CommandResult<WorkspaceInfo> {
    let info = state
        .set_current(Some(state.home.open(&name)?))
        .expect("a workspace was just opened");
    show_in_title(&window, &state);
    start_sending(&window, &state);
    Ok(info)
}

#[tauri::command]
pub fn workspaces_rename(
    window: WebviewWindow,
    state: State<'_, AppState>,
    name: String,
    to: String,
) -> CommandResult<WorkspaceSummary> {
    // The open workspace holds its folder; close it for the rename and reopen it after.
    let was_current = state.is_current(&name);
    if was_current {
        state.set_current(None);
    }
    let renamed = state.home.rename(&name, &to);
    if was_current {
        let reopen = renamed.as_ref().map(|r| r.name.clone()).unwrap_or(name);
        state.set_current(Some(state.home.open(&reopen)?));
        show_in_title(&window, &state);
        start_sending(&window, &state);
    }
    Ok(renamed?)
}

#[tauri::command]
pub fn workspaces_delete(
    window: WebviewWindow,
    state: State<'_, AppState>,
    name: String,
    confirmation: String,
) -> CommandResult<()> {
    let was_current = state.is_current(&name);
    if was_current {
        state.set_current(None);
    }
    let deleted = state
        .home
        .delete(&name, &confirmation, state.secrets.as_ref());
    if was_current && deleted.is_err() {
        // Not deleted (a mistyped confirmation, say): keep working in it.
        state.set_current(state.home.open(&name).ok());
    }
    show_in_title(&window, &state);
    Ok(deleted?)
}

fn show_in_title(window: &WebviewWindow, state: &AppState) {
    // A title that cannot be set changes nothing the user relies on.
    let _ = window.set_title(&state.window_title());
}

/// The opened workspace's scheduler starts now, so its scheduled campaigns go out (and
/// missed ones are caught up) even if the Campaigns page is never opened.
fn start_sending(window: &WebviewWindow, state: &AppState) {
    let app = window.app_handle();
    if let Err(e) = app.state::<SendingService>().current(app, state) {
        eprintln!(
            "Herald could not start sending for this workspace: {}",
            e.message
        );
    }
}
