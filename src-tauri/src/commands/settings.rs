use herald_core::credentials::{self, AwsKeyPair, CredentialsStatus};
use herald_core::policy::Policy;
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
    /// The settings in force, IT-managed values included.
    pub settings: Settings,
    /// Set when `HERALD_SES_ENDPOINT` overrides the endpoint setting.
    pub ses_endpoint_env: Option<String>,
    pub credentials: CredentialsStatus,
    /// Which settings the IT policy presets or locks.
    pub policy: Policy,
}

pub(crate) fn view(state: &AppState) -> CommandResult<SettingsView> {
    let policy = state.policy()?;
    state.with_workspace(|ws| {
        let settings = settings::load_with(ws.conn(), policy)?;
        let credentials = credentials::status(&settings, state.secrets.as_ref(), ws.id());
        Ok(SettingsView {
            ses_endpoint_env: std::env::var(settings::SES_ENDPOINT_ENV)
                .ok()
                .filter(|v| !v.is_empty()),
            settings,
            credentials,
            policy: policy.clone(),
        })
    })
}

/// What `settings_save` does, callable without a running app (tests).
pub(crate) fn save(state: &AppState, settings: Settings) -> CommandResult<SettingsView> {
    let policy = state.policy()?;
    state
        .with_workspace_mut(|ws| settings::save_with(ws.conn_mut(), settings, policy).map(drop))?;
    view(state)
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
    save(&state, settings)
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use herald_core::policy::{Policy, MANAGED_MESSAGE};
    use herald_core::secrets::MemorySecretStore;
    use herald_core::workspaces::Home;

    use super::*;

    /// The shell as the UI reaches it, with the IT policy loaded from a real file.
    fn app_with_policy(dir: &std::path::Path, policy_json: &str) -> AppState {
        let policy_file = dir.join("policy.json");
        std::fs::write(&policy_file, policy_json).unwrap();
        let home = Home::at(dir.join("home"));
        let workspace = home.create("Acme").unwrap();
        AppState::new(
            home,
            Arc::new(MemorySecretStore::default()),
            Some(workspace),
        )
        .with_policy(Policy::from_file(&policy_file))
    }

    #[test]
    fn locked_settings_cannot_be_changed_through_the_settings_commands() {
        let dir = tempfile::tempdir().unwrap();
        let state = app_with_policy(
            dir.path(),
            r#"{
                "aws_region": { "value": "eu-west-1", "locked": true },
                "ses_endpoint": { "value": "https://email.eu-west-1.amazonaws.com", "locked": true },
                "relay_url": { "value": "https://relay.example.com", "locked": true }
            }"#,
        );

        let shown = view(&state).unwrap();
        assert_eq!(shown.settings.aws_region.as_deref(), Some("eu-west-1"));
        let managed: Vec<(&str, bool)> = shown
            .policy
            .settings
            .iter()
            .map(|m| (m.key.as_str(), m.locked))
            .collect();
        assert_eq!(
            managed,
            [
                ("aws_region", true),
                ("ses_endpoint", true),
                ("relay_url", true)
            ]
        );

        for (key, value) in [
            ("aws_region", "us-east-1"),
            ("ses_endpoint", "http://127.0.0.1:9"),
            ("relay_url", ""),
        ] {
            let mut attempt = shown.settings.clone();
            attempt.set(key, value).unwrap();
            let err = save(&state, attempt).unwrap_err();
            assert_eq!(err.code, "validation");
            assert_eq!(err.fields.len(), 1, "{key}");
            assert_eq!(err.fields[0].field, key);
            assert_eq!(err.fields[0].message, MANAGED_MESSAGE);
        }

        // Saving the page as shown, with an unmanaged change, works and keeps the locks.
        let mut page = shown.settings.clone();
        page.from_name = Some("Acme News".into());
        let saved = save(&state, page).unwrap();
        assert_eq!(saved.settings.from_name.as_deref(), Some("Acme News"));
        assert_eq!(saved.settings.aws_region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            saved.settings.relay_url.as_deref(),
            Some("https://relay.example.com")
        );
    }

    #[test]
    fn an_invalid_policy_file_blocks_saving_and_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let state = app_with_policy(dir.path(), r#"{ "aws_region": { "value": 42 } }"#);
        let err = save(&state, Settings::default()).unwrap_err();
        assert_eq!(err.code, "policy_invalid");
        assert!(err.message.contains("policy.json"), "{}", err.message);
        assert_eq!(err.fields[0].field, "aws_region");
        assert_eq!(view(&state).unwrap_err().code, "policy_invalid");
    }
}
