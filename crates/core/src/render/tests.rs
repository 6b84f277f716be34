use super::*;

fn html(source: &str) -> TemplateContent {
    TemplateContent {
        format: TemplateFormat::Html,
        source: source.into(),
        subject: "Hi {{ first_name }}".into(),
        preheader: String::new(),
    }
}

fn mjml(body: &str) -> TemplateContent {
    TemplateContent {
        format: TemplateFormat::Mjml,
        source: format!("<mjml><mj-body><mj-section><mj-column><mj-text>{body}</mj-text></mj-column></mj-section></mj-body></mjml>"),
        subject: "News for {{ contact.first_name | default(value=\"you\") }}".into(),
        preheader: "Inside: {{ first_name }}".into(),
    }
}

fn shared() -> SharedContext {
    SharedContext {
        workspace: RenderWorkspace {
            from_name: Some("Acme".into()),
            postal_address: Some("1 Main St, Springfield".into()),
            ..Default::default()
        },
        campaign: None,
    }
}

fn recipient(first: Option<&str>) -> Recipient {
    let mut contact = RenderContact::sample();
    contact.first_name = first.map(str::to_owned);
    Recipient {
        contact,
        unsubscribe_url: "https://relay.example/u/abc?x=1&y=2".into(),
        view_in_browser_url: "https://relay.example/v/abc".into(),
    }
}

fn render(content: &TemplateContent, r: &Recipient) -> Result<RenderedMessage, TemplateError> {
    render_once(content, &shared(), r, &AssetUrls::new())
}

#[test]
fn variables_aliases_and_fallbacks() {
    let content = html(
        "<p>{{ contact.first_name | default(value=\"there\") }}/{{ first_name }}/{{ email }}/{{ contact.company }}/{{ contact.fields.city }}/{{ workspace.from_name }}</p>",
    );
    let out = render(&content, &recipient(Some("Alex"))).unwrap();
    assert!(
        out.html
            .contains("<p>Alex/Alex/alex.morgan@example.com/Northwind Traders/Lisbon/Acme</p>"),
        "{}",
        out.html
    );
    assert_eq!(out.subject, "Hi Alex");
    let nameless = render(&content, &recipient(Some("  "))).unwrap();
    assert!(
        nameless.html.contains("<p>there//alex.morgan@example.com"),
        "{}",
        nameless.html
    );
}

#[test]
fn values_are_html_escaped_in_html_but_not_in_text() {
    let content =
        html("<p>Hello {{ first_name }}</p><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a>");
    let out = render(&content, &recipient(Some("<b>Tom & \"Jerry\"</b>"))).unwrap();
    assert!(
        out.html
            .contains("Hello &lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;"),
        "{}",
        out.html
    );
    assert!(
        out.html.contains("https://relay.example/u/abc?x=1&amp;y=2"),
        "{}",
        out.html
    );
    assert!(
        out.text.contains("Hello <b>Tom & \"Jerry\"</b>"),
        "{}",
        out.text
    );
    assert!(
        out.text
            .contains("Unsubscribe (https://relay.example/u/abc?x=1&y=2)"),
        "{}",
        out.text
    );
}

#[test]
fn mjml_is_rendered_inlined_and_gets_a_text_part_and_preheader() {
    let content = mjml("Hello {{ contact.first_name | default(value=\"there\") }}, <a href=\"{{ unsubscribe_url }}\">unsubscribe</a>");
    let out = render(&content, &recipient(Some("Alex"))).unwrap();
    assert!(
        out.html.starts_with("<!doctype html>")
            || out.html.to_lowercase().starts_with("<!doctype html>"),
        "{}",
        &out.html[..80]
    );
    assert!(out.html.contains("Hello Alex"));
    assert!(out.html.contains("Inside: Alex"), "preheader in the HTML");
    assert!(out.html.contains("style=\""), "inline styles");
    assert!(
        out.text
            .contains("Hello Alex, unsubscribe (https://relay.example/u/abc?x=1&y=2)"),
        "{}",
        out.text
    );
    assert!(
        !out.text.contains("Inside: Alex"),
        "the preheader is hidden text: {}",
        out.text
    );
    assert_eq!(out.subject, "News for Alex");
}

#[test]
fn compiled_text_matches_converting_each_rendered_html() {
    let content = mjml("{% if contact.first_name %}Dear {{ contact.first_name }}{% else %}Hello{% endif %}, see <a href=\"https://example.com/{{ contact.city }}\">{{ contact.city }}</a>.");
    let compiled = CompiledTemplate::compile(&content, &shared(), &AssetUrls::new()).unwrap();
    assert_eq!(compiled.text_mode, TextMode::Compiled);
    for first in [Some("Alex"), None] {
        let out = compiled.render(&recipient(first)).unwrap();
        let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            words(&out.text),
            words(&text::html_to_text(&out.html)),
            "first name {first:?}"
        );
    }
}

#[test]
fn syntax_errors_name_the_line_and_column() {
    let content = html("<p>one</p>\n<p>two</p>\n<p>{{ first_name | }}</p>");
    let err = render(&content, &recipient(None)).unwrap_err();
    assert_eq!(err.part, TemplatePart::Source);
    assert_eq!(err.line, Some(3), "{err:?}");
    assert!(err.column.is_some());
    assert!(err.message.starts_with("Syntax error"), "{err}");
}

#[test]
fn unknown_variables_name_the_variable_and_line() {
    let content = mjml("Hi\n{{ contact.nickname }}");
    let err = render(&content, &recipient(None)).unwrap_err();
    assert_eq!(err.variable.as_deref(), Some("contact.nickname"), "{err:?}");
    assert_eq!(err.line, Some(2), "{err:?}");
    assert!(err.to_string().contains("default(value="), "{err}");

    let mut subject_error = html("<p>x</p>");
    subject_error.subject = "{{ campaign.name }}".into();
    let err = render(&subject_error, &recipient(None)).unwrap_err();
    assert_eq!(err.part, TemplatePart::Subject, "{err:?}");
}

#[test]
fn file_access_is_refused() {
    for source in [
        "{% include \"/etc/passwd\" %}",
        "line\n{% extends \"base.html\" %}",
        "{% import \"macros.html\" as m %}",
        "<mjml><mj-body><mj-include path=\"./x.mjml\" /></mj-body></mjml>",
    ] {
        let err = render(&html(source), &recipient(None)).unwrap_err();
        assert!(err.message.contains("not allowed"), "{source}: {err}");
        assert!(err.line.is_some());
    }
    let err = render(&html("{{ get_env(name=\"HOME\") }}"), &recipient(None)).unwrap_err();
    assert!(err.message.contains("get_env"), "{err}");
}

#[test]
fn output_size_and_loops_are_bounded() {
    let err = render(
        &html("{% for i in range(end=100000) %}x{% endfor %}"),
        &recipient(None),
    )
    .unwrap_err();
    assert!(err.message.contains("at most 1000"), "{err}");
    let big = "{% for a in range(end=1000) %}{% for b in range(end=1000) %}0123456789{% endfor %}{% endfor %}";
    let err = render(&html(big), &recipient(None)).unwrap_err();
    assert!(err.message.contains("larger than"), "{err}");
}

#[test]
fn unclosed_mjml_tags_are_named() {
    for (source, line, needle) in [
        ("<mjml>\n<mj-body>\n  {{ first_name }} <mj-section><mj-column><mj-text>x</mj-section></mj-column>\n</mj-body></mjml>", 3, "</mj-section> closes <mj-text>"),
        ("<mjml>\n<mj-body>\n  <mj-section><mj-column><mj-text>x</mj-text></mj-column>\n</mj-body></mjml>", 4, "</mj-body> closes <mj-section>, opened on line 3"),
    ] {
        let content = TemplateContent { format: TemplateFormat::Mjml, source: source.into(), subject: String::new(), preheader: String::new() };
        let err = render(&content, &recipient(None)).unwrap_err();
        assert_eq!(err.line, Some(line), "{err:?}");
        assert!(err.message.contains(needle), "{err}");
    }
}

#[test]
fn mjml_errors_point_into_the_source() {
    let content = TemplateContent {
        format: TemplateFormat::Mjml,
        source: "<mjml>\n<mj-body>\n  {{ first_name }} <mj-section><mj-column><mj-text x=\"1>x</mj-text></mj-column></mj-section>\n</mj-body></mjml>".into(),
        subject: String::new(),
        preheader: String::new(),
    };
    let err = render(&content, &recipient(None)).unwrap_err();
    assert!(err.message.contains("MJML"), "{err}");
    assert_eq!(err.line, Some(3), "{err:?}");
}

#[test]
fn warnings_for_unsubscribe_postal_address_and_local_images() {
    let bare = html("<p>Hi</p><img src=\"assets/0000000000000000000000000000000000000000000000000000000000000000.png\">");
    let kinds: Vec<WarningCode> = warnings(&bare, &shared().workspace, false)
        .into_iter()
        .map(|w| w.code)
        .collect();
    assert_eq!(
        kinds,
        [
            WarningCode::MissingUnsubscribe,
            WarningCode::MissingPostalAddress,
            WarningCode::LocalImagesWithoutBucket
        ]
    );
    assert!(warnings(&bare, &shared().workspace, true)
        .iter()
        .all(|w| w.code != WarningCode::LocalImagesWithoutBucket));
    let good = html("<a href=\"{{ unsubscribe_url }}\">u</a> {{ workspace.postal_address }}");
    assert!(warnings(&good, &shared().workspace, false).is_empty());
    let unset = warnings(&good, &RenderWorkspace::default(), false);
    assert_eq!(unset[0].code, WarningCode::PostalAddressNotSet);
}

#[test]
fn asset_references_are_rewritten() {
    let hash = "ab".repeat(32);
    let content = html(&format!("<img src=\"assets/{hash}.png\" alt=\"Logo\">"));
    let urls = AssetUrls::from([(hash.clone(), "https://cdn.example/x.png".to_owned())]);
    let out = render_once(&content, &shared(), &recipient(None), &urls).unwrap();
    assert!(
        out.html.contains("src=\"https://cdn.example/x.png\""),
        "{}",
        out.html
    );
}

#[test]
fn preview_reports_errors_as_data() {
    let p = preview(
        &html("{{ nope }}"),
        &shared(),
        &recipient(None),
        &AssetUrls::new(),
        false,
    );
    assert!(p.message.is_none());
    assert_eq!(p.error.unwrap().variable.as_deref(), Some("nope"));
    assert_eq!(p.warnings.len(), 2);
}

#[test]
fn variables_are_listed() {
    let content = mjml("{{ contact.first_name | default(value=\"x.y\") }} {% if campaign %}{{ campaign.name }}{% endif %} {{ unsubscribe_url }}");
    assert_eq!(
        variables(&content),
        [
            "campaign",
            "campaign.name",
            "contact.first_name",
            "first_name",
            "unsubscribe_url"
        ]
    );
}

#[test]
fn offsets_map_back_through_tokens() {
    let t = Tokenized::new("ab{{ long_variable_name }}cd", TemplateFormat::Html);
    assert_eq!(t.text, "abhrldtk0xcd");
    assert_eq!(t.original_offset(1), 1);
    assert_eq!(t.original_offset(4), 2);
    assert_eq!(t.original_offset(10), 26);
}

#[test]
fn control_tags_between_table_rows_stay_in_place() {
    let content = html(
        "<table><tr><td>Top</td></tr>{% if contact.first_name %}<tr><td>Hi {{ first_name }}</td></tr>{% endif %}<tr><td>Bottom</td></tr></table>\n<a href=\"{{ unsubscribe_url }}\">u</a>",
    );
    let compiled = CompiledTemplate::compile(&content, &shared(), &AssetUrls::new()).unwrap();
    let with = compiled.render(&recipient(Some("Alex"))).unwrap();
    let without = compiled.render(&recipient(None)).unwrap();
    let top = with.html.find("Top").unwrap();
    let hi = with.html.find("Hi Alex").expect("the row is there");
    assert!(
        top < hi && hi < with.html.find("Bottom").unwrap(),
        "{}",
        with.html
    );
    assert!(!without.html.contains("Hi "), "{}", without.html);
    assert!(
        with.text.contains("Hi Alex") && !without.text.contains("Hi "),
        "{} / {}",
        with.text,
        without.text
    );

    let in_cell = html("<table><tr><td>{% if contact.first_name %}Hi {{ first_name }}{% endif %}</td></tr></table>");
    let compiled = CompiledTemplate::compile(&in_cell, &shared(), &AssetUrls::new()).unwrap();
    assert_eq!(compiled.text_mode, TextMode::Compiled);
    assert!(compiled
        .render(&recipient(Some("Alex")))
        .unwrap()
        .text
        .contains("Hi Alex"));
}
