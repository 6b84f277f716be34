//! CSV import: pick or drop a file, preview it, run the import on a blocking thread with
//! its own database connection (progress as `import-progress` events), cancel it, and save
//! the failed rows.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use herald_core::db::{self, OpenMode};
use herald_core::imports::{self, ImportOptions, ImportPreview, ImportReport, PreviewOptions};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State, WebviewWindow};
use ts_rs::TS;

use crate::dialogs;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// The event that carries [`imports::ImportProgress`] while an import runs.
pub const PROGRESS_EVENT: &str = "import-progress";

/// A file chosen for import and what Herald read from its head.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct ImportFile {
    pub path: String,
    pub file_name: String,
    pub preview: ImportPreview,
}

/// The running import's cancel flag, and the last finished import (for its failed rows).
#[derive(Default)]
pub struct ImportJobs {
    running: Mutex<Option<Arc<AtomicBool>>>,
    last: Mutex<Option<FinishedImport>>,
}

struct FinishedImport {
    path: PathBuf,
    options: ImportOptions,
    report: ImportReport,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Only flags and a finished report live here: a poisoned lock holds nothing half-done.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn preview_file(
    state: &AppState,
    path: &Path,
    options: &PreviewOptions,
) -> CommandResult<ImportFile> {
    let preview = state.with_workspace(|ws| imports::preview(ws.conn(), path, options))?;
    Ok(ImportFile {
        path: path.display().to_string(),
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        preview,
    })
}

/// Opens the native file dialog and previews the chosen file; `None` when cancelled.
#[tauri::command]
pub async fn imports_pick(
    window: WebviewWindow,
    state: State<'_, AppState>,
) -> CommandResult<Option<ImportFile>> {
    let Some(path) = dialogs::pick_csv(&window).await else {
        return Ok(None);
    };
    preview_file(&state, &path, &PreviewOptions::default()).map(Some)
}

/// Previews a file dropped on the window, or the chosen file again with other options
/// (an encoding the user picked).
#[tauri::command(async)]
pub fn imports_preview(
    state: State<'_, AppState>,
    path: String,
    options: PreviewOptions,
) -> CommandResult<ImportFile> {
    preview_file(&state, Path::new(&path), &options)
}

/// Runs the import to its end. All or nothing: cancelled or failed, nothing is changed.
#[tauri::command]
pub async fn imports_run(
    app: AppHandle,
    state: State<'_, AppState>,
    jobs: State<'_, ImportJobs>,
    path: String,
    options: ImportOptions,
) -> CommandResult<ImportReport> {
    let cancel = {
        let mut running = lock(&jobs.running);
        if running.is_some() {
            return Err(CommandError {
                code: "import_running".into(),
                message: "Another import is still running. Wait for it or cancel it.".into(),
                fields: Vec::new(),
            });
        }
        let flag = Arc::new(AtomicBool::new(false));
        *running = Some(flag.clone());
        flag
    };
    let result = run_blocking(&app, &state, PathBuf::from(path), options, cancel).await;
    *lock(&jobs.running) = None;
    let (path, options, report) = result?;
    if !report.dry_run {
        *lock(&jobs.last) = Some(FinishedImport {
            path,
            options,
            report: report.clone(),
        });
    }
    Ok(report)
}

async fn run_blocking(
    app: &AppHandle,
    state: &AppState,
    path: PathBuf,
    options: ImportOptions,
    cancel: Arc<AtomicBool>,
) -> CommandResult<(PathBuf, ImportOptions, ImportReport)> {
    // The import gets its own connection so the window stays responsive while it writes.
    let db_path = state.with_workspace(|ws| Ok(ws.db_path()))?;
    let app = app.clone();
    let joined = tauri::async_runtime::spawn_blocking(move || {
        let mut conn = db::open(&db_path, OpenMode::Existing)?;
        let report = imports::run(
            &mut conn,
            &path,
            &options,
            |progress| {
                // A window that is gone cannot show progress; the import goes on.
                let _ = app.emit(PROGRESS_EVENT, progress);
            },
            &cancel,
        )?;
        Ok::<_, herald_core::Error>((path, options, report))
    })
    .await;
    match joined {
        Ok(result) => Ok(result?),
        Err(e) => Err(CommandError {
            code: "import_crashed".into(),
            message: format!("The import stopped unexpectedly ({e}). Nothing was changed."),
            fields: Vec::new(),
        }),
    }
}

/// Asks the running import to stop; it rolls back and `imports_run` answers `cancelled`.
#[tauri::command]
pub fn imports_cancel(jobs: State<'_, ImportJobs>) {
    if let Some(flag) = lock(&jobs.running).as_ref() {
        flag.store(true, Ordering::Relaxed);
    }
}

/// Saves the last import's failed rows (with an `error` column) where the user chooses;
/// `None` when cancelled.
#[tauri::command]
pub async fn imports_save_failed(
    window: WebviewWindow,
    jobs: State<'_, ImportJobs>,
) -> CommandResult<Option<String>> {
    let (path, options, report) = match lock(&jobs.last).as_ref() {
        Some(last) => (last.path.clone(), last.options.clone(), last.report.clone()),
        None => {
            return Err(CommandError {
                code: "no_import".into(),
                message: "There is no finished import whose failed rows could be saved.".into(),
                fields: Vec::new(),
            })
        }
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    let Some(out) = dialogs::save_csv(&window, &format!("{stem}-failed.csv")).await else {
        return Ok(None);
    };
    imports::write_failed_rows(&path, &options, &report, &out)?;
    Ok(Some(out.display().to_string()))
}
