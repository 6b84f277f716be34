//! `herald tags …`: list, create, rename, colour, delete, assign and unassign.

use clap::Subcommand;
use herald_core::contacts::{self, BulkAction, ContactSelection};
use herald_core::tags::{self, TagInput};
use herald_core::Result;
use serde_json::json;

use super::Context;
use crate::output::count;

#[derive(Debug, Subcommand)]
pub enum TagsCommand {
    /// List tags with how many contacts carry each.
    List,
    /// Create a tag.
    Create {
        name: String,
        /// A colour like #2563eb (default: the next in the palette).
        #[arg(long)]
        colour: Option<String>,
    },
    /// Rename a tag.
    Rename { name: String, new_name: String },
    /// Change a tag's colour.
    Colour { name: String, colour: String },
    /// Delete a tag (it comes off every contact). Without --yes, only says how many carry it.
    Delete {
        name: String,
        #[arg(long)]
        yes: bool,
    },
    /// Put a tag on contacts (by email or id).
    Assign {
        name: String,
        #[arg(required = true)]
        contacts: Vec<String>,
    },
    /// Take a tag off contacts (by email or id).
    Unassign {
        name: String,
        #[arg(required = true)]
        contacts: Vec<String>,
    },
}

pub fn run(ctx: &Context, cmd: TagsCommand) -> Result<()> {
    let mut ws = ctx.open_workspace()?;
    let out = &ctx.out;
    match cmd {
        TagsCommand::List => {
            let list = tags::list(ws.conn())?;
            out.print(&list, || {
                if list.is_empty() {
                    return "No tags yet.".into();
                }
                list.iter()
                    .map(|t| {
                        format!(
                            "{:<30} {}  {}\n",
                            t.name,
                            t.colour,
                            count(t.contact_count, "contact", "contacts")
                        )
                    })
                    .collect()
            });
        }
        TagsCommand::Create { name, colour } => {
            let t = tags::create(ws.conn(), TagInput { name, colour })?;
            out.print(&t, || format!("Created tag “{}”.", t.name));
        }
        TagsCommand::Rename { name, new_name } => {
            let t = super::tag_by_name(ws.conn(), &name)?;
            let t = tags::update(
                ws.conn(),
                t.id,
                TagInput {
                    name: new_name,
                    colour: None,
                },
            )?;
            out.print(&t, || format!("Renamed to “{}”.", t.name));
        }
        TagsCommand::Colour { name, colour } => {
            let t = super::tag_by_name(ws.conn(), &name)?;
            let t = tags::update(
                ws.conn(),
                t.id,
                TagInput {
                    name: t.name,
                    colour: Some(colour),
                },
            )?;
            out.print(&t, || format!("“{}” is now {}.", t.name, t.colour));
        }
        TagsCommand::Delete { name, yes } => {
            let t = super::tag_by_name(ws.conn(), &name)?;
            if yes {
                let n = tags::delete(ws.conn(), t.id)?;
                out.print(&json!({ "deleted": t.name, "contacts": n }), || {
                    format!(
                        "Deleted “{}”; it came off {}.",
                        t.name,
                        count(n, "contact", "contacts")
                    )
                });
            } else {
                out.print(
                    &json!({ "deleted": null, "contacts": t.contact_count }),
                    || {
                        format!(
                            "“{}” is on {}. Run again with --yes to delete it.",
                            t.name,
                            count(t.contact_count, "contact", "contacts")
                        )
                    },
                );
            }
        }
        TagsCommand::Assign {
            name,
            contacts: refs,
        } => {
            let t = super::tag_by_name(ws.conn(), &name)?;
            let selection = selection(ws.conn(), &refs)?;
            let r = contacts::bulk(ws.conn_mut(), &selection, &BulkAction::Tag { tag_id: t.id })?;
            out.print(&json!({ "tag": t.name, "changed": r.affected }), || {
                format!(
                    "Tagged {} with “{}”.",
                    count(r.affected, "contact", "contacts"),
                    t.name
                )
            });
        }
        TagsCommand::Unassign {
            name,
            contacts: refs,
        } => {
            let t = super::tag_by_name(ws.conn(), &name)?;
            let selection = selection(ws.conn(), &refs)?;
            let r = contacts::bulk(
                ws.conn_mut(),
                &selection,
                &BulkAction::Untag { tag_id: t.id },
            )?;
            out.print(&json!({ "tag": t.name, "changed": r.affected }), || {
                format!(
                    "Took “{}” off {}.",
                    t.name,
                    count(r.affected, "contact", "contacts")
                )
            });
        }
    }
    Ok(())
}

fn selection(conn: &rusqlite::Connection, refs: &[String]) -> Result<ContactSelection> {
    let mut ids = Vec::new();
    for r in refs {
        ids.push(super::contacts::find(conn, r)?.id);
    }
    Ok(ContactSelection::Ids { ids })
}
