//! `herald assets …`: the workspace's asset library and publishing it to S3.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use herald_core::assets::{self, publish, AssetFilter, AssetKind};
use herald_core::secrets::OsKeychain;
use herald_core::{Error, Result};
use serde_json::json;

use super::Context;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Image,
    Document,
}

#[derive(Debug, Subcommand)]
pub enum AssetsCommand {
    /// Add files (PNG, JPEG, GIF, WebP, SVG, PDF; at most 10 MB each). A file already in the
    /// library is not stored twice.
    Add {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Folder to put them in, e.g. brand/logos.
        #[arg(long, default_value = "")]
        folder: String,
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
    },
    /// List assets, optionally filtered.
    List {
        #[arg(long)]
        folder: Option<String>,
        /// With --folder, include the folders inside it.
        #[arg(long)]
        recursive: bool,
        #[arg(long)]
        tag: Option<String>,
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// Part of the name.
        #[arg(long)]
        search: Option<String>,
    },
    /// List folders.
    Folders,
    /// Move an asset (id, name or hash prefix) to a folder; "" is the top level.
    Move { asset: String, folder: String },
    /// Give an asset a new name.
    Rename { asset: String, name: String },
    /// Add tags to an asset, or remove them with --remove.
    Tag {
        asset: String,
        #[arg(required = true)]
        tags: Vec<String>,
        #[arg(long)]
        remove: bool,
    },
    /// Delete an asset. Refused while a template uses it, unless --force.
    Delete {
        asset: String,
        #[arg(long)]
        force: bool,
    },
    /// Upload assets to the publishing bucket (all of them when none is named). Already
    /// published files are not uploaded again.
    Publish { assets: Vec<String> },
}

fn size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.0} KB", (bytes as f64 / 1024.0).ceil())
    }
}

pub fn run(ctx: &Context, cmd: AssetsCommand) -> Result<()> {
    let ws = ctx.open_workspace()?;
    let out = &ctx.out;
    match cmd {
        AssetsCommand::Add {
            files,
            folder,
            tags,
        } => {
            let outcomes = assets::add_files(&ws, &files, &folder, &tags);
            out.print(&outcomes, || {
                outcomes
                    .iter()
                    .map(|o| match (&o.added, &o.error) {
                        (Some(a), _) if a.duplicate => format!(
                            "Already in the library: {} (#{})\n",
                            a.asset.name, a.asset.id
                        ),
                        (Some(a), _) => format!(
                            "Added {} (#{}, {})\n",
                            a.asset.name, a.asset.id, a.asset.reference
                        ),
                        (None, Some(e)) => format!("Not added: {}\n", e.message),
                        (None, None) => String::new(),
                    })
                    .collect()
            });
            let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
            if failed > 0 {
                return Err(Error::AssetRejected(format!(
                    "{failed} of {} files were not added.",
                    outcomes.len()
                )));
            }
        }
        AssetsCommand::List {
            folder,
            recursive,
            tag,
            kind,
            search,
        } => {
            let filter = AssetFilter {
                folder,
                include_subfolders: recursive,
                tag,
                kind: kind.map(|k| match k {
                    KindArg::Image => AssetKind::Image,
                    KindArg::Document => AssetKind::Document,
                }),
                search,
            };
            let list = assets::list(&ws, &filter)?;
            out.print(&list, || {
                if list.is_empty() {
                    return "No assets match.".into();
                }
                list.iter()
                    .map(|a| {
                        let dims = match (a.width, a.height) {
                            (Some(w), Some(h)) => format!("{w}×{h}"),
                            _ => String::new(),
                        };
                        format!(
                            "#{:<4} {:<30} {:<16} {:>8} {:>10}  {}  {}\n",
                            a.id,
                            a.name,
                            if a.folder.is_empty() { "/" } else { &a.folder },
                            size(a.size_bytes),
                            dims,
                            a.mime_type,
                            a.tags.join(", ")
                        )
                    })
                    .collect()
            });
        }
        AssetsCommand::Folders => {
            let list = assets::folders(&ws)?;
            out.print(&list, || {
                list.iter()
                    .map(|f| format!("{:<40} {}\n", f.path, f.asset_count))
                    .collect()
            });
        }
        AssetsCommand::Move { asset, folder } => {
            let a = assets::find(&ws, &asset)?;
            let moved = assets::move_to(&ws, a.id, &folder)?;
            out.print(&moved, || {
                format!("Moved “{}” to /{}.", moved.name, moved.folder)
            });
        }
        AssetsCommand::Rename { asset, name } => {
            let a = assets::find(&ws, &asset)?;
            let renamed = assets::rename(&ws, a.id, &name)?;
            out.print(&renamed, || format!("Renamed to “{}”.", renamed.name));
        }
        AssetsCommand::Tag {
            asset,
            tags,
            remove,
        } => {
            let a = assets::find(&ws, &asset)?;
            let tagged = if remove {
                assets::remove_tags(&ws, a.id, &tags)?
            } else {
                assets::add_tags(&ws, a.id, &tags)?
            };
            out.print(&tagged, || {
                format!("“{}” is tagged: {}", tagged.name, tagged.tags.join(", "))
            });
        }
        AssetsCommand::Delete { asset, force } => {
            let a = assets::find(&ws, &asset)?;
            assets::delete(&ws, a.id, force)?;
            out.print(&json!({ "deleted": a.name, "id": a.id }), || {
                format!("Deleted “{}”.", a.name)
            });
        }
        AssetsCommand::Publish { assets: keys } => {
            let list = if keys.is_empty() {
                assets::list(&ws, &AssetFilter::default())?
            } else {
                keys.iter()
                    .map(|k| assets::find(&ws, k))
                    .collect::<Result<_>>()?
            };
            let published = publish::publish_blocking(&ws, &OsKeychain, &list)?;
            out.print(&published, || {
                if published.is_empty() {
                    return "Nothing to publish.".into();
                }
                published
                    .iter()
                    .map(|p| {
                        format!(
                            "{} {}\n",
                            if p.uploaded { "Uploaded " } else { "Unchanged" },
                            p.url
                        )
                    })
                    .collect()
            });
        }
    }
    Ok(())
}
