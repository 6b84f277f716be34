//! Templates: the gallery and the team's own, the editor's live preview and test sends.

use herald_core::render::{Preview, RenderContact, TemplateContent};
use herald_core::templates::{
    self, test_send, PreviewRequest, Template, TemplateDraft, TemplateFilter, TemplateSummary,
};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub fn templates_list(
    state: State<'_, AppState>,
    filter: Option<TemplateFilter>,
) -> CommandResult<Vec<TemplateSummary>> {
    state.with_workspace(|ws| templates::list(ws, &filter.unwrap_or_default()))
}

#[tauri::command]
pub fn templates_get(state: State<'_, AppState>, id: i64) -> CommandResult<Template> {
    state.with_workspace(|ws| templates::get(ws, id))
}

#[tauri::command]
pub fn templates_create(
    state: State<'_, AppState>,
    draft: TemplateDraft,
) -> CommandResult<Template> {
    state.with_workspace(|ws| templates::create(ws, &draft))
}

#[tauri::command]
pub fn templates_update(
    state: State<'_, AppState>,
    id: i64,
    draft: TemplateDraft,
) -> CommandResult<Template> {
    state.with_workspace(|ws| templates::update(ws, id, &draft))
}

#[tauri::command]
pub fn templates_delete(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    state.with_workspace(|ws| templates::delete(ws, id))
}

#[tauri::command]
pub fn templates_duplicate(
    state: State<'_, AppState>,
    id: i64,
    name: Option<String>,
) -> CommandResult<Template> {
    state.with_workspace(|ws| templates::duplicate(ws, id, name.as_deref()))
}

/// Renders unsaved editor content; template problems come back inside the preview.
#[tauri::command]
pub fn templates_preview(
    state: State<'_, AppState>,
    request: PreviewRequest,
) -> CommandResult<Preview> {
    state.with_workspace(|ws| templates::preview(ws, &request))
}

/// The contact previews use until the user picks one.
#[tauri::command]
pub fn templates_sample_contact() -> RenderContact {
    herald_core::render::sample_contact()
}

/// A contact of the workspace as the preview sees it (every custom field, empty ones null).
#[tauri::command(async)]
pub fn templates_render_contact(
    state: State<'_, AppState>,
    contact_id: i64,
) -> CommandResult<RenderContact> {
    state.with_workspace(|ws| templates::render_contact(ws.conn(), contact_id))
}

/// Sends the editor's content (saved or not) to up to five addresses. The workspace is only
/// held while the message is prepared, not while SES answers.
#[tauri::command]
pub async fn templates_test_send(
    state: State<'_, AppState>,
    content: TemplateContent,
    to: Vec<String>,
    contact: Option<RenderContact>,
) -> CommandResult<test_send::TestSendReport> {
    let prepared = state.with_workspace(|ws| {
        test_send::prepare(ws, state.secrets.as_ref(), &content, &to, contact)
    })?;
    Ok(prepared.send().await?)
}
