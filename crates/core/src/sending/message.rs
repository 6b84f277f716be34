//! What the engine hands a messenger, and what comes back. These types are SES-free: a
//! messenger (SES today) translates them into its own API.

use std::future::Future;

use serde::Serialize;
use ts_rs::TS;

/// The longest message tag name or value SES accepts.
pub const MAX_TAG_CHARS: usize = 256;

/// One email to one recipient, fully rendered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutgoingMessage {
    /// `Name <address>` or a bare address.
    pub from: Mailbox,
    pub reply_to: Option<String>,
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
    /// Extra headers, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post`, in order.
    pub headers: Vec<(String, String)>,
    /// The configuration set whose event destinations receive this message's events.
    pub configuration_set: Option<String>,
    /// Tags returned with every event of this message; always built with [`MessageTag::new`].
    pub tags: Vec<MessageTag>,
}

/// A sender: an address and an optional display name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    /// The `From` value as SES expects it: a display name with anything but plain ASCII is
    /// MIME encoded-word (RFC 2047) encoded, others are quoted when they need to be.
    pub fn header_value(&self) -> String {
        let Some(name) = self
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        else {
            return self.address.clone();
        };
        let name = name.replace(['\r', '\n'], " ");
        if !name.is_ascii() {
            use base64::Engine;
            let encoded = base64::engine::general_purpose::STANDARD.encode(name.as_bytes());
            return format!("=?UTF-8?B?{encoded}?= <{}>", self.address);
        }
        let needs_quotes = name.chars().any(|c| "()<>[]:;@\\,.\"".contains(c));
        if needs_quotes {
            let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
            format!("\"{escaped}\" <{}>", self.address)
        } else {
            format!("{name} <{}>", self.address)
        }
    }
}

/// A message tag whose name and value obey SES's rules: only ASCII letters, digits, `_`
/// and `-`, at most 256 characters, never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageTag {
    name: String,
    value: String,
}

impl MessageTag {
    /// Builds a tag, replacing every character SES would refuse.
    pub fn new(name: &str, value: &str) -> Self {
        Self {
            name: sanitize_tag(name),
            value: sanitize_tag(value),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn value(&self) -> &str {
        &self.value
    }
}

/// Makes `raw` a valid SES tag name or value: characters outside ASCII letters, digits, `_`
/// and `-` become `_`, the result is cut to 256 characters, and an empty one becomes `_`.
pub fn sanitize_tag(raw: &str) -> String {
    let mut out: String = raw
        .chars()
        .take(MAX_TAG_CHARS)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// Whether `s` already satisfies SES's tag rules.
pub fn is_valid_tag(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_TAG_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Why the whole account (not one recipient) cannot send right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AccountIssue {
    /// Sending is permanently restricted (AccountSuspended, enforcement SHUTDOWN).
    Suspended,
    /// Sending is paused for the account or the configuration set.
    SendingPaused,
    /// The rolling 24-hour quota is used up.
    DailyQuotaExhausted,
    /// The sender (domain, address or custom MAIL FROM) is not verified.
    IdentityNotVerified,
    /// The configuration set (or another named resource) does not exist.
    ConfigurationMissing,
    /// The credentials were refused or lack permission.
    AccessDenied,
}

impl AccountIssue {
    /// A sentence for the campaign's pause reason.
    pub fn describe(self) -> &'static str {
        match self {
            AccountIssue::Suspended => {
                "Amazon SES has suspended sending for this account. Contact AWS Support; nothing more will be sent."
            }
            AccountIssue::SendingPaused => {
                "Sending is paused for this SES account or its configuration set. Re-enable it in the SES console, then resume."
            }
            AccountIssue::DailyQuotaExhausted => {
                "The SES daily sending quota is used up. The campaign resumes by itself when the rolling 24-hour window allows."
            }
            AccountIssue::IdentityNotVerified => {
                "The sender address or domain (or its custom MAIL FROM domain) is not verified in SES. See docs/ses-setup.md, then resume."
            }
            AccountIssue::ConfigurationMissing => {
                "The SES configuration set does not exist in this region. Check the workspace settings, then resume."
            }
            AccountIssue::AccessDenied => {
                "AWS refused the credentials or they may not send email (ses:SendEmail). Fix the credentials, then resume."
            }
        }
    }
}

/// What happened to one send request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Accepted; `message_id` comes back in every event about this message.
    Sent { message_id: String },
    /// Refused because of the sending rate; not sent, safe to retry after slowing down.
    Throttled,
    /// A server or network problem before the request was accepted; safe to retry.
    Transient(String),
    /// This recipient or message cannot be sent as is (rejected, bad address).
    Permanent(String),
    /// Nothing can be sent from this account until someone acts (or the quota refills).
    AccountLevel(AccountIssue, String),
    /// The request may have reached SES (timeout, connection lost after sending): never
    /// resend blindly.
    Unknown(String),
}

/// The account's sending limits, as `GetAccount` reports them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SendQuota {
    /// Recipients per second.
    pub max_send_rate: f64,
    /// Recipients per rolling 24 hours; `None` means unlimited.
    pub max_24_hour_send: Option<f64>,
    pub sent_last_24_hours: f64,
}

impl SendQuota {
    /// How many more recipients the rolling window allows now; `None` when unlimited.
    pub fn remaining(&self) -> Option<u64> {
        self.max_24_hour_send
            .map(|max| (max - self.sent_last_24_hours).max(0.0).floor() as u64)
    }
}

/// Why the account's limits could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuotaError {
    /// The account cannot send (suspended, paused, credentials refused...).
    Account(AccountIssue, String),
    /// SES could not be reached or answered with a server error.
    Unavailable(String),
}

/// A way to deliver email, listmonk-style: SES is one implementation, tests have others.
pub trait Messenger: Send + Sync + 'static {
    /// Sends one message to one recipient and classifies the result.
    fn send(&self, message: &OutgoingMessage) -> impl Future<Output = SendOutcome> + Send;

    /// The account's sending limits, read before a run and when a quota pause ends.
    fn quota(&self) -> impl Future<Output = Result<SendQuota, QuotaError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_keep_only_what_ses_accepts() {
        assert_eq!(sanitize_tag("campaign_42"), "campaign_42");
        assert_eq!(sanitize_tag("a-b_C9"), "a-b_C9");
        assert_eq!(sanitize_tag("jane@example.com"), "jane_example_com");
        assert_eq!(sanitize_tag("Spring sale: 50%!"), "Spring_sale__50__");
        assert_eq!(sanitize_tag("Grüße"), "Gr__e");
        assert_eq!(
            sanitize_tag("ses:configuration-set"),
            "ses_configuration-set"
        );
        assert_eq!(sanitize_tag(""), "_");
        let long = "x".repeat(300);
        assert_eq!(sanitize_tag(&long).len(), MAX_TAG_CHARS);
        // Multi-byte characters are counted as one character each, then replaced.
        assert_eq!(sanitize_tag(&"é".repeat(300)), "_".repeat(256));
        for raw in ["", "a b", "ü", &long, "campaign:1", "x\ny"] {
            assert!(is_valid_tag(&sanitize_tag(raw)), "{raw:?}");
        }
        assert!(!is_valid_tag("a.b"));
        let tag = MessageTag::new("herald campaign", "c/7");
        assert_eq!((tag.name(), tag.value()), ("herald_campaign", "c_7"));
    }

    #[test]
    fn sender_names_are_quoted_or_encoded() {
        let mb = |name: Option<&str>| Mailbox {
            name: name.map(str::to_owned),
            address: "news@acme.example".into(),
        };
        assert_eq!(mb(None).header_value(), "news@acme.example");
        assert_eq!(mb(Some("  ")).header_value(), "news@acme.example");
        assert_eq!(
            mb(Some("Acme News")).header_value(),
            "Acme News <news@acme.example>"
        );
        assert_eq!(
            mb(Some("Acme, Inc. \"News\"")).header_value(),
            "\"Acme, Inc. \\\"News\\\"\" <news@acme.example>"
        );
        assert_eq!(
            mb(Some("Café")).header_value(),
            "=?UTF-8?B?Q2Fmw6k=?= <news@acme.example>"
        );
    }

    #[test]
    fn remaining_quota_follows_the_window() {
        let q = SendQuota {
            max_send_rate: 14.0,
            max_24_hour_send: Some(200.0),
            sent_last_24_hours: 150.0,
        };
        assert_eq!(q.remaining(), Some(50));
        let over = SendQuota {
            sent_last_24_hours: 250.0,
            ..q
        };
        assert_eq!(over.remaining(), Some(0));
        let unlimited = SendQuota {
            max_24_hour_send: None,
            ..q
        };
        assert_eq!(unlimited.remaining(), None);
    }
}
