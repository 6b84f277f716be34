//! Contacts: the people a workspace mails.
//!
//! API (all take the workspace's `rusqlite::Connection`):
//! - [`create`], [`update`], [`get`], [`find_by_email`], [`delete`]: one contact, validated with
//!   a [`FieldError`] per field (`email`, `first_name`, `last_name`, `values.<key>`); an address
//!   that another contact has is [`Error::DuplicateEmail`] (code `duplicate_email`) naming it.
//! - [`list`] a [`ContactQuery`] (search, tags, statuses, segment, sort, page, columns) into a
//!   [`ContactPage`] with the total; [`count`] the same filter.
//! - [`bulk`] tag / untag / set status / delete on a [`ContactSelection`] (explicit ids or the
//!   current query); [`export_csv`] writes a selection as CSV.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
use crate::fields::{self, CustomField, FieldValue};
use crate::sql::Params;
use crate::time::now_timestamp;

/// Whether Herald may mail the contact, and why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ContactStatus {
    Subscribed,
    Unsubscribed,
    Bounced,
    Complained,
    Blocked,
}

impl ContactStatus {
    pub const ALL: [ContactStatus; 5] = [
        ContactStatus::Subscribed,
        ContactStatus::Unsubscribed,
        ContactStatus::Bounced,
        ContactStatus::Complained,
        ContactStatus::Blocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Subscribed => "subscribed",
            ContactStatus::Unsubscribed => "unsubscribed",
            ContactStatus::Bounced => "bounced",
            ContactStatus::Complained => "complained",
            ContactStatus::Blocked => "blocked",
        }
    }

    /// Parses a status as people and other tools write it (Mailchimp's "cleaned", HubSpot's
    /// "opted out", …); case does not matter.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_lowercase().as_str() {
            "subscribed" | "subscriber" | "active" | "opted in" | "opted-in" | "yes" | "true"
            | "1" => ContactStatus::Subscribed,
            "unsubscribed" | "unsubscribe" | "opted out" | "opted-out" | "no" | "false" | "0" => {
                ContactStatus::Unsubscribed
            }
            "bounced" | "bounce" | "cleaned" | "hard bounce" => ContactStatus::Bounced,
            "complained" | "complaint" | "spam" => ContactStatus::Complained,
            "blocked" | "suppressed" | "blocklisted" | "blacklisted" => ContactStatus::Blocked,
            _ => return None,
        })
    }
}

/// Where a contact came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ContactSource {
    Manual,
    /// A CSV import; `Contact::import_id` says which ("import 3").
    Import,
    Api,
}

impl ContactSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactSource::Manual => "manual",
            ContactSource::Import => "import",
            ContactSource::Api => "api",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "import" => ContactSource::Import,
            "api" => ContactSource::Api,
            _ => ContactSource::Manual,
        }
    }
}

/// A tag as shown on a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TagRef {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub colour: String,
}

/// A contact with its tags and custom values (keyed by field key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Contact {
    #[ts(type = "number")]
    pub id: i64,
    /// As entered; compared without regard to case.
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: ContactStatus,
    pub source: ContactSource,
    #[ts(type = "number | null")]
    pub import_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub tags: Vec<TagRef>,
    pub values: BTreeMap<String, FieldValue>,
}

impl Contact {
    /// "manual", "import 3", "api": the source as a person reads it.
    pub fn source_label(&self) -> String {
        match (self.source, self.import_id) {
            (ContactSource::Import, Some(id)) => format!("import {id}"),
            (s, _) => s.as_str().to_owned(),
        }
    }
}

/// What the create and edit forms send. On update, `tag_ids: None` keeps the tags, and only
/// the keys present in `values` change (`null` clears a value).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContactInput {
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub status: Option<ContactStatus>,
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "Array<number>")]
    pub tag_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub values: BTreeMap<String, Option<FieldValue>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum SortDirection {
    Asc,
    #[default]
    Desc,
}

/// One page of the contact list, and the filter behind bulk actions ("all matching").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContactQuery {
    /// Words matched against the start of words in the email, names and text custom
    /// values ("ann smi" finds Ann Smith). All words must match.
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub search: Option<String>,
    /// Contacts carrying any of these tags.
    #[serde(default)]
    #[ts(type = "Array<number>")]
    pub tag_ids: Vec<i64>,
    /// Contacts with any of these statuses (empty: every status).
    #[serde(default)]
    pub statuses: Vec<ContactStatus>,
    /// Contacts matching this saved segment.
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub segment_id: Option<i64>,
    /// `email`, `first_name`, `last_name`, `status`, `source`, `created_at`, `updated_at`, or a
    /// custom field key. Default `created_at`.
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sort: Option<String>,
    #[serde(default)]
    pub direction: SortDirection,
    /// 1-based.
    #[serde(default = "first_page")]
    pub page: u32,
    /// 1 to 500; default 50.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// Custom field keys whose values the rows carry; `None` means all of them.
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub columns: Option<Vec<String>>,
}

fn first_page() -> u32 {
    1
}
fn default_page_size() -> u32 {
    50
}

impl Default for ContactQuery {
    fn default() -> Self {
        Self {
            search: None,
            tag_ids: Vec::new(),
            statuses: Vec::new(),
            segment_id: None,
            sort: None,
            direction: SortDirection::Desc,
            page: 1,
            page_size: 50,
            columns: None,
        }
    }
}

/// A page of results with the total number that match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Page<T> {
    pub items: Vec<T>,
    #[ts(type = "number")]
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

pub type ContactPage = Page<Contact>;

/// Which contacts a bulk action or an export applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum ContactSelection {
    /// The contacts ticked one by one.
    Ids {
        #[ts(type = "Array<number>")]
        ids: Vec<i64>,
    },
    /// Every contact matching the list's current filter (its page and sort are ignored).
    Query { query: ContactQuery },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum BulkAction {
    Tag {
        #[ts(type = "number")]
        tag_id: i64,
    },
    Untag {
        #[ts(type = "number")]
        tag_id: i64,
    },
    SetStatus {
        status: ContactStatus,
    },
    Delete,
}

/// How many contacts a bulk action changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BulkResult {
    #[ts(type = "number")]
    pub affected: i64,
}

/// The standard columns, as sort keys and CSV headers.
pub const STANDARD_COLUMNS: [&str; 7] = [
    "email",
    "first_name",
    "last_name",
    "status",
    "source",
    "created_at",
    "updated_at",
];

const MAX_NAME_CHARS: usize = 200;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_PAGE_SIZE: u32 = 500;

const CONTACT_COLUMNS: &str =
    "c.id, c.email, c.first_name, c.last_name, c.status, c.source, c.import_id, c.created_at, c.updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Contact> {
    let status: String = row.get(4)?;
    let source: String = row.get(5)?;
    Ok(Contact {
        id: row.get(0)?,
        email: row.get(1)?,
        first_name: row.get(2)?,
        last_name: row.get(3)?,
        status: ContactStatus::parse(&status).unwrap_or(ContactStatus::Subscribed),
        source: ContactSource::parse(&source),
        import_id: row.get(6)?,
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
        tags: Vec::new(),
        values: BTreeMap::new(),
    })
}

/// The key under which an address is unique: its lower-case form.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks an address as the contact form and the import do.
pub fn check_email(email: &str) -> std::result::Result<(), String> {
    if email.is_empty() {
        return Err("Enter an email address.".into());
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(format!(
            "An email address has at most {MAX_EMAIL_CHARS} characters."
        ));
    }
    crate::settings::check_email(email)
}

fn check_name(field: &str, value: &str, problems: &mut Vec<FieldError>) {
    if value.chars().count() > MAX_NAME_CHARS {
        problems.push(FieldError::new(
            field,
            format!("Use at most {MAX_NAME_CHARS} characters."),
        ));
    } else if value.chars().any(char::is_control) {
        problems.push(FieldError::new(field, "A name is one line of text."));
    }
}

pub fn get(conn: &Connection, id: i64) -> Result<Contact> {
    let contact = conn
        .query_row(
            &format!("SELECT {CONTACT_COLUMNS} FROM contacts c WHERE c.id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "contact",
            id,
        })?;
    let mut one = vec![contact];
    attach_details(conn, &mut one, None)?;
    Ok(one.remove(0))
}

/// The contact with this address (any case), if there is one.
pub fn find_by_email(conn: &Connection, email: &str) -> Result<Option<Contact>> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM contacts WHERE email_key = ?1",
            [email_key(email)],
            |r| r.get(0),
        )
        .optional()?;
    id.map(|id| get(conn, id)).transpose()
}

/// Fills in tags and custom values for `contacts` (only the fields in `only`, when given).
fn attach_details(
    conn: &Connection,
    contacts: &mut [Contact],
    only: Option<&[CustomField]>,
) -> Result<()> {
    if contacts.is_empty() {
        return Ok(());
    }
    let index: HashMap<i64, usize> = contacts
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    let mut p = Params::default();
    let ids: Vec<String> = contacts.iter().map(|c| p.bind(c.id)).collect();
    let ids = ids.join(",");
    {
        let mut stmt = conn.prepare(&format!(
            "SELECT ct.contact_id, t.id, t.name, t.colour FROM contact_tags ct
               JOIN tags t ON t.id = ct.tag_id
              WHERE ct.contact_id IN ({ids}) ORDER BY t.name COLLATE NOCASE"
        ))?;
        let mut rows = stmt.query(p.as_params())?;
        while let Some(r) = rows.next()? {
            let cid: i64 = r.get(0)?;
            if let Some(&i) = index.get(&cid) {
                contacts[i].tags.push(TagRef {
                    id: r.get(1)?,
                    name: r.get(2)?,
                    colour: r.get(3)?,
                });
            }
        }
    }
    let all_fields;
    let fields: &[CustomField] = match only {
        Some(f) => f,
        None => {
            all_fields = fields::list(conn)?;
            &all_fields
        }
    };
    if fields.is_empty() {
        return Ok(());
    }
    let by_id: HashMap<i64, &CustomField> = fields.iter().map(|f| (f.id, f)).collect();
    let mut stmt = conn.prepare(&format!(
        "SELECT contact_id, field_id, value FROM contact_values WHERE contact_id IN ({ids})"
    ))?;
    let mut rows = stmt.query(p.as_params())?;
    while let Some(r) = rows.next()? {
        let cid: i64 = r.get(0)?;
        let fid: i64 = r.get(1)?;
        if let (Some(&i), Some(field)) = (index.get(&cid), by_id.get(&fid)) {
            if let Some(v) = FieldValue::from_stored(r.get_ref(2)?, field.field_type) {
                contacts[i].values.insert(field.key.clone(), v);
            }
        }
    }
    Ok(())
}

/// The checked form of a [`ContactInput`].
struct Checked {
    email: String,
    first_name: String,
    last_name: String,
    status: Option<ContactStatus>,
    tag_ids: Option<Vec<i64>>,
    values: Vec<(i64, Option<FieldValue>)>,
}

fn check_input(
    conn: &Connection,
    input: &ContactInput,
    existing: Option<&Contact>,
) -> Result<Checked> {
    let mut problems = Vec::new();
    let email = input.email.trim().to_owned();
    if let Err(m) = check_email(&email) {
        problems.push(FieldError::new("email", m));
    }
    let first_name = input.first_name.trim().to_owned();
    let last_name = input.last_name.trim().to_owned();
    check_name("first_name", &first_name, &mut problems);
    check_name("last_name", &last_name, &mut problems);

    let defs = fields::by_key(conn)?;
    let mut values = Vec::new();
    let mut set_keys = Vec::new();
    for (key, value) in &input.values {
        let field_name = format!("values.{key}");
        let Some(field) = defs.get(&key.to_lowercase()) else {
            problems.push(FieldError::new(
                &field_name,
                format!("There is no custom field “{key}”."),
            ));
            continue;
        };
        let checked = match value {
            None => Ok(None),
            Some(v) => fields::check_value(field, v),
        };
        match checked {
            Ok(v) => {
                if v.is_some() {
                    set_keys.push(field.id);
                }
                values.push((field.id, v));
            }
            Err(m) => problems.push(FieldError::new(&field_name, m)),
        }
    }
    for field in defs.values().filter(|f| f.required) {
        let given = input
            .values
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&field.key));
        let has_value = match given {
            Some(_) => set_keys.contains(&field.id),
            None => existing.is_some_and(|c| c.values.contains_key(&field.key)),
        };
        let already_reported = problems.iter().any(|p| {
            p.field
                .eq_ignore_ascii_case(&format!("values.{}", field.key))
        });
        if !has_value && !already_reported {
            problems.push(FieldError::new(
                &format!("values.{}", field.key),
                format!("{} is required.", field.label),
            ));
        }
    }
    if let Some(tag_ids) = &input.tag_ids {
        for id in tag_ids {
            let exists: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM tags WHERE id = ?1)",
                [id],
                |r| r.get(0),
            )?;
            if !exists {
                problems.push(FieldError::new(
                    "tag_ids",
                    format!("Tag {id} no longer exists."),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    if let Some(other) = find_id_by_email(conn, &email)? {
        if existing.map(|c| c.id) != Some(other) {
            return Err(duplicate_email(other, &email));
        }
    }
    Ok(Checked {
        email,
        first_name,
        last_name,
        status: input.status,
        tag_ids: input.tag_ids.clone(),
        values,
    })
}

pub(crate) fn find_id_by_email(conn: &Connection, email: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM contacts WHERE email_key = ?1",
            [email_key(email)],
            |r| r.get(0),
        )
        .optional()?)
}

fn duplicate_email(existing_id: i64, email: &str) -> Error {
    Error::DuplicateEmail {
        existing_id,
        field: [FieldError::new(
            "email",
            format!("Another contact (#{existing_id}) already has the address {email}."),
        )],
    }
}

fn write_values(
    conn: &Connection,
    contact_id: i64,
    values: &[(i64, Option<FieldValue>)],
) -> Result<()> {
    let mut upsert = conn.prepare_cached(
        "INSERT INTO contact_values (contact_id, field_id, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (contact_id, field_id) DO UPDATE SET value = excluded.value
         WHERE value IS NOT excluded.value",
    )?;
    let mut clear =
        conn.prepare_cached("DELETE FROM contact_values WHERE contact_id = ?1 AND field_id = ?2")?;
    for (field_id, value) in values {
        match value {
            Some(v) => upsert.execute(params![contact_id, field_id, v])?,
            None => clear.execute(params![contact_id, field_id])?,
        };
    }
    Ok(())
}

fn write_tags(conn: &Connection, contact_id: i64, tag_ids: &[i64]) -> Result<()> {
    conn.execute(
        "DELETE FROM contact_tags WHERE contact_id = ?1",
        [contact_id],
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) VALUES (?1, ?2)",
    )?;
    for tag_id in tag_ids {
        insert.execute(params![contact_id, tag_id])?;
    }
    Ok(())
}

/// Creates a contact. `source` is `Manual` from the form and `Api` from scripts.
pub fn create(
    conn: &mut Connection,
    input: ContactInput,
    source: ContactSource,
) -> Result<Contact> {
    let checked = check_input(conn, &input, None)?;
    let tx = conn.transaction()?;
    let now = now_timestamp();
    tx.execute(
        "INSERT INTO contacts (email, email_key, first_name, last_name, status, source, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            checked.email,
            email_key(&checked.email),
            checked.first_name,
            checked.last_name,
            checked.status.unwrap_or(ContactStatus::Subscribed).as_str(),
            source.as_str(),
            now
        ],
    )?;
    let id = tx.last_insert_rowid();
    write_values(&tx, id, &checked.values)?;
    write_tags(&tx, id, checked.tag_ids.as_deref().unwrap_or_default())?;
    tx.commit()?;
    get(conn, id)
}

/// Updates a contact from the edit form (see [`ContactInput`] for what is kept).
pub fn update(conn: &mut Connection, id: i64, input: ContactInput) -> Result<Contact> {
    let existing = get(conn, id)?;
    let checked = check_input(conn, &input, Some(&existing))?;
    let tx = conn.transaction()?;
    tx.execute(
        "UPDATE contacts SET email = ?2, email_key = ?3, first_name = ?4, last_name = ?5,
                status = ?6, updated_at = ?7 WHERE id = ?1",
        params![
            id,
            checked.email,
            email_key(&checked.email),
            checked.first_name,
            checked.last_name,
            checked.status.unwrap_or(existing.status).as_str(),
            now_timestamp()
        ],
    )?;
    write_values(&tx, id, &checked.values)?;
    if let Some(tag_ids) = &checked.tag_ids {
        write_tags(&tx, id, tag_ids)?;
    }
    tx.commit()?;
    get(conn, id)
}

pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    if conn.execute("DELETE FROM contacts WHERE id = ?1", [id])? == 0 {
        return Err(Error::NotFound {
            what: "contact",
            id,
        });
    }
    Ok(())
}

/// Turns what a person typed into an FTS5 query: each word becomes a quoted prefix term, so
/// no FTS syntax (quotes, `OR`, `NEAR`, `*`, column filters) can come from the user.
pub(crate) fn fts_query(search: &str) -> Option<String> {
    let terms: Vec<String> = search
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(16)
        .map(|t| format!("\"{t}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The SQL condition (on `contacts c`) for the filter part of `query`.
pub(crate) fn filter_sql(
    conn: &Connection,
    query: &ContactQuery,
    p: &mut Params,
) -> Result<String> {
    let mut conditions: Vec<String> = Vec::new();
    if let Some(fts) = query.search.as_deref().and_then(fts_query) {
        conditions.push(format!(
            "c.id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH {})",
            p.bind(fts)
        ));
    }
    if !query.tag_ids.is_empty() {
        let ids: Vec<String> = query.tag_ids.iter().map(|id| p.bind(*id)).collect();
        conditions.push(format!(
            "c.id IN (SELECT contact_id FROM contact_tags WHERE tag_id IN ({}))",
            ids.join(",")
        ));
    }
    if !query.statuses.is_empty() {
        let s: Vec<String> = query
            .statuses
            .iter()
            .map(|s| p.bind(s.as_str().to_owned()))
            .collect();
        conditions.push(format!("c.status IN ({})", s.join(",")));
    }
    if let Some(segment_id) = query.segment_id {
        let segment = crate::segments::get(conn, segment_id)?;
        conditions.push(crate::segments::compile(conn, &segment.rules, p)?);
    }
    Ok(if conditions.is_empty() {
        "1".to_owned()
    } else {
        conditions.join(" AND ")
    })
}

fn sort_sql(
    query: &ContactQuery,
    fields: &BTreeMap<String, CustomField>,
    p: &mut Params,
) -> Result<String> {
    let dir = match query.direction {
        SortDirection::Asc => "ASC",
        SortDirection::Desc => "DESC",
    };
    let key = query.sort.as_deref().unwrap_or("created_at");
    let expr = match key {
        "email" => "c.email_key".to_owned(),
        "first_name" => "c.first_name COLLATE NOCASE".to_owned(),
        "last_name" => "c.last_name COLLATE NOCASE".to_owned(),
        "status" | "source" | "created_at" | "updated_at" => format!("c.{key}"),
        other => match fields.get(&other.to_lowercase()) {
            Some(f) => format!(
                "(SELECT value FROM contact_values v WHERE v.contact_id = c.id AND v.field_id = {})",
                p.bind(f.id)
            ),
            None => {
                return Err(Error::invalid(
                    "sort",
                    format!("Contacts cannot be sorted by “{other}”."),
                ))
            }
        },
    };
    Ok(format!("{expr} {dir}, c.id {dir}"))
}

/// One page of contacts matching `query`, with the total.
pub fn list(conn: &Connection, query: &ContactQuery) -> Result<ContactPage> {
    let page_size = query.page_size.clamp(1, MAX_PAGE_SIZE);
    let page = query.page.max(1);
    let fields = fields::by_key(conn)?;
    let columns: Option<Vec<CustomField>> = query.columns.as_ref().map(|keys| {
        keys.iter()
            .filter_map(|k| fields.get(&k.to_lowercase()).cloned())
            .collect()
    });
    let mut p = Params::default();
    let filter = filter_sql(conn, query, &mut p)?;
    let offset = i64::from(page - 1) * i64::from(page_size);
    let (total, mut items): (i64, Vec<Contact>) = match search_in_creation_order(query) {
        Some((fts, dir)) => {
            // Ids are handed out in creation order (max + 1, imports included, under the write
            // lock), so the default sort is rowid order, which FTS5 walks directly. One walk
            // over the matches gives both the page and the total: a prefix term costs most
            // in setting up its match list, so this sets it up once, not twice (count + page).
            let mut ids: Vec<i64> = Vec::with_capacity(page_size as usize);
            let mut total = 0i64;
            {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?1 ORDER BY rowid {dir}"
                ))?;
                let mut rows = stmt.query([&fts])?;
                let end = offset + i64::from(page_size);
                while let Some(row) = rows.next()? {
                    if total >= offset && total < end {
                        ids.push(row.get(0)?);
                    }
                    total += 1;
                }
            }
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {CONTACT_COLUMNS} FROM contacts c
                  WHERE c.id IN (SELECT value FROM json_each(?1)) ORDER BY c.id {dir}"
            ))?;
            let json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
            let rows = stmt
                .query_map([json], from_row)?
                .collect::<rusqlite::Result<_>>()?;
            (total, rows)
        }
        None => {
            let total = count_filtered(conn, query, &filter, &p)?;
            let order = sort_sql(query, &fields, &mut p)?;
            let limit = p.bind(i64::from(page_size));
            let offset = p.bind(offset);
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {CONTACT_COLUMNS} FROM contacts c WHERE {filter} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
            ))?;
            let rows = stmt
                .query_map(p.as_params(), from_row)?
                .collect::<rusqlite::Result<_>>()?;
            (total, rows)
        }
    };
    attach_details(conn, &mut items, columns.as_deref())?;
    Ok(Page {
        items,
        total,
        page,
        page_size,
    })
}

/// The FTS query and sort direction when `query` is a search alone in the default (creation)
/// order: then the page can come straight from the search index, in rowid order.
fn search_in_creation_order(query: &ContactQuery) -> Option<(String, &'static str)> {
    let search_only =
        query.tag_ids.is_empty() && query.statuses.is_empty() && query.segment_id.is_none();
    let default_sort = matches!(query.sort.as_deref(), None | Some("created_at"));
    if !(search_only && default_sort) {
        return None;
    }
    let dir = match query.direction {
        SortDirection::Asc => "ASC",
        SortDirection::Desc => "DESC",
    };
    query
        .search
        .as_deref()
        .and_then(fts_query)
        .map(|fts| (fts, dir))
}

/// How many contacts match the filter part of `query`.
pub fn count(conn: &Connection, query: &ContactQuery) -> Result<i64> {
    let mut p = Params::default();
    let filter = filter_sql(conn, query, &mut p)?;
    count_filtered(conn, query, &filter, &p)
}

fn count_filtered(
    conn: &Connection,
    query: &ContactQuery,
    filter: &str,
    p: &Params,
) -> Result<i64> {
    let search_only =
        query.tag_ids.is_empty() && query.statuses.is_empty() && query.segment_id.is_none();
    if let (true, Some(fts)) = (search_only, query.search.as_deref().and_then(fts_query)) {
        // The index has exactly one entry per contact (triggers), so it can count alone.
        return Ok(conn
            .prepare_cached("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH ?1")?
            .query_row([fts], |r| r.get(0))?);
    }
    Ok(conn
        .prepare_cached(&format!("SELECT count(*) FROM contacts c WHERE {filter}"))?
        .query_row(p.as_params(), |r| r.get(0))?)
}

/// A `SELECT id` for the selection, with its parameters.
fn selection_sql(
    conn: &Connection,
    selection: &ContactSelection,
    p: &mut Params,
) -> Result<String> {
    Ok(match selection {
        ContactSelection::Ids { ids } => {
            if ids.is_empty() {
                "SELECT id FROM contacts WHERE 0".to_owned()
            } else {
                // Bound through json_each so a selection of any size is one parameter.
                let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
                format!(
                    "SELECT c.id FROM contacts c WHERE c.id IN (SELECT value FROM json_each({}))",
                    p.bind(json)
                )
            }
        }
        ContactSelection::Query { query } => {
            format!(
                "SELECT c.id FROM contacts c WHERE {}",
                filter_sql(conn, query, p)?
            )
        }
    })
}

/// The ids of the selected contacts, in id order.
pub fn resolve(conn: &Connection, selection: &ContactSelection) -> Result<Vec<i64>> {
    let mut p = Params::default();
    let sql = selection_sql(conn, selection, &mut p)?;
    let mut stmt = conn.prepare(&format!("{sql} ORDER BY 1"))?;
    let ids = stmt.query_map(p.as_params(), |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

/// Tags, untags, sets the status of, or deletes every selected contact, all or nothing.
pub fn bulk(
    conn: &mut Connection,
    selection: &ContactSelection,
    action: &BulkAction,
) -> Result<BulkResult> {
    let tx = conn.transaction()?;
    let mut p = Params::default();
    let ids = selection_sql(&tx, selection, &mut p)?;
    let affected = match action {
        BulkAction::Tag { tag_id } => {
            crate::tags::get(&tx, *tag_id)?;
            let tag = p.bind(*tag_id);
            tx.execute(
                &format!("INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) SELECT id, {tag} FROM ({ids})"),
                p.as_params(),
            )?
        }
        BulkAction::Untag { tag_id } => {
            crate::tags::get(&tx, *tag_id)?;
            let tag = p.bind(*tag_id);
            tx.execute(
                &format!("DELETE FROM contact_tags WHERE tag_id = {tag} AND contact_id IN ({ids})"),
                p.as_params(),
            )?
        }
        BulkAction::SetStatus { status } => {
            let s = p.bind(status.as_str().to_owned());
            let now = p.bind(now_timestamp());
            tx.execute(
                &format!("UPDATE contacts SET status = {s}, updated_at = {now} WHERE status <> {s} AND id IN ({ids})"),
                p.as_params(),
            )?
        }
        BulkAction::Delete => tx.execute(
            &format!("DELETE FROM contacts WHERE id IN ({ids})"),
            p.as_params(),
        )?,
    };
    tx.commit()?;
    Ok(BulkResult {
        affected: affected as i64,
    })
}

/// Writes the selected contacts as CSV (standard columns, `tags` joined by `, `, then every
/// custom field by key) and returns how many rows were written. The output imports back.
pub fn export_csv<W: Write>(
    conn: &Connection,
    selection: &ContactSelection,
    out: W,
) -> Result<i64> {
    let fields = fields::list(conn)?;
    let mut writer = csv::Writer::from_writer(out);
    let io_err = |e: csv::Error| {
        Error::io(
            "written",
            "the export",
            std::io::Error::other(e.to_string()),
        )
    };
    let mut header: Vec<String> = STANDARD_COLUMNS.iter().map(|s| s.to_string()).collect();
    header.push("tags".into());
    header.extend(fields.iter().map(|f| f.key.clone()));
    writer.write_record(&header).map_err(io_err)?;
    let ids = resolve(conn, selection)?;
    let mut written = 0;
    for chunk in ids.chunks(500) {
        let mut p = Params::default();
        let json = p.bind(serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into()));
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts c WHERE c.id IN (SELECT value FROM json_each({json})) ORDER BY c.id"
        ))?;
        let mut contacts: Vec<Contact> = stmt
            .query_map(p.as_params(), from_row)?
            .collect::<rusqlite::Result<_>>()?;
        attach_details(conn, &mut contacts, Some(&fields))?;
        for c in &contacts {
            let mut record = vec![
                c.email.clone(),
                c.first_name.clone(),
                c.last_name.clone(),
                c.status.as_str().to_owned(),
                c.source_label(),
                c.created_at.clone(),
                c.updated_at.clone(),
                c.tags
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ];
            record.extend(fields.iter().map(|f| {
                c.values
                    .get(&f.key)
                    .map(FieldValue::to_text)
                    .unwrap_or_default()
            }));
            writer.write_record(&record).map_err(io_err)?;
            written += 1;
        }
    }
    writer
        .flush()
        .map_err(|e| Error::io("written", "the export", e))?;
    Ok(written)
}

/// [`export_csv`] into a file.
pub fn export_csv_to_path(
    conn: &Connection,
    selection: &ContactSelection,
    path: &std::path::Path,
) -> Result<i64> {
    let file = std::fs::File::create(path).map_err(|e| Error::io("created", path, e))?;
    export_csv(conn, selection, std::io::BufWriter::new(file))
}
