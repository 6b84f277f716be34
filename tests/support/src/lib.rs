//! What Herald's integration and end-to-end tests share: starting the SES emulator on a free
//! loopback port, waiting for ports, finding the repository. Nothing here fakes a Herald
//! component; it only starts the real outside parts the tests talk to.

pub mod ses_double;
pub mod sns;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository root (this crate lives in `tests/support`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// A made-up AWS access key ID for tests, built at run time so no key-shaped literal sits
/// in the repository: "AKIA" followed by `tag` padded to 16 characters.
pub fn fake_access_key_id(tag: &str) -> String {
    format!("{}{:0<16}", "AK".to_owned() + "IA", tag)
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits until something accepts connections on `port`, or panics after `timeout`.
pub fn wait_for_port(port: u16, timeout: Duration, what: &str) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let start = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            start.elapsed() < timeout,
            "{what} did not start listening on port {port} within {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A child process that is killed when the test is done with it, even on panic.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The quota the emulator's GetAccount answers with in every test.
pub const EMULATOR_MAX_SEND_RATE: f64 = 14.0;
pub const EMULATOR_MAX_24_HOUR_SEND: f64 = 50_000.0;
pub const EMULATOR_SENT_LAST_24_HOURS: f64 = 1_234.0;

/// The `aws-ses-v2-local` emulator from npm, installed into `tests/node_modules` by
/// `scripts/setup.sh`, running on its own port.
pub struct SesEmulator {
    pub endpoint: String,
    _process: KillOnDrop,
}

impl SesEmulator {
    pub fn start() -> Self {
        let cli = repo_root().join("tests/node_modules/aws-ses-v2-local/dist/cli.js");
        assert!(
            cli.is_file(),
            "the SES emulator is not installed at {}; run scripts/setup.sh (scripts/test.sh does)",
            cli.display()
        );
        let account = serde_json::json!({
            "DedicatedIpAutoWarmupEnabled": false,
            "Details": {
                "AdditionalContactEmailAddresses": [],
                "ContactLanguage": "EN",
                "MailType": "MARKETING",
                "ReviewDetails": { "CaseId": "test-case", "Status": "GRANTED" },
                "UseCaseDescription": "Herald tests",
                "WebsiteURL": "https://herald.example"
            },
            "EnforcementStatus": "HEALTHY",
            "ProductionAccessEnabled": true,
            "SendingEnabled": true,
            "SendQuota": {
                "Max24HourSend": EMULATOR_MAX_24_HOUR_SEND,
                "MaxSendRate": EMULATOR_MAX_SEND_RATE,
                "SentLast24Hours": EMULATOR_SENT_LAST_24_HOURS
            },
            "SuppressionAttributes": { "SuppressedReasons": ["BOUNCE", "COMPLAINT"] }
        });
        let port = free_port();
        let child = Command::new("node")
            .arg(&cli)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .env("AWS_SES_ACCOUNT", account.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs the SES emulator");
        let process = KillOnDrop(child);
        wait_for_port(port, Duration::from_secs(20), "the SES emulator");
        Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            _process: process,
        }
    }
}

impl SesEmulator {
    /// What the emulator received (`GET /store`): `{"emails": [...], "templates": {...}}`.
    pub fn store(&self) -> serde_json::Value {
        let body = http_get(&self.endpoint, "/store");
        serde_json::from_str(&body).expect("the emulator's store is JSON")
    }
}

/// A plain HTTP/1.0 GET on loopback (no client library needed); returns the body.
pub fn http_get(endpoint: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host).expect("the server accepts connections");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").expect("request sent");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("response read");
    let response = String::from_utf8(response).expect("a UTF-8 response");
    let (head, body) = response
        .split_once("\r\n\r\n")
        .expect("an HTTP response with a body");
    assert!(
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
        "{head}"
    );
    body.to_owned()
}

/// moto's server (PyPI `moto[server]`), installed into `tests/.venv` by `scripts/setup.sh`,
/// running on its own port: S3 for asset publishing tests. Any credentials are accepted.
pub struct MotoServer {
    pub endpoint: String,
    _process: KillOnDrop,
}

impl MotoServer {
    pub fn start() -> Self {
        let bin = repo_root().join("tests/.venv/bin/moto_server");
        assert!(
            bin.is_file(),
            "moto is not installed at {}; run scripts/setup.sh (scripts/test.sh does)",
            bin.display()
        );
        let port = free_port();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let process = KillOnDrop(child);
        wait_for_port(port, Duration::from_secs(30), "moto_server");
        Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            _process: process,
        }
    }
}

/// Asserts that no file below `dir` contains `needle` (a secret that must stay in the
/// keychain), and that there were files to look at.
pub fn assert_no_file_contains(dir: &Path, needle: &[u8]) {
    let mut checked = 0;
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).expect("readable file");
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} contains a secret",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 2,
        "expected at least the database and the app state below {}",
        dir.display()
    );
}
