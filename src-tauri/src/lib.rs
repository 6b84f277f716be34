//! Herald's desktop shell: the window, native integration and the Tauri commands that
//! expose herald-core to the UI. Everything a user can do lives in the core.

mod commands;
mod desktop;
mod dialogs;
mod error;
mod sending;
mod state;
pub mod update_signature;

use std::sync::Arc;

use herald_core::policy::Policy;
use herald_core::secrets::OsKeychain;
use herald_core::workspaces::Home;
use tauri::{DragDropEvent, Manager, RunEvent, WindowEvent};
use tauri_plugin_autostart::MacosLauncher;

pub use commands::imports::ImportFile;
pub use commands::settings::SettingsView;
pub use error::CommandError;
use state::AppState;

/// The argument the login item starts Herald with.
const AUTOSTART_ARG: &str = "--autostart";

pub fn run() {
    let home = match Home::from_env() {
        Ok(home) => home,
        Err(e) => {
            eprintln!("Herald cannot start: {e}");
            std::process::exit(1);
        }
    };
    // A last workspace that no longer opens (moved, newer schema) is not fatal: the app
    // starts on the workspace picker and shows the reason when the user opens it.
    let current = home.open_last().unwrap_or_else(|e| {
        eprintln!("Herald could not reopen the last workspace: {e}");
        None
    });

    // An invalid IT policy does not stop Herald: Settings shows what IT must fix.
    let policy = Policy::load();
    if let Err(e) = &policy {
        eprintln!("Herald: {e}");
    }
    let state = AppState::new(home, Arc::new(OsKeychain), current).with_policy(policy);
    let title = state.window_title();
    let context = tauri::generate_context!();
    let instance_id = desktop::instance_id(&context.config().identifier, state.home.root());
    tauri::Builder::default()
        // First, so that a second launch hands over before anything else starts.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance_id)
                .callback(|app, args, _cwd| desktop::second_launch(app, &args, AUTOSTART_ARG))
                .build(),
        )
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_autostart::init(
            MacosLauncher::LaunchAgent,
            Some(vec![AUTOSTART_ARG]),
        ))
        .manage(state)
        .manage(sending::SendingService::default())
        .manage(commands::updates::UpdaterState::default())
        .manage(commands::imports::ImportJobs::default())
        .setup(move |app| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.set_title(&title);
            }
            // The last workspace's scheduler starts at once: campaigns due while Herald was
            // closed start now (within the grace period), interrupted ones continue.
            let handle = app.handle();
            if handle.state::<AppState>().current_info().is_some() {
                if let Err(e) = handle
                    .state::<sending::SendingService>()
                    .current(handle, &handle.state::<AppState>())
                {
                    eprintln!("Herald could not start sending: {}", e.message);
                }
            }
            desktop::start_in_tray_if_autostarted(handle, AUTOSTART_ARG);
            commands::events::start_poller(app.handle().clone());
            // Debug builds (development, the end-to-end tests) never phone home by themselves.
            if !cfg!(debug_assertions) {
                commands::updates::check_at_start(app.handle());
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            // Dropped files are kept here; the UI then asks to add them (assets_upload_dropped),
            // so file paths never travel from the web view to the backend.
            match event {
                WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) => {
                    window.state::<AppState>().set_dropped(paths.clone());
                }
                WindowEvent::CloseRequested { api, .. }
                    if desktop::keep_running_on_close(window) =>
                {
                    api.prevent_close();
                }
                _ => {}
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::workspaces::workspaces_list,
            commands::workspaces::workspaces_current,
            commands::workspaces::workspaces_create,
            commands::workspaces::workspaces_open,
            commands::workspaces::workspaces_rename,
            commands::workspaces::workspaces_delete,
            commands::settings::settings_get,
            commands::settings::settings_save,
            commands::settings::credentials_set,
            commands::settings::credentials_clear,
            commands::settings::ses_test_connection,
            commands::updates::updates_get,
            commands::updates::updates_save,
            commands::updates::updates_check,
            commands::updates::updates_install,
            commands::templates::templates_list,
            commands::templates::templates_get,
            commands::templates::templates_create,
            commands::templates::templates_update,
            commands::templates::templates_delete,
            commands::templates::templates_duplicate,
            commands::templates::templates_preview,
            commands::templates::templates_sample_contact,
            commands::templates::templates_render_contact,
            commands::templates::templates_test_send,
            commands::assets::assets_list,
            commands::assets::assets_folders,
            commands::assets::assets_tags,
            commands::assets::assets_limits,
            commands::assets::assets_upload_dialog,
            commands::assets::assets_upload_dropped,
            commands::assets::assets_folder_create,
            commands::assets::assets_folder_move,
            commands::assets::assets_move,
            commands::assets::assets_rename,
            commands::assets::assets_tag,
            commands::assets::assets_delete,
            commands::assets::assets_thumbnail,
            commands::assets::assets_original,
            commands::assets::assets_publish,
            commands::contacts::contacts_list,
            commands::contacts::contacts_count,
            commands::contacts::contacts_get,
            commands::contacts::contacts_find_by_email,
            commands::contacts::contacts_create,
            commands::contacts::contacts_update,
            commands::contacts::contacts_delete,
            commands::contacts::contacts_bulk,
            commands::contacts::contacts_export,
            commands::tags::tags_list,
            commands::tags::tags_create,
            commands::tags::tags_update,
            commands::tags::tags_delete,
            commands::fields::fields_list,
            commands::fields::fields_create,
            commands::fields::fields_update,
            commands::fields::fields_preview_change,
            commands::fields::fields_change_type,
            commands::fields::fields_preview_delete,
            commands::fields::fields_delete,
            commands::segments::segments_list,
            commands::segments::segments_get,
            commands::segments::segments_create,
            commands::segments::segments_rename,
            commands::segments::segments_update_rules,
            commands::segments::segments_duplicate,
            commands::segments::segments_delete,
            commands::segments::segments_count,
            commands::imports::imports_pick,
            commands::imports::imports_preview,
            commands::imports::imports_run,
            commands::imports::imports_cancel,
            commands::imports::imports_save_failed,
            commands::campaigns::campaigns_list,
            commands::campaigns::campaigns_get,
            commands::campaigns::campaigns_create,
            commands::campaigns::campaigns_update,
            commands::campaigns::campaigns_delete,
            commands::campaigns::campaigns_duplicate,
            commands::campaigns::campaigns_audience_count,
            commands::campaigns::campaigns_review,
            commands::campaigns::campaigns_test_send,
            commands::campaigns::campaigns_send_now,
            commands::campaigns::campaigns_schedule,
            commands::campaigns::campaigns_unschedule,
            commands::campaigns::campaigns_pause,
            commands::campaigns::campaigns_resume,
            commands::campaigns::campaigns_cancel,
            commands::campaigns::campaigns_resend_unknown,
            commands::campaigns::campaigns_mark_unknown_not_sent,
            commands::campaigns::campaigns_recipient_counts,
            commands::campaigns::campaigns_recipients,
            commands::campaigns::ses_identity_status,
            commands::desktop::autostart_get,
            commands::desktop::autostart_set,
            commands::events::events_status,
            commands::events::events_set_token,
            commands::events::events_poll,
            commands::analytics::analytics_campaigns,
            commands::analytics::analytics_campaign,
            commands::analytics::analytics_charts,
            commands::analytics::analytics_export,
            commands::analytics::analytics_contact_history,
            commands::tracking::tracking_connect,
        ])
        .build(context)
        .unwrap_or_else(|e| {
            // Launched while the running Herald was quitting: it left before taking over.
            if desktop::handover_failed(&e.to_string()) {
                desktop::start_again_once();
            }
            eprintln!("Herald stopped with an error: {e}");
            std::process::exit(1);
        })
        .run(|app, event| {
            if let RunEvent::ExitRequested { .. } = event {
                // A launch from now on starts a new Herald instead of handing over to this one.
                tauri_plugin_single_instance::destroy(app);
            }
        });
}
