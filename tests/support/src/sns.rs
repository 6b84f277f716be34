//! Signed SNS messages for tests of Herald Relay and of the app's event handling: a test
//! RSA key with a self-signed certificate, a loopback HTTP server that serves that
//! certificate and records SubscribeURL visits, SNS Notification / SubscriptionConfirmation
//! envelopes signed exactly as SNS signs them (SignatureVersion 1 or 2), and SES event
//! JSON builders (`ses::Mail`).
//!
//! The relay fetches the certificate from loopback only with its test-only switch
//! `testing.allow_loopback_certificates = true`
//! (env `HERALD_RELAY_TESTING_ALLOW_LOOPBACK_CERTIFICATES=true`).
//!
//! ```text
//! let sns = SnsTestServer::start();
//! let mail = ses::Mail::new("ses-msg-1", "jane@example.com").tag("herald_campaign", "7");
//! let message = sns.notification(TOPIC, &mail.delivery("2026-11-27T10:00:01.000Z"));
//! let (status, _) = message.post_blocking(&format!("{relay}/sns"));
//! ```

use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::extract::{OriginalUri, State};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::EncodePublicKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use serde_json::{Map, Value};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::{pem::LineEnding, EncodePem};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

/// The test key and its certificate, made once per test process.
pub struct TestSigner {
    key: RsaPrivateKey,
    /// PEM, as SNS serves it.
    pub certificate_pem: String,
}

impl TestSigner {
    /// The process-wide signer (RSA key generation is slow; do it once).
    pub fn shared() -> &'static TestSigner {
        static SIGNER: OnceLock<TestSigner> = OnceLock::new();
        SIGNER.get_or_init(TestSigner::generate)
    }

    fn generate() -> Self {
        let mut rng = rsa::rand_core::OsRng;
        let key = RsaPrivateKey::new(&mut rng, 2048).expect("an RSA test key");
        let spki_der = key
            .to_public_key()
            .to_public_key_der()
            .expect("the public key encodes");
        let spki = SubjectPublicKeyInfoOwned::try_from(spki_der.as_bytes()).expect("SPKI");
        let signer = SigningKey::<sha2::Sha256>::new(key.clone());
        let subject: Name = "CN=sns.test.invalid".parse().expect("a name");
        let certificate = CertificateBuilder::new(
            Profile::Root,
            SerialNumber::from(1u32),
            Validity::from_now(Duration::from_secs(3600 * 24)).expect("validity"),
            subject,
            spki,
            &signer,
        )
        .expect("a certificate builder")
        .build::<rsa::pkcs1v15::Signature>()
        .expect("a self-signed certificate");
        Self {
            key,
            certificate_pem: certificate.to_pem(LineEnding::LF).expect("PEM"),
        }
    }

    /// Base64 of the RSA PKCS#1 v1.5 signature of `text` (version "1" = SHA-1, "2" = SHA-256).
    pub fn sign(&self, version: &str, text: &str) -> String {
        let signature = match version {
            "1" => SigningKey::<sha1::Sha1>::new(self.key.clone())
                .sign(text.as_bytes())
                .to_vec(),
            _ => SigningKey::<sha2::Sha256>::new(self.key.clone())
                .sign(text.as_bytes())
                .to_vec(),
        };
        STANDARD.encode(signature)
    }
}

/// A loopback HTTP server standing in for `sns.<region>.amazonaws.com`: it serves the
/// test certificate at `/cert.pem` and answers (and records) SubscribeURL visits at
/// `/confirm?...`. It runs on its own thread, so sync and async tests can use it.
pub struct SnsTestServer {
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    visits: Arc<Mutex<Vec<String>>>,
    certificate_fetches: Arc<AtomicU64>,
    next_id: AtomicU64,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl SnsTestServer {
    pub fn start() -> Self {
        let signer = TestSigner::shared();
        let visits = Arc::new(Mutex::new(Vec::new()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, bound) = std::sync::mpsc::channel();
        let certificate_fetches = Arc::new(AtomicU64::new(0));
        let state = ServerState {
            pem: signer.certificate_pem.clone(),
            visits: visits.clone(),
            fetches: certificate_fetches.clone(),
        };
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the SNS test server");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("a loopback port");
                ready
                    .send(listener.local_addr().expect("an address"))
                    .expect("the test waits");
                let app = Router::new()
                    .route("/cert.pem", get(serve_certificate))
                    .route("/confirm", get(record_visit))
                    .with_state(state);
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        let address = bound.recv().expect("the SNS test server starts");
        Self {
            base_url: format!("http://{address}"),
            visits,
            certificate_fetches,
            next_id: AtomicU64::new(1),
            _stop: stop,
        }
    }

    pub fn certificate_url(&self) -> String {
        format!("{}/cert.pem", self.base_url)
    }

    /// How often the certificate was downloaded (the relay should cache it).
    pub fn certificate_fetches(&self) -> u64 {
        self.certificate_fetches.load(Ordering::SeqCst)
    }

    /// The paths and queries of every SubscribeURL visited so far.
    pub fn visits(&self) -> Vec<String> {
        self.visits.lock().map(|v| v.clone()).unwrap_or_default()
    }

    fn new_message_id(&self) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        format!(
            "00000000-0000-4000-8000-{:012x}",
            n + u64::from(std::process::id()) * 1_000_000
        )
    }

    /// A signed (SignatureVersion 2) Notification carrying `message` (an SES event),
    /// with a fresh MessageId.
    pub fn notification(&self, topic_arn: &str, message: &Value) -> SnsMessage {
        self.notification_with_id(topic_arn, &self.new_message_id(), message)
    }

    pub fn notification_with_id(
        &self,
        topic_arn: &str,
        message_id: &str,
        message: &Value,
    ) -> SnsMessage {
        let mut fields = Map::new();
        fields.insert("Type".into(), "Notification".into());
        fields.insert("MessageId".into(), message_id.into());
        fields.insert("TopicArn".into(), topic_arn.into());
        fields.insert("Message".into(), message.to_string().into());
        fields.insert("Timestamp".into(), "2026-11-27T10:00:00.000Z".into());
        fields.insert("SignatureVersion".into(), "2".into());
        fields.insert("SigningCertURL".into(), self.certificate_url().into());
        fields.insert(
            "UnsubscribeURL".into(),
            format!(
                "{}/unsubscribe?SubscriptionArn={topic_arn}:sub",
                self.base_url
            )
            .into(),
        );
        SnsMessage::signed(fields)
    }

    /// A signed SubscriptionConfirmation whose SubscribeURL points back at this server
    /// (see [`SnsTestServer::visits`]).
    pub fn subscription_confirmation(&self, topic_arn: &str) -> SnsMessage {
        let token = format!("token-{}", self.next_id.fetch_add(1, Ordering::Relaxed));
        let mut fields = Map::new();
        fields.insert("Type".into(), "SubscriptionConfirmation".into());
        fields.insert("MessageId".into(), self.new_message_id().into());
        fields.insert("Token".into(), token.clone().into());
        fields.insert("TopicArn".into(), topic_arn.into());
        fields.insert(
            "Message".into(),
            format!("You have chosen to subscribe to the topic {topic_arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.").into(),
        );
        fields.insert(
            "SubscribeURL".into(),
            format!(
                "{}/confirm?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}",
                self.base_url
            )
            .into(),
        );
        fields.insert("Timestamp".into(), "2026-11-27T09:59:00.000Z".into());
        fields.insert("SignatureVersion".into(), "2".into());
        fields.insert("SigningCertURL".into(), self.certificate_url().into());
        SnsMessage::signed(fields)
    }
}

#[derive(Clone)]
struct ServerState {
    pem: String,
    visits: Arc<Mutex<Vec<String>>>,
    fetches: Arc<AtomicU64>,
}

async fn serve_certificate(State(state): State<ServerState>) -> String {
    state.fetches.fetch_add(1, Ordering::SeqCst);
    state.pem
}

async fn record_visit(
    State(state): State<ServerState>,
    OriginalUri(uri): OriginalUri,
) -> &'static str {
    if let Ok(mut visits) = state.visits.lock() {
        visits.push(uri.to_string());
    }
    "<ConfirmSubscriptionResponse/>"
}

/// An SNS HTTP(S) message: its JSON fields, signed by the test signer.
#[derive(Debug, Clone)]
pub struct SnsMessage {
    pub fields: Map<String, Value>,
}

impl SnsMessage {
    fn signed(fields: Map<String, Value>) -> Self {
        let mut message = Self { fields };
        message.sign();
        message
    }

    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }

    pub fn message_type(&self) -> &str {
        self.field("Type").unwrap_or("")
    }

    pub fn message_id(&self) -> &str {
        self.field("MessageId").unwrap_or("")
    }

    pub fn topic_arn(&self) -> &str {
        self.field("TopicArn").unwrap_or("")
    }

    /// The canonical string SNS signs for this message's type.
    pub fn string_to_sign(&self) -> String {
        let keys: &[&str] = if self.message_type() == "Notification" {
            &[
                "Message",
                "MessageId",
                "Subject",
                "Timestamp",
                "TopicArn",
                "Type",
            ]
        } else {
            &[
                "Message",
                "MessageId",
                "SubscribeURL",
                "Timestamp",
                "Token",
                "TopicArn",
                "Type",
            ]
        };
        let mut out = String::new();
        for key in keys {
            if let Some(value) = self.field(key) {
                out.push_str(key);
                out.push('\n');
                out.push_str(value);
                out.push('\n');
            }
        }
        out
    }

    /// Signs (again) with the test key, for the current SignatureVersion.
    pub fn sign(&mut self) {
        let version = self.field("SignatureVersion").unwrap_or("2").to_owned();
        let signature = TestSigner::shared().sign(&version, &self.string_to_sign());
        self.fields.insert("Signature".into(), signature.into());
    }

    /// Sets a field WITHOUT signing again (to make an altered message), or call
    /// [`SnsMessage::sign`] after it (to make a validly signed variant).
    pub fn set(mut self, name: &str, value: &str) -> Self {
        self.fields.insert(name.into(), value.into());
        self
    }

    /// The same message signed with SignatureVersion `version` ("1" = SHA1withRSA).
    pub fn with_signature_version(mut self, version: &str) -> Self {
        self.fields
            .insert("SignatureVersion".into(), version.into());
        self.sign();
        self
    }

    /// The POST body SNS sends.
    pub fn body(&self) -> String {
        Value::Object(self.fields.clone()).to_string()
    }

    /// The headers SNS sends with it.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        vec![
            ("content-type", "text/plain; charset=UTF-8".into()),
            ("x-amz-sns-message-type", self.message_type().to_owned()),
            ("x-amz-sns-message-id", self.message_id().to_owned()),
            ("x-amz-sns-topic-arn", self.topic_arn().to_owned()),
        ]
    }

    /// POSTs the message to `url` (e.g. `http://127.0.0.1:PORT/sns`) as SNS would, with a
    /// plain HTTP/1.1 request; returns the status code and body.
    pub fn post_blocking(&self, url: &str) -> (u16, String) {
        use std::io::{Read, Write};
        let rest = url
            .strip_prefix("http://")
            .expect("an http:// loopback URL");
        let (host, path) = rest
            .split_once('/')
            .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
        let body = self.body();
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (name, value) in self.headers() {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        let mut stream = TcpStream::connect(host).expect("the relay accepts connections");
        stream.write_all(request.as_bytes()).expect("request sent");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("response read");
        let response = String::from_utf8_lossy(&response).into_owned();
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("an HTTP status");
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }
}

/// SES event JSON as SES publishes it to SNS (see the reference's section 3.2).
pub mod ses {
    use serde_json::{json, Map, Value};

    /// The `mail` object every event carries: one message to one recipient.
    #[derive(Debug, Clone)]
    pub struct Mail {
        pub message_id: String,
        pub recipient: String,
        pub sent_at: String,
        pub tags: Vec<(String, String)>,
    }

    impl Mail {
        /// `message_id` is the SES MessageId `SendEmail` returned.
        pub fn new(message_id: &str, recipient: &str) -> Self {
            Self {
                message_id: message_id.to_owned(),
                recipient: recipient.to_owned(),
                sent_at: "2026-11-27T10:00:00.000Z".into(),
                tags: vec![("ses:configuration-set".into(), "herald".into())],
            }
        }

        /// Adds a message tag (as given in `EmailTags`).
        pub fn tag(mut self, name: &str, value: &str) -> Self {
            self.tags.push((name.to_owned(), value.to_owned()));
            self
        }

        pub fn sent_at(mut self, timestamp: &str) -> Self {
            self.sent_at = timestamp.to_owned();
            self
        }

        fn mail(&self) -> Value {
            let mut tags = Map::new();
            for (name, value) in &self.tags {
                let entry = tags.entry(name.clone()).or_insert_with(|| json!([]));
                if let Some(values) = entry.as_array_mut() {
                    values.push(json!(value));
                }
            }
            json!({
                "timestamp": self.sent_at,
                "source": "news@sender.example",
                "sourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/sender.example",
                "sendingAccountId": "123456789012",
                "messageId": self.message_id,
                "destination": [self.recipient],
                "headersTruncated": false,
                "headers": [{"name": "From", "value": "news@sender.example"},
                            {"name": "To", "value": self.recipient}],
                "commonHeaders": {"from": ["news@sender.example"], "to": [self.recipient],
                                  "messageId": self.message_id, "subject": "Test campaign"},
                "tags": tags,
            })
        }

        /// Any event: `eventType` plus `mail` plus the detail object under `detail_key`.
        pub fn event(&self, event_type: &str, detail_key: &str, detail: Value) -> Value {
            let mut event = Map::new();
            event.insert("eventType".into(), event_type.into());
            event.insert("mail".into(), self.mail());
            event.insert(detail_key.into(), detail);
            Value::Object(event)
        }

        pub fn send(&self) -> Value {
            self.event("Send", "send", json!({}))
        }

        pub fn delivery(&self, at: &str) -> Value {
            self.event("Delivery", "delivery", json!({
                "timestamp": at, "processingTimeMillis": 1200, "recipients": [self.recipient],
                "smtpResponse": "250 2.6.0 Message received", "reportingMTA": "a1-23.smtp-out.amazonses.com"
            }))
        }

        /// `bounce_type`: `Permanent` (hard), `Transient` (soft) or `Undetermined`.
        pub fn bounce(&self, at: &str, bounce_type: &str, sub_type: &str) -> Value {
            self.event("Bounce", "bounce", json!({
                "bounceType": bounce_type, "bounceSubType": sub_type,
                "bouncedRecipients": [{"emailAddress": self.recipient, "action": "failed",
                                       "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
                "timestamp": at, "feedbackId": format!("feedback-{}", self.message_id),
                "reportingMTA": "dsn; a1-23.smtp-out.amazonses.com"
            }))
        }

        pub fn complaint(&self, at: &str) -> Value {
            self.event(
                "Complaint",
                "complaint",
                json!({
                    "complainedRecipients": [{"emailAddress": self.recipient}], "timestamp": at,
                    "feedbackId": format!("complaint-{}", self.message_id),
                    "complaintFeedbackType": "abuse", "arrivalDate": at
                }),
            )
        }

        pub fn open(&self, at: &str, user_agent: &str, ip: &str) -> Value {
            self.event(
                "Open",
                "open",
                json!({"ipAddress": ip, "timestamp": at, "userAgent": user_agent}),
            )
        }

        pub fn click(&self, at: &str, link: &str, user_agent: &str, ip: &str) -> Value {
            self.event("Click", "click", json!({
                "ipAddress": ip, "timestamp": at, "userAgent": user_agent, "link": link, "linkTags": {}
            }))
        }
    }
}

/// A made-up SNS topic ARN for tests.
pub fn topic_arn(name: &str) -> String {
    format!("arn:aws:sns:eu-west-1:123456789012:{name}")
}
