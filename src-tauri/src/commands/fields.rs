use herald_core::fields::{
    self, CustomField, FieldChangePreview, FieldInput, FieldTypeChange, FieldUpdate,
};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command(async)]
pub fn fields_list(state: State<'_, AppState>) -> CommandResult<Vec<CustomField>> {
    state.with_workspace(|ws| fields::list(ws.conn()))
}

#[tauri::command(async)]
pub fn fields_create(state: State<'_, AppState>, input: FieldInput) -> CommandResult<CustomField> {
    state.with_workspace(|ws| fields::create(ws.conn(), input))
}

#[tauri::command(async)]
pub fn fields_update(
    state: State<'_, AppState>,
    id: i64,
    update: FieldUpdate,
) -> CommandResult<CustomField> {
    state.with_workspace(|ws| fields::update(ws.conn(), id, update))
}

/// What a type change would do to existing values, asked before [`fields_change_type`].
#[tauri::command(async)]
pub fn fields_preview_change(
    state: State<'_, AppState>,
    id: i64,
    change: FieldTypeChange,
) -> CommandResult<FieldChangePreview> {
    state.with_workspace(|ws| fields::preview_change(ws.conn(), id, &change))
}

#[tauri::command(async)]
pub fn fields_change_type(
    state: State<'_, AppState>,
    id: i64,
    change: FieldTypeChange,
) -> CommandResult<FieldChangePreview> {
    state.with_workspace_mut(|ws| fields::change_type(ws.conn_mut(), id, change))
}

/// What removing the field would do, asked before [`fields_delete`].
#[tauri::command(async)]
pub fn fields_preview_delete(
    state: State<'_, AppState>,
    id: i64,
) -> CommandResult<FieldChangePreview> {
    state.with_workspace(|ws| fields::preview_delete(ws.conn(), id))
}

/// Removes the field and its values; returns how many values went.
#[tauri::command(async)]
pub fn fields_delete(state: State<'_, AppState>, id: i64) -> CommandResult<i64> {
    state.with_workspace_mut(|ws| fields::delete(ws.conn_mut(), id))
}
