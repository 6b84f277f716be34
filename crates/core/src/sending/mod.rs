//! Sending campaigns: the [`Messenger`] trait (SES is one implementation), the rate bucket,
//! the retry policy, one-click unsubscribe links, and the engine that runs a campaign with
//! durable per-recipient state so nobody receives it twice.

mod engine;
mod message;
mod rate;
mod retry;
mod ses;
mod store;
pub mod unsubscribe;

pub use engine::{
    begin_run, run_campaign, ControlCommand, EngineConfig, Recipient, RecipientRenderer,
    RenderedMessage, RunControl, RunReport, SendProgress,
};
pub use message::{
    is_valid_tag, sanitize_tag, AccountIssue, Mailbox, MessageTag, Messenger, OutgoingMessage,
    QuotaError, SendOutcome, SendQuota, MAX_TAG_CHARS,
};
pub use rate::{AimdConfig, RateLimiter};
pub use retry::RetryPolicy;
pub use ses::{SesMessenger, DEFAULT_SEND_TIMEOUT};
pub use unsubscribe::UnsubscribeLinks;
