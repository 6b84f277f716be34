//! A stored contact as templates see it: [`render_contact`] turns a contact of the
//! workspace (with its custom values) into the [`RenderContact`] that previews, test sends
//! and, later, campaigns render with.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde_json::Value;

use crate::contacts::{self, Contact};
use crate::error::{Error, FieldError, Result};
use crate::fields::{self, CustomField, FieldType, FieldValue};
use crate::render::RenderContact;

/// The contact with this id, ready to render. Every custom field of the workspace is
/// present: `null` where the contact has no value, so `default(value=…)` applies.
pub fn render_contact(conn: &Connection, contact_id: i64) -> Result<RenderContact> {
    let contact = contacts::get(conn, contact_id)?;
    Ok(to_render_contact(&contact, &fields::list(conn)?))
}

/// The contact with this address (any case), ready to render; a validation error on
/// `contact` when no contact has it.
pub fn render_contact_by_email(conn: &Connection, email: &str) -> Result<RenderContact> {
    match contacts::find_by_email(conn, email)? {
        Some(contact) => Ok(to_render_contact(&contact, &fields::list(conn)?)),
        None => Err(Error::Validation(vec![FieldError::new(
            "contact",
            format!(
                "No contact has the address {}. Add the contact first, or preview with the sample contact.",
                email.trim()
            ),
        )])),
    }
}

/// `contact` as a template sees it, with `fields` the workspace's custom fields.
pub fn to_render_contact(contact: &Contact, fields: &[CustomField]) -> RenderContact {
    let values: BTreeMap<String, Value> = fields
        .iter()
        .map(|field| {
            let value = contact
                .values
                .get(&field.key)
                .map_or(Value::Null, |v| json_value(v, field.field_type));
            (field.key.clone(), value)
        })
        .collect();
    RenderContact {
        email: contact.email.clone(),
        first_name: non_blank(&contact.first_name),
        last_name: non_blank(&contact.last_name),
        status: contact.status.as_str().to_owned(),
        fields: values,
    }
}

/// Numbers as numbers (whole ones without `.0`, so `{{ contact.points }}` prints `12`),
/// booleans as booleans, dates as their ISO `YYYY-MM-DD` text.
fn json_value(value: &FieldValue, field_type: FieldType) -> Value {
    match (value, field_type) {
        (FieldValue::Boolean(b), _) => Value::Bool(*b),
        (FieldValue::Number(n), FieldType::Boolean) => Value::Bool(*n != 0.0),
        (FieldValue::Number(n), _) => {
            if n.fract() == 0.0 && n.abs() < 9.0e15 {
                Value::from(*n as i64)
            } else {
                serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number)
            }
        }
        (FieldValue::Text(t), _) => Value::from(t.clone()),
    }
}

fn non_blank(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}
