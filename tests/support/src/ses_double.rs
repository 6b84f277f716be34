//! A fault-injecting stand-in for the SES v2 REST API (`SendEmail`, `GetAccount`,
//! `GetEmailIdentity`), for the faults the emulators cannot produce: throttling, 5xx, hangs
//! past the client's timeout, per-address rejections, account suspension, daily quota.
//! It runs on its own thread and runtime, so sync tests, async tests and child processes
//! can all talk to it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

/// An error the double answers with: HTTP status, SES error code, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl ScriptedError {
    pub fn new(status: u16, code: &str, message: &str) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.to_owned(),
        }
    }

    pub fn account_suspended() -> Self {
        Self::new(
            400,
            "AccountSuspendedException",
            "Your account is suspended.",
        )
    }

    pub fn sending_paused() -> Self {
        Self::new(
            400,
            "SendingPausedException",
            "Sending is paused for this account.",
        )
    }

    pub fn daily_quota() -> Self {
        Self::new(400, "ThrottlingException", "Daily message quota exceeded.")
    }
}

/// What the double does; change it at any time with [`SesDouble::script`].
#[derive(Debug, Clone)]
pub struct Script {
    /// Added before every answer.
    pub latency: Duration,
    /// The next N `SendEmail` calls get 429 TooManyRequestsException.
    pub throttle_next: u32,
    /// The next N `SendEmail` calls get 500 InternalFailure.
    pub server_error_next: u32,
    /// The next N `SendEmail` calls are accepted (recorded as received) but answered only
    /// after `hang_for`: a timeout after delivery.
    pub hang_next: u32,
    pub hang_for: Duration,
    /// Addresses (lower case) answered with 400 MessageRejected.
    pub reject: HashSet<String>,
    /// Every `SendEmail` gets this error (account suspended, sending paused...).
    pub send_error: Option<ScriptedError>,
    /// After this many accepted messages (in total), every `SendEmail` gets `limit_error`.
    pub accept_limit: Option<usize>,
    pub limit_error: ScriptedError,
    /// `GetAccount`'s answer.
    pub max_send_rate: f64,
    pub max_24_hour_send: f64,
    pub sent_last_24_hours: f64,
    pub sending_enabled: bool,
    /// False: the account is in the SES sandbox.
    pub production_access: bool,
    /// `GetEmailIdentity` answers, by identity.
    pub identities: HashMap<String, Value>,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            throttle_next: 0,
            server_error_next: 0,
            hang_next: 0,
            hang_for: Duration::from_secs(5),
            reject: HashSet::new(),
            send_error: None,
            accept_limit: None,
            limit_error: ScriptedError::daily_quota(),
            max_send_rate: 1_000_000.0,
            max_24_hour_send: -1.0,
            sent_last_24_hours: 0.0,
            sending_enabled: true,
            production_access: true,
            identities: HashMap::new(),
        }
    }
}

/// A `GetEmailIdentity` answer for an identity verified for sending (Easy DKIM done).
pub fn verified_identity(identity: &str) -> Value {
    json!({
        "IdentityType": if identity.contains('@') { "EMAIL_ADDRESS" } else { "DOMAIN" },
        "VerifiedForSendingStatus": true,
        "VerificationStatus": "SUCCESS",
        "DkimAttributes": { "SigningEnabled": true, "Status": "SUCCESS", "Tokens": [] }
    })
}

/// One message the double accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    pub message_id: String,
    pub from: String,
    pub to: Vec<String>,
    pub reply_to: Vec<String>,
    pub subject: String,
    pub html: String,
    pub text: String,
    pub headers: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub configuration_set: Option<String>,
}

#[derive(Default)]
struct Inner {
    script: Script,
    received: Vec<ReceivedMessage>,
    requests: u64,
    next_id: u64,
}

type Shared = Arc<Mutex<Inner>>;

/// The running double. Dropping it stops the server.
pub struct SesDouble {
    pub endpoint: String,
    inner: Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SesDouble {
    pub fn start() -> Self {
        Self::start_with(Script::default())
    }

    pub fn start_with(script: Script) -> Self {
        let inner: Shared = Arc::new(Mutex::new(Inner {
            script,
            ..Inner::default()
        }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let endpoint = format!("http://{}", listener.local_addr().expect("local address"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = inner.clone();
        let thread = std::thread::Builder::new()
            .name("ses-double".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .expect("a runtime for the SES double");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    let app = Router::new()
                        .route("/v2/email/outbound-emails", post(send_email))
                        .route("/v2/email/account", get(get_account))
                        .route("/v2/email/identities/{identity}", get(get_identity))
                        .with_state(state);
                    axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = rx.await;
                        })
                        .await
                        .expect("the SES double serves");
                });
            })
            .expect("the SES double's thread starts");
        Self {
            endpoint,
            inner,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// Changes the script.
    pub fn script(&self, change: impl FnOnce(&mut Script)) {
        change(&mut self.inner.lock().unwrap().script);
    }

    /// Every message accepted so far, in order.
    pub fn received(&self) -> Vec<ReceivedMessage> {
        self.inner.lock().unwrap().received.clone()
    }

    /// How many messages were accepted for each address.
    pub fn received_by_address(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for m in &self.inner.lock().unwrap().received {
            for to in &m.to {
                *counts.entry(to.to_lowercase()).or_default() += 1;
            }
        }
        counts
    }

    pub fn received_count(&self) -> usize {
        self.inner.lock().unwrap().received.len()
    }

    /// `SendEmail` requests seen, whatever the answer.
    pub fn send_requests(&self) -> u64 {
        self.inner.lock().unwrap().requests
    }
}

impl Drop for SesDouble {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn error(e: &ScriptedError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-amzn-ErrorType",
        e.code.parse().expect("an error code is a header value"),
    );
    (status, headers, Json(json!({ "message": e.message }))).into_response()
}

fn text_of(v: &Value, path: &[&str]) -> String {
    let mut v = v;
    for key in path {
        v = &v[*key];
    }
    v.as_str().unwrap_or_default().to_owned()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|p| (text_of(p, &["Name"]), text_of(p, &["Value"])))
                .collect()
        })
        .unwrap_or_default()
}

enum Decision {
    Error(ScriptedError),
    Accept { hang: Option<Duration> },
}

async fn send_email(State(state): State<Shared>, Json(body): Json<Value>) -> Response {
    let latency = state.lock().unwrap().script.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let to = strings(&body["Destination"]["ToAddresses"]);
    let (decision, message_id) = {
        let mut inner = state.lock().unwrap();
        inner.requests += 1;
        let accepted = inner.received.len();
        let s = &mut inner.script;
        let decision = if let Some(e) = &s.send_error {
            Decision::Error(e.clone())
        } else if s.accept_limit.is_some_and(|limit| accepted >= limit) {
            Decision::Error(s.limit_error.clone())
        } else if s.throttle_next > 0 {
            s.throttle_next -= 1;
            Decision::Error(ScriptedError::new(
                429,
                "TooManyRequestsException",
                "Maximum sending rate exceeded.",
            ))
        } else if s.server_error_next > 0 {
            s.server_error_next -= 1;
            Decision::Error(ScriptedError::new(500, "InternalFailure", "Try again."))
        } else if to.iter().any(|t| s.reject.contains(&t.to_lowercase())) {
            Decision::Error(ScriptedError::new(
                400,
                "MessageRejected",
                "Address blacklisted.",
            ))
        } else if s.hang_next > 0 {
            s.hang_next -= 1;
            Decision::Accept {
                hang: Some(s.hang_for),
            }
        } else {
            Decision::Accept { hang: None }
        };
        let mut message_id = String::new();
        if matches!(decision, Decision::Accept { .. }) {
            inner.next_id += 1;
            message_id = format!("double-{:010}", inner.next_id);
            let simple = &body["Content"]["Simple"];
            inner.received.push(ReceivedMessage {
                message_id: message_id.clone(),
                from: text_of(&body, &["FromEmailAddress"]),
                to: to.clone(),
                reply_to: strings(&body["ReplyToAddresses"]),
                subject: text_of(simple, &["Subject", "Data"]),
                html: text_of(simple, &["Body", "Html", "Data"]),
                text: text_of(simple, &["Body", "Text", "Data"]),
                headers: pairs(&simple["Headers"]),
                tags: pairs(&body["EmailTags"]),
                configuration_set: body["ConfigurationSetName"].as_str().map(str::to_owned),
            });
        }
        (decision, message_id)
    };
    match decision {
        Decision::Error(e) => error(&e),
        Decision::Accept { hang } => {
            if let Some(hang) = hang {
                tokio::time::sleep(hang).await;
            }
            Json(json!({ "MessageId": message_id })).into_response()
        }
    }
}

async fn get_account(State(state): State<Shared>) -> Response {
    let s = state.lock().unwrap().script.clone();
    Json(json!({
        "DedicatedIpAutoWarmupEnabled": false,
        "EnforcementStatus": "HEALTHY",
        "ProductionAccessEnabled": s.production_access,
        "SendingEnabled": s.sending_enabled,
        "SendQuota": {
            "Max24HourSend": s.max_24_hour_send,
            "MaxSendRate": s.max_send_rate,
            "SentLast24Hours": s.sent_last_24_hours
        }
    }))
    .into_response()
}

async fn get_identity(State(state): State<Shared>, Path(identity): Path<String>) -> Response {
    let found = state
        .lock()
        .unwrap()
        .script
        .identities
        .get(&identity)
        .cloned();
    match found {
        Some(body) => Json(body).into_response(),
        None => error(&ScriptedError::new(
            404,
            "NotFoundException",
            &format!("Email identity {identity} does not exist."),
        )),
    }
}
