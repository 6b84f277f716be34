//! `herald segments …`: saved segments, their count and their contacts.

use clap::Subcommand;
use herald_core::contacts;
use herald_core::segments::{self, SegmentInput};
use herald_core::{Error, FieldError, Result};
use serde_json::json;

use super::Context;

#[derive(Debug, Subcommand)]
pub enum SegmentsCommand {
    /// List saved segments.
    List,
    /// Show a segment's rules.
    Show {
        name: String,
    },
    /// Save a segment (see docs/segments.md for the rules format).
    Create {
        name: String,
        #[arg(long, value_name = "JSON")]
        rules: String,
    },
    /// Replace a segment's rules.
    Update {
        name: String,
        #[arg(long, value_name = "JSON")]
        rules: String,
    },
    Rename {
        name: String,
        new_name: String,
    },
    /// Copy a segment (default name: "NAME (copy)").
    Duplicate {
        name: String,
        new_name: Option<String>,
    },
    Delete {
        name: String,
    },
    /// Count the contacts of a saved segment, or of --rules.
    Count {
        name: Option<String>,
        #[arg(long, value_name = "JSON", conflicts_with = "name")]
        rules: Option<String>,
    },
    /// The contacts of a saved segment (ids and emails).
    Contacts {
        name: String,
    },
}

pub fn run(ctx: &Context, cmd: SegmentsCommand) -> Result<()> {
    let ws = ctx.open_workspace()?;
    let conn = ws.conn();
    let out = &ctx.out;
    match cmd {
        SegmentsCommand::List => {
            let list = segments::list(conn)?;
            out.print(&list, || {
                if list.is_empty() {
                    return "No segments yet.".into();
                }
                list.iter()
                    .map(|s| format!("{:>5}  {}\n", s.id, s.name))
                    .collect()
            });
        }
        SegmentsCommand::Show { name } => {
            let s = super::segment_by_name(conn, &name)?;
            out.print(&s, || {
                format!(
                    "{}\n{}",
                    s.name,
                    serde_json::to_string_pretty(&s.rules).unwrap_or_default()
                )
            });
        }
        SegmentsCommand::Create { name, rules } => {
            let s = segments::create(
                conn,
                SegmentInput {
                    name,
                    rules: segments::parse_rules(&rules)?,
                },
            )?;
            let n = segments::count(conn, &s.rules)?;
            out.print(&s, || {
                format!("Saved segment “{}” ({n} contacts now).", s.name)
            });
        }
        SegmentsCommand::Update { name, rules } => {
            let s = super::segment_by_name(conn, &name)?;
            let s = segments::update_rules(conn, s.id, &segments::parse_rules(&rules)?)?;
            out.print(&s, || format!("Updated “{}”.", s.name));
        }
        SegmentsCommand::Rename { name, new_name } => {
            let s = super::segment_by_name(conn, &name)?;
            let s = segments::rename(conn, s.id, &new_name)?;
            out.print(&s, || format!("Renamed to “{}”.", s.name));
        }
        SegmentsCommand::Duplicate { name, new_name } => {
            let s = super::segment_by_name(conn, &name)?;
            let s = segments::duplicate(conn, s.id, new_name.as_deref())?;
            out.print(&s, || format!("Saved a copy as “{}”.", s.name));
        }
        SegmentsCommand::Delete { name } => {
            let s = super::segment_by_name(conn, &name)?;
            segments::delete(conn, s.id)?;
            out.print(&json!({ "deleted": s.name }), || {
                format!("Deleted “{}”.", s.name)
            });
        }
        SegmentsCommand::Count { name, rules } => {
            let rules = match (name, rules) {
                (_, Some(json)) => segments::parse_rules(&json)?,
                (Some(name), None) => super::segment_by_name(conn, &name)?.rules,
                (None, None) => {
                    return Err(Error::Validation(vec![FieldError::new(
                        "segment",
                        "Name a segment or pass --rules JSON.",
                    )]))
                }
            };
            let n = segments::count(conn, &rules)?;
            out.print(&json!({ "count": n }), || n.to_string());
        }
        SegmentsCommand::Contacts { name } => {
            let s = super::segment_by_name(conn, &name)?;
            let mut rows = Vec::new();
            for page in 1.. {
                let result = contacts::list(
                    conn,
                    &contacts::ContactQuery {
                        segment_id: Some(s.id),
                        page,
                        page_size: 500,
                        sort: Some("email".into()),
                        direction: contacts::SortDirection::Asc,
                        columns: Some(vec![]),
                        ..contacts::ContactQuery::default()
                    },
                )?;
                let done = result.items.len() < 500;
                rows.extend(
                    result
                        .items
                        .into_iter()
                        .map(|c| json!({ "id": c.id, "email": c.email })),
                );
                if done {
                    break;
                }
            }
            out.print(&rows, || {
                rows.iter()
                    .map(|r| format!("{:>7}  {}\n", r["id"], r["email"].as_str().unwrap_or("")))
                    .collect()
            });
        }
    }
    Ok(())
}
