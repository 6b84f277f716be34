//! The `herald` binary as IT scripts use it: real workspace folders, real SQLite, JSON out,
//! errors on stderr with a non-zero exit code.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

struct Cli {
    home: tempfile::TempDir,
    fake_user_home: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
            fake_user_home: tempfile::tempdir().unwrap(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_herald"));
        cmd.args(["--home", self.home.path().to_str().unwrap()])
            .args(args);
        // Keep the developer's own AWS setup out of the tests.
        cmd.env("HOME", self.fake_user_home.path())
            .env(
                "AWS_CONFIG_FILE",
                self.fake_user_home.path().join("aws-config"),
            )
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.fake_user_home.path().join("aws-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // A machine-wide IT policy must not leak into the tests; tests that want one
            // override this.
            .env(
                "HERALD_POLICY_FILE",
                self.fake_user_home.path().join("no-policy.json"),
            )
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .env_remove("HERALD_WORKSPACE")
            .env_remove("HERALD_SES_ENDPOINT");
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).stdin(Stdio::null()).output().unwrap()
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs a command that must succeed and returns its JSON output.
    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(&[&["--json"], args].concat());
        ok_json(&out)
    }

    fn workspace_dir(&self, name: &str) -> std::path::PathBuf {
        self.home.path().join("workspaces").join(name)
    }
}

fn ok_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The `{"error": {...}}` a failing `--json` command prints on stderr.
fn error_json(out: &Output) -> Value {
    assert!(
        !out.status.success(),
        "expected a failure, got {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty(), "nothing on stdout on failure");
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    err["error"].clone()
}

#[test]
fn workspaces_from_create_to_delete() {
    let cli = Cli::new();
    assert_eq!(cli.json(&["workspace", "list"]), Value::Array(vec![]));

    let created = cli.json(&["workspace", "create", "Acme"]);
    assert_eq!(created["name"], "Acme");
    assert!(Path::new(created["path"].as_str().unwrap())
        .join("herald.db")
        .is_file());
    cli.json(&["workspace", "create", "Beta Team"]);

    let dup = error_json(&cli.run(&["--json", "workspace", "create", "acme"]));
    assert_eq!(dup["code"], "workspace_exists");

    let bad = error_json(&cli.run(&["--json", "workspace", "create", "a/b"]));
    assert_eq!(bad["code"], "validation");
    assert_eq!(bad["fields"][0]["field"], "name");

    let list = cli.json(&["workspace", "list"]);
    let names: Vec<(&str, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["name"].as_str().unwrap(),
                w["last_opened"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(names, [("Acme", false), ("Beta Team", true)]);

    let renamed = cli.json(&["workspace", "rename", "Acme", "Acme EU"]);
    assert_eq!(renamed["name"], "Acme EU");
    assert!(cli.workspace_dir("Acme EU").join("herald.db").is_file());

    // Without --yes and without a terminal, nothing is deleted.
    let refused = error_json(&cli.run(&["--json", "workspace", "delete", "Acme EU"]));
    assert_eq!(refused["code"], "confirmation_mismatch");
    assert!(cli.workspace_dir("Acme EU").exists());

    assert_eq!(
        cli.json(&["workspace", "delete", "Acme EU", "--yes"])["deleted"],
        "Acme EU"
    );
    assert!(!cli.workspace_dir("Acme EU").exists());
    let missing = error_json(&cli.run(&["--json", "workspace", "delete", "Acme EU", "--yes"]));
    assert_eq!(missing["code"], "workspace_not_found");
}

#[test]
fn settings_are_validated_and_kept_per_workspace() {
    let cli = Cli::new();
    cli.json(&["workspace", "create", "Acme"]);
    cli.json(&["workspace", "create", "Beta"]);

    let set = cli.json(&[
        "-w",
        "Acme",
        "settings",
        "set",
        "from_address",
        "news@acme.example",
    ]);
    assert_eq!(set["from_address"], "news@acme.example");
    cli.json(&[
        "-w",
        "Acme",
        "settings",
        "set",
        "postal_address",
        "1 Harbour St, Bristol",
    ]);

    let bad = error_json(&cli.run(&[
        "--json", "-w", "Acme", "settings", "set", "reply_to", "nope",
    ]));
    assert_eq!(bad["fields"][0]["field"], "reply_to");
    let unknown =
        error_json(&cli.run(&["--json", "-w", "Acme", "settings", "set", "colour", "red"]));
    assert!(unknown["message"]
        .as_str()
        .unwrap()
        .contains("from_address"));

    let acme = cli.json(&["-w", "Acme", "settings", "show"]);
    assert_eq!(acme["from_address"], "news@acme.example");
    assert_eq!(acme["reply_to"], Value::Null);
    let beta = cli.json(&["-w", "Beta", "settings", "show"]);
    assert_eq!(
        beta["from_address"],
        Value::Null,
        "settings never leak between workspaces"
    );

    // Clearing with an empty value; the human format shows it.
    cli.json(&["-w", "Acme", "settings", "set", "postal_address", ""]);
    let human = cli.run(&["-w", "Acme", "settings", "show"]);
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("postal_address  (not set)"), "{text}");
}

#[test]
fn an_it_policy_is_shown_and_its_locked_settings_cannot_be_set() {
    let cli = Cli::new();
    cli.json(&["workspace", "create", "Acme"]);
    let policy_file = cli.fake_user_home.path().join("policy.json");
    std::fs::write(
        &policy_file,
        r#"{ "aws_region": { "value": "eu-west-1", "locked": true },
             "relay_url": { "value": "https://relay.example.com" },
             "automatic_updates": { "value": false, "locked": true } }"#,
    )
    .unwrap();
    let env = [("HERALD_POLICY_FILE", policy_file.to_str().unwrap())];

    let shown = ok_json(&cli.run_with(&["--json", "policy", "show"], &env, ""));
    assert_eq!(shown["file"], policy_file.to_str().unwrap());
    assert_eq!(shown["settings"][0]["key"], "aws_region");
    assert_eq!(shown["settings"][0]["locked"], true);

    let refused = error_json(&cli.run_with(
        &["--json", "settings", "set", "aws_region", "us-east-1"],
        &env,
        "",
    ));
    assert_eq!(refused["fields"][0]["field"], "aws_region");
    assert_eq!(
        refused["fields"][0]["message"],
        "Managed by your IT department"
    );
    // Other settings save normally and the locked value stays in force.
    let saved = ok_json(&cli.run_with(
        &["--json", "settings", "set", "from_name", "Acme News"],
        &env,
        "",
    ));
    assert_eq!(saved["aws_region"], "eu-west-1");
    assert_eq!(saved["relay_url"], "https://relay.example.com");

    let human = cli.run_with(&["settings", "show"], &env, "");
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(
        text.contains("aws_region      eu-west-1  [managed by IT, locked]"),
        "{text}"
    );
    assert!(text.contains("[preset by IT]"), "{text}");

    std::fs::write(&policy_file, r#"{ "aws_region": { "value": "Europe" } }"#).unwrap();
    let invalid = error_json(&cli.run_with(&["--json", "policy", "show"], &env, ""));
    assert_eq!(invalid["code"], "policy_invalid");
    assert_eq!(invalid["fields"][0]["field"], "aws_region");
    assert!(invalid["message"]
        .as_str()
        .unwrap()
        .contains(policy_file.to_str().unwrap()));
}

#[test]
fn ses_errors_say_what_to_fix() {
    let cli = Cli::new();
    cli.json(&["workspace", "create", "Acme"]);

    let no_region = error_json(&cli.run(&["--json", "ses", "account"]));
    assert_eq!(no_region["code"], "ses_no_region");

    cli.json(&["settings", "set", "aws_region", "eu-west-1"]);
    let no_creds = error_json(&cli.run(&["--json", "ses", "account"]));
    assert_eq!(no_creds["code"], "ses_no_credentials", "{no_creds}");

    // A closed port: the message names the endpoint and what to check.
    let closed = herald_test_support::free_port();
    cli.json(&[
        "settings",
        "set",
        "ses_endpoint",
        &format!("http://127.0.0.1:{closed}"),
    ]);
    let env_key_id = herald_test_support::fake_access_key_id("HERALDCLITEST1");
    let env = [
        ("AWS_ACCESS_KEY_ID", env_key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", "cli-test-secret-value-0000000000"),
    ];
    let out = cli.run_with(&["--json", "ses", "account"], &env, "");
    let unreachable = error_json(&out);
    assert_eq!(unreachable["code"], "ses_unreachable");
    let message = unreachable["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("127.0.0.1:{closed}")) && message.contains("network"),
        "{message}"
    );
    assert!(
        !message.contains("cli-test-secret"),
        "no secret in messages"
    );
}

#[test]
#[ignore = "needs the SES emulator and a Secret Service: run scripts/test.sh"]
fn ses_account_against_the_emulator_with_keychain_and_environment_credentials() {
    let ses = herald_test_support::SesEmulator::start();
    let cli = Cli::new();
    cli.json(&["workspace", "create", "Acme"]);
    cli.json(&["settings", "set", "aws_region", "eu-west-1"]);

    // Environment credentials (the default chain), endpoint from HERALD_SES_ENDPOINT.
    let env_key_id = herald_test_support::fake_access_key_id("HERALDCLITEST1");
    let env = [
        ("AWS_ACCESS_KEY_ID", env_key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", "cli-test-secret-value-0000000000"),
        ("HERALD_SES_ENDPOINT", ses.endpoint.as_str()),
    ];
    let account = ok_json(&cli.run_with(&["--json", "ses", "account"], &env, ""));
    assert_eq!(account["credential_source"], "environment");
    assert_eq!(
        account["max_send_rate"],
        herald_test_support::EMULATOR_MAX_SEND_RATE
    );
    assert_eq!(
        account["max_24_hour_send"],
        herald_test_support::EMULATOR_MAX_24_HOUR_SEND
    );
    assert_eq!(
        account["sent_last_24_hours"],
        herald_test_support::EMULATOR_SENT_LAST_24_HOURS
    );
    assert_eq!(account["production_access"], true);
    assert_eq!(account["region"], "eu-west-1");

    // Keys in the keychain win over the environment; the secret comes from stdin.
    let keychain_key_id = herald_test_support::fake_access_key_id("HERALDKEYCHAIN01");
    let stored = ok_json(&cli.run_with(
        &[
            "--json",
            "credentials",
            "set",
            "--access-key-id",
            &keychain_key_id,
            "--secret-access-key-stdin",
        ],
        &[],
        "keychain-secret-value-000000000000\n",
    ));
    assert_eq!(stored["source"], "keychain");
    assert_eq!(
        stored["access_key_id"], "AKIA…IN01",
        "{keychain_key_id} is shown masked"
    );
    assert!(!stored.to_string().contains("keychain-secret-value"));
    let account = ok_json(&cli.run_with(&["--json", "ses", "account"], &env, ""));
    assert_eq!(account["credential_source"], "keychain");

    let human = cli.run_with(&["ses", "account"], &env, "");
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(
        text.contains("1234 of 50000 used") && text.contains("production"),
        "{text}"
    );

    let cleared = ok_json(&cli.run(&["--json", "credentials", "clear"]));
    assert_eq!(cleared["source"], "default_chain");
    // The Herald home (database, WAL, state) never held the secret.
    herald_test_support::assert_no_file_contains(
        cli.home.path(),
        b"keychain-secret-value-000000000000",
    );
}
