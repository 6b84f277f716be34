//! What several scenarios set up the same way: a real Herald Relay running inside the test,
//! with one workspace ("acme") registered on it as IT would do it.

// Each scenario uses the part it needs.
#![allow(dead_code)]

use herald_relay::{config::Config, store, Relay};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestRelay {
    /// Where the app reaches it (loopback, plain HTTP).
    pub url: String,
    /// The workspace's poll token.
    pub token: String,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

impl TestRelay {
    /// Starts the relay on a free loopback port. `loopback_certificates` lets it fetch SNS
    /// signing certificates from the test's own server (the documented test-only switch).
    pub fn start(rt: &Runtime, loopback_certificates: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            database: dir.path().join("relay.db"),
            public_url: "https://relay.example.com".into(),
            ..Config::default()
        };
        config.testing.allow_loopback_certificates = loopback_certificates;
        config.validate().unwrap();
        let database = config.database.clone();
        let relay = Relay::open(config).unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = rt.spawn(herald_relay::serve(relay, listener, async {
            let _ = stopped.await;
        }));
        let token = store::add_workspace(&store::open(&database).unwrap(), "acme").unwrap();
        Self {
            url,
            token,
            stop,
            server,
            _dir: dir,
        }
    }

    /// Shuts it down gracefully and waits for it.
    pub fn stop(self, rt: &Runtime) {
        let _ = self.stop.send(());
        let _ = rt.block_on(self.server);
    }
}
