//! Campaigns: the wizard's drafts, the live audience count, the review, sending now or on a
//! schedule, pause / resume / cancel, and the user's decision about recipients whose
//! outcome is unknown. Sending itself runs in the workspace's send service
//! ([`crate::sending`]); these commands only start, steer and read it.

use herald_core::campaigns::audience::{self, AudienceCount};
use herald_core::campaigns::renderer;
use herald_core::campaigns::review::Review;
use herald_core::campaigns::{
    self, Audience, Campaign, CampaignDraft, CampaignRecipient, CampaignSummary, NewCampaign,
    RecipientCounts, RecipientState,
};
use herald_core::render::RenderContact;
use herald_core::ses::{IdentityStatus, SesConnection};
use herald_core::templates::test_send::{self, TestSendReport};
use herald_core::{settings, Error, FieldError};
use tauri::{AppHandle, State};

use crate::error::CommandResult;
use crate::sending::SendingService;
use crate::state::AppState;

#[tauri::command(async)]
pub fn campaigns_list(state: State<'_, AppState>) -> CommandResult<Vec<CampaignSummary>> {
    state.with_workspace(|ws| campaigns::list(ws.conn(), None))
}

#[tauri::command(async)]
pub fn campaigns_get(state: State<'_, AppState>, id: i64) -> CommandResult<Campaign> {
    state.with_workspace(|ws| campaigns::get(ws.conn(), id))
}

#[tauri::command(async)]
pub fn campaigns_create(
    state: State<'_, AppState>,
    campaign: NewCampaign,
) -> CommandResult<Campaign> {
    state.with_workspace(|ws| campaigns::create(ws.conn(), &campaign))
}

/// Saves the whole draft, with the wizard step it is at.
#[tauri::command(async)]
pub fn campaigns_update(
    state: State<'_, AppState>,
    id: i64,
    draft: CampaignDraft,
) -> CommandResult<Campaign> {
    state.with_workspace(|ws| campaigns::update(ws.conn(), id, &draft))
}

/// Deletes a draft (the UI offers it for drafts only).
#[tauri::command(async)]
pub fn campaigns_delete(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    state.with_workspace(|ws| campaigns::delete(ws.conn(), id, None))
}

#[tauri::command(async)]
pub fn campaigns_duplicate(state: State<'_, AppState>, id: i64) -> CommandResult<Campaign> {
    state.with_workspace(|ws| campaigns::duplicate(ws.conn(), id, None))
}

/// Who the audience reaches now, while the user is choosing.
#[tauri::command(async)]
pub fn campaigns_audience_count(
    state: State<'_, AppState>,
    audience: Audience,
) -> CommandResult<AudienceCount> {
    state.with_workspace(|ws| audience::count(ws.conn(), &audience))
}

/// Blocking problems and warnings before sending; asks SES about the account and sender.
#[tauri::command]
pub async fn campaigns_review(
    app: AppHandle,
    state: State<'_, AppState>,
    sending: State<'_, SendingService>,
    id: i64,
) -> CommandResult<Review> {
    let service = sending.current(&app, &state)?;
    Ok(service.review(id).await?)
}

/// Sends the saved campaign exactly as recipients will get it (footer included), filled in
/// for `contact`, to up to five addresses. The workspace is only held while preparing.
#[tauri::command]
pub async fn campaigns_test_send(
    state: State<'_, AppState>,
    id: i64,
    to: Vec<String>,
    contact: Option<RenderContact>,
) -> CommandResult<TestSendReport> {
    let prepared = state.with_workspace(|ws| {
        let campaign = campaigns::get(ws.conn(), id)?;
        let settings = settings::load(ws.conn())?;
        let content = renderer::sending_content(&campaign, &settings).ok_or_else(|| {
            Error::Validation(vec![FieldError::new(
                "body_source",
                "The campaign has no content yet: choose a template first.",
            )])
        })?;
        test_send::prepare(ws, state.secrets.as_ref(), &content, &to, contact)
    })?;
    Ok(prepared.send().await?)
}

/// Reviews, takes the recipient list and starts sending in the background.
#[tauri::command]
pub async fn campaigns_send_now(
    app: AppHandle,
    state: State<'_, AppState>,
    sending: State<'_, SendingService>,
    id: i64,
) -> CommandResult<Campaign> {
    let service = sending.current(&app, &state)?;
    service.start(id).await?;
    state.with_workspace(|ws| campaigns::get(ws.conn(), id))
}

/// Reviews, then schedules at `at` (UTC, RFC 3339), chosen in `time_zone`.
#[tauri::command]
pub async fn campaigns_schedule(
    app: AppHandle,
    state: State<'_, AppState>,
    sending: State<'_, SendingService>,
    id: i64,
    at: String,
    time_zone: Option<String>,
) -> CommandResult<Campaign> {
    let service = sending.current(&app, &state)?;
    let campaign = service.schedule(id, &at, time_zone.as_deref()).await?;
    sending.schedules_changed(&state);
    Ok(campaign)
}

/// A scheduled campaign goes back to being a draft.
#[tauri::command(async)]
pub fn campaigns_unschedule(
    state: State<'_, AppState>,
    sending: State<'_, SendingService>,
    id: i64,
) -> CommandResult<Campaign> {
    let campaign = state.with_workspace(|ws| campaigns::unschedule(ws.conn(), id))?;
    sending.schedules_changed(&state);
    Ok(campaign)
}

#[tauri::command]
pub async fn campaigns_pause(
    app: AppHandle,
    state: State<'_, AppState>,
    sending: State<'_, SendingService>,
    id: i64,
) -> CommandResult<Campaign> {
    let campaign = sending.current(&app, &state)?.pause(id)?;
    sending.schedules_changed(&state);
    Ok(campaign)
}

/// Resumes a paused campaign, or starts one that missed its schedule.
#[tauri::command]
pub async fn campaigns_resume(
    app: AppHandle,
    state: State<'_, AppState>,
    sending: State<'_, SendingService>,
    id: i64,
) -> CommandResult<Campaign> {
    let campaign = sending.current(&app, &state)?.resume(id).await?;
    sending.schedules_changed(&state);
    Ok(campaign)
}

#[tauri::command]
pub async fn campaigns_cancel(
    app: AppHandle,
    state: State<'_, AppState>,
    sending: State<'_, SendingService>,
    id: i64,
) -> CommandResult<Campaign> {
    let campaign = sending.current(&app, &state)?.cancel(id)?;
    sending.schedules_changed(&state);
    Ok(campaign)
}

/// The user decided to send again to the recipients whose outcome is unknown.
#[tauri::command]
pub async fn campaigns_resend_unknown(
    app: AppHandle,
    state: State<'_, AppState>,
    sending: State<'_, SendingService>,
    id: i64,
) -> CommandResult<Campaign> {
    state.with_workspace(|ws| campaigns::resend_unknown(ws.conn(), id))?;
    Ok(sending.current(&app, &state)?.resume(id).await?)
}

/// The user decided the recipients whose outcome is unknown count as not sent.
#[tauri::command(async)]
pub fn campaigns_mark_unknown_not_sent(
    state: State<'_, AppState>,
    id: i64,
) -> CommandResult<Campaign> {
    state.with_workspace(|ws| {
        campaigns::dismiss_unknown(ws.conn(), id)?;
        campaigns::get(ws.conn(), id)
    })
}

#[tauri::command(async)]
pub fn campaigns_recipient_counts(
    state: State<'_, AppState>,
    id: i64,
) -> CommandResult<RecipientCounts> {
    state.with_workspace(|ws| campaigns::recipient_counts(ws.conn(), id))
}

/// One page of the recipients, in one state or all (at most 500 cross to the UI at once).
#[tauri::command(async)]
pub fn campaigns_recipients(
    state: State<'_, AppState>,
    id: i64,
    state_filter: Option<RecipientState>,
    offset: u32,
    limit: u32,
) -> CommandResult<Vec<CampaignRecipient>> {
    state.with_workspace(|ws| {
        campaigns::recipients_page(ws.conn(), id, state_filter, offset, limit.min(500))
    })
}

/// The sender identity's verification and DKIM status, and the DNS records still missing.
#[tauri::command]
pub async fn ses_identity_status(
    state: State<'_, AppState>,
    identity: String,
) -> CommandResult<IdentityStatus> {
    let connection =
        state.with_workspace(|ws| SesConnection::for_workspace(ws, state.secrets.as_ref()))?;
    Ok(connection.identity_status(&identity).await?)
}
