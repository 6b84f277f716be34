//! The SES v2 messenger: one `SendEmail` per recipient with Simple content, custom headers,
//! message tags and the configuration set. Every SDK error is classified here; no SES type
//! leaves this file.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::SdkConfig;
use aws_sdk_sesv2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use super::message::{
    AccountIssue, Messenger, OutgoingMessage, QuotaError, SendOutcome, SendQuota,
};
use crate::error::Result;
use crate::ses::SesConnection;

/// How long one `SendEmail` may take before its outcome counts as unknown.
pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// Sends through Amazon SES v2.
#[derive(Debug, Clone)]
pub struct SesMessenger {
    client: aws_sdk_sesv2::Client,
}

impl SesMessenger {
    /// A messenger for a workspace's SES connection (credentials checked before returning).
    pub async fn connect(connection: &SesConnection, send_timeout: Duration) -> Result<Self> {
        Ok(Self::from_sdk_config(
            &connection.sdk_config().await?,
            send_timeout,
        ))
    }

    /// The SDK's own retries are off: a retried `SendEmail` after a timeout can deliver twice,
    /// so the engine decides about every retry itself.
    pub fn from_sdk_config(config: &SdkConfig, send_timeout: Duration) -> Self {
        let conf = aws_sdk_sesv2::config::Builder::from(config)
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5).min(send_timeout))
                    .operation_attempt_timeout(send_timeout)
                    .operation_timeout(send_timeout)
                    .build(),
            )
            .build();
        Self {
            client: aws_sdk_sesv2::Client::from_conf(conf),
        }
    }

    fn build_content(message: &OutgoingMessage) -> std::result::Result<EmailContent, String> {
        let text = |data: &str| {
            Content::builder()
                .data(data)
                .charset("UTF-8")
                .build()
                .map_err(|e| e.to_string())
        };
        let mut body = Body::builder().html(text(&message.html)?);
        if !message.text.is_empty() {
            body = body.text(text(&message.text)?);
        }
        let mut simple = Message::builder()
            .subject(text(&message.subject)?)
            .body(body.build());
        for (name, value) in &message.headers {
            simple = simple.headers(
                MessageHeader::builder()
                    .name(name)
                    .value(value)
                    .build()
                    .map_err(|e| e.to_string())?,
            );
        }
        Ok(EmailContent::builder().simple(simple.build()).build())
    }
}

impl Messenger for SesMessenger {
    async fn send(&self, message: &OutgoingMessage) -> SendOutcome {
        let content = match Self::build_content(message) {
            Ok(content) => content,
            Err(reason) => {
                return SendOutcome::Permanent(format!("The message could not be built: {reason}"))
            }
        };
        let mut request = self
            .client
            .send_email()
            .from_email_address(message.from.header_value())
            .destination(Destination::builder().to_addresses(&message.to).build())
            .content(content)
            .set_configuration_set_name(message.configuration_set.clone());
        if let Some(reply_to) = &message.reply_to {
            request = request.reply_to_addresses(reply_to);
        }
        for tag in &message.tags {
            match aws_sdk_sesv2::types::MessageTag::builder()
                .name(tag.name())
                .value(tag.value())
                .build()
            {
                Ok(tag) => request = request.email_tags(tag),
                Err(e) => return SendOutcome::Permanent(format!("Bad message tag: {e}")),
            }
        }
        match request.send().await {
            Ok(out) => SendOutcome::Sent {
                message_id: out.message_id().unwrap_or_default().to_owned(),
            },
            Err(err) => classify(err, &message.from.address),
        }
    }

    async fn quota(&self) -> std::result::Result<SendQuota, QuotaError> {
        match self.client.get_account().send().await {
            Ok(out) => {
                if out.enforcement_status() == Some("SHUTDOWN") {
                    return Err(QuotaError::Account(
                        AccountIssue::Suspended,
                        "The SES account's enforcement status is SHUTDOWN.".into(),
                    ));
                }
                if !out.sending_enabled() {
                    return Err(QuotaError::Account(
                        AccountIssue::SendingPaused,
                        "Sending is disabled for this SES account.".into(),
                    ));
                }
                let quota = out.send_quota();
                let max = quota.map(|q| q.max24_hour_send()).unwrap_or(-1.0);
                Ok(SendQuota {
                    max_send_rate: quota.map(|q| q.max_send_rate()).unwrap_or(1.0),
                    max_24_hour_send: (max >= 0.0).then_some(max),
                    sent_last_24_hours: quota.map(|q| q.sent_last24_hours()).unwrap_or(0.0),
                })
            }
            Err(err) => Err(match classify(err, "") {
                SendOutcome::AccountLevel(issue, message) => QuotaError::Account(issue, message),
                SendOutcome::Permanent(m) | SendOutcome::Transient(m) | SendOutcome::Unknown(m) => {
                    QuotaError::Unavailable(m)
                }
                other => QuotaError::Unavailable(format!("{other:?}")),
            }),
        }
    }
}

/// Turns an SDK failure into an outcome, following the table in the SES reference.
fn classify<E>(err: SdkError<E, HttpResponse>, from_address: &str) -> SendOutcome
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match &err {
        SdkError::ConstructionFailure(_) => SendOutcome::Permanent(format!(
            "The request could not be built: {}",
            DisplayErrorContext(&err)
        )),
        SdkError::TimeoutError(_) => SendOutcome::Unknown(
            "SES did not answer in time; the message may or may not have been sent.".into(),
        ),
        SdkError::DispatchFailure(failure) => {
            if failed_to_connect(&err) {
                SendOutcome::Transient(format!(
                    "SES could not be reached: {}",
                    DisplayErrorContext(&err)
                ))
            } else if failure.is_timeout() {
                SendOutcome::Unknown(
                    "SES did not answer in time; the message may or may not have been sent.".into(),
                )
            } else {
                SendOutcome::Unknown(format!(
                    "The connection to SES failed while sending; the message may or may not have been sent ({}).",
                    DisplayErrorContext(&err)
                ))
            }
        }
        SdkError::ResponseError(_) => SendOutcome::Unknown(
            "SES sent an answer Herald could not read; the message may or may not have been sent."
                .into(),
        ),
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = service.err().code().unwrap_or("");
            let message = service
                .err()
                .message()
                .unwrap_or("no details given")
                .to_owned();
            classify_service_error(status, code, &message, from_address)
        }
        _ => SendOutcome::Transient(format!("{}", DisplayErrorContext(&err))),
    }
}

/// The service answered with an error code (and an HTTP status when known, else 0).
fn classify_service_error(status: u16, code: &str, message: &str, from: &str) -> SendOutcome {
    let lower = message.to_ascii_lowercase();
    let quota = lower.contains("daily") || lower.contains("quota");
    let detail = format!("{code}: {message}");
    match code {
        "TooManyRequestsException" | "Throttling" | "ThrottlingException" if !quota => {
            SendOutcome::Throttled
        }
        "TooManyRequestsException"
        | "Throttling"
        | "ThrottlingException"
        | "LimitExceededException" => {
            if quota {
                SendOutcome::AccountLevel(AccountIssue::DailyQuotaExhausted, detail)
            } else {
                SendOutcome::Throttled
            }
        }
        "AccountSuspendedException" => SendOutcome::AccountLevel(AccountIssue::Suspended, detail),
        "SendingPausedException" => SendOutcome::AccountLevel(AccountIssue::SendingPaused, detail),
        "MailFromDomainNotVerifiedException" => {
            SendOutcome::AccountLevel(AccountIssue::IdentityNotVerified, detail)
        }
        "NotFoundException" => {
            SendOutcome::AccountLevel(AccountIssue::ConfigurationMissing, detail)
        }
        "AccessDeniedException"
        | "AccessDenied"
        | "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "InvalidSignatureException"
        | "ExpiredToken"
        | "ExpiredTokenException"
        | "RequestExpired" => SendOutcome::AccountLevel(AccountIssue::AccessDenied, detail),
        "MessageRejected" => {
            // In the sandbox SES names every unverified identity; when the sender is one of
            // them, no recipient can be sent to.
            let sender_unverified = lower.contains("not verified")
                && !from.is_empty()
                && lower.contains(&from.to_ascii_lowercase());
            if sender_unverified {
                SendOutcome::AccountLevel(AccountIssue::IdentityNotVerified, detail)
            } else {
                SendOutcome::Permanent(detail)
            }
        }
        "BadRequestException" | "InvalidParameterValue" | "ValidationException" => {
            SendOutcome::Permanent(detail)
        }
        _ if status == 429 => SendOutcome::Throttled,
        _ if status >= 500
            || code.contains("InternalFailure")
            || code.contains("ServiceUnavailable")
            || code.contains("InternalServiceError") =>
        {
            SendOutcome::Transient(detail)
        }
        _ if (400..500).contains(&status) => SendOutcome::Permanent(detail),
        _ => SendOutcome::Transient(detail),
    }
}

/// Whether the request never left: connection refused, DNS failure, unreachable network.
/// Anything else (a connection lost mid-request) may have delivered the message.
fn failed_to_connect(err: &(dyn std::error::Error + 'static)) -> bool {
    use std::io::ErrorKind;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::AddrNotAvailable
                    | ErrorKind::NetworkUnreachable
                    | ErrorKind::HostUnreachable
                    | ErrorKind::NetworkDown
            ) {
                return true;
            }
        }
        let text = e.to_string().to_ascii_lowercase();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return true;
        }
        source = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(status: u16, code: &str, message: &str) -> SendOutcome {
        classify_service_error(status, code, message, "news@acme.example")
    }

    #[test]
    fn service_errors_are_classified_as_the_reference_says() {
        assert_eq!(
            c(
                429,
                "TooManyRequestsException",
                "Maximum sending rate exceeded."
            ),
            SendOutcome::Throttled
        );
        assert_eq!(
            c(400, "ThrottlingException", "Maximum sending rate exceeded."),
            SendOutcome::Throttled
        );
        assert!(matches!(
            c(400, "ThrottlingException", "Daily message quota exceeded."),
            SendOutcome::AccountLevel(AccountIssue::DailyQuotaExhausted, _)
        ));
        assert!(matches!(
            c(
                400,
                "LimitExceededException",
                "Daily message quota exceeded"
            ),
            SendOutcome::AccountLevel(AccountIssue::DailyQuotaExhausted, _)
        ));
        assert_eq!(
            c(400, "LimitExceededException", "Too many instances"),
            SendOutcome::Throttled
        );
        assert!(matches!(
            c(
                400,
                "MessageRejected",
                "Email address is not verified: jane@x.example"
            ),
            SendOutcome::Permanent(_)
        ));
        assert!(matches!(
            c(
                400,
                "MessageRejected",
                "Email address is not verified. The following identities failed the check in region EU-WEST-1: News@Acme.example"
            ),
            SendOutcome::AccountLevel(AccountIssue::IdentityNotVerified, _)
        ));
        assert!(matches!(
            c(400, "BadRequestException", "Missing final '@domain'"),
            SendOutcome::Permanent(_)
        ));
        for (code, issue) in [
            ("AccountSuspendedException", AccountIssue::Suspended),
            ("SendingPausedException", AccountIssue::SendingPaused),
            (
                "MailFromDomainNotVerifiedException",
                AccountIssue::IdentityNotVerified,
            ),
            ("NotFoundException", AccountIssue::ConfigurationMissing),
            ("AccessDeniedException", AccountIssue::AccessDenied),
        ] {
            assert!(
                matches!(c(400, code, "x"), SendOutcome::AccountLevel(i, _) if i == issue),
                "{code}"
            );
        }
        assert!(matches!(
            c(500, "InternalFailure", "boom"),
            SendOutcome::Transient(_)
        ));
        assert!(matches!(c(503, "", ""), SendOutcome::Transient(_)));
        assert_eq!(c(429, "", ""), SendOutcome::Throttled);
        assert!(matches!(c(403, "Whatever", ""), SendOutcome::Permanent(_)));
    }
}
