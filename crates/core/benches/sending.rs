//! Sending throughput against the local SES double, end to end: real contacts snapshotted
//! from an audience, a gallery template compiled once by the campaign renderer and filled
//! per recipient (footer, unsubscribe link), signed and sent through the real SES v2 SDK
//! over loopback HTTP, with durable per-recipient state.
//!
//! `cargo bench -p herald-core --bench sending [-- zero-latency|rate-50|latency-200|audience-1m]`
//! (bench/sending.sh runs them). `audience-1m` times the live audience count on a million
//! contacts. Figures go to docs/PERFORMANCE.md; nothing here is a pass/fail test.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_core::campaigns::renderer::CampaignRenderer;
use herald_core::campaigns::{self, audience, Audience, Campaign, NewCampaign};
use herald_core::credentials::{AwsKeyPair, ResolvedCredentials};
use herald_core::db::{self, OpenMode};
use herald_core::policy::Policy;
use herald_core::render::AssetUrls;
use herald_core::sending::{
    run_campaign, EngineConfig, Mailbox, RunControl, SendProgress, SesMessenger, UnsubscribeLinks,
};
use herald_core::ses::SesConnection;
use herald_core::settings::{self, Settings};
use herald_core::suppressions::SuppressionReason;
use herald_core::workspaces::Home;
use herald_test_support::fake_access_key_id;
use herald_test_support::ses_double::SesDouble;

struct Scenario {
    name: &'static str,
    recipients: usize,
    latency: Duration,
    rate: Option<f64>,
}

/// A workspace with `n` subscribed contacts tagged "Readers" (bulk-inserted), a campaign
/// to that tag built on a gallery template, and its audience snapshotted.
fn prepare(dir: &Path, n: usize) -> (std::path::PathBuf, Campaign, Settings) {
    let mut workspace = Home::at(dir).create("Bench").unwrap();
    let path = workspace.dir().join("herald.db");
    let settings = Settings {
        from_address: Some("news@acme.example".into()),
        postal_address: Some("1 Main St, Springfield".into()),
        relay_url: Some("https://relay.example".into()),
        ..Settings::default()
    };
    settings::save_with(workspace.conn_mut(), settings.clone(), &Policy::default()).unwrap();
    drop(workspace);
    let mut conn = db::open(&path, OpenMode::Existing).unwrap();
    let tag = bulk_contacts(&mut conn, n, None);
    herald_core::templates::gallery::sync(&conn).unwrap();
    let template: i64 = conn
        .query_row(
            "SELECT id FROM templates WHERE kind = 'admin_provided' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let campaign = campaigns::create(
        &conn,
        &NewCampaign {
            name: "Bench".into(),
            template_id: Some(template),
            ..NewCampaign::default()
        },
    )
    .unwrap();
    let mut draft = campaign.draft();
    draft.audience.tags = vec![tag];
    let campaign = campaigns::update(&conn, campaign.id, &draft).unwrap();
    let added = audience::snapshot(&mut conn, campaign.id).unwrap();
    assert_eq!(added, n);
    (path, campaign, settings)
}

/// `n` contacts with a first name, tagged "Readers" (every `opt_out_every`th unsubscribed), in one transaction (full-text indexing
/// paused as the import does); returns the tag's id.
fn bulk_contacts(conn: &mut rusqlite::Connection, n: usize, opt_out_every: Option<usize>) -> i64 {
    let tx = conn.transaction().unwrap();
    tx.execute(
        "INSERT INTO tags (name, colour, created_at) VALUES ('Readers', '#336699', '2026-01-01T00:00:00.000Z')",
        [],
    )
    .unwrap();
    let tag = tx.last_insert_rowid();
    tx.execute("INSERT INTO contacts_fts_pause (above) VALUES (0)", [])
        .unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO contacts (email, email_key, first_name, last_name, status, source, created_at, updated_at)
                 VALUES (?1, ?1, ?2, 'Reader', ?3, 'api', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
            )
            .unwrap();
        let mut tag_it = tx
            .prepare("INSERT INTO contact_tags (contact_id, tag_id) VALUES (?1, ?2)")
            .unwrap();
        for i in 0..n {
            // Some have opted out: the audience must leave them out.
            let opted_out = opt_out_every.is_some_and(|every| i % every == every - 1);
            let status = if opted_out {
                "unsubscribed"
            } else {
                "subscribed"
            };
            let email = format!("reader{i:07}@example.com");
            insert
                .execute((&email, format!("Reader {i}"), status))
                .unwrap();
            tag_it.execute((tx.last_insert_rowid(), tag)).unwrap();
        }
    }
    tx.execute("DELETE FROM contacts_fts_pause", []).unwrap();
    tx.commit().unwrap();
    tag
}

async fn run(s: &Scenario) {
    let dir = tempfile::tempdir().unwrap();
    let prepare_start = Instant::now();
    let (db, campaign, settings) = prepare(dir.path(), s.recipients);
    let id = campaign.id;
    let prepare_secs = prepare_start.elapsed().as_secs_f64();
    let compile_start = Instant::now();
    let renderer = CampaignRenderer::new(&campaign, &settings, &AssetUrls::new()).unwrap();
    let compile_ms = compile_start.elapsed().as_secs_f64() * 1000.0;
    let double = SesDouble::start();
    double.script(|script| script.latency = s.latency);
    let connection = SesConnection {
        region: Some("eu-west-1".into()),
        endpoint: Some(double.endpoint.clone()),
        credentials: ResolvedCredentials::Keys(AwsKeyPair {
            access_key_id: fake_access_key_id("BENCH"),
            secret_access_key: "bench-secret-not-real".into(),
        }),
    };
    let messenger = Arc::new(
        SesMessenger::connect(&connection, Duration::from_secs(10))
            .await
            .unwrap(),
    );
    let mut config = EngineConfig::new(
        "bench-workspace",
        UnsubscribeLinks::new(
            vec![7; 32],
            "bench-workspace",
            "https://relay.example",
            Some("u@acme.example"),
        ),
        Mailbox {
            name: Some("Acme".into()),
            address: "news@acme.example".into(),
        },
    );
    config.configuration_set = Some("herald-events".into());
    config.max_rate = s.rate;
    config.progress_interval = Duration::from_secs(1);
    let start = Instant::now();
    let report = run_campaign(
        &db,
        id,
        messenger,
        &renderer,
        &config,
        &|_: &SendProgress| {},
        &RunControl::new(),
    )
    .await
    .unwrap();
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(report.counts.sent as usize, s.recipients, "{report:?}");
    assert_eq!(double.received_count(), s.recipients);
    let first = &double.received()[0];
    assert!(first.html.contains("https://relay.example/u/"));
    println!(
        "{:<14} recipients {:>6}  latency {:>4} ms  rate cap {:>9}  elapsed {:>7.2} s  achieved {:>8.1}/s  (setup {prepare_secs:.1} s, compile {compile_ms:.0} ms, {} KB HTML each)",
        s.name,
        s.recipients,
        s.latency.as_millis(),
        s.rate.map_or("none".to_owned(), |r| format!("{r}/s")),
        elapsed,
        s.recipients as f64 / elapsed,
        first.html.len() / 1024,
    );
}

/// The live count while choosing an audience, on a million contacts.
fn audience_count_1m() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Home::at(dir.path()).create("Million").unwrap();
    let path = ws.db_path();
    drop(ws);
    let mut conn = db::open(&path, OpenMode::Existing).unwrap();
    let start = Instant::now();
    let tag = bulk_contacts(&mut conn, 1_000_000, Some(50));
    println!(
        "audience-1m    setup: 1,000,000 contacts in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    for i in 0..2_000 {
        let email = format!("reader{:07}@example.com", i * 97);
        herald_core::suppressions::add(&conn, &email, SuppressionReason::Manual, None, None)
            .unwrap();
    }
    let segment = herald_core::segments::create(
        &conn,
        herald_core::segments::SegmentInput {
            name: "Ends in 7".into(),
            rules: herald_core::segments::parse_rules(
                r#"{"kind":"group","match":"all","rules":[{"kind":"email","op":"ends_with","value":"7@example.com"}]}"#,
            )
            .unwrap(),
        },
    )
    .unwrap();
    let cases = [
        (
            "tag (1M)",
            Audience {
                tags: vec![tag],
                ..Audience::default()
            },
        ),
        (
            "segment",
            Audience {
                segments: vec![segment.id],
                ..Audience::default()
            },
        ),
        (
            "tag minus segment",
            Audience {
                tags: vec![tag],
                exclude_segments: vec![segment.id],
                ..Audience::default()
            },
        ),
        (
            "500 contacts",
            Audience {
                contacts: (1..=500).map(|i| i * 1_000 + 1).collect(),
                ..Audience::default()
            },
        ),
    ];
    for (name, a) in cases {
        let mut times = Vec::new();
        let mut count = audience::count(&conn, &a).unwrap();
        for _ in 0..5 {
            let t = Instant::now();
            count = audience::count(&conn, &a).unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "audience-1m    {name:<18} recipients {:>7}  left out {:>6}  median {:>6.1} ms  max {:>6.1} ms",
            count.recipients, count.left_out, times[2], times[4]
        );
    }
}

fn main() {
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let scenarios = [
        Scenario {
            name: "zero-latency",
            recipients: 20_000,
            latency: Duration::ZERO,
            rate: None,
        },
        Scenario {
            name: "rate-50",
            // 3,000 at 50/s: 60 seconds.
            recipients: 3_000,
            latency: Duration::ZERO,
            rate: Some(50.0),
        },
        Scenario {
            name: "latency-200",
            recipients: 20_000,
            latency: Duration::from_millis(200),
            rate: Some(1_000.0),
        },
    ];
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for s in &scenarios {
        if wanted.is_empty() || wanted.iter().any(|w| w == s.name) {
            runtime.block_on(run(s));
        }
    }
    if wanted.is_empty() || wanted.iter().any(|w| w == "audience-1m") {
        audience_count_1m();
    }
}
