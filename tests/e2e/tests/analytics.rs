//! Events and analytics in the real app: a campaign sent (through core) to the
//! `aws-ses-v2-local` emulator, SES-format events for its message ids signed as SNS
//! notifications and posted to a real Herald Relay running in this test, a one-click
//! unsubscribe on the relay; then in the app: Settings → Event tracking → Poll now, and the
//! campaign's analytics page with every number, the warnings and both charts. The CLI reads
//! the same numbers from the same workspace afterwards.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::OffsetDateTime;

use herald_core::campaigns::{self, Campaign, NewCampaign, NewRecipient};
use herald_core::contacts::{self, ContactInput, ContactSource, ContactStatus};
use herald_core::credentials::{AwsKeyPair, ResolvedCredentials};
use herald_core::db::{self, OpenMode};
use herald_core::events::poll::{self, RelayClient};
use herald_core::secrets::{OsKeychain, SecretStore};
use herald_core::sending::{
    run_campaign, EngineConfig, Mailbox, Recipient, RecipientRenderer, RenderedMessage, RunControl,
    SendProgress, SesMessenger, UnsubscribeLinks,
};
use herald_core::ses::SesConnection;
use herald_core::settings;
use herald_core::workspaces::Home;
use herald_e2e::{app_binary, app_env, Driver};
use herald_test_support::sns::{ses::Mail, topic_arn, SnsTestServer};
use herald_test_support::{fake_access_key_id, SesEmulator};

mod common;
use common::TestRelay;

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
const HUMAN: &str =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15";

struct Plain;

impl RecipientRenderer for Plain {
    fn render(
        &self,
        campaign: &Campaign,
        _recipient: &Recipient,
        unsubscribe_url: &str,
    ) -> Result<RenderedMessage, String> {
        Ok(RenderedMessage {
            subject: campaign.subject.clone(),
            html: format!("<p>Hello</p><a ses:no-track href=\"{unsubscribe_url}\">Unsubscribe</a>"),
            text: format!("Hello\n\nUnsubscribe: {unsubscribe_url}"),
        })
    }
}

#[test]
#[ignore = "needs a display, the keychain, the SES emulator and the built app: run scripts/test.sh"]
fn a_sent_campaign_s_analytics_in_the_app_and_the_cli() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let workspace = Home::at(home.path()).create("Acme").unwrap();
    let ws_id = workspace.id().to_owned();
    let db_path = workspace.dir().join("herald.db");
    drop(workspace);

    // Six contacts and a campaign to them, sent to the emulator.
    let mut conn = db::open(&db_path, OpenMode::Existing).unwrap();
    let emails: Vec<String> = (0..6).map(|i| format!("reader{i}@example.com")).collect();
    let mut recipients = Vec::new();
    for email in &emails {
        let c = contacts::create(
            &mut conn,
            ContactInput {
                email: email.clone(),
                first_name: String::new(),
                last_name: String::new(),
                status: None,
                tag_ids: None,
                values: Default::default(),
            },
            ContactSource::Manual,
        )
        .unwrap();
        recipients.push(NewRecipient {
            contact_id: Some(c.id),
            email: email.clone(),
            variables: None,
        });
    }
    let campaign = campaigns::create(
        &conn,
        &NewCampaign {
            name: "Autumn news".into(),
            subject: "Autumn news".into(),
            from_address: Some("news@acme.example".into()),
            ..NewCampaign::default()
        },
    )
    .unwrap();
    campaigns::snapshot_recipients(&mut conn, campaign.id, recipients).unwrap();
    let emulator = SesEmulator::start();
    let links = UnsubscribeLinks::new(KEY.to_vec(), &ws_id, "https://relay.example.com", None);
    rt.block_on(async {
        let messenger = SesMessenger::connect(
            &SesConnection {
                region: Some("eu-west-1".into()),
                endpoint: Some(emulator.endpoint.clone()),
                credentials: ResolvedCredentials::Keys(AwsKeyPair {
                    access_key_id: fake_access_key_id("E2EANALYTICS"),
                    secret_access_key: "test-secret-not-real".into(),
                }),
            },
            Duration::from_secs(10),
        )
        .await
        .unwrap();
        let mut config = EngineConfig::new(
            &ws_id,
            links.clone(),
            Mailbox {
                name: None,
                address: "news@acme.example".into(),
            },
        );
        config.configuration_set = Some("herald-events".into());
        run_campaign(
            &db_path,
            campaign.id,
            Arc::new(messenger),
            &Plain,
            &config,
            &|_: &SendProgress| {},
            &RunControl::new(),
        )
        .await
        .unwrap();
    });
    let sent = campaigns::recipients(&conn, campaign.id, None).unwrap();
    assert_eq!(sent.len(), 6);

    // The relay, this workspace registered on it, and the app pointed at it.
    let relay = TestRelay::start(&rt, true);
    let (relay_url, token) = (relay.url.clone(), relay.token.clone());
    let client = RelayClient::new(&relay_url, &token).unwrap();
    let topic = topic_arn("herald-acme");
    rt.block_on(client.put_topics(vec![topic.clone()])).unwrap();
    rt.block_on(client.put_unsubscribe_key(&ws_id, KEY))
        .unwrap();
    let mut s = settings::load_stored(&conn).unwrap();
    s.relay_url = Some(relay_url.clone());
    settings::save(&mut conn, s).unwrap();
    poll::set_token(&OsKeychain, &ws_id, &token).unwrap();

    // What SES would publish, at times counted from when sending started (so the activity
    // chart shows them in their hours).
    let started = OffsetDateTime::parse(
        campaigns::get(&conn, campaign.id)
            .unwrap()
            .started_at
            .as_deref()
            .expect("the campaign has started"),
        &Rfc3339,
    )
    .unwrap()
    .replace_nanosecond(0)
    .unwrap();
    let at = |seconds: i64| {
        (started + time::Duration::seconds(seconds))
            .format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].000Z"
            ))
            .unwrap()
    };
    let sns = SnsTestServer::start();
    let mail = |i: usize| {
        let r = &sent[i];
        Mail::new(r.ses_message_id.as_deref().unwrap(), &r.email)
            .sent_at(&at(0))
            .tag("herald_workspace", &ws_id)
            .tag("herald_campaign", &campaign.id.to_string())
            .tag("herald_recipient", &r.id.to_string())
    };
    let offer = "https://acme.example/offer";
    let mut events = Vec::new();
    for i in [0, 1, 2, 3, 5] {
        events.push(mail(i).delivery(&at(2)));
    }
    events.push(mail(4).bounce(&at(3), "Permanent", "General"));
    events.push(mail(5).bounce(&at(3), "Transient", "MailboxFull"));
    events.push(mail(3).complaint(&at(2 * 3600)));
    events.push(mail(0).open(&at(30 * 60), HUMAN, "192.0.2.10"));
    events.push(mail(0).open(&at(5 * 3600), HUMAN, "192.0.2.10"));
    events.push(mail(1).open(&at(40), "Mozilla/5.0", "17.253.1.1"));
    events.push(mail(2).open(&at(3600), HUMAN, "192.0.2.12"));
    events.push(mail(0).click(&at(31 * 60), offer, HUMAN, "192.0.2.10"));
    events.push(mail(2).click(&at(5), offer, HUMAN, "198.51.100.7"));
    for event in &events {
        let (status, body) = sns
            .notification(&topic, event)
            .post_blocking(&format!("{relay_url}/sns"));
        assert_eq!(status, 200, "{body}");
    }
    let unsubscribe = reqwest::blocking::Client::new()
        .post(format!(
            "{relay_url}/u/{}",
            links.token(campaign.id, &emails[2])
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .unwrap();
    assert_eq!(unsubscribe.status().as_u16(), 200);
    drop(conn);

    // The app: poll from Settings, then the campaign's analytics page.
    let driver = Driver::start(&app_env(home.path(), None));
    let app = driver.launch(&app_binary());
    app.wait_text("workspace-switcher", "Acme");
    app.click("nav-settings");
    app.wait_text("events-token", "stored in the keychain");
    app.click("events-poll");
    let result = app.wait_text("events-poll-result", "received");
    assert!(
        result.contains("15 events received, 15 new, 3 contacts changed status"),
        "{result}"
    );
    app.wait_text("events-total", "15");
    app.screenshot("analytics-01-settings-polled");

    app.click("nav-analytics");
    app.click(&format!("analytics-campaign-{}", campaign.id));
    app.wait_text("metric-delivered-value", "5");
    let expect = [
        ("metric-recipients-value", "6"),
        ("metric-sent-value", "6"),
        ("metric-delivered-value", "5"),
        ("metric-delivered-rate", "83.3%"),
        ("metric-opens-value", "3"),
        ("metric-opens-rate", "60.0%"),
        ("metric-opens-human", "2 human · 40.0%"),
        ("metric-clicks-value", "2"),
        ("metric-clicks-rate", "40.0%"),
        ("metric-clicks-human", "1 human · 20.0%"),
        ("metric-click_to_open-value", "66.7%"),
        ("metric-click_to_open-human", "human 50.0%"),
        ("metric-hard_bounces-value", "1"),
        ("metric-hard_bounces-rate", "16.7%"),
        ("metric-soft_bounces-value", "1"),
        ("metric-complaints-value", "1"),
        ("metric-complaints-rate", "16.7%"),
        ("metric-unsubscribes-value", "1"),
        ("metric-unsubscribes-rate", "20.0%"),
    ];
    for (testid, value) in expect {
        assert_eq!(app.text(testid).trim(), value, "{testid}");
    }
    assert!(app.exists("analytics-warning-bounce_rate"));
    assert!(app.exists("analytics-warning-complaint_rate"));
    assert!(app.text("analytics-links").contains(offer));
    // Both charts are there, drawn by plotters.
    let activity = app.execute(
        "return document.querySelector('[data-testid=chart-activity] svg')?.outerHTML ?? ''",
        serde_json::json!([]),
    );
    let activity = activity.as_str().unwrap();
    assert!(activity.contains("Opens and clicks since sending"));
    // Every series with activity is drawn (here all of it falls in the first hours, where a
    // line alone would not show): a dot per non-empty bucket of opens, human opens, clicks
    // and human clicks, besides the legend's four markers.
    assert!(
        activity.matches("<circle").count() >= 4 + 4,
        "the activity chart shows its data: {activity}"
    );
    let trend = app.execute(
        "return document.querySelector('[data-testid=chart-trend] svg')?.outerHTML ?? ''",
        serde_json::json!([]),
    );
    assert!(trend
        .as_str()
        .unwrap()
        .contains("Autumn news: open 60.0%, click 40.0%"));
    app.screenshot("analytics-02-campaign");
    app.execute(
        "document.querySelector('[data-testid=chart-activity]').scrollIntoView({block: 'start'})",
        serde_json::json!([]),
    );
    std::thread::sleep(Duration::from_millis(300));
    app.screenshot("analytics-03-charts");

    // A contact's page lists the campaign with what they did with it.
    app.click("nav-contacts");
    app.fill("contacts-search", "reader0");
    app.wait_text("contact-link", "reader0");
    app.click("contact-link");
    let row = format!("contact-history-{}", campaign.id);
    app.wait_text(&row, "Autumn news");
    assert_eq!(app.text("contact-history-outcome"), "Delivered");
    let opens = app.text("contact-history-opens");
    assert!(opens.starts_with("2 · last "), "{opens}");
    let clicks = app.text("contact-history-clicks");
    assert!(clicks.starts_with("1 · last "), "{clicks}");
    app.screenshot("analytics-04-contact-history");
    // The one who bounced.
    app.click("nav-contacts");
    app.fill("contacts-search", "reader4");
    app.wait_text("contact-link", "reader4");
    app.click("contact-link");
    app.wait_text("contact-history-outcome", "Bounced");
    assert_eq!(app.text("contact-history-opens"), "—");
    app.quit();

    // Contacts changed with the events.
    let conn = db::open(&db_path, OpenMode::Existing).unwrap();
    let status = |i: usize| {
        contacts::find_by_email(&conn, &emails[i])
            .unwrap()
            .unwrap()
            .status
    };
    assert_eq!(status(4), ContactStatus::Bounced);
    assert_eq!(status(3), ContactStatus::Complained);
    assert_eq!(status(2), ContactStatus::Unsubscribed);

    // The CLI reads the same numbers.
    let cli = app_binary().with_file_name("herald");
    let out = std::process::Command::new(&cli)
        .args([
            "--json",
            "-w",
            "Acme",
            "analytics",
            "campaign",
            "Autumn news",
        ])
        .env("HERALD_HOME", home.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["recipients"], 6);
    assert_eq!(json["sent"], 6);
    assert_eq!(json["delivered"], 5);
    assert_eq!(json["hard_bounces"], 1);
    assert_eq!(json["soft_bounces"], 1);
    assert_eq!(json["complaints"], 1);
    assert_eq!(json["unsubscribes"], 1);
    assert_eq!(
        json["opens"],
        serde_json::json!({"unique": 3, "total": 4, "human_unique": 2, "human_total": 3})
    );
    assert_eq!(
        json["clicks"],
        serde_json::json!({"unique": 2, "total": 2, "human_unique": 1, "human_total": 1})
    );
    assert_eq!(json["rates"]["open"], 0.6);
    assert_eq!(json["links"][0]["url"], offer);
    let chart: PathBuf = home.path().join("activity.svg");
    let out = std::process::Command::new(&cli)
        .args(["-w", "Acme", "analytics", "chart", "Autumn news", "--out"])
        .arg(&chart)
        .env("HERALD_HOME", home.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read_to_string(&chart).unwrap().starts_with("<svg"));
    // `contacts show` carries the contact's campaigns too.
    let out = std::process::Command::new(&cli)
        .args(["--json", "-w", "Acme", "contacts", "show", &emails[0]])
        .env("HERALD_HOME", home.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["email"], emails[0]);
    assert_eq!(shown["campaigns"][0]["campaign_name"], "Autumn news");
    assert_eq!(shown["campaigns"][0]["opens"], 2);
    assert_eq!(shown["campaigns"][0]["clicks"], 1);
    assert_eq!(shown["campaigns"][0]["delivered_at"], at(2));

    OsKeychain
        .delete(&ws_id, herald_core::secrets::SecretKind::RelayToken)
        .unwrap();
    relay.stop(&rt);
}
