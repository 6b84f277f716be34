use herald_core::segments::{self, Rule, Segment, SegmentInput};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command(async)]
pub fn segments_list(state: State<'_, AppState>) -> CommandResult<Vec<Segment>> {
    state.with_workspace(|ws| segments::list(ws.conn()))
}

#[tauri::command(async)]
pub fn segments_get(state: State<'_, AppState>, id: i64) -> CommandResult<Segment> {
    state.with_workspace(|ws| segments::get(ws.conn(), id))
}

#[tauri::command(async)]
pub fn segments_create(state: State<'_, AppState>, input: SegmentInput) -> CommandResult<Segment> {
    state.with_workspace(|ws| segments::create(ws.conn(), input))
}

#[tauri::command(async)]
pub fn segments_rename(
    state: State<'_, AppState>,
    id: i64,
    name: String,
) -> CommandResult<Segment> {
    state.with_workspace(|ws| segments::rename(ws.conn(), id, &name))
}

#[tauri::command(async)]
pub fn segments_update_rules(
    state: State<'_, AppState>,
    id: i64,
    rules: Rule,
) -> CommandResult<Segment> {
    state.with_workspace(|ws| segments::update_rules(ws.conn(), id, &rules))
}

#[tauri::command(async)]
pub fn segments_duplicate(
    state: State<'_, AppState>,
    id: i64,
    name: Option<String>,
) -> CommandResult<Segment> {
    state.with_workspace(|ws| segments::duplicate(ws.conn(), id, name.as_deref()))
}

#[tauri::command(async)]
pub fn segments_delete(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    state.with_workspace(|ws| segments::delete(ws.conn(), id))
}

/// How many contacts the rules match now; the builder's live count (the rules need not be
/// saved).
#[tauri::command(async)]
pub fn segments_count(state: State<'_, AppState>, rules: Rule) -> CommandResult<i64> {
    state.with_workspace(|ws| segments::count(ws.conn(), &rules))
}
