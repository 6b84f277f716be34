//! Tags: named, coloured labels on contacts.
//!
//! API: [`list`] (with how many contacts carry each), [`get`], [`create`], [`update`] (rename,
//! colour), [`usage`] (how many contacts carry it: ask before [`delete`]), [`delete`],
//! [`find_or_create`] (imports). Assigning tags to many contacts is
//! [`crate::contacts::bulk`] with [`crate::contacts::BulkAction::Tag`].

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
use crate::time::now_timestamp;

/// A tag, with the number of contacts that carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Tag {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    #[ts(type = "number")]
    pub contact_count: i64,
}

/// What the tag form sends. A missing colour picks one from the palette.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TagInput {
    pub name: String,
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub colour: Option<String>,
}

/// The colours a new tag cycles through.
pub const PALETTE: [&str; 8] = [
    "#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#4b5563",
];

const MAX_NAME_CHARS: usize = 60;

fn from_row(row: &Row<'_>) -> rusqlite::Result<Tag> {
    Ok(Tag {
        id: row.get(0)?,
        name: row.get(1)?,
        colour: row.get(2)?,
        contact_count: row.get(3)?,
    })
}

const SELECT: &str = "SELECT t.id, t.name, t.colour,
        (SELECT count(*) FROM contact_tags ct WHERE ct.tag_id = t.id) FROM tags t";

/// Every tag, by name.
pub fn list(conn: &Connection) -> Result<Vec<Tag>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY t.name COLLATE NOCASE"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Tag> {
    conn.query_row(&format!("{SELECT} WHERE t.id = ?1"), [id], from_row)
        .optional()?
        .ok_or(Error::NotFound { what: "tag", id })
}

pub fn find_by_name(conn: &Connection, name: &str) -> Result<Option<Tag>> {
    Ok(conn
        .query_row(
            &format!("{SELECT} WHERE t.name = ?1 COLLATE NOCASE"),
            [name.trim()],
            from_row,
        )
        .optional()?)
}

fn check(conn: &Connection, id: Option<i64>, name: &str, colour: Option<&str>) -> Result<()> {
    let mut problems = Vec::new();
    if name.is_empty() {
        problems.push(FieldError::new("name", "Enter a name."));
    } else if name.chars().count() > MAX_NAME_CHARS {
        problems.push(FieldError::new(
            "name",
            format!("Use at most {MAX_NAME_CHARS} characters."),
        ));
    } else if name.chars().any(char::is_control) {
        problems.push(FieldError::new("name", "A tag name is one line of text."));
    } else if let Some(other) = find_by_name(conn, name)? {
        if Some(other.id) != id {
            problems.push(FieldError::new(
                "name",
                format!("A tag named “{}” already exists.", other.name),
            ));
        }
    }
    if let Some(colour) = colour {
        if !is_colour(colour) {
            problems.push(FieldError::new("colour", "Choose a colour like #2563eb."));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(problems))
    }
}

fn is_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|x| x.is_ascii_hexdigit())
}

pub fn create(conn: &Connection, input: TagInput) -> Result<Tag> {
    let name = input.name.trim();
    let colour = input
        .colour
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    check(conn, None, name, colour)?;
    let colour = match colour {
        Some(c) => c.to_lowercase(),
        None => {
            let n: i64 = conn.query_row("SELECT count(*) FROM tags", [], |r| r.get(0))?;
            PALETTE[n as usize % PALETTE.len()].to_owned()
        }
    };
    conn.execute(
        "INSERT INTO tags (name, colour, created_at) VALUES (?1, ?2, ?3)",
        params![name, colour, now_timestamp()],
    )?;
    get(conn, conn.last_insert_rowid())
}

/// Renames and/or recolours a tag.
pub fn update(conn: &Connection, id: i64, input: TagInput) -> Result<Tag> {
    let tag = get(conn, id)?;
    let name = input.name.trim();
    let colour = input
        .colour
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    check(conn, Some(id), name, colour)?;
    conn.execute(
        "UPDATE tags SET name = ?2, colour = ?3 WHERE id = ?1",
        params![
            id,
            name,
            colour.map(str::to_lowercase).unwrap_or(tag.colour)
        ],
    )?;
    get(conn, id)
}

/// How many contacts carry the tag (say it before deleting).
pub fn usage(conn: &Connection, id: i64) -> Result<i64> {
    Ok(get(conn, id)?.contact_count)
}

/// Deletes the tag and takes it off every contact; returns how many contacts carried it.
pub fn delete(conn: &Connection, id: i64) -> Result<i64> {
    let count = usage(conn, id)?;
    conn.execute("DELETE FROM tags WHERE id = ?1", [id])?;
    Ok(count)
}

/// The tag with this name (any case), created if missing. For imports and the CLI.
pub fn find_or_create(conn: &Connection, name: &str) -> Result<Tag> {
    match find_by_name(conn, name)? {
        Some(tag) => Ok(tag),
        None => create(
            conn,
            TagInput {
                name: name.to_owned(),
                colour: None,
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{open, OpenMode};

    #[test]
    fn tags_are_unique_without_regard_to_case_and_colours_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
        let vip = create(
            &conn,
            TagInput {
                name: " VIP ".into(),
                colour: None,
            },
        )
        .unwrap();
        assert_eq!(vip.name, "VIP");
        assert_eq!(vip.colour, PALETTE[0]);
        let dup = create(
            &conn,
            TagInput {
                name: "vip".into(),
                colour: None,
            },
        )
        .unwrap_err();
        assert_eq!(dup.fields()[0].field, "name");
        let bad = create(
            &conn,
            TagInput {
                name: "x".into(),
                colour: Some("red".into()),
            },
        )
        .unwrap_err();
        assert_eq!(bad.fields()[0].field, "colour");
        let renamed = update(
            &conn,
            vip.id,
            TagInput {
                name: "Very important".into(),
                colour: Some("#ABCDEF".into()),
            },
        )
        .unwrap();
        assert_eq!(renamed.colour, "#abcdef");
        assert_eq!(find_or_create(&conn, "very IMPORTANT").unwrap().id, vip.id);
        assert_eq!(delete(&conn, vip.id).unwrap(), 0);
        assert!(matches!(get(&conn, vip.id), Err(Error::NotFound { .. })));
    }
}
