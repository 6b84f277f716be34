//! Segments: every kind of condition, and attempts to inject SQL or reach another workspace.

use herald_core::contacts::{self, ContactInput, ContactQuery, ContactSource, ContactStatus};
use herald_core::db::{open, OpenMode};
use herald_core::fields::{self, FieldInput, FieldType, FieldValue};
use herald_core::segments::{self, Rule, SegmentInput};
use herald_core::tags::{self, TagInput};
use herald_core::workspaces::Home;
use rusqlite::Connection;
use serde_json::json;

fn workspace() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(&dir.path().join("herald.db"), OpenMode::CreateNew).unwrap();
    (dir, conn)
}

fn rules(v: serde_json::Value) -> Rule {
    serde_json::from_value(v).unwrap()
}

fn count(conn: &Connection, v: serde_json::Value) -> i64 {
    segments::count(conn, &rules(v)).unwrap()
}

/// Five contacts with a number, a date, a boolean, a choice and a text field, two tags, and
/// created dates spread over the past.
fn seeded() -> (tempfile::TempDir, Connection, i64, i64) {
    let (dir, mut conn) = workspace();
    for (key, t, options) in [
        ("score", FieldType::Number, vec![]),
        ("joined", FieldType::Date, vec![]),
        ("member", FieldType::Boolean, vec![]),
        (
            "plan",
            FieldType::Choice,
            vec!["Free".to_string(), "Pro".to_string()],
        ),
        ("company", FieldType::Text, vec![]),
    ] {
        fields::create(
            &conn,
            FieldInput {
                key: key.into(),
                label: key.into(),
                field_type: t,
                options,
                required: false,
            },
        )
        .unwrap();
    }
    let vip = tags::create(
        &conn,
        TagInput {
            name: "VIP".into(),
            colour: None,
        },
    )
    .unwrap()
    .id;
    let news = tags::create(
        &conn,
        TagInput {
            name: "News".into(),
            colour: None,
        },
    )
    .unwrap()
    .id;
    let people = [
        (
            "ann@acme.com",
            "Ann",
            "Smith",
            5.0,
            "2024-01-15",
            true,
            "Free",
            "Acme Ltd",
            vec![vip],
            2,
        ),
        (
            "bob@acme.com",
            "Bob",
            "Stone",
            50.0,
            "2024-06-01",
            false,
            "Pro",
            "Acme Ltd",
            vec![vip, news],
            40,
        ),
        (
            "cy@globex.com",
            "Cy",
            "Smithers",
            100.0,
            "2023-12-31",
            true,
            "Pro",
            "Globex",
            vec![news],
            400,
        ),
        (
            "di@globex.com",
            "Di",
            "",
            9.5,
            "2024-02-29",
            false,
            "Free",
            "",
            vec![],
            10,
        ),
        (
            "ed@initech.com",
            "Ed",
            "Ng",
            -1.0,
            "",
            true,
            "",
            "Initech",
            vec![vip],
            1000,
        ),
    ];
    for (email, first, last, score, joined, member, plan, company, tag_ids, age_days) in people {
        let mut input = ContactInput {
            email: email.into(),
            first_name: first.into(),
            last_name: last.into(),
            tag_ids: Some(tag_ids),
            ..ContactInput::default()
        };
        input
            .values
            .insert("score".into(), Some(FieldValue::Number(score)));
        input.values.insert(
            "joined".into(),
            (!joined.is_empty()).then(|| FieldValue::Text(joined.into())),
        );
        input
            .values
            .insert("member".into(), Some(FieldValue::Boolean(member)));
        input.values.insert(
            "plan".into(),
            (!plan.is_empty()).then(|| FieldValue::Text(plan.into())),
        );
        input.values.insert(
            "company".into(),
            (!company.is_empty()).then(|| FieldValue::Text(company.into())),
        );
        let c = contacts::create(&mut conn, input, ContactSource::Manual).unwrap();
        let created = herald_core::time::timestamp(
            time::OffsetDateTime::now_utc() - time::Duration::days(age_days),
        );
        conn.execute(
            "UPDATE contacts SET created_at = ?1 WHERE id = ?2",
            (created, c.id),
        )
        .unwrap();
    }
    contacts::bulk(
        &mut conn,
        &contacts::ContactSelection::Ids { ids: vec![4] },
        &contacts::BulkAction::SetStatus {
            status: ContactStatus::Bounced,
        },
    )
    .unwrap();
    (dir, conn, vip, news)
}

#[test]
fn every_condition_kind_matches_what_it_says() {
    let (_d, conn, vip, news) = seeded();
    let f = |key: &str, op: &str, value: serde_json::Value| json!({"kind": "field", "key": key, "op": op, "value": value});
    let cases = vec![
        (json!({"kind": "group", "match": "all", "rules": []}), 5),
        (
            json!({"kind": "email", "op": "ends_with", "value": "@ACME.com"}),
            2,
        ),
        (
            json!({"kind": "email", "op": "contains", "value": "globex"}),
            2,
        ),
        (
            json!({"kind": "email", "op": "equals", "value": "Ann@Acme.com"}),
            1,
        ),
        (
            json!({"kind": "first_name", "op": "starts_with", "value": "b"}),
            1,
        ),
        (json!({"kind": "last_name", "op": "is_empty"}), 1),
        (
            json!({"kind": "last_name", "op": "not_contains", "value": "smith"}),
            3,
        ),
        (
            json!({"kind": "status", "op": "is", "values": ["bounced"]}),
            1,
        ),
        (
            json!({"kind": "status", "op": "is_not", "values": ["bounced", "blocked"]}),
            4,
        ),
        (json!({"kind": "source", "op": "is", "value": "manual"}), 5),
        (
            json!({"kind": "created_at", "op": "in_last_days", "days": 30}),
            2,
        ),
        (
            json!({"kind": "created_at", "op": "not_in_last_days", "days": 30}),
            3,
        ),
        (json!({"kind": "tag", "op": "has", "tag_id": vip}), 3),
        (json!({"kind": "tag", "op": "has_not", "tag_id": news}), 3),
        (f("score", "greater_than", json!(9.5)), 2),
        (f("score", "at_least", json!("9,5")), 3),
        (f("score", "less_than", json!(0)), 1),
        (
            json!({"kind": "field", "key": "score", "op": "between", "value": 5, "value2": 50}),
            3,
        ),
        (f("joined", "before", json!("2024-01-15")), 1),
        (f("joined", "after", json!("2024-01-15")), 2),
        (f("joined", "on", json!("29.02.2024")), 1),
        (
            json!({"kind": "field", "key": "joined", "op": "between", "value": "2024-01-01", "value2": "2024-03-01"}),
            2,
        ),
        (
            json!({"kind": "field", "key": "joined", "op": "is_empty"}),
            1,
        ),
        (
            json!({"kind": "field", "key": "member", "op": "is_true"}),
            3,
        ),
        (
            json!({"kind": "field", "key": "member", "op": "is_false"}),
            2,
        ),
        (f("plan", "equals", json!("pro")), 2),
        (f("plan", "not_equals", json!("Pro")), 3),
        (f("company", "contains", json!("ACME")), 2),
        (f("company", "starts_with", json!("glo")), 1),
        (
            json!({"kind": "field", "key": "company", "op": "is_set"}),
            4,
        ),
        (
            json!({"kind": "group", "match": "any", "rules": [
                {"kind": "tag", "op": "has", "tag_id": news},
                {"kind": "group", "match": "all", "rules": [
                    {"kind": "email", "op": "ends_with", "value": "initech.com"},
                    {"kind": "field", "key": "member", "op": "is_true"}
                ]}
            ]}),
            3,
        ),
    ];
    for (rule, expected) in cases {
        assert_eq!(count(&conn, rule.clone()), expected, "{rule}");
    }
}

#[test]
fn saved_segments_filter_the_list_and_resolve_to_ids() {
    let (_d, conn, vip, _) = seeded();
    let s = segments::create(
        &conn,
        SegmentInput {
            name: "VIPs".into(),
            rules: rules(json!({"kind": "tag", "op": "has", "tag_id": vip})),
        },
    )
    .unwrap();
    assert_eq!(segments::resolve(&conn, &s.rules).unwrap(), [1, 2, 5]);
    let page = contacts::list(
        &conn,
        &ContactQuery {
            segment_id: Some(s.id),
            search: Some("acme".into()),
            ..ContactQuery::default()
        },
    )
    .unwrap();
    assert_eq!(page.total, 2);
    let copy = segments::duplicate(&conn, s.id, None).unwrap();
    assert_eq!(copy.name, "VIPs (copy)");
    assert_eq!(
        segments::duplicate(&conn, s.id, None).unwrap().name,
        "VIPs (copy 2)"
    );
    assert!(
        segments::rename(&conn, copy.id, "vips").is_err(),
        "names are unique without regard to case"
    );
    segments::update_rules(&conn, copy.id, &Rule::everyone()).unwrap();
    assert_eq!(
        segments::count(&conn, &segments::get(&conn, copy.id).unwrap().rules).unwrap(),
        5
    );
    segments::delete(&conn, copy.id).unwrap();
    assert_eq!(segments::list(&conn).unwrap().len(), 2);
}

#[test]
fn event_conditions_name_an_existing_campaign() {
    let (_d, conn, _, _) = seeded();
    let err = segments::count(&conn, &rules(json!({"kind": "group", "match": "all", "rules": [{"kind": "event", "event": "opened", "campaign_id": 3}]}))).unwrap_err();
    assert_eq!(err.code(), "validation");
    assert!(err.to_string().contains("no longer exists"));
    // Nobody has received a campaign yet.
    let any = rules(json!({"kind": "event", "event": "received", "days": 30}));
    assert_eq!(segments::count(&conn, &any).unwrap(), 0);
}

#[test]
fn values_keys_tags_operators_and_nesting_cannot_inject_sql() {
    let (_d, conn, _, _) = seeded();
    let hostile = [
        "'; DROP TABLE contacts; --",
        "\" OR 1=1 --",
        "%",
        "_",
        "x') OR ('1'='1",
        "ATTACH DATABASE '/tmp/x.db' AS x",
        "\0",
    ];
    for value in hostile {
        for rule in [
            json!({"kind": "email", "op": "contains", "value": value}),
            json!({"kind": "first_name", "op": "equals", "value": value}),
            json!({"kind": "field", "key": "company", "op": "contains", "value": value}),
            json!({"kind": "field", "key": "plan", "op": "equals", "value": "Pro", "value2": value}),
        ] {
            let rules = rules(rule.clone());
            let sql = segments::compiled_sql(&conn, &rules).unwrap();
            assert!(
                value.len() < 3 || !sql.contains(value),
                "{value} reached the SQL: {sql}"
            );
            assert!(segments::count(&conn, &rules).unwrap() <= 2, "{rule}");
        }
        // A field key is looked up, never spliced.
        let err = segments::count(
            &conn,
            &self::rules(json!({"kind": "field", "key": value, "op": "is_set"})),
        )
        .unwrap_err();
        assert_eq!(err.fields()[0].field, "rules");
        // A tag name cannot even be expressed: tags are ids.
        assert!(serde_json::from_value::<Rule>(
            json!({"kind": "tag", "op": "has", "tag_id": value})
        )
        .is_err());
        // Operators and kinds are closed sets.
        assert!(serde_json::from_value::<Rule>(
            json!({"kind": "email", "op": value, "value": "x"})
        )
        .is_err());
        assert!(serde_json::from_value::<Rule>(json!({"kind": value})).is_err());
    }
    // A tag whose name is SQL is just a name.
    let t = tags::create(
        &conn,
        TagInput {
            name: "x'); DROP TABLE tags; --".into(),
            colour: None,
        },
    )
    .unwrap();
    assert_eq!(
        count(
            &conn,
            json!({"kind": "tag", "op": "has_not", "tag_id": t.id})
        ),
        5
    );
    assert!(segments::count(
        &conn,
        &rules(json!({"kind": "tag", "op": "has", "tag_id": 999}))
    )
    .is_err());
    // An operator that does not fit the field's type is refused, not guessed.
    assert!(segments::count(
        &conn,
        &rules(json!({"kind": "field", "key": "member", "op": "contains", "value": "x"}))
    )
    .is_err());

    // Nesting: the depth limit gives a clear error; absurd JSON nesting is refused by the parser.
    let mut deep = json!({"kind": "email", "op": "is_set"});
    for _ in 0..20 {
        deep = json!({"kind": "group", "match": "all", "rules": [deep]});
    }
    let err = segments::count(&conn, &rules(deep)).unwrap_err();
    assert!(err.to_string().contains("nested"), "{err}");
    let absurd = format!(
        "{}{}",
        r#"{"kind":"group","match":"all","rules":["#.repeat(10_000),
        "]}".repeat(10_000)
    );
    assert!(segments::parse_rules(&absurd).is_err());
    let many = json!({"kind": "group", "match": "any", "rules": vec![json!({"kind": "email", "op": "is_set"}); 500]});
    assert!(segments::count(&conn, &rules(many)).is_err());

    // Everything is still there.
    assert_eq!(contacts::count(&conn, &ContactQuery::default()).unwrap(), 5);
    assert_eq!(tags::list(&conn).unwrap().len(), 3);
}

#[test]
fn no_rule_reaches_another_workspace() {
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path());
    let mut acme = home.create("Acme").unwrap();
    let mut beta = home.create("Beta").unwrap();
    fields::create(
        acme.conn(),
        FieldInput {
            key: "secret".into(),
            label: "Secret".into(),
            field_type: FieldType::Text,
            options: vec![],
            required: false,
        },
    )
    .unwrap();
    let mut input = ContactInput {
        email: "ceo@acme.com".into(),
        ..ContactInput::default()
    };
    input
        .values
        .insert("secret".into(), Some(FieldValue::Text("merger".into())));
    contacts::create(acme.conn_mut(), input, ContactSource::Manual).unwrap();
    contacts::create(
        beta.conn_mut(),
        ContactInput {
            email: "someone@beta.com".into(),
            ..ContactInput::default()
        },
        ContactSource::Manual,
    )
    .unwrap();

    let everyone = Rule::everyone();
    assert_eq!(segments::resolve(beta.conn(), &everyone).unwrap().len(), 1);
    // Acme's field does not exist in Beta: the rule is refused rather than looked up elsewhere.
    let secret =
        rules(json!({"kind": "field", "key": "secret", "op": "contains", "value": "merger"}));
    assert_eq!(segments::count(acme.conn(), &secret).unwrap(), 1);
    assert!(segments::count(beta.conn(), &secret).is_err());
    // Values that name the other database file stay values.
    let path = acme.db_path().display().to_string();
    for value in [
        format!("' || (SELECT count(*) FROM '{path}'.contacts) || '"),
        format!("ATTACH '{path}' AS a"),
    ] {
        let r = rules(json!({"kind": "email", "op": "contains", "value": value}));
        assert_eq!(segments::count(beta.conn(), &r).unwrap(), 0);
    }
    assert!(beta
        .conn()
        .execute(&format!("ATTACH DATABASE '{path}' AS other"), [])
        .is_err());
}
