//! Campaigns end to end in the core: the wizard's drafts, the audience, the review against
//! the SES double, and the send service (real rendering, pause and cancel from another
//! connection as another process would, network pauses).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use herald_core::campaigns::audience;
use herald_core::campaigns::review::ReviewCode;
use herald_core::campaigns::service::{SendEvent, SendService, Tuning};
use herald_core::campaigns::{
    self, Audience, CampaignStatus, NewCampaign, PauseKind, RecipientState, WizardStep,
};
use herald_core::contacts::{self, ContactInput, ContactSource, ContactStatus};
use herald_core::credentials::{self, AwsKeyPair};
use herald_core::db::{self, OpenMode};
use herald_core::fields::FieldValue;
use herald_core::policy::Policy;
use herald_core::secrets::{MemorySecretStore, SecretStore};
use herald_core::segments::{self, SegmentInput};
use herald_core::sending::{RetryPolicy, RunReport, UnsubscribeLinks};
use herald_core::settings::{self, Settings};
use herald_core::suppressions::{self, SuppressionReason};
use herald_core::tags::{self, TagInput};
use herald_core::workspaces::{Home, Workspace};
use herald_core::Error;
use herald_test_support::fake_access_key_id;
use herald_test_support::ses_double::{verified_identity, SesDouble};
use rusqlite::Connection;

const RELAY: &str = "https://relay.acme.example";

struct Fixture {
    _dir: tempfile::TempDir,
    ws: Workspace,
    secrets: Arc<MemorySecretStore>,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ws = Home::at(dir.path()).create("Acme").unwrap();
        Self {
            _dir: dir,
            ws,
            secrets: Arc::new(MemorySecretStore::default()),
        }
    }

    fn conn(&self) -> &Connection {
        self.ws.conn()
    }

    fn db(&self) -> PathBuf {
        self.ws.db_path()
    }

    /// Sender, postal address, relay, region and the double as the SES endpoint.
    fn configure(&mut self, endpoint: &str) {
        let s = Settings {
            from_name: Some("Acme News".into()),
            from_address: Some("news@acme.example".into()),
            postal_address: Some("1 Main St\nSpringfield".into()),
            aws_region: Some("eu-west-1".into()),
            ses_endpoint: Some(endpoint.into()),
            relay_url: Some(RELAY.into()),
            configuration_set: Some("herald-events".into()),
            unsubscribe_mailto: Some("unsubscribe@acme.example".into()),
            ..Settings::default()
        };
        settings::save_with(self.ws.conn_mut(), s, &Policy::default()).unwrap();
        credentials::store(
            self.secrets.as_ref(),
            self.ws.id(),
            &AwsKeyPair {
                access_key_id: fake_access_key_id("CAMPAIGNS"),
                secret_access_key: "test-secret-not-real".into(),
            },
        )
        .unwrap();
    }

    fn contact(&mut self, email: &str, first: &str, status: ContactStatus, tags: &[i64]) -> i64 {
        contacts::create(
            self.ws.conn_mut(),
            ContactInput {
                email: email.into(),
                first_name: first.into(),
                status: Some(status),
                tag_ids: Some(tags.to_vec()),
                ..ContactInput::default()
            },
            ContactSource::Api,
        )
        .unwrap()
        .id
    }

    fn tag(&self, name: &str) -> i64 {
        tags::create(
            self.conn(),
            TagInput {
                name: name.into(),
                colour: None,
            },
        )
        .unwrap()
        .id
    }

    fn service(&self) -> (SendService, Arc<Mutex<Vec<SendEvent>>>) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let secrets: Arc<dyn SecretStore> = self.secrets.clone();
        let service = SendService::new(
            &self.ws,
            secrets,
            Arc::new(move |e: &SendEvent| sink.lock().unwrap().push(e.clone())),
        );
        service.set_tuning(Tuning {
            send_timeout: Duration::from_secs(5),
            status_poll_interval: Duration::from_millis(50),
            progress_interval: Duration::from_millis(50),
            retry: Some(RetryPolicy {
                max_attempts: 3,
                max_throttled_attempts: 8,
                base_delay: Duration::from_millis(10),
                throttle_base_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(50),
            }),
            ..Tuning::default()
        });
        (service, events)
    }
}

fn html_template(conn: &Connection) -> i64 {
    conn.execute(
        "INSERT INTO templates (kind, name, subject, preheader, format, source, created_at, updated_at)
         VALUES ('user_created', 'Plain', 'Hello {{ first_name | default(value=\"there\") }}',
                 'Our spring news', 'html',
                 '<html><body><h1>Hi {{ first_name | default(value=\"there\") }}</h1><p>From {{ contact.city | default(value=\"nowhere\") }}.</p></body></html>',
                 '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
        [],
    )
    .unwrap();
    conn.last_insert_rowid()
}

/// Waits (up to 30 s) until the listener heard the end of a run.
async fn finished(events: &Arc<Mutex<Vec<SendEvent>>>, runs: usize) -> RunReport {
    for _ in 0..600 {
        let ends: Vec<RunReport> = events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                SendEvent::Finished(r) => Some(r.clone()),
                SendEvent::Error { message, .. } => panic!("the run failed: {message}"),
                _ => None,
            })
            .collect();
        if ends.len() >= runs {
            return ends[runs - 1].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the run did not end within 30 s");
}

#[test]
fn a_draft_saves_every_step_reopens_where_it_was_left_and_lists_deletes_and_duplicates() {
    let mut f = Fixture::new();
    let template = html_template(f.conn());
    let vip = f.tag("VIP");
    f.contact("a@example.com", "Ann", ContactStatus::Subscribed, &[vip]);

    let c = campaigns::create(
        f.conn(),
        &NewCampaign {
            name: "Spring".into(),
            ..NewCampaign::default()
        },
    )
    .unwrap();
    assert_eq!(c.draft_step, Some(WizardStep::Name));

    let mut d = c.draft();
    d.draft_step = Some(WizardStep::Audience);
    d.audience.tags = vec![vip];
    let c = campaigns::update(f.conn(), c.id, &d).unwrap();
    let c = campaigns::use_template(f.conn(), c.id, template).unwrap();
    assert!(c.body_source.as_deref().unwrap().contains("<h1>Hi"));
    assert_eq!(
        c.subject,
        "Hello {{ first_name | default(value=\"there\") }}"
    );
    let mut d = c.draft();
    d.draft_step = Some(WizardStep::Content);
    d.subject = "Spring news for {{ first_name }}".into();
    campaigns::update(f.conn(), c.id, &d).unwrap();

    // Reopened from another connection (a relaunch): the same step, audience and content.
    let other = db::open(&f.db(), OpenMode::Existing).unwrap();
    let again = campaigns::get(&other, c.id).unwrap();
    assert_eq!(again.draft_step, Some(WizardStep::Content));
    assert_eq!(again.audience.tags, vec![vip]);
    assert_eq!(again.subject, "Spring news for {{ first_name }}");
    assert_eq!(again.template_id, Some(template));

    // Every bad field at once.
    let mut bad = again.draft();
    bad.name = " ".into();
    bad.from_address = Some("nope".into());
    bad.audience.segments = vec![999];
    let fields: Vec<String> = campaigns::update(f.conn(), c.id, &bad)
        .unwrap_err()
        .fields()
        .iter()
        .map(|e| e.field.clone())
        .collect();
    assert_eq!(fields, ["name", "from_address", "audience.segments"]);

    let copy = campaigns::duplicate(f.conn(), c.id, None).unwrap();
    assert_eq!(copy.name, "Spring (copy)");
    assert_eq!(copy.status, CampaignStatus::Draft);
    assert_eq!(copy.audience, again.audience);
    assert_eq!(
        campaigns::duplicate(f.conn(), c.id, None).unwrap().name,
        "Spring (copy 2)"
    );
    let list = campaigns::list(f.conn(), None).unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(
        campaigns::list(f.conn(), Some(CampaignStatus::Scheduled))
            .unwrap()
            .len(),
        0
    );

    // Scheduled: needs the name to delete; a draft goes at once.
    let at = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let s = campaigns::schedule(f.conn(), c.id, &at, Some("Europe/Lisbon")).unwrap();
    assert_eq!(s.status, CampaignStatus::Scheduled);
    assert_eq!(s.schedule_time_zone.as_deref(), Some("Europe/Lisbon"));
    assert!(matches!(
        campaigns::delete(f.conn(), c.id, None),
        Err(Error::ConfirmationMismatch(_))
    ));
    campaigns::delete(f.conn(), c.id, Some("Spring")).unwrap();
    campaigns::delete(f.conn(), copy.id, None).unwrap();
    assert_eq!(campaigns::list(f.conn(), None).unwrap().len(), 1);

    // Deleting the template keeps the campaign's own body.
    let last = campaigns::list(f.conn(), None).unwrap()[0].id;
    f.conn()
        .execute("DELETE FROM templates WHERE id = ?1", [template])
        .unwrap();
    let kept = campaigns::get(f.conn(), last).unwrap();
    assert_eq!(kept.template_id, None);
    assert!(kept.body_source.is_some());
}

#[test]
fn the_audience_mixes_segments_tags_and_contacts_minus_exclusions_and_never_reaches_opted_out_people(
) {
    let mut f = Fixture::new();
    let vip = f.tag("VIP");
    let staff = f.tag("Staff");
    f.conn()
        .execute(
            "INSERT INTO custom_fields (key, label, type, position, created_at, updated_at)
             VALUES ('city', 'City', 'text', 0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
            [],
        )
        .unwrap();
    let ann = contacts::create(
        f.ws.conn_mut(),
        ContactInput {
            email: "ann@example.com".into(),
            first_name: "Ann".into(),
            tag_ids: Some(vec![vip]),
            values: BTreeMap::from([("city".to_owned(), Some(FieldValue::Text("Lisbon".into())))]),
            ..ContactInput::default()
        },
        ContactSource::Api,
    )
    .unwrap()
    .id;
    let bob = f.contact(
        "bob@example.com",
        "Bob",
        ContactStatus::Subscribed,
        &[vip, staff],
    );
    f.contact("un@example.com", "Una", ContactStatus::Unsubscribed, &[vip]);
    f.contact("bounce@example.com", "Bo", ContactStatus::Bounced, &[vip]);
    f.contact("comp@example.com", "Co", ContactStatus::Complained, &[vip]);
    f.contact("block@example.com", "Bl", ContactStatus::Blocked, &[vip]);
    f.contact("supp@example.com", "Su", ContactStatus::Subscribed, &[vip]);
    let carl = f.contact("carl@example.com", "Carl", ContactStatus::Subscribed, &[]);
    let dora = f.contact("dora@other.example", "Dora", ContactStatus::Subscribed, &[]);
    suppressions::add(
        f.conn(),
        "SUPP@example.com",
        SuppressionReason::HardBounce,
        None,
        None,
    )
    .unwrap();
    let other_domain = segments::create(
        f.conn(),
        SegmentInput {
            name: "Other domain".into(),
            rules: segments::parse_rules(
                r#"{"kind":"group","match":"all","rules":[{"kind":"email","op":"ends_with","value":"@other.example"}]}"#,
            )
            .unwrap(),
        },
    )
    .unwrap()
    .id;

    let everyone = Audience {
        segments: vec![other_domain],
        tags: vec![vip],
        contacts: vec![carl, ann],
        exclude_tags: vec![staff],
        ..Audience::default()
    };
    let count = audience::count(f.conn(), &everyone).unwrap();
    assert_eq!(
        (count.recipients, count.left_out),
        (3, 5),
        "Ann, Carl, Dora; Bob excluded as staff; four statuses and one suppression left out"
    );
    let ids = audience::resolve_ids(f.conn(), &everyone).unwrap();
    assert_eq!(ids, vec![ann, carl, dora]);
    assert_eq!(
        audience::count(f.conn(), &Audience::default())
            .unwrap()
            .recipients,
        0
    );
    let only_excluded = Audience {
        contacts: vec![bob],
        exclude_contacts: vec![bob],
        ..Audience::default()
    };
    assert_eq!(
        audience::count(f.conn(), &only_excluded)
            .unwrap()
            .recipients,
        0
    );

    let c = campaigns::create(
        f.conn(),
        &NewCampaign {
            name: "Mixed".into(),
            ..NewCampaign::default()
        },
    )
    .unwrap();
    let mut d = c.draft();
    d.audience = everyone;
    campaigns::update(f.conn(), c.id, &d).unwrap();
    let mut conn = db::open(&f.db(), OpenMode::Existing).unwrap();
    assert_eq!(audience::snapshot(&mut conn, c.id).unwrap(), 3);
    let rows = campaigns::recipients(&conn, c.id, None).unwrap();
    assert_eq!(rows[0].email, "ann@example.com");
    let vars: String = conn
        .query_row(
            "SELECT variables_json FROM campaign_recipients WHERE campaign_id = ?1 AND email = 'ann@example.com'",
            [c.id],
            |r| r.get(0),
        )
        .unwrap();
    let vars: serde_json::Value = serde_json::from_str(&vars).unwrap();
    assert_eq!(vars["first_name"], "Ann");
    assert_eq!(vars["fields"]["city"], "Lisbon");

    // The snapshot no longer changes: a new VIP is not added by a second snapshot.
    f.contact(
        "late@example.com",
        "Late",
        ContactStatus::Subscribed,
        &[vip],
    );
    assert_eq!(audience::snapshot(&mut conn, c.id).unwrap(), 0);
    assert_eq!(campaigns::recipient_counts(&conn, c.id).unwrap().total(), 3);
}

/// A campaign ready to send to `n` subscribed contacts tagged "News", through the double.
fn ready_campaign(f: &mut Fixture, n: usize) -> i64 {
    let news = f.tag("News");
    for i in 0..n {
        f.contact(
            &format!("reader{i:04}@example.com"),
            &format!("Reader{i}"),
            ContactStatus::Subscribed,
            &[news],
        );
    }
    let template = html_template(f.conn());
    let c = campaigns::create(
        f.conn(),
        &NewCampaign {
            name: "Spring sale".into(),
            template_id: Some(template),
            ..NewCampaign::default()
        },
    )
    .unwrap();
    let mut d = campaigns::get(f.conn(), c.id).unwrap().draft();
    d.audience.tags = vec![news];
    campaigns::update(f.conn(), c.id, &d).unwrap();
    c.id
}

fn double_with_verified_sender() -> SesDouble {
    let double = SesDouble::start();
    double.script(|s| {
        s.identities
            .insert("acme.example".into(), verified_identity("acme.example"));
    });
    double
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_blocks_what_must_be_fixed_and_warns_about_the_rest() {
    let double = SesDouble::start();
    let mut f = Fixture::new();
    f.configure(&double.endpoint);
    let id = ready_campaign(&mut f, 3);
    let (service, _) = f.service();

    // Unverified sender, sandbox with unverified recipients, a quota smaller than the list.
    double.script(|s| {
        let mut pending = verified_identity("acme.example");
        pending["VerifiedForSendingStatus"] = false.into();
        pending["VerificationStatus"] = "PENDING".into();
        s.identities.insert("acme.example".into(), pending);
        s.production_access = false;
        s.max_24_hour_send = 200.0;
        s.sent_last_24_hours = 198.0;
        s.identities.insert(
            "reader0000@example.com".into(),
            verified_identity("reader0000@example.com"),
        );
    });
    let review = service.review(id).await.unwrap();
    let blocking: Vec<ReviewCode> = review.blocking.iter().map(|p| p.code).collect();
    let warnings: Vec<ReviewCode> = review.warnings.iter().map(|p| p.code).collect();
    assert_eq!(
        blocking,
        [
            ReviewCode::SenderNotVerified,
            ReviewCode::SandboxUnverifiedRecipients
        ],
        "{review:#?}"
    );
    assert!(review.blocking[1]
        .message
        .contains("reader0001@example.com"));
    assert!(!review.blocking[1]
        .message
        .contains("reader0000@example.com"));
    assert_eq!(
        warnings,
        [ReviewCode::NoUnsubscribeLink, ReviewCode::OverQuota]
    );
    assert_eq!(review.quota_remaining, Some(2));
    assert_eq!(review.recipients, 3);
    let err = service.start(id).await.unwrap_err();
    assert_eq!(err.code(), "review_blocked");
    assert_eq!(err.fields()[0].field, "sender_not_verified");
    assert_eq!(
        campaigns::get(f.conn(), id).unwrap().status,
        CampaignStatus::Draft,
        "nothing started"
    );

    // Local problems: no subject, no postal address, no relay; an empty audience.
    let mut d = campaigns::get(f.conn(), id).unwrap().draft();
    d.subject = "  ".into();
    d.audience = Audience::default();
    campaigns::update(f.conn(), id, &d).unwrap();
    let mut s = settings::load_stored(f.conn()).unwrap();
    s.postal_address = None;
    s.relay_url = None;
    settings::save_with(f.ws.conn_mut(), s, &Policy::default()).unwrap();
    let review = service.review(id).await.unwrap();
    let blocking: Vec<&str> = review.blocking.iter().map(|p| p.code.as_str()).collect();
    for code in [
        "no_recipients",
        "empty_subject",
        "no_postal_address",
        "no_relay_url",
    ] {
        assert!(blocking.contains(&code), "{code} in {blocking:?}");
    }
    assert_eq!(review.blocking[0].step, Some(WizardStep::Audience));

    // An endpoint override that knows no identities at all only warns about the sender.
    double.script(|s| s.identities.clear());
    let review = service.review(id).await.unwrap();
    assert!(review
        .warnings
        .iter()
        .any(|p| p.code == ReviewCode::SenderNotVerified));
    assert!(!review
        .blocking
        .iter()
        .any(|p| p.code == ReviewCode::SenderNotVerified));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_sends_each_contact_one_personalised_message_with_footer_headers_and_tags() {
    let double = double_with_verified_sender();
    let mut f = Fixture::new();
    f.configure(&double.endpoint);
    let id = ready_campaign(&mut f, 30);
    let (service, events) = f.service();
    // Slow answers keep the run busy while the page that opens next reads the campaign.
    double.script(|s| s.latency = Duration::from_millis(20));
    let review = service.start(id).await.unwrap();
    assert!(review.blocking.is_empty());
    assert_eq!(
        campaigns::get(f.conn(), id).unwrap().status,
        CampaignStatus::Sending,
        "sending as soon as start returns, not a draft until the background run gets going"
    );
    let report = finished(&events, 1).await;
    assert_eq!(report.status, CampaignStatus::Sent);
    assert_eq!(report.counts.sent, 30);

    let received = double.received();
    assert_eq!(received.len(), 30);
    let key =
        herald_core::sending::unsubscribe::signing_key(f.secrets.as_ref(), f.ws.id()).unwrap();
    let links = UnsubscribeLinks::new(key, f.ws.id(), RELAY, None);
    let rows = campaigns::recipients(f.conn(), id, None).unwrap();
    for m in &received {
        let to = &m.to[0];
        let i: usize = to[6..10].parse().unwrap();
        assert_eq!(m.subject, format!("Hello Reader{i}"));
        assert!(m.html.contains(&format!("Hi Reader{i}")));
        assert!(m.html.contains("From nowhere."));
        let url = links.url(&links.token(id, to));
        assert!(m.html.contains(&url), "footer link in the HTML");
        assert!(m.text.contains(&url), "footer link in the text");
        assert!(m.html.contains("1 Main St<br>Springfield"));
        assert!(m.html.contains("Our spring news"), "the hidden preheader");
        assert_eq!(m.from, "Acme News <news@acme.example>");
        assert_eq!(m.configuration_set.as_deref(), Some("herald-events"));
        assert_eq!(m.headers[0].0, "List-Unsubscribe");
        assert_eq!(
            m.headers[0].1,
            format!(
                "<{url}>, <mailto:unsubscribe@acme.example?subject=unsubscribe-{}>",
                links.token(id, to)
            )
        );
        assert_eq!(
            m.headers[1],
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into()
            )
        );
        let row = rows.iter().find(|r| &r.email == to).unwrap();
        let tags: BTreeMap<_, _> = m.tags.iter().cloned().collect();
        assert_eq!(tags["herald_campaign"], id.to_string());
        assert_eq!(tags["herald_recipient"], row.id.to_string());
    }
    assert!(double.received_by_address().values().all(|n| *n == 1));
    let progress = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, SendEvent::Progress(_)))
        .count();
    assert!(progress > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_written_by_another_process_stops_the_sender_and_resume_finishes_the_rest() {
    let double = double_with_verified_sender();
    double.script(|s| s.max_send_rate = 40.0);
    let mut f = Fixture::new();
    f.configure(&double.endpoint);
    let id = ready_campaign(&mut f, 120);
    let (service, events) = f.service();
    service.start(id).await.unwrap();

    // Another process (the CLI) pauses through its own connection.
    let other = db::open(&f.db(), OpenMode::Existing).unwrap();
    for _ in 0..200 {
        if campaigns::recipient_counts(&other, id).unwrap().sent >= 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    campaigns::request_pause(&other, id).unwrap();
    let paused = finished(&events, 1).await;
    assert_eq!(paused.status, CampaignStatus::Paused);
    assert_eq!(paused.pause_kind, Some(PauseKind::User));
    let sent_at_pause = paused.counts.sent;
    assert!(sent_at_pause < 120, "{paused:?}");
    assert!(paused.counts.pending > 0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        double.received_count() as u64,
        sent_at_pause,
        "nothing more left"
    );

    service.resume(id).await.unwrap();
    let done = finished(&events, 2).await;
    assert_eq!(done.status, CampaignStatus::Sent);
    assert_eq!(done.counts.sent, 120);
    assert!(double.received_by_address().values().all(|n| *n == 1));
    assert_eq!(double.received_count(), 120);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_from_another_process_skips_everyone_not_yet_sent() {
    let double = double_with_verified_sender();
    double.script(|s| s.max_send_rate = 40.0);
    let mut f = Fixture::new();
    f.configure(&double.endpoint);
    let id = ready_campaign(&mut f, 120);
    let (service, events) = f.service();
    service.start(id).await.unwrap();
    let mut other = db::open(&f.db(), OpenMode::Existing).unwrap();
    for _ in 0..200 {
        if campaigns::recipient_counts(&other, id).unwrap().sent >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    campaigns::request_cancel(&mut other, id).unwrap();
    let report = finished(&events, 1).await;
    assert_eq!(report.status, CampaignStatus::Cancelled);
    let c = report.counts;
    assert_eq!(c.pending + c.sending, 0);
    assert!(c.skipped > 0);
    assert_eq!(c.sent + c.skipped + c.failed + c.unknown, 120);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(double.received_count() as u64, c.sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_ses_the_campaign_waits_and_the_scheduler_resumes_it_when_ses_answers() {
    let double = double_with_verified_sender();
    let mut f = Fixture::new();
    f.configure(&double.endpoint);
    let id = ready_campaign(&mut f, 20);
    let (service, events) = f.service();
    double.script(|s| s.server_error_next = 1_000);
    service.start(id).await.unwrap();
    let paused = finished(&events, 1).await;
    assert_eq!(paused.status, CampaignStatus::Paused);
    assert_eq!(paused.pause_kind, Some(PauseKind::Unreachable));
    let resume_at = paused.resume_at.clone().expect("a retry time");
    assert_eq!(paused.counts.failed, 0, "nobody fails for a server problem");

    // The scheduler's plan: nothing before the retry time, a resume after it.
    let conn = db::open(&f.db(), OpenMode::Existing).unwrap();
    let at =
        time::OffsetDateTime::parse(&resume_at, &time::format_description::well_known::Rfc3339)
            .unwrap();
    let (due, next) =
        herald_core::scheduler::plan(&conn, at - time::Duration::seconds(1), None).unwrap();
    assert!(due.is_empty());
    assert_eq!(next, Some(at));
    let (due, _) = herald_core::scheduler::plan(&conn, at, None).unwrap();
    assert_eq!(due, vec![herald_core::scheduler::Due::Resume(id)]);

    double.script(|s| s.server_error_next = 0);
    service.resume(id).await.unwrap();
    let done = finished(&events, 2).await;
    assert_eq!(done.status, CampaignStatus::Sent);
    assert_eq!(done.counts.sent, 20);
    let states = campaigns::recipients(&conn, id, Some(RecipientState::Sent)).unwrap();
    assert_eq!(states.len(), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_start_that_cannot_send_is_told_to_the_listener_and_a_manual_one_is_not() {
    use herald_core::campaigns::service::CampaignStarter;
    // No sender, postal address or region: the review blocks.
    let mut f = Fixture::new();
    let id = ready_campaign(&mut f, 2);
    let (service, events) = f.service();

    // Started by hand (the app's Send button, the CLI): the caller shows the error itself.
    assert!(service.start(id).await.is_err());
    assert!(
        events.lock().unwrap().is_empty(),
        "a manual start reports to its caller only"
    );

    // Started by the scheduler: the listener hears why, for the OS notification.
    let err = CampaignStarter::start(&service, id).await.unwrap_err();
    let heard: Vec<(i64, String)> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            SendEvent::NotStarted {
                campaign_id,
                message,
            } => Some((*campaign_id, message.clone())),
            _ => None,
        })
        .collect();
    // The first problem and how many more: a notification is no place for the whole list,
    // which the error (and the campaign's page) keeps.
    let problems = err.fields();
    assert!(problems.len() > 2, "{err}");
    assert_eq!(heard.len(), 1);
    assert_eq!(heard[0].0, id);
    assert_eq!(
        heard[0].1,
        format!(
            "{} {} more problems are listed on the campaign.",
            problems[0].message,
            problems.len() - 1
        )
    );
    assert!(err.to_string().contains("postal address"), "{err}");
}
