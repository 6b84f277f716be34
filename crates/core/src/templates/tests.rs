use super::*;
use crate::render::WarningCode;
use crate::workspaces::Home;

fn workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Home::at(dir.path()).create("Acme").unwrap();
    (dir, ws)
}

fn draft(name: &str) -> TemplateDraft {
    TemplateDraft {
        name: name.into(),
        description: "Mine".into(),
        category: "Letters".into(),
        subject: "Hello {{ first_name }}".into(),
        preheader: String::new(),
        format: TemplateFormat::Html,
        source: "<p>Hi {{ contact.first_name | default(value=\"there\") }}</p>".into(),
    }
}

#[test]
fn the_gallery_is_listed_read_only_and_duplicates_are_editable() {
    let (_dir, ws) = workspace();
    let all = list(&ws, &TemplateFilter::default()).unwrap();
    assert!(all.len() >= 8);
    assert!(all.iter().all(|t| t.kind == TemplateKind::AdminProvided));
    let newsletter = find(&ws, "newsletter").unwrap();
    assert_eq!(newsletter.gallery_key.as_deref(), Some("newsletter"));
    assert!(newsletter.variables.contains(&"unsubscribe_url".to_owned()));

    let err = update(&ws, newsletter.id, &draft("x")).unwrap_err();
    assert_eq!(err.code(), "template_read_only");
    assert_eq!(
        delete(&ws, newsletter.id).unwrap_err().code(),
        "template_read_only"
    );

    let copy = duplicate(&ws, newsletter.id, None).unwrap();
    assert_eq!(copy.kind, TemplateKind::UserCreated);
    assert_eq!(copy.name, "Newsletter (copy)");
    assert_eq!(copy.source, newsletter.source);
    assert_eq!(
        duplicate(&ws, newsletter.id, None).unwrap().name,
        "Newsletter (copy 2)"
    );

    // Listing again does not duplicate the gallery.
    let again = list(&ws, &TemplateFilter::default()).unwrap();
    assert_eq!(again.len(), all.len() + 2);
    let mine = list(
        &ws,
        &TemplateFilter {
            kind: Some(TemplateKind::UserCreated),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(mine.len(), 2);
}

#[test]
fn create_update_delete_with_validation() {
    let (_dir, ws) = workspace();
    let t = create(&ws, &draft("  Spring letter ")).unwrap();
    assert_eq!(t.name, "Spring letter");
    assert_eq!(t.variables, ["contact.first_name", "first_name"]);
    let err = create(&ws, &draft("spring LETTER")).unwrap_err();
    assert_eq!(err.fields()[0].field, "name");

    let mut bad = draft("");
    bad.source = " ".into();
    bad.subject = "two\nlines".into();
    let fields: Vec<String> = create(&ws, &bad)
        .unwrap_err()
        .fields()
        .iter()
        .map(|f| f.field.clone())
        .collect();
    assert_eq!(fields, ["name", "subject", "source"]);

    let mut changed = draft("Spring letter");
    changed.subject = "New subject".into();
    let updated = update(&ws, t.id, &changed).unwrap();
    assert_eq!(updated.subject, "New subject");
    assert_eq!(
        find(&ws, &format!("#{}", t.id)).unwrap().subject,
        "New subject"
    );
    let found = list(
        &ws,
        &TemplateFilter {
            search: Some("spring".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(found.len(), 1);

    delete(&ws, t.id).unwrap();
    assert_eq!(get(&ws, t.id).unwrap_err().code(), "template_not_found");
}

#[test]
fn preview_uses_settings_and_the_sample_contact() {
    let (_dir, mut ws) = workspace();
    let mut s = settings::load(ws.conn()).unwrap();
    s.set("from_name", "Acme News").unwrap();
    s.set("postal_address", "1 Main St, Springfield").unwrap();
    settings::save(ws.conn_mut(), s).unwrap();
    let newsletter = find(&ws, "Newsletter").unwrap();
    let p = preview(
        &ws,
        &PreviewRequest {
            content: newsletter.content(),
            contact: None,
        },
    )
    .unwrap();
    assert!(p.error.is_none(), "{:?}", p.error);
    let html = p.message.unwrap().html;
    assert!(html.contains("Hello Alex"));
    assert!(html.contains("1 Main St, Springfield"));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);

    let mut broken = newsletter.content();
    broken.format = TemplateFormat::Html;
    broken.source = "<p>{{ contact.nickname }}</p>".into();
    let p = preview(
        &ws,
        &PreviewRequest {
            content: broken,
            contact: None,
        },
    )
    .unwrap();
    assert_eq!(
        p.error.unwrap().variable.as_deref(),
        Some("contact.nickname")
    );
    assert_eq!(p.warnings[0].code, WarningCode::MissingUnsubscribe);
}

#[test]
fn every_gallery_template_renders_to_complete_email() {
    use crate::render::{render_once, warnings, AssetUrls, Recipient};
    let shared = SharedContext {
        workspace: RenderWorkspace {
            from_name: Some("Acme & Co".into()),
            from_address: Some("news@acme.example".into()),
            reply_to: None,
            postal_address: Some("Acme Ltd, 1 Main Street, Springfield".into()),
        },
        campaign: None,
    };
    assert!(gallery::GALLERY.len() >= 8);
    let mut keys: Vec<&str> = gallery::GALLERY.iter().map(|g| g.key).collect();
    keys.dedup();
    assert_eq!(keys.len(), gallery::GALLERY.len(), "unique keys");
    for g in gallery::GALLERY {
        let content = TemplateContent {
            format: g.format(),
            source: g.source.into(),
            subject: g.subject.into(),
            preheader: g.preheader.into(),
        };
        assert!(
            warnings(&content, &shared.workspace, false).is_empty(),
            "{}: {:?}",
            g.key,
            warnings(&content, &shared.workspace, false)
        );
        for first_name in [Some("Ana"), None] {
            let mut contact = RenderContact::sample();
            contact.first_name = first_name.map(str::to_owned);
            let recipient = Recipient {
                contact,
                unsubscribe_url: "https://relay.example/u/tok123".into(),
                view_in_browser_url: "https://relay.example/v/tok123".into(),
            };
            let m = render_once(&content, &shared, &recipient, &AssetUrls::new())
                .unwrap_or_else(|e| panic!("{}: {e}", g.key));
            let html = m.html.to_ascii_lowercase();
            assert!(html.starts_with("<!doctype html>"), "{}", g.key);
            assert!(html.trim_end().ends_with("</html>"), "{}", g.key);
            assert!(
                html.contains("name=\"color-scheme\""),
                "{}: color-scheme meta",
                g.key
            );
            assert!(
                html.contains("prefers-color-scheme: dark"),
                "{}: dark mode styles",
                g.key
            );
            assert!(html.contains("@media"), "{}: responsive", g.key);
            assert!(
                m.html.contains("href=\"https://relay.example/u/tok123\""),
                "{}: unsubscribe link",
                g.key
            );
            assert!(
                m.html.contains("Acme Ltd, 1 Main Street, Springfield"),
                "{}: postal address",
                g.key
            );
            assert!(
                m.html.contains("Acme &amp; Co") || !g.source.contains("from_name"),
                "{}: escaped sender",
                g.key
            );
            assert!(
                m.text.contains("https://relay.example/u/tok123"),
                "{}: unsubscribe in text",
                g.key
            );
            assert!(
                m.text.contains("Acme Ltd, 1 Main Street, Springfield"),
                "{}: postal address in text",
                g.key
            );
            for leftover in ["{{", "{%", "hrldtk", "&lt;"] {
                assert!(
                    !m.html.contains(leftover) && !m.text.contains(leftover),
                    "{}: {leftover} left over",
                    g.key
                );
            }
            assert!(
                !m.subject.is_empty() && !m.subject.contains("{{"),
                "{}",
                g.key
            );
            assert!(
                html.len() < 100 * 1024,
                "{}: stays under Gmail's clipping size",
                g.key
            );
        }
    }
}

mod preview_as_a_stored_contact {
    use std::collections::BTreeMap;

    use super::*;
    use crate::contacts::{self, ContactInput, ContactSource};
    use crate::fields::{self, FieldInput, FieldType, FieldValue};

    fn field(ws: &Workspace, key: &str, field_type: FieldType) {
        fields::create(
            ws.conn(),
            FieldInput {
                key: key.into(),
                label: key.into(),
                field_type,
                options: Vec::new(),
                required: false,
            },
        )
        .unwrap();
    }

    fn letter(ws: &Workspace) -> Template {
        create(
            ws,
            &TemplateDraft {
                source: concat!(
                    "<p>Hi {{ contact.first_name | default(value=\"there\") }}</p>\n",
                    "<p>Company: {{ contact.company | default(value=\"your team\") }}</p>\n",
                    "<p>Points: {{ contact.points }}</p>\n",
                    "<p>{% if contact.vip %}VIP{% else %}Regular{% endif %} since {{ contact.fields.joined | default(value=\"today\") }}</p>\n",
                    "<p>{{ unsubscribe_url }}</p>"
                )
                .into(),
                subject: "For {{ first_name | default(value=\"you\") }}".into(),
                ..draft("Letter")
            },
        )
        .unwrap()
    }

    #[test]
    fn every_custom_field_is_present_typed_or_null() {
        let (_dir, mut ws) = workspace();
        field(&ws, "company", FieldType::Text);
        field(&ws, "points", FieldType::Number);
        field(&ws, "vip", FieldType::Boolean);
        field(&ws, "joined", FieldType::Date);
        field(&ws, "nickname", FieldType::Text);
        let created = contacts::create(
            ws.conn_mut(),
            ContactInput {
                email: "Zoe@Example.com".into(),
                first_name: "Zoë".into(),
                last_name: "Ng".into(),
                values: BTreeMap::from([
                    ("company".into(), Some(FieldValue::Text("Ng & Co".into()))),
                    ("points".into(), Some(FieldValue::Number(12.0))),
                    ("vip".into(), Some(FieldValue::Boolean(true))),
                    ("joined".into(), Some(FieldValue::Text("2024-03-01".into()))),
                ]),
                ..Default::default()
            },
            ContactSource::Manual,
        )
        .unwrap();

        let contact = render_contact(ws.conn(), created.id).unwrap();
        assert_eq!(contact.email, "Zoe@Example.com");
        assert_eq!(contact.first_name.as_deref(), Some("Zoë"));
        assert_eq!(contact.status, "subscribed");
        assert_eq!(
            serde_json::to_value(&contact.fields).unwrap(),
            serde_json::json!({
                "company": "Ng & Co", "points": 12, "vip": true,
                "joined": "2024-03-01", "nickname": null
            })
        );
        assert_eq!(
            render_contact_by_email(ws.conn(), " zoe@example.COM ").unwrap(),
            contact
        );

        let t = letter(&ws);
        let message = render(&ws, t.id, Some(contact)).unwrap();
        assert_eq!(message.subject, "For Zoë");
        assert!(
            message.html.contains("Company: Ng &amp; Co"),
            "{}",
            message.html
        );
        assert!(message.html.contains("Points: 12<"), "{}", message.html);
        assert!(message.html.contains("VIP since 2024-03-01"));
    }

    #[test]
    fn missing_values_fall_back_and_names_are_escaped() {
        let (_dir, mut ws) = workspace();
        field(&ws, "company", FieldType::Text);
        field(&ws, "points", FieldType::Number);
        field(&ws, "vip", FieldType::Boolean);
        field(&ws, "joined", FieldType::Date);
        let created = contacts::create(
            ws.conn_mut(),
            ContactInput {
                email: "mallory@example.com".into(),
                first_name: "<script>alert('x')</script>".into(),
                values: BTreeMap::from([("points".into(), Some(FieldValue::Number(2.5)))]),
                ..Default::default()
            },
            ContactSource::Manual,
        )
        .unwrap();
        let contact = render_contact(ws.conn(), created.id).unwrap();
        assert_eq!(contact.last_name, None, "a blank name counts as missing");
        assert_eq!(contact.fields["company"], serde_json::Value::Null);
        assert_eq!(contact.fields["points"], serde_json::json!(2.5));

        let t = letter(&ws);
        let message = render(&ws, t.id, Some(contact)).unwrap();
        assert!(
            message.html.contains("Hi &lt;script&gt;"),
            "{}",
            message.html
        );
        assert!(!message.html.contains("<script>"), "{}", message.html);
        assert!(message.html.contains("Company: your team"));
        assert!(message.html.contains("Points: 2.5<"));
        assert!(message.html.contains("Regular since today"));
    }

    #[test]
    fn an_unknown_address_or_id_is_a_clear_error() {
        let (_dir, ws) = workspace();
        let err = render_contact_by_email(ws.conn(), "nobody@example.com").unwrap_err();
        assert_eq!(err.code(), "validation");
        assert!(format!("{err:?}").contains("No contact has the address nobody@example.com"));
        assert_eq!(
            render_contact(ws.conn(), 99).unwrap_err().code(),
            "not_found"
        );
    }
}
