//! CSV import against real files and a real workspace database: the export shapes people
//! bring (Excel in several locales, Mailchimp, HubSpot, Google Contacts), bad input, and the
//! all-or-nothing guarantee.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use herald_core::contacts::{self, ContactQuery, ContactStatus};
use herald_core::db::{open, OpenMode};
use herald_core::fields::{self, FieldInput, FieldType, FieldValue};
use herald_core::imports::{
    self, ColumnMapping, Encoding, ImportOptions, ImportReport, MappingTarget, OnExisting,
    PreviewOptions,
};
use herald_core::tags;
use rusqlite::Connection;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn workspace() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(&dir.path().join("herald.db"), OpenMode::CreateNew).unwrap();
    (dir, conn)
}

fn import(conn: &mut Connection, path: &Path, options: &ImportOptions) -> ImportReport {
    imports::run(conn, path, options, |_| {}, &AtomicBool::new(false)).unwrap()
}

fn contact(conn: &Connection, email: &str) -> contacts::Contact {
    contacts::find_by_email(conn, email)
        .unwrap()
        .unwrap_or_else(|| panic!("{email} missing"))
}

/// Everything a workspace holds, to compare before and after.
fn snapshot(conn: &Connection) -> Vec<String> {
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
        for row in rows {
            out.push(format!("{table}: {}", row.unwrap()));
        }
    }
    let fts: i64 = conn
        .query_row(
            "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'example'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    out.push(format!("fts: {fts}"));
    // An import drops and recreates triggers and indexes inside its transaction.
    let mut stmt = conn
        .prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY name")
        .unwrap();
    let schema = stmt
        .query_map([], |r| {
            Ok(format!(
                "schema: {}|{}|{:?}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?
            ))
        })
        .unwrap();
    for row in schema {
        out.push(row.unwrap());
    }
    let fk: i64 = conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    out.push(format!("foreign_keys: {fk}"));
    out
}

fn search(conn: &Connection, term: &str) -> Vec<String> {
    contacts::list(
        conn,
        &ContactQuery {
            search: Some(term.into()),
            ..ContactQuery::default()
        },
    )
    .unwrap()
    .items
    .into_iter()
    .map(|c| c.email)
    .collect()
}

fn schema(conn: &Connection) -> Vec<String> {
    snapshot(conn)
        .into_iter()
        .filter(|l| l.starts_with("schema:") || l.starts_with("foreign_keys:"))
        .collect()
}

#[test]
fn imports_keep_the_search_index_schema_and_settings_in_step() {
    let (dir, mut conn) = workspace();
    let company = |col: u32| ColumnMapping {
        column: col,
        header: "company".into(),
        target: MappingTarget::NewField {
            key: "company".into(),
            label: "Company".into(),
            field_type: FieldType::Text,
            options: vec![],
        },
    };
    let mapping = |pad: bool| {
        let mut m = vec![
            ColumnMapping {
                column: 0,
                header: "email".into(),
                target: MappingTarget::Email,
            },
            ColumnMapping {
                column: 1,
                header: "first_name".into(),
                target: MappingTarget::FirstName,
            },
            company(2),
        ];
        if pad {
            m.push(ColumnMapping {
                column: 3,
                header: "notes".into(),
                target: MappingTarget::Ignore,
            });
        }
        m
    };
    let first = write(
        dir.path(),
        "first.csv",
        b"email,first_name,company\nann@example.com,Ann,Oldco\n",
    );
    let options = ImportOptions {
        mapping: Some(mapping(false)),
        ..ImportOptions::default()
    };
    assert_eq!(import(&mut conn, &first, &options).created, 1);
    assert_eq!(search(&conn, "oldco"), ["ann@example.com"]);
    let before = schema(&conn);
    assert!(before.iter().any(|l| l.contains("contacts_fts_insert")));
    assert_eq!(before.last().unwrap(), "foreign_keys: 1");

    // Big enough (over 8 MB) for the bulk path that also rebuilds the indexes. It updates a
    // contact from before (new company and name), creates one and updates it again, and
    // creates 200 more.
    let pad = "x".repeat(45_000);
    let mut csv = String::from("email,first_name,company,notes\n");
    csv.push_str("ANN@example.com,Anna,Newco,\n");
    csv.push_str("bob@example.com,Bob,Brandco,\n");
    csv.push_str("Bob@Example.com,Bobby,,\n");
    for i in 0..200 {
        csv.push_str(&format!("c{i}@example.com,Cat{i},Acme {i},{pad}\n"));
    }
    let second = write(dir.path(), "second.csv", csv.as_bytes());
    assert!(csv.len() > 8 << 20);
    let options = ImportOptions {
        mapping: Some(mapping(true)),
        tags: vec!["Fair".into()],
        ..ImportOptions::default()
    };
    let report = import(&mut conn, &second, &options);
    assert_eq!(
        (report.total, report.created, report.updated, report.failed),
        (203, 201, 2, 0)
    );
    assert_eq!(
        schema(&conn),
        before,
        "triggers, indexes and settings are back"
    );
    assert!(search(&conn, "oldco").is_empty());
    assert_eq!(search(&conn, "newco anna"), ["ann@example.com"]);
    assert_eq!(search(&conn, "brandco bobby"), ["bob@example.com"]);
    assert_eq!(search(&conn, "cat199 acme"), ["c199@example.com"]);
    let bob = contact(&conn, "bob@example.com");
    assert_eq!(bob.values["company"], FieldValue::Text("Brandco".into()));
    assert_eq!(bob.tags.len(), 1);

    // One pass gives the page and the total, newest first.
    let page = contacts::list(
        &conn,
        &ContactQuery {
            search: Some("example".into()),
            page: 2,
            page_size: 50,
            ..ContactQuery::default()
        },
    )
    .unwrap();
    assert_eq!(page.total, 202);
    assert_eq!(page.items.len(), 50);
    assert_eq!(page.items[0].email, "c149@example.com");
    assert_eq!(page.items[49].email, "c100@example.com");

    // The triggers work again for edits made after the import.
    let ann = contact(&conn, "ann@example.com");
    contacts::update(
        &mut conn,
        ann.id,
        contacts::ContactInput {
            email: ann.email.clone(),
            first_name: "Zed".into(),
            ..contacts::ContactInput::default()
        },
    )
    .unwrap();
    assert_eq!(search(&conn, "zed"), ["ann@example.com"]);
    assert!(search(&conn, "anna").is_empty());
}

#[test]
fn excel_comma_utf8_with_bom() {
    let (_d, mut conn) = workspace();
    let path = fixture("excel_comma_utf8_bom.csv");
    let p = imports::preview(&conn, &path, &PreviewOptions::default()).unwrap();
    assert_eq!(p.encoding, Encoding::Utf8);
    assert_eq!(p.delimiter, ",");
    assert_eq!(
        p.headers,
        [
            "E-mail Address",
            "First Name",
            "Last Name",
            "Company",
            "Tags"
        ]
    );
    let targets: Vec<&MappingTarget> = p.mapping.iter().map(|m| &m.target).collect();
    assert_eq!(
        targets,
        [
            &MappingTarget::Email,
            &MappingTarget::FirstName,
            &MappingTarget::LastName,
            &MappingTarget::Ignore,
            &MappingTarget::Tags
        ]
    );
    assert_eq!(p.rows.len(), 3);
    assert_eq!(p.rows[0].line, 2);
    assert_eq!(p.rows[2].cells[3], "Les \"Amis\"");

    // Create a field from the Company column, as the UI's "new field" choice does.
    let mut mapping = p.mapping.clone();
    mapping[3].target = MappingTarget::NewField {
        key: "company".into(),
        label: "Company".into(),
        field_type: FieldType::Text,
        options: vec![],
    };
    let report = import(
        &mut conn,
        &path,
        &ImportOptions {
            mapping: Some(mapping),
            tags: vec!["Imported".into()],
            ..ImportOptions::default()
        },
    );
    assert_eq!(
        (report.total, report.created, report.failed),
        (3, 3, 0),
        "{report:?}"
    );
    let ann = contact(&conn, "ann@example.com");
    assert_eq!(ann.values["company"], FieldValue::Text("Acme, Inc.".into()));
    assert_eq!(
        ann.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["Imported", "VIP"]
    );
    assert_eq!(
        ann.source_label(),
        format!("import {}", report.import_id.unwrap())
    );
    let chloe = contact(&conn, "chloé@example.fr");
    assert_eq!(chloe.first_name, "Chloé");
    assert_eq!(chloe.tags.len(), 3);
    assert_eq!(
        contact(&conn, "bob@example.com").email,
        "BOB@Example.com",
        "stored as entered"
    );
}

#[test]
fn excel_semicolon_windows_1252_with_sep_line() {
    let (_d, mut conn) = workspace();
    let path = fixture("excel_semicolon_1252.csv");
    let p = imports::preview(&conn, &path, &PreviewOptions::default()).unwrap();
    assert_eq!(p.encoding, Encoding::Windows1252);
    assert!(p.encoding_guessed);
    assert_eq!(p.delimiter, ";");
    assert_eq!(p.headers, ["E-Mail", "Vorname", "Nachname", "Stadt"]);
    assert_eq!(p.rows[0].line, 3);
    assert!(p.warnings.iter().any(|w| w.contains("sep=")));
    let report = import(&mut conn, &path, &ImportOptions::default());
    assert_eq!((report.created, report.failed), (3, 0), "{report:?}");
    let z = contact(&conn, "zoe@example.de");
    assert_eq!(
        (z.first_name.as_str(), z.last_name.as_str()),
        ("Zoë", "Weiß")
    );
    assert_eq!(contact(&conn, "jürgen@example.de").last_name, "Müller");
}

#[test]
fn excel_unicode_text_utf16_and_utf16_be() {
    let (_d, mut conn) = workspace();
    let path = fixture("excel_unicode_text_utf16le.txt");
    let p = imports::preview(&conn, &path, &PreviewOptions::default()).unwrap();
    assert_eq!(
        (p.encoding, p.delimiter.as_str()),
        (Encoding::Utf16Le, "\t")
    );
    let report = import(&mut conn, &path, &ImportOptions::default());
    assert_eq!(report.created, 2, "{report:?}");
    assert_eq!(contact(&conn, "ivan@example.ru").last_name, "Петров");
    assert_eq!(contact(&conn, "mei@example.cn").first_name, "美");

    let report = import(
        &mut conn,
        &fixture("utf16be_bom.csv"),
        &ImportOptions::default(),
    );
    assert_eq!(report.created, 1, "{report:?}");
    assert_eq!(contact(&conn, "be@example.com").first_name, "Bérénice");
}

#[test]
fn windows_1252_full_names_and_encoding_override() {
    let (_d, mut conn) = workspace();
    let path = fixture("windows1252_comma.csv");
    let report = import(
        &mut conn,
        &path,
        &ImportOptions {
            dry_run: true,
            ..ImportOptions::default()
        },
    );
    assert_eq!(report.created, 2);
    assert_eq!(
        contacts::count(&conn, &ContactQuery::default()).unwrap(),
        0,
        "dry run writes nothing"
    );
    import(&mut conn, &path, &ImportOptions::default());
    let noel = contact(&conn, "noel@example.com");
    assert_eq!(
        (noel.first_name.as_str(), noel.last_name.as_str()),
        ("Noël", "Côté")
    );

    // Forcing UTF-8 on a Windows-1252 file fails those rows with a reason, not garbage.
    let (_d2, mut other) = workspace();
    let report = import(
        &mut other,
        &path,
        &ImportOptions {
            encoding: Some(Encoding::Utf8),
            ..ImportOptions::default()
        },
    );
    assert_eq!((report.created, report.failed), (0, 2));
    assert!(
        report.errors[0].reason.contains("encoding"),
        "{:?}",
        report.errors
    );
}

#[test]
fn mailchimp_export() {
    let (_d, mut conn) = workspace();
    let report = import(
        &mut conn,
        &fixture("mailchimp_members.csv"),
        &ImportOptions::default(),
    );
    assert_eq!((report.created, report.failed), (2, 0), "{report:?}");
    let maria = contact(&conn, "mc1@example.com");
    assert_eq!(maria.first_name, "Maria");
    assert_eq!(
        maria
            .tags
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["Customers", "Newsletter"]
    );
}

#[test]
fn hubspot_export() {
    let (_d, mut conn) = workspace();
    let report = import(
        &mut conn,
        &fixture("hubspot_contacts.csv"),
        &ImportOptions::default(),
    );
    assert_eq!((report.created, report.failed), (2, 0), "{report:?}");
    assert_eq!(contact(&conn, "dana@example.com").last_name, "Kim");
}

#[test]
fn google_contacts_export() {
    let (_d, mut conn) = workspace();
    let path = fixture("google_contacts.csv");
    let p = imports::preview(&conn, &path, &PreviewOptions::default()).unwrap();
    let email_col = p
        .mapping
        .iter()
        .find(|m| m.target == MappingTarget::Email)
        .unwrap();
    assert_eq!(email_col.header, "E-mail 1 - Value");
    let report = import(&mut conn, &path, &ImportOptions::default());
    assert_eq!((report.created, report.failed), (2, 0), "{report:?}");
    let ola = contact(&conn, "ola@example.no");
    assert_eq!(
        (ola.first_name.as_str(), ola.last_name.as_str()),
        ("Ola", "Nordmann")
    );
    assert_eq!(
        ola.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["Friends"]
    );
}

#[test]
fn messy_rows_fail_one_by_one_with_line_numbers_and_can_be_saved() {
    let (dir, mut conn) = workspace();
    fields::create(
        &conn,
        FieldInput {
            key: "score".into(),
            label: "Score".into(),
            field_type: FieldType::Number,
            options: vec![],
            required: false,
        },
    )
    .unwrap();
    let path = fixture("messy.csv");
    let p = imports::preview(&conn, &path, &PreviewOptions::default()).unwrap();
    assert_eq!(
        p.mapping[3].target,
        MappingTarget::Field {
            key: "score".into()
        }
    );
    assert_eq!(p.rows[1].line, 4);
    assert_eq!(p.rows[1].problems[0].column, 0);
    assert!(p.rows[3].problems[0].message.contains("not a number"));

    let options = ImportOptions {
        on_existing: OnExisting::Update,
        ..ImportOptions::default()
    };
    let report = import(&mut conn, &path, &options);
    assert_eq!(report.total, 8, "the blank line is not a row");
    assert_eq!(
        (report.created, report.updated, report.failed),
        (2, 1, 5),
        "{report:?}"
    );
    let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [4, 6, 8, 9, 10]);
    assert!(
        report.errors[0].reason.contains("not a valid email"),
        "{:?}",
        report.errors[0]
    );
    assert!(report.errors[2].reason.contains("unquoted delimiter"));
    assert!(report.errors[3].reason.contains("No email"));
    assert!(report.errors[4].reason.contains("not a status"));
    let one = contact(&conn, "good1@example.com");
    assert_eq!(
        (one.first_name.as_str(), one.values["score"].clone()),
        ("Again", FieldValue::Number(11.0))
    );

    let failed = dir.path().join("failed.csv");
    assert_eq!(
        imports::write_failed_rows(&path, &options, &report, &failed).unwrap(),
        5
    );
    let text = std::fs::read_to_string(&failed).unwrap();
    assert!(
        text.starts_with("email,first_name,last_name,score,status,error\n"),
        "{text}"
    );
    assert!(text.contains("not-an-email,Bad,Address,5,,"));

    // Skip leaves existing contacts alone.
    let report = import(
        &mut conn,
        &path,
        &ImportOptions {
            on_existing: OnExisting::Skip,
            ..ImportOptions::default()
        },
    );
    assert_eq!((report.created, report.skipped), (0, 3));
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn bad_files_give_clear_errors_and_change_nothing() {
    let (dir, mut conn) = workspace();
    let before = snapshot(&conn);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", vec![], "empty"),
        ("blank.csv", b"\n\n\r\n".to_vec(), "no rows"),
        (
            "binary.csv",
            (0..=255u8).cycle().take(5000).collect(),
            "binary",
        ),
    ];
    for (name, bytes, expect) in cases {
        let path = write(dir.path(), name, &bytes);
        let err = imports::preview(&conn, &path, &PreviewOptions::default()).unwrap_err();
        let err2 = imports::run(
            &mut conn,
            &path,
            &ImportOptions::default(),
            |_| {},
            &AtomicBool::new(false),
        )
        .unwrap_err();
        for e in [err, err2] {
            assert!(
                e.to_string().to_lowercase().contains(expect)
                    || e.fields()
                        .iter()
                        .any(|f| f.message.to_lowercase().contains(expect)),
                "{name}: {e:?}"
            );
        }
    }
    // No email column: the preview shows why on each row; the import refuses to start.
    let path = write(dir.path(), "noemail.csv", b"name,phone\nAnn,1\n");
    let p = imports::preview(&conn, &path, &PreviewOptions::default()).unwrap();
    assert!(p.rows[0].error.as_deref().unwrap().contains("email"));
    let err = imports::run(
        &mut conn,
        &path,
        &ImportOptions::default(),
        |_| {},
        &AtomicBool::new(false),
    )
    .unwrap_err();
    assert_eq!(err.fields()[0].field, "mapping");
    assert_eq!(snapshot(&conn), before);

    // Header only: a report with nothing in it.
    let path = write(dir.path(), "header.csv", b"email,first_name\n");
    let report = import(&mut conn, &path, &ImportOptions::default());
    assert_eq!((report.total, report.created), (0, 0));
    assert!(imports::preview(&conn, &path, &PreviewOptions::default())
        .unwrap()
        .warnings
        .iter()
        .any(|w| w.contains("no contacts")));

    // Duplicate headers are numbered; only the first maps to email.
    let path = write(
        dir.path(),
        "dup.csv",
        b"Email,email,EMAIL\na@example.com,b@example.com,c@example.com\n",
    );
    let p = imports::preview(&conn, &path, &PreviewOptions::default()).unwrap();
    assert_eq!(p.headers, ["Email", "email (2)", "EMAIL (3)"]);
    assert_eq!(
        import(&mut conn, &path, &ImportOptions::default()).created,
        1
    );

    // An unbalanced quote swallows the rest of the file into one cell: that row fails.
    let path = write(
        dir.path(),
        "quote.csv",
        b"email,first_name\nq1@example.com,\"Open\nq2@example.com,Two\n",
    );
    let report = import(&mut conn, &path, &ImportOptions::default());
    assert_eq!(
        (report.total, report.created, report.failed),
        (1, 0, 1),
        "{report:?}"
    );

    // A 10 MB cell fails its row only; memory stays bounded.
    let mut big = b"email,first_name\nbig@example.com,\"".to_vec();
    big.extend(std::iter::repeat_n(b'x', 10 << 20));
    big.extend(b"\"\nsmall@example.com,Small\n");
    let path = write(dir.path(), "big.csv", &big);
    let report = import(&mut conn, &path, &ImportOptions::default());
    assert_eq!((report.created, report.failed), (1, 1), "{report:?}");
    assert!(report.errors[0].reason.contains("longer than"));
    assert_eq!(report.errors[0].line, 2);

    // Ragged short rows import with the missing cells empty.
    let path = write(
        dir.path(),
        "short.csv",
        b"email,first_name,last_name\nshort@example.com\n",
    );
    assert_eq!(
        import(&mut conn, &path, &ImportOptions::default()).created,
        1
    );
}

#[test]
fn a_cancelled_import_leaves_the_workspace_exactly_as_before() {
    let (dir, mut conn) = workspace();
    import(
        &mut conn,
        &fixture("hubspot_contacts.csv"),
        &ImportOptions::default(),
    );
    tags::create(
        &conn,
        tags::TagInput {
            name: "Old".into(),
            colour: None,
        },
    )
    .unwrap();
    let before = snapshot(&conn);
    let mut csv = String::from("email,first_name,plan\n");
    for i in 0..10_000 {
        csv.push_str(&format!("bulk{i}@example.com,Name{i},Gold\n"));
    }
    csv.push_str("sam.lee@example.com,Changed,Gold\n");
    let path = write(dir.path(), "bulk.csv", csv.as_bytes());
    let cancel = AtomicBool::new(false);
    let mut seen = 0;
    let mapping = vec![
        ColumnMapping {
            column: 0,
            header: "email".into(),
            target: MappingTarget::Email,
        },
        ColumnMapping {
            column: 1,
            header: "first_name".into(),
            target: MappingTarget::FirstName,
        },
        ColumnMapping {
            column: 2,
            header: "plan".into(),
            target: MappingTarget::NewField {
                key: "plan".into(),
                label: "Plan".into(),
                field_type: FieldType::Choice,
                options: vec!["Gold".into()],
            },
        },
    ];
    let options = ImportOptions {
        mapping: Some(mapping),
        tags: vec!["New".into()],
        ..ImportOptions::default()
    };
    let err = imports::run(
        &mut conn,
        &path,
        &options,
        |p| {
            seen = p.rows_done;
            if p.rows_done >= 4_000 {
                cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        },
        &cancel,
    )
    .unwrap_err();
    assert_eq!(err.code(), "cancelled");
    assert!(seen >= 4_000);
    assert_eq!(snapshot(&conn), before);
    assert!(fields::find_by_key(&conn, "plan").unwrap().is_none());
    assert_eq!(contact(&conn, "sam.lee@example.com").first_name, "Sam");

    // The same import, not cancelled, goes through and sets the field and tag.
    let report = import(&mut conn, &path, &options);
    assert_eq!((report.created, report.updated), (10_000, 1));
    assert_eq!(
        contacts::count(
            &conn,
            &ContactQuery {
                search: Some("name9999".into()),
                ..ContactQuery::default()
            }
        )
        .unwrap(),
        1
    );
    assert_eq!(
        contact(&conn, "bulk5@example.com").values["plan"],
        FieldValue::Text("Gold".into())
    );
    assert_eq!(
        contact(&conn, "bulk5@example.com").status,
        ContactStatus::Subscribed
    );
}
