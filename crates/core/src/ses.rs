//! Amazon SES v2 access: building a client from a workspace's settings and credentials, and
//! turning SDK failures into messages that say what to fix.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::Credentials;
use aws_sdk_sesv2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use serde::Serialize;
use ts_rs::TS;

use crate::credentials::{self, CredentialSource, ResolvedCredentials};
use crate::error::{Error, Result, SesErrorKind};
use crate::secrets::SecretStore;
use crate::settings;
use crate::workspaces::Workspace;

/// How to reach SES for one workspace.
#[derive(Debug, Clone)]
pub struct SesConnection {
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub credentials: ResolvedCredentials,
}

/// The account as `GetAccount` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SesAccount {
    pub sending_enabled: bool,
    /// False while the account is in the SES sandbox.
    pub production_access: bool,
    /// HEALTHY, PROBATION or SHUTDOWN, when SES says.
    pub enforcement_status: Option<String>,
    /// Recipients per second.
    pub max_send_rate: f64,
    /// Recipients per rolling 24 hours; -1 means unlimited.
    pub max_24_hour_send: f64,
    pub sent_last_24_hours: f64,
    pub region: String,
    /// The endpoint override in force, if any.
    pub endpoint: Option<String>,
    pub credential_source: CredentialSource,
}

impl SesConnection {
    /// The connection a workspace's settings and credentials describe.
    pub fn for_workspace(workspace: &Workspace, secrets: &dyn SecretStore) -> Result<Self> {
        let settings = settings::load(workspace.conn())?;
        Ok(Self {
            credentials: credentials::resolve(&settings, secrets, workspace.id())?,
            endpoint: settings.effective_ses_endpoint(),
            region: settings.aws_region,
        })
    }

    /// Loads the AWS configuration: region, endpoint and credentials, each checked so a
    /// missing piece is reported as such before any request is made.
    pub async fn sdk_config(&self) -> Result<SdkConfig> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(15))
                    .operation_timeout(Duration::from_secs(30))
                    .build(),
            )
            .retry_config(RetryConfig::standard().with_max_attempts(2));
        if let Some(region) = &self.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(endpoint) = &self.endpoint {
            loader = loader.endpoint_url(endpoint);
        }
        match &self.credentials {
            ResolvedCredentials::Keys(keys) => {
                loader = loader.credentials_provider(Credentials::new(
                    keys.access_key_id.clone(),
                    keys.secret_access_key.clone(),
                    None,
                    None,
                    "herald-keychain",
                ));
            }
            ResolvedCredentials::Profile(profile) => loader = loader.profile_name(profile),
            ResolvedCredentials::DefaultChain => {}
        }
        let config = loader.load().await;
        if config.region().is_none() {
            return Err(ses_error(
                SesErrorKind::NoRegion,
                "No AWS region is set. Choose the region of your SES account in Settings.",
            ));
        }
        let provider = config.credentials_provider().ok_or_else(no_credentials)?;
        provider
            .provide_credentials()
            .await
            .map_err(|e| credentials_error(&self.credentials, e))?;
        Ok(config)
    }

    pub async fn client(&self) -> Result<aws_sdk_sesv2::Client> {
        Ok(aws_sdk_sesv2::Client::new(&self.sdk_config().await?))
    }

    /// Calls `GetAccount`: the "Test connection" button.
    pub async fn account(&self) -> Result<SesAccount> {
        let config = self.sdk_config().await?;
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        let client = aws_sdk_sesv2::Client::new(&config);
        let out = client
            .get_account()
            .send()
            .await
            .map_err(|e| self.call_error(&region, e))?;
        let quota = out.send_quota();
        Ok(SesAccount {
            sending_enabled: out.sending_enabled(),
            production_access: out.production_access_enabled(),
            enforcement_status: out.enforcement_status().map(str::to_owned),
            max_send_rate: quota.map(|q| q.max_send_rate()).unwrap_or(0.0),
            max_24_hour_send: quota.map(|q| q.max24_hour_send()).unwrap_or(0.0),
            sent_last_24_hours: quota.map(|q| q.sent_last24_hours()).unwrap_or(0.0),
            region,
            endpoint: self.endpoint.clone(),
            credential_source: self.credentials.source(),
        })
    }

    /// Maps a failed SES call to what the user should do about it.
    pub fn call_error<E, R>(&self, region: &str, err: SdkError<E, R>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let target = match &self.endpoint {
            Some(endpoint) => format!("the SES endpoint {endpoint}"),
            None => format!("Amazon SES in {region}"),
        };
        match &err {
            SdkError::TimeoutError(_) => ses_error(
                SesErrorKind::Unreachable,
                format!(
                    "{target} did not answer in time. Check your network connection and try again."
                ),
            ),
            SdkError::DispatchFailure(_) => {
                ses_error(
                    SesErrorKind::Unreachable,
                    format!(
                    "Herald could not reach {target}. Check your network connection, the region{}.",
                    if self.endpoint.is_some() { " and the endpoint override" } else { "" }
                ),
                )
            }
            SdkError::ResponseError(_) => ses_error(
                SesErrorKind::Service,
                format!(
                    "{target} sent an answer Herald could not read. Is the endpoint really SES?"
                ),
            ),
            SdkError::ServiceError(service) => {
                let code = service.err().code().unwrap_or("Unknown");
                let (kind, message) = match code {
                    "UnrecognizedClientException" | "InvalidClientTokenId" => (
                        SesErrorKind::Auth,
                        "AWS does not recognise this access key ID. Check it, or whether it was \
                         deactivated in IAM."
                            .to_owned(),
                    ),
                    "SignatureDoesNotMatch" | "InvalidSignatureException" => (
                        SesErrorKind::Auth,
                        "The secret access key does not match the access key ID. Store the pair again."
                            .to_owned(),
                    ),
                    "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => (
                        SesErrorKind::Auth,
                        "The AWS session has expired. For SSO profiles run `aws sso login`; \
                         otherwise check the computer's clock."
                            .to_owned(),
                    ),
                    "AccessDeniedException" | "AccessDenied" => (
                        SesErrorKind::Permission,
                        "These credentials may not use SES (ses:GetAccount was denied). Ask your \
                         AWS administrator for the SES permissions in docs/ses-setup.md."
                            .to_owned(),
                    ),
                    _ => (
                        SesErrorKind::Service,
                        format!(
                            "{target} refused the request ({code}): {}",
                            service.err().message().unwrap_or("no details given")
                        ),
                    ),
                };
                ses_error(kind, message)
            }
            _ => ses_error(
                SesErrorKind::Service,
                format!(
                    "The request to {target} could not be made: {}",
                    DisplayErrorContext(&err)
                ),
            ),
        }
    }
}

/// An SES error whose message reads as a sentence, also when it starts with the target
/// ("the SES endpoint http://… refused the request").
fn ses_error(kind: SesErrorKind, message: impl Into<String>) -> Error {
    let message = message.into();
    let mut chars = message.chars();
    let message = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => message,
    };
    Error::Ses { kind, message }
}

fn no_credentials() -> Error {
    ses_error(
        SesErrorKind::NoCredentials,
        "No AWS credentials were found. Store an access key in Settings, choose an AWS profile, \
         or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
    )
}

fn credentials_error(source: &ResolvedCredentials, err: CredentialsError) -> Error {
    match (source, &err) {
        (ResolvedCredentials::Profile(profile), _) => ses_error(
            SesErrorKind::NoCredentials,
            format!(
                "The AWS profile “{profile}” gave no credentials ({}). Check ~/.aws/config, or run \
                 `aws sso login --profile {profile}` for an SSO profile.",
                short_reason(&err)
            ),
        ),
        (_, CredentialsError::CredentialsNotLoaded(_)) => no_credentials(),
        _ => ses_error(
            SesErrorKind::NoCredentials,
            format!(
                "AWS credentials could not be loaded: {}",
                short_reason(&err)
            ),
        ),
    }
}

/// The innermost cause of a credentials error, which names the missing piece without
/// carrying any secret.
fn short_reason(err: &CredentialsError) -> String {
    let mut source: &dyn std::error::Error = err;
    while let Some(inner) = source.source() {
        source = inner;
    }
    source.to_string()
}

/// Where SES is with verifying something (an identity, its DKIM, its MAIL FROM domain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum VerificationState {
    Pending,
    Success,
    Failed,
    TemporaryFailure,
    NotStarted,
    /// SES answered with a state this version of Herald does not know.
    Unknown,
}

impl VerificationState {
    fn parse(s: &str) -> Self {
        match s.to_ascii_uppercase().as_str() {
            "PENDING" => Self::Pending,
            "SUCCESS" => Self::Success,
            "FAILED" => Self::Failed,
            "TEMPORARY_FAILURE" | "TEMPORARYFAILURE" => Self::TemporaryFailure,
            "NOT_STARTED" => Self::NotStarted,
            _ => Self::Unknown,
        }
    }
}

/// A DNS record the identity still needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DnsRecord {
    pub name: String,
    /// CNAME, MX or TXT.
    pub record_type: String,
    pub value: String,
    /// What it is for, in a few words.
    pub purpose: String,
}

/// A sender identity as `GetEmailIdentity` reports it, with the DNS records still missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct IdentityStatus {
    pub identity: String,
    /// False when SES has no such identity in this region.
    pub found: bool,
    /// DOMAIN, EMAIL_ADDRESS or MANAGED_DOMAIN.
    pub identity_type: Option<String>,
    pub verified_for_sending: bool,
    pub verification: Option<VerificationState>,
    pub dkim_signing_enabled: bool,
    pub dkim: Option<VerificationState>,
    pub mail_from_domain: Option<String>,
    pub mail_from: Option<VerificationState>,
    pub missing_records: Vec<DnsRecord>,
}

/// The verification and DKIM status of a domain or address, and the DNS records to publish.
pub async fn identity_status(connection: &SesConnection, identity: &str) -> Result<IdentityStatus> {
    connection.identity_status(identity).await
}

impl SesConnection {
    /// See [`identity_status`].
    pub async fn identity_status(&self, identity: &str) -> Result<IdentityStatus> {
        let identity = identity.trim();
        let config = self.sdk_config().await?;
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        let client = aws_sdk_sesv2::Client::new(&config);
        let out = match client
            .get_email_identity()
            .email_identity(identity)
            .send()
            .await
        {
            Ok(out) => out,
            Err(err) => {
                let not_found = err
                    .as_service_error()
                    .is_some_and(|e| e.code() == Some("NotFoundException"));
                if not_found {
                    return Ok(IdentityStatus {
                        identity: identity.to_owned(),
                        found: false,
                        identity_type: None,
                        verified_for_sending: false,
                        verification: None,
                        dkim_signing_enabled: false,
                        dkim: None,
                        mail_from_domain: None,
                        mail_from: None,
                        missing_records: Vec::new(),
                    });
                }
                return Err(self.call_error(&region, err));
            }
        };
        let domain = identity.rsplit('@').next().unwrap_or(identity).to_owned();
        let dkim = out.dkim_attributes();
        let dkim_state = dkim
            .and_then(|d| d.status())
            .map(|s| VerificationState::parse(s.as_str()));
        let mail_from = out.mail_from_attributes();
        let mail_from_state =
            mail_from.map(|m| VerificationState::parse(m.mail_from_domain_status().as_str()));
        let mut missing = Vec::new();
        if dkim_state != Some(VerificationState::Success) {
            for token in dkim.map(|d| d.tokens()).unwrap_or_default() {
                missing.push(DnsRecord {
                    name: format!("{token}._domainkey.{domain}"),
                    record_type: "CNAME".into(),
                    value: format!("{token}.dkim.amazonses.com"),
                    purpose: "Easy DKIM signature (also verifies the domain)".into(),
                });
            }
        }
        if let Some(m) = mail_from.filter(|_| mail_from_state != Some(VerificationState::Success)) {
            missing.push(DnsRecord {
                name: m.mail_from_domain().to_owned(),
                record_type: "MX".into(),
                value: format!("10 feedback-smtp.{region}.amazonses.com"),
                purpose: "Custom MAIL FROM: bounces come back through SES".into(),
            });
            missing.push(DnsRecord {
                name: m.mail_from_domain().to_owned(),
                record_type: "TXT".into(),
                value: "\"v=spf1 include:amazonses.com ~all\"".into(),
                purpose: "SPF for the custom MAIL FROM domain (SPF alignment for DMARC)".into(),
            });
        }
        Ok(IdentityStatus {
            identity: identity.to_owned(),
            found: true,
            identity_type: out.identity_type().map(|t| t.as_str().to_owned()),
            verified_for_sending: out.verified_for_sending_status(),
            verification: out
                .verification_status()
                .map(|s| VerificationState::parse(s.as_str())),
            dkim_signing_enabled: dkim.is_some_and(|d| d.signing_enabled()),
            dkim: dkim_state,
            mail_from_domain: mail_from.map(|m| m.mail_from_domain().to_owned()),
            mail_from: mail_from_state,
            missing_records: missing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ses_error_reads_as_a_sentence() {
        let e = ses_error(
            SesErrorKind::Service,
            "the SES endpoint http://127.0.0.1:4566 refused the request (Unknown): no details given",
        );
        assert!(e.to_string().starts_with("The SES endpoint"), "{e}");
        assert_eq!(ses_error(SesErrorKind::Service, "").to_string(), "");
    }
}
