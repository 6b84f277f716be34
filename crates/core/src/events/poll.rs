//! Polling Herald Relay: the HTTP client for its authenticated API (the wire types are
//! `herald_protocol::api`, shared with the relay), the workspace's cursor, and one poll
//! that pulls every waiting page and ingests the pages, several at a time, in the same
//! transaction as the new cursor, so a crash mid-poll neither loses nor double-counts an
//! event.

use std::time::Duration;

use herald_protocol::api::{
    ApiError, EventBody, EventPage, TopicsRequest, UnsubscribeKeyRequest, WorkspaceStatus,
    EVENTS_PATH, MAX_PAGE_LIMIT, TOPICS_PATH, UNSUBSCRIBE_KEY_PATH, WORKSPACE_PATH,
};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{ingest_in, BounceGuard, InboundBody, InboundEvent, IngestReport};
use crate::error::{Error, RelayErrorKind, Result};
use crate::secrets::{SecretKind, SecretStore};
use crate::settings::Settings;
use crate::time::now_timestamp;

/// Most pages one poll takes before it lets others use the database (the next poll goes on).
pub const MAX_PAGES_PER_POLL: usize = 200;
/// Pages are applied together, in one transaction, until they hold this many events. A
/// catch-up touches the same recipient and index pages again and again: one transaction
/// writes each of them once instead of once per relay page (at most 1,000 events). With a
/// million recipients 50,000 events per transaction ingest about 70,000 events/s against
/// about 50,000 with 25,000 and 39,000 with 10,000 (docs/PERFORMANCE.md); it is about 0.7 s of
/// work, during which the workspace is busy. Only a catch-up fills a transaction: a regular
/// poll brings far fewer events.
pub const EVENTS_PER_TRANSACTION: usize = 50_000;
/// How often the app polls while it runs.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

/// How to reach the workspace's relay.
#[derive(Clone)]
pub struct RelayClient {
    base_url: String,
    token: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for RelayClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

fn not_configured(message: &str) -> Error {
    Error::Relay {
        kind: RelayErrorKind::NotConfigured,
        message: message.to_owned(),
    }
}

impl RelayClient {
    pub fn new(base_url: &str, token: &str) -> Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("Herald/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Relay {
                kind: RelayErrorKind::Unreachable,
                message: format!("Herald could not prepare its connection to the relay: {e}"),
            })?;
        Ok(Self {
            base_url: base_url.trim().trim_end_matches('/').to_owned(),
            token: token.trim().to_owned(),
            http,
        })
    }

    /// The client for a workspace: `relay_url` from its settings, the token from the
    /// keychain.
    pub fn for_workspace(
        settings: &Settings,
        secrets: &dyn SecretStore,
        workspace_id: &str,
    ) -> Result<Self> {
        let url = settings.relay_url.as_deref().ok_or_else(|| {
            not_configured(
                "No relay is set for this workspace. Enter the relay URL and token in \
                 Settings → Event tracking (your IT department has them).",
            )
        })?;
        let token = secrets
            .get(workspace_id, SecretKind::RelayToken)?
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                not_configured(
                    "No relay token is stored for this workspace. Enter the token your IT \
                     department created (herald-relay workspace add) in Settings → Event tracking.",
                )
            })?;
        Self::new(url, &token)
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    async fn call<T: for<'de> Deserialize<'de>>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T> {
        let response = request
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| Error::Relay {
                kind: RelayErrorKind::Unreachable,
                message: format!(
                    "The relay at {} could not be reached: {}. Check the relay URL and your \
                     network.",
                    self.base_url,
                    without_url(&e)
                ),
            })?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| Error::Relay {
            kind: RelayErrorKind::Unreachable,
            message: format!("The relay's answer was cut off: {}.", without_url(&e)),
        })?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| Error::Relay {
                kind: RelayErrorKind::Service,
                message: format!(
                    "The relay answered something Herald does not understand ({e}). Is {} a \
                     Herald Relay of a matching version?",
                    self.base_url
                ),
            });
        }
        let said = serde_json::from_slice::<ApiError>(&body)
            .map(|e| e.error.message)
            .unwrap_or_else(|_| format!("HTTP {status}"));
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(Error::Relay {
                kind: RelayErrorKind::Unauthorized,
                message: format!(
                    "The relay refused this workspace's token ({said}). Enter the current token \
                     in Settings → Event tracking."
                ),
            });
        }
        Err(Error::Relay {
            kind: RelayErrorKind::Service,
            message: format!("The relay could not do it: {said}"),
        })
    }

    /// One page of events after `after` (0 = the oldest the relay keeps).
    pub async fn events(&self, after: u64, limit: u32) -> Result<EventPage> {
        let limit = limit.clamp(1, MAX_PAGE_LIMIT);
        self.call(
            self.http
                .get(format!("{}{EVENTS_PATH}", self.base_url))
                .query(&[("after", after.to_string()), ("limit", limit.to_string())]),
        )
        .await
    }

    /// What the relay knows about this workspace (topics, keys, its public URLs).
    pub async fn workspace(&self) -> Result<WorkspaceStatus> {
        self.call(self.http.get(format!("{}{WORKSPACE_PATH}", self.base_url)))
            .await
    }

    /// Registers the SNS topics whose messages the relay keeps for this workspace.
    pub async fn put_topics(&self, topic_arns: Vec<String>) -> Result<WorkspaceStatus> {
        self.call(
            self.http
                .put(format!("{}{TOPICS_PATH}", self.base_url))
                .json(&TopicsRequest { topic_arns }),
        )
        .await
    }

    /// Gives the relay the key this workspace signs unsubscribe tokens with.
    pub async fn put_unsubscribe_key(
        &self,
        workspace_id: &str,
        key: &[u8],
    ) -> Result<WorkspaceStatus> {
        use base64::Engine;
        self.call(
            self.http
                .put(format!("{}{UNSUBSCRIBE_KEY_PATH}", self.base_url))
                .json(&UnsubscribeKeyRequest {
                    workspace_id: workspace_id.to_owned(),
                    key: base64::engine::general_purpose::STANDARD.encode(key),
                }),
        )
        .await
    }
}

/// The error with its causes (reqwest's top line alone says little).
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Stores the workspace's relay token in the keychain (a blank token removes it).
pub fn set_token(secrets: &dyn SecretStore, workspace_id: &str, token: &str) -> Result<()> {
    let token = token.trim();
    if token.is_empty() {
        return secrets.delete(workspace_id, SecretKind::RelayToken);
    }
    if token.len() < 16 || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(
            "relay_token",
            "That does not look like a relay token; paste the whole token IT gave you (it starts with hrt_).",
        ));
    }
    secrets.set(workspace_id, SecretKind::RelayToken, token)
}

/// Where polling stands, for Settings and `herald events status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PollState {
    /// The relay cursor to ask after next.
    #[ts(type = "number")]
    pub cursor: u64,
    pub last_polled_at: Option<String>,
    /// Why the last poll failed, if it did.
    pub last_error: Option<String>,
    /// Events stored in this workspace so far.
    #[ts(type = "number")]
    pub events_total: u64,
}

pub fn state(conn: &Connection) -> Result<PollState> {
    Ok(conn.query_row(
        "SELECT cursor, last_polled_at, last_error, events_total FROM event_poll WHERE id = 1",
        [],
        |r| {
            let cursor: Option<String> = r.get(0)?;
            Ok(PollState {
                cursor: cursor.and_then(|c| c.parse().ok()).unwrap_or(0),
                last_polled_at: r.get(1)?,
                last_error: r.get(2)?,
                events_total: r.get::<_, i64>(3)? as u64,
            })
        },
    )?)
}

/// Records a failed poll, so Settings can say why events are not arriving.
pub fn record_failure(conn: &Connection, error: &Error) -> Result<()> {
    conn.execute(
        "UPDATE event_poll SET last_polled_at = ?1, last_error = ?2 WHERE id = 1",
        (now_timestamp(), error.to_string()),
    )?;
    Ok(())
}

/// The relay's events in the form [`super::ingest`] takes. Unsubscribes for another
/// workspace id are dropped (the relay should never send them).
pub fn inbound(page: &EventPage, workspace_id: &str) -> Vec<InboundEvent> {
    page.events
        .iter()
        .filter_map(|e| match &e.event {
            EventBody::Ses(n) => Some(InboundEvent {
                source_id: n.sns_message_id.clone(),
                body: InboundBody::Ses(n.message.clone()),
            }),
            EventBody::Unsubscribe(u) if u.workspace_id == workspace_id => Some(InboundEvent {
                // The relay records one unsubscribe per recipient and campaign.
                source_id: format!("unsubscribe:{}:{}", u.campaign_id, u.email.to_lowercase()),
                body: InboundBody::Unsubscribe {
                    campaign_id: u.campaign_id,
                    email: u.email.clone(),
                    at: u.at.clone(),
                },
            }),
            EventBody::Unsubscribe(_) => None,
        })
        .collect()
}

/// Ingests one page and moves the cursor to its end, in one transaction.
pub fn apply_page(
    conn: &mut Connection,
    workspace_id: &str,
    page: &EventPage,
    guard: BounceGuard,
) -> Result<IngestReport> {
    apply_pages(conn, workspace_id, std::slice::from_ref(page), guard)
}

/// Ingests consecutive pages and moves the cursor to the end of the last, in one
/// transaction. Nothing to do for no pages.
pub fn apply_pages(
    conn: &mut Connection,
    workspace_id: &str,
    pages: &[EventPage],
    guard: BounceGuard,
) -> Result<IngestReport> {
    let Some(last) = pages.last() else {
        return Ok(IngestReport::default());
    };
    let events: Vec<InboundEvent> = pages
        .iter()
        .flat_map(|page| inbound(page, workspace_id))
        .collect();
    let received: usize = pages.iter().map(|p| p.events.len()).sum();
    let tx = conn.transaction()?;
    let mut report = ingest_in(&tx, workspace_id, &events, guard)?;
    // Events Herald does not know (a newer relay) still move the cursor on.
    report.skipped += (received - events.len()) as u64;
    tx.execute(
        "UPDATE event_poll SET cursor = ?1, last_polled_at = ?2, last_error = NULL WHERE id = 1",
        (last.next_cursor.to_string(), now_timestamp()),
    )?;
    tx.commit()?;
    Ok(report)
}

/// What one poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PollReport {
    #[ts(type = "number")]
    pub pages: u64,
    /// Events the relay handed over (new and already seen).
    #[ts(type = "number")]
    pub received: u64,
    pub ingest: IngestReport,
    /// More events are waiting (the poll stopped at [`MAX_PAGES_PER_POLL`]).
    pub has_more: bool,
    #[ts(type = "number")]
    pub cursor: u64,
}

/// Pulls every waiting page (up to [`MAX_PAGES_PER_POLL`]) and ingests them. A failure is
/// recorded in the poll state and returned; pages already applied stay applied.
pub async fn poll(
    conn: &mut Connection,
    workspace_id: &str,
    client: &RelayClient,
    guard: BounceGuard,
) -> Result<PollReport> {
    let start = state(conn)?.cursor;
    let result = poll_pages(client, start, |pages| {
        apply_pages(conn, workspace_id, pages, guard)
    })
    .await;
    if let Err(e) = &result {
        record_failure(conn, e)?;
    }
    result
}

/// The poll loop without a connection of its own: `apply` ingests consecutive pages (up
/// to [`EVENTS_PER_TRANSACTION`] events) with [`apply_pages`] (the desktop shell locks the
/// workspace only for that, never across a network call).
pub async fn poll_pages(
    client: &RelayClient,
    start: u64,
    mut apply: impl FnMut(&[EventPage]) -> Result<IngestReport>,
) -> Result<PollReport> {
    let mut report = PollReport {
        cursor: start,
        ..PollReport::default()
    };
    let mut fetched = start;
    let mut pending: Vec<EventPage> = Vec::new();
    let mut pending_events = 0;
    loop {
        let page = client.events(fetched, MAX_PAGE_LIMIT).await;
        // A failed request still applies what was fetched before it.
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                if !pending.is_empty() {
                    report.ingest.add(apply(&pending)?);
                    report.cursor = fetched;
                }
                return Err(e);
            }
        };
        report.pages += 1;
        report.received += page.events.len() as u64;
        fetched = page.next_cursor;
        report.has_more = page.has_more;
        pending_events += page.events.len();
        pending.push(page);
        let last = !report.has_more || report.pages as usize >= MAX_PAGES_PER_POLL;
        if last || pending_events >= EVENTS_PER_TRANSACTION {
            report.ingest.add(apply(&pending)?);
            report.cursor = fetched;
            pending.clear();
            pending_events = 0;
        }
        if last {
            return Ok(report);
        }
    }
}

/// Whether the workspace can poll, and where polling stands (Settings → Event tracking).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EventsStatus {
    pub relay_url: Option<String>,
    pub token_stored: bool,
    pub poll: PollState,
}

pub fn status(
    conn: &Connection,
    settings: &Settings,
    secrets: &dyn SecretStore,
    workspace_id: &str,
) -> Result<EventsStatus> {
    Ok(EventsStatus {
        relay_url: settings.relay_url.clone(),
        token_stored: secrets
            .get(workspace_id, SecretKind::RelayToken)?
            .is_some_and(|t| !t.trim().is_empty()),
        poll: state(conn)?,
    })
}

/// The cursor as stored (for tests and `herald events status`).
pub fn cursor(conn: &Connection) -> Result<Option<u64>> {
    Ok(conn
        .query_row("SELECT cursor FROM event_poll WHERE id = 1", [], |r| {
            r.get::<_, Option<String>>(0)
        })
        .optional()?
        .flatten()
        .and_then(|c| c.parse().ok()))
}
