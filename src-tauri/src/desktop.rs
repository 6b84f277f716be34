//! Living on the desktop while campaigns go out: the window hides into the system tray when
//! closed while a campaign is scheduled or sending, the tray's Open / Quit menu, and OS
//! notifications when a campaign finishes or stops.

use tauri::menu::{MenuBuilder, MenuItemBuilder};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime, Window};
use tauri_plugin_notification::NotificationExt;

use crate::sending::SendingService;

const TRAY_ID: &str = "herald";

/// The window's close button: quit as before, unless a campaign is scheduled or sending —
/// then the window hides and Herald keeps working from the tray. Returns true when the
/// close was turned into a hide.
pub fn keep_running_on_close<R: Runtime>(window: &Window<R>) -> bool {
    let app = window.app_handle();
    let busy = app.state::<SendingService>().has_work();
    if !busy {
        return false;
    }
    if let Err(e) = ensure_tray(app) {
        // Without a tray there would be no way back to the window: close as usual.
        eprintln!("Herald could not show its tray icon ({e}); closing instead.");
        return false;
    }
    let _ = window.hide();
    true
}

/// Started by the login item (`--autostart`) with campaigns waiting: Herald goes straight
/// to the tray instead of opening a window nobody asked for.
pub fn start_in_tray_if_autostarted<R: Runtime>(app: &AppHandle<R>, autostart_arg: &str) {
    let autostarted = std::env::args().any(|a| a == autostart_arg);
    if !autostarted || !app.state::<SendingService>().has_work() {
        return;
    }
    match (app.get_webview_window("main"), ensure_tray(app)) {
        (Some(window), Ok(())) => {
            let _ = window.hide();
        }
        (_, Err(e)) => eprintln!("Herald could not show its tray icon ({e}); opening the window."),
        _ => {}
    }
}

/// Shows the main window again (tray click, "Open Herald").
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Quits for real: running sends stop like a pause (requests in flight finish and are
/// recorded) before the process ends.
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        app.state::<SendingService>().shutdown().await;
        app.exit(0);
    });
}

fn ensure_tray<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if app.tray_by_id(TRAY_ID).is_some() {
        return Ok(());
    }
    let open = MenuItemBuilder::with_id("open", "Open Herald").build(app)?;
    let quit_item = MenuItemBuilder::with_id("quit", "Quit Herald").build(app)?;
    let menu = MenuBuilder::new(app).items(&[&open, &quit_item]).build()?;
    let mut tray = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu)
        .tooltip("Herald — campaigns are scheduled or sending")
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => show_main_window(app),
            "quit" => quit(app),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_main_window(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

/// An OS notification; a desktop without a notification service just does not show it.
pub fn notify<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        eprintln!("Herald could not show a notification: {e}");
    }
}
