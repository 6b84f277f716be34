//! `herald templates …`: the gallery and the team's own templates, rendering and test sends.

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use herald_core::render::{RenderContact, TemplateFormat};
use herald_core::secrets::OsKeychain;
use herald_core::templates::{
    self, test_send, Template, TemplateDraft, TemplateFilter, TemplateKind,
};
use herald_core::workspaces::Workspace;
use herald_core::{Error, Result};
use serde_json::json;

use super::Context;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// The prebuilt templates that come with Herald.
    Gallery,
    /// The team's own templates.
    Mine,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Mjml,
    Html,
}

impl From<FormatArg> for TemplateFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Mjml => TemplateFormat::Mjml,
            FormatArg::Html => TemplateFormat::Html,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// List templates: the gallery first, then the team's own.
    List {
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        #[arg(long)]
        category: Option<String>,
        /// Part of the name or description.
        #[arg(long)]
        search: Option<String>,
    },
    /// Show a template with its source.
    Show { name: String },
    /// Create a template from a source file (.mjml or .html).
    Create {
        name: String,
        #[arg(long, value_name = "FILE")]
        source_file: PathBuf,
        /// Default: from the file's extension.
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        #[arg(long, default_value = "")]
        subject: String,
        #[arg(long, default_value = "")]
        preheader: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long, default_value = "")]
        category: String,
    },
    /// Change a template of the team's own; only the options given change.
    Update {
        name: String,
        #[arg(long = "name", value_name = "NEW_NAME")]
        new_name: Option<String>,
        #[arg(long, value_name = "FILE")]
        source_file: Option<PathBuf>,
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        #[arg(long)]
        subject: Option<String>,
        #[arg(long)]
        preheader: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        category: Option<String>,
    },
    /// Delete a template of the team's own.
    Delete { name: String },
    /// Copy a template (gallery or own) into a new template of the team's own.
    Duplicate {
        name: String,
        /// Name of the copy (default: “NAME (copy)”).
        #[arg(long = "name", value_name = "NEW_NAME")]
        new_name: Option<String>,
    },
    /// Render a template for one contact: subject, HTML and text.
    Render {
        name: String,
        #[command(flatten)]
        contact: ContactArgs,
    },
    /// Send a rendered template to up to five addresses through SES.
    TestSend {
        name: String,
        #[arg(long = "to", value_name = "ADDRESS", required = true)]
        to: Vec<String>,
        #[command(flatten)]
        contact: ContactArgs,
    },
}

/// Whose details fill the template: a contact of the workspace, a JSON file, or (neither
/// given) the built-in sample contact.
#[derive(Debug, clap::Args)]
pub struct ContactArgs {
    /// The email address of a contact in the workspace (any case); its custom fields
    /// without a value are empty, so `default(value=…)` applies.
    #[arg(long, value_name = "EMAIL", conflicts_with = "contact_json")]
    contact: Option<String>,
    /// The contact as JSON: {"email", "first_name", "last_name", "status", "fields": {…}}.
    #[arg(long, value_name = "FILE")]
    contact_json: Option<PathBuf>,
}

impl ContactArgs {
    fn resolve(&self, ws: &Workspace) -> Result<Option<RenderContact>> {
        match (&self.contact, &self.contact_json) {
            (Some(email), _) => templates::render_contact_by_email(ws.conn(), email).map(Some),
            (None, path) => read_contact(path.as_deref()),
        }
    }
}

fn read_source(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io {
        action: "read",
        path: path.to_owned(),
        source: e,
    })
}

fn format_for(path: &Path, given: Option<FormatArg>) -> Result<TemplateFormat> {
    if let Some(f) = given {
        return Ok(f.into());
    }
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("mjml") => Ok(TemplateFormat::Mjml),
        Some("html" | "htm") => Ok(TemplateFormat::Html),
        _ => Err(Error::Validation(vec![herald_core::FieldError::new(
            "format",
            "Say --format mjml or --format html (the file's extension does not tell).",
        )])),
    }
}

fn read_contact(path: Option<&Path>) -> Result<Option<RenderContact>> {
    let Some(path) = path else { return Ok(None) };
    let text = read_source(path)?;
    serde_json::from_str(&text).map(Some).map_err(|e| {
        Error::Validation(vec![herald_core::FieldError::new(
            "contact_json",
            format!("{} is not a contact in JSON: {e}", path.display()),
        )])
    })
}

fn describe(t: &Template) -> String {
    format!(
        "{} (#{}, {}{})\nSubject:   {}\nPreheader: {}\nFormat:    {}\nCategory:  {}\nVariables: {}\n\n{}",
        t.name,
        t.id,
        match t.kind {
            TemplateKind::AdminProvided => "gallery, read-only",
            TemplateKind::UserCreated => "team template",
        },
        if t.description.is_empty() { String::new() } else { format!("; {}", t.description) },
        t.subject,
        t.preheader,
        t.format.as_str(),
        t.category,
        t.variables.join(", "),
        t.source
    )
}

pub fn run(ctx: &Context, cmd: TemplatesCommand) -> Result<()> {
    let ws = ctx.open_workspace()?;
    let out = &ctx.out;
    match cmd {
        TemplatesCommand::List {
            kind,
            category,
            search,
        } => {
            let filter = TemplateFilter {
                kind: kind.map(|k| match k {
                    KindArg::Gallery => TemplateKind::AdminProvided,
                    KindArg::Mine => TemplateKind::UserCreated,
                }),
                category,
                search,
            };
            let list = templates::list(&ws, &filter)?;
            out.print(&list, || {
                if list.is_empty() {
                    return "No templates match.".into();
                }
                list.iter()
                    .map(|t| {
                        format!(
                            "#{:<4} {:<28} {:<8} {:<14} {}\n",
                            t.id,
                            t.name,
                            if t.kind == TemplateKind::AdminProvided {
                                "gallery"
                            } else {
                                "mine"
                            },
                            t.category,
                            t.subject
                        )
                    })
                    .collect()
            });
        }
        TemplatesCommand::Show { name } => {
            let t = templates::find(&ws, &name)?;
            out.print(&t, || describe(&t));
        }
        TemplatesCommand::Create {
            name,
            source_file,
            format,
            subject,
            preheader,
            description,
            category,
        } => {
            let draft = TemplateDraft {
                name,
                description,
                category,
                subject,
                preheader,
                format: format_for(&source_file, format)?,
                source: read_source(&source_file)?,
            };
            let t = templates::create(&ws, &draft)?;
            out.print(&t, || format!("Created template “{}” (#{}).", t.name, t.id));
        }
        TemplatesCommand::Update {
            name,
            new_name,
            source_file,
            format,
            subject,
            preheader,
            description,
            category,
        } => {
            let current = templates::find(&ws, &name)?;
            let mut draft = TemplateDraft::from(&current);
            if let Some(path) = &source_file {
                draft.source = read_source(path)?;
                if format.is_none() {
                    draft.format = format_for(path, None).unwrap_or(draft.format);
                }
            }
            if let Some(f) = format {
                draft.format = f.into();
            }
            draft.name = new_name.unwrap_or(draft.name);
            draft.subject = subject.unwrap_or(draft.subject);
            draft.preheader = preheader.unwrap_or(draft.preheader);
            draft.description = description.unwrap_or(draft.description);
            draft.category = category.unwrap_or(draft.category);
            let t = templates::update(&ws, current.id, &draft)?;
            out.print(&t, || format!("Saved template “{}”.", t.name));
        }
        TemplatesCommand::Delete { name } => {
            let t = templates::find(&ws, &name)?;
            templates::delete(&ws, t.id)?;
            out.print(&json!({ "deleted": t.name, "id": t.id }), || {
                format!("Deleted template “{}”.", t.name)
            });
        }
        TemplatesCommand::Duplicate { name, new_name } => {
            let original = templates::find(&ws, &name)?;
            let t = templates::duplicate(&ws, original.id, new_name.as_deref())?;
            out.print(&t, || {
                format!("Created “{}” (#{}) from “{}”.", t.name, t.id, original.name)
            });
        }
        TemplatesCommand::Render { name, contact } => {
            let contact = contact.resolve(&ws)?;
            let t = templates::find(&ws, &name)?;
            let message = templates::render(&ws, t.id, contact)?;
            out.print(&message, || {
                format!("Subject: {}\n\n{}", message.subject, message.text)
            });
        }
        TemplatesCommand::TestSend { name, to, contact } => {
            let contact = contact.resolve(&ws)?;
            let t = templates::find(&ws, &name)?;
            let report = test_send::send_blocking(&ws, &OsKeychain, t.id, &to, contact)?;
            out.print(&report, || {
                let mut text = format!("Subject: {}\n", report.subject);
                for r in &report.sent {
                    match (&r.message_id, &r.error) {
                        (_, Some(error)) => text.push_str(&format!("FAILED {}: {error}\n", r.to)),
                        (Some(id), None) => text.push_str(&format!("Sent to {} ({id})\n", r.to)),
                        (None, None) => text.push_str(&format!("Sent to {}\n", r.to)),
                    }
                }
                for w in &report.warnings {
                    text.push_str(&format!("Warning: {}\n", w.message));
                }
                text
            });
            let failed = report.sent.iter().filter(|r| r.error.is_some()).count();
            if failed > 0 {
                return Err(Error::Ses {
                    kind: herald_core::error::SesErrorKind::Service,
                    message: format!(
                        "{failed} of {} test messages were not sent.",
                        report.sent.len()
                    ),
                });
            }
        }
    }
    Ok(())
}
