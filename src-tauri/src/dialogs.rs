//! Native file dialogs (rfd), opened from the Rust side so the UI never handles arbitrary
//! paths it did not get from the user.
//!
//! WebDriver cannot drive a native dialog, so the end-to-end tests set
//! `HERALD_E2E_PICK_FILE` (the file "chosen" in the open dialog) and `HERALD_E2E_SAVE_DIR`
//! (the folder "chosen" in save dialogs, keeping the suggested file name). Unset, as for
//! every user, the real dialogs open.

use std::path::PathBuf;

use tauri::WebviewWindow;

const PICK_FILE_ENV: &str = "HERALD_E2E_PICK_FILE";
const SAVE_DIR_ENV: &str = "HERALD_E2E_SAVE_DIR";

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Asks for a CSV file to import; `None` when the user cancels.
pub async fn pick_csv(window: &WebviewWindow) -> Option<PathBuf> {
    if let Some(path) = env_path(PICK_FILE_ENV) {
        return Some(path);
    }
    rfd::AsyncFileDialog::new()
        .set_parent(window)
        .set_title("Import contacts from a CSV file")
        .add_filter("CSV files", &["csv", "tsv", "txt"])
        .add_filter("All files", &["*"])
        .pick_file()
        .await
        .map(|file| file.path().to_path_buf())
}

/// Asks where to save a CSV file, suggesting `file_name`; `None` when the user cancels.
pub async fn save_csv(window: &WebviewWindow, file_name: &str) -> Option<PathBuf> {
    if let Some(dir) = env_path(SAVE_DIR_ENV) {
        return Some(dir.join(file_name));
    }
    rfd::AsyncFileDialog::new()
        .set_parent(window)
        .set_file_name(file_name)
        .add_filter("CSV files", &["csv"])
        .save_file()
        .await
        .map(|file| file.path().to_path_buf())
}

/// Asks where to save a file, suggesting `file_name` (its extension sets the filter);
/// `None` when the user cancels.
pub async fn save_file(window: &WebviewWindow, file_name: &str) -> Option<PathBuf> {
    if let Some(dir) = env_path(SAVE_DIR_ENV) {
        return Some(dir.join(file_name));
    }
    let extension = file_name.rsplit('.').next().unwrap_or("*").to_owned();
    rfd::AsyncFileDialog::new()
        .set_parent(window)
        .set_file_name(file_name)
        .add_filter(extension.to_uppercase(), &[extension.as_str()])
        .save_file()
        .await
        .map(|file| file.path().to_path_buf())
}
