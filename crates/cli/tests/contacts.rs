//! `herald contacts|tags|fields|segments` against real workspace folders and SQLite files.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

struct Cli {
    home: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        let cli = Self {
            home: tempfile::tempdir().unwrap(),
        };
        cli.json(&["workspace", "create", "Acme"]);
        cli
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_herald"));
        cmd.args([
            "--home",
            self.home.path().to_str().unwrap(),
            "--workspace",
            "Acme",
        ])
        .args(args)
        .env_remove("HERALD_WORKSPACE")
        .stdin(Stdio::null());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(&[&["--json"], args].concat());
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn error(&self, args: &[&str]) -> Value {
        let out = self.run(&[&["--json"], args].concat());
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(out.stdout.is_empty());
        serde_json::from_slice::<Value>(&out.stderr).unwrap()["error"].clone()
    }

    fn db(&self) -> PathBuf {
        self.home.path().join("workspaces/Acme/herald.db")
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.home.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/import")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn import_prints_exactly_the_report_shape() {
    let cli = Cli::new();
    cli.json(&["fields", "create", "score", "--type", "number"]);
    let report = cli.json(&[
        "contacts",
        "import",
        &fixture("messy.csv"),
        "--tag",
        "Fair 2024",
        "--tag",
        "Leads",
    ]);
    let keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["created", "errors", "failed", "skipped", "total", "updated"]
    );
    assert_eq!(report["total"], 8);
    assert_eq!(report["created"], 2);
    assert_eq!(report["updated"], 1);
    assert_eq!(report["failed"], 5);
    assert_eq!(
        report["errors"][0],
        json!({"line": 4, "reason": report["errors"][0]["reason"]})
    );
    assert_eq!(report["errors"][0].as_object().unwrap().len(), 2);

    let tags = cli.json(&["tags", "list"]);
    assert_eq!(tags.as_array().unwrap().len(), 2);
    assert_eq!(tags[0]["contact_count"], 2);

    // Dry run and skip.
    let dry = cli.json(&[
        "contacts",
        "import",
        &fixture("hubspot_contacts.csv"),
        "--dry-run",
    ]);
    assert_eq!(dry["created"], 2);
    assert_eq!(cli.json(&["contacts", "count"])["count"], 2);
    let skip = cli.json(&[
        "contacts",
        "import",
        &fixture("messy.csv"),
        "--on-existing",
        "skip",
    ]);
    assert_eq!(skip["skipped"], 3);
}

#[test]
fn import_with_a_mapping_json() {
    let cli = Cli::new();
    let path = cli.write(
        "odd.csv",
        "Correo;Nombre;Puntos;Equipo\nana@example.es;Ana;7;Rojo\n",
    );
    let mapping = r#"{"Correo": "email", "Nombre": "first_name", "Puntos": "new:points:number", "Equipo": "tags"}"#;
    let report = cli.json(&[
        "contacts",
        "import",
        path.to_str().unwrap(),
        "--mapping",
        mapping,
    ]);
    assert_eq!(report["created"], 1, "{report}");
    let ana = cli.json(&["contacts", "show", "ANA@example.es"]);
    assert_eq!(ana["first_name"], "Ana");
    assert_eq!(ana["values"]["points"], 7.0);
    assert_eq!(ana["tags"][0]["name"], "Rojo");

    let bad = cli.error(&[
        "contacts",
        "import",
        path.to_str().unwrap(),
        "--mapping",
        r#"{"Nope": "email"}"#,
    ]);
    assert_eq!(bad["code"], "validation");
    assert!(bad["message"].as_str().unwrap().contains("Nope"));
    let empty = cli.write("empty.csv", "");
    let err = cli.error(&["contacts", "import", empty.to_str().unwrap()]);
    assert!(err["message"].as_str().unwrap().contains("empty"));
}

#[test]
fn contacts_crud_list_export_tags_and_fields() {
    let cli = Cli::new();
    cli.json(&[
        "fields", "create", "plan", "--type", "choice", "--option", "Free", "--option", "Pro",
        "--label", "Plan",
    ]);
    let ann = cli.json(&[
        "contacts",
        "add",
        "Ann@Example.com",
        "--first-name",
        "Ann",
        "--tag",
        "VIP",
        "--set",
        "plan=pro",
    ]);
    assert_eq!(ann["values"]["plan"], "Pro");
    assert_eq!(ann["source"], "api");
    let dup = cli.error(&["contacts", "add", "ann@example.COM"]);
    assert_eq!(dup["code"], "duplicate_email");
    assert_eq!(dup["fields"][0]["field"], "email");
    let bad = cli.error(&["contacts", "add", "bob@example", "--set", "plan=Gold"]);
    let fields: Vec<&str> = bad["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "values.plan"]);
    cli.json(&[
        "contacts",
        "add",
        "bob@example.com",
        "--last-name",
        "Builder",
    ]);

    let updated = cli.json(&[
        "contacts",
        "update",
        "ann@example.com",
        "--status",
        "unsubscribed",
    ]);
    assert_eq!(updated["status"], "unsubscribed");
    assert_eq!(updated["first_name"], "Ann");
    let page = cli.json(&["contacts", "list", "--search", "build"]);
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["email"], "bob@example.com");
    assert_eq!(cli.json(&["contacts", "count", "--tag", "vip"])["count"], 1);
    assert_eq!(
        cli.json(&["contacts", "count", "--status", "subscribed"])["count"],
        1
    );

    cli.json(&["tags", "assign", "VIP", "bob@example.com"]);
    let out = cli.run(&["contacts", "export", "--tag", "VIP"]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv
        .starts_with("email,first_name,last_name,status,source,created_at,updated_at,tags,plan\n"));
    assert_eq!(csv.lines().count(), 3);

    let preview = cli.json(&["fields", "change-type", "plan", "--type", "number"]);
    assert_eq!(preview["preview"]["lost"], 1);
    assert_eq!(preview["applied"], false);
    assert_eq!(cli.json(&["tags", "delete", "vip"])["contacts"], 2);
    cli.json(&["tags", "delete", "vip", "--yes"]);
    assert_eq!(cli.json(&["tags", "list"]), json!([]));
    assert_eq!(
        cli.json(&["contacts", "delete", "bob@example.com"])["deleted"],
        1
    );
    assert_eq!(
        cli.error(&["contacts", "show", "bob@example.com"])["code"],
        "validation"
    );
}

#[test]
fn segments_from_the_command_line() {
    let cli = Cli::new();
    cli.json(&["fields", "create", "score", "--type", "number"]);
    for (email, score, tag) in [
        ("a@example.com", "5", "VIP"),
        ("b@example.com", "50", "VIP"),
        ("c@example.com", "70", "Other"),
    ] {
        cli.json(&[
            "contacts",
            "add",
            email,
            "--set",
            &format!("score={score}"),
            "--tag",
            tag,
        ]);
    }
    let vip = cli.json(&["tags", "list"])[1]["id"].as_i64().unwrap();
    let rules = json!({"kind": "group", "match": "all", "rules": [
        {"kind": "tag", "op": "has", "tag_id": vip},
        {"kind": "field", "key": "score", "op": "greater_than", "value": 10},
        {"kind": "created_at", "op": "in_last_days", "days": 30}
    ]})
    .to_string();
    assert_eq!(
        cli.json(&["segments", "count", "--rules", &rules])["count"],
        1
    );
    cli.json(&["segments", "create", "Engaged VIPs", "--rules", &rules]);
    assert_eq!(cli.json(&["segments", "count", "engaged vips"])["count"], 1);
    assert_eq!(
        cli.json(&["segments", "contacts", "Engaged VIPs"]),
        json!([{"id": 2, "email": "b@example.com"}])
    );
    assert_eq!(
        cli.json(&["contacts", "count", "--segment", "Engaged VIPs"])["count"],
        1
    );
    cli.json(&["segments", "duplicate", "Engaged VIPs"]);
    cli.json(&["segments", "rename", "Engaged VIPs (copy)", "Copy"]);
    let names: Vec<String> = cli
        .json(&["segments", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Copy", "Engaged VIPs"]);
    let event = cli.error(&[
        "segments",
        "count",
        "--rules",
        r#"{"kind":"event","event":"opened","campaign_id":999}"#,
    ]);
    assert_eq!(event["code"], "validation");
    let bad = cli.error(&["segments", "create", "X", "--rules", "{not json"]);
    assert_eq!(bad["fields"][0]["field"], "rules");
    cli.json(&["segments", "delete", "Copy"]);
}

/// Everything in the contact tables, to compare before and after (opened as Herald would,
/// which also recovers the WAL a killed process left).
fn dump(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for table in [
        "contacts",
        "contact_values",
        "contact_tags",
        "tags",
        "custom_fields",
        "imports",
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap();
        out.extend(rows.map(|r| format!("{table}: {}", r.unwrap())));
    }
    let fts: i64 = conn
        .query_row(
            "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'example'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    out.push(format!("fts: {fts}"));
    out
}

#[test]
fn killing_an_import_midway_leaves_the_database_unchanged() {
    let cli = Cli::new();
    cli.json(&["contacts", "import", &fixture("hubspot_contacts.csv")]);
    let before = dump(&cli.db());
    let mut csv = String::from("email,first_name,last_name,city,tags\n");
    for i in 0..100_000 {
        csv.push_str(&format!(
            "person{i}@example.com,First{i},Last{i},City {},\"a{}, b\"\n",
            i % 100,
            i % 7
        ));
    }
    let path = cli.write("big.csv", &csv);
    let mapping = r#"{"city": "new:city:text"}"#;
    let mut child = cli
        .command(&[
            "contacts",
            "import",
            path.to_str().unwrap(),
            "--mapping",
            mapping,
            "--tag",
            "Killed",
            "--progress",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill it mid-way: after it reports 20,000 rows written inside its transaction.
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut reached = 0;
    for line in stderr.lines() {
        let progress: Value = serde_json::from_str(&line.unwrap()).unwrap();
        reached = progress["rows_done"].as_u64().unwrap();
        if reached >= 20_000 {
            break;
        }
    }
    assert!(
        reached >= 20_000,
        "the import ended before it could be killed"
    );
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert_eq!(dump(&cli.db()), before);
    // The workspace still opens and works.
    assert_eq!(cli.json(&["contacts", "count"])["count"], 2);
    assert_eq!(cli.json(&["fields", "list"]), json!([]));
}
