//! The data a template sees: the recipient (`contact` and the flat aliases), the campaign,
//! the workspace's sender and postal address, and the per-recipient links.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::settings::Settings;

/// One recipient as a template sees it. The caller (contacts, campaigns) builds it; a
/// blank name counts as missing, so `default(value=...)` applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RenderContact {
    pub email: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    /// subscribed, unsubscribed, bounced, complained or blocked.
    #[serde(default = "subscribed")]
    pub status: String,
    /// Custom field key → value. Available as `contact.<key>` and `contact.fields.<key>`.
    #[serde(default)]
    #[ts(type = "Record<string, unknown>")]
    pub fields: BTreeMap<String, Value>,
}

/// The contact previews use when none is chosen (the same as [`RenderContact::sample`]).
pub fn sample_contact() -> RenderContact {
    RenderContact::sample()
}

fn subscribed() -> String {
    "subscribed".to_owned()
}

impl RenderContact {
    /// The contact previews use when no real one is chosen.
    pub fn sample() -> Self {
        Self {
            email: "alex.morgan@example.com".into(),
            first_name: Some("Alex".into()),
            last_name: Some("Morgan".into()),
            status: "subscribed".into(),
            fields: BTreeMap::from([
                ("company".into(), Value::from("Northwind Traders")),
                ("city".into(), Value::from("Lisbon")),
            ]),
        }
    }

    /// The `contact` object: standard fields, then custom fields flattened where their key
    /// does not shadow a standard one, and all of them again under `fields`.
    pub(crate) fn to_value(&self) -> Value {
        let mut map = Map::new();
        for (key, value) in &self.fields {
            map.insert(key.clone(), blank_to_null(value.clone()));
        }
        map.insert("email".into(), Value::from(self.email.clone()));
        map.insert("first_name".into(), optional(&self.first_name));
        map.insert("last_name".into(), optional(&self.last_name));
        map.insert("status".into(), Value::from(self.status.clone()));
        let fields = self
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), blank_to_null(v.clone())))
            .collect();
        map.insert("fields".into(), Value::Object(fields));
        Value::Object(map)
    }
}

/// The campaign a message belongs to; absent in template previews.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RenderCampaign {
    pub name: String,
    pub subject: String,
}

/// The workspace's sender details, from its settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RenderWorkspace {
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub reply_to: Option<String>,
    pub postal_address: Option<String>,
}

impl From<&Settings> for RenderWorkspace {
    fn from(s: &Settings) -> Self {
        Self {
            from_name: s.from_name.clone(),
            from_address: s.from_address.clone(),
            reply_to: s.reply_to.clone(),
            postal_address: s.postal_address.clone(),
        }
    }
}

impl RenderWorkspace {
    fn to_value(&self) -> Value {
        serde_json::json!({
            "from_name": optional(&self.from_name),
            "from_address": optional(&self.from_address),
            "reply_to": optional(&self.reply_to),
            "postal_address": optional(&self.postal_address),
        })
    }
}

/// What is the same for every message of one campaign (or one preview).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SharedContext {
    pub workspace: RenderWorkspace,
    pub campaign: Option<RenderCampaign>,
}

/// One message's recipient and its personal links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Recipient {
    pub contact: RenderContact,
    pub unsubscribe_url: String,
    pub view_in_browser_url: String,
}

impl Recipient {
    /// A recipient for previews and test sends: links that go nowhere harmful.
    pub fn preview(contact: RenderContact) -> Self {
        Self {
            contact,
            unsubscribe_url: "https://example.com/unsubscribe?preview=1".into(),
            view_in_browser_url: "https://example.com/view?preview=1".into(),
        }
    }
}

impl SharedContext {
    /// The part of the Tera context built once per campaign.
    pub(crate) fn base(&self) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("workspace", &self.workspace.to_value());
        match &self.campaign {
            Some(c) => ctx.insert("campaign", c),
            None => ctx.insert("campaign", &Value::Null),
        }
        ctx
    }
}

/// The full context for one recipient: `contact`, the flat aliases `first_name`,
/// `last_name`, `email`, `unsubscribe_url`, `view_in_browser_url`, plus the shared part.
pub(crate) fn recipient_context(base: &tera::Context, recipient: &Recipient) -> tera::Context {
    let mut ctx = base.clone();
    let contact = &recipient.contact;
    ctx.insert("contact", &contact.to_value());
    ctx.insert("first_name", &optional(&contact.first_name));
    ctx.insert("last_name", &optional(&contact.last_name));
    ctx.insert("email", &contact.email);
    ctx.insert("unsubscribe_url", &recipient.unsubscribe_url);
    ctx.insert("view_in_browser_url", &recipient.view_in_browser_url);
    ctx
}

fn optional(value: &Option<String>) -> Value {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Value::from(v),
        _ => Value::Null,
    }
}

fn blank_to_null(value: Value) -> Value {
    match value {
        Value::String(s) if s.trim().is_empty() => Value::Null,
        other => other,
    }
}
