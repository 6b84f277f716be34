//! Sending-engine throughput against the local SES double, end to end: render, sign and
//! send through the real SES v2 SDK over loopback HTTP, and commit per-recipient state.
//!
//! `cargo bench -p herald-core --bench sending [-- zero-latency|rate-50|latency-200]`
//! (bench/sending.sh runs all three). Figures go to docs/PERFORMANCE.md; nothing here is
//! a pass/fail test.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_core::campaigns::{self, Campaign, NewCampaign, NewRecipient};
use herald_core::credentials::{AwsKeyPair, ResolvedCredentials};
use herald_core::db::{self, OpenMode};
use herald_core::sending::{
    run_campaign, EngineConfig, Mailbox, Recipient, RecipientRenderer, RenderedMessage, RunControl,
    SendProgress, SesMessenger, UnsubscribeLinks,
};
use herald_core::ses::SesConnection;
use herald_core::workspaces::Home;
use herald_test_support::fake_access_key_id;
use herald_test_support::ses_double::SesDouble;

struct Renderer;

impl RecipientRenderer for Renderer {
    fn render(
        &self,
        campaign: &Campaign,
        recipient: &Recipient,
        unsubscribe_url: &str,
    ) -> Result<RenderedMessage, String> {
        let name = recipient
            .variables
            .as_ref()
            .and_then(|v| v["first_name"].as_str())
            .unwrap_or("there");
        Ok(RenderedMessage {
            subject: format!("{} for {name}", campaign.subject),
            html: format!(
                "<html><body><h1>Hello {name}</h1><p>Our spring sale starts today.</p>\
                 <p><a ses:no-track href=\"{unsubscribe_url}\">Unsubscribe</a></p></body></html>"
            ),
            text: format!(
                "Hello {name}\n\nOur spring sale starts today.\n\nUnsubscribe: {unsubscribe_url}"
            ),
        })
    }
}

struct Scenario {
    name: &'static str,
    recipients: usize,
    latency: Duration,
    rate: Option<f64>,
}

fn prepare(dir: &Path, n: usize) -> (std::path::PathBuf, i64) {
    let workspace = Home::at(dir).create("Bench").unwrap();
    let path = workspace.dir().join("herald.db");
    drop(workspace);
    let mut conn = db::open(&path, OpenMode::Existing).unwrap();
    let campaign = campaigns::create(
        &conn,
        &NewCampaign {
            name: "Bench".into(),
            subject: "Spring sale".into(),
            from_address: Some("news@acme.example".into()),
            ..NewCampaign::default()
        },
    )
    .unwrap();
    campaigns::snapshot_recipients(
        &mut conn,
        campaign.id,
        (0..n).map(|i| NewRecipient {
            contact_id: None,
            email: format!("reader{i:06}@example.com"),
            variables: Some(serde_json::json!({ "first_name": format!("Reader {i}") })),
        }),
    )
    .unwrap();
    (path, campaign.id)
}

async fn run(s: &Scenario) {
    let dir = tempfile::tempdir().unwrap();
    let (db, id) = prepare(dir.path(), s.recipients);
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
        &Renderer,
        &config,
        &|_: &SendProgress| {},
        &RunControl::new(),
    )
    .await
    .unwrap();
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(report.counts.sent as usize, s.recipients, "{report:?}");
    assert_eq!(double.received_count(), s.recipients);
    println!(
        "{:<14} recipients {:>6}  latency {:>4} ms  rate cap {:>9}  elapsed {:>7.2} s  achieved {:>8.1}/s",
        s.name,
        s.recipients,
        s.latency.as_millis(),
        s.rate.map_or("none".to_owned(), |r| format!("{r}/s")),
        elapsed,
        s.recipients as f64 / elapsed,
    );
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
}
