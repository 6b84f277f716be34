//! The workspace suppression list: addresses Herald never sends to again, whatever an
//! audience says. Hard bounces and complaints arrive from the events poller; a person can
//! add or remove an address by hand. Addresses compare without regard to case
//! ([`crate::contacts::email_key`]).

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::contacts::{check_email, email_key};
use crate::error::{Error, FieldError, Result};
use crate::time::now_timestamp;

/// Why an address is suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SuppressionReason {
    HardBounce,
    Complaint,
    Unsubscribe,
    Manual,
}

impl SuppressionReason {
    pub const ALL: [SuppressionReason; 4] = [
        SuppressionReason::HardBounce,
        SuppressionReason::Complaint,
        SuppressionReason::Unsubscribe,
        SuppressionReason::Manual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionReason::HardBounce => "hard_bounce",
            SuppressionReason::Complaint => "complaint",
            SuppressionReason::Unsubscribe => "unsubscribe",
            SuppressionReason::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

/// One suppressed address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Suppression {
    #[ts(type = "number")]
    pub id: i64,
    /// As first seen.
    pub email: String,
    pub reason: SuppressionReason,
    pub detail: Option<String>,
    #[ts(type = "number | null")]
    pub campaign_id: Option<i64>,
    pub created_at: String,
}

const COLUMNS: &str = "id, email, reason, detail, campaign_id, created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Suppression> {
    let reason: String = r.get(2)?;
    Ok(Suppression {
        id: r.get(0)?,
        email: r.get(1)?,
        reason: SuppressionReason::parse(&reason).unwrap_or(SuppressionReason::Manual),
        detail: r.get(3)?,
        campaign_id: r.get(4)?,
        created_at: r.get(5)?,
    })
}

/// Suppresses an address. An address already on the list keeps its first entry (the
/// original reason is the one worth knowing); that entry is returned.
pub fn add(
    conn: &Connection,
    email: &str,
    reason: SuppressionReason,
    detail: Option<&str>,
    campaign_id: Option<i64>,
) -> Result<Suppression> {
    let email = email.trim();
    check_email(email).map_err(|m| Error::Validation(vec![FieldError::new("email", m)]))?;
    conn.execute(
        "INSERT INTO suppressions (email, email_key, reason, detail, campaign_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (email_key) DO NOTHING",
        (
            email,
            email_key(email),
            reason.as_str(),
            detail.map(str::trim).filter(|d| !d.is_empty()),
            campaign_id,
            now_timestamp(),
        ),
    )?;
    get(conn, email)?.ok_or_else(|| Error::invalid("email", "The address could not be added."))
}

/// The entry for an address, if it is suppressed.
pub fn get(conn: &Connection, email: &str) -> Result<Option<Suppression>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM suppressions WHERE email_key = ?1"),
            [email_key(email)],
            from_row,
        )
        .optional()?)
}

/// Whether Herald must not send to this address.
pub fn contains(conn: &Connection, email: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM suppressions WHERE email_key = ?1)",
        [email_key(email)],
        |r| r.get(0),
    )?)
}

/// Takes an address off the list; a `not_found` error when it was not on it.
pub fn remove(conn: &Connection, email: &str) -> Result<()> {
    let removed = conn.execute(
        "DELETE FROM suppressions WHERE email_key = ?1",
        [email_key(email)],
    )?;
    if removed == 0 {
        return Err(Error::invalid(
            "email",
            format!("{} is not on the suppression list.", email.trim()),
        ));
    }
    Ok(())
}

/// The list, newest first; `search` narrows it to addresses containing the text.
pub fn list(conn: &Connection, search: Option<&str>) -> Result<Vec<Suppression>> {
    let pattern = search
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| format!("%{}%", s.to_lowercase().replace(['%', '_'], "")));
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM suppressions WHERE ?1 IS NULL OR email_key LIKE ?1
         ORDER BY created_at DESC, id DESC"
    ))?;
    let rows = stmt.query_map([pattern], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{open, OpenMode};

    #[test]
    fn add_list_contains_and_remove_ignore_case() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
        let first = add(
            &conn,
            " Jane@Example.com ",
            SuppressionReason::HardBounce,
            Some("550 no such user"),
            None,
        )
        .unwrap();
        assert_eq!(first.email, "Jane@Example.com");
        let again = add(
            &conn,
            "jane@example.COM",
            SuppressionReason::Manual,
            None,
            None,
        )
        .unwrap();
        assert_eq!(again.id, first.id, "one entry per address");
        assert_eq!(again.reason, SuppressionReason::HardBounce);
        add(
            &conn,
            "bob@example.com",
            SuppressionReason::Manual,
            None,
            None,
        )
        .unwrap();
        assert!(contains(&conn, "JANE@example.com").unwrap());
        assert_eq!(list(&conn, None).unwrap().len(), 2);
        assert_eq!(
            list(&conn, Some("BOB")).unwrap()[0].email,
            "bob@example.com"
        );
        assert_eq!(
            add(&conn, "nope", SuppressionReason::Manual, None, None)
                .unwrap_err()
                .fields()[0]
                .field,
            "email"
        );
        remove(&conn, "jane@example.com").unwrap();
        assert!(!contains(&conn, "jane@example.com").unwrap());
        assert!(remove(&conn, "jane@example.com").is_err());
    }
}
