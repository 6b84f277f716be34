//! The review before a campaign is scheduled or sent: blocking problems (it cannot go out
//! like this) and warnings (it can, but someone should look).
//!
//! Two halves, so a front end never holds the workspace across a network call:
//! [`prepare`] reads the workspace (sync) and checks everything local; [`PendingReview::finish`]
//! asks SES (async) about the account, the quota and the sender identity.

use serde::Serialize;
use ts_rs::TS;

use super::{audience, Campaign, CampaignStatus, WizardStep};
use crate::error::{Error, FieldError, Result};
use crate::render::{self, RenderWorkspace, WarningCode};
use crate::secrets::SecretStore;
use crate::ses::{SesAccount, SesConnection};
use crate::settings::Settings;

/// How serious a review finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Severity {
    /// Must be fixed before the campaign can be scheduled or sent.
    Blocking,
    /// Worth a look; sending is still allowed.
    Warning,
}

/// What a finding is about; stable codes front ends may branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReviewCode {
    NoRecipients,
    EmptySubject,
    NoSender,
    NoContent,
    TemplateError,
    /// The body has no `{{ unsubscribe_url }}`: Herald adds a footer link (warning).
    NoUnsubscribeLink,
    /// The workspace has no postal address for the footer.
    NoPostalAddress,
    /// No relay URL: there is nowhere for unsubscribe links to point.
    NoRelayUrl,
    LocalImagesWithoutBucket,
    NoConfigurationSet,
    SenderNotVerified,
    SandboxUnverifiedRecipients,
    OverQuota,
    SendingDisabled,
    /// SES could not be asked; the SES checks were not made.
    SesUnavailable,
}

impl ReviewCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewCode::NoRecipients => "no_recipients",
            ReviewCode::EmptySubject => "empty_subject",
            ReviewCode::NoSender => "no_sender",
            ReviewCode::NoContent => "no_content",
            ReviewCode::TemplateError => "template_error",
            ReviewCode::NoUnsubscribeLink => "no_unsubscribe_link",
            ReviewCode::NoPostalAddress => "no_postal_address",
            ReviewCode::NoRelayUrl => "no_relay_url",
            ReviewCode::LocalImagesWithoutBucket => "local_images_without_bucket",
            ReviewCode::NoConfigurationSet => "no_configuration_set",
            ReviewCode::SenderNotVerified => "sender_not_verified",
            ReviewCode::SandboxUnverifiedRecipients => "sandbox_unverified_recipients",
            ReviewCode::OverQuota => "over_quota",
            ReviewCode::SendingDisabled => "sending_disabled",
            ReviewCode::SesUnavailable => "ses_unavailable",
        }
    }

    /// The wizard step where it is fixed, if there is one (settings problems have none).
    pub fn step(self) -> Option<WizardStep> {
        match self {
            ReviewCode::NoRecipients | ReviewCode::SandboxUnverifiedRecipients => {
                Some(WizardStep::Audience)
            }
            ReviewCode::EmptySubject | ReviewCode::NoSender | ReviewCode::NoUnsubscribeLink => {
                Some(WizardStep::Content)
            }
            ReviewCode::NoContent | ReviewCode::TemplateError => Some(WizardStep::Template),
            ReviewCode::OverQuota => Some(WizardStep::Schedule),
            _ => None,
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ReviewProblem {
    pub code: ReviewCode,
    pub message: String,
    /// The wizard step to go back to, if the fix is in the campaign itself.
    pub step: Option<WizardStep>,
}

/// The review's result.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Review {
    #[ts(type = "number")]
    pub campaign_id: i64,
    /// Who it goes to: the audience's count now, or the snapshot's unsent recipients once
    /// sending has started.
    #[ts(type = "number")]
    pub recipients: u64,
    /// Must be fixed before the campaign can be scheduled or sent.
    pub blocking: Vec<ReviewProblem>,
    /// Worth a look; sending is still allowed.
    pub warnings: Vec<ReviewProblem>,
    /// What the rolling 24-hour quota still allows; `None` when unlimited or unknown.
    #[ts(type = "number | null")]
    pub quota_remaining: Option<u64>,
    /// The account as SES reported it, when it could be asked.
    pub account: Option<SesAccount>,
}

impl Review {
    fn push(&mut self, code: ReviewCode, severity: Severity, message: impl Into<String>) {
        let problem = ReviewProblem {
            code,
            message: message.into(),
            step: code.step(),
        };
        match severity {
            Severity::Blocking => self.blocking.push(problem),
            Severity::Warning => self.warnings.push(problem),
        }
    }

    fn settle(self) -> Self {
        self
    }

    /// Whether anything blocks sending.
    pub fn is_blocked(&self) -> bool {
        !self.blocking.is_empty()
    }

    /// `Err(review_blocked)` listing the blocking problems, if there are any.
    pub fn ensure_sendable(&self) -> Result<()> {
        let blocking: Vec<FieldError> = self
            .blocking
            .iter()
            .map(|i| FieldError::new(i.code.as_str(), i.message.clone()))
            .collect();
        if blocking.is_empty() {
            Ok(())
        } else {
            Err(Error::ReviewBlocked(blocking))
        }
    }
}

/// Sandbox accounts send at most this many per day; a larger audience cannot be all verified.
const SANDBOX_CHECK_LIMIT: usize = 50;

/// The local half of a review, ready to ask SES.
#[derive(Debug)]
pub struct PendingReview {
    review: Review,
    ses: Option<SesConnection>,
    sender: Option<String>,
    /// For the sandbox check: the recipients' addresses (up to the check limit + 1).
    sample: Vec<String>,
}

/// Checks everything that needs no network: recipients, subject, sender, content,
/// unsubscribe link, postal address, relay URL, images, configuration set.
pub fn prepare(
    conn: &rusqlite::Connection,
    settings: &Settings,
    secrets: &dyn SecretStore,
    workspace_id: &str,
    campaign: &Campaign,
) -> Result<PendingReview> {
    use Severity::{Blocking, Warning};
    let started = matches!(
        campaign.status,
        CampaignStatus::Sending
            | CampaignStatus::Paused
            | CampaignStatus::Sent
            | CampaignStatus::Failed
    ) || super::recipient_counts(conn, campaign.id)?.total() > 0;
    let (recipients, sample) = if started {
        let counts = super::recipient_counts(conn, campaign.id)?;
        let sample = super::recipients(conn, campaign.id, Some(super::RecipientState::Pending))?
            .into_iter()
            .take(SANDBOX_CHECK_LIMIT + 1)
            .map(|r| r.email)
            .collect();
        (counts.pending, sample)
    } else {
        let count = audience::count(conn, &campaign.audience)?;
        let sample = if (count.recipients as usize) <= SANDBOX_CHECK_LIMIT {
            audience::resolve(conn, &campaign.audience)?
                .into_iter()
                .map(|r| r.email)
                .collect()
        } else {
            Vec::new()
        };
        (count.recipients, sample)
    };
    let mut review = Review {
        campaign_id: campaign.id,
        recipients,
        blocking: Vec::new(),
        warnings: Vec::new(),
        quota_remaining: None,
        account: None,
    };
    if recipients == 0 {
        review.push(
            ReviewCode::NoRecipients,
            Blocking,
            if started {
                "Everyone on the recipient list already has an outcome; there is nobody left to send to."
            } else {
                "The audience reaches nobody. Choose segments, tags or contacts (unsubscribed, bounced and suppressed contacts are always left out)."
            },
        );
    }
    if campaign.subject.trim().is_empty() {
        review.push(ReviewCode::EmptySubject, Blocking, "The subject is empty.");
    }
    let sender = campaign
        .from_address
        .clone()
        .or_else(|| settings.from_address.clone());
    if sender.is_none() {
        review.push(
            ReviewCode::NoSender,
            Blocking,
            "There is no sender address. Set one in the content step or in Settings.",
        );
    }
    match campaign.content() {
        None => review.push(
            ReviewCode::NoContent,
            Blocking,
            "The campaign has no body yet. Choose a template in the template step.",
        ),
        Some(content) => {
            let shared = render::SharedContext {
                workspace: RenderWorkspace::from(settings),
                campaign: None,
            };
            if let Err(e) =
                render::CompiledTemplate::compile(&content, &shared, &Default::default())
            {
                review.push(ReviewCode::TemplateError, Blocking, e.to_string());
            }
            for w in render::warnings(
                &content,
                &RenderWorkspace::from(settings),
                settings.publishing_configured(),
            ) {
                match w.code {
                    WarningCode::MissingUnsubscribe => review.push(
                        ReviewCode::NoUnsubscribeLink,
                        Warning,
                        "The body has no unsubscribe link; Herald adds one in a footer at the end of every message.",
                    ),
                    WarningCode::LocalImagesWithoutBucket => {
                        review.push(ReviewCode::LocalImagesWithoutBucket, Blocking, w.message)
                    }
                    // The footer carries the postal address when the body lacks it; an
                    // address that is not set at all is checked below.
                    WarningCode::MissingPostalAddress | WarningCode::PostalAddressNotSet => {}
                }
            }
        }
    }
    if settings
        .postal_address
        .as_deref()
        .is_none_or(|a| a.trim().is_empty())
    {
        review.push(
            ReviewCode::NoPostalAddress,
            Blocking,
            "The workspace has no postal address; anti-spam laws require one in every message. Set it in Settings.",
        );
    }
    if settings.relay_url.is_none() {
        review.push(
            ReviewCode::NoRelayUrl,
            Blocking,
            "No relay URL is set, so unsubscribe links would lead nowhere. Set the Herald Relay URL in Settings.",
        );
    }
    if settings.configuration_set.is_none() {
        review.push(
            ReviewCode::NoConfigurationSet,
            Warning,
            "No SES configuration set is chosen, so no deliveries, bounces, opens or clicks will be reported. Set configuration_set in Settings.",
        );
    }
    let ses = match crate::credentials::resolve(settings, secrets, workspace_id) {
        Ok(credentials) => Some(SesConnection {
            region: settings.aws_region.clone(),
            endpoint: settings.effective_ses_endpoint(),
            credentials,
        }),
        Err(e) => {
            review.push(ReviewCode::SesUnavailable, Blocking, e.to_string());
            None
        }
    };
    Ok(PendingReview {
        review,
        ses,
        sender,
        sample,
    })
}

impl PendingReview {
    /// Asks SES: account enabled, sandbox with unverified recipients, remaining quota,
    /// sender identity verified. When SES cannot be reached the review says so (blocking:
    /// nothing could be sent anyway).
    pub async fn finish(mut self) -> Review {
        use Severity::{Blocking, Warning};
        let Some(ses) = self.ses.take() else {
            return self.review.settle();
        };
        let review = &mut self.review;
        let account = match ses.account().await {
            Ok(account) => account,
            Err(e) => {
                review.push(
                    ReviewCode::SesUnavailable,
                    Blocking,
                    format!("Amazon SES could not be asked about the account: {e}"),
                );
                return self.review.settle();
            }
        };
        if !account.sending_enabled || account.enforcement_status.as_deref() == Some("SHUTDOWN") {
            review.push(
                ReviewCode::SendingDisabled,
                Blocking,
                "Sending is disabled for this SES account. Check the account in the SES console.",
            );
        }
        if account.max_24_hour_send >= 0.0 {
            let remaining = (account.max_24_hour_send - account.sent_last_24_hours)
                .max(0.0)
                .floor() as u64;
            review.quota_remaining = Some(remaining);
            if review.recipients > remaining {
                review.push(
                    ReviewCode::OverQuota,
                    Warning,
                    format!(
                        "{} recipients, but the 24-hour quota allows {remaining} more now. Herald sends what it can, pauses, and continues by itself as the rolling window allows.",
                        review.recipients
                    ),
                );
            }
        }
        if let Some(sender) = &self.sender {
            let domain = sender.rsplit('@').next().unwrap_or(sender);
            let mut verified = false;
            let mut found_unverified = false;
            let mut error = None;
            for identity in [sender.as_str(), domain] {
                match ses.identity_status(identity).await {
                    Ok(status) if status.verified_for_sending => {
                        verified = true;
                        break;
                    }
                    Ok(status) => found_unverified |= status.found,
                    Err(e) => error = Some(e),
                }
            }
            if !verified {
                // A local emulator or other endpoint override may not know identities at
                // all: only an identity it reports as unverified blocks there.
                let severity = if found_unverified || ses.endpoint.is_none() {
                    Blocking
                } else {
                    Warning
                };
                let message = match (found_unverified, error) {
                    (false, Some(e)) => {
                        format!("The sender {sender} could not be checked in SES: {e}")
                    }
                    _ => format!(
                        "Neither {sender} nor {domain} is verified for sending in SES ({}). Verify the domain (docs/ses-setup.md) first.",
                        account.region
                    ),
                };
                review.push(ReviewCode::SenderNotVerified, severity, message);
            }
        }
        if !account.production_access {
            if self.sample.len() > SANDBOX_CHECK_LIMIT
                || review.recipients as usize > SANDBOX_CHECK_LIMIT
            {
                review.push(
                    ReviewCode::SandboxUnverifiedRecipients,
                    Blocking,
                    format!(
                        "The SES account is in the sandbox: it may only send to verified addresses, at most 200 a day. Request production access (docs/ses-setup.md) before sending to {} recipients.",
                        review.recipients
                    ),
                );
            } else {
                let mut unverified = Vec::new();
                for email in &self.sample {
                    let domain = email.rsplit('@').next().unwrap_or(email);
                    let mut ok = false;
                    for identity in [email.as_str(), domain] {
                        if let Ok(status) = ses.identity_status(identity).await {
                            if status.verified_for_sending {
                                ok = true;
                                break;
                            }
                        }
                    }
                    if !ok {
                        unverified.push(email.clone());
                    }
                }
                if !unverified.is_empty() {
                    review.push(
                        ReviewCode::SandboxUnverifiedRecipients,
                        Blocking,
                        format!(
                            "The SES account is in the sandbox and {} recipient(s) are not verified identities: {}. SES would reject them; verify them or request production access.",
                            unverified.len(),
                            unverified.join(", ")
                        ),
                    );
                }
            }
        }
        self.review.account = Some(account);
        self.review.settle()
    }
}
