//! `herald templates …` and `herald assets …` as scripts use them: real workspace folders,
//! real SQLite, JSON on stdout, JSON errors on stderr with exit code 1.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

struct Cli {
    home: tempfile::TempDir,
    files: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Cli {
    fn new() -> Self {
        let cli = Self {
            home: tempfile::tempdir().unwrap(),
            files: tempfile::tempdir().unwrap(),
            env: Vec::new(),
        };
        cli.json(&["workspace", "create", "Acme"]);
        cli
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_herald"));
        cmd.args(["--home", self.home.path().to_str().unwrap()])
            .args(args)
            .env("HOME", self.files.path())
            .env("AWS_CONFIG_FILE", self.files.path().join("aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.files.path().join("aws-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env_remove("HERALD_WORKSPACE")
            .env_remove("HERALD_SES_ENDPOINT")
            .env_remove("HERALD_S3_ENDPOINT")
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        ok_json(&self.run(&[&["--json"], args].concat()))
    }

    fn error(&self, args: &[&str]) -> Value {
        error_json(&self.run(&[&["--json"], args].concat()))
    }

    fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.files.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
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

fn error_json(out: &Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected exit 1: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    err["error"].clone()
}

fn icon(name: &str) -> PathBuf {
    herald_test_support::repo_root().join("icons").join(name)
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn templates_from_the_gallery_to_a_rendered_message() {
    let cli = Cli::new();
    let list = cli.json(&["templates", "list"]);
    let list = list.as_array().unwrap();
    assert!(list.len() >= 8);
    assert!(list.iter().all(|t| t["kind"] == "admin_provided"));

    let newsletter = cli.json(&["templates", "show", "newsletter"]);
    assert_eq!(newsletter["format"], "mjml");
    assert!(newsletter["source"]
        .as_str()
        .unwrap()
        .contains("{{ unsubscribe_url }}"));

    let source = cli.file("spring.mjml", b"x");
    let read_only = cli.error(&[
        "templates",
        "update",
        "Newsletter",
        "--source-file",
        s(&source),
    ]);
    assert_eq!(read_only["code"], "template_read_only");
    assert!(read_only["message"].as_str().unwrap().contains("Duplicate"));

    let copy = cli.json(&[
        "templates",
        "duplicate",
        "Newsletter",
        "--name",
        "Spring news",
    ]);
    assert_eq!(copy["kind"], "user_created");
    let updated = cli.json(&[
        "templates",
        "update",
        "Spring news",
        "--subject",
        "Spring is here, {{ first_name }}",
        "--category",
        "Seasonal",
    ]);
    assert_eq!(updated["category"], "Seasonal");

    let contact = cli.file(
        "contact.json",
        br#"{"email":"zoe@example.com","first_name":"Zo\u00eb","last_name":"Ng","status":"subscribed","fields":{"company":"Ng & Co"}}"#,
    );
    let rendered = cli.json(&[
        "templates",
        "render",
        "Spring news",
        "--contact-json",
        s(&contact),
    ]);
    assert_eq!(rendered["subject"], "Spring is here, Zoë");
    let html = rendered["html"].as_str().unwrap();
    assert!(html.to_lowercase().starts_with("<!doctype html>") && html.contains("Hello Zoë"));
    assert!(rendered["text"].as_str().unwrap().contains("Unsubscribe ("));
    let keys: Vec<&String> = rendered.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["html", "subject", "text"]);

    let html_file = cli.file(
        "letter.html",
        b"<p>Hi {{ contact.company }}</p>\n<p>{{ contact.nickname }}</p>",
    );
    let created = cli.json(&[
        "templates",
        "create",
        "Letter",
        "--source-file",
        s(&html_file),
        "--subject",
        "Note",
    ]);
    assert_eq!(created["format"], "html");
    assert_eq!(
        created["variables"],
        serde_json::json!(["contact.company", "contact.nickname"])
    );
    let err = cli.error(&[
        "templates",
        "render",
        "Letter",
        "--contact-json",
        s(&contact),
    ]);
    assert_eq!(err["code"], "template");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("line 2") && message.contains("contact.nickname"),
        "{message}"
    );

    let bad = cli.file("bad.json", b"{\"first_name\": 3}");
    assert_eq!(
        cli.error(&["templates", "render", "Letter", "--contact-json", s(&bad)])["fields"][0]
            ["field"],
        "contact_json"
    );

    cli.json(&["templates", "delete", "Letter"]);
    assert_eq!(
        cli.error(&["templates", "show", "Letter"])["code"],
        "template_not_found"
    );
    let mine = cli.json(&["templates", "list", "--kind", "mine"]);
    assert_eq!(mine.as_array().unwrap().len(), 1);

    let human = cli.run(&["templates", "list", "--search", "spring"]);
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(
        text.contains("Spring news") && text.contains("mine"),
        "{text}"
    );
}

#[test]
fn render_as_a_contact_of_the_workspace() {
    let cli = Cli::new();
    cli.json(&["fields", "create", "company", "--type", "text"]);
    cli.json(&["fields", "create", "points", "--type", "number"]);
    cli.json(&["fields", "create", "vip", "--type", "boolean"]);
    cli.json(&[
        "contacts",
        "add",
        "Ann@Example.com",
        "--first-name",
        "<b>Ann</b>",
        "--set",
        "points=12",
        "--set",
        "vip=true",
    ]);
    let html_file = cli.file(
        "letter.html",
        concat!(
            "<p>Hi {{ contact.first_name }}</p>\n",
            "<p>At {{ contact.company | default(value=\"your company\") }}</p>\n",
            "<p>{{ contact.points }} points{% if contact.vip %}, VIP{% endif %}</p>"
        )
        .as_bytes(),
    );
    cli.json(&[
        "templates",
        "create",
        "Letter",
        "--source-file",
        s(&html_file),
        "--subject",
        "Hello {{ first_name }}",
    ]);

    let rendered = cli.json(&[
        "templates",
        "render",
        "Letter",
        "--contact",
        "ann@example.COM",
    ]);
    assert_eq!(
        rendered["subject"], "Hello <b>Ann</b>",
        "the subject is not HTML"
    );
    let html = rendered["html"].as_str().unwrap();
    assert!(
        html.contains("Hi &lt;b&gt;Ann&lt;&#x2F;b&gt;") || html.contains("Hi &lt;b&gt;Ann"),
        "{html}"
    );
    assert!(html.contains("At your company"), "{html}");
    assert!(html.contains("12 points, VIP"), "{html}");
    assert!(rendered["text"]
        .as_str()
        .unwrap()
        .contains("12 points, VIP"));

    let unknown = cli.error(&[
        "templates",
        "render",
        "Letter",
        "--contact",
        "zed@example.com",
    ]);
    assert_eq!(unknown["code"], "validation");
    assert_eq!(unknown["fields"][0]["field"], "contact");
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("zed@example.com"),
        "{unknown}"
    );

    let json_file = cli.file("contact.json", br#"{"email":"x@example.com"}"#);
    let both = cli.run(&[
        "--json",
        "templates",
        "render",
        "Letter",
        "--contact",
        "ann@example.com",
        "--contact-json",
        s(&json_file),
    ]);
    assert!(!both.status.success());
    assert!(
        String::from_utf8_lossy(&both.stderr).contains("cannot be used with"),
        "{}",
        String::from_utf8_lossy(&both.stderr)
    );

    // test-send resolves the contact before it needs credentials.
    let send = cli.error(&[
        "templates",
        "test-send",
        "Letter",
        "--to",
        "a@example.com",
        "--contact",
        "zed@example.com",
    ]);
    assert_eq!(send["fields"][0]["field"], "contact");
}

#[test]
fn assets_add_filter_move_tag_and_delete() {
    let cli = Cli::new();
    let notes = cli.file("notes.txt", b"just text");
    let out = cli.run(&[
        "--json",
        "assets",
        "add",
        s(&icon("32x32.png")),
        s(&icon("128x128.png")),
        s(&notes),
        "--folder",
        "brand/icons",
        "--tag",
        "logo",
    ]);
    assert_eq!(out.status.code(), Some(1), "one file failed");
    let outcomes: Value = serde_json::from_slice(&out.stdout).unwrap();
    let outcomes = outcomes.as_array().unwrap();
    assert_eq!(outcomes.len(), 3);
    assert_eq!(outcomes[0]["added"]["asset"]["width"], 32);
    assert_eq!(outcomes[1]["added"]["asset"]["folder"], "brand/icons");
    assert_eq!(outcomes[2]["error"]["code"], "asset_rejected");
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert!(err["error"]["message"].as_str().unwrap().contains("1 of 3"));

    let again = cli.json(&["assets", "add", s(&icon("32x32.png"))]);
    assert_eq!(again[0]["added"]["duplicate"], true);

    let list = cli.json(&["assets", "list", "--tag", "logo"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let small = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "32x32.png")
        .unwrap()
        .clone();
    let id = small["id"].to_string();
    cli.json(&["assets", "move", &id, "brand/favicons"]);
    cli.json(&["assets", "rename", &id, "favicon.png"]);
    let tagged = cli.json(&["assets", "tag", &id, "web", "small"]);
    assert_eq!(tagged["tags"], serde_json::json!(["logo", "small", "web"]));
    cli.json(&["assets", "tag", &id, "logo", "--remove"]);
    let found = cli.json(&[
        "assets",
        "list",
        "--folder",
        "brand",
        "--recursive",
        "--search",
        "FAVICON",
    ]);
    assert_eq!(found[0]["tags"], serde_json::json!(["small", "web"]));
    assert_eq!(
        cli.json(&["assets", "list", "--folder", "brand"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let folders = cli.json(&["assets", "folders"]);
    let paths: Vec<&str> = folders
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["brand", "brand/favicons", "brand/icons"]);

    let source = cli.file(
        "uses.html",
        format!("<img src=\"{}\">", small["reference"].as_str().unwrap()).as_bytes(),
    );
    cli.json(&[
        "templates",
        "create",
        "Uses favicon",
        "--source-file",
        s(&source),
    ]);
    let refused = cli.error(&["assets", "delete", "favicon.png"]);
    assert_eq!(refused["code"], "asset_in_use");
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("Uses favicon"));
    cli.json(&["assets", "delete", "favicon.png", "--force"]);
    assert_eq!(
        cli.error(&["assets", "delete", &id])["code"],
        "asset_not_found"
    );
}

fn http(method: &str, url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default()
}

#[test]
#[ignore = "needs the SES emulator, moto's S3 server and a Secret Service: run scripts/test.sh"]
fn test_send_and_publish_with_environment_credentials() {
    let ses = herald_test_support::SesEmulator::start();
    let moto = herald_test_support::MotoServer::start();
    http("PUT", &format!("{}/acme-assets", moto.endpoint));
    let mut cli = Cli::new();
    cli.env = vec![
        (
            "AWS_ACCESS_KEY_ID".into(),
            herald_test_support::fake_access_key_id("HERALDCLITPL"),
        ),
        (
            "AWS_SECRET_ACCESS_KEY".into(),
            "cli-templates-secret-000000000000".into(),
        ),
        ("HERALD_SES_ENDPOINT".into(), ses.endpoint.clone()),
        ("HERALD_S3_ENDPOINT".into(), moto.endpoint.clone()),
    ];
    for (k, v) in [
        ("aws_region", "us-east-1"),
        ("from_address", "news@acme.example"),
        ("assets_bucket", "acme-assets"),
    ] {
        cli.json(&["settings", "set", k, v]);
    }
    let sent = cli.json(&[
        "templates",
        "test-send",
        "Welcome",
        "--to",
        "a@example.com",
        "--to",
        "b@example.com",
    ]);
    assert_eq!(sent["sent"].as_array().unwrap().len(), 2);
    let store: Value =
        serde_json::from_str(&http("GET", &format!("{}/store", ses.endpoint))).unwrap();
    assert_eq!(store["emails"].as_array().unwrap().len(), 2);
    assert!(store["emails"][0]["subject"]
        .as_str()
        .unwrap()
        .starts_with("[Test] Welcome aboard, Alex"));

    cli.json(&["assets", "add", s(&icon("32x32.png"))]);
    let first = cli.json(&["assets", "publish"]);
    assert_eq!(first[0]["uploaded"], true);
    let second = cli.json(&["assets", "publish"]);
    assert_eq!(
        second[0]["uploaded"], false,
        "publishing twice uploads nothing"
    );
    assert!(second[0]["url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/acme-assets/", moto.endpoint)));
}
