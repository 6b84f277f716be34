//! Herald Relay: the small public service a team deploys once. It will receive SES events
//! from SNS, serve unsubscribe links and let the desktop app poll events; for now it
//! answers a health check so deployment and monitoring can be set up first.

use std::future::Future;

use axum::{routing::get, Json, Router};
use serde::Serialize;
use tokio::net::TcpListener;

#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
}

async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Every route the relay serves.
pub fn router() -> Router {
    Router::new().route("/health", get(health))
}

/// Serves on `listener` until `shutdown` completes, then finishes in-flight requests.
/// Taking the listener lets tests bind port 0.
pub async fn serve(
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router())
        .with_graceful_shutdown(shutdown)
        .await
}
