use herald_core::workspaces::{WorkspaceInfo, WorkspaceSummary};
use tauri::State;

use crate::error::CommandResult;
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
pub fn workspaces_create(state: State<'_, AppState>, name: String) -> CommandResult<WorkspaceInfo> {
    let workspace = state.home.create(&name)?;
    Ok(state.set_current(Some(workspace)).expect("just set"))
}

#[tauri::command]
pub fn workspaces_open(state: State<'_, AppState>, name: String) -> CommandResult<WorkspaceInfo> {
    let workspace = state.home.open(&name)?;
    Ok(state.set_current(Some(workspace)).expect("just set"))
}

#[tauri::command]
pub fn workspaces_rename(
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
    }
    Ok(renamed?)
}

#[tauri::command]
pub fn workspaces_delete(
    state: State<'_, AppState>,
    name: String,
    confirmation: String,
) -> CommandResult<()> {
    if state.is_current(&name) {
        state.set_current(None);
    }
    Ok(state
        .home
        .delete(&name, &confirmation, state.secrets.as_ref())?)
}
