//! The engine's durable writes, on one dedicated thread with its own connection.
//!
//! Group commit: every `mark_sending` waiting when the thread wakes is committed in one
//! transaction (with `synchronous = FULL`, so it survives power loss) before any of those
//! requests may leave; results (`sent`, `failed`, `unknown`, back to `pending`) are buffered
//! and ride along with the next commit, or are committed after `commit_interval` at most.
//! A result lost in a crash leaves its row `sending`, which the next run turns into
//! `unknown`: the guarantee errs towards "maybe not sent", never towards "send again".

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::campaigns::RecipientState;
use crate::db::{self, OpenMode};
use crate::error::{Error, Result};
use crate::time::now_rfc3339;

/// Most commands handled in one transaction.
const MAX_GROUP: usize = 4096;

/// The final (or intermediate) state of one send attempt.
#[derive(Debug)]
pub(crate) struct AttemptResult {
    pub recipient_id: i64,
    pub state: RecipientState,
    pub message_id: Option<String>,
    pub error: Option<String>,
    /// Whether a request was made (counts towards `attempts`).
    pub attempted: bool,
}

type Call = Box<dyn FnOnce(&mut Connection) + Send>;

enum Command {
    Mark {
        recipient_id: i64,
        reply: oneshot::Sender<Result<bool, String>>,
    },
    Record(AttemptResult),
    Call(Call),
}

/// A handle to the store thread; cheap to clone.
#[derive(Clone)]
pub(crate) struct Store {
    tx: mpsc::Sender<Command>,
}

impl Store {
    pub fn open(path: &Path, commit_interval: Duration) -> Result<Self> {
        let conn = db::open(path, OpenMode::Existing)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("herald-send-store".into())
            .spawn(move || run(conn, rx, commit_interval))
            .map_err(|e| Error::io("started", "the sending store thread", e))?;
        Ok(Self { tx })
    }

    /// Commits the recipient as `sending`. `Ok(false)` when the row is no longer pending
    /// (it must then not be sent).
    pub async fn mark_sending(&self, recipient_id: i64) -> Result<bool, String> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Mark {
                recipient_id,
                reply,
            })
            .map_err(|_| "the sending store has stopped".to_owned())?;
        rx.await
            .map_err(|_| "the sending store has stopped".to_owned())?
    }

    pub fn record(&self, result: AttemptResult) {
        // If the thread is gone the row stays `sending` and becomes `unknown`: safe.
        let _ = self.tx.send(Command::Record(result));
    }

    /// Runs `f` on the store's connection after everything recorded so far is committed.
    pub async fn call<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let call: Call = Box::new(move |conn| {
            let _ = reply.send(f(conn));
        });
        let stopped = || {
            Error::Database(rusqlite::Error::InvalidParameterName(
                "the sending store has stopped".into(),
            ))
        };
        self.tx.send(Command::Call(call)).map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

fn run(mut conn: Connection, rx: mpsc::Receiver<Command>, commit_interval: Duration) {
    let mut results: Vec<AttemptResult> = Vec::new();
    let mut oldest_result: Option<Instant> = None;
    loop {
        let first = match oldest_result {
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(since) => rx.recv_timeout(commit_interval.saturating_sub(since.elapsed())),
        };
        let mut marks = Vec::new();
        let mut calls = Vec::new();
        let mut disconnected = false;
        let mut push = |cmd: Command, results: &mut Vec<AttemptResult>| match cmd {
            Command::Mark {
                recipient_id,
                reply,
            } => marks.push((recipient_id, reply)),
            Command::Record(r) => results.push(r),
            Command::Call(c) => calls.push(c),
        };
        match first {
            Ok(cmd) => push(cmd, &mut results),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => disconnected = true,
        }
        // Whatever else is already waiting joins this transaction.
        for _ in 0..MAX_GROUP {
            match rx.try_recv() {
                Ok(cmd) => push(cmd, &mut results),
                Err(_) => break,
            }
        }
        if !results.is_empty() && oldest_result.is_none() {
            oldest_result = Some(Instant::now());
        }
        let due = oldest_result.is_some_and(|t| t.elapsed() >= commit_interval);
        if !marks.is_empty()
            || !calls.is_empty()
            || due
            || disconnected
            || results.len() >= MAX_GROUP
        {
            let outcome = commit(&mut conn, &results, &marks);
            results.clear();
            oldest_result = None;
            match outcome {
                Ok(changed) => {
                    for ((_, reply), ok) in marks.into_iter().zip(changed) {
                        let _ = reply.send(Ok(ok));
                    }
                }
                Err(e) => {
                    let message = format!("The campaign's progress could not be saved: {e}");
                    for (_, reply) in marks {
                        let _ = reply.send(Err(message.clone()));
                    }
                }
            }
            for call in calls {
                call(&mut conn);
            }
        }
        if disconnected {
            return;
        }
    }
}

/// One transaction: the buffered results, then the new `sending` marks. Returns, per mark,
/// whether the row was still pending.
fn commit(
    conn: &mut Connection,
    results: &[AttemptResult],
    marks: &[(i64, oneshot::Sender<Result<bool, String>>)],
) -> Result<Vec<bool>> {
    if results.is_empty() && marks.is_empty() {
        return Ok(Vec::new());
    }
    let now = now_rfc3339();
    let tx = conn.transaction()?;
    {
        let mut update = tx.prepare_cached(
            "UPDATE campaign_recipients
             SET state = ?2, ses_message_id = coalesce(?3, ses_message_id), last_error = ?4,
                 attempts = attempts + ?5, updated_at = ?6,
                 sent_at = CASE WHEN ?2 = 'sent' THEN ?6 ELSE sent_at END
             WHERE id = ?1 AND state IN ('pending', 'sending')",
        )?;
        for r in results {
            update.execute((
                r.recipient_id,
                r.state.as_str(),
                &r.message_id,
                &r.error,
                i64::from(r.attempted),
                &now,
            ))?;
        }
    }
    let mut changed = Vec::with_capacity(marks.len());
    {
        let mut mark = tx.prepare_cached(
            "UPDATE campaign_recipients SET state = 'sending', updated_at = ?2
             WHERE id = ?1 AND state = 'pending'",
        )?;
        for (id, _) in marks {
            changed.push(mark.execute((id, &now))? == 1);
        }
    }
    tx.commit()?;
    Ok(changed)
}
