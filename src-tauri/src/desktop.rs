//! Living on the desktop while campaigns go out: one Herald per home (a second launch brings
//! the running window forward), the window hides into the system tray when closed while a
//! campaign is scheduled or sending, the tray's Open / Quit menu, and OS notifications when a
//! campaign finishes or stops.

use std::path::Path;

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

/// The name under which the running Herald answers a second launch (a D-Bus name on Linux):
/// the app identifier plus a hash of the home folder, so a second launch for the same home
/// hands over to the running one, while two homes (IT test setups, the end-to-end tests) can
/// still run side by side. Windows and macOS use one instance per user whatever the home.
pub fn instance_id(identifier: &str, home: &Path) -> String {
    // FNV-1a: stable across Rust versions, so an updated Herald finds the running one.
    let hash = home
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    format!("{identifier}.home_{hash:016x}")
}

/// A second launch for the same home: bring the running window forward instead of starting
/// another Herald (which would open the same workspace twice). A second login-item start
/// changes nothing.
pub fn second_launch<R: Runtime>(app: &AppHandle<R>, args: &[String], autostart_arg: &str) {
    if !args.iter().any(|a| a == autostart_arg) {
        show_main_window(app);
    }
}

/// Whether starting failed because the running Herald this launch handed over to went away
/// before answering (it was quitting).
pub fn handover_failed(error: &str) -> bool {
    error.contains("single-instance") && error.contains("forward arguments")
}

/// The environment variable that marks a launch as the one retry of [`start_again_once`].
const STARTED_AGAIN: &str = "HERALD_STARTED_AGAIN";

/// Starts this program again with the same arguments, once, a moment later: by then the
/// Herald that was quitting is gone and this launch becomes the running one. Returns only
/// when this already is the retry or the restart failed.
pub fn start_again_once() {
    if std::env::var_os(STARTED_AGAIN).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut command = std::process::Command::new(exe);
    command
        .args(std::env::args_os().skip(1))
        .env(STARTED_AGAIN, "1");
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = command.exec();
        eprintln!("Herald could not start again: {e}");
    }
    #[cfg(not(unix))]
    match command.spawn() {
        Ok(_) => std::process::exit(0),
        Err(e) => eprintln!("Herald could not start again: {e}"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_lost_handover_starts_again() {
        // What tauri reports when the running instance quits before answering.
        assert!(handover_failed(
            "failed to initialize plugin `single-instance`: failed to forward arguments to the running instance: org.freedesktop.DBus.Error.NoReply: Message recipient disconnected from message bus without replying"
        ));
        assert!(!handover_failed(
            "failed to initialize plugin `notification`: no D-Bus"
        ));
        assert!(!handover_failed(
            "failed to setup app: error encountered during setup hook"
        ));
    }

    #[test]
    fn the_instance_id_is_a_valid_dbus_name_and_differs_per_home() {
        let a = instance_id(
            "app.herald.desktop",
            Path::new("/home/ana/.local/share/Herald"),
        );
        let b = instance_id("app.herald.desktop", Path::new("/tmp/e2e-home"));
        assert_ne!(a, b);
        assert_eq!(
            a,
            instance_id(
                "app.herald.desktop",
                Path::new("/home/ana/.local/share/Herald")
            ),
            "the same home always gets the same name"
        );
        // D-Bus: dot-separated elements of [A-Za-z0-9_-], none starting with a digit, < 256 bytes
        // (the plugin appends ".SingleInstance").
        assert!(a.len() + ".SingleInstance".len() < 256);
        for element in a.split('.') {
            assert!(!element.is_empty());
            assert!(
                !element.starts_with(|c: char| c.is_ascii_digit()),
                "{element}"
            );
            assert!(element
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
        }
    }
}
