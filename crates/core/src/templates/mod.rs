//! Email templates: the prebuilt gallery that ships with Herald (`admin_provided`,
//! read-only) and the team's own (`user_created`), stored in the workspace database.
//!
//! Public API (stable):
//! - [`list`] ([`TemplateFilter`] → [`TemplateSummary`]s, gallery first), [`get`] by id,
//!   [`find`] by id or name, [`create`] / [`update`] from a [`TemplateDraft`], [`delete`],
//!   [`duplicate`] (the way to edit a gallery template: makes a `user_created` copy).
//! - [`preview`] for the editor (unsaved content, a chosen or the sample contact) and
//!   [`render`] for a stored template (the CLI's `templates render`).
//! - [`render_contact`] / [`render_contact_by_email`]: a stored contact (every custom
//!   field, `null` where it has no value) as the [`RenderContact`] to preview or send as.
//! - [`gallery`]: the shipped templates; [`test_send`]: send a rendered template to up to
//!   five addresses through SES.
//!
//! The gallery lives in the binary (`crates/core/gallery/*.mjml`) and is mirrored into the
//! `templates` table whenever templates are read, so ids are stable, lists and searches are
//! one query, and a newer Herald refreshes its gallery rows (never the user's copies).

pub mod contact;
pub mod gallery;
pub mod test_send;

pub use contact::{render_contact, render_contact_by_email};

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::assets;
use crate::error::{Error, FieldError, Result};
pub use crate::render::TemplateFormat;
use crate::render::{
    self, Preview, Recipient, RenderContact, RenderWorkspace, RenderedMessage, SharedContext,
    TemplateContent, MAX_SOURCE_BYTES,
};
use crate::settings;
use crate::time::now_rfc3339;
use crate::workspaces::Workspace;

/// Who made a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TemplateKind {
    /// Shipped with Herald; read-only, duplicate to edit.
    AdminProvided,
    UserCreated,
}

impl TemplateKind {
    fn as_str(self) -> &'static str {
        match self {
            TemplateKind::AdminProvided => "admin_provided",
            TemplateKind::UserCreated => "user_created",
        }
    }
}

/// A stored template with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Template {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: TemplateKind,
    /// The gallery entry it mirrors (`newsletter`, …); none for the team's own.
    pub gallery_key: Option<String>,
    pub name: String,
    pub description: String,
    pub category: String,
    pub subject: String,
    pub preheader: String,
    pub format: TemplateFormat,
    pub source: String,
    /// The variables the template uses, e.g. `contact.first_name`.
    pub variables: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Template {
    pub fn content(&self) -> TemplateContent {
        TemplateContent {
            format: self.format,
            source: self.source.clone(),
            subject: self.subject.clone(),
            preheader: self.preheader.clone(),
        }
    }
}

/// A template as lists show it (no source).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TemplateSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: TemplateKind,
    pub gallery_key: Option<String>,
    pub name: String,
    pub description: String,
    pub category: String,
    pub subject: String,
    pub format: TemplateFormat,
    pub updated_at: String,
}

/// What the user edits: everything but the identity and timestamps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateDraft {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub preheader: String,
    pub format: TemplateFormat,
    pub source: String,
}

impl From<&Template> for TemplateDraft {
    fn from(t: &Template) -> Self {
        Self {
            name: t.name.clone(),
            description: t.description.clone(),
            category: t.category.clone(),
            subject: t.subject.clone(),
            preheader: t.preheader.clone(),
            format: t.format,
            source: t.source.clone(),
        }
    }
}

/// Which templates to list. Empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateFilter {
    #[serde(default)]
    pub kind: Option<TemplateKind>,
    #[serde(default)]
    pub category: Option<String>,
    /// Part of the name or description, any case.
    #[serde(default)]
    pub search: Option<String>,
}

/// The editor's live preview request: unsaved content and, optionally, a contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreviewRequest {
    pub content: TemplateContent,
    /// The contact to preview as; the built-in sample contact when absent.
    #[serde(default)]
    pub contact: Option<RenderContact>,
}

const SELECT: &str =
    "SELECT id, kind, gallery_key, name, description, category, subject, preheader,
        format, source, variables, created_at, updated_at FROM templates";

fn from_row(row: &Row) -> rusqlite::Result<Template> {
    let kind: String = row.get(1)?;
    let format: String = row.get(8)?;
    let variables: String = row.get(10)?;
    Ok(Template {
        id: row.get(0)?,
        kind: if kind == "admin_provided" {
            TemplateKind::AdminProvided
        } else {
            TemplateKind::UserCreated
        },
        gallery_key: row.get(2)?,
        name: row.get(3)?,
        description: row.get(4)?,
        category: row.get(5)?,
        subject: row.get(6)?,
        preheader: row.get(7)?,
        format: TemplateFormat::parse(&format).unwrap_or(TemplateFormat::Html),
        source: row.get(9)?,
        variables: serde_json::from_str(&variables).unwrap_or_default(),
        created_at: row.get(11)?,
        updated_at: row.get(12)?,
    })
}

/// Templates matching `filter`: the gallery first, then the team's own, by name.
pub fn list(ws: &Workspace, filter: &TemplateFilter) -> Result<Vec<TemplateSummary>> {
    let conn = ws.conn();
    gallery::sync(conn)?;
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    let mut args: Vec<String> = Vec::new();
    if let Some(kind) = filter.kind {
        args.push(kind.as_str().to_owned());
        sql.push_str(&format!(" AND kind = ?{}", args.len()));
    }
    if let Some(category) = filter
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        args.push(category.to_owned());
        sql.push_str(&format!(" AND category = ?{} COLLATE NOCASE", args.len()));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        args.push(format!("%{search}%"));
        let n = args.len();
        sql.push_str(&format!(" AND (name LIKE ?{n} OR description LIKE ?{n})"));
    }
    sql.push_str(" ORDER BY kind = 'user_created', name COLLATE NOCASE");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), from_row)?
        .map(|r| {
            r.map(|t| TemplateSummary {
                id: t.id,
                kind: t.kind,
                gallery_key: t.gallery_key,
                name: t.name,
                description: t.description,
                category: t.category,
                subject: t.subject,
                format: t.format,
                updated_at: t.updated_at,
            })
        })
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// One template by id.
pub fn get(ws: &Workspace, id: i64) -> Result<Template> {
    gallery::sync(ws.conn())?;
    get_synced(ws.conn(), id)
}

fn get_synced(conn: &Connection, id: i64) -> Result<Template> {
    conn.query_row(&format!("{SELECT} WHERE id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| Error::TemplateNotFound(format!("#{id}")))
}

/// A template by name (any case), or by id written as `12` or `#12`.
pub fn find(ws: &Workspace, key: &str) -> Result<Template> {
    let conn = ws.conn();
    gallery::sync(conn)?;
    let key = key.trim();
    if let Some(t) = conn
        .query_row(&format!("{SELECT} WHERE name = ?1"), [key], from_row)
        .optional()?
    {
        return Ok(t);
    }
    if let Ok(id) = key.trim_start_matches('#').parse::<i64>() {
        if let Ok(t) = get_synced(conn, id) {
            return Ok(t);
        }
    }
    Err(Error::TemplateNotFound(key.to_owned()))
}

fn validate(
    conn: &Connection,
    draft: &TemplateDraft,
    except_id: Option<i64>,
) -> Result<TemplateDraft> {
    let mut problems = Vec::new();
    let name = draft.name.trim().to_owned();
    if name.is_empty() {
        problems.push(FieldError::new("name", "Enter a name for the template."));
    } else if name.chars().count() > 120 || name.chars().any(char::is_control) {
        problems.push(FieldError::new(
            "name",
            "Use at most 120 characters on one line.",
        ));
    } else {
        let taken: Option<i64> = conn
            .query_row("SELECT id FROM templates WHERE name = ?1", [&name], |r| {
                r.get(0)
            })
            .optional()?;
        if taken.is_some_and(|id| Some(id) != except_id) {
            problems.push(FieldError::new(
                "name",
                format!("A template named “{name}” already exists."),
            ));
        }
    }
    if draft.subject.chars().count() > 300 || draft.subject.contains(['\n', '\r']) {
        problems.push(FieldError::new(
            "subject",
            "Use at most 300 characters on one line.",
        ));
    }
    if draft.preheader.chars().count() > 300 {
        problems.push(FieldError::new("preheader", "Use at most 300 characters."));
    }
    if draft.description.chars().count() > 1000 {
        problems.push(FieldError::new(
            "description",
            "Use at most 1000 characters.",
        ));
    }
    if draft.category.chars().count() > 60 {
        problems.push(FieldError::new("category", "Use at most 60 characters."));
    }
    if draft.source.trim().is_empty() {
        problems.push(FieldError::new(
            "source",
            "The template has no content yet.",
        ));
    } else if draft.source.len() > MAX_SOURCE_BYTES {
        problems.push(FieldError::new(
            "source",
            format!(
                "The template is larger than {} KB.",
                MAX_SOURCE_BYTES / 1024
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    Ok(TemplateDraft {
        name,
        description: draft.description.trim().to_owned(),
        category: draft.category.trim().to_owned(),
        subject: draft.subject.trim().to_owned(),
        preheader: draft.preheader.trim().to_owned(),
        format: draft.format,
        source: draft.source.clone(),
    })
}

fn variables_json(draft: &TemplateDraft) -> String {
    let content = TemplateContent {
        format: draft.format,
        source: draft.source.clone(),
        subject: draft.subject.clone(),
        preheader: draft.preheader.clone(),
    };
    serde_json::to_string(&render::variables(&content)).expect("strings serialise")
}

/// Saves a new template of the team's own.
pub fn create(ws: &Workspace, draft: &TemplateDraft) -> Result<Template> {
    let conn = ws.conn();
    gallery::sync(conn)?;
    let d = validate(conn, draft, None)?;
    let now = now_rfc3339();
    conn.execute(
        "INSERT INTO templates (kind, name, description, category, subject, preheader, format, source, variables, created_at, updated_at)
         VALUES ('user_created', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![d.name, d.description, d.category, d.subject, d.preheader, d.format.as_str(), d.source, variables_json(&d), now],
    )?;
    get_synced(conn, conn.last_insert_rowid())
}

/// Saves changes to a template of the team's own; gallery templates are refused.
pub fn update(ws: &Workspace, id: i64, draft: &TemplateDraft) -> Result<Template> {
    let conn = ws.conn();
    let current = get(ws, id)?;
    if current.kind == TemplateKind::AdminProvided {
        return Err(Error::TemplateReadOnly(current.name));
    }
    let d = validate(conn, draft, Some(id))?;
    conn.execute(
        "UPDATE templates SET name = ?1, description = ?2, category = ?3, subject = ?4, preheader = ?5,
                format = ?6, source = ?7, variables = ?8, updated_at = ?9 WHERE id = ?10",
        params![d.name, d.description, d.category, d.subject, d.preheader, d.format.as_str(), d.source, variables_json(&d), now_rfc3339(), id],
    )?;
    get_synced(conn, id)
}

/// Deletes a template of the team's own.
pub fn delete(ws: &Workspace, id: i64) -> Result<()> {
    let current = get(ws, id)?;
    if current.kind == TemplateKind::AdminProvided {
        return Err(Error::TemplateReadOnly(current.name));
    }
    ws.conn()
        .execute("DELETE FROM templates WHERE id = ?1", [id])?;
    Ok(())
}

/// Copies any template into a new one of the team's own, named `name` or
/// “<name> (copy)”, “<name> (copy 2)”…
pub fn duplicate(ws: &Workspace, id: i64, name: Option<&str>) -> Result<Template> {
    let original = get(ws, id)?;
    let mut draft = TemplateDraft::from(&original);
    draft.name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => name.to_owned(),
        None => free_copy_name(ws.conn(), &original.name)?,
    };
    create(ws, &draft)
}

fn free_copy_name(conn: &Connection, base: &str) -> Result<String> {
    for n in 1.. {
        let candidate = if n == 1 {
            format!("{base} (copy)")
        } else {
            format!("{base} (copy {n})")
        };
        let taken: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM templates WHERE name = ?1)",
            [&candidate],
            |r| r.get(0),
        )?;
        if !taken {
            return Ok(candidate);
        }
    }
    unreachable!("some copy name is free")
}

/// The shared part of the context for previews: the workspace's sender details, no campaign.
pub fn preview_context(ws: &Workspace) -> Result<(SharedContext, bool)> {
    let s = settings::load(ws.conn())?;
    Ok((
        SharedContext {
            workspace: RenderWorkspace::from(&s),
            campaign: None,
        },
        s.publishing_configured(),
    ))
}

/// Renders unsaved content for the editor. Template problems come back inside the
/// [`Preview`]; only workspace problems (database, files) are errors.
pub fn preview(ws: &Workspace, request: &PreviewRequest) -> Result<Preview> {
    let (shared, publishing) = preview_context(ws)?;
    let urls = assets::preview_urls(ws, &request.content.source)?;
    let recipient = Recipient::preview(
        request
            .contact
            .clone()
            .unwrap_or_else(RenderContact::sample),
    );
    Ok(render::preview(
        &request.content,
        &shared,
        &recipient,
        &urls,
        publishing,
    ))
}

/// Renders a stored template for one contact (the sample contact when `None`). Asset
/// references are left as they are.
pub fn render(ws: &Workspace, id: i64, contact: Option<RenderContact>) -> Result<RenderedMessage> {
    let template = get(ws, id)?;
    let (shared, _) = preview_context(ws)?;
    let recipient = Recipient::preview(contact.unwrap_or_else(RenderContact::sample));
    Ok(render::render_once(
        &template.content(),
        &shared,
        &recipient,
        &Default::default(),
    )?)
}

#[cfg(test)]
mod tests;
