use herald_core::contacts::{
    self, BulkAction, BulkResult, Contact, ContactInput, ContactPage, ContactQuery,
    ContactSelection, ContactSource,
};
use herald_core::db::{self, OpenMode};
use tauri::{State, WebviewWindow};

use crate::dialogs;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

#[tauri::command(async)]
pub fn contacts_list(
    state: State<'_, AppState>,
    query: ContactQuery,
) -> CommandResult<ContactPage> {
    state.with_workspace(|ws| contacts::list(ws.conn(), &query))
}

#[tauri::command(async)]
pub fn contacts_count(state: State<'_, AppState>, query: ContactQuery) -> CommandResult<i64> {
    state.with_workspace(|ws| contacts::count(ws.conn(), &query))
}

#[tauri::command(async)]
pub fn contacts_get(state: State<'_, AppState>, id: i64) -> CommandResult<Contact> {
    state.with_workspace(|ws| contacts::get(ws.conn(), id))
}

/// The id of the contact with this address, for the "already exists — open it" link.
#[tauri::command(async)]
pub fn contacts_find_by_email(
    state: State<'_, AppState>,
    email: String,
) -> CommandResult<Option<i64>> {
    state.with_workspace(|ws| Ok(contacts::find_by_email(ws.conn(), &email)?.map(|c| c.id)))
}

#[tauri::command(async)]
pub fn contacts_create(state: State<'_, AppState>, input: ContactInput) -> CommandResult<Contact> {
    state.with_workspace_mut(|ws| contacts::create(ws.conn_mut(), input, ContactSource::Manual))
}

#[tauri::command(async)]
pub fn contacts_update(
    state: State<'_, AppState>,
    id: i64,
    input: ContactInput,
) -> CommandResult<Contact> {
    state.with_workspace_mut(|ws| contacts::update(ws.conn_mut(), id, input))
}

#[tauri::command(async)]
pub fn contacts_delete(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    state.with_workspace(|ws| contacts::delete(ws.conn(), id))
}

#[tauri::command(async)]
pub fn contacts_bulk(
    state: State<'_, AppState>,
    selection: ContactSelection,
    action: BulkAction,
) -> CommandResult<BulkResult> {
    state.with_workspace_mut(|ws| contacts::bulk(ws.conn_mut(), &selection, &action))
}

/// Asks where to save with the native dialog, then writes the selected contacts there.
/// Returns the path written, or `None` when the user cancelled.
#[tauri::command]
pub async fn contacts_export(
    window: WebviewWindow,
    state: State<'_, AppState>,
    selection: ContactSelection,
) -> CommandResult<Option<String>> {
    let Some(path) = dialogs::save_csv(&window, "contacts.csv").await else {
        return Ok(None);
    };
    // A large export runs on its own connection, so the window keeps answering meanwhile.
    let db_path = state.with_workspace(|ws| Ok(ws.db_path()))?;
    let written = path.display().to_string();
    tauri::async_runtime::spawn_blocking(move || {
        let conn = db::open(&db_path, OpenMode::Existing)?;
        contacts::export_csv_to_path(&conn, &selection, &path)
    })
    .await
    .map_err(|e| CommandError {
        code: "export_crashed".into(),
        message: format!("The export stopped unexpectedly ({e})."),
        fields: Vec::new(),
    })??;
    Ok(Some(written))
}
