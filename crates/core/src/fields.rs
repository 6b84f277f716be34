//! Custom fields: per-workspace definitions (key, label, type, options, required, position)
//! and the typed values contacts hold for them.
//!
//! API: [`list`], [`get`], [`find_by_key`], [`create`], [`update`] (label, options, required),
//! [`reorder`], [`preview_change`] / [`change_type`] (what happens to existing values, then do
//! it), [`preview_delete`] / [`delete`]. [`parse_value`] turns text (a form, a CSV cell) into a
//! [`FieldValue`] of the field's type; the same rules serve forms, import and segments.

use std::collections::BTreeMap;

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, Row, ToSql};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
use crate::time::now_timestamp;

/// The type of a custom field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum FieldType {
    Text,
    Number,
    /// A calendar date, stored as `YYYY-MM-DD`.
    Date,
    Boolean,
    /// One of the field's `options`.
    Choice,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Number => "number",
            FieldType::Date => "date",
            FieldType::Boolean => "boolean",
            FieldType::Choice => "choice",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "text" => FieldType::Text,
            "number" => FieldType::Number,
            "date" => FieldType::Date,
            "boolean" => FieldType::Boolean,
            "choice" => FieldType::Choice,
            _ => return None,
        })
    }

    /// Whether values of this type are part of full-text search.
    pub fn is_searchable(self) -> bool {
        matches!(self, FieldType::Text | FieldType::Choice)
    }
}

/// A custom field as defined in the workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomField {
    #[ts(type = "number")]
    pub id: i64,
    /// Stable name used by imports, segments and templates (`{{ contact.company }}`).
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// The allowed values of a `choice` field, in display order; empty otherwise.
    pub options: Vec<String>,
    pub required: bool,
    pub position: i32,
}

/// What the create form sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldInput {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub required: bool,
}

/// The changes that keep the type: label, options (choice), required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub options: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub required: Option<bool>,
}

/// A change of type (and, for `choice`, its options).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldTypeChange {
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub options: Vec<String>,
}

/// What a type change or a removal does to the values contacts already have.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldChangePreview {
    /// Contacts with a value for this field.
    #[ts(type = "number")]
    pub values: i64,
    /// Values that are kept (converted to the new type where needed).
    #[ts(type = "number")]
    pub converted: i64,
    /// Values that would be removed because they do not fit the new type.
    #[ts(type = "number")]
    pub lost: i64,
    /// Up to five of the values that would be removed, as text.
    pub lost_examples: Vec<String>,
}

/// A custom value as it crosses to the UI: a boolean, a number, or text (dates are
/// `YYYY-MM-DD` text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum FieldValue {
    Boolean(bool),
    Number(f64),
    Text(String),
}

impl FieldValue {
    /// The value as a person reads it (and as it is exported to CSV).
    pub fn to_text(&self) -> String {
        match self {
            FieldValue::Boolean(b) => if *b { "true" } else { "false" }.to_owned(),
            FieldValue::Number(n) => format_number(*n),
            FieldValue::Text(t) => t.clone(),
        }
    }

    pub(crate) fn from_sql(value: ValueRef<'_>) -> Option<Self> {
        match value {
            ValueRef::Integer(i) => Some(FieldValue::Number(i as f64)),
            ValueRef::Real(r) => Some(FieldValue::Number(r)),
            ValueRef::Text(t) => Some(FieldValue::Text(String::from_utf8_lossy(t).into_owned())),
            ValueRef::Null | ValueRef::Blob(_) => None,
        }
    }

    /// Reads a stored value knowing its field's type (booleans are stored as 0/1).
    pub(crate) fn from_stored(value: ValueRef<'_>, field_type: FieldType) -> Option<Self> {
        match (field_type, value) {
            (FieldType::Boolean, ValueRef::Integer(i)) => Some(FieldValue::Boolean(i != 0)),
            _ => Self::from_sql(value),
        }
    }
}

impl ToSql for FieldValue {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            FieldValue::Boolean(b) => ToSqlOutput::Owned(Value::Integer(i64::from(*b))),
            FieldValue::Number(n) => ToSqlOutput::Owned(Value::Real(*n)),
            FieldValue::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
        })
    }
}

impl From<FieldValue> for Value {
    fn from(v: FieldValue) -> Self {
        match v {
            FieldValue::Boolean(b) => Value::Integer(i64::from(b)),
            FieldValue::Number(n) => Value::Real(n),
            FieldValue::Text(t) => Value::Text(t),
        }
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Names a custom field may not take because the standard fields use them.
pub const RESERVED_KEYS: [&str; 11] = [
    "id",
    "email",
    "first_name",
    "last_name",
    "name",
    "status",
    "source",
    "created_at",
    "updated_at",
    "tags",
    "import_id",
];

const MAX_KEY_CHARS: usize = 40;
const MAX_LABEL_CHARS: usize = 80;
const MAX_OPTIONS: usize = 200;
const MAX_TEXT_CHARS: usize = 10_000;

const COLUMNS: &str = "id, key, label, type, options, required, position";

fn from_row(row: &Row<'_>) -> rusqlite::Result<CustomField> {
    let type_text: String = row.get(3)?;
    let options: String = row.get(4)?;
    Ok(CustomField {
        id: row.get(0)?,
        key: row.get(1)?,
        label: row.get(2)?,
        field_type: FieldType::parse(&type_text).unwrap_or(FieldType::Text),
        options: serde_json::from_str(&options).unwrap_or_default(),
        required: row.get(5)?,
        position: row.get(6)?,
    })
}

/// Every custom field, in display order.
pub fn list(conn: &Connection) -> Result<Vec<CustomField>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM custom_fields ORDER BY position, id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every custom field by key (keys compare case-insensitively; the map holds them as stored).
pub fn by_key(conn: &Connection) -> Result<BTreeMap<String, CustomField>> {
    Ok(list(conn)?
        .into_iter()
        .map(|f| (f.key.to_lowercase(), f))
        .collect())
}

pub fn get(conn: &Connection, id: i64) -> Result<CustomField> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM custom_fields WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or(Error::NotFound {
        what: "custom field",
        id,
    })
}

pub fn find_by_key(conn: &Connection, key: &str) -> Result<Option<CustomField>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM custom_fields WHERE key = ?1 COLLATE NOCASE"),
            [key.trim()],
            from_row,
        )
        .optional()?)
}

/// Checks a key: lower-case letters, digits and `_`, starting with a letter.
pub fn check_key(key: &str) -> std::result::Result<(), String> {
    if key.is_empty() {
        return Err("Enter a key, like company or plan_level.".into());
    }
    if key.chars().count() > MAX_KEY_CHARS {
        return Err(format!("Use at most {MAX_KEY_CHARS} characters."));
    }
    let mut chars = key.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    if !first_ok
        || !key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(
            "Use lower-case letters, digits and _ only, starting with a letter (like plan_level)."
                .into(),
        );
    }
    if RESERVED_KEYS.contains(&key) {
        return Err(format!(
            "“{key}” is a standard contact field; choose another key."
        ));
    }
    Ok(())
}

/// Turns a label like "Plan level" into a key like `plan_level`.
pub fn key_from_label(label: &str) -> String {
    let mut key = String::new();
    for c in label.trim().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    let mut key = key.trim_end_matches('_').to_owned();
    if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
        key.insert_str(0, "field_");
    }
    if RESERVED_KEYS.contains(&key.as_str()) {
        key.push_str("_2");
    }
    key.chars().take(MAX_KEY_CHARS).collect()
}

fn normalise_options(options: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for o in options {
        let o = o.trim();
        if !o.is_empty() && !out.iter().any(|x| x.eq_ignore_ascii_case(o)) {
            out.push(o.to_owned());
        }
    }
    out
}

fn check_label_and_options(
    label: &str,
    field_type: FieldType,
    options: &[String],
    problems: &mut Vec<FieldError>,
) {
    if label.is_empty() {
        problems.push(FieldError::new("label", "Enter a label."));
    } else if label.chars().count() > MAX_LABEL_CHARS {
        problems.push(FieldError::new(
            "label",
            format!("Use at most {MAX_LABEL_CHARS} characters."),
        ));
    }
    if field_type == FieldType::Choice && options.is_empty() {
        problems.push(FieldError::new(
            "options",
            "A choice field needs at least one option.",
        ));
    }
    if options.len() > MAX_OPTIONS {
        problems.push(FieldError::new(
            "options",
            format!("Use at most {MAX_OPTIONS} options."),
        ));
    }
}

/// Creates a field at the end of the list.
pub fn create(conn: &Connection, input: FieldInput) -> Result<CustomField> {
    let key = input.key.trim().to_owned();
    let label = input.label.trim().to_owned();
    let options = if input.field_type == FieldType::Choice {
        normalise_options(&input.options)
    } else {
        Vec::new()
    };
    let mut problems = Vec::new();
    if let Err(m) = check_key(&key) {
        problems.push(FieldError::new("key", m));
    } else if find_by_key(conn, &key)?.is_some() {
        problems.push(FieldError::new(
            "key",
            format!("A field with the key “{key}” already exists."),
        ));
    }
    check_label_and_options(&label, input.field_type, &options, &mut problems);
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    let now = now_timestamp();
    conn.execute(
        "INSERT INTO custom_fields (key, label, type, options, required, position, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce(max(position), 0) + 1 FROM custom_fields), ?6, ?6)",
        params![
            key,
            label,
            input.field_type.as_str(),
            serde_json::to_string(&options).unwrap_or_else(|_| "[]".into()),
            input.required,
            now
        ],
    )?;
    get(conn, conn.last_insert_rowid())
}

/// Changes the label, the options of a choice field, or whether it is required. Removing an
/// option that contacts hold is refused: change the type instead, which previews the loss.
pub fn update(conn: &Connection, id: i64, update: FieldUpdate) -> Result<CustomField> {
    let field = get(conn, id)?;
    let label = update
        .label
        .as_deref()
        .map(str::trim)
        .unwrap_or(&field.label)
        .to_owned();
    let options = match (&update.options, field.field_type) {
        (Some(o), FieldType::Choice) => normalise_options(o),
        _ => field.options.clone(),
    };
    let mut problems = Vec::new();
    check_label_and_options(&label, field.field_type, &options, &mut problems);
    if field.field_type == FieldType::Choice && update.options.is_some() {
        let in_use = distinct_text_values(conn, id)?;
        let dropped: Vec<&String> = in_use
            .iter()
            .filter(|v| !options.iter().any(|o| o == *v))
            .collect();
        if !dropped.is_empty() {
            problems.push(FieldError::new(
                "options",
                format!(
                    "Contacts still hold {}; keep those options or change their values first.",
                    dropped
                        .iter()
                        .take(5)
                        .map(|v| format!("“{v}”"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    conn.execute(
        "UPDATE custom_fields SET label = ?2, options = ?3, required = ?4, updated_at = ?5 WHERE id = ?1",
        params![
            id,
            label,
            serde_json::to_string(&options).unwrap_or_else(|_| "[]".into()),
            update.required.unwrap_or(field.required),
            now_timestamp()
        ],
    )?;
    get(conn, id)
}

fn distinct_text_values(conn: &Connection, id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT value FROM contact_values WHERE field_id = ?1 AND typeof(value) = 'text'",
    )?;
    let rows = stmt.query_map([id], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Puts the fields in the order of `ids` (fields not named keep their relative order after).
pub fn reorder(conn: &mut Connection, ids: &[i64]) -> Result<Vec<CustomField>> {
    let tx = conn.transaction()?;
    let mut all: Vec<i64> = list(&tx)?.into_iter().map(|f| f.id).collect();
    for id in ids {
        if !all.contains(id) {
            return Err(Error::NotFound {
                what: "custom field",
                id: *id,
            });
        }
    }
    all.retain(|id| !ids.contains(id));
    for (pos, id) in ids.iter().chain(all.iter()).enumerate() {
        tx.execute(
            "UPDATE custom_fields SET position = ?2 WHERE id = ?1",
            params![id, pos as i64 + 1],
        )?;
    }
    tx.commit()?;
    list(conn)
}

/// What changing the field to `change` would do to the values contacts hold.
pub fn preview_change(
    conn: &Connection,
    id: i64,
    change: &FieldTypeChange,
) -> Result<FieldChangePreview> {
    let field = get(conn, id)?;
    let target = CustomField {
        field_type: change.field_type,
        options: normalise_options(&change.options),
        ..field.clone()
    };
    let mut preview = FieldChangePreview::default();
    let mut stmt = conn.prepare("SELECT value FROM contact_values WHERE field_id = ?1")?;
    let mut rows = stmt.query([id])?;
    while let Some(row) = rows.next()? {
        preview.values += 1;
        let Some(old) = FieldValue::from_stored(row.get_ref(0)?, field.field_type) else {
            continue;
        };
        match parse_value(&target, &old.to_text()) {
            Ok(Some(_)) => preview.converted += 1,
            _ => {
                preview.lost += 1;
                if preview.lost_examples.len() < 5 {
                    preview
                        .lost_examples
                        .push(old.to_text().chars().take(80).collect());
                }
            }
        }
    }
    Ok(preview)
}

/// Changes the field's type: values that convert are converted, the others removed (as
/// [`preview_change`] said). All or nothing.
pub fn change_type(
    conn: &mut Connection,
    id: i64,
    change: FieldTypeChange,
) -> Result<FieldChangePreview> {
    let field = get(conn, id)?;
    let options = if change.field_type == FieldType::Choice {
        normalise_options(&change.options)
    } else {
        Vec::new()
    };
    let mut problems = Vec::new();
    check_label_and_options(&field.label, change.field_type, &options, &mut problems);
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    let target = CustomField {
        field_type: change.field_type,
        options: options.clone(),
        ..field.clone()
    };
    let tx = conn.transaction()?;
    let preview = preview_change(&tx, id, &change)?;
    let old_values: Vec<(i64, Option<FieldValue>)> = {
        let mut stmt =
            tx.prepare("SELECT contact_id, value FROM contact_values WHERE field_id = ?1")?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get(0)?,
                FieldValue::from_stored(r.get_ref(1)?, field.field_type),
            ))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    // Delete first so the search index forgets the old text, then write the new type and
    // the converted values (whose triggers index them again if they are text).
    tx.execute("DELETE FROM contact_values WHERE field_id = ?1", [id])?;
    tx.execute(
        "UPDATE custom_fields SET type = ?2, options = ?3, updated_at = ?4 WHERE id = ?1",
        params![
            id,
            change.field_type.as_str(),
            serde_json::to_string(&options).unwrap_or_else(|_| "[]".into()),
            now_timestamp()
        ],
    )?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO contact_values (contact_id, field_id, value) VALUES (?1, ?2, ?3)",
        )?;
        for (contact_id, old) in old_values {
            let Some(old) = old else { continue };
            if let Ok(Some(new)) = parse_value(&target, &old.to_text()) {
                insert.execute(params![contact_id, id, new])?;
            }
        }
    }
    tx.commit()?;
    Ok(preview)
}

/// What removing the field would do: every value is lost.
pub fn preview_delete(conn: &Connection, id: i64) -> Result<FieldChangePreview> {
    get(conn, id)?;
    let values: i64 = conn.query_row(
        "SELECT count(*) FROM contact_values WHERE field_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    Ok(FieldChangePreview {
        values,
        converted: 0,
        lost: values,
        lost_examples: Vec::new(),
    })
}

/// Removes the field and every value of it; returns how many values went.
pub fn delete(conn: &mut Connection, id: i64) -> Result<i64> {
    get(conn, id)?;
    let tx = conn.transaction()?;
    // Values first, while the field still exists, so the search index is updated.
    let removed = tx.execute("DELETE FROM contact_values WHERE field_id = ?1", [id])?;
    tx.execute("DELETE FROM custom_fields WHERE id = ?1", [id])?;
    tx.commit()?;
    Ok(removed as i64)
}

/// Parses text from a form or a CSV cell into a value of `field`'s type. Blank text is
/// `Ok(None)` (no value); text that does not fit is `Err` with a message a person understands.
pub fn parse_value(
    field: &CustomField,
    text: &str,
) -> std::result::Result<Option<FieldValue>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match field.field_type {
        FieldType::Text => {
            if t.chars().count() > MAX_TEXT_CHARS {
                Err(format!(
                    "{} is longer than {MAX_TEXT_CHARS} characters.",
                    field.label
                ))
            } else {
                Ok(Some(FieldValue::Text(t.to_owned())))
            }
        }
        FieldType::Number => parse_number(t)
            .map(|n| Some(FieldValue::Number(n)))
            .ok_or_else(|| format!("{}: “{}” is not a number.", field.label, short(t))),
        FieldType::Date => parse_date(t)
            .map(|d| Some(FieldValue::Text(d)))
            .map_err(|m| format!("{}: {m}", field.label)),
        FieldType::Boolean => parse_bool(t)
            .map(|b| Some(FieldValue::Boolean(b)))
            .ok_or_else(|| {
                format!(
                    "{}: “{}” is not yes or no (use true/false, yes/no or 1/0).",
                    field.label,
                    short(t)
                )
            }),
        FieldType::Choice => field
            .options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(t) || o.to_lowercase() == t.to_lowercase())
            .map(|o| Some(FieldValue::Text(o.clone())))
            .ok_or_else(|| {
                format!(
                    "{}: “{}” is not one of the options ({}).",
                    field.label,
                    short(t),
                    field.options.join(", ")
                )
            }),
    }
}

/// Checks a value that arrived already typed (from the UI's JSON).
pub fn check_value(
    field: &CustomField,
    value: &FieldValue,
) -> std::result::Result<Option<FieldValue>, String> {
    match (field.field_type, value) {
        (FieldType::Number, FieldValue::Number(n)) if n.is_finite() => Ok(Some(value.clone())),
        (FieldType::Boolean, FieldValue::Boolean(_)) => Ok(Some(value.clone())),
        (FieldType::Number, FieldValue::Number(_)) => {
            Err(format!("{} must be a finite number.", field.label))
        }
        (_, FieldValue::Boolean(_)) | (_, FieldValue::Number(_)) => {
            parse_value(field, &value.to_text())
        }
        (_, FieldValue::Text(t)) => parse_value(field, t),
    }
}

fn short(t: &str) -> String {
    let s: String = t.chars().take(40).collect();
    if s.len() < t.len() {
        format!("{s}…")
    } else {
        s
    }
}

/// Numbers as people type them: `1234.5`, `1 234,5`, `1,234.50`, `-3`, `1.234,5`.
pub fn parse_number(t: &str) -> Option<f64> {
    let cleaned: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    let last_dot = cleaned.rfind('.');
    let last_comma = cleaned.rfind(',');
    let normalised = match (last_dot, last_comma) {
        (Some(d), Some(c)) if c > d => cleaned.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => cleaned.replace(',', ""),
        (None, Some(c)) => {
            let after = cleaned.len() - c - 1;
            if cleaned.matches(',').count() == 1 && after != 3 {
                cleaned.replace(',', ".")
            } else {
                cleaned.replace(',', "")
            }
        }
        _ => cleaned,
    };
    if !normalised
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        return None;
    }
    normalised.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn parse_bool(t: &str) -> Option<bool> {
    match t.to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "on" | "x" | "✓" | "ja" | "oui" | "si" | "sí" => Some(true),
        "false" | "no" | "n" | "0" | "off" | "nein" | "non" => Some(false),
        _ => None,
    }
}

/// Dates as `YYYY-MM-DD`, also from `YYYY/MM/DD`, `DD.MM.YYYY`, an RFC 3339 date-time, and
/// `DD/MM/YYYY` or `MM/DD/YYYY` when the day makes the order unambiguous.
pub fn parse_date(t: &str) -> std::result::Result<String, String> {
    let bad = || format!("“{}” is not a date; write it as YYYY-MM-DD.", short(t));
    let head = t.split(['T', ' ']).next().unwrap_or(t);
    let parts: Vec<&str> = head.split(['-', '/', '.']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(bad());
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
    let (y, m, d) = if parts[0].len() == 4 {
        (n[0], n[1], n[2])
    } else if parts[2].len() == 4 {
        if head.contains('.') || n[0] > 12 {
            (n[2], n[1], n[0])
        } else if n[1] > 12 {
            (n[2], n[0], n[1])
        } else if n[0] == n[1] {
            (n[2], n[1], n[0])
        } else {
            return Err(format!(
                "“{}” could be day/month or month/day; write it as YYYY-MM-DD.",
                short(t)
            ));
        }
    } else {
        return Err(bad());
    };
    let month = time::Month::try_from(u8::try_from(m).map_err(|_| bad())?).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(
        i32::try_from(y).map_err(|_| bad())?,
        month,
        u8::try_from(d).map_err(|_| bad())?,
    )
    .map_err(|_| bad())?;
    Ok(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{open, OpenMode};

    fn field(t: FieldType, options: &[&str]) -> CustomField {
        CustomField {
            id: 1,
            key: "k".into(),
            label: "K".into(),
            field_type: t,
            options: options.iter().map(|s| s.to_string()).collect(),
            required: false,
            position: 1,
        }
    }

    #[test]
    fn values_parse_by_type() {
        let n = field(FieldType::Number, &[]);
        for (t, v) in [
            ("12", 12.0),
            ("1,234.5", 1234.5),
            ("1.234,5", 1234.5),
            ("3,5", 3.5),
            ("-2e3", -2000.0),
            ("1 000", 1000.0),
        ] {
            assert_eq!(
                parse_value(&n, t).unwrap(),
                Some(FieldValue::Number(v)),
                "{t}"
            );
        }
        assert!(parse_value(&n, "twelve").is_err());
        assert!(parse_value(&n, "inf").is_err());
        assert_eq!(parse_value(&n, "  ").unwrap(), None);

        let d = field(FieldType::Date, &[]);
        for (t, v) in [
            ("2024-02-29", "2024-02-29"),
            ("2024/3/1", "2024-03-01"),
            ("31.12.2023", "2023-12-31"),
            ("25/12/2023", "2023-12-25"),
            ("12/25/2023", "2023-12-25"),
            ("2024-05-01T10:00:00Z", "2024-05-01"),
        ] {
            assert_eq!(
                parse_value(&d, t).unwrap(),
                Some(FieldValue::Text(v.into())),
                "{t}"
            );
        }
        assert!(parse_value(&d, "2023-02-29").is_err());
        assert!(parse_value(&d, "03/04/2023")
            .unwrap_err()
            .contains("day/month"));

        let b = field(FieldType::Boolean, &[]);
        assert_eq!(
            parse_value(&b, "Yes").unwrap(),
            Some(FieldValue::Boolean(true))
        );
        assert_eq!(
            parse_value(&b, "0").unwrap(),
            Some(FieldValue::Boolean(false))
        );
        assert!(parse_value(&b, "maybe").is_err());

        let c = field(FieldType::Choice, &["Gold", "Silver"]);
        assert_eq!(
            parse_value(&c, "gold").unwrap(),
            Some(FieldValue::Text("Gold".into()))
        );
        assert!(parse_value(&c, "Bronze")
            .unwrap_err()
            .contains("Gold, Silver"));
    }

    #[test]
    fn keys_are_checked_and_derived_from_labels() {
        assert!(check_key("plan_level").is_ok());
        assert!(check_key("Plan").is_err());
        assert!(check_key("email").is_err());
        assert!(check_key("1x").is_err());
        assert_eq!(key_from_label("Plan level (2024)"), "plan_level_2024");
        assert_eq!(key_from_label("Email"), "email_2");
        assert_eq!(key_from_label("2nd phone"), "field_2nd_phone");
    }

    #[test]
    fn create_validates_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
        let err = create(
            &conn,
            FieldInput {
                key: "Bad Key".into(),
                label: "".into(),
                field_type: FieldType::Choice,
                options: vec![],
                required: false,
            },
        )
        .unwrap_err();
        let names: Vec<&str> = err.fields().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["key", "label", "options"]);
        let f = create(
            &conn,
            FieldInput {
                key: "plan".into(),
                label: "Plan".into(),
                field_type: FieldType::Choice,
                options: vec!["Gold".into(), " gold ".into(), "Free".into()],
                required: true,
            },
        )
        .unwrap();
        assert_eq!(f.options, ["Gold", "Free"]);
        let dup = create(
            &conn,
            FieldInput {
                key: "PLAN".into(),
                label: "x".into(),
                field_type: FieldType::Text,
                options: vec![],
                required: false,
            },
        );
        assert!(dup.is_err());
    }
}
