//! `herald campaigns` and `herald suppressions` with the real binary: drafts from flags,
//! the review, sending in the foreground to the `aws-ses-v2-local` emulator, a pause from a
//! second process while the first sends, resume, status counts, and the suppression list.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

struct Cli {
    home: tempfile::TempDir,
    files: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Cli {
    fn new() -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
            files: tempfile::tempdir().unwrap(),
            env: Vec::new(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_herald"));
        cmd.args(["--home", self.home.path().to_str().unwrap()])
            .args(args)
            .env("AWS_CONFIG_FILE", self.files.path().join("aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.files.path().join("aws-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env(
                "HERALD_POLICY_FILE",
                self.files.path().join("no-policy.json"),
            )
            .env_remove("AWS_PROFILE")
            .env_remove("HERALD_WORKSPACE")
            .env_remove("HERALD_SES_ENDPOINT");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).stdin(Stdio::null()).output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(&[args, &["--json"]].concat());
        assert!(
            out.status.success(),
            "herald {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn error(&self, args: &[&str]) -> Value {
        let out = self.run(&[args, &["--json"]].concat());
        assert!(!out.status.success(), "herald {args:?} should fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        serde_json::from_str(stderr.lines().last().unwrap()).unwrap()
    }

    fn spawn(&self, args: &[&str]) -> Child {
        self.command(&[args, &["--json"]].concat())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.files.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

#[test]
fn drafts_and_suppressions_need_no_network() {
    let cli = Cli::new();
    cli.json(&["workspace", "create", "Acme"]);
    let csv = cli.file(
        "people.csv",
        "email,first_name\nann@example.com,Ann\nbob@example.com,Bob\n",
    );
    cli.json(&[
        "contacts",
        "import",
        csv.to_str().unwrap(),
        "--tag",
        "Readers",
    ]);
    let body = cli.file("body.html", "<html><body>Hi {{ first_name }}</body></html>");
    let created = cli.json(&[
        "campaigns",
        "create",
        "Spring",
        "--subject",
        "Hello {{ first_name }}",
        "--body-file",
        body.to_str().unwrap(),
        "--tag",
        "Readers",
    ]);
    assert_eq!(created["status"], "draft");
    assert_eq!(created["body_format"], "html");

    let shown = cli.json(&["campaigns", "show", "spring"]);
    assert_eq!(shown["audience_count"]["recipients"], 2);
    cli.json(&[
        "suppressions",
        "add",
        "BOB@example.com",
        "--detail",
        "asked by phone",
    ]);
    let shown = cli.json(&["campaigns", "show", "Spring"]);
    assert_eq!(shown["audience_count"]["recipients"], 1);
    assert_eq!(shown["audience_count"]["left_out"], 1);
    let list = cli.json(&["suppressions", "list"]);
    assert_eq!(list[0]["email"], "BOB@example.com");
    assert_eq!(list[0]["reason"], "manual");
    cli.json(&["suppressions", "remove", "bob@example.com"]);
    assert_eq!(cli.json(&["suppressions", "list"]), Value::Array(vec![]));

    let err = cli.error(&["campaigns", "update", "Spring", "--from", "nope"]);
    assert_eq!(err["error"]["code"], "validation");
    assert_eq!(err["error"]["fields"][0]["field"], "from_address");
    let err = cli.error(&[
        "campaigns",
        "schedule",
        "Spring",
        "--at",
        "2001-01-01T09:00:00+01:00",
    ]);
    assert_eq!(err["error"]["code"], "review_blocked", "{err}");

    let copy = cli.json(&["campaigns", "duplicate", "Spring"]);
    assert_eq!(copy["name"], "Spring (copy)");
    let list = cli.json(&["campaigns", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    cli.json(&["campaigns", "delete", "Spring (copy)"]);
    let status = cli.json(&["campaigns", "status", "Spring"]);
    assert_eq!(status["status"], "draft");
    assert_eq!(status["counts"]["pending"], 0);
}

fn emulator_store(endpoint: &str) -> Value {
    serde_json::from_str(&herald_test_support::http_get(endpoint, "/store")).unwrap()
}

#[test]
#[ignore = "needs the SES emulator and a Secret Service: scripts/desktop-session.sh"]
fn send_pause_from_another_process_resume_and_status_against_the_emulator() {
    let ses = herald_test_support::SesEmulator::start();
    let mut cli = Cli::new();
    cli.env = vec![
        (
            "AWS_ACCESS_KEY_ID".into(),
            herald_test_support::fake_access_key_id("HERALDCLICAMP"),
        ),
        (
            "AWS_SECRET_ACCESS_KEY".into(),
            "cli-campaigns-secret-0000000000".into(),
        ),
        ("HERALD_SES_ENDPOINT".into(), ses.endpoint.clone()),
    ];
    cli.json(&["workspace", "create", "Acme"]);
    for (k, v) in [
        ("aws_region", "us-east-1"),
        ("from_address", "news@acme.example"),
        ("from_name", "Acme News"),
        ("postal_address", "1 Main St, Springfield"),
        ("relay_url", "https://relay.acme.example"),
        ("configuration_set", "herald-events"),
    ] {
        cli.json(&["settings", "set", k, v]);
    }
    let mut csv = String::from("email,first_name\n");
    for i in 0..40 {
        csv.push_str(&format!("reader{i:03}@example.com,Reader{i}\n"));
    }
    let csv = cli.file("people.csv", &csv);
    cli.json(&[
        "contacts",
        "import",
        csv.to_str().unwrap(),
        "--tag",
        "Readers",
    ]);
    let body = cli.file(
        "body.html",
        "<html><body><p>Hi {{ first_name }}</p></body></html>",
    );
    let create = |name: &str, rate: &str| {
        cli.json(&[
            "campaigns",
            "create",
            name,
            "--subject",
            "Hello {{ first_name }}",
            "--body-file",
            body.to_str().unwrap(),
            "--tag",
            "Readers",
            "--rate",
            rate,
        ])
    };
    create("Quick", "14");

    let review = cli.json(&["campaigns", "review", "Quick"]);
    assert_eq!(review["blocking"], Value::Array(vec![]), "{review}");
    assert_eq!(review["recipients"], 40);

    let report = cli.json(&["campaigns", "send", "Quick"]);
    assert_eq!(report["status"], "sent", "{report}");
    assert_eq!(report["counts"]["sent"], 40);
    let status = cli.json(&["campaigns", "status", "Quick"]);
    assert_eq!(status["counts"]["sent"], 40);
    assert_eq!(status["counts"]["pending"], 0);
    let emails = emulator_store(&ses.endpoint)["emails"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(emails.len(), 40);
    let mut per_address: HashMap<String, usize> = HashMap::new();
    for e in &emails {
        let to = e["destination"]["to"][0].as_str().unwrap().to_owned();
        let i: usize = to[6..9].parse().unwrap();
        assert_eq!(e["subject"], format!("Hello Reader{i}"));
        *per_address.entry(to).or_default() += 1;
    }
    assert!(per_address.values().all(|n| *n == 1));

    // A slow campaign sent by one process, paused by another.
    create("Slow", "4");
    let sender = cli.spawn(&["campaigns", "send", "Slow"]);
    let start = Instant::now();
    loop {
        let s = cli.json(&["campaigns", "status", "Slow"]);
        if s["counts"]["sent"].as_u64().unwrap_or(0) >= 3 {
            break;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let out = sender.wait_with_output().unwrap();
            panic!(
                "the slow campaign did not start: {s}\nsender: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let paused = cli.json(&["campaigns", "pause", "Slow"]);
    assert_eq!(paused["status"], "paused");
    let out = sender.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["status"], "paused",
        "the sending process stopped: {report}"
    );
    assert_eq!(report["pause_kind"], "user");
    let sent_before = report["counts"]["sent"].as_u64().unwrap();
    assert!(sent_before < 40);

    let resumed = cli.json(&["campaigns", "resume", "Slow"]);
    assert_eq!(resumed["status"], "sent", "{resumed}");
    assert_eq!(resumed["counts"]["sent"], 40);
    let emails = emulator_store(&ses.endpoint)["emails"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(emails.len(), 80, "40 + 40, nobody twice");
    let cancelled = cli.error(&["campaigns", "cancel", "Slow"]);
    assert_eq!(cancelled["error"]["code"], "illegal_transition");
}
