use herald_core::credentials::{self, AwsKeyPair, CredentialsStatus};
use herald_core::ses::{SesAccount, SesConnection};
use herald_core::settings::{self, Settings};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::CommandResult;
use crate::state::AppState;

/// Everything the Settings page shows.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct SettingsView {
    pub settings: Settings,
    /// Set when `HERALD_SES_ENDPOINT` overrides the endpoint setting.
    pub ses_endpoint_env: Option<String>,
    pub credentials: CredentialsStatus,
}

fn view(state: &AppState) -> CommandResult<SettingsView> {
    state.with_workspace(|ws| {
        let settings = settings::load(ws.conn())?;
        let credentials = credentials::status(&settings, state.secrets.as_ref(), ws.id());
        Ok(SettingsView {
            ses_endpoint_env: std::env::var(settings::SES_ENDPOINT_ENV)
                .ok()
                .filter(|v| !v.is_empty()),
            settings,
            credentials,
        })
    })
}

#[tauri::command]
pub fn settings_get(state: State<'_, AppState>) -> CommandResult<SettingsView> {
    view(&state)
}

#[tauri::command]
pub fn settings_save(
    state: State<'_, AppState>,
    settings: Settings,
) -> CommandResult<SettingsView> {
    state.with_workspace_mut(|ws| settings::save(ws.conn_mut(), settings).map(drop))?;
    view(&state)
}

#[tauri::command]
pub fn credentials_set(
    state: State<'_, AppState>,
    keys: AwsKeyPair,
) -> CommandResult<SettingsView> {
    state.with_workspace(|ws| credentials::store(state.secrets.as_ref(), ws.id(), &keys))?;
    view(&state)
}

#[tauri::command]
pub fn credentials_clear(state: State<'_, AppState>) -> CommandResult<SettingsView> {
    state.with_workspace(|ws| credentials::clear(state.secrets.as_ref(), ws.id()))?;
    view(&state)
}

#[tauri::command]
pub async fn ses_test_connection(state: State<'_, AppState>) -> CommandResult<SesAccount> {
    let connection =
        state.with_workspace(|ws| SesConnection::for_workspace(ws, state.secrets.as_ref()))?;
    Ok(connection.account().await?)
}
