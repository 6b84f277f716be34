//! `herald contacts …`: list, count, show, add, update, delete, export and import.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use clap::{Args, Subcommand, ValueEnum};
use herald_core::analytics::MessageOutcome;
use herald_core::contacts::{
    self, Contact, ContactInput, ContactQuery, ContactSelection, ContactSource, ContactStatus,
    SortDirection,
};
use herald_core::fields::FieldValue;
use herald_core::imports::{self, ImportOptions, OnExisting, PreviewOptions};
use herald_core::{tags, Error, FieldError, Result};
use rusqlite::Connection;
use serde_json::json;

use super::Context;
use crate::output::count;

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Import contacts from a CSV file (all or nothing).
    Import(ImportArgs),
    /// List contacts, one page at a time.
    List {
        #[command(flatten)]
        filter: FilterArgs,
        /// Sort by email, first_name, last_name, status, source, created_at, updated_at or a
        /// custom field key.
        #[arg(long, default_value = "created_at")]
        sort: String,
        /// Sort ascending (default: descending).
        #[arg(long)]
        asc: bool,
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 50)]
        page_size: u32,
    },
    /// Count the contacts matching the filters.
    Count {
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Show one contact (by email or id).
    Show { contact: String },
    /// Add a contact.
    Add {
        email: String,
        #[command(flatten)]
        fields: ContactArgs,
    },
    /// Change a contact (by email or id); options not given keep their value.
    Update {
        contact: String,
        /// A new email address.
        #[arg(long)]
        email: Option<String>,
        #[command(flatten)]
        fields: ContactArgs,
    },
    /// Delete contacts (by email or id).
    Delete {
        #[arg(required = true)]
        contacts: Vec<String>,
    },
    /// Export the matching contacts as CSV (to a file, or standard output).
    Export {
        #[command(flatten)]
        filter: FilterArgs,
        /// Write here instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    file: PathBuf,
    /// Column mapping as JSON: {"Header": "email"|"first_name"|"last_name"|"full_name"|
    /// "status"|"tags"|"ignore"|"field:KEY"|"new:KEY:TYPE", ...}. Unnamed headers keep the
    /// automatic mapping.
    #[arg(long, value_name = "JSON")]
    mapping: Option<String>,
    /// Tag every imported contact (repeatable; created if missing).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    #[arg(long, value_enum, default_value_t = OnExistingArg::Update)]
    on_existing: OnExistingArg,
    /// Check everything and report, but change nothing.
    #[arg(long)]
    dry_run: bool,
    /// utf-8, utf-16le, utf-16be or windows-1252 (default: detected).
    #[arg(long)]
    encoding: Option<String>,
    /// , ; tab or | (default: detected).
    #[arg(long)]
    delimiter: Option<String>,
    /// Print progress on standard error, one JSON line per 2,000 rows
    /// ({"rows_done","bytes_done","bytes_total"}).
    #[arg(long)]
    progress: bool,
    /// Also write the failed rows (with a reason column) to this CSV.
    #[arg(long, value_name = "FILE")]
    failed_rows: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OnExistingArg {
    Update,
    Skip,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Words to find in emails, names and text fields.
    #[arg(long)]
    search: Option<String>,
    /// Only contacts with this tag (repeatable: any of them).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Only contacts with this status (repeatable).
    #[arg(long = "status", value_name = "STATUS")]
    statuses: Vec<String>,
    /// Only contacts in this saved segment.
    #[arg(long)]
    segment: Option<String>,
}

#[derive(Debug, Args)]
pub struct ContactArgs {
    #[arg(long)]
    first_name: Option<String>,
    #[arg(long)]
    last_name: Option<String>,
    /// subscribed, unsubscribed, bounced, complained or blocked.
    #[arg(long)]
    status: Option<String>,
    /// Tag names (repeatable; created if missing). On update, replaces the tags.
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// A custom value, KEY=VALUE (repeatable); an empty VALUE clears it.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    values: Vec<String>,
}

fn status(s: &str) -> Result<ContactStatus> {
    ContactStatus::parse(s).ok_or_else(|| {
        Error::Validation(vec![FieldError::new(
            "status",
            format!("“{s}” is not a status; use subscribed, unsubscribed, bounced, complained or blocked."),
        )])
    })
}

fn query(conn: &Connection, f: &FilterArgs) -> Result<ContactQuery> {
    let mut q = ContactQuery {
        search: f.search.clone(),
        ..ContactQuery::default()
    };
    for name in &f.tags {
        q.tag_ids.push(super::tag_by_name(conn, name)?.id);
    }
    for s in &f.statuses {
        q.statuses.push(status(s)?);
    }
    if let Some(name) = &f.segment {
        q.segment_id = Some(super::segment_by_name(conn, name)?.id);
    }
    Ok(q)
}

/// A contact named by id or by email.
pub fn find(conn: &Connection, reference: &str) -> Result<Contact> {
    if let Ok(id) = reference.trim().parse::<i64>() {
        return contacts::get(conn, id);
    }
    contacts::find_by_email(conn, reference)?.ok_or_else(|| {
        Error::Validation(vec![FieldError::new(
            "contact",
            format!("No contact has the address “{reference}”."),
        )])
    })
}

fn input(
    conn: &Connection,
    email: String,
    args: ContactArgs,
    editing: bool,
) -> Result<ContactInput> {
    let mut input = ContactInput {
        email,
        first_name: args.first_name.unwrap_or_default(),
        last_name: args.last_name.unwrap_or_default(),
        status: args.status.as_deref().map(status).transpose()?,
        ..ContactInput::default()
    };
    if !args.tags.is_empty() || !editing {
        let mut ids = Vec::new();
        for name in &args.tags {
            ids.push(tags::find_or_create(conn, name)?.id);
        }
        input.tag_ids = Some(ids);
    }
    for kv in args.values {
        let (k, v) = kv.split_once('=').ok_or_else(|| {
            Error::Validation(vec![FieldError::new(
                "set",
                format!("“{kv}” is not KEY=VALUE."),
            )])
        })?;
        let v = v.trim();
        input.values.insert(
            k.trim().to_owned(),
            (!v.is_empty()).then(|| FieldValue::Text(v.to_owned())),
        );
    }
    Ok(input)
}

/// `contacts show`: the contact's fields, then the campaigns it was sent (newest first).
#[derive(serde::Serialize)]
struct ShownContact<'a> {
    #[serde(flatten)]
    contact: &'a Contact,
    campaigns: Vec<herald_core::analytics::ContactCampaign>,
}

fn describe_history(history: &[herald_core::analytics::ContactCampaign]) -> String {
    if history.is_empty() {
        return "Campaigns: none yet\n".into();
    }
    let mut s = String::from("Campaigns:\n");
    for h in history {
        let outcome = h.outcome.label();
        s.push_str(&format!(
            "  {} ({}): {outcome}, {}, {}{}\n",
            h.campaign_name,
            h.sent_at.as_deref().unwrap_or("not sent"),
            count(h.opens, "open", "opens"),
            count(h.clicks, "click", "clicks"),
            if h.unsubscribed_at.is_some() && h.outcome != MessageOutcome::Unsubscribed {
                ", unsubscribed"
            } else {
                ""
            }
        ));
    }
    s
}

fn describe(c: &Contact) -> String {
    let mut s = format!(
        "#{} {}\nName:     {} {}\nStatus:   {}\nSource:   {}\nCreated:  {}\nUpdated:  {}\n",
        c.id,
        c.email,
        c.first_name,
        c.last_name,
        c.status.as_str(),
        c.source_label(),
        c.created_at,
        c.updated_at
    );
    if !c.tags.is_empty() {
        let names: Vec<&str> = c.tags.iter().map(|t| t.name.as_str()).collect();
        s.push_str(&format!("Tags:     {}\n", names.join(", ")));
    }
    for (k, v) in &c.values {
        s.push_str(&format!("{k}: {}\n", v.to_text()));
    }
    s
}

pub fn run(ctx: &Context, cmd: ContactsCommand) -> Result<()> {
    let mut ws = ctx.open_workspace()?;
    let out = &ctx.out;
    match cmd {
        ContactsCommand::Import(args) => return import(ctx, ws.conn_mut(), args),
        ContactsCommand::List {
            filter,
            sort,
            asc,
            page,
            page_size,
        } => {
            let mut q = query(ws.conn(), &filter)?;
            q.sort = Some(sort);
            q.direction = if asc {
                SortDirection::Asc
            } else {
                SortDirection::Desc
            };
            q.page = page;
            q.page_size = page_size;
            let result = contacts::list(ws.conn(), &q)?;
            out.print(&result, || {
                let mut s: String = result
                    .items
                    .iter()
                    .map(|c| {
                        format!(
                            "{:>7}  {:<40} {:<30} {}\n",
                            c.id,
                            c.email,
                            format!("{} {}", c.first_name, c.last_name).trim(),
                            c.status.as_str()
                        )
                    })
                    .collect();
                s.push_str(&format!(
                    "Page {} of {} ({} contacts)",
                    result.page,
                    (result.total.max(1) as u64).div_ceil(u64::from(result.page_size)),
                    result.total
                ));
                s
            });
        }
        ContactsCommand::Count { filter } => {
            let n = contacts::count(ws.conn(), &query(ws.conn(), &filter)?)?;
            out.print(&json!({ "count": n }), || n.to_string());
        }
        ContactsCommand::Show { contact } => {
            let c = find(ws.conn(), &contact)?;
            let shown = ShownContact {
                campaigns: herald_core::analytics::contact_history(ws.conn(), c.id)?,
                contact: &c,
            };
            out.print(&shown, || {
                describe(&c) + &describe_history(&shown.campaigns)
            });
        }
        ContactsCommand::Add { email, fields } => {
            let input = input(ws.conn(), email, fields, false)?;
            let c = contacts::create(ws.conn_mut(), input, ContactSource::Api)?;
            out.print(&c, || format!("Added #{} {}", c.id, c.email));
        }
        ContactsCommand::Update {
            contact,
            email,
            fields,
        } => {
            let existing = find(ws.conn(), &contact)?;
            let mut input = input(
                ws.conn(),
                email.unwrap_or(existing.email.clone()),
                fields,
                true,
            )?;
            if input.first_name.is_empty() {
                input.first_name = existing.first_name.clone();
            }
            if input.last_name.is_empty() {
                input.last_name = existing.last_name.clone();
            }
            let c = contacts::update(ws.conn_mut(), existing.id, input)?;
            out.print(&c, || describe(&c));
        }
        ContactsCommand::Delete { contacts: refs } => {
            let mut ids = Vec::new();
            for r in &refs {
                ids.push(find(ws.conn(), r)?.id);
            }
            let result = contacts::bulk(
                ws.conn_mut(),
                &ContactSelection::Ids { ids },
                &contacts::BulkAction::Delete,
            )?;
            out.print(&json!({ "deleted": result.affected }), || {
                format!("Deleted {}.", count(result.affected, "contact", "contacts"))
            });
        }
        ContactsCommand::Export { filter, out: path } => {
            let selection = ContactSelection::Query {
                query: query(ws.conn(), &filter)?,
            };
            match path {
                Some(path) => {
                    let n = contacts::export_csv_to_path(ws.conn(), &selection, &path)?;
                    out.print(&json!({ "exported": n, "path": path }), || {
                        format!(
                            "Exported {} to {}",
                            count(n, "contact", "contacts"),
                            path.display()
                        )
                    });
                }
                None => {
                    let stdout = std::io::stdout();
                    contacts::export_csv(ws.conn(), &selection, stdout.lock())?;
                }
            }
        }
    }
    Ok(())
}

fn import(ctx: &Context, conn: &mut Connection, args: ImportArgs) -> Result<()> {
    let encoding = match &args.encoding {
        Some(e) => Some(imports::Encoding::parse(e).ok_or_else(|| {
            Error::Validation(vec![FieldError::new(
                "encoding",
                format!("“{e}” is not an encoding Herald reads; use utf-8, utf-16le, utf-16be or windows-1252."),
            )])
        })?),
        None => None,
    };
    let mapping = match &args.mapping {
        Some(json) => {
            let preview = imports::preview(
                conn,
                &args.file,
                &PreviewOptions {
                    encoding,
                    delimiter: args.delimiter.clone(),
                    mapping: None,
                },
            )?;
            Some(imports::mapping_from_json(json, &preview.mapping)?)
        }
        None => None,
    };
    let options = ImportOptions {
        mapping,
        tags: args.tags,
        on_existing: match args.on_existing {
            OnExistingArg::Update => OnExisting::Update,
            OnExistingArg::Skip => OnExisting::Skip,
        },
        dry_run: args.dry_run,
        encoding,
        delimiter: args.delimiter,
    };
    let show_progress = args.progress;
    let report = imports::run(
        conn,
        &args.file,
        &options,
        |p| {
            if show_progress {
                eprintln!(
                    "{}",
                    json!({ "rows_done": p.rows_done, "bytes_done": p.bytes_done, "bytes_total": p.bytes_total })
                );
            }
        },
        &AtomicBool::new(false),
    )?;
    if let Some(path) = &args.failed_rows {
        if report.failed > 0 {
            imports::write_failed_rows(&args.file, &options, &report, path)?;
        }
    }
    let body = json!({
        "total": report.total,
        "created": report.created,
        "updated": report.updated,
        "skipped": report.skipped,
        "failed": report.failed,
        "errors": report.errors.iter().map(|e| json!({ "line": e.line, "reason": e.reason })).collect::<Vec<_>>(),
    });
    ctx.out.print(&body, || {
        let mut s = format!(
            "{}{} rows: {} created, {} updated, {} skipped, {} failed\n",
            if report.dry_run {
                "Dry run (nothing changed). "
            } else {
                ""
            },
            report.total,
            report.created,
            report.updated,
            report.skipped,
            report.failed
        );
        for e in report.errors.iter().take(50) {
            s.push_str(&format!("  line {}: {}\n", e.line, e.reason));
        }
        if report.errors.len() > 50 {
            s.push_str(&format!("  … and {} more\n", report.errors.len() - 50));
        }
        s
    });
    Ok(())
}
