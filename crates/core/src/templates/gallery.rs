//! The prebuilt templates that ship with Herald (sources in `crates/core/gallery/`), and
//! mirroring them into a workspace's `templates` table as `admin_provided` rows.

use rusqlite::{params, Connection};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::Result;
use crate::render::TemplateFormat;
use crate::time::now_rfc3339;

/// One shipped template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct GalleryTemplate {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub category: &'static str,
    pub subject: &'static str,
    pub preheader: &'static str,
    #[serde(skip)]
    #[ts(skip)]
    pub source: &'static str,
}

macro_rules! entry {
    ($key:literal, $name:literal, $category:literal, $description:literal, $subject:literal, $preheader:literal) => {
        GalleryTemplate {
            key: $key,
            name: $name,
            description: $description,
            category: $category,
            subject: $subject,
            preheader: $preheader,
            source: include_str!(concat!("../../gallery/", $key, ".mjml")),
        }
    };
}

/// Every shipped template, in the order the gallery shows them.
pub static GALLERY: &[GalleryTemplate] = &[
    entry!(
        "newsletter",
        "Newsletter",
        "Newsletter",
        "A monthly roundup: a lead story with image, two shorter pieces side by side and a list of quick links.",
        "{{ workspace.from_name | default(value=\"Our\") }} monthly: what's new this month",
        "The stories we think you'll like, plus a few quick links."
    ),
    entry!(
        "announcement",
        "Announcement",
        "Announcement",
        "One important piece of news, told plainly, with a single call to action.",
        "An update from {{ workspace.from_name | default(value=\"us\") }}",
        "Something we wanted you to hear from us first."
    ),
    entry!(
        "product-launch",
        "Product launch",
        "Product",
        "A hero image, three feature highlights and a bold call to action for a new product.",
        "Meet the newest thing we've made",
        "Three reasons we think you'll love it."
    ),
    entry!(
        "event-invitation",
        "Event invitation",
        "Event",
        "Date, time and place at a glance, an agenda, and an RSVP button.",
        "You're invited, {{ contact.first_name | default(value=\"friend\") }}",
        "Save the date: we'd love to see you there."
    ),
    entry!(
        "sale",
        "Sale / promotion",
        "Promotion",
        "A time-limited offer with a big discount, a coupon code and featured products.",
        "{{ contact.first_name | default(value=\"Hi\") }}, 25% off ends Sunday",
        "Use code THANKYOU25 at checkout. Ends Sunday at midnight."
    ),
    entry!(
        "welcome",
        "Welcome",
        "Onboarding",
        "A warm first email to new subscribers: what to expect and three good places to start.",
        "Welcome aboard, {{ contact.first_name | default(value=\"friend\") }}",
        "Here's what to expect from us, and where to start."
    ),
    entry!(
        "re-engagement",
        "We miss you",
        "Re-engagement",
        "Win back quiet subscribers: a friendly check-in with a choice to stay or leave.",
        "Still want to hear from us?",
        "One click keeps you on the list. No hard feelings otherwise."
    ),
    entry!(
        "personal-letter",
        "Personal letter",
        "Letter",
        "A plain, personal note from a real person: no banners, just words, like a letter.",
        "A quick note from {{ workspace.from_name | default(value=\"us\") }}",
        "Just a few lines from me to you."
    ),
];

impl GalleryTemplate {
    pub fn format(&self) -> TemplateFormat {
        TemplateFormat::Mjml
    }

    /// Changes whenever anything shipped about this template changes.
    fn revision(&self) -> String {
        let mut hash = Sha256::new();
        for part in [
            self.name,
            self.description,
            self.category,
            self.subject,
            self.preheader,
            self.source,
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        hash.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Brings the workspace's gallery rows up to date with this build; cheap when nothing
/// changed (one small query).
pub fn sync(conn: &Connection) -> Result<()> {
    let mut stored = std::collections::HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT gallery_key, gallery_revision FROM templates WHERE kind = 'admin_provided'",
        )?;
        for row in stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })? {
            let (key, revision) = row?;
            stored.insert(key, revision);
        }
    }
    let stale: Vec<&GalleryTemplate> = GALLERY
        .iter()
        .filter(|g| stored.get(g.key).cloned().flatten().as_deref() != Some(g.revision().as_str()))
        .collect();
    if stale.is_empty() {
        return Ok(());
    }
    let tx = conn.unchecked_transaction()?;
    let now = now_rfc3339();
    for g in stale {
        let content = crate::render::TemplateContent {
            format: g.format(),
            source: g.source.to_owned(),
            subject: g.subject.to_owned(),
            preheader: g.preheader.to_owned(),
        };
        let variables =
            serde_json::to_string(&crate::render::variables(&content)).expect("strings serialise");
        let name = free_gallery_name(&tx, g)?;
        tx.execute(
            "INSERT INTO templates (kind, gallery_key, gallery_revision, name, description, category, subject,
                                    preheader, format, source, variables, created_at, updated_at)
             VALUES ('admin_provided', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
             ON CONFLICT (gallery_key) DO UPDATE SET
                gallery_revision = excluded.gallery_revision, name = excluded.name,
                description = excluded.description, category = excluded.category,
                subject = excluded.subject, preheader = excluded.preheader, format = excluded.format,
                source = excluded.source, variables = excluded.variables, updated_at = excluded.updated_at",
            params![
                g.key,
                g.revision(),
                name,
                g.description,
                g.category,
                g.subject,
                g.preheader,
                g.format().as_str(),
                g.source,
                variables,
                now
            ],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The gallery name, unless one of the team's own templates already has it.
fn free_gallery_name(conn: &Connection, g: &GalleryTemplate) -> Result<String> {
    let taken: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM templates WHERE name = ?1 AND (gallery_key IS NULL OR gallery_key <> ?2))",
        params![g.name, g.key],
        |r| r.get(0),
    )?;
    Ok(if taken {
        format!("{} (gallery)", g.name)
    } else {
        g.name.to_owned()
    })
}
