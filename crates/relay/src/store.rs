//! The relay's SQLite database: workspaces, their topics and unsubscribe keys, and the
//! events waiting to be polled. Events are written by one writer thread that commits
//! waiting inserts together (group commit), so each SNS message is durable before its
//! `200` without one fsync per message.

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::oneshot;

use herald_protocol::api::{
    EventBody, EventPage, RelayEvent, SubscriptionState, TopicStatus, UnsubscribeKeyInfo,
};

const SCHEMA_VERSION: i64 = 1;
const TOKEN_PREFIX: &str = "hrt_";
/// The most inserts one transaction takes.
const MAX_BATCH: usize = 512;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database {0} was made by a newer Herald Relay; upgrade the relay")]
    TooNew(PathBuf),
    #[error("no workspace is named {0:?}")]
    NoSuchWorkspace(String),
    #[error("a workspace named {0:?} exists already")]
    WorkspaceExists(String),
    #[error("the topic {0} belongs to another workspace")]
    TopicTaken(String),
    #[error("storing the event failed: {0}")]
    Write(String),
    #[error("the event store has stopped")]
    Stopped,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A relay workspace (one Herald desktop workspace, or one team).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WorkspaceRow {
    pub id: i64,
    pub name: String,
    pub created_at: String,
}

/// Opens (creating and migrating) the database at `path` with the relay's settings.
pub fn open(path: &Path) -> Result<Connection> {
    let conn = connect(path)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew(path.to_owned()));
    }
    if version < SCHEMA_VERSION {
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;",
            include_str!("schema.sql")
        ))?;
    }
    Ok(conn)
}

fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
    )?;
    Ok(conn)
}

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).expect("the operating system's random source");
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_token() -> (String, String, Vec<u8>) {
    use base64::Engine;
    let token_id = hex(&random_bytes::<8>());
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let hash = Sha256::digest(secret.as_bytes()).to_vec();
    (format!("{TOKEN_PREFIX}{token_id}_{secret}"), token_id, hash)
}

// ---- Administration (the `workspace` subcommands) ----

/// Creates a workspace and returns its bearer token, which is not stored and cannot be shown again.
pub fn add_workspace(conn: &Connection, name: &str) -> Result<String> {
    let (token, token_id, hash) = new_token();
    match conn.execute(
        "INSERT INTO workspaces (name, token_id, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, token_id, hash, now_rfc3339()],
    ) {
        Ok(_) => Ok(token),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Err(StoreError::WorkspaceExists(name.to_owned()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Gives the workspace a new token; the old one stops working at once.
pub fn rotate_token(conn: &Connection, name: &str) -> Result<String> {
    let (token, token_id, hash) = new_token();
    let changed = conn.execute(
        "UPDATE workspaces SET token_id = ?2, token_hash = ?3 WHERE name = ?1",
        params![name, token_id, hash],
    )?;
    if changed == 0 {
        return Err(StoreError::NoSuchWorkspace(name.to_owned()));
    }
    Ok(token)
}

/// Removes the workspace with its topics, keys and events.
pub fn remove_workspace(conn: &Connection, name: &str) -> Result<()> {
    if conn.execute("DELETE FROM workspaces WHERE name = ?1", [name])? == 0 {
        return Err(StoreError::NoSuchWorkspace(name.to_owned()));
    }
    Ok(())
}

pub fn list_workspaces(conn: &Connection) -> Result<Vec<WorkspaceRow>> {
    let mut stmt = conn.prepare("SELECT id, name, created_at FROM workspaces ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(WorkspaceRow {
            id: r.get(0)?,
            name: r.get(1)?,
            created_at: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

// ---- Lookups for the server ----

/// The workspace a bearer token belongs to. The secret is compared in constant time.
pub fn authenticate(conn: &Connection, bearer: &str) -> Result<Option<WorkspaceRow>> {
    let Some((token_id, secret)) = bearer
        .strip_prefix(TOKEN_PREFIX)
        .and_then(|rest| rest.split_once('_'))
    else {
        return Ok(None);
    };
    let row = conn
        .query_row(
            "SELECT id, name, created_at, token_hash FROM workspaces WHERE token_id = ?1",
            [token_id],
            |r| {
                Ok((
                    WorkspaceRow {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        created_at: r.get(2)?,
                    },
                    r.get::<_, Vec<u8>>(3)?,
                ))
            },
        )
        .optional()?;
    let presented = Sha256::digest(secret.as_bytes());
    Ok(row.and_then(|(workspace, stored)| {
        bool::from(stored.as_slice().ct_eq(presented.as_slice())).then_some(workspace)
    }))
}

/// The workspace that registered `topic_arn`, if any.
pub fn topic_workspace(conn: &Connection, topic_arn: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT workspace_id FROM topics WHERE topic_arn = ?1")?
        .query_row([topic_arn], |r| r.get(0))
        .optional()?)
}

pub fn set_subscription(
    conn: &Connection,
    topic_arn: &str,
    state: SubscriptionState,
) -> Result<()> {
    let (name, confirmed_at) = match state {
        SubscriptionState::Pending => ("pending", None),
        SubscriptionState::Confirmed => ("confirmed", Some(now_rfc3339())),
        SubscriptionState::Unsubscribed => ("unsubscribed", None),
    };
    conn.execute(
        "UPDATE topics SET subscription = ?2, confirmed_at = COALESCE(?3, confirmed_at)
         WHERE topic_arn = ?1",
        params![topic_arn, name, confirmed_at],
    )?;
    Ok(())
}

/// Replaces the workspace's topics with `topic_arns`, keeping the state of those it keeps.
pub fn set_topics(conn: &mut Connection, workspace_id: i64, topic_arns: &[String]) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for arn in topic_arns {
        let owner: Option<i64> = tx
            .query_row(
                "SELECT workspace_id FROM topics WHERE topic_arn = ?1",
                [arn],
                |r| r.get(0),
            )
            .optional()?;
        match owner {
            Some(owner) if owner != workspace_id => {
                return Err(StoreError::TopicTaken(arn.clone()))
            }
            Some(_) => {}
            None => {
                tx.execute(
                    "INSERT INTO topics (topic_arn, workspace_id) VALUES (?1, ?2)",
                    params![arn, workspace_id],
                )?;
            }
        }
    }
    let keep = serde_json::to_string(topic_arns).unwrap_or_else(|_| "[]".into());
    tx.execute(
        "DELETE FROM topics WHERE workspace_id = ?1
         AND topic_arn NOT IN (SELECT value FROM json_each(?2))",
        params![workspace_id, keep],
    )?;
    tx.commit()?;
    Ok(())
}

pub fn topics(conn: &Connection, workspace_id: i64) -> Result<Vec<TopicStatus>> {
    let mut stmt = conn.prepare(
        "SELECT topic_arn, subscription, confirmed_at FROM topics
         WHERE workspace_id = ?1 ORDER BY topic_arn",
    )?;
    let rows = stmt.query_map([workspace_id], |r| {
        let state: String = r.get(1)?;
        Ok(TopicStatus {
            topic_arn: r.get(0)?,
            subscription: match state.as_str() {
                "confirmed" => SubscriptionState::Confirmed,
                "unsubscribed" => SubscriptionState::Unsubscribed,
                _ => SubscriptionState::Pending,
            },
            confirmed_at: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Adds an unsubscribe key (idempotent: the same key again changes nothing).
pub fn add_unsubscribe_key(
    conn: &Connection,
    workspace_id: i64,
    app_workspace_id: &str,
    key: &[u8],
) -> Result<()> {
    conn.execute(
        "INSERT INTO unsubscribe_keys (workspace_id, app_workspace_id, fingerprint, key, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        params![
            workspace_id,
            app_workspace_id,
            herald_protocol::unsubscribe::key_fingerprint(key),
            key,
            now_rfc3339()
        ],
    )?;
    Ok(())
}

pub fn unsubscribe_keys(conn: &Connection, workspace_id: i64) -> Result<Vec<UnsubscribeKeyInfo>> {
    let mut stmt = conn.prepare(
        "SELECT app_workspace_id, fingerprint, added_at FROM unsubscribe_keys
         WHERE workspace_id = ?1 ORDER BY added_at, fingerprint",
    )?;
    let rows = stmt.query_map([workspace_id], |r| {
        Ok(UnsubscribeKeyInfo {
            workspace_id: r.get(0)?,
            fingerprint: r.get(1)?,
            added_at: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every (relay workspace, key) registered for a desktop workspace id.
pub fn keys_for_app_workspace(
    conn: &Connection,
    app_workspace_id: &str,
) -> Result<Vec<(i64, Vec<u8>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT workspace_id, key FROM unsubscribe_keys WHERE app_workspace_id = ?1",
    )?;
    let rows = stmt.query_map([app_workspace_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether an event with this dedupe key is stored (and not yet purged).
pub fn has_event(conn: &Connection, dedupe_key: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM events WHERE dedupe_key = ?1")?
        .exists([dedupe_key])?)
}

/// Up to `limit` events of the workspace after `after`, oldest first.
pub fn events_after(
    conn: &Connection,
    workspace_id: i64,
    after: u64,
    limit: u32,
) -> Result<EventPage> {
    let mut stmt = conn.prepare_cached(
        "SELECT cursor, received_at, body FROM events
         WHERE workspace_id = ?1 AND cursor > ?2 ORDER BY cursor LIMIT ?3",
    )?;
    let after_i64 = i64::try_from(after).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![workspace_id, after_i64, limit + 1], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut events = Vec::new();
    for row in rows {
        let (cursor, received_at, body) = row?;
        // A body this relay cannot read (written by a newer version) is skipped, not fatal.
        if let Ok(event) = serde_json::from_str::<EventBody>(&body) {
            events.push(RelayEvent {
                cursor: cursor as u64,
                received_at,
                event,
            });
        }
    }
    let has_more = events.len() > limit as usize;
    events.truncate(limit as usize);
    let next_cursor = events.last().map_or(after, |e| e.cursor);
    Ok(EventPage {
        events,
        next_cursor,
        has_more,
    })
}

/// Deletes events received more than `retention_days` ago; returns how many.
pub fn purge(conn: &Connection, retention_days: u32) -> Result<usize> {
    let cutoff = now_unix() - i64::from(retention_days) * 86_400;
    Ok(conn.execute("DELETE FROM events WHERE received_unix < ?1", [cutoff])?)
}

// ---- Connections for the server ----

/// A few reusable connections for the server's reads and rare writes.
pub struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Pool {
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` with a connection on the blocking thread pool.
    pub async fn run<T: Send + 'static>(
        self: &std::sync::Arc<Self>,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let taken = pool.idle.lock().map(|mut idle| idle.pop()).ok().flatten();
            let mut conn = match taken {
                Some(conn) => conn,
                None => connect(&pool.path)?,
            };
            let result = f(&mut conn);
            if let Ok(mut idle) = pool.idle.lock() {
                if idle.len() < 8 {
                    idle.push(conn);
                }
            }
            result
        })
        .await
        .map_err(|_| StoreError::Stopped)?
    }
}

/// An event to store once.
pub struct NewEvent {
    pub workspace_id: i64,
    pub dedupe_key: String,
    pub body: EventBody,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New,
    Duplicate,
}

type Reply = oneshot::Sender<Result<Stored, String>>;

/// The single writer of events.
#[derive(Clone)]
pub struct EventWriter {
    jobs: mpsc::Sender<(NewEvent, Reply)>,
}

impl EventWriter {
    /// Starts the writer thread on its own connection to `path`.
    pub fn start(path: &Path) -> Result<Self> {
        let conn = connect(path)?;
        let (jobs, inbox) = mpsc::channel::<(NewEvent, Reply)>();
        std::thread::Builder::new()
            .name("relay-writer".into())
            .spawn(move || write_loop(conn, inbox))
            .map_err(|_| StoreError::Stopped)?;
        Ok(Self { jobs })
    }

    /// Stores `event` unless its dedupe key is known; returns once it is committed.
    pub async fn store(&self, event: NewEvent) -> Result<Stored> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send((event, reply))
            .map_err(|_| StoreError::Stopped)?;
        match answer.await {
            Ok(Ok(stored)) => Ok(stored),
            Ok(Err(message)) => Err(StoreError::Write(message)),
            Err(_) => Err(StoreError::Stopped),
        }
    }
}

fn write_loop(mut conn: Connection, inbox: mpsc::Receiver<(NewEvent, Reply)>) {
    while let Ok(first) = inbox.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match inbox.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let outcomes = write_batch(&mut conn, &batch);
        for ((_, reply), outcome) in batch.into_iter().zip(outcomes) {
            let _ = reply.send(outcome);
        }
    }
}

fn write_batch(conn: &mut Connection, batch: &[(NewEvent, Reply)]) -> Vec<Result<Stored, String>> {
    let mut attempt = || -> rusqlite::Result<Vec<Result<Stored, String>>> {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut outcomes = Vec::with_capacity(batch.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO events (workspace_id, dedupe_key, received_at, received_unix, body)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (dedupe_key) DO NOTHING",
            )?;
            let (received_at, received_unix) = (now_rfc3339(), now_unix());
            for (event, _) in batch {
                let body = serde_json::to_string(&event.body).unwrap_or_default();
                // A failed statement rolls back only itself; the others still commit.
                outcomes.push(
                    match insert.execute(params![
                        event.workspace_id,
                        event.dedupe_key,
                        received_at,
                        received_unix,
                        body
                    ]) {
                        Ok(0) => Ok(Stored::Duplicate),
                        Ok(_) => Ok(Stored::New),
                        Err(e) => Err(e.to_string()),
                    },
                );
            }
        }
        tx.commit()?;
        Ok(outcomes)
    };
    match attempt() {
        Ok(outcomes) => outcomes,
        Err(e) => batch.iter().map(|_| Err(e.to_string())).collect(),
    }
}
