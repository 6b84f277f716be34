//! The asset library: upload (native dialog or files dropped on the window), list, folders,
//! tags, rename, move, delete, images for the UI, and publishing to S3.
//!
//! Images reach the UI as `data:` URLs, which the CSP already allows (`img-src data:`), so no
//! asset protocol or file scope is opened onto the workspace folder.

use std::path::PathBuf;

use herald_core::assets::{
    self, publish, AddOutcome, Asset, AssetFilter, AssetFolder, AssetKind, AssetTag, AssetVariant,
    MAX_ASSET_BYTES, SUPPORTED_TYPES,
};
use serde::Serialize;
use tauri::{State, WebviewWindow};
use ts_rs::TS;

use crate::error::CommandResult;
use crate::state::AppState;

/// The end-to-end tests cannot drive the native file dialog: when this variable names files
/// (separated like PATH), "Upload files" adds those instead of opening the dialog. Nobody
/// sets it outside the test suite; see tests/e2e/README.md.
pub const PICK_FILES_ENV: &str = "HERALD_E2E_PICK_FILES";

/// What the library accepts, for the UI to state.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct AssetLimits {
    #[ts(type = "number")]
    pub max_bytes: u64,
    pub accepted: Vec<String>,
}

#[tauri::command]
pub fn assets_list(state: State<'_, AppState>, filter: AssetFilter) -> CommandResult<Vec<Asset>> {
    state.with_workspace(|ws| assets::list(ws, &filter))
}

#[tauri::command]
pub fn assets_folders(state: State<'_, AppState>) -> CommandResult<Vec<AssetFolder>> {
    state.with_workspace(assets::folders)
}

#[tauri::command]
pub fn assets_tags(state: State<'_, AppState>) -> CommandResult<Vec<AssetTag>> {
    state.with_workspace(assets::tags)
}

#[tauri::command]
pub fn assets_limits() -> AssetLimits {
    AssetLimits {
        max_bytes: MAX_ASSET_BYTES,
        accepted: SUPPORTED_TYPES.iter().map(|t| (*t).to_owned()).collect(),
    }
}

/// Opens the native file dialog and adds what the user picked; `None` when cancelled.
#[tauri::command]
pub async fn assets_upload_dialog(
    window: WebviewWindow,
    state: State<'_, AppState>,
    folder: String,
    tags: Vec<String>,
) -> CommandResult<Option<Vec<AddOutcome>>> {
    let paths: Vec<PathBuf> = match std::env::var_os(PICK_FILES_ENV).filter(|v| !v.is_empty()) {
        Some(list) => std::env::split_paths(&list).collect(),
        None => {
            let picked = rfd::AsyncFileDialog::new()
                .set_title("Add files to the asset library")
                .add_filter(
                    "Images and PDFs",
                    &["png", "jpg", "jpeg", "gif", "webp", "svg", "pdf"],
                )
                .add_filter("All files", &["*"])
                .set_parent(&window)
                .pick_files()
                .await;
            match picked {
                Some(files) => files.iter().map(|f| f.path().to_owned()).collect(),
                None => return Ok(None),
            }
        }
    };
    state
        .with_workspace(|ws| Ok(assets::add_files(ws, &paths, &folder, &tags)))
        .map(Some)
}

/// Adds the files last dropped on the window. The paths never pass through the UI: the
/// shell records them from the window's drop event (see lib.rs).
#[tauri::command]
pub fn assets_upload_dropped(
    state: State<'_, AppState>,
    folder: String,
    tags: Vec<String>,
) -> CommandResult<Vec<AddOutcome>> {
    let paths = state.take_dropped();
    state.with_workspace(|ws| Ok(assets::add_files(ws, &paths, &folder, &tags)))
}

#[tauri::command]
pub fn assets_folder_create(
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<Vec<AssetFolder>> {
    state.with_workspace(|ws| {
        assets::create_folder(ws, &path)?;
        assets::folders(ws)
    })
}

/// Renames or moves a folder with everything inside it.
#[tauri::command]
pub fn assets_folder_move(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> CommandResult<Vec<AssetFolder>> {
    state.with_workspace(|ws| {
        assets::rename_folder(ws, &from, &to)?;
        assets::folders(ws)
    })
}

#[tauri::command]
pub fn assets_move(state: State<'_, AppState>, id: i64, folder: String) -> CommandResult<Asset> {
    state.with_workspace(|ws| assets::move_to(ws, id, &folder))
}

#[tauri::command]
pub fn assets_rename(state: State<'_, AppState>, id: i64, name: String) -> CommandResult<Asset> {
    state.with_workspace(|ws| assets::rename(ws, id, &name))
}

#[tauri::command]
pub fn assets_tag(
    state: State<'_, AppState>,
    id: i64,
    add: Vec<String>,
    remove: Vec<String>,
) -> CommandResult<Asset> {
    state.with_workspace(|ws| {
        assets::remove_tags(ws, id, &remove)?;
        assets::add_tags(ws, id, &add)
    })
}

/// Refuses with `asset_in_use` (naming the templates) unless `force`.
#[tauri::command]
pub fn assets_delete(state: State<'_, AppState>, id: i64, force: bool) -> CommandResult<()> {
    state.with_workspace(|ws| assets::delete(ws, id, force))
}

/// The thumbnail of an image as a `data:` URL; `None` for documents.
#[tauri::command]
pub fn assets_thumbnail(state: State<'_, AppState>, id: i64) -> CommandResult<Option<String>> {
    state.with_workspace(|ws| assets::data_uri(ws, &assets::get(ws, id)?, AssetVariant::Thumbnail))
}

/// The whole file as a `data:` URL, for the preview of an image.
#[tauri::command]
pub fn assets_original(state: State<'_, AppState>, id: i64) -> CommandResult<Option<String>> {
    state.with_workspace(|ws| {
        let asset = assets::get(ws, id)?;
        match asset.kind {
            AssetKind::Image => assets::data_uri(ws, &asset, AssetVariant::Original),
            AssetKind::Document => Ok(None),
        }
    })
}

/// Uploads every asset to the workspace's S3 bucket (already published ones are skipped by
/// their content-addressed keys) and returns how many were published.
#[tauri::command]
pub async fn assets_publish(state: State<'_, AppState>) -> CommandResult<usize> {
    let (target, items) = state.with_workspace(|ws| {
        let target = publish::PublishTarget::for_workspace(ws, state.secrets.as_ref())?;
        let all = assets::list(ws, &AssetFilter::default())?;
        let items: Vec<_> = all.iter().map(|a| target.item(ws, a)).collect();
        Ok((target, items))
    })?;
    let published = target.publish(items).await?;
    state.with_workspace(|ws| publish::record(ws, &published))?;
    Ok(published.len())
}
