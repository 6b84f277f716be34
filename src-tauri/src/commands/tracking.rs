//! "Connect event tracking" in Settings: create or repair every AWS piece and the relay
//! registration, and show how each stands.

use herald_core::events::poll::RelayClient;
use herald_core::sending::unsubscribe;
use herald_core::ses::SesConnection;
use herald_core::settings;
use herald_core::tracking::{self, TrackingStatus};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn tracking_connect(state: State<'_, AppState>) -> CommandResult<TrackingStatus> {
    let policy = state.policy()?.clone();
    let (connection, relay, id, set, key) = state.with_workspace(|ws| {
        let settings = settings::load_with(ws.conn(), &policy)?;
        Ok((
            SesConnection::for_workspace(ws, state.secrets.as_ref())?,
            RelayClient::for_workspace(&settings, state.secrets.as_ref(), ws.id())?,
            ws.id().to_owned(),
            tracking::configuration_set_for(&settings, ws.id()),
            unsubscribe::signing_key(state.secrets.as_ref(), ws.id())?,
        ))
    })?;
    let status = tracking::connect(&connection, &relay, &id, &set, &key).await?;
    state.with_workspace_mut(|ws| tracking::remember_configuration_set(ws.conn_mut(), &status))?;
    Ok(status)
}
