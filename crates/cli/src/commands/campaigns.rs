//! `herald campaigns …`: the campaign wizard's steps as flags, the review, scheduling, and
//! sending in the foreground with progress on stderr. Pause, resume and cancel work while
//! another process (the app, another terminal) is sending: they go through the database.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Subcommand;
use herald_core::campaigns::audience;
use herald_core::campaigns::review::Review;
use herald_core::campaigns::service::{SendEvent, SendService};
use herald_core::campaigns::{self, Campaign, CampaignStatus, CampaignSummary, NewCampaign};
use herald_core::render::TemplateFormat;
use herald_core::secrets::OsKeychain;
use herald_core::sending::RunReport;
use herald_core::workspaces::Workspace;
use herald_core::{Error, FieldError, Result};
use rusqlite::Connection;
use serde_json::json;

use super::Context;

#[derive(Debug, Subcommand)]
pub enum CampaignsCommand {
    /// List campaigns with their status and progress.
    List {
        /// Only campaigns in this status (draft, scheduled, sending, paused, sent, failed, cancelled).
        #[arg(long)]
        status: Option<String>,
    },
    /// Show a campaign: content, audience (with its count now) and recipient counts.
    Show { campaign: String },
    /// Create a draft campaign.
    Create {
        name: String,
        #[command(flatten)]
        edit: Box<Edit>,
    },
    /// Change a draft or scheduled campaign; only the flags given change.
    Update {
        campaign: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        edit: Box<Edit>,
    },
    /// The pre-send review: blocking problems and warnings (asks SES).
    Review { campaign: String },
    /// Schedule after the review passes, at an RFC 3339 time, e.g. 2026-12-01T09:00:00+01:00.
    Schedule {
        campaign: String,
        #[arg(long)]
        at: String,
        /// The IANA time zone the time was chosen in (shown in the app), e.g. Europe/Paris.
        #[arg(long)]
        time_zone: Option<String>,
    },
    /// Take a scheduled campaign back to a draft.
    Unschedule { campaign: String },
    /// Review, snapshot the audience and send now, in the foreground (progress on stderr).
    Send { campaign: String },
    /// Pause a sending campaign (also one the app is sending).
    Pause { campaign: String },
    /// Resume a paused campaign: in the foreground, unless another process is sending it.
    Resume { campaign: String },
    /// Cancel: recipients not sent to yet are skipped.
    Cancel { campaign: String },
    /// Copy a campaign as a new draft (default name "NAME (copy)").
    Duplicate {
        campaign: String,
        new_name: Option<String>,
    },
    /// Delete a campaign; one that was scheduled or sent needs --confirm NAME.
    Delete {
        campaign: String,
        #[arg(long, value_name = "NAME")]
        confirm: Option<String>,
    },
    /// Status and recipient counts by state.
    Status { campaign: String },
    /// Queue the recipients whose outcome is unknown again (they may get it twice).
    ResendUnknown { campaign: String },
    /// Do not resend to the recipients whose outcome is unknown (they become skipped).
    DismissUnknown { campaign: String },
}

/// The wizard's fields as flags.
#[derive(Debug, clap::Args, Default)]
pub struct Edit {
    #[arg(long)]
    subject: Option<String>,
    #[arg(long)]
    preheader: Option<String>,
    /// Start the content from this template (name or id): copies its body.
    #[arg(long)]
    template: Option<String>,
    /// The body from a file (HTML or MJML, with Tera variables).
    #[arg(long, value_name = "PATH")]
    body_file: Option<std::path::PathBuf>,
    /// The body's format (html or mjml; default: mjml when the file starts with <mjml>).
    #[arg(long)]
    format: Option<String>,
    #[arg(long)]
    from: Option<String>,
    #[arg(long)]
    from_name: Option<String>,
    #[arg(long)]
    reply_to: Option<String>,
    /// Recipients per second (default: the account's maximum).
    #[arg(long)]
    rate: Option<f64>,
    /// Add a segment (name) to the audience.
    #[arg(long = "segment", value_name = "NAME")]
    segments: Vec<String>,
    /// Add everyone with this tag.
    #[arg(long = "tag", value_name = "NAME")]
    tags: Vec<String>,
    /// Add a contact (email).
    #[arg(long = "contact", value_name = "EMAIL")]
    contacts: Vec<String>,
    #[arg(long = "exclude-segment", value_name = "NAME")]
    exclude_segments: Vec<String>,
    #[arg(long = "exclude-tag", value_name = "NAME")]
    exclude_tags: Vec<String>,
    #[arg(long = "exclude-contact", value_name = "EMAIL")]
    exclude_contacts: Vec<String>,
    /// Start the audience over (then add with the flags above).
    #[arg(long)]
    clear_audience: bool,
}

/// A campaign by id or exact name (any case).
fn find(conn: &Connection, reference: &str) -> Result<Campaign> {
    if let Ok(id) = reference.trim().parse::<i64>() {
        if let Ok(c) = campaigns::get(conn, id) {
            return Ok(c);
        }
    }
    campaigns::find_by_name(conn, reference)?.ok_or_else(|| {
        Error::Validation(vec![FieldError::new(
            "campaign",
            format!("There is no campaign “{reference}”; `herald campaigns list` shows them."),
        )])
    })
}

fn template_id(conn: &Connection, reference: &str) -> Result<i64> {
    let by_id = reference.trim().parse::<i64>().ok().filter(|id| {
        conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM templates WHERE id = ?1)",
            [id],
            |r| r.get::<_, bool>(0),
        )
        .unwrap_or(false)
    });
    if let Some(id) = by_id {
        return Ok(id);
    }
    conn.query_row(
        "SELECT id FROM templates WHERE name = ?1 COLLATE NOCASE",
        [reference.trim()],
        |r| r.get(0),
    )
    .map_err(|_| Error::TemplateNotFound(reference.trim().to_owned()))
}

fn contact_id(conn: &Connection, email: &str) -> Result<i64> {
    herald_core::contacts::find_by_email(conn, email)?
        .map(|c| c.id)
        .ok_or_else(|| {
            Error::Validation(vec![FieldError::new(
                "contact",
                format!("No contact has the address {}.", email.trim()),
            )])
        })
}

/// Applies the flags to a campaign's draft and saves it.
fn apply(
    ws: &Workspace,
    campaign: &Campaign,
    name: Option<String>,
    edit: Edit,
) -> Result<Campaign> {
    let conn = ws.conn();
    let mut campaign = campaign.clone();
    if let Some(t) = &edit.template {
        campaign = campaigns::use_template(conn, campaign.id, template_id(conn, t)?)?;
    }
    let mut d = campaign.draft();
    if let Some(n) = name {
        d.name = n;
    }
    if let Some(v) = edit.subject {
        d.subject = v;
    }
    if let Some(v) = edit.preheader {
        d.preheader = v;
    }
    if let Some(path) = &edit.body_file {
        let body = std::fs::read_to_string(path).map_err(|e| Error::Io {
            action: "read",
            path: path.clone(),
            source: e,
        })?;
        d.body_format = Some(match edit.format.as_deref() {
            Some(f) => TemplateFormat::parse(f).ok_or_else(|| {
                Error::Validation(vec![FieldError::new(
                    "format",
                    "The format is html or mjml.",
                )])
            })?,
            None if body.trim_start().starts_with("<mjml") => TemplateFormat::Mjml,
            None => TemplateFormat::Html,
        });
        d.body_source = Some(body);
    }
    if let Some(v) = edit.from {
        d.from_address = Some(v);
    }
    if let Some(v) = edit.from_name {
        d.from_name = Some(v);
    }
    if let Some(v) = edit.reply_to {
        d.reply_to = Some(v);
    }
    if let Some(v) = edit.rate {
        d.send_rate = Some(v);
    }
    if edit.clear_audience {
        d.audience = Default::default();
    }
    let a = &mut d.audience;
    for s in &edit.segments {
        a.segments.push(super::segment_by_name(conn, s)?.id);
    }
    for s in &edit.exclude_segments {
        a.exclude_segments.push(super::segment_by_name(conn, s)?.id);
    }
    for t in &edit.tags {
        a.tags.push(super::tag_by_name(conn, t)?.id);
    }
    for t in &edit.exclude_tags {
        a.exclude_tags.push(super::tag_by_name(conn, t)?.id);
    }
    for c in &edit.contacts {
        a.contacts.push(contact_id(conn, c)?);
    }
    for c in &edit.exclude_contacts {
        a.exclude_contacts.push(contact_id(conn, c)?);
    }
    for list in [
        &mut a.segments,
        &mut a.tags,
        &mut a.contacts,
        &mut a.exclude_segments,
        &mut a.exclude_tags,
        &mut a.exclude_contacts,
    ] {
        list.sort_unstable();
        list.dedup();
    }
    campaigns::update(conn, campaign.id, &d)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Io {
            action: "started",
            path: "the async runtime".into(),
            source: e,
        })
}

/// A service whose progress goes to stderr (about once a second; every event on a
/// terminal would be too many).
fn service(ws: &Workspace, json: bool) -> SendService {
    let last = Arc::new(Mutex::new(None::<Instant>));
    let tty = std::io::stderr().is_terminal();
    SendService::new(
        ws,
        Arc::new(OsKeychain),
        Arc::new(move |event: &SendEvent| {
            let SendEvent::Progress(p) = event else {
                return;
            };
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
                return;
            }
            *last = Some(Instant::now());
            let line = if json {
                serde_json::to_string(p).unwrap_or_default()
            } else {
                format!(
                    "sent {}/{}  failed {}  unknown {}  {:.1}/s{}",
                    p.sent,
                    p.total,
                    p.failed,
                    p.unknown,
                    p.current_rate,
                    p.eta_seconds
                        .map(|s| format!("  about {} left", duration(s)))
                        .unwrap_or_default()
                )
            };
            let mut err = std::io::stderr();
            if tty && !json {
                let _ = write!(err, "\r\x1b[2K{line}");
            } else {
                let _ = writeln!(err, "{line}");
            }
        }),
    )
}

fn duration(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

fn report_text(r: &RunReport) -> String {
    let c = &r.counts;
    let mut text = format!(
        "{}: {} sent, {} failed, {} unknown, {} skipped, {} not sent yet.",
        r.status.as_str(),
        c.sent,
        c.failed,
        c.unknown,
        c.skipped,
        c.pending + c.sending
    );
    if let Some(reason) = &r.pause_reason {
        text.push_str(&format!("\n{reason}"));
    }
    if let Some(at) = &r.resume_at {
        text.push_str(&format!("\nIt can continue at {at}."));
    }
    if c.unknown > 0 {
        text.push_str(
            "\nSES may or may not have sent to the unknown ones; `herald campaigns resend-unknown` or `dismiss-unknown` decides.",
        );
    }
    text
}

fn review_text(r: &Review) -> String {
    let mut out = format!("{} recipients.", r.recipients);
    if let Some(q) = r.quota_remaining {
        out.push_str(&format!(" The 24-hour quota allows {q} more now."));
    }
    out.push('\n');
    for p in &r.blocking {
        out.push_str(&format!("BLOCKING  {}: {}\n", p.code.as_str(), p.message));
    }
    for p in &r.warnings {
        out.push_str(&format!("warning   {}: {}\n", p.code.as_str(), p.message));
    }
    if r.blocking.is_empty() {
        out.push_str("Ready to send.\n");
    }
    out
}

fn summary_line(s: &CampaignSummary) -> String {
    let c = &s.counts;
    let when = match s.status {
        CampaignStatus::Scheduled => s.scheduled_at.clone().unwrap_or_default(),
        _ => String::new(),
    };
    format!(
        "{:>5}  {:<10} {:>5.1}%  {:>7} sent  {}  {}\n",
        s.id,
        s.status.as_str(),
        s.progress * 100.0,
        c.sent,
        s.name,
        when
    )
}

pub fn run(ctx: &Context, cmd: CampaignsCommand) -> Result<()> {
    let mut ws = ctx.open_workspace()?;
    let out = &ctx.out;
    match cmd {
        CampaignsCommand::List { status } => {
            let status = match status {
                Some(s) => Some(CampaignStatus::parse(s.trim()).ok_or_else(|| {
                    Error::Validation(vec![FieldError::new(
                        "status",
                        "The status is one of draft, scheduled, sending, paused, sent, failed, cancelled.",
                    )])
                })?),
                None => None,
            };
            let list = campaigns::list(ws.conn(), status)?;
            out.print(&list, || {
                if list.is_empty() {
                    return "No campaigns yet.".into();
                }
                list.iter().map(summary_line).collect()
            });
        }
        CampaignsCommand::Show { campaign } => {
            let c = find(ws.conn(), &campaign)?;
            let count = audience::count(ws.conn(), &c.audience)?;
            let counts = campaigns::recipient_counts(ws.conn(), c.id)?;
            out.print(
                &json!({ "campaign": c, "audience_count": count, "counts": counts }),
                || {
                    format!(
                        "{} ({}; id {})\nSubject: {}\nFrom: {}\nAudience: {} recipients now ({} left out)\nRecipients: {} sent, {} failed, {} unknown, {} pending, {} skipped{}",
                        c.name,
                        c.status.as_str(),
                        c.id,
                        c.subject,
                        c.from_address.as_deref().unwrap_or("(workspace default)"),
                        count.recipients,
                        count.left_out,
                        counts.sent,
                        counts.failed,
                        counts.unknown,
                        counts.pending,
                        counts.skipped,
                        c.pause_reason
                            .as_deref()
                            .map(|r| format!("\n{r}"))
                            .unwrap_or_default()
                    )
                },
            );
        }
        CampaignsCommand::Create { name, edit } => {
            let c = campaigns::create(
                ws.conn(),
                &NewCampaign {
                    name,
                    ..NewCampaign::default()
                },
            )?;
            let c = match apply(&ws, &c, None, *edit) {
                Ok(c) => c,
                Err(e) => {
                    // All or nothing: a create whose flags are refused leaves no draft.
                    let _ = campaigns::delete(ws.conn(), c.id, None);
                    return Err(e);
                }
            };
            out.print(&c, || format!("Created draft “{}” (id {}).", c.name, c.id));
        }
        CampaignsCommand::Update {
            campaign,
            name,
            edit,
        } => {
            let c = find(ws.conn(), &campaign)?;
            let c = apply(&ws, &c, name, *edit)?;
            out.print(&c, || format!("Saved “{}”.", c.name));
        }
        CampaignsCommand::Review { campaign } => {
            let c = find(ws.conn(), &campaign)?;
            let review = runtime()?.block_on(service(&ws, out.json).review(c.id))?;
            out.print(&review, || review_text(&review));
        }
        CampaignsCommand::Schedule {
            campaign,
            at,
            time_zone,
        } => {
            let c = find(ws.conn(), &campaign)?;
            let svc = service(&ws, out.json);
            let c = runtime()?.block_on(svc.schedule(c.id, &at, time_zone.as_deref()))?;
            out.print(&c, || {
                format!(
                    "Scheduled “{}” for {}. The Herald app sends it then (it must be running, or start within {} hours after).",
                    c.name,
                    c.scheduled_at.clone().unwrap_or_default(),
                    herald_core::settings::load(ws.conn())
                        .map(|s| s.schedule_grace_hours())
                        .unwrap_or(24)
                )
            });
        }
        CampaignsCommand::Unschedule { campaign } => {
            let c = find(ws.conn(), &campaign)?;
            let c = campaigns::unschedule(ws.conn(), c.id)?;
            out.print(&c, || format!("“{}” is a draft again.", c.name));
        }
        CampaignsCommand::Send { campaign } => {
            let c = find(ws.conn(), &campaign)?;
            let svc = service(&ws, out.json);
            let report = runtime()?.block_on(svc.send_foreground(c.id))?;
            if !out.json && std::io::stderr().is_terminal() {
                eprintln!();
            }
            out.print(&report, || report_text(&report));
        }
        CampaignsCommand::Pause { campaign } => {
            let c = find(ws.conn(), &campaign)?;
            let c = campaigns::request_pause(ws.conn(), c.id)?;
            out.print(&c, || {
                format!(
                    "“{}” is paused; messages already handed to SES still go out.",
                    c.name
                )
            });
        }
        CampaignsCommand::Resume { campaign } => {
            let c = find(ws.conn(), &campaign)?;
            let svc = service(&ws, out.json);
            match runtime()?.block_on(svc.resume_foreground(c.id))? {
                Some(report) => {
                    if !out.json && std::io::stderr().is_terminal() {
                        eprintln!();
                    }
                    out.print(&report, || report_text(&report));
                }
                None => {
                    let c = campaigns::get(ws.conn(), c.id)?;
                    out.print(&c, || {
                        format!(
                            "“{}” is resumed; the Herald process that was sending it continues.",
                            c.name
                        )
                    });
                }
            }
        }
        CampaignsCommand::Cancel { campaign } => {
            let c = find(ws.conn(), &campaign)?;
            let c = campaigns::request_cancel(ws.conn_mut(), c.id)?;
            let counts = campaigns::recipient_counts(ws.conn(), c.id)?;
            out.print(&c, || {
                format!(
                    "“{}” is cancelled; {} recipients were not sent to.",
                    c.name, counts.skipped
                )
            });
        }
        CampaignsCommand::Duplicate { campaign, new_name } => {
            let c = find(ws.conn(), &campaign)?;
            let copy = campaigns::duplicate(ws.conn(), c.id, new_name.as_deref())?;
            out.print(&copy, || {
                format!("Saved a copy as draft “{}” (id {}).", copy.name, copy.id)
            });
        }
        CampaignsCommand::Delete { campaign, confirm } => {
            let c = find(ws.conn(), &campaign)?;
            campaigns::delete(ws.conn(), c.id, confirm.as_deref())?;
            out.print(&json!({ "deleted": c.name }), || {
                format!("Deleted “{}”.", c.name)
            });
        }
        CampaignsCommand::Status { campaign } => {
            let c = find(ws.conn(), &campaign)?;
            let s = campaigns::summary(ws.conn(), c.id)?;
            out.print(&s, || {
                let n = &s.counts;
                format!(
                    "{}: {}\npending {}\nsending {}\nsent {}\nfailed {}\nunknown {}\nskipped {}\ntotal {}{}",
                    s.name,
                    s.status.as_str(),
                    n.pending,
                    n.sending,
                    n.sent,
                    n.failed,
                    n.unknown,
                    n.skipped,
                    n.total(),
                    s.pause_reason
                        .as_deref()
                        .map(|r| format!("\n{r}"))
                        .unwrap_or_default()
                )
            });
        }
        CampaignsCommand::ResendUnknown { campaign } => {
            let c = find(ws.conn(), &campaign)?;
            let n = campaigns::resend_unknown(ws.conn(), c.id)?;
            out.print(&json!({ "queued": n }), || {
                format!("{n} recipients are queued again; `herald campaigns resume` sends to them.")
            });
        }
        CampaignsCommand::DismissUnknown { campaign } => {
            let c = find(ws.conn(), &campaign)?;
            let n = campaigns::dismiss_unknown(ws.conn(), c.id)?;
            out.print(&json!({ "skipped": n }), || {
                format!("{n} recipients will not be sent to again.")
            });
        }
    }
    Ok(())
}
