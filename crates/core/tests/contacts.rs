//! Contacts, tags and custom fields against a real workspace database.

use std::collections::BTreeMap;

use herald_core::contacts::{
    self, BulkAction, ContactInput, ContactQuery, ContactSelection, ContactSource, ContactStatus,
    SortDirection,
};
use herald_core::db::{open, OpenMode};
use herald_core::fields::{self, FieldInput, FieldType, FieldTypeChange, FieldValue};
use herald_core::tags::{self, TagInput};
use herald_core::Error;
use rusqlite::Connection;

fn workspace() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(&dir.path().join("herald.db"), OpenMode::CreateNew).unwrap();
    (dir, conn)
}

fn input(email: &str, first: &str, last: &str) -> ContactInput {
    ContactInput {
        email: email.into(),
        first_name: first.into(),
        last_name: last.into(),
        ..ContactInput::default()
    }
}

fn field(
    conn: &Connection,
    key: &str,
    t: FieldType,
    options: &[&str],
    required: bool,
) -> fields::CustomField {
    fields::create(
        conn,
        FieldInput {
            key: key.into(),
            label: key.to_uppercase(),
            field_type: t,
            options: options.iter().map(|s| s.to_string()).collect(),
            required,
        },
    )
    .unwrap()
}

#[test]
fn create_validates_each_field_and_names_the_duplicate() {
    let (_d, mut conn) = workspace();
    field(&conn, "score", FieldType::Number, &[], false);
    field(&conn, "plan", FieldType::Choice, &["Free", "Pro"], true);

    let mut bad = input("not an address", "A", "B");
    bad.values
        .insert("score".into(), Some(FieldValue::Text("lots".into())));
    bad.values
        .insert("nope".into(), Some(FieldValue::Text("x".into())));
    let err = contacts::create(&mut conn, bad, ContactSource::Manual).unwrap_err();
    let names: Vec<&str> = err.fields().iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        names,
        ["email", "values.nope", "values.score", "values.plan"],
        "{err:?}"
    );

    let mut ok = input("Ann.Smith@Example.com", "Ann", "Smith");
    ok.values
        .insert("score".into(), Some(FieldValue::Text("1,5".into())));
    ok.values
        .insert("plan".into(), Some(FieldValue::Text("pro".into())));
    let ann = contacts::create(&mut conn, ok, ContactSource::Manual).unwrap();
    assert_eq!(ann.email, "Ann.Smith@Example.com");
    assert_eq!(ann.values["score"], FieldValue::Number(1.5));
    assert_eq!(ann.values["plan"], FieldValue::Text("Pro".into()));
    assert_eq!(ann.status, ContactStatus::Subscribed);

    let mut dup = input("ann.smith@example.COM", "", "");
    dup.values
        .insert("plan".into(), Some(FieldValue::Text("Free".into())));
    let err = contacts::create(&mut conn, dup, ContactSource::Manual).unwrap_err();
    assert_eq!(err.code(), "duplicate_email");
    assert_eq!(err.existing_contact_id(), Some(ann.id));
    assert_eq!(err.fields()[0].field, "email");
    assert_eq!(
        contacts::find_by_email(&conn, "ANN.smith@example.com")
            .unwrap()
            .unwrap()
            .id,
        ann.id
    );

    // Update keeps values not mentioned, clears with null, and may keep its own address.
    let mut edit = input("ann.smith@example.com", "Annie", "Smith");
    edit.values.insert("score".into(), None);
    let ann2 = contacts::update(&mut conn, ann.id, edit).unwrap();
    assert_eq!(ann2.first_name, "Annie");
    assert!(!ann2.values.contains_key("score"));
    assert_eq!(ann2.values["plan"], FieldValue::Text("Pro".into()));
}

#[test]
fn list_searches_filters_sorts_and_pages() {
    let (_d, mut conn) = workspace();
    let company = field(&conn, "company", FieldType::Text, &[], false);
    let vip = tags::create(
        &conn,
        TagInput {
            name: "VIP".into(),
            colour: None,
        },
    )
    .unwrap();
    for i in 0..30 {
        let mut c = input(
            &format!("user{i:02}@example.com"),
            &format!("First{i}"),
            if i % 3 == 0 { "Müller" } else { "Jones" },
        );
        if i % 5 == 0 {
            c.values.insert(
                "company".into(),
                Some(FieldValue::Text("Globex Corporation".into())),
            );
            c.tag_ids = Some(vec![vip.id]);
        }
        if i == 7 {
            c.status = Some(ContactStatus::Bounced);
        }
        contacts::create(&mut conn, c, ContactSource::Api).unwrap();
    }
    let all = contacts::list(
        &conn,
        &ContactQuery {
            page_size: 10,
            ..ContactQuery::default()
        },
    )
    .unwrap();
    assert_eq!(all.total, 30);
    assert_eq!(all.items.len(), 10);
    assert_eq!(
        all.items[0].email, "user29@example.com",
        "newest first by default"
    );

    let q = |search: &str| ContactQuery {
        search: Some(search.into()),
        ..ContactQuery::default()
    };
    assert_eq!(
        contacts::list(&conn, &q("muller")).unwrap().total,
        10,
        "diacritics folded"
    );
    assert_eq!(
        contacts::list(&conn, &q("glob")).unwrap().total,
        6,
        "text custom values"
    );
    assert_eq!(
        contacts::list(&conn, &q("user07@example")).unwrap().total,
        1
    );
    assert_eq!(
        contacts::list(&conn, &q("\" OR * NEAR(")).unwrap().total,
        0,
        "FTS syntax is inert"
    );
    assert_eq!(
        contacts::list(&conn, &q("user07 OR user08")).unwrap().total,
        0,
        "OR is a word, not an operator"
    );
    let tagged = contacts::list(
        &conn,
        &ContactQuery {
            tag_ids: vec![vip.id],
            ..ContactQuery::default()
        },
    )
    .unwrap();
    assert_eq!(tagged.total, 6);
    assert_eq!(tagged.items[0].tags[0].name, "VIP");
    let bounced = contacts::count(
        &conn,
        &ContactQuery {
            statuses: vec![ContactStatus::Bounced],
            ..ContactQuery::default()
        },
    )
    .unwrap();
    assert_eq!(bounced, 1);

    let by_email = contacts::list(
        &conn,
        &ContactQuery {
            sort: Some("email".into()),
            direction: SortDirection::Asc,
            page: 2,
            page_size: 7,
            columns: Some(vec![]),
            ..ContactQuery::default()
        },
    )
    .unwrap();
    assert_eq!(by_email.items[0].email, "user07@example.com");
    assert!(
        by_email.items.iter().all(|c| c.values.is_empty()),
        "only the chosen columns"
    );
    let by_company = contacts::list(
        &conn,
        &ContactQuery {
            sort: Some("company".into()),
            direction: SortDirection::Desc,
            ..ContactQuery::default()
        },
    )
    .unwrap();
    assert!(by_company.items[0].values.contains_key("company"));
    assert!(contacts::list(
        &conn,
        &ContactQuery {
            sort: Some("id; DROP TABLE contacts".into()),
            ..ContactQuery::default()
        }
    )
    .is_err());

    // Renaming the field's values out of text removes them from search.
    let preview = fields::preview_change(
        &conn,
        company.id,
        &FieldTypeChange {
            field_type: FieldType::Number,
            options: vec![],
        },
    )
    .unwrap();
    assert_eq!((preview.values, preview.converted, preview.lost), (6, 0, 6));
    fields::change_type(
        &mut conn,
        company.id,
        FieldTypeChange {
            field_type: FieldType::Number,
            options: vec![],
        },
    )
    .unwrap();
    assert_eq!(contacts::list(&conn, &q("glob")).unwrap().total, 0);
}

#[test]
fn bulk_actions_work_by_ids_and_by_query_and_export_reimports() {
    let (_d, mut conn) = workspace();
    field(&conn, "city", FieldType::Text, &[], false);
    let news = tags::create(
        &conn,
        TagInput {
            name: "News".into(),
            colour: None,
        },
    )
    .unwrap();
    let mut ids = Vec::new();
    for i in 0..10 {
        let mut c = input(
            &format!("p{i}@example.org"),
            "Pat",
            if i < 4 { "Lee" } else { "Kim" },
        );
        c.values = BTreeMap::from([(
            "city".into(),
            Some(FieldValue::Text("Paris, \"France\"".into())),
        )]);
        ids.push(
            contacts::create(&mut conn, c, ContactSource::Manual)
                .unwrap()
                .id,
        );
    }
    let lees = ContactSelection::Query {
        query: ContactQuery {
            search: Some("lee".into()),
            ..ContactQuery::default()
        },
    };
    assert_eq!(
        contacts::bulk(&mut conn, &lees, &BulkAction::Tag { tag_id: news.id })
            .unwrap()
            .affected,
        4
    );
    assert_eq!(tags::usage(&conn, news.id).unwrap(), 4);
    let two = ContactSelection::Ids {
        ids: ids[..2].to_vec(),
    };
    assert_eq!(
        contacts::bulk(&mut conn, &two, &BulkAction::Untag { tag_id: news.id })
            .unwrap()
            .affected,
        2
    );
    assert_eq!(
        contacts::bulk(
            &mut conn,
            &two,
            &BulkAction::SetStatus {
                status: ContactStatus::Blocked
            }
        )
        .unwrap()
        .affected,
        2
    );
    let mut csv = Vec::new();
    let n =
        contacts::export_csv(&conn, &ContactSelection::Ids { ids: ids.clone() }, &mut csv).unwrap();
    assert_eq!(n, 10);
    let text = String::from_utf8(csv).unwrap();
    assert!(
        text.starts_with(
            "email,first_name,last_name,status,source,created_at,updated_at,tags,city\n"
        ),
        "{text}"
    );
    assert!(text.contains("p0@example.org,Pat,Lee,blocked,manual,"));
    assert!(text.contains("\"Paris, \"\"France\"\"\""));
    assert_eq!(
        contacts::bulk(&mut conn, &lees, &BulkAction::Delete)
            .unwrap()
            .affected,
        4
    );
    assert_eq!(contacts::count(&conn, &ContactQuery::default()).unwrap(), 6);
    assert_eq!(tags::delete(&conn, news.id).unwrap(), 0);
    assert!(matches!(
        contacts::get(&conn, ids[0]),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn removing_a_field_says_how_many_values_go_and_forgets_them_in_search() {
    let (_d, mut conn) = workspace();
    let nick = field(&conn, "nickname", FieldType::Text, &[], false);
    let mut c = input("z@example.com", "", "");
    c.values
        .insert("nickname".into(), Some(FieldValue::Text("Zed".into())));
    contacts::create(&mut conn, c, ContactSource::Manual).unwrap();
    assert_eq!(fields::preview_delete(&conn, nick.id).unwrap().lost, 1);
    assert_eq!(
        contacts::count(
            &conn,
            &ContactQuery {
                search: Some("zed".into()),
                ..ContactQuery::default()
            }
        )
        .unwrap(),
        1
    );
    assert_eq!(fields::delete(&mut conn, nick.id).unwrap(), 1);
    assert_eq!(
        contacts::count(
            &conn,
            &ContactQuery {
                search: Some("zed".into()),
                ..ContactQuery::default()
            }
        )
        .unwrap(),
        0
    );
}

#[test]
fn fields_update_reorder_and_refuse_dropping_options_in_use() {
    let (_d, mut conn) = workspace();
    let plan = field(&conn, "plan", FieldType::Choice, &["Free", "Pro"], false);
    let score = field(&conn, "score", FieldType::Number, &[], false);
    let mut c = input("o@example.com", "", "");
    c.values
        .insert("plan".into(), Some(FieldValue::Text("Pro".into())));
    c.values
        .insert("score".into(), Some(FieldValue::Number(2.5)));
    let id = contacts::create(&mut conn, c, ContactSource::Manual)
        .unwrap()
        .id;

    let err = fields::update(
        &conn,
        plan.id,
        fields::FieldUpdate {
            options: Some(vec!["Free".into()]),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.fields()[0].message.contains("Pro"), "{err}");
    let renamed = fields::update(
        &conn,
        plan.id,
        fields::FieldUpdate {
            label: Some("Plan level".into()),
            options: Some(vec!["Free".into(), "Pro".into(), "Team".into()]),
            required: Some(true),
        },
    )
    .unwrap();
    assert_eq!(
        (
            renamed.label.as_str(),
            renamed.options.len(),
            renamed.required
        ),
        ("Plan level", 3, true)
    );
    let order: Vec<String> = fields::reorder(&mut conn, &[score.id])
        .unwrap()
        .into_iter()
        .map(|f| f.key)
        .collect();
    assert_eq!(order, ["score", "plan"]);

    // Number to text keeps the value as text; text to choice keeps only what fits.
    let kept = fields::change_type(
        &mut conn,
        score.id,
        FieldTypeChange {
            field_type: FieldType::Text,
            options: vec![],
        },
    )
    .unwrap();
    assert_eq!((kept.converted, kept.lost), (1, 0));
    assert_eq!(
        contacts::get(&conn, id).unwrap().values["score"],
        FieldValue::Text("2.5".into())
    );
    assert_eq!(
        contacts::count(
            &conn,
            &ContactQuery {
                search: Some("2".into()),
                ..ContactQuery::default()
            }
        )
        .unwrap(),
        1,
        "now searchable"
    );
    let change = FieldTypeChange {
        field_type: FieldType::Choice,
        options: vec!["1".into()],
    };
    let preview = fields::preview_change(&conn, score.id, &change).unwrap();
    assert_eq!(
        (preview.lost, preview.lost_examples.clone()),
        (1, vec!["2.5".to_string()])
    );
    // A required field must be given on create.
    let err = contacts::create(
        &mut conn,
        input("p@example.com", "", ""),
        ContactSource::Manual,
    )
    .unwrap_err();
    assert_eq!(err.fields()[0].field, "values.plan");
}
