//! Events end to end without the GUI: a campaign sent through the real SES v2 SDK to the
//! `aws-ses-v2-local` emulator, SES-format events for those message ids signed as SNS
//! notifications and posted to a real Herald Relay (in process, on a loopback port), a
//! one-click unsubscribe on the relay, then the app's poller: every number exact, contacts
//! and suppressions updated, and a second poll changes nothing.

use std::sync::Arc;
use std::time::Duration;

use herald_core::analytics::{self, Engagement, WarningKind};
use herald_core::campaigns::{self, Campaign, CampaignStatus, NewCampaign, NewRecipient};
use herald_core::contacts::{self, ContactInput, ContactSource, ContactStatus};
use herald_core::credentials::{AwsKeyPair, ResolvedCredentials};
use herald_core::db::{self, OpenMode};
use herald_core::events::poll::{self, RelayClient};
use herald_core::events::BounceGuard;
use herald_core::sending::{
    run_campaign, EngineConfig, Mailbox, Recipient, RecipientRenderer, RenderedMessage, RunControl,
    SendProgress, SesMessenger, UnsubscribeLinks,
};
use herald_core::ses::SesConnection;
use herald_core::workspaces::Home;
use herald_relay::{config::Config, store, Relay};
use herald_test_support::sns::{ses::Mail, topic_arn, SnsMessage, SnsTestServer};
use herald_test_support::{fake_access_key_id, SesEmulator};

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

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

async fn post(http: &reqwest::Client, url: &str, message: &SnsMessage) -> u16 {
    let mut request = http.post(format!("{url}/sns")).body(message.body());
    for (name, value) in message.headers() {
        request = request.header(name, value);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the aws-ses-v2-local emulator (scripts/setup.sh installs it)"]
async fn a_sent_campaign_s_events_come_back_through_the_relay_exactly() {
    // The workspace, six contacts and a campaign to them, sent to the emulator.
    let dir = tempfile::tempdir().unwrap();
    let workspace = Home::at(dir.path()).create("Acme").unwrap();
    let ws_id = workspace.id().to_owned();
    let db_path = workspace.dir().join("herald.db");
    drop(workspace);
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
    let messenger = SesMessenger::connect(
        &SesConnection {
            region: Some("eu-west-1".into()),
            endpoint: Some(emulator.endpoint.clone()),
            credentials: ResolvedCredentials::Keys(AwsKeyPair {
                access_key_id: fake_access_key_id("EVENTS"),
                secret_access_key: "test-secret-not-real".into(),
            }),
        },
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    let links = UnsubscribeLinks::new(KEY.to_vec(), &ws_id, "https://relay.example.com", None);
    let mut config = EngineConfig::new(
        &ws_id,
        links.clone(),
        Mailbox {
            name: None,
            address: "news@acme.example".into(),
        },
    );
    config.configuration_set = Some("herald-events".into());
    let report = run_campaign(
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
    assert_eq!(report.status, CampaignStatus::Sent);
    let sent = campaigns::recipients(&conn, campaign.id, None).unwrap();
    assert_eq!(sent.len(), 6);

    // The relay, with this workspace registered as IT and the app would do it.
    let relay_dir = tempfile::tempdir().unwrap();
    let mut relay_config = Config {
        database: relay_dir.path().join("relay.db"),
        public_url: "https://relay.example.com".into(),
        ..Config::default()
    };
    relay_config.testing.allow_loopback_certificates = true;
    relay_config.validate().unwrap();
    let database = relay_config.database.clone();
    let relay = Relay::open(relay_config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let relay_url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(herald_relay::serve(relay, listener, async {
        let _ = stopped.await;
    }));
    let token = store::add_workspace(&store::open(&database).unwrap(), "acme").unwrap();
    let client = RelayClient::new(&relay_url, &token).unwrap();
    let topic = topic_arn("herald-acme");
    client.put_topics(vec![topic.clone()]).await.unwrap();
    client.put_unsubscribe_key(&ws_id, KEY).await.unwrap();

    // What SES would publish for these messages.
    let sns = SnsTestServer::start();
    let http = reqwest::Client::new();
    let mail = |i: usize| {
        let r = &sent[i];
        Mail::new(r.ses_message_id.as_deref().unwrap(), &r.email)
            .sent_at("2026-11-27T10:00:00.000Z")
            .tag("herald_workspace", &ws_id)
            .tag("herald_campaign", &campaign.id.to_string())
            .tag("herald_recipient", &r.id.to_string())
    };
    const HUMAN: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15";
    let offer = "https://acme.example/offer";
    let mut events = Vec::new();
    for i in [0, 1, 2, 3, 5] {
        events.push(mail(i).delivery("2026-11-27T10:00:02.000Z"));
    }
    events.push(mail(4).bounce("2026-11-27T10:00:03.000Z", "Permanent", "General"));
    events.push(mail(5).bounce("2026-11-27T10:00:03.000Z", "Transient", "MailboxFull"));
    events.push(mail(3).complaint("2026-11-27T12:00:00.000Z"));
    // reader0 opens twice and clicks; reader1's Apple Mail prefetches; reader2 opens once.
    events.push(mail(0).open("2026-11-27T10:30:00.000Z", HUMAN, "192.0.2.10"));
    events.push(mail(0).open("2026-11-27T15:00:00.000Z", HUMAN, "192.0.2.10"));
    events.push(mail(1).open("2026-11-27T10:00:40.000Z", "Mozilla/5.0", "17.253.1.1"));
    events.push(mail(2).open("2026-11-27T11:00:00.000Z", HUMAN, "192.0.2.12"));
    events.push(mail(0).click("2026-11-27T10:31:00.000Z", offer, HUMAN, "192.0.2.10"));
    // A link scanner right after sending.
    events.push(mail(2).click("2026-11-27T10:00:05.000Z", offer, HUMAN, "198.51.100.7"));
    let mut first = None;
    for event in &events {
        let message = sns.notification(&topic, event);
        assert_eq!(post(&http, &relay_url, &message).await, 200);
        first.get_or_insert(message);
    }
    // SNS retries a notification with the same MessageId: stored once.
    assert_eq!(post(&http, &relay_url, first.as_ref().unwrap()).await, 200);

    // reader2 unsubscribes with one click from the List-Unsubscribe header.
    let unsubscribe = http
        .post(format!(
            "{relay_url}/u/{}",
            links.token(campaign.id, &emails[2])
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(unsubscribe.status().as_u16(), 200);

    // One poll brings it all in.
    let report = poll::poll(&mut conn, &ws_id, &client, BounceGuard::default())
        .await
        .unwrap();
    assert_eq!(report.received, 15, "{report:?}");
    assert_eq!(report.ingest.stored, 15);
    assert_eq!(report.ingest.suppressed, 2);
    assert_eq!(report.ingest.contacts_changed, 3);

    let a = analytics::campaign(&conn, campaign.id).unwrap();
    assert_eq!((a.recipients, a.sent, a.delivered), (6, 6, 5));
    assert_eq!((a.hard_bounces, a.soft_bounces, a.complaints), (1, 1, 1));
    assert_eq!(
        a.opens,
        Engagement {
            unique: 3,
            total: 4,
            human_unique: 2,
            human_total: 3
        }
    );
    assert_eq!(
        a.clicks,
        Engagement {
            unique: 2,
            total: 2,
            human_unique: 1,
            human_total: 1
        }
    );
    assert_eq!(a.unsubscribes, 1);
    assert_eq!(a.rates.delivery, Some(5.0 / 6.0));
    assert_eq!(a.rates.open, Some(3.0 / 5.0));
    assert_eq!(a.rates.human_open, Some(2.0 / 5.0));
    assert_eq!(a.rates.click, Some(2.0 / 5.0));
    assert_eq!(a.rates.click_to_open, Some(2.0 / 3.0));
    assert_eq!(a.rates.bounce, Some(1.0 / 6.0));
    assert_eq!(a.rates.complaint, Some(1.0 / 6.0));
    assert_eq!(a.rates.unsubscribe, Some(1.0 / 5.0));
    let warnings: Vec<WarningKind> = a.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(
        warnings,
        [WarningKind::BounceRate, WarningKind::ComplaintRate]
    );
    assert_eq!(a.links.len(), 1);
    assert_eq!(a.links[0].url, offer);

    let status = |i: usize| {
        contacts::find_by_email(&conn, &emails[i])
            .unwrap()
            .unwrap()
            .status
    };
    assert_eq!(status(4), ContactStatus::Bounced);
    assert_eq!(status(3), ContactStatus::Complained);
    assert_eq!(status(2), ContactStatus::Unsubscribed);
    assert_eq!(
        status(5),
        ContactStatus::Subscribed,
        "a soft bounce only counts"
    );

    // Polling again finds nothing new and changes nothing.
    let again = poll::poll(&mut conn, &ws_id, &client, BounceGuard::default())
        .await
        .unwrap();
    assert_eq!(again.ingest.stored, 0);
    assert_eq!(analytics::campaign(&conn, campaign.id).unwrap(), a);
    assert_eq!(poll::state(&conn).unwrap().events_total, 15);

    let _ = stop.send(());
    let _ = server.await;
}
