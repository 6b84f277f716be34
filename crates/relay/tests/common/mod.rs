//! Starts a real relay on a loopback port with its own database in a temp folder.
#![allow(dead_code)]

use std::path::PathBuf;

use herald_relay::{config::Config, store, Relay};
use herald_test_support::sns::SnsMessage;
use tokio::sync::oneshot;

pub const PUBLIC_URL: &str = "https://relay.example.com";

pub struct TestRelay {
    pub url: String,
    pub relay: Relay,
    pub database: PathBuf,
    pub http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl TestRelay {
    /// A relay that accepts the loopback test certificate.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(change: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            database: dir.path().join("relay.db"),
            public_url: PUBLIC_URL.into(),
            ..Config::default()
        };
        config.testing.allow_loopback_certificates = true;
        change(&mut config);
        config.validate().unwrap();
        let database = config.database.clone();
        let relay = Relay::open(config).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(herald_relay::serve(relay.clone(), listener, async {
            let _ = stopped.await;
        }));
        Self {
            url,
            relay,
            database,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
        }
    }

    /// Creates a workspace as IT would and returns its token.
    pub fn add_workspace(&self, name: &str) -> String {
        store::add_workspace(&store::open(&self.database).unwrap(), name).unwrap()
    }

    pub fn count_events(&self) -> i64 {
        store::open(&self.database)
            .unwrap()
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .unwrap()
    }

    pub async fn post_sns(&self, message: &SnsMessage) -> (u16, String) {
        let mut request = self
            .http
            .post(format!("{}/sns", self.url))
            .body(message.body());
        for (name, value) in message.headers() {
            request = request.header(name, value);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn register_topic(&self, token: &str, topic_arn: &str) {
        let (status, body) = self
            .api(
                reqwest::Method::PUT,
                "/v1/topics",
                token,
                Some(serde_json::json!({"topic_arns": [topic_arn]})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    pub async fn poll(
        &self,
        token: &str,
        after: u64,
        limit: u32,
    ) -> herald_protocol::api::EventPage {
        let (status, body) = self
            .api(
                reqwest::Method::GET,
                &format!("/v1/events?after={after}&limit={limit}"),
                token,
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value(body).unwrap()
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap().unwrap();
        }
    }
}
