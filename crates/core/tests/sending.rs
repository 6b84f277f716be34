//! The sending engine end to end through the real SES v2 SDK: against the fault-injecting
//! SES double (every fault ends in the right recipient and campaign states), against the
//! `aws-ses-v2-local` emulator (1,000 recipients, exactly once), and across a SIGKILL of
//! the sending process.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use herald_core::campaigns::{
    self, Campaign, CampaignStatus, NewCampaign, NewRecipient, PauseKind, RecipientState,
};
use herald_core::credentials::{AwsKeyPair, ResolvedCredentials};
use herald_core::db::{self, OpenMode};
use herald_core::sending::{
    run_campaign, unsubscribe, EngineConfig, Mailbox, Recipient, RecipientRenderer,
    RenderedMessage, RetryPolicy, RunControl, RunReport, SendProgress, SesMessenger,
    UnsubscribeLinks,
};
use herald_core::ses::SesConnection;
use herald_core::workspaces::Home;
use herald_test_support::ses_double::{ScriptedError, SesDouble};
use herald_test_support::{fake_access_key_id, KillOnDrop};

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
const RELAY: &str = "https://relay.acme.example";
const WORKSPACE_ID: &str = "3f1c2d4e-0000-4000-8000-000000000001";

/// Personalises with the snapshot's `first_name`; addresses starting with "broken" cannot
/// be rendered.
struct Greeting;

impl RecipientRenderer for Greeting {
    fn render(
        &self,
        campaign: &Campaign,
        recipient: &Recipient,
        unsubscribe_url: &str,
    ) -> Result<RenderedMessage, String> {
        if recipient.email.starts_with("broken") {
            return Err("the variable first_name has no value".into());
        }
        let name = recipient
            .variables
            .as_ref()
            .and_then(|v| v["first_name"].as_str())
            .unwrap_or("there");
        Ok(RenderedMessage {
            subject: format!("{} for {name}", campaign.subject),
            html: format!(
                "<p>Hi {name}</p><p><a ses:no-track href=\"{unsubscribe_url}\">Unsubscribe</a></p>"
            ),
            text: format!("Hi {name}\n\nUnsubscribe: {unsubscribe_url}"),
        })
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    campaign_id: i64,
}

fn address(i: usize) -> String {
    format!("reader{i:05}@example.com")
}

/// A workspace with a campaign and `n` recipients, plus any `extra` addresses.
fn fixture(n: usize, extra: &[&str]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let workspace = Home::at(dir.path()).create("Acme").unwrap();
    let db = workspace.dir().join("herald.db");
    drop(workspace);
    let campaign_id = prepare_campaign(&db, n, extra);
    Fixture {
        _dir: dir,
        db,
        campaign_id,
    }
}

fn prepare_campaign(db: &Path, n: usize, extra: &[&str]) -> i64 {
    let mut conn = db::open(db, OpenMode::Existing).unwrap();
    let campaign = campaigns::create(
        &conn,
        &NewCampaign {
            name: "Spring sale".into(),
            subject: "Spring sale".into(),
            from_name: Some("Acme News".into()),
            from_address: Some("news@acme.example".into()),
            reply_to: Some("team@acme.example".into()),
            ..NewCampaign::default()
        },
    )
    .unwrap();
    let recipients = (0..n)
        .map(|i| NewRecipient {
            contact_id: None,
            email: address(i),
            variables: Some(serde_json::json!({ "first_name": format!("Reader {i}") })),
        })
        .chain(extra.iter().map(|e| NewRecipient {
            contact_id: None,
            email: (*e).to_owned(),
            variables: None,
        }));
    campaigns::snapshot_recipients(&mut conn, campaign.id, recipients).unwrap();
    campaign.id
}

fn config() -> EngineConfig {
    let mut config = EngineConfig::new(
        WORKSPACE_ID,
        UnsubscribeLinks::new(
            KEY.to_vec(),
            WORKSPACE_ID,
            RELAY,
            Some("unsubscribe@acme.example"),
        ),
        Mailbox {
            name: Some("Acme".into()),
            address: "default@acme.example".into(),
        },
    );
    config.configuration_set = Some("herald-events".into());
    config.retry = RetryPolicy {
        max_attempts: 3,
        max_throttled_attempts: 8,
        base_delay: Duration::from_millis(10),
        throttle_base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    };
    config.progress_interval = Duration::from_millis(20);
    config
}

async fn messenger(endpoint: &str, timeout: Duration) -> Arc<SesMessenger> {
    let connection = SesConnection {
        region: Some("eu-west-1".into()),
        endpoint: Some(endpoint.to_owned()),
        credentials: ResolvedCredentials::Keys(AwsKeyPair {
            access_key_id: fake_access_key_id("SENDING"),
            secret_access_key: "test-secret-not-real".into(),
        }),
    };
    Arc::new(SesMessenger::connect(&connection, timeout).await.unwrap())
}

/// Runs the campaign to its end and returns the report and every progress event.
async fn run(
    f: &Fixture,
    endpoint: &str,
    config: &EngineConfig,
    control: &RunControl,
) -> (RunReport, Vec<SendProgress>) {
    // Generous: on a loaded 2-core machine a short timeout turns slow answers into unknowns.
    let messenger = messenger(endpoint, Duration::from_secs(2)).await;
    let events = Mutex::new(Vec::new());
    let report = run_campaign(
        &f.db,
        f.campaign_id,
        messenger,
        &Greeting,
        config,
        &|p: &SendProgress| events.lock().unwrap().push(p.clone()),
        control,
    )
    .await
    .unwrap();
    (report, events.into_inner().unwrap())
}

fn states(f: &Fixture) -> HashMap<String, (RecipientState, u32, Option<String>)> {
    let conn = db::open(&f.db, OpenMode::Existing).unwrap();
    campaigns::recipients(&conn, f.campaign_id, None)
        .unwrap()
        .into_iter()
        .map(|r| (r.email, (r.state, r.attempts, r.last_error)))
        .collect()
}

fn campaign(f: &Fixture) -> Campaign {
    let conn = db::open(&f.db, OpenMode::Existing).unwrap();
    campaigns::get(&conn, f.campaign_id).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_recipient_gets_one_personalised_message_with_headers_and_tags() {
    let f = fixture(40, &["broken@example.com"]);
    let double = SesDouble::start();
    let (report, events) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;

    assert_eq!(report.status, CampaignStatus::Sent);
    assert_eq!(
        (report.counts.sent, report.counts.failed),
        (40, 1),
        "{report:?}"
    );
    let received = double.received();
    assert_eq!(received.len(), 40);
    let by_address = double.received_by_address();
    assert!((0..40).all(|i| by_address.get(&address(i)) == Some(&1)));

    let conn = db::open(&f.db, OpenMode::Existing).unwrap();
    let rows = campaigns::recipients(&conn, f.campaign_id, None).unwrap();
    let m = received.iter().find(|m| m.to == [address(7)]).unwrap();
    let row = rows.iter().find(|r| r.email == address(7)).unwrap();
    assert_eq!(row.ses_message_id.as_deref(), Some(m.message_id.as_str()));
    assert_eq!(row.attempts, 1);
    assert!(row.sent_at.is_some());
    assert_eq!(m.from, "Acme News <news@acme.example>");
    assert_eq!(m.reply_to, ["team@acme.example"]);
    assert_eq!(m.subject, "Spring sale for Reader 7");
    assert!(m.html.contains("Hi Reader 7"));
    assert!(m.text.contains("Hi Reader 7"));
    assert_eq!(m.configuration_set.as_deref(), Some("herald-events"));
    let token = UnsubscribeLinks::new(KEY.to_vec(), WORKSPACE_ID, RELAY, None)
        .token(f.campaign_id, &address(7));
    assert_eq!(
        m.headers,
        [
            (
                "List-Unsubscribe".to_owned(),
                format!("<{RELAY}/u/{token}>, <mailto:unsubscribe@acme.example?subject=unsubscribe-{token}>")
            ),
            (
                "List-Unsubscribe-Post".to_owned(),
                "List-Unsubscribe=One-Click".to_owned()
            ),
        ]
    );
    assert!(
        m.html.contains(&format!("{RELAY}/u/{token}")),
        "visible link"
    );
    let request = unsubscribe::verify(KEY, &token).unwrap();
    assert_eq!(
        (request.campaign_id, request.email.as_str()),
        (f.campaign_id, address(7).as_str())
    );
    assert_eq!(
        m.tags,
        [
            ("herald_workspace".to_owned(), WORKSPACE_ID.to_owned()),
            ("herald_campaign".to_owned(), f.campaign_id.to_string()),
            ("herald_recipient".to_owned(), row.id.to_string()),
        ]
    );

    let broken = rows
        .iter()
        .find(|r| r.email == "broken@example.com")
        .unwrap();
    assert_eq!(broken.state, RecipientState::Failed);
    assert_eq!(broken.attempts, 0, "never sent");
    assert!(broken
        .last_error
        .as_deref()
        .unwrap()
        .contains("personalised"));

    let last = events.last().unwrap();
    assert_eq!(
        last.status,
        CampaignStatus::Sent,
        "the last event carries the end status"
    );
    assert_eq!(
        (last.sent, last.failed, last.remaining, last.total),
        (40, 1, 0, 41)
    );
    let c = campaign(&f);
    assert!(c.started_at.is_some() && c.finished_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_server_errors_are_retried_until_everyone_is_sent() {
    let f = fixture(30, &[]);
    let double = SesDouble::start();
    double.script(|s| {
        s.throttle_next = 6;
        s.server_error_next = 2;
    });
    let (report, _) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;
    assert_eq!(report.status, CampaignStatus::Sent);
    assert_eq!(report.counts.sent, 30);
    assert_eq!(double.received_count(), 30);
    assert_eq!(
        double.send_requests(),
        38,
        "30 accepted + 6 throttled + 2 server errors"
    );
    let attempts: u32 = states(&f).values().map(|(_, a, _)| a).sum();
    assert_eq!(attempts, 38, "every request is counted on its recipient");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_keeps_failing_pauses_the_campaign_and_nobody_is_failed() {
    let f = fixture(10, &[]);
    let double = SesDouble::start();
    double.script(|s| s.server_error_next = 1_000);
    let (report, _) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;
    assert_eq!(report.status, CampaignStatus::Paused);
    assert_eq!(report.pause_kind, Some(PauseKind::Unreachable));
    assert_eq!(report.counts.pending, 10, "{:?}", report.counts);
    assert_eq!(double.received_count(), 0);

    // SES recovers: resuming sends everyone once.
    double.script(|s| s.server_error_next = 0);
    let (report, _) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;
    assert_eq!(report.status, CampaignStatus::Sent);
    assert_eq!(report.counts.sent, 10);
    assert_eq!(double.received_count(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_after_delivery_is_unknown_and_never_resent_blindly() {
    let f = fixture(12, &[]);
    let double = SesDouble::start();
    double.script(|s| {
        s.hang_next = 1;
        s.hang_for = Duration::from_secs(4);
    });
    let (report, _) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;
    assert_eq!(report.status, CampaignStatus::Sent);
    assert_eq!((report.counts.sent, report.counts.unknown), (11, 1));
    assert_eq!(double.received_count(), 12, "the hung request did arrive");
    let (unknown, _) = states(&f)
        .into_iter()
        .find(|(_, (s, _, _))| *s == RecipientState::Unknown)
        .unwrap();

    // Running again sends nothing more.
    let (report, _) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;
    assert_eq!(report.status, CampaignStatus::Sent);
    assert_eq!(report.counts.unknown, 1);
    assert_eq!(double.received_count(), 12);

    // Only the explicit decision resends it.
    let conn = db::open(&f.db, OpenMode::Existing).unwrap();
    assert_eq!(campaigns::resend_unknown(&conn, f.campaign_id).unwrap(), 1);
    let (report, _) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;
    assert_eq!((report.counts.sent, report.counts.unknown), (12, 0));
    assert_eq!(double.received_by_address()[&unknown], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_addresses_fail_alone() {
    let f = fixture(20, &[]);
    let double = SesDouble::start();
    double.script(|s| {
        s.reject.insert(address(3));
        s.reject.insert(address(11));
    });
    let (report, _) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;
    assert_eq!(report.status, CampaignStatus::Sent);
    assert_eq!((report.counts.sent, report.counts.failed), (18, 2));
    let states = states(&f);
    let (state, attempts, error) = &states[&address(3)];
    assert_eq!((*state, *attempts), (RecipientState::Failed, 1));
    assert!(error.as_deref().unwrap().contains("MessageRejected"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_every_recipient_is_rejected_the_campaign_fails() {
    let f = fixture(3, &[]);
    let double = SesDouble::start();
    double.script(|s| s.reject.extend((0..3).map(address)));
    let (report, _) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;
    assert_eq!(report.status, CampaignStatus::Failed);
    assert_eq!(report.counts.failed, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_problems_pause_the_whole_campaign_with_the_reason() {
    for (error, words) in [
        (ScriptedError::account_suspended(), "suspended"),
        (ScriptedError::sending_paused(), "paused"),
        (
            ScriptedError::new(
                400,
                "MailFromDomainNotVerifiedException",
                "MAIL FROM not verified",
            ),
            "not verified",
        ),
    ] {
        let f = fixture(15, &[]);
        let double = SesDouble::start();
        double.script(|s| s.send_error = Some(error.clone()));
        let (report, _) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;
        assert_eq!(report.status, CampaignStatus::Paused, "{error:?}");
        assert_eq!(report.pause_kind, Some(PauseKind::Account));
        let reason = report.pause_reason.unwrap();
        assert!(reason.contains(words), "{reason}");
        assert!(reason.contains(&error.code), "{reason}");
        assert_eq!(
            report.counts.pending, 15,
            "nobody failed: {:?}",
            report.counts
        );
        assert_eq!(double.received_count(), 0);
    }

    // GetAccount already says sending is disabled: nothing is attempted.
    let f = fixture(5, &[]);
    let double = SesDouble::start();
    double.script(|s| s.sending_enabled = false);
    let (report, _) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;
    assert_eq!(report.pause_kind, Some(PauseKind::Account));
    assert_eq!(double.send_requests(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_quota_pauses_with_a_resume_time_from_the_rolling_window() {
    // The quota runs out in the middle of the run (SES says so).
    let f = fixture(20, &[]);
    let double = SesDouble::start();
    double.script(|s| s.accept_limit = Some(7));
    let (report, _) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;
    assert_eq!(report.status, CampaignStatus::Paused);
    assert_eq!(report.pause_kind, Some(PauseKind::DailyQuota));
    assert_eq!((report.counts.sent, report.counts.pending), (7, 13));
    let conn = db::open(&f.db, OpenMode::Existing).unwrap();
    let first_sent = campaigns::recipients(&conn, f.campaign_id, Some(RecipientState::Sent))
        .unwrap()
        .into_iter()
        .filter_map(|r| r.sent_at)
        .min()
        .unwrap();
    let rfc = time::format_description::well_known::Rfc3339;
    let first = time::OffsetDateTime::parse(&first_sent, &rfc).unwrap();
    let resume = time::OffsetDateTime::parse(report.resume_at.as_deref().unwrap(), &rfc).unwrap();
    assert_eq!(resume, first + time::Duration::hours(24));

    // GetAccount says only 4 are left: the run sends 4 and pauses without hitting the error.
    let f = fixture(10, &[]);
    let double = SesDouble::start();
    double.script(|s| {
        s.max_24_hour_send = 200.0;
        s.sent_last_24_hours = 196.0;
    });
    let (report, _) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;
    assert_eq!(report.pause_kind, Some(PauseKind::DailyQuota));
    assert_eq!((report.counts.sent, report.counts.pending), (4, 6));
    assert_eq!(double.send_requests(), 4);
    assert!(report.resume_at.is_some());

    // Nothing left at all: paused before sending.
    double.script(|s| s.sent_last_24_hours = 200.0);
    let (report, _) = run(&f, &double.endpoint, &config(), &RunControl::new()).await;
    assert_eq!(report.pause_kind, Some(PauseKind::DailyQuota));
    assert_eq!(double.send_requests(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_resume_and_cancel_at_any_moment() {
    let f = fixture(60, &[]);
    let double = SesDouble::start();
    let mut config = config();
    config.max_rate = Some(100.0);
    let control = RunControl::new();
    let messenger = messenger(&double.endpoint, Duration::from_secs(2)).await;
    let paused_at = Arc::new(Mutex::new(None::<u64>));
    let run = {
        let (db, id, control, paused_at) = (
            f.db.clone(),
            f.campaign_id,
            control.clone(),
            paused_at.clone(),
        );
        tokio::spawn(async move {
            let pause_once = control.clone();
            run_campaign(
                &db,
                id,
                messenger,
                &Greeting,
                &config,
                &move |p: &SendProgress| {
                    let mut at = paused_at.lock().unwrap();
                    if at.is_none() && p.sent >= 10 {
                        *at = Some(p.sent);
                        pause_once.pause();
                    }
                },
                &control,
            )
            .await
        })
    };
    // Wait for the pause to land in the database.
    let mut waited = 0;
    while campaign(&f).status != CampaignStatus::Paused {
        tokio::time::sleep(Duration::from_millis(20)).await;
        waited += 1;
        assert!(waited < 500, "the campaign never paused");
    }
    assert_eq!(campaign(&f).pause_kind, Some(PauseKind::User));
    let during_pause = double.received_count();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        double.received_count(),
        during_pause,
        "nothing is sent while paused"
    );
    assert!(during_pause < 60);
    let s = states(&f);
    assert!(s.values().all(|(st, _, _)| *st != RecipientState::Sending));

    control.resume();
    let mut waited = 0;
    while double.received_count() < during_pause + 5 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
        assert!(waited < 500, "the campaign never resumed");
    }
    control.cancel();
    let report = run.await.unwrap().unwrap();
    assert_eq!(report.status, CampaignStatus::Cancelled);
    let received = double.received_count() as u64;
    assert_eq!(report.counts.sent, received);
    assert_eq!(report.counts.skipped, 60 - received, "{:?}", report.counts);
    assert!(received < 60);
    let again = campaigns::set_status(
        &db::open(&f.db, OpenMode::Existing).unwrap(),
        f.campaign_id,
        CampaignStatus::Sending,
        None,
    );
    assert_eq!(again.unwrap_err().code(), "illegal_transition");
}

// ---- A SIGKILL in the middle of a run -------------------------------------------------

const CHILD_DB: &str = "HERALD_SENDING_CHILD_DB";
const CHILD_CAMPAIGN: &str = "HERALD_SENDING_CHILD_CAMPAIGN";
const CHILD_ENDPOINT: &str = "HERALD_SENDING_CHILD_ENDPOINT";

/// The child process of `a_killed_run_restarts_without_sending_anyone_twice`: sends the
/// campaign named in its environment, at 150 recipients per second.
#[test]
#[ignore = "entry point of the kill test's child process; does nothing on its own"]
fn child_process_sends_the_campaign() {
    let (Ok(db), Ok(id), Ok(endpoint)) = (
        std::env::var(CHILD_DB),
        std::env::var(CHILD_CAMPAIGN),
        std::env::var(CHILD_ENDPOINT),
    ) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut config = config();
        config.max_rate = Some(150.0);
        let messenger = messenger(&endpoint, Duration::from_secs(2)).await;
        let report = run_campaign(
            Path::new(&db),
            id.parse().unwrap(),
            messenger,
            &Greeting,
            &config,
            &|_: &SendProgress| {},
            &RunControl::new(),
        )
        .await
        .unwrap();
        println!("child finished: {report:?}");
    });
}

fn spawn_child(f: &Fixture, endpoint: &str) -> KillOnDrop {
    let exe = std::env::current_exe().unwrap();
    let child = std::process::Command::new(exe)
        .args([
            "--exact",
            "child_process_sends_the_campaign",
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DB, &f.db)
        .env(CHILD_CAMPAIGN, f.campaign_id.to_string())
        .env(CHILD_ENDPOINT, endpoint)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    KillOnDrop(child)
}

#[test]
fn a_killed_run_restarts_without_sending_anyone_twice() {
    let f = fixture(600, &[]);
    let double = SesDouble::start();
    double.script(|s| s.latency = Duration::from_millis(20));

    let mut child = spawn_child(&f, &double.endpoint);
    let start = std::time::Instant::now();
    while double.received_count() < 150 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the child never got going"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.0.kill().unwrap(); // SIGKILL on Unix: no cleanup runs in the child.
    child.0.wait().unwrap();
    let at_kill = double.received_count();
    assert!(at_kill < 600, "killed in the middle, not after the end");
    let mid = states(&f);
    let in_flight = mid
        .values()
        .filter(|(s, _, _)| *s == RecipientState::Sending)
        .count();
    assert!(mid.values().any(|(s, _, _)| *s == RecipientState::Pending));

    let mut again = spawn_child(&f, &double.endpoint);
    assert!(again.0.wait().unwrap().success());

    let received = double.received_by_address();
    assert!(
        received.values().all(|n| *n == 1),
        "nobody received the campaign twice"
    );
    let after = states(&f);
    let mut unknown = 0;
    for (email, (state, _, _)) in &after {
        match state {
            RecipientState::Sent => assert_eq!(received.get(email), Some(&1), "{email}"),
            // In flight at the kill: it may or may not have arrived, and is not resent.
            RecipientState::Unknown => unknown += 1,
            other => panic!("{email} ended {other:?}"),
        }
    }
    assert_eq!(
        unknown, in_flight,
        "exactly the rows in flight at the kill are unknown"
    );
    assert_eq!(campaign(&f).status, CampaignStatus::Sent);
    assert_eq!(after.len(), 600);
}

// ---- The real emulator ------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the aws-ses-v2-local emulator (scripts/setup.sh installs it)"]
async fn a_thousand_recipients_arrive_exactly_once_at_the_emulator() {
    use herald_core::campaigns::{audience, renderer::CampaignRenderer};
    use herald_core::contacts::{self, ContactInput, ContactSource};

    let emulator = herald_test_support::SesEmulator::start();
    // A thousand real contacts with a tag, a template, and the audience snapshotted as
    // when sending starts; rendering goes through the campaign renderer.
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Home::at(dir.path()).create("Acme").unwrap();
    let settings = herald_core::settings::Settings {
        postal_address: Some("1 Main St, Springfield".into()),
        relay_url: Some(RELAY.into()),
        ..Default::default()
    };
    herald_core::settings::save_with(
        ws.conn_mut(),
        settings.clone(),
        &herald_core::policy::Policy::default(),
    )
    .unwrap();
    let tag = herald_core::tags::create(
        ws.conn(),
        herald_core::tags::TagInput {
            name: "Readers".into(),
            colour: None,
        },
    )
    .unwrap()
    .id;
    for i in 0..1_000 {
        contacts::create(
            ws.conn_mut(),
            ContactInput {
                email: address(i),
                first_name: format!("Reader {i}"),
                tag_ids: Some(vec![tag]),
                ..ContactInput::default()
            },
            ContactSource::Api,
        )
        .unwrap();
    }
    let mut conn = db::open(&ws.db_path(), OpenMode::Existing).unwrap();
    let campaign = campaigns::create(
        &conn,
        &NewCampaign {
            name: "Spring sale".into(),
            from_address: Some("news@acme.example".into()),
            ..NewCampaign::default()
        },
    )
    .unwrap();
    let mut draft = campaign.draft();
    draft.subject = "Spring sale for {{ first_name }}".into();
    draft.body_source = Some(
        "<html><body><p>Hi {{ contact.first_name }}, spring is here.</p></body></html>".into(),
    );
    draft.audience.tags = vec![tag];
    let campaign = campaigns::update(&conn, campaign.id, &draft).unwrap();
    assert_eq!(audience::snapshot(&mut conn, campaign.id).unwrap(), 1_000);
    let renderer = CampaignRenderer::new(&campaign, &settings, &Default::default()).unwrap();

    let mut config = config();
    config.max_rate = None;
    let messenger = messenger(&emulator.endpoint, Duration::from_secs(10)).await;
    let report = run_campaign(
        &ws.db_path(),
        campaign.id,
        Arc::new(RateOverride(messenger, 2_000.0)),
        &renderer,
        &config,
        &|_: &SendProgress| {},
        &RunControl::new(),
    )
    .await
    .unwrap();
    assert_eq!(report.status, CampaignStatus::Sent);
    assert_eq!(report.counts.sent, 1_000);

    let store = emulator.store();
    let emails = store["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 1_000);
    let mut seen = HashMap::new();
    let links = UnsubscribeLinks::new(KEY.to_vec(), WORKSPACE_ID, RELAY, None);
    for email in emails {
        let to = email["destination"]["to"][0].as_str().unwrap().to_owned();
        *seen.entry(to.clone()).or_insert(0) += 1;
        let i: usize = to[6..11].parse().unwrap();
        assert_eq!(email["subject"], format!("Spring sale for Reader {i}"));
        let token = links.token(campaign.id, &to);
        let html = email["body"]["html"].as_str().unwrap_or_default();
        assert!(
            html.contains(&format!("Hi Reader {i}, spring is here.")),
            "{html}"
        );
        assert!(
            html.contains(&links.url(&token)),
            "the footer's unsubscribe link"
        );
        assert!(
            html.contains("1 Main St, Springfield"),
            "the footer's postal address"
        );
        let headers: Vec<(String, String)> = email["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["name"].as_str().unwrap().into(),
                    h["value"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(headers[0].0, "List-Unsubscribe");
        assert!(headers[0]
            .1
            .starts_with(&format!("<{RELAY}/u/{token}>, <mailto:")));
        assert_eq!(
            headers[1],
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into()
            )
        );
    }
    assert_eq!(seen.len(), 1_000);
    assert!(seen.values().all(|n| *n == 1));
    // The emulator's store keeps no EmailTags; the double's tests check the tags
    // (tests/campaigns.rs, the service test).
}

/// The emulator's account allows 14/s; this keeps its answers but raises the rate so the
/// 1,000-recipient test takes seconds, not minutes.
struct RateOverride(Arc<SesMessenger>, f64);

impl herald_core::sending::Messenger for RateOverride {
    async fn send(
        &self,
        message: &herald_core::sending::OutgoingMessage,
    ) -> herald_core::sending::SendOutcome {
        self.0.send(message).await
    }

    async fn quota(
        &self,
    ) -> Result<herald_core::sending::SendQuota, herald_core::sending::QuotaError> {
        let mut quota = self.0.quota().await?;
        assert_eq!(
            quota.max_send_rate,
            herald_test_support::EMULATOR_MAX_SEND_RATE
        );
        quota.max_send_rate = self.1;
        Ok(quota)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutting_down_leaves_the_campaign_paused_and_a_new_run_finishes_it() {
    let f = fixture(40, &[]);
    let double = SesDouble::start();
    let mut config = config();
    config.max_rate = Some(40.0);
    let control = RunControl::new();
    let closer = control.clone();
    let stopper = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        closer.shutdown();
    });
    let (report, _) = run(&f, &double.endpoint, &config, &control).await;
    stopper.await.unwrap();
    assert_eq!(report.status, CampaignStatus::Paused);
    assert_eq!(report.pause_kind, Some(PauseKind::User));
    assert!(report.counts.pending > 0, "{:?}", report.counts);
    assert_eq!(report.counts.sending, 0);
    assert_eq!(report.counts.sent as usize, double.received_count());

    config.max_rate = None;
    let (report, _) = run(&f, &double.endpoint, &config, &RunControl::new()).await;
    assert_eq!(report.status, CampaignStatus::Sent);
    assert_eq!(report.counts.sent, 40);
    assert!(double.received_by_address().values().all(|n| *n == 1));
}

#[test]
#[ignore = "needs the OS keychain (scripts/desktop-session.sh)"]
fn the_unsubscribe_key_is_made_once_and_kept_in_the_os_keychain() {
    use herald_core::secrets::{OsKeychain, SecretKind, SecretStore};
    let workspace_id = format!("test-unsubscribe-{}", std::process::id());
    let key = unsubscribe::signing_key(&OsKeychain, &workspace_id).unwrap();
    assert_eq!(key.len(), 32);
    assert_eq!(
        unsubscribe::signing_key(&OsKeychain, &workspace_id).unwrap(),
        key
    );
    let links = UnsubscribeLinks::new(key.clone(), &workspace_id, RELAY, None);
    let token = links.token(9, "jane@example.com");
    assert_eq!(unsubscribe::verify(&key, &token).unwrap().campaign_id, 9);
    OsKeychain
        .delete(&workspace_id, SecretKind::UnsubscribeKey)
        .unwrap();
    assert_ne!(
        unsubscribe::signing_key(&OsKeychain, &workspace_id).unwrap(),
        key,
        "a new key after the old one is removed"
    );
    OsKeychain
        .delete(&workspace_id, SecretKind::UnsubscribeKey)
        .unwrap();
}
