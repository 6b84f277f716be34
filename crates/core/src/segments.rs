//! Segments: saved rules that pick contacts, compiled to SQL with every value bound.
//!
//! API: [`Rule`] (the JSON format, documented in `docs/segments.md`), [`validate`],
//! [`count`] and [`resolve`] (ids) for any rules (the builder's live count), and saved segments:
//! [`list`], [`get`], [`find_by_name`], [`create`], [`rename`], [`update_rules`], [`duplicate`],
//! [`delete`]. The contact list filters by a saved segment through
//! `ContactQuery { segment_id }`.
//!
//! Nothing from a rule becomes SQL text: names of columns come from this module's own
//! match arms, field keys and tag ids are looked up and bound, values are bound. Nesting is
//! limited to [`MAX_DEPTH`] groups and [`MAX_CONDITIONS`] conditions.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use ts_rs::TS;

use crate::contacts::{ContactSource, ContactStatus};
use crate::error::{Error, FieldError, Result};
use crate::fields::{self, FieldType, FieldValue};
use crate::sql::Params;
use crate::time::{now_timestamp, timestamp};

pub const MAX_DEPTH: usize = 8;
pub const MAX_CONDITIONS: usize = 200;
const MAX_NAME_CHARS: usize = 80;

/// How a group combines its rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Match {
    /// Every rule must hold (AND).
    All,
    /// At least one rule must hold (OR).
    Any,
}

/// Operators on text: the email, the names, and text and choice fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TextOp {
    Equals,
    NotEquals,
    Contains,
    NotContains,
    StartsWith,
    EndsWith,
    IsSet,
    IsEmpty,
}

/// Operators on the contact's created/updated dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DateOp {
    /// That calendar day (UTC).
    On,
    Before,
    After,
    /// From `value` to `value2`, both days included.
    Between,
    /// Within the last `days` days (relative: re-evaluated on every count).
    InLastDays,
    /// Longer ago than `days` days.
    NotInLastDays,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum IsOp {
    Is,
    IsNot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TagOp {
    Has,
    HasNot,
}

/// Operators on custom fields; which ones fit depends on the field's type
/// (see [`FieldOp::fits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FieldOp {
    Equals,
    NotEquals,
    Contains,
    NotContains,
    StartsWith,
    EndsWith,
    GreaterThan,
    LessThan,
    AtLeast,
    AtMost,
    Between,
    Before,
    After,
    On,
    InLastDays,
    NotInLastDays,
    IsTrue,
    IsFalse,
    IsSet,
    IsEmpty,
}

impl FieldOp {
    /// Whether the operator applies to a field of type `t`.
    pub fn fits(self, t: FieldType) -> bool {
        use FieldOp::*;
        match self {
            IsSet | IsEmpty => true,
            Equals | NotEquals => t != FieldType::Boolean,
            Contains | NotContains | StartsWith | EndsWith => t == FieldType::Text,
            GreaterThan | LessThan | AtLeast | AtMost => t == FieldType::Number,
            Between => matches!(t, FieldType::Number | FieldType::Date),
            Before | After | On | InLastDays | NotInLastDays => t == FieldType::Date,
            IsTrue | IsFalse => t == FieldType::Boolean,
        }
    }
}

/// A segment's rules: a tree of groups and conditions. The root is usually a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Rule {
    Group {
        #[serde(rename = "match")]
        match_: Match,
        rules: Vec<Rule>,
    },
    Email {
        op: TextOp,
        #[serde(default)]
        value: String,
    },
    FirstName {
        op: TextOp,
        #[serde(default)]
        value: String,
    },
    LastName {
        op: TextOp,
        #[serde(default)]
        value: String,
    },
    Status {
        op: IsOp,
        values: Vec<ContactStatus>,
    },
    /// `import_id` narrows `import` to one import.
    Source {
        op: IsOp,
        value: ContactSource,
        #[serde(default)]
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional, type = "number")]
        import_id: Option<i64>,
    },
    /// Dates are `YYYY-MM-DD` (UTC days); `days` is for the relative operators.
    CreatedAt {
        op: DateOp,
        #[serde(default)]
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        value: Option<String>,
        #[serde(default)]
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        value2: Option<String>,
        #[serde(default)]
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        days: Option<u32>,
    },
    UpdatedAt {
        op: DateOp,
        #[serde(default)]
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        value: Option<String>,
        #[serde(default)]
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        value2: Option<String>,
        #[serde(default)]
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        days: Option<u32>,
    },
    Tag {
        op: TagOp,
        #[ts(type = "number")]
        tag_id: i64,
    },
    /// A custom field by key; `value` (and `value2` for `between`) in the field's type.
    Field {
        key: String,
        op: FieldOp,
        #[serde(default)]
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        value: Option<FieldValue>,
        #[serde(default)]
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        value2: Option<FieldValue>,
        #[serde(default)]
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        days: Option<u32>,
    },
    /// Campaign events: the contact opened, clicked, received or bounced a given campaign
    /// (`campaign_id`), or any campaign within the last `days` days (both unset: ever).
    /// `op` `did_not` turns it around.
    Event {
        event: EventName,
        #[serde(default)]
        op: EventOp,
        #[serde(default)]
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional, type = "number")]
        campaign_id: Option<i64>,
        #[serde(default)]
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        days: Option<u32>,
    },
}

/// What happened to the contact's mail, for [`Rule::Event`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EventName {
    /// At least one open (machine opens included: SES cannot tell them apart per message).
    Opened,
    Clicked,
    /// Delivered to the recipient's mail server.
    Received,
    /// Bounced, permanently or not.
    Bounced,
}

impl EventName {
    /// The recipient_activity column that holds when it (last) happened (Unix ms).
    fn column(self) -> &'static str {
        match self {
            EventName::Opened => "a.last_open_at",
            EventName::Clicked => "a.last_click_at",
            EventName::Received => "a.delivered_at",
            EventName::Bounced => "a.bounced_at",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EventOp {
    #[default]
    Did,
    DidNot,
}

impl Rule {
    /// A group that matches every contact: the starting point of a new segment.
    pub fn everyone() -> Self {
        Rule::Group {
            match_: Match::All,
            rules: Vec::new(),
        }
    }
}

/// A saved segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Segment {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub rules: Rule,
    pub created_at: String,
    pub updated_at: String,
}

/// What the segment form sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SegmentInput {
    pub name: String,
    pub rules: Rule,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::Validation(vec![FieldError::new("rules", message)])
}

/// Parses rules from JSON text (the CLI's `--rules`), with a clear message when it is not.
pub fn parse_rules(json: &str) -> Result<Rule> {
    serde_json::from_str(json).map_err(|e| invalid(format!("The rules are not valid: {e}.")))
}

/// Checks the rules against the workspace (field keys, operators, tags, values).
pub fn validate(conn: &Connection, rules: &Rule) -> Result<()> {
    compile(conn, rules, &mut Params::default()).map(|_| ())
}

/// Compiles `rules` into an SQL condition on `contacts c`, binding every value into `p`.
pub(crate) fn compile(conn: &Connection, rules: &Rule, p: &mut Params) -> Result<String> {
    let mut compiler = Compiler {
        conn,
        p,
        today: OffsetDateTime::now_utc(),
        conditions: 0,
        correlated: false,
    };
    compiler.rule(rules, 0)
}

struct Compiler<'a> {
    conn: &'a Connection,
    p: &'a mut Params,
    today: OffsetDateTime,
    conditions: usize,
    /// How a tag or field condition reads its table. The first one in an `all` group is an
    /// `id IN (…)` over an index, which SQLite uses to pick the candidate rows; after that,
    /// conditions are correlated `EXISTS` probes on those rows, so a count never builds a
    /// temporary set of half a million ids. Negations are always `NOT EXISTS`.
    correlated: bool,
}

/// Whether a rule is a tag or field condition that can pick the candidate rows.
fn is_driver(rule: &Rule) -> bool {
    match rule {
        Rule::Tag { op, .. } => *op == TagOp::Has,
        Rule::Field { op, .. } => !matches!(
            op,
            FieldOp::NotEquals | FieldOp::NotContains | FieldOp::IsEmpty
        ),
        _ => false,
    }
}

fn day_start(day: &str) -> std::result::Result<OffsetDateTime, String> {
    let d = fields::parse_date(day)?;
    let date = time::Date::parse(
        &d,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| format!("“{day}” is not a date; write it as YYYY-MM-DD."))?;
    Ok(date.midnight().assume_utc())
}

fn text_cond(expr: &str, op: TextOp, value: &str, p: &mut Params) -> Result<String> {
    // Case-insensitive for ASCII, like SQLite's lower(); the value is lowered the same way.
    let v = value.trim().to_ascii_lowercase();
    let needs_value = !matches!(op, TextOp::IsSet | TextOp::IsEmpty);
    if needs_value && v.is_empty() {
        return Err(invalid("Enter a value to compare with."));
    }
    let lowered = format!("lower({expr})");
    Ok(match op {
        TextOp::Equals => format!("{lowered} = {}", p.bind(v)),
        TextOp::NotEquals => format!("{lowered} <> {}", p.bind(v)),
        TextOp::Contains => format!("instr({lowered}, {}) > 0", p.bind(v)),
        TextOp::NotContains => format!("instr({lowered}, {}) = 0", p.bind(v)),
        TextOp::StartsWith => format!("instr({lowered}, {}) = 1", p.bind(v)),
        TextOp::EndsWith => {
            let b = p.bind(v);
            format!("substr({lowered}, -length({b})) = {b}")
        }
        TextOp::IsSet => format!("{expr} <> ''"),
        TextOp::IsEmpty => format!("{expr} = ''"),
    })
}

impl Compiler<'_> {
    fn rule(&mut self, rule: &Rule, depth: usize) -> Result<String> {
        if depth > MAX_DEPTH {
            return Err(invalid(format!(
                "Groups can be nested at most {MAX_DEPTH} deep."
            )));
        }
        if !matches!(rule, Rule::Group { .. }) {
            self.conditions += 1;
            if self.conditions > MAX_CONDITIONS {
                return Err(invalid(format!(
                    "A segment can have at most {MAX_CONDITIONS} conditions."
                )));
            }
        }
        let p = &mut *self.p;
        Ok(match rule {
            Rule::Group { match_, rules } => {
                if rules.is_empty() {
                    return Ok("1".into());
                }
                let outer = self.correlated;
                let mut parts = Vec::with_capacity(rules.len());
                for r in rules {
                    if *match_ == Match::Any {
                        self.correlated = outer;
                    }
                    parts.push(format!("({})", self.rule(r, depth + 1)?));
                    if *match_ == Match::All && is_driver(r) {
                        self.correlated = true;
                    }
                }
                if *match_ == Match::Any {
                    self.correlated = outer;
                }
                parts.join(match match_ {
                    Match::All => " AND ",
                    Match::Any => " OR ",
                })
            }
            Rule::Email { op, value } => text_cond("c.email", *op, value, p)?,
            Rule::FirstName { op, value } => text_cond("c.first_name", *op, value, p)?,
            Rule::LastName { op, value } => text_cond("c.last_name", *op, value, p)?,
            Rule::Status { op, values } => {
                if values.is_empty() {
                    return Err(invalid("Choose at least one status."));
                }
                let list: Vec<String> = values
                    .iter()
                    .map(|s| p.bind(s.as_str().to_owned()))
                    .collect();
                let not = if *op == IsOp::IsNot { "NOT " } else { "" };
                format!("c.status {not}IN ({})", list.join(","))
            }
            Rule::Source {
                op,
                value,
                import_id,
            } => {
                let mut cond = format!("c.source = {}", p.bind(value.as_str().to_owned()));
                if let (ContactSource::Import, Some(id)) = (value, import_id) {
                    cond = format!("{cond} AND c.import_id IS {}", p.bind(*id));
                }
                match op {
                    IsOp::Is => cond,
                    IsOp::IsNot => format!("NOT ({cond})"),
                }
            }
            Rule::CreatedAt {
                op,
                value,
                value2,
                days,
            } => self.date_cond("c.created_at", *op, value, value2, *days)?,
            Rule::UpdatedAt {
                op,
                value,
                value2,
                days,
            } => self.date_cond("c.updated_at", *op, value, value2, *days)?,
            Rule::Tag { op, tag_id } => {
                crate::tags::get(self.conn, *tag_id).map_err(|_| {
                    invalid("A tag in these rules no longer exists; choose another.")
                })?;
                let t = p.bind(*tag_id);
                match (op, self.correlated) {
                    (TagOp::Has, false) => {
                        format!("c.id IN (SELECT contact_id FROM contact_tags WHERE tag_id = {t})")
                    }
                    (TagOp::Has, true) => format!(
                        "EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = c.id AND ct.tag_id = {t})"
                    ),
                    (TagOp::HasNot, _) => format!(
                        "NOT EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = c.id AND ct.tag_id = {t})"
                    ),
                }
            }
            Rule::Field {
                key,
                op,
                value,
                value2,
                days,
            } => self.field_cond(key, *op, value.as_ref(), value2.as_ref(), *days)?,
            Rule::Event {
                event,
                op,
                campaign_id,
                days,
            } => {
                let column = event.column();
                let mut cond = format!(
                    "EXISTS (SELECT 1 FROM campaign_recipients r \
                     JOIN recipient_activity a ON a.recipient_id = r.id \
                     WHERE r.contact_id = c.id AND {column} IS NOT NULL"
                );
                if let Some(id) = campaign_id {
                    crate::campaigns::get(self.conn, *id).map_err(|_| {
                        invalid("A campaign in these rules no longer exists; choose another.")
                    })?;
                    cond.push_str(&format!(" AND r.campaign_id = {}", self.p.bind(*id)));
                }
                if days.is_some() {
                    let since = self.days_ago(*days)?;
                    let since_ms = (since.unix_timestamp_nanos() / 1_000_000) as i64;
                    cond.push_str(&format!(" AND {column} >= {}", self.p.bind(since_ms)));
                }
                cond.push(')');
                match op {
                    EventOp::Did => cond,
                    EventOp::DidNot => format!("NOT {cond}"),
                }
            }
        })
    }

    fn days_ago(&self, days: Option<u32>) -> Result<OffsetDateTime> {
        let days = days.ok_or_else(|| invalid("Enter a number of days."))?;
        if days > 36_500 {
            return Err(invalid("Use at most 36500 days."));
        }
        Ok(self.today - Duration::days(i64::from(days)))
    }

    fn date_cond(
        &mut self,
        column: &str,
        op: DateOp,
        value: &Option<String>,
        value2: &Option<String>,
        days: Option<u32>,
    ) -> Result<String> {
        let day = |v: &Option<String>| -> Result<OffsetDateTime> {
            let v = v.as_deref().ok_or_else(|| invalid("Enter a date."))?;
            day_start(v).map_err(invalid)
        };
        let p = &mut *self.p;
        Ok(match op {
            DateOp::On => {
                let start = day(value)?;
                let (a, b) = (
                    p.bind(timestamp(start)),
                    p.bind(timestamp(start + Duration::days(1))),
                );
                format!("{column} >= {a} AND {column} < {b}")
            }
            DateOp::Before => format!("{column} < {}", p.bind(timestamp(day(value)?))),
            DateOp::After => format!(
                "{column} >= {}",
                p.bind(timestamp(day(value)? + Duration::days(1)))
            ),
            DateOp::Between => {
                let (from, to) = (day(value)?, day(value2)? + Duration::days(1));
                if to <= from {
                    return Err(invalid("The second date must not be before the first."));
                }
                let (a, b) = (p.bind(timestamp(from)), p.bind(timestamp(to)));
                format!("{column} >= {a} AND {column} < {b}")
            }
            DateOp::InLastDays => {
                let since = self.days_ago(days)?;
                format!("{column} >= {}", self.p.bind(timestamp(since)))
            }
            DateOp::NotInLastDays => {
                let since = self.days_ago(days)?;
                format!("{column} < {}", self.p.bind(timestamp(since)))
            }
        })
    }

    fn field_cond(
        &mut self,
        key: &str,
        op: FieldOp,
        value: Option<&FieldValue>,
        value2: Option<&FieldValue>,
        days: Option<u32>,
    ) -> Result<String> {
        let field = fields::find_by_key(self.conn, key)?.ok_or_else(|| {
            invalid(format!(
                "There is no custom field “{}”.",
                key.chars().take(40).collect::<String>()
            ))
        })?;
        if !op.fits(field.field_type) {
            return Err(invalid(format!(
                "“{}” is a {} field; that comparison does not apply to it.",
                field.label,
                field.field_type.as_str()
            )));
        }
        let typed = |v: Option<&FieldValue>| -> Result<FieldValue> {
            let v = v.ok_or_else(|| invalid(format!("Enter a value for {}.", field.label)))?;
            fields::check_value(&field, v)
                .map_err(invalid)?
                .ok_or_else(|| invalid(format!("Enter a value for {}.", field.label)))
        };
        let correlated = self.correlated;
        let p = &mut *self.p;
        let f = p.bind(field.id);
        let having = |cond: &str| {
            if correlated {
                format!("EXISTS (SELECT 1 FROM contact_values v WHERE v.contact_id = c.id AND v.field_id = {f} AND {cond})")
            } else {
                format!("c.id IN (SELECT contact_id FROM contact_values WHERE field_id = {f} AND {cond})")
            }
        };
        let lacking = |cond: &str| {
            format!("NOT EXISTS (SELECT 1 FROM contact_values v WHERE v.contact_id = c.id AND v.field_id = {f} AND {cond})")
        };
        let text = |v: Option<&FieldValue>| -> Result<String> {
            match v {
                Some(FieldValue::Text(t)) if !t.trim().is_empty() => {
                    Ok(t.trim().to_ascii_lowercase())
                }
                _ => Err(invalid(format!(
                    "Enter text to compare {} with.",
                    field.label
                ))),
            }
        };
        use FieldOp::*;
        Ok(match op {
            IsSet => having("1"),
            IsEmpty => lacking("1"),
            IsTrue => having(&format!("value = {}", p.bind(1))),
            IsFalse => having(&format!("value = {}", p.bind(0))),
            Equals | NotEquals if field.field_type == FieldType::Text => {
                let cond = format!("lower(value) = {}", p.bind(text(value)?));
                if op == Equals {
                    having(&cond)
                } else {
                    lacking(&cond)
                }
            }
            Equals | NotEquals | On => {
                let cond = format!("value = {}", p.bind(typed(value)?));
                if op == NotEquals {
                    lacking(&cond)
                } else {
                    having(&cond)
                }
            }
            Contains => having(&format!(
                "instr(lower(value), {}) > 0",
                p.bind(text(value)?)
            )),
            NotContains => lacking(&format!(
                "instr(lower(value), {}) > 0",
                p.bind(text(value)?)
            )),
            StartsWith => having(&format!(
                "instr(lower(value), {}) = 1",
                p.bind(text(value)?)
            )),
            EndsWith => {
                let b = p.bind(text(value)?);
                having(&format!("substr(lower(value), -length({b})) = {b}"))
            }
            GreaterThan | After => having(&format!("value > {}", p.bind(typed(value)?))),
            LessThan | Before => having(&format!("value < {}", p.bind(typed(value)?))),
            AtLeast => having(&format!("value >= {}", p.bind(typed(value)?))),
            AtMost => having(&format!("value <= {}", p.bind(typed(value)?))),
            Between => {
                let (a, b) = (typed(value)?, typed(value2)?);
                let (a, b) = (p.bind(a), p.bind(b));
                having(&format!("value BETWEEN {a} AND {b}"))
            }
            InLastDays | NotInLastDays => {
                let since = self.days_ago(days)?;
                let since = since.date().to_string();
                let today = self.today.date().to_string();
                let (a, b) = (self.p.bind(since), self.p.bind(today));
                let cond = format!("value >= {a} AND value <= {b}");
                if op == InLastDays {
                    having(&cond)
                } else {
                    having(&format!("value < {a}"))
                }
            }
        })
    }
}

/// How many contacts the rules match.
pub fn count(conn: &Connection, rules: &Rule) -> Result<i64> {
    let mut p = Params::default();
    let cond = compile(conn, rules, &mut p)?;
    Ok(conn
        .prepare(&format!("SELECT count(*) FROM contacts c WHERE {cond}"))?
        .query_row(p.as_params(), |r| r.get(0))?)
}

/// The ids of the contacts the rules match, in id order (campaign audiences use this).
pub fn resolve(conn: &Connection, rules: &Rule) -> Result<Vec<i64>> {
    let mut p = Params::default();
    let cond = compile(conn, rules, &mut p)?;
    let mut stmt = conn.prepare(&format!(
        "SELECT c.id FROM contacts c WHERE {cond} ORDER BY c.id"
    ))?;
    let ids = stmt.query_map(p.as_params(), |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Segment> {
    let rules: String = row.get(2)?;
    Ok(Segment {
        id: row.get(0)?,
        name: row.get(1)?,
        rules: serde_json::from_str(&rules).unwrap_or_else(|_| Rule::everyone()),
        created_at: row.get(3)?,
        updated_at: row.get(4)?,
    })
}

const COLUMNS: &str = "id, name, rules, created_at, updated_at";

pub fn list(conn: &Connection) -> Result<Vec<Segment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM segments ORDER BY name COLLATE NOCASE"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Segment> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM segments WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or(Error::NotFound {
        what: "segment",
        id,
    })
}

pub fn find_by_name(conn: &Connection, name: &str) -> Result<Option<Segment>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM segments WHERE name = ?1 COLLATE NOCASE"),
            [name.trim()],
            from_row,
        )
        .optional()?)
}

fn check_name(conn: &Connection, id: Option<i64>, name: &str) -> Result<()> {
    let problem = if name.is_empty() {
        Some("Enter a name.".to_owned())
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some(format!("Use at most {MAX_NAME_CHARS} characters."))
    } else if name.chars().any(char::is_control) {
        Some("A segment name is one line of text.".to_owned())
    } else {
        match find_by_name(conn, name)? {
            Some(other) if Some(other.id) != id => {
                Some(format!("A segment named “{}” already exists.", other.name))
            }
            _ => None,
        }
    };
    match problem {
        Some(m) => Err(Error::Validation(vec![FieldError::new("name", m)])),
        None => Ok(()),
    }
}

pub fn create(conn: &Connection, input: SegmentInput) -> Result<Segment> {
    let name = input.name.trim();
    check_name(conn, None, name)?;
    validate(conn, &input.rules)?;
    let now = now_timestamp();
    conn.execute(
        "INSERT INTO segments (name, rules, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
        params![name, to_json(&input.rules), now],
    )?;
    get(conn, conn.last_insert_rowid())
}

fn to_json(rules: &Rule) -> String {
    serde_json::to_string(rules)
        .unwrap_or_else(|_| r#"{"kind":"group","match":"all","rules":[]}"#.into())
}

pub fn rename(conn: &Connection, id: i64, name: &str) -> Result<Segment> {
    get(conn, id)?;
    let name = name.trim();
    check_name(conn, Some(id), name)?;
    conn.execute(
        "UPDATE segments SET name = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, name, now_timestamp()],
    )?;
    get(conn, id)
}

pub fn update_rules(conn: &Connection, id: i64, rules: &Rule) -> Result<Segment> {
    get(conn, id)?;
    validate(conn, rules)?;
    conn.execute(
        "UPDATE segments SET rules = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, to_json(rules), now_timestamp()],
    )?;
    get(conn, id)
}

/// Copies a segment under `name`, or "<name> (copy)", "<name> (copy 2)", … when `None`.
pub fn duplicate(conn: &Connection, id: i64, name: Option<&str>) -> Result<Segment> {
    let original = get(conn, id)?;
    let name = match name {
        Some(n) => n.trim().to_owned(),
        None => {
            let mut n = 1;
            loop {
                let candidate = if n == 1 {
                    format!("{} (copy)", original.name)
                } else {
                    format!("{} (copy {n})", original.name)
                };
                if find_by_name(conn, &candidate)?.is_none() {
                    break candidate;
                }
                n += 1;
            }
        }
    };
    check_name(conn, None, &name)?;
    let now = now_timestamp();
    conn.execute(
        "INSERT INTO segments (name, rules, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
        params![name, to_json(&original.rules), now],
    )?;
    get(conn, conn.last_insert_rowid())
}

pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    if conn.execute("DELETE FROM segments WHERE id = ?1", [id])? == 0 {
        return Err(Error::NotFound {
            what: "segment",
            id,
        });
    }
    Ok(())
}

/// The SQL `count` runs for `rules` (values appear only as `?N`). For tests and diagnostics.
#[doc(hidden)]
pub fn compiled_sql(conn: &Connection, rules: &Rule) -> Result<String> {
    let mut p = Params::default();
    let cond = compile(conn, rules, &mut p)?;
    Ok(format!("SELECT count(*) FROM contacts c WHERE {cond}"))
}
