//! Organisation workspaces: one folder each under `<home>/workspaces/`, holding `herald.db`
//! and `assets/`. A [`Workspace`] owns the only connection to its own database, so nothing
//! done through it can read or write another workspace.

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::{self, OpenMode};
use crate::error::{Error, Result};
use crate::secrets::{SecretKind, SecretStore};
use crate::time::now_rfc3339;

const DB_FILE: &str = "herald.db";
const ASSETS_DIR: &str = "assets";
const STATE_FILE: &str = "state.json";
const MAX_NAME_CHARS: usize = 64;

/// Where Herald keeps its workspaces: `HERALD_HOME` when set, else the OS data directory.
#[derive(Debug, Clone)]
pub struct Home {
    root: PathBuf,
}

/// A workspace as listed, without opening it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WorkspaceSummary {
    pub name: String,
    pub path: String,
    /// The workspace the app reopens on launch.
    pub last_opened: bool,
}

/// The open workspace, as the front ends show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WorkspaceInfo {
    pub id: String,
    pub name: String,
    pub path: String,
    pub created_at: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct AppState {
    last_workspace: Option<String>,
}

impl Home {
    /// The home named by `HERALD_HOME`, or the per-user data directory of the OS.
    pub fn from_env() -> Result<Self> {
        if let Some(dir) = std::env::var_os("HERALD_HOME").filter(|v| !v.is_empty()) {
            return Ok(Self::at(dir));
        }
        let dirs = directories::ProjectDirs::from("app", "Herald", "Herald").ok_or_else(|| {
            Error::io(
                "found",
                "the data directory",
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no home directory; set HERALD_HOME",
                ),
            )
        })?;
        Ok(Self::at(dirs.data_dir()))
    }

    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn workspaces_dir(&self) -> PathBuf {
        self.root.join("workspaces")
    }

    fn dir_of(&self, name: &str) -> PathBuf {
        self.workspaces_dir().join(name)
    }

    /// Every workspace folder that holds a database, sorted by name.
    pub fn list(&self) -> Result<Vec<WorkspaceSummary>> {
        let dir = self.workspaces_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io("read", dir, e)),
        };
        let last = self.last_opened_name();
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read", &dir, e))?;
            let path = entry.path();
            if !path.join(DB_FILE).is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            out.push(WorkspaceSummary {
                last_opened: last.as_deref() == Some(name.as_str()),
                path: path.display().to_string(),
                name,
            });
        }
        out.sort_by_key(|w| w.name.to_lowercase());
        Ok(out)
    }

    /// The workspace with this name, compared without regard to case.
    fn find(&self, name: &str) -> Result<Option<String>> {
        let wanted = name.trim().to_lowercase();
        Ok(self
            .list()?
            .into_iter()
            .map(|w| w.name)
            .find(|n| n.to_lowercase() == wanted))
    }

    fn existing_name(&self, name: &str) -> Result<String> {
        self.find(name)?
            .ok_or_else(|| Error::WorkspaceNotFound(name.trim().to_owned()))
    }

    /// Creates a new, empty workspace and opens it.
    pub fn create(&self, name: &str) -> Result<Workspace> {
        let name = validate_name(name)?;
        if self.find(&name)?.is_some() {
            return Err(Error::WorkspaceExists(name));
        }
        let dir = self.dir_of(&name);
        if dir.exists() {
            // A folder without a database: something the user put there. Leave it alone.
            return Err(Error::WorkspaceExists(name));
        }
        fs::create_dir_all(dir.join(ASSETS_DIR)).map_err(|e| Error::io("created", &dir, e))?;
        let conn = db::open(&dir.join(DB_FILE), OpenMode::CreateNew)?;
        let workspace = Workspace::from_connection(name, dir, conn)?;
        self.remember(&workspace.name)?;
        Ok(workspace)
    }

    /// Opens a workspace by name and remembers it as the one to reopen.
    pub fn open(&self, name: &str) -> Result<Workspace> {
        let name = self.existing_name(name)?;
        let dir = self.dir_of(&name);
        let conn = db::open(&dir.join(DB_FILE), OpenMode::Existing)?;
        fs::create_dir_all(dir.join(ASSETS_DIR)).map_err(|e| Error::io("created", &dir, e))?;
        let workspace = Workspace::from_connection(name, dir, conn)?;
        self.remember(&workspace.name)?;
        Ok(workspace)
    }

    /// Opens the workspace used last, if it still exists.
    pub fn open_last(&self) -> Result<Option<Workspace>> {
        match self.last_opened_name() {
            Some(name) if self.find(&name)?.is_some() => self.open(&name).map(Some),
            _ => Ok(None),
        }
    }

    /// Renames a workspace's folder. The workspace must not be open elsewhere in this process.
    pub fn rename(&self, from: &str, to: &str) -> Result<WorkspaceSummary> {
        let from = self.existing_name(from)?;
        let to = validate_name(to)?;
        if let Some(other) = self.find(&to)? {
            if other != from {
                return Err(Error::WorkspaceExists(to));
            }
        }
        let (src, dst) = (self.dir_of(&from), self.dir_of(&to));
        if from != to {
            fs::rename(&src, &dst).map_err(|e| Error::io("renamed", &src, e))?;
        }
        if self.last_opened_name().as_deref() == Some(from.as_str()) {
            self.remember(&to)?;
        }
        Ok(WorkspaceSummary {
            last_opened: self.last_opened_name().as_deref() == Some(to.as_str()),
            path: dst.display().to_string(),
            name: to,
        })
    }

    /// Deletes a workspace, its folder and its keychain entries. `confirmation` must be the
    /// workspace's name, typed by the user.
    pub fn delete(&self, name: &str, confirmation: &str, secrets: &dyn SecretStore) -> Result<()> {
        let name = self.existing_name(name)?;
        if confirmation.trim() != name {
            return Err(Error::ConfirmationMismatch(name));
        }
        let dir = self.dir_of(&name);
        // Read the id first so the keychain entries can go too; a database that cannot be
        // read still lets the user remove the folder.
        let id = db::open(&dir.join(DB_FILE), OpenMode::Existing)
            .ok()
            .and_then(|conn| read_id(&conn).ok().flatten());
        if let Some(id) = id {
            for kind in SecretKind::ALL {
                secrets.delete(&id, kind)?;
            }
        }
        fs::remove_dir_all(&dir).map_err(|e| Error::io("deleted", &dir, e))?;
        if self.last_opened_name().as_deref() == Some(name.as_str()) {
            self.write_state(&AppState::default())?;
        }
        Ok(())
    }

    /// The name of the workspace to reopen on launch.
    pub fn last_opened_name(&self) -> Option<String> {
        let text = fs::read_to_string(self.root.join(STATE_FILE)).ok()?;
        serde_json::from_str::<AppState>(&text).ok()?.last_workspace
    }

    fn remember(&self, name: &str) -> Result<()> {
        if self.last_opened_name().as_deref() == Some(name) {
            return Ok(());
        }
        self.write_state(&AppState {
            last_workspace: Some(name.to_owned()),
        })
    }

    /// Replaces the state file atomically. Several Herald processes (the app, `herald` in a
    /// terminal, a send in the background) may write it at once, so each writes its own
    /// temporary file: with a shared one, a rename could find it already moved.
    fn write_state(&self, state: &AppState) -> Result<()> {
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        fs::create_dir_all(&self.root).map_err(|e| Error::io("created", &self.root, e))?;
        let path = self.root.join(STATE_FILE);
        let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = self
            .root
            .join(format!("{STATE_FILE}.{}-{n}.tmp", std::process::id()));
        let json = serde_json::to_vec_pretty(state).expect("app state serialises");
        fs::write(&tmp, json).map_err(|e| Error::io("written", &tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            Error::io("written", &path, e)
        })
    }
}

/// An open workspace: its identity and its own database connection.
#[derive(Debug)]
pub struct Workspace {
    id: String,
    name: String,
    dir: PathBuf,
    created_at: String,
    conn: Connection,
}

impl Workspace {
    fn from_connection(name: String, dir: PathBuf, conn: Connection) -> Result<Self> {
        let (id, created_at) = match read_identity(&conn)? {
            Some(identity) => identity,
            None => {
                let identity = (uuid::Uuid::new_v4().to_string(), now_rfc3339());
                conn.execute(
                    "INSERT INTO workspace_info (singleton, id, created_at) VALUES (1, ?1, ?2)",
                    (&identity.0, &identity.1),
                )?;
                identity
            }
        };
        Ok(Self {
            id,
            name,
            dir,
            created_at,
            conn,
        })
    }

    /// The stable id that names this workspace's keychain entries.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The workspace's database file, for work that needs its own connection (an import on
    /// a background thread opens it with `db::open(path, OpenMode::Existing)`).
    pub fn db_path(&self) -> PathBuf {
        self.dir().join(DB_FILE)
    }

    pub fn assets_dir(&self) -> PathBuf {
        self.dir.join(ASSETS_DIR)
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn info(&self) -> WorkspaceInfo {
        WorkspaceInfo {
            id: self.id.clone(),
            name: self.name.clone(),
            path: self.dir.display().to_string(),
            created_at: self.created_at.clone(),
        }
    }
}

fn read_identity(conn: &Connection) -> Result<Option<(String, String)>> {
    Ok(conn
        .query_row(
            "SELECT id, created_at FROM workspace_info WHERE singleton = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

fn read_id(conn: &Connection) -> Result<Option<String>> {
    Ok(read_identity(conn)?.map(|(id, _)| id))
}

/// Checks a workspace name: it becomes a folder name on every OS Herald runs on.
pub fn validate_name(name: &str) -> Result<String> {
    let name = name.trim();
    let bad = |message: &str| Err(Error::invalid("name", message));
    if name.is_empty() {
        return bad("Enter a name for the workspace.");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return bad("Use at most 64 characters.");
    }
    if let Some(c) = name
        .chars()
        .find(|c| r#"/\:*?"<>|"#.contains(*c) || c.is_control())
    {
        return Err(Error::invalid(
            "name",
            format!("A workspace name cannot contain “{c}”."),
        ));
    }
    if name.starts_with('.') || name.ends_with('.') {
        return bad("A workspace name cannot start or end with a dot.");
    }
    let stem = name.split('.').next().unwrap_or(name).to_ascii_uppercase();
    let reserved = ["CON", "PRN", "AUX", "NUL"].contains(&stem.as_str())
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    if reserved {
        return bad("That name is reserved by Windows; choose another.");
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecretStore;

    #[test]
    fn names_are_checked_for_every_os() {
        assert_eq!(validate_name("  Acme EU  ").unwrap(), "Acme EU");
        assert_eq!(validate_name("Café Ünïcode").unwrap(), "Café Ünïcode");
        for bad in [
            "",
            "   ",
            "a/b",
            "a\\b",
            "x:y",
            "..",
            ".hidden",
            "CON",
            "com1",
            "lpt9.txt",
            "tab\there",
        ] {
            assert!(validate_name(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(validate_name(&"x".repeat(65)).is_err());
    }

    #[test]
    fn processes_writing_the_state_at_once_never_fail() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        home.create("Acme").unwrap();
        home.create("Beta").unwrap();
        std::thread::scope(|s| {
            for t in 0..8 {
                let home = &home;
                s.spawn(move || {
                    for i in 0..200 {
                        let name = if (t + i) % 2 == 0 { "Acme" } else { "Beta" };
                        home.remember(name).unwrap();
                    }
                });
            }
        });
        assert!(matches!(
            home.last_opened_name().as_deref(),
            Some("Acme" | "Beta")
        ));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "no temporary files left behind");
    }

    #[test]
    fn create_list_rename_delete_and_remember_the_last_one() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home::at(tmp.path());
        let secrets = MemorySecretStore::default();
        assert!(home.list().unwrap().is_empty());
        assert!(home.open_last().unwrap().is_none());

        let acme = home.create("Acme").unwrap();
        assert!(acme.dir().join("herald.db").is_file());
        assert!(acme.assets_dir().is_dir());
        let acme_id = acme.id().to_owned();
        drop(acme);
        home.create("Beta").unwrap();
        assert!(matches!(
            home.create("acme"),
            Err(Error::WorkspaceExists(_))
        ));

        let names: Vec<_> = home
            .list()
            .unwrap()
            .into_iter()
            .map(|w| (w.name, w.last_opened))
            .collect();
        assert_eq!(names, vec![("Acme".into(), false), ("Beta".into(), true)]);

        home.open("ACME").unwrap();
        assert_eq!(home.last_opened_name().as_deref(), Some("Acme"));
        let renamed = home.rename("Acme", "Acme Europe").unwrap();
        assert!(renamed.last_opened);
        let reopened = home.open_last().unwrap().unwrap();
        assert_eq!(reopened.name(), "Acme Europe");
        assert_eq!(reopened.id(), acme_id, "the id survives a rename");
        drop(reopened);
        assert!(matches!(
            home.rename("Beta", "acme europe"),
            Err(Error::WorkspaceExists(_))
        ));

        secrets
            .set(&acme_id, SecretKind::AwsCredentials, "secret")
            .unwrap();
        assert!(matches!(
            home.delete("Acme Europe", "Acme", &secrets),
            Err(Error::ConfirmationMismatch(_))
        ));
        home.delete("Acme Europe", "Acme Europe", &secrets).unwrap();
        assert_eq!(
            secrets.get(&acme_id, SecretKind::AwsCredentials).unwrap(),
            None
        );
        assert_eq!(home.list().unwrap().len(), 1);
        assert!(home.open_last().unwrap().is_none());
        assert!(matches!(
            home.open("Acme Europe"),
            Err(Error::WorkspaceNotFound(_))
        ));
    }

    #[test]
    fn a_folder_without_a_database_is_neither_listed_nor_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home::at(tmp.path());
        let stray = tmp.path().join("workspaces").join("Stray");
        fs::create_dir_all(&stray).unwrap();
        fs::write(stray.join("notes.txt"), "mine").unwrap();
        assert!(home.list().unwrap().is_empty());
        assert!(home.create("Stray").is_err());
        assert_eq!(fs::read_to_string(stray.join("notes.txt")).unwrap(), "mine");
    }
}
