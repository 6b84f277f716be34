//! The one place that opens a workspace database: pragmas, isolation and migrations.
//!
//! Migrations are the numbered files in `migrations/`, embedded at build time and applied
//! each in its own transaction. A database newer than this code is refused untouched, and a
//! file that is not a Herald database is never written to.

use std::path::Path;
use std::time::Duration;

use rusqlite::{limits::Limit, Connection, OpenFlags};

use crate::error::{Error, Result};

/// One embedded migration.
#[derive(Debug)]
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// Stamped into every workspace database (`PRAGMA application_id`): "HRLD".
pub const APPLICATION_ID: i32 = 0x4852_4C44;

/// The schema version this build of Herald writes and understands.
pub fn latest_version() -> u32 {
    MIGRATIONS.len() as u32
}

/// Whether `open` may create a missing database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    CreateNew,
    Existing,
}

/// Opens (or creates) the workspace database at `path`, configured and migrated.
pub fn open(path: &Path, mode: OpenMode) -> Result<Connection> {
    open_at_version(path, mode, latest_version())
}

/// Like [`open`], but migrates only up to `target`. Tests use it to build databases as
/// older versions of Herald left them.
pub fn open_at_version(path: &Path, mode: OpenMode, target: u32) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    match mode {
        OpenMode::CreateNew => flags |= OpenFlags::SQLITE_OPEN_CREATE,
        OpenMode::Existing if !path.exists() => {
            return Err(Error::io(
                "opened",
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "the database file is missing"),
            ))
        }
        OpenMode::Existing => {}
    }
    let mut conn = Connection::open_with_flags(path, flags)?;
    configure(&conn)?;
    check_identity(&conn, path)?;
    migrate(&mut conn, target)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // Isolation by construction: a statement on this connection cannot ATTACH another
    // workspace's file (or any file), so no query can reach beyond this workspace.
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Database(rusqlite::Error::InvalidParameterName(
            format!("journal_mode stayed {mode}; WAL is required"),
        )));
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

fn check_identity(conn: &Connection, path: &Path) -> Result<()> {
    let version = user_version(conn)?;
    let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    if version == 0 {
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        if tables > 0 || app_id != 0 {
            return Err(Error::NotAHeraldDatabase(path.to_owned()));
        }
    } else if app_id != APPLICATION_ID {
        return Err(Error::NotAHeraldDatabase(path.to_owned()));
    }
    if version > latest_version() {
        return Err(Error::SchemaTooNew {
            found: version,
            supported: latest_version(),
        });
    }
    Ok(())
}

fn migrate(conn: &mut Connection, target: u32) -> Result<()> {
    let current = user_version(conn)?;
    for migration in MIGRATIONS
        .iter()
        .filter(|m| m.version > current && m.version <= target)
    {
        let tx = conn.transaction()?;
        if migration.version == 1 {
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        tx.execute_batch(migration.sql)?;
        tx.pragma_update(None, "user_version", migration.version)?;
        tx.commit()?;
    }
    Ok(())
}

/// The schema version recorded in the database.
pub fn user_version(conn: &Connection) -> Result<u32> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(conn: &Connection) -> Vec<(String, String, String)> {
        let mut stmt = conn
            .prepare("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn migrations_are_numbered_from_one_without_gaps() {
        assert!(!MIGRATIONS.is_empty());
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "{}", m.name);
        }
    }

    #[test]
    fn a_database_from_every_older_version_upgrades_to_the_fresh_schema() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = open(&dir.path().join("fresh.db"), OpenMode::CreateNew).unwrap();
        for old in 1..latest_version() {
            let path = dir.path().join(format!("v{old}.db"));
            let conn = open_at_version(&path, OpenMode::CreateNew, old).unwrap();
            assert_eq!(user_version(&conn).unwrap(), old);
            drop(conn);
            let upgraded = open(&path, OpenMode::Existing).unwrap();
            assert_eq!(user_version(&upgraded).unwrap(), latest_version());
            assert_eq!(
                schema(&upgraded),
                schema(&fresh),
                "upgrade from version {old}"
            );
        }
    }

    #[test]
    fn a_newer_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("herald.db");
        drop(open(&path, OpenMode::CreateNew).unwrap());
        let newer = latest_version() + 1;
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", newer).unwrap();
            conn.execute_batch("CREATE TABLE from_the_future (x)")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = open(&path, OpenMode::Existing).unwrap_err();
        assert!(
            matches!(err, Error::SchemaTooNew { found, .. } if found == newer),
            "{err:?}"
        );
        assert!(err.to_string().contains("newer version of Herald"));
        let conn = Connection::open(&path).unwrap();
        assert_eq!(user_version(&conn).unwrap(), newer);
        drop(conn);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_foreign_sqlite_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE notes (body TEXT)")
            .unwrap();
        let err = open(&path, OpenMode::Existing).unwrap_err();
        assert!(matches!(err, Error::NotAHeraldDatabase(_)), "{err:?}");
    }

    #[test]
    fn connections_use_wal_foreign_keys_and_cannot_attach() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("a.db"), OpenMode::CreateNew).unwrap();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: bool = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert!(fk);
        let other = dir.path().join("b.db");
        drop(open(&other, OpenMode::CreateNew).unwrap());
        let attach = conn.execute(
            &format!("ATTACH DATABASE '{}' AS other", other.display()),
            [],
        );
        assert!(
            attach.is_err(),
            "ATTACH must be impossible on a workspace connection"
        );
    }
}
