//! Herald Relay: the small public service a team deploys once behind HTTPS. It
//! - receives SNS messages carrying SES events, checks every signature, confirms
//!   subscriptions and stores each message once ([`intake`]);
//! - serves unsubscribe links and RFC 8058 one-click POSTs ([`pages`]);
//! - lets the desktop app poll events and register its topics and unsubscribe key with a
//!   per-workspace bearer token ([`api`]).
//!
//! [`Relay::open`] prepares everything; [`serve`] takes a listener and a shutdown future,
//! so tests bind port 0.

pub mod api;
pub mod config;
pub mod intake;
pub mod limits;
pub mod pages;
pub mod sns;
pub mod store;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Serialize;
use tokio::net::TcpListener;

pub use config::Config;

use herald_protocol::api as wire;

/// How often old events are purged.
const PURGE_EVERY: Duration = Duration::from_secs(3600);
/// Unsubscribe pages and API calls never need more than this.
const SMALL_BODY_LIMIT: usize = 64 * 1024;

/// What every request handler shares.
pub struct AppState {
    pub config: Config,
    pub pool: Arc<store::Pool>,
    pub writer: store::EventWriter,
    pub verifier: sns::Verifier,
    limits: Limits,
}

struct Limits {
    pages: limits::RateLimiter,
    api: limits::RateLimiter,
    sns: limits::RateLimiter,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// A relay ready to serve: database opened and migrated, writer started.
#[derive(Clone)]
pub struct Relay {
    state: Arc<AppState>,
}

impl Relay {
    pub fn open(config: Config) -> Result<Self, StartError> {
        drop(store::open(&config.database)?);
        let writer = store::EventWriter::start(&config.database)?;
        let state = AppState {
            pool: Arc::new(store::Pool::new(&config.database)),
            writer,
            verifier: sns::Verifier::new(config.testing.allow_loopback_certificates),
            limits: Limits {
                pages: limits::RateLimiter::new(config.rate_limits.pages),
                api: limits::RateLimiter::new(config.rate_limits.api),
                sns: limits::RateLimiter::new(config.rate_limits.sns),
            },
            config,
        };
        Ok(Self {
            state: Arc::new(state),
        })
    }

    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Every route the relay serves.
    pub fn router(&self) -> Router {
        let state = self.state.clone();
        Router::new()
            .route("/health", get(health))
            .route(
                wire::SNS_PATH,
                post(intake::receive).layer(DefaultBodyLimit::max(state.config.body_limit_bytes)),
            )
            .route(
                "/u/{token}",
                get(pages::show)
                    .post(pages::confirm)
                    .layer(DefaultBodyLimit::max(SMALL_BODY_LIMIT)),
            )
            .route(wire::EVENTS_PATH, get(api::events))
            .route(wire::WORKSPACE_PATH, get(api::workspace))
            .route(
                wire::TOPICS_PATH,
                put(api::put_topics).layer(DefaultBodyLimit::max(SMALL_BODY_LIMIT)),
            )
            .route(
                wire::UNSUBSCRIBE_KEY_PATH,
                put(api::put_unsubscribe_key).layer(DefaultBodyLimit::max(SMALL_BODY_LIMIT)),
            )
            .layer(middleware::from_fn_with_state(state.clone(), guard))
            .with_state(state)
    }

    /// Deletes events older than the retention period now; returns how many.
    pub async fn purge(&self) -> Result<usize, store::StoreError> {
        let days = self.state.config.retention_days;
        self.state.pool.run(move |c| store::purge(c, days)).await
    }
}

/// Serves on `listener` until `shutdown` completes, then finishes in-flight requests.
/// Old events are purged at start and every hour meanwhile.
pub async fn serve(
    relay: Relay,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let purger = relay.clone();
    let purging = tokio::spawn(async move {
        loop {
            match purger.purge().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "purged events past the retention period"),
                Err(e) => tracing::error!(error = %e, "purging old events failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(PURGE_EVERY) => {}
                _ = stopped.changed() => break,
            }
        }
    });
    let result = axum::serve(
        listener,
        relay
            .router()
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stop.send(true);
    })
    .await;
    let _ = purging.await;
    result
}

#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
}

async fn health(State(state): State<Arc<AppState>>) -> Response {
    // Healthy means the database answers, not only that the process runs.
    match state
        .pool
        .run(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
        .await
    {
        Ok(_) => Json(Health {
            status: "ok",
            version: env!("CARGO_PKG_VERSION"),
        })
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    version: env!("CARGO_PKG_VERSION"),
                }),
            )
                .into_response()
        }
    }
}

/// Rate limits by route class and client address, then logs one line per request.
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let client = limits::client_ip(peer, request.headers(), state.config.trust_forwarded_for);
    let path = request.uri().path();
    // Unsubscribe tokens identify a person: never log them.
    let (limiter, logged_path) = if path == wire::SNS_PATH {
        (Some(&state.limits.sns), path.to_owned())
    } else if path.starts_with(wire::UNSUBSCRIBE_PATH_PREFIX) {
        (Some(&state.limits.pages), "/u/<token>".to_owned())
    } else if path.starts_with("/v1/") {
        (Some(&state.limits.api), path.to_owned())
    } else {
        (None, path.to_owned())
    };
    let method = request.method().clone();
    let response = match limiter.map(|l| l.check(client)) {
        Some(Err(wait)) => {
            let mut response = api::error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many requests; try again shortly.",
            );
            if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        _ => next.run(request).await,
    };
    let status = response.status().as_u16();
    let elapsed_ms = (started.elapsed().as_secs_f64() * 100_000.0).round() / 100.0;
    if status >= 500 {
        tracing::warn!(%method, path = %logged_path, status, elapsed_ms, %client, "request");
    } else {
        tracing::info!(%method, path = %logged_path, status, elapsed_ms, %client, "request");
    }
    response
}
