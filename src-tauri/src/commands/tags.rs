use herald_core::tags::{self, Tag, TagInput};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command(async)]
pub fn tags_list(state: State<'_, AppState>) -> CommandResult<Vec<Tag>> {
    state.with_workspace(|ws| tags::list(ws.conn()))
}

#[tauri::command(async)]
pub fn tags_create(state: State<'_, AppState>, input: TagInput) -> CommandResult<Tag> {
    state.with_workspace(|ws| tags::create(ws.conn(), input))
}

#[tauri::command(async)]
pub fn tags_update(state: State<'_, AppState>, id: i64, input: TagInput) -> CommandResult<Tag> {
    state.with_workspace(|ws| tags::update(ws.conn(), id, input))
}

/// Deletes the tag; returns how many contacts carried it.
#[tauri::command(async)]
pub fn tags_delete(state: State<'_, AppState>, id: i64) -> CommandResult<i64> {
    state.with_workspace(|ws| tags::delete(ws.conn(), id))
}
