//! The JSON of the relay's authenticated API. Every call carries the workspace's bearer
//! token (`Authorization: Bearer hrt_...`), which IT creates with
//! `herald-relay workspace add NAME` and the user pastes into Herald's settings.
//!
//! | Call | Body | Answer |
//! |---|---|---|
//! | `GET /v1/events?after=CURSOR&limit=N` | — | [`EventPage`] |
//! | `GET /v1/workspace` | — | [`WorkspaceStatus`] |
//! | `PUT /v1/topics` | [`TopicsRequest`] | [`WorkspaceStatus`] |
//! | `PUT /v1/unsubscribe-key` | [`UnsubscribeKeyRequest`] | [`WorkspaceStatus`] |
//!
//! Failures answer a 4xx/5xx status with an [`ApiError`] body.

use serde::{Deserialize, Serialize};

pub const EVENTS_PATH: &str = "/v1/events";
pub const WORKSPACE_PATH: &str = "/v1/workspace";
pub const TOPICS_PATH: &str = "/v1/topics";
pub const UNSUBSCRIBE_KEY_PATH: &str = "/v1/unsubscribe-key";
/// Where SNS posts (the HTTPS subscription's endpoint is the relay's public URL + this).
pub const SNS_PATH: &str = "/sns";
/// Unsubscribe links are the relay's public URL + this + the token.
pub const UNSUBSCRIBE_PATH_PREFIX: &str = "/u/";

/// `limit` when the request gives none, and the most one page holds.
pub const DEFAULT_PAGE_LIMIT: u32 = 500;
pub const MAX_PAGE_LIMIT: u32 = 1000;

/// One page of a workspace's events, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPage {
    pub events: Vec<RelayEvent>,
    /// Pass as `after` next time: the last event's cursor, or the `after` asked for when
    /// the page is empty. Cursors only grow; `after=0` starts at the oldest event kept.
    pub next_cursor: u64,
    /// More events wait after `next_cursor`: ask again right away.
    pub has_more: bool,
}

/// An event as the relay stored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayEvent {
    /// Increases with every event the relay stores (across workspaces, so there are gaps).
    pub cursor: u64,
    /// When the relay stored it, RFC 3339 UTC.
    pub received_at: String,
    pub event: EventBody,
}

/// What happened. Unknown kinds may be added later: skip what you do not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    /// An SES event that SNS delivered (one SNS Notification).
    Ses(SesNotification),
    /// Someone unsubscribed through the relay.
    Unsubscribe(UnsubscribeEvent),
}

/// One SNS Notification carrying an SES event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SesNotification {
    /// SNS `MessageId`; the relay stores each one once.
    pub sns_message_id: String,
    pub topic_arn: String,
    /// SNS `Timestamp` (when SNS published it).
    pub sns_timestamp: String,
    /// SNS `Subject`, when the publisher set one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The SES event JSON exactly as SNS carried it (`eventType`, `mail`, ...): parse it.
    pub message: String,
}

/// A recipient unsubscribed with a valid token of this workspace. Recorded once per
/// recipient and campaign, however often the link is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsubscribeEvent {
    /// The desktop workspace id from the token.
    pub workspace_id: String,
    pub campaign_id: i64,
    /// Lowercased.
    pub email: String,
    /// RFC 3339 UTC.
    pub at: String,
    pub method: UnsubscribeMethod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnsubscribeMethod {
    /// A mail client's RFC 8058 `List-Unsubscribe=One-Click` POST.
    OneClick,
    /// The person pressed the button on the relay's unsubscribe page.
    Page,
}

/// `PUT /v1/topics`: the SNS topics whose messages the relay keeps for this workspace.
/// Replaces the whole list, so sending it again is safe. A topic another workspace has
/// registered, or (when IT set a static list) one outside that list, is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicsRequest {
    pub topic_arns: Vec<String>,
}

/// `PUT /v1/unsubscribe-key`: the key the app signs this workspace's unsubscribe tokens
/// with, so the relay can check them. Keys are added, never replaced: links in mail that
/// was signed with an earlier key keep working. Sending the same key again is safe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsubscribeKeyRequest {
    /// The desktop workspace id the tokens carry.
    pub workspace_id: String,
    /// Standard base64 of the key (at least 32 bytes).
    pub key: String,
}

/// `GET /v1/workspace` and the answer to the registration calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceStatus {
    /// The name IT gave the workspace on the relay.
    pub name: String,
    /// The HTTPS endpoint to subscribe the SNS topic to.
    pub sns_endpoint_url: String,
    /// The base of unsubscribe links (`{unsubscribe_base_url}{token}`).
    pub unsubscribe_base_url: String,
    pub retention_days: u32,
    pub topics: Vec<TopicStatus>,
    pub unsubscribe_keys: Vec<UnsubscribeKeyInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicStatus {
    pub topic_arn: String,
    pub subscription: SubscriptionState,
    /// When the relay confirmed the subscription, RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionState {
    /// Registered; no SubscriptionConfirmation has arrived yet.
    Pending,
    /// The relay visited the SubscribeURL; notifications flow.
    Confirmed,
    /// SNS reported the subscription was removed (UnsubscribeConfirmation).
    Unsubscribed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsubscribeKeyInfo {
    pub workspace_id: String,
    /// [`crate::unsubscribe::key_fingerprint`] of the key.
    pub fingerprint: String,
    pub added_at: String,
}

/// The body of every failed API call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: ApiErrorBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// Stable: `unauthorized`, `invalid_request`, `not_allowed`, `conflict`,
    /// `rate_limited`, `too_large`, `unavailable`.
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_page_reads_as_documented() {
        let json = r#"{"events":[
            {"cursor":7,"received_at":"2026-11-27T10:00:00Z","event":{"kind":"ses",
             "sns_message_id":"m-1","topic_arn":"arn:aws:sns:eu-west-1:123456789012:herald",
             "sns_timestamp":"2026-11-27T09:59:59.000Z","message":"{\"eventType\":\"Delivery\"}"}},
            {"cursor":9,"received_at":"2026-11-27T10:01:00Z","event":{"kind":"unsubscribe",
             "workspace_id":"ws-1","campaign_id":4,"email":"jane@example.com",
             "at":"2026-11-27T10:01:00Z","method":"one-click"}}],
            "next_cursor":9,"has_more":false}"#;
        let page: EventPage = serde_json::from_str(json).unwrap();
        assert_eq!(page.next_cursor, 9);
        let EventBody::Ses(ses) = &page.events[0].event else {
            panic!("an SES event first")
        };
        assert_eq!(ses.subject, None);
        assert_eq!(ses.message, r#"{"eventType":"Delivery"}"#);
        let EventBody::Unsubscribe(unsubscribe) = &page.events[1].event else {
            panic!("then an unsubscribe")
        };
        assert_eq!(unsubscribe.method, UnsubscribeMethod::OneClick);
        let again: EventPage =
            serde_json::from_str(&serde_json::to_string(&page).unwrap()).unwrap();
        assert_eq!(again, page);
    }
}
