//! SNS message checks: the envelope, the AWS host rule for certificate and subscribe URLs,
//! the string to sign for each message type, and RSA signature verification with
//! certificates fetched once and cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier as _;
use rsa::RsaPublicKey;
use serde::Deserialize;
use url::Url;
use x509_cert::der::{DecodePem, Encode};

/// The most certificates kept (SNS rotates them rarely; a handful per region).
const CERT_CACHE_LIMIT: usize = 64;
const CERT_MAX_BYTES: usize = 64 * 1024;
/// After a failed fetch, the same URL is not tried again for this long (forged messages
/// must not make the relay hammer a URL).
const FAILED_FETCH_BACKOFF: Duration = Duration::from_secs(30);

/// Why a message was refused. Every one of them means "nothing stored".
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Rejection {
    #[error("the body is not an SNS message: {0}")]
    Malformed(String),
    #[error("the message type {0:?} is not supported")]
    UnsupportedType(String),
    #[error("the x-amz-sns-message-type header does not match the message's Type")]
    TypeMismatch,
    #[error("SignatureVersion {0:?} is not supported (1 and 2 are)")]
    UnsupportedVersion(String),
    #[error("the topic {0} is not registered on this relay")]
    UnknownTopic(String),
    #[error("the {0} is not an SNS address")]
    UntrustedUrl(&'static str),
    #[error("the signing certificate could not be fetched or read: {0}")]
    Certificate(String),
    #[error("the signature does not match the message")]
    BadSignature,
}

/// The fields of an SNS HTTP(S) message (all message types).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SnsMessage {
    #[serde(rename = "Type")]
    pub kind: String,
    pub message_id: String,
    pub topic_arn: String,
    pub subject: Option<String>,
    pub message: String,
    pub timestamp: String,
    pub signature_version: String,
    pub signature: String,
    #[serde(rename = "SigningCertURL")]
    pub signing_cert_url: String,
    #[serde(rename = "SubscribeURL")]
    pub subscribe_url: Option<String>,
    pub token: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    Notification,
    SubscriptionConfirmation,
    UnsubscribeConfirmation,
}

impl SnsMessage {
    /// Parses the body and checks what can be checked without the network.
    pub fn parse(body: &[u8], type_header: Option<&str>) -> Result<(Self, MessageType), Rejection> {
        let message: SnsMessage =
            serde_json::from_slice(body).map_err(|e| Rejection::Malformed(e.to_string()))?;
        let kind = match message.kind.as_str() {
            "Notification" => MessageType::Notification,
            "SubscriptionConfirmation" => MessageType::SubscriptionConfirmation,
            "UnsubscribeConfirmation" => MessageType::UnsubscribeConfirmation,
            other => return Err(Rejection::UnsupportedType(other.to_owned())),
        };
        if type_header != Some(message.kind.as_str()) {
            return Err(Rejection::TypeMismatch);
        }
        if !matches!(message.signature_version.as_str(), "1" | "2") {
            return Err(Rejection::UnsupportedVersion(
                message.signature_version.clone(),
            ));
        }
        if kind != MessageType::Notification
            && (message.subscribe_url.is_none() || message.token.is_none())
        {
            return Err(Rejection::Malformed(
                "a confirmation without SubscribeURL or Token".into(),
            ));
        }
        Ok((message, kind))
    }

    /// The canonical string SNS signs: `Key\nValue\n` for each field of the type, in order.
    pub fn string_to_sign(&self, kind: MessageType) -> String {
        let mut fields: Vec<(&str, &str)> =
            vec![("Message", &self.message), ("MessageId", &self.message_id)];
        match kind {
            MessageType::Notification => {
                if let Some(subject) = &self.subject {
                    fields.push(("Subject", subject));
                }
                fields.push(("Timestamp", &self.timestamp));
            }
            MessageType::SubscriptionConfirmation | MessageType::UnsubscribeConfirmation => {
                fields.push(("SubscribeURL", self.subscribe_url.as_deref().unwrap_or("")));
                fields.push(("Timestamp", &self.timestamp));
                fields.push(("Token", self.token.as_deref().unwrap_or("")));
            }
        }
        fields.push(("TopicArn", &self.topic_arn));
        fields.push(("Type", &self.kind));
        let mut out = String::with_capacity(self.message.len() + 512);
        for (key, value) in fields {
            out.push_str(key);
            out.push('\n');
            out.push_str(value);
            out.push('\n');
        }
        out
    }
}

/// Checks `raw` against the AWS rule before the relay fetches it: https, a host like
/// `sns.<region>.amazonaws.com` (or `.com.cn`), no user info; `.pem` for certificates. With
/// `allow_loopback` (tests only) a loopback host over http or https passes too.
pub fn trusted_sns_url(
    raw: &str,
    what: &'static str,
    pem: bool,
    allow_loopback: bool,
) -> Result<Url, Rejection> {
    let url = Url::parse(raw).map_err(|_| Rejection::UntrustedUrl(what))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Rejection::UntrustedUrl(what));
    }
    if pem && !url.path().ends_with(".pem") {
        return Err(Rejection::UntrustedUrl(what));
    }
    let host = url.host_str().unwrap_or("");
    let aws = url.scheme() == "https" && url.port().is_none() && is_sns_host(host);
    let loopback = allow_loopback
        && matches!(url.scheme(), "http" | "https")
        && matches!(host, "127.0.0.1" | "localhost" | "[::1]");
    if aws || loopback {
        Ok(url)
    } else {
        Err(Rejection::UntrustedUrl(what))
    }
}

/// `^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$`
fn is_sns_host(host: &str) -> bool {
    let Some(rest) = host.strip_prefix("sns.") else {
        return false;
    };
    let region = rest
        .strip_suffix(".amazonaws.com")
        .or_else(|| rest.strip_suffix(".amazonaws.com.cn"));
    region
        .is_some_and(|r| r.len() >= 3 && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// Fetches signing certificates (once per URL) and checks signatures.
pub struct Verifier {
    http: reqwest::Client,
    allow_loopback: bool,
    certificates: Mutex<HashMap<String, Arc<CertificateKeys>>>,
    failed: Mutex<HashMap<String, Instant>>,
    /// One fetch at a time, so a burst of messages before the first is cached fetches once.
    fetching: tokio::sync::Mutex<()>,
}

/// A certificate's key, ready for either signature version.
struct CertificateKeys {
    sha1: VerifyingKey<sha1::Sha1>,
    sha256: VerifyingKey<sha2::Sha256>,
}

impl Verifier {
    pub fn new(allow_loopback: bool) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("herald-relay/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self {
            http,
            allow_loopback,
            certificates: Mutex::new(HashMap::new()),
            failed: Mutex::new(HashMap::new()),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn allow_loopback(&self) -> bool {
        self.allow_loopback
    }

    /// Verifies the message's signature with the certificate it names.
    pub async fn verify(&self, message: &SnsMessage, kind: MessageType) -> Result<(), Rejection> {
        let url = trusted_sns_url(
            &message.signing_cert_url,
            "SigningCertURL",
            true,
            self.allow_loopback,
        )?;
        let key = self.public_key(url).await?;
        let signature = STANDARD
            .decode(message.signature.trim())
            .map_err(|_| Rejection::BadSignature)?;
        let signature =
            Signature::try_from(signature.as_slice()).map_err(|_| Rejection::BadSignature)?;
        let text = message.string_to_sign(kind);
        let ok = match message.signature_version.as_str() {
            "1" => key.sha1.verify(text.as_bytes(), &signature),
            "2" => key.sha256.verify(text.as_bytes(), &signature),
            other => return Err(Rejection::UnsupportedVersion(other.to_owned())),
        };
        ok.map_err(|_| Rejection::BadSignature)
    }

    async fn public_key(&self, url: Url) -> Result<Arc<CertificateKeys>, Rejection> {
        if let Some(key) = self.cached(url.as_str()) {
            return Ok(key);
        }
        let _one_at_a_time = self.fetching.lock().await;
        if let Some(key) = self.cached(url.as_str()) {
            return Ok(key);
        }
        let recently_failed = self
            .failed
            .lock()
            .ok()
            .and_then(|failed| failed.get(url.as_str()).copied())
            .is_some_and(|at| at.elapsed() < FAILED_FETCH_BACKOFF);
        if recently_failed {
            return Err(Rejection::Certificate(
                "fetching it failed moments ago".into(),
            ));
        }
        let fetched = self.fetch(&url).await;
        if let Ok(mut failed) = self.failed.lock() {
            failed.retain(|_, at| at.elapsed() < FAILED_FETCH_BACKOFF);
            if fetched.is_err() {
                failed.insert(url.to_string(), Instant::now());
            }
        }
        fetched
    }

    async fn fetch(&self, url: &Url) -> Result<Arc<CertificateKeys>, Rejection> {
        let response = self
            .http
            .get(url.clone())
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| Rejection::Certificate(e.without_url().to_string()))?;
        if response.content_length().unwrap_or(0) > CERT_MAX_BYTES as u64 {
            return Err(Rejection::Certificate("too large".into()));
        }
        let pem = response
            .bytes()
            .await
            .map_err(|e| Rejection::Certificate(e.without_url().to_string()))?;
        if pem.len() > CERT_MAX_BYTES {
            return Err(Rejection::Certificate("too large".into()));
        }
        let key = public_key_from_pem(&pem)?;
        let key = Arc::new(CertificateKeys {
            sha1: VerifyingKey::new(key.clone()),
            sha256: VerifyingKey::new(key),
        });
        if let Ok(mut cache) = self.certificates.lock() {
            if cache.len() >= CERT_CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(url.to_string(), key.clone());
        }
        Ok(key)
    }

    fn cached(&self, url: &str) -> Option<Arc<CertificateKeys>> {
        self.certificates.lock().ok()?.get(url).cloned()
    }
}

/// The RSA public key of a PEM X.509 certificate.
pub fn public_key_from_pem(pem: &[u8]) -> Result<RsaPublicKey, Rejection> {
    let certificate = x509_cert::Certificate::from_pem(pem)
        .map_err(|e| Rejection::Certificate(format!("not a PEM certificate: {e}")))?;
    let spki = certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| Rejection::Certificate(e.to_string()))?;
    RsaPublicKey::from_public_key_der(&spki)
        .map_err(|e| Rejection::Certificate(format!("not an RSA key: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sns_hosts_pass_the_url_rule() {
        let ok = |u: &str| trusted_sns_url(u, "SigningCertURL", true, false).is_ok();
        assert!(ok("https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"));
        assert!(ok("https://sns.cn-north-1.amazonaws.com.cn/cert.pem"));
        assert!(
            !ok("http://sns.us-west-2.amazonaws.com/cert.pem"),
            "https only"
        );
        assert!(
            !ok("https://sns.us-west-2.amazonaws.com/cert.txt"),
            ".pem only"
        );
        assert!(
            !ok("https://my-bucket.s3.amazonaws.com/cert.pem"),
            "S3 is amazonaws.com too"
        );
        assert!(!ok(
            "https://sns.us-west-2.amazonaws.com.evil.example/cert.pem"
        ));
        assert!(!ok(
            "https://evil.example/sns.us-west-2.amazonaws.com/cert.pem"
        ));
        assert!(!ok("https://user@sns.us-west-2.amazonaws.com/cert.pem"));
        assert!(
            !ok("https://sns.ab.amazonaws.com/cert.pem"),
            "region of 3+ characters"
        );
        assert!(
            !ok("http://127.0.0.1:8080/cert.pem"),
            "loopback only when switched on"
        );
        assert!(trusted_sns_url(
            "http://127.0.0.1:8080/cert.pem",
            "SigningCertURL",
            true,
            true
        )
        .is_ok());
        assert!(trusted_sns_url(
            "http://10.0.0.1:8080/cert.pem",
            "SigningCertURL",
            true,
            true
        )
        .is_err());
    }

    #[test]
    fn the_string_to_sign_follows_the_type() {
        let body =
            br#"{"Type":"Notification","MessageId":"m","TopicArn":"t","Message":"line1\nline2",
            "Timestamp":"ts","SignatureVersion":"1","Signature":"","SigningCertURL":"u"}"#;
        let (message, kind) = SnsMessage::parse(body, Some("Notification")).unwrap();
        assert_eq!(
            message.string_to_sign(kind),
            "Message\nline1\nline2\nMessageId\nm\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n"
        );
        let with_subject = SnsMessage {
            subject: Some("s".into()),
            ..message.clone()
        };
        assert!(with_subject
            .string_to_sign(kind)
            .contains("MessageId\nm\nSubject\ns\nTimestamp\n"));
        assert_eq!(
            SnsMessage::parse(body, Some("SubscriptionConfirmation")).unwrap_err(),
            Rejection::TypeMismatch
        );
        assert_eq!(
            SnsMessage::parse(body, None).unwrap_err(),
            Rejection::TypeMismatch
        );

        let confirmation = br#"{"Type":"SubscriptionConfirmation","MessageId":"m","TopicArn":"t","Message":"hi",
            "Timestamp":"ts","SignatureVersion":"2","Signature":"","SigningCertURL":"u","Token":"k","SubscribeURL":"s"}"#;
        let (message, kind) =
            SnsMessage::parse(confirmation, Some("SubscriptionConfirmation")).unwrap();
        assert_eq!(
            message.string_to_sign(kind),
            "Message\nhi\nMessageId\nm\nSubscribeURL\ns\nTimestamp\nts\nToken\nk\nTopicArn\nt\nType\nSubscriptionConfirmation\n"
        );
        let v3 = String::from_utf8_lossy(confirmation).replace("\"2\"", "\"3\"");
        assert_eq!(
            SnsMessage::parse(v3.as_bytes(), Some("SubscriptionConfirmation")).unwrap_err(),
            Rejection::UnsupportedVersion("3".into())
        );
    }
}
