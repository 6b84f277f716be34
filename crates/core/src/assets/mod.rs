//! The asset library: images and files in the workspace's `assets/` folder, named by their
//! SHA-256 so the same file added twice is stored once, with metadata in SQLite.
//!
//! Public API (stable):
//! - [`add_file`] / [`add_bytes`]: check type and size ([`MAX_ASSET_BYTES`]), decode images
//!   (a damaged file is refused), make a thumbnail, store; a known file returns the existing
//!   asset with `duplicate: true` (given tags are added to it).
//! - [`list`] with an [`AssetFilter`] (folder, subfolders, tag, kind, name search), [`get`].
//! - [`rename`], [`move_to`], [`add_tags`], [`remove_tags`], [`delete`] (refuses with
//!   `Error::AssetInUse` naming the templates, unless forced), [`usage`].
//! - Folders: [`folders`], [`create_folder`], [`rename_folder`], [`delete_folder`]; tags:
//!   [`tags`].
//! - Template references: an asset is referenced as `assets/<sha256>.<ext>` (its
//!   [`Asset::reference`]); [`referenced_hashes`], [`rewrite_refs`] and [`preview_urls`]
//!   (data URIs for previews). Publishing to S3 is in [`publish`].
//!
//! Supported: PNG, JPEG, GIF, WebP (thumbnails), SVG and PDF, up to 10 MB each.

pub mod publish;

use std::collections::BTreeSet;
use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::render::AssetUrls;
use crate::time::now_rfc3339;
use crate::workspaces::Workspace;

/// Largest file the library takes.
pub const MAX_ASSET_BYTES: u64 = 10 * 1024 * 1024;
/// Largest image side the library decodes (bigger is almost surely a mistake for email).
pub const MAX_IMAGE_SIDE: u32 = 12_000;
/// The file types the library takes, as the UI should name them.
pub const SUPPORTED_TYPES: &[&str] = &["PNG", "JPEG", "GIF", "WebP", "SVG", "PDF"];
/// Thumbnails fit in a square of this many pixels.
pub const THUMBNAIL_SIZE: u32 = 320;
const THUMBS_DIR: &str = "thumbs";

/// Broad type, for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AssetKind {
    Image,
    Document,
}

/// One asset as the library shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Asset {
    #[ts(type = "number")]
    pub id: i64,
    pub sha256: String,
    pub name: String,
    pub mime_type: String,
    pub kind: AssetKind,
    #[ts(type = "number")]
    pub size_bytes: i64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// '/'-separated folder path; "" is the top level.
    pub folder: String,
    pub tags: Vec<String>,
    pub created_at: String,
    /// What a template writes to use it, e.g. `assets/3a7b….png`.
    pub reference: String,
    /// The stored file, relative to the workspace folder (same as `reference`).
    pub file: String,
    /// The thumbnail, relative to the workspace folder, for images.
    pub thumbnail: Option<String>,
    /// The key in the publishing bucket once uploaded.
    pub published_key: Option<String>,
}

/// The result of adding one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AddedAsset {
    pub asset: Asset,
    /// The same content was already in the library; nothing new was stored.
    pub duplicate: bool,
}

/// Which assets to list. Empty means everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AssetFilter {
    /// Only this folder ("" = top level).
    #[serde(default)]
    pub folder: Option<String>,
    /// With `folder`, also the folders inside it.
    #[serde(default)]
    pub include_subfolders: bool,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub kind: Option<AssetKind>,
    /// Part of the name, any case.
    #[serde(default)]
    pub search: Option<String>,
}

/// A folder and how many assets sit directly in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AssetFolder {
    /// Full path, e.g. `brand/logos`.
    pub path: String,
    /// Last segment, e.g. `logos`.
    pub name: String,
    /// The parent's path; `None` at the top level.
    pub parent: Option<String>,
    pub asset_count: u32,
}

impl AssetFolder {
    fn new(path: String, asset_count: u32) -> Self {
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (Some(parent.to_owned()), name.to_owned()),
            None => (None, path.clone()),
        };
        Self {
            path,
            name,
            parent,
            asset_count,
        }
    }
}

/// One file's outcome in [`add_files`]: the asset, or why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AddOutcome {
    /// The path as given.
    pub file: String,
    pub added: Option<AddedAsset>,
    pub error: Option<AddError>,
}

/// Why a file was not added: `code` is an [`Error::code`] (`asset_rejected` for
/// unsupported, damaged or too large files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AddError {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AssetTag {
    pub tag: String,
    pub asset_count: u32,
}

/// A file type the library accepts.
struct Detected {
    mime: &'static str,
    ext: &'static str,
    raster: Option<image::ImageFormat>,
}

fn detect(bytes: &[u8]) -> Option<Detected> {
    use image::ImageFormat as F;
    let raster = |mime, ext, f| {
        Some(Detected {
            mime,
            ext,
            raster: Some(f),
        })
    };
    match image::guess_format(bytes) {
        Ok(F::Png) => return raster("image/png", "png", F::Png),
        Ok(F::Jpeg) => return raster("image/jpeg", "jpg", F::Jpeg),
        Ok(F::Gif) => return raster("image/gif", "gif", F::Gif),
        Ok(F::WebP) => return raster("image/webp", "webp", F::WebP),
        _ => {}
    }
    if bytes.starts_with(b"%PDF-") {
        return Some(Detected {
            mime: "application/pdf",
            ext: "pdf",
            raster: None,
        });
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    if std::str::from_utf8(bytes).is_ok() && head.contains("<svg") {
        return Some(Detected {
            mime: "image/svg+xml",
            ext: "svg",
            raster: None,
        });
    }
    None
}

/// Adds several files; each succeeds or fails on its own.
pub fn add_files(
    ws: &Workspace,
    paths: &[PathBuf],
    folder: &str,
    tags: &[String],
) -> Vec<AddOutcome> {
    paths
        .iter()
        .map(|path| {
            let file = path.display().to_string();
            match add_file(ws, path, folder, tags) {
                Ok(added) => AddOutcome {
                    file,
                    added: Some(added),
                    error: None,
                },
                Err(e) => AddOutcome {
                    file,
                    added: None,
                    error: Some(AddError {
                        code: e.code().to_owned(),
                        message: e.to_string(),
                    }),
                },
            }
        })
        .collect()
}

/// The bytes of an asset's thumbnail (images only) and its MIME type.
pub fn thumbnail(ws: &Workspace, id: i64) -> Result<(String, Vec<u8>)> {
    let asset = get(ws, id)?;
    let relative = asset
        .thumbnail
        .ok_or_else(|| Error::AssetNotFound(format!("a thumbnail for “{}”", asset.name)))?;
    let mime = if relative.ends_with(".png") {
        "image/png"
    } else {
        "image/jpeg"
    };
    let path = ws.dir().join(&relative);
    let bytes = fs::read(&path).map_err(|e| Error::io("read", path, e))?;
    Ok((mime.to_owned(), bytes))
}

/// Which file of an asset to hand out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AssetVariant {
    Thumbnail,
    Original,
}

/// An asset's thumbnail or file as a `data:` URI, for a UI under a strict CSP. `None` when
/// the asset has no such file (a thumbnail of a PDF).
pub fn data_uri(ws: &Workspace, asset: &Asset, variant: AssetVariant) -> Result<Option<String>> {
    use base64::Engine as _;
    let (relative, mime) = match variant {
        AssetVariant::Original => (asset.file.clone(), asset.mime_type.clone()),
        AssetVariant::Thumbnail => match &asset.thumbnail {
            Some(t) if t.ends_with(".png") => (t.clone(), "image/png".to_owned()),
            Some(t) => (t.clone(), "image/jpeg".to_owned()),
            None => return Ok(None),
        },
    };
    let path = ws.dir().join(relative);
    let bytes = fs::read(&path).map_err(|e| Error::io("read", path, e))?;
    Ok(Some(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )))
}

/// The bytes of an asset's file and its MIME type.
pub fn original(ws: &Workspace, id: i64) -> Result<(String, Vec<u8>)> {
    let asset = get(ws, id)?;
    let path = path_of(ws, &asset);
    let bytes = fs::read(&path).map_err(|e| Error::io("read", path, e))?;
    Ok((asset.mime_type, bytes))
}

/// Adds a file from disk.
pub fn add_file(ws: &Workspace, path: &Path, folder: &str, tags: &[String]) -> Result<AddedAsset> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let meta = fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    if meta.len() > MAX_ASSET_BYTES {
        return Err(too_large(&name, meta.len()));
    }
    let bytes = fs::read(path).map_err(|e| Error::io("read", path, e))?;
    add_bytes(ws, &name, &bytes, folder, tags)
}

fn too_large(name: &str, size: u64) -> Error {
    Error::AssetRejected(format!(
        "“{name}” is {:.1} MB; files in the library can be at most {} MB.",
        size as f64 / (1024.0 * 1024.0),
        MAX_ASSET_BYTES / (1024 * 1024)
    ))
}

/// Adds a file's content under `name`.
pub fn add_bytes(
    ws: &Workspace,
    name: &str,
    bytes: &[u8],
    folder: &str,
    tags: &[String],
) -> Result<AddedAsset> {
    let name = validate_name(name)?;
    let folder = normalise_folder(folder)?;
    let tags = normalise_tags(tags)?;
    if bytes.len() as u64 > MAX_ASSET_BYTES {
        return Err(too_large(&name, bytes.len() as u64));
    }
    if bytes.is_empty() {
        return Err(Error::AssetRejected(format!("“{name}” is empty.")));
    }
    let detected = detect(bytes).ok_or_else(|| {
        Error::AssetRejected(format!(
            "“{name}” is not a supported file type. The library takes PNG, JPEG, GIF, WebP, SVG and PDF files."
        ))
    })?;
    let sha256 = hex(&Sha256::digest(bytes));
    let conn = ws.conn();

    if let Some(existing) = find_by_hash(conn, &sha256)? {
        insert_tags(conn, existing.id, &tags)?;
        return Ok(AddedAsset {
            asset: get(ws, existing.id)?,
            duplicate: true,
        });
    }

    let image = match detected.raster {
        Some(format) => Some(decode(bytes, format, &name)?),
        None => None,
    };
    let dir = ws.assets_dir();
    fs::create_dir_all(dir.join(THUMBS_DIR)).map_err(|e| Error::io("created", &dir, e))?;
    let file_name = format!("{sha256}.{}", detected.ext);
    write_atomically(&dir.join(&file_name), bytes)?;
    let thumbnail = match &image {
        Some(img) => Some(write_thumbnail(&dir, &sha256, img)?),
        None => None,
    };

    let tx = conn.unchecked_transaction()?;
    ensure_folder(&tx, &folder)?;
    tx.execute(
        "INSERT INTO assets (sha256, extension, name, mime_type, size_bytes, width, height, folder, thumbnail, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            sha256,
            detected.ext,
            name,
            detected.mime,
            bytes.len() as i64,
            image.as_ref().map(|i| i.width()),
            image.as_ref().map(|i| i.height()),
            folder,
            thumbnail,
            now_rfc3339()
        ],
    )?;
    let id = tx.last_insert_rowid();
    insert_tags(&tx, id, &tags)?;
    tx.commit()?;
    Ok(AddedAsset {
        asset: get(ws, id)?,
        duplicate: false,
    })
}

fn decode(bytes: &[u8], format: image::ImageFormat, name: &str) -> Result<image::DynamicImage> {
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().map_err(|e| {
        let kind = format!("{format:?}").to_uppercase();
        match e {
            image::ImageError::Limits(_) => Error::AssetRejected(format!(
                "“{name}” is too large an image; at most {MAX_IMAGE_SIDE} pixels on a side."
            )),
            _ => Error::AssetRejected(format!(
                "“{name}” looks like a {kind} image but could not be read; the file may be damaged."
            )),
        }
    })
}

fn write_thumbnail(dir: &Path, sha256: &str, img: &image::DynamicImage) -> Result<String> {
    let thumb = img.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE);
    let (ext, format) = if thumb.color().has_alpha() {
        ("png", image::ImageFormat::Png)
    } else {
        ("jpg", image::ImageFormat::Jpeg)
    };
    let thumb = if format == image::ImageFormat::Jpeg {
        image::DynamicImage::ImageRgb8(thumb.to_rgb8())
    } else {
        thumb
    };
    let mut out = Cursor::new(Vec::new());
    thumb
        .write_to(&mut out, format)
        .map_err(|e| Error::AssetRejected(format!("The thumbnail could not be made: {e}")))?;
    let relative = format!("{THUMBS_DIR}/{sha256}.{ext}");
    write_atomically(&dir.join(&relative), out.get_ref())?;
    Ok(relative)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.is_file() {
        return Ok(());
    }
    let tmp = path.with_extension("part");
    fs::write(&tmp, bytes).map_err(|e| Error::io("written", &tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| Error::io("written", path, e))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const SELECT: &str =
    "SELECT id, sha256, extension, name, mime_type, size_bytes, width, height, folder,
        thumbnail, published_key, created_at FROM assets";

fn from_row(row: &Row) -> rusqlite::Result<Asset> {
    let sha256: String = row.get(1)?;
    let ext: String = row.get(2)?;
    let mime: String = row.get(4)?;
    let thumbnail: Option<String> = row.get(9)?;
    let file = format!("assets/{sha256}.{ext}");
    Ok(Asset {
        id: row.get(0)?,
        name: row.get(3)?,
        kind: if mime.starts_with("image/") {
            AssetKind::Image
        } else {
            AssetKind::Document
        },
        mime_type: mime,
        size_bytes: row.get(5)?,
        width: row.get(6)?,
        height: row.get(7)?,
        folder: row.get(8)?,
        tags: Vec::new(),
        thumbnail: thumbnail.map(|t| format!("assets/{t}")),
        published_key: row.get(10)?,
        created_at: row.get(11)?,
        reference: file.clone(),
        file,
        sha256,
    })
}

fn with_tags(conn: &Connection, mut asset: Asset) -> Result<Asset> {
    let mut stmt =
        conn.prepare_cached("SELECT tag FROM asset_tags WHERE asset_id = ?1 ORDER BY tag")?;
    asset.tags = stmt
        .query_map([asset.id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(asset)
}

fn find_by_hash(conn: &Connection, sha256: &str) -> Result<Option<Asset>> {
    Ok(conn
        .query_row(&format!("{SELECT} WHERE sha256 = ?1"), [sha256], from_row)
        .optional()?)
}

/// One asset by id.
pub fn get(ws: &Workspace, id: i64) -> Result<Asset> {
    let conn = ws.conn();
    let asset = conn
        .query_row(&format!("{SELECT} WHERE id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| Error::AssetNotFound(format!("#{id}")))?;
    with_tags(conn, asset)
}

/// Finds an asset by id (`12`, `#12`), SHA-256 (or a unique prefix of 8+), or exact name.
pub fn find(ws: &Workspace, key: &str) -> Result<Asset> {
    let key = key.trim();
    if let Ok(id) = key.trim_start_matches('#').parse::<i64>() {
        if let Ok(asset) = get(ws, id) {
            return Ok(asset);
        }
    }
    let conn = ws.conn();
    let mut matches: Vec<Asset> = Vec::new();
    if key.len() >= 8 && key.chars().all(|c| c.is_ascii_hexdigit()) {
        let mut stmt = conn.prepare(&format!("{SELECT} WHERE sha256 LIKE ?1 || '%'"))?;
        matches = stmt
            .query_map([key.to_ascii_lowercase()], from_row)?
            .collect::<rusqlite::Result<_>>()?;
    }
    if matches.is_empty() {
        let mut stmt = conn.prepare(&format!("{SELECT} WHERE name = ?1 COLLATE NOCASE"))?;
        matches = stmt
            .query_map([key], from_row)?
            .collect::<rusqlite::Result<_>>()?;
    }
    match matches.len() {
        1 => with_tags(conn, matches.remove(0)),
        0 => Err(Error::AssetNotFound(key.to_owned())),
        n => Err(Error::invalid(
            "asset",
            format!("{n} assets are called “{key}”; use the id (herald assets list shows it)."),
        )),
    }
}

/// The assets matching `filter`, by folder then name.
pub fn list(ws: &Workspace, filter: &AssetFilter) -> Result<Vec<Asset>> {
    let conn = ws.conn();
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    let mut args: Vec<String> = Vec::new();
    if let Some(folder) = &filter.folder {
        let folder = normalise_folder(folder)?;
        args.push(folder.clone());
        let n = args.len();
        if filter.include_subfolders && !folder.is_empty() {
            args.push(format!("{}/%", like_escape(&folder)));
            sql.push_str(&format!(
                " AND (folder = ?{n} OR folder LIKE ?{} ESCAPE '\\')",
                n + 1
            ));
        } else if !filter.include_subfolders {
            sql.push_str(&format!(" AND folder = ?{n}"));
        }
    }
    if let Some(tag) = filter
        .tag
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        args.push(tag.to_owned());
        sql.push_str(&format!(
            " AND id IN (SELECT asset_id FROM asset_tags WHERE tag = ?{})",
            args.len()
        ));
    }
    match filter.kind {
        Some(AssetKind::Image) => sql.push_str(" AND mime_type LIKE 'image/%'"),
        Some(AssetKind::Document) => sql.push_str(" AND mime_type NOT LIKE 'image/%'"),
        None => {}
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        args.push(format!("%{}%", like_escape(search)));
        sql.push_str(&format!(" AND name LIKE ?{} ESCAPE '\\'", args.len()));
    }
    sql.push_str(" ORDER BY folder, name COLLATE NOCASE, id");
    let mut stmt = conn.prepare(&sql)?;
    let rows: Vec<Asset> = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), from_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(|a| with_tags(conn, a)).collect()
}

fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Gives an asset a new display name (the stored file keeps its hash name).
pub fn rename(ws: &Workspace, id: i64, name: &str) -> Result<Asset> {
    let name = validate_name(name)?;
    get(ws, id)?;
    ws.conn().execute(
        "UPDATE assets SET name = ?1 WHERE id = ?2",
        params![name, id],
    )?;
    get(ws, id)
}

/// Moves an asset to another folder (created if needed).
pub fn move_to(ws: &Workspace, id: i64, folder: &str) -> Result<Asset> {
    let folder = normalise_folder(folder)?;
    get(ws, id)?;
    let tx = ws.conn().unchecked_transaction()?;
    ensure_folder(&tx, &folder)?;
    tx.execute(
        "UPDATE assets SET folder = ?1 WHERE id = ?2",
        params![folder, id],
    )?;
    tx.commit()?;
    get(ws, id)
}

pub fn add_tags(ws: &Workspace, id: i64, tags: &[String]) -> Result<Asset> {
    let tags = normalise_tags(tags)?;
    get(ws, id)?;
    insert_tags(ws.conn(), id, &tags)?;
    get(ws, id)
}

pub fn remove_tags(ws: &Workspace, id: i64, tags: &[String]) -> Result<Asset> {
    get(ws, id)?;
    for tag in tags {
        ws.conn().execute(
            "DELETE FROM asset_tags WHERE asset_id = ?1 AND tag = ?2",
            params![id, tag.trim()],
        )?;
    }
    get(ws, id)
}

fn insert_tags(conn: &Connection, id: i64, tags: &[String]) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("INSERT OR IGNORE INTO asset_tags (asset_id, tag) VALUES (?1, ?2)")?;
    for tag in tags {
        stmt.execute(params![id, tag])?;
    }
    Ok(())
}

/// The names of the templates whose source refers to the asset.
pub fn usage(ws: &Workspace, id: i64) -> Result<Vec<String>> {
    let asset = get(ws, id)?;
    let mut stmt = ws.conn().prepare(
        "SELECT name FROM templates WHERE instr(source, ?1) > 0 ORDER BY name COLLATE NOCASE",
    )?;
    let names = stmt
        .query_map([&asset.sha256], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

/// Deletes an asset and its files. Refuses with [`Error::AssetInUse`] when a template uses
/// it, unless `force`.
pub fn delete(ws: &Workspace, id: i64, force: bool) -> Result<()> {
    let asset = get(ws, id)?;
    let users = usage(ws, id)?;
    if !users.is_empty() && !force {
        return Err(Error::AssetInUse {
            asset: asset.name,
            templates: users,
        });
    }
    ws.conn()
        .execute("DELETE FROM assets WHERE id = ?1", [id])?;
    for relative in std::iter::once(&asset.file).chain(asset.thumbnail.as_ref()) {
        let path = ws.dir().join(relative);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("deleted", path, e)),
        }
    }
    Ok(())
}

/// The file of an asset on disk.
pub fn path_of(ws: &Workspace, asset: &Asset) -> PathBuf {
    ws.dir().join(&asset.file)
}

// ---- folders and tags ----------------------------------------------------------------

/// Every folder (made explicitly or holding assets), with its parents, sorted.
pub fn folders(ws: &Workspace) -> Result<Vec<AssetFolder>> {
    let conn = ws.conn();
    let mut paths = BTreeSet::new();
    let mut stmt = conn.prepare(
        "SELECT path FROM asset_folders UNION SELECT folder FROM assets WHERE folder <> ''",
    )?;
    for path in stmt.query_map([], |r| r.get::<_, String>(0))? {
        let path = path?;
        let mut prefix = String::new();
        for segment in path.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(segment);
            paths.insert(prefix.clone());
        }
    }
    let mut count = conn.prepare("SELECT count(*) FROM assets WHERE folder = ?1")?;
    paths
        .into_iter()
        .map(|path| {
            let n: u32 = count.query_row([&path], |r| r.get(0))?;
            Ok(AssetFolder::new(path, n))
        })
        .collect()
}

fn ensure_folder(conn: &Connection, folder: &str) -> Result<()> {
    if folder.is_empty() {
        return Ok(());
    }
    conn.execute(
        "INSERT OR IGNORE INTO asset_folders (path, created_at) VALUES (?1, ?2)",
        params![folder, now_rfc3339()],
    )?;
    Ok(())
}

/// Makes an (empty) folder.
pub fn create_folder(ws: &Workspace, path: &str) -> Result<AssetFolder> {
    let path = normalise_folder(path)?;
    if path.is_empty() {
        return Err(Error::invalid("folder", "Enter a folder name."));
    }
    ensure_folder(ws.conn(), &path)?;
    Ok(AssetFolder::new(path, 0))
}

/// Renames or moves a folder with everything inside it.
pub fn rename_folder(ws: &Workspace, from: &str, to: &str) -> Result<()> {
    let from = normalise_folder(from)?;
    let to = normalise_folder(to)?;
    if from.is_empty() || to.is_empty() {
        return Err(Error::invalid("folder", "The top level cannot be renamed."));
    }
    if to == from || to.starts_with(&format!("{from}/")) {
        return Err(Error::invalid(
            "folder",
            "A folder cannot move into itself.",
        ));
    }
    let tx = ws.conn().unchecked_transaction()?;
    let moved = |column: &str, table: &str| -> Result<()> {
        tx.execute(
            &format!(
                "UPDATE OR IGNORE {table} SET {column} = ?2 || substr({column}, length(?1) + 1)
                 WHERE {column} = ?1 OR {column} LIKE ?3 ESCAPE '\\'"
            ),
            params![from, to, format!("{}/%", like_escape(&from))],
        )?;
        Ok(())
    };
    moved("folder", "assets")?;
    moved("path", "asset_folders")?;
    tx.execute(
        "DELETE FROM asset_folders WHERE path = ?1 OR path LIKE ?2 ESCAPE '\\'",
        params![from, format!("{}/%", like_escape(&from))],
    )?;
    ensure_folder(&tx, &to)?;
    tx.commit()?;
    Ok(())
}

/// Removes an empty folder (and its empty subfolders).
pub fn delete_folder(ws: &Workspace, path: &str) -> Result<()> {
    let path = normalise_folder(path)?;
    let pattern = format!("{}/%", like_escape(&path));
    let inside: u32 = ws.conn().query_row(
        "SELECT count(*) FROM assets WHERE folder = ?1 OR folder LIKE ?2 ESCAPE '\\'",
        params![path, pattern],
        |r| r.get(0),
    )?;
    if inside > 0 {
        return Err(Error::invalid(
            "folder",
            format!("“{path}” still holds {inside} file(s); move or delete them first."),
        ));
    }
    ws.conn().execute(
        "DELETE FROM asset_folders WHERE path = ?1 OR path LIKE ?2 ESCAPE '\\'",
        params![path, pattern],
    )?;
    Ok(())
}

/// Every tag in use, with counts.
pub fn tags(ws: &Workspace) -> Result<Vec<AssetTag>> {
    let mut stmt = ws.conn().prepare(
        "SELECT tag, count(*) FROM asset_tags GROUP BY tag COLLATE NOCASE ORDER BY tag COLLATE NOCASE",
    )?;
    let tags = stmt
        .query_map([], |r| {
            Ok(AssetTag {
                tag: r.get(0)?,
                asset_count: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(tags)
}

fn validate_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "Enter a name."));
    }
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "Use at most 200 characters and no line breaks.",
        ));
    }
    Ok(name.to_owned())
}

/// Trims slashes and spaces: " /brand//logos/ " → "brand/logos".
pub fn normalise_folder(folder: &str) -> Result<String> {
    let segments: Vec<&str> = folder
        .split('/')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    for segment in &segments {
        if *segment == "."
            || *segment == ".."
            || segment.chars().any(|c| c.is_control() || c == '\\')
        {
            return Err(Error::invalid(
                "folder",
                format!("“{segment}” cannot be a folder name."),
            ));
        }
    }
    let path = segments.join("/");
    if path.chars().count() > 200 {
        return Err(Error::invalid("folder", "Use at most 200 characters."));
    }
    Ok(path)
}

fn normalise_tags(tags: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > 40 || tag.chars().any(char::is_control) {
            return Err(Error::invalid("tag", "A tag is at most 40 characters."));
        }
        if !out.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            out.push(tag.to_owned());
        }
    }
    Ok(out)
}

// ---- references in templates ---------------------------------------------------------

static REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"assets/([0-9a-f]{64})\.([a-z0-9]{1,5})\b").expect("valid regex"));

/// The SHA-256 of every asset a text refers to, in order of first use.
pub fn referenced_hashes(text: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for caps in REFERENCE.captures_iter(text) {
        let hash = caps[1].to_owned();
        if !seen.contains(&hash) {
            seen.push(hash);
        }
    }
    seen
}

/// Byte offset of the first asset reference in a text.
pub fn first_reference(text: &str) -> Option<usize> {
    REFERENCE.find(text).map(|m| m.start())
}

/// Replaces asset references that have an entry in `urls` (sha256 → URL).
pub fn rewrite_refs(text: &str, urls: &AssetUrls) -> String {
    if urls.is_empty() {
        return text.to_owned();
    }
    REFERENCE
        .replace_all(text, |caps: &regex::Captures| {
            urls.get(&caps[1])
                .cloned()
                .unwrap_or_else(|| caps[0].to_owned())
        })
        .into_owned()
}

/// Data URIs for the assets a source refers to, so a preview shows them without any file
/// access from the preview frame.
pub fn preview_urls(ws: &Workspace, source: &str) -> Result<AssetUrls> {
    use base64::Engine as _;
    let mut urls = AssetUrls::new();
    for hash in referenced_hashes(source) {
        if let Some(asset) = find_by_hash(ws.conn(), &hash)? {
            if let Ok(bytes) = fs::read(path_of(ws, &asset)) {
                let data = base64::engine::general_purpose::STANDARD.encode(bytes);
                urls.insert(hash, format!("data:{};base64,{data}", asset.mime_type));
            }
        }
    }
    Ok(urls)
}

#[cfg(test)]
mod tests;
