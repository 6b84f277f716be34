use super::*;
use crate::analytics;
use crate::campaigns::{NewCampaign, NewRecipient};
use crate::contacts::ContactStatus;
use crate::db::{open, OpenMode};

pub(crate) const WS: &str = "3f1c2d4e-0000-4000-8000-000000000001";

/// A database with one campaign sent to `n` recipients (`reader{i}@example.com`, message id
/// `msg-{i}`), each also a subscribed contact. Returns the campaign and recipient ids.
pub(crate) fn sent_campaign(conn: &mut Connection, name: &str, n: usize) -> (i64, Vec<i64>) {
    let c = campaigns::create(
        conn,
        &NewCampaign {
            name: name.into(),
            subject: "Hello".into(),
            ..NewCampaign::default()
        },
    )
    .unwrap();
    let now = crate::time::now_timestamp();
    for i in 0..n {
        conn.execute(
            "INSERT INTO contacts (email, email_key, source, created_at, updated_at)
             VALUES (?1, ?1, 'manual', ?2, ?2) ON CONFLICT DO NOTHING",
            (format!("reader{i}@example.com"), &now),
        )
        .unwrap();
    }
    campaigns::snapshot_recipients(
        conn,
        c.id,
        (0..n).map(|i| NewRecipient {
            contact_id: None,
            email: format!("reader{i}@example.com"),
            variables: None,
        }),
    )
    .unwrap();
    campaigns::set_status(conn, c.id, CampaignStatus::Sending, None).unwrap();
    conn.execute(
        "UPDATE campaign_recipients SET state = 'sent', sent_at = ?2,
                ses_message_id = ?3 || '-' || (SELECT count(*) FROM campaign_recipients r2
                                              WHERE r2.campaign_id = campaign_recipients.campaign_id
                                                AND r2.id < campaign_recipients.id)
         WHERE campaign_id = ?1",
        (c.id, &now, format!("msg{}", c.id)),
    )
    .unwrap();
    let ids = conn
        .prepare("SELECT id FROM campaign_recipients WHERE campaign_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([c.id], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<i64>>>()
        .unwrap();
    (c.id, ids)
}

/// An SES event JSON for recipient `i` of a campaign made by [`sent_campaign`].
pub(crate) fn ses_event(
    event_type: &str,
    campaign_id: i64,
    recipient_id: i64,
    i: usize,
    sent_at: &str,
    extra: serde_json::Value,
) -> String {
    let mut event = serde_json::json!({
        "eventType": event_type,
        "mail": {
            "timestamp": sent_at,
            "messageId": format!("msg{campaign_id}-{i}"),
            "source": "news@acme.example",
            "destination": [format!("reader{i}@example.com")],
            "tags": {
                "ses:configuration-set": ["herald-events"],
                "herald_workspace": [WS],
                "herald_campaign": [campaign_id.to_string()],
                "herald_recipient": [recipient_id.to_string()],
            }
        }
    });
    if let serde_json::Value::Object(extra) = extra {
        for (k, v) in extra {
            event[k] = v;
        }
    }
    event.to_string()
}

fn ev(id: &str, json: String) -> InboundEvent {
    InboundEvent {
        source_id: id.into(),
        body: InboundBody::Ses(json),
    }
}

const SENT: &str = "2026-11-20T10:00:00.000Z";
const HUMAN_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36";

fn at(minutes: i64) -> String {
    let t = OffsetDateTime::parse(SENT, &Rfc3339).unwrap() + time::Duration::minutes(minutes);
    timestamp(t)
}

fn contact_status(conn: &Connection, email: &str) -> String {
    conn.query_row(
        "SELECT status FROM contacts WHERE email_key = ?1",
        [email],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn events_change_recipients_contacts_suppressions_and_totals_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
    let (cid, r) = sent_campaign(&mut conn, "Spring", 5);
    let j = |t: &str, i: usize, extra: serde_json::Value| ses_event(t, cid, r[i], i, SENT, extra);
    let events = vec![
        ev(
            "d0",
            j(
                "Delivery",
                0,
                serde_json::json!({"delivery": {"timestamp": at(0)}}),
            ),
        ),
        ev(
            "d1",
            j(
                "Delivery",
                1,
                serde_json::json!({"delivery": {"timestamp": at(0)}}),
            ),
        ),
        ev(
            "d2",
            j(
                "Delivery",
                2,
                serde_json::json!({"delivery": {"timestamp": at(0)}}),
            ),
        ),
        ev(
            "d4",
            j(
                "Delivery",
                4,
                serde_json::json!({"delivery": {"timestamp": at(0)}}),
            ),
        ),
        ev(
            "b3",
            j(
                "Bounce",
                3,
                serde_json::json!({"bounce": {"bounceType": "Permanent", "bounceSubType": "General",
                    "bouncedRecipients": [{"emailAddress": "reader3@example.com",
                        "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
                    "timestamp": at(1)}}),
            ),
        ),
        ev(
            "s2",
            j(
                "Bounce",
                2,
                serde_json::json!({"bounce": {"bounceType": "Transient", "bounceSubType": "MailboxFull",
                    "bouncedRecipients": [{"emailAddress": "reader2@example.com"}], "timestamp": at(2)}}),
            ),
        ),
        ev(
            "c1",
            j(
                "Complaint",
                1,
                serde_json::json!({"complaint": {"complainedRecipients": [{"emailAddress": "reader1@example.com"}],
                    "timestamp": at(30), "complaintFeedbackType": "abuse"}}),
            ),
        ),
        // Two human opens by reader0, one Apple proxy open by reader4.
        ev(
            "o0a",
            j(
                "Open",
                0,
                serde_json::json!({"open": {"timestamp": at(60), "userAgent": HUMAN_UA, "ipAddress": "192.0.2.1"}}),
            ),
        ),
        ev(
            "o0b",
            j(
                "Open",
                0,
                serde_json::json!({"open": {"timestamp": at(61), "userAgent": HUMAN_UA, "ipAddress": "192.0.2.1"}}),
            ),
        ),
        ev(
            "o4",
            j(
                "Open",
                4,
                serde_json::json!({"open": {"timestamp": at(5), "userAgent": "Mozilla/5.0", "ipAddress": "17.58.1.2"}}),
            ),
        ),
        // reader0 clicks one link twice; a scanner clicks reader4's link right after sending.
        ev(
            "k0a",
            j(
                "Click",
                0,
                serde_json::json!({"click": {"timestamp": at(62), "userAgent": HUMAN_UA, "link": "https://acme.example/offer"}}),
            ),
        ),
        ev(
            "k0b",
            j(
                "Click",
                0,
                serde_json::json!({"click": {"timestamp": at(63), "userAgent": HUMAN_UA, "link": "https://acme.example/offer"}}),
            ),
        ),
        ev(
            "k4",
            j(
                "Click",
                4,
                serde_json::json!({"click": {"timestamp": "2026-11-20T10:00:04.000Z", "userAgent": HUMAN_UA, "link": "https://acme.example/offer"}}),
            ),
        ),
        ev(
            "k0c",
            j(
                "Click",
                0,
                serde_json::json!({"click": {"timestamp": at(64), "userAgent": HUMAN_UA, "link": "https://acme.example/about"}}),
            ),
        ),
        InboundEvent {
            source_id: "unsubscribe:x:reader0".into(),
            body: InboundBody::Unsubscribe {
                campaign_id: cid,
                email: "reader0@example.com".into(),
                at: at(90),
            },
        },
    ];
    let report = ingest(&mut conn, WS, &events, BounceGuard::default()).unwrap();
    assert_eq!(report.stored, 15);
    assert_eq!(report.duplicates, 0);
    assert_eq!(report.unmatched, 0);
    assert_eq!(report.suppressed, 2);
    assert_eq!(report.contacts_changed, 3);

    let a = analytics::campaign(&conn, cid).unwrap();
    assert_eq!((a.recipients, a.sent, a.delivered), (5, 5, 4));
    assert_eq!(
        (a.hard_bounces, a.soft_bounces, a.soft_bounced_recipients),
        (1, 1, 1)
    );
    assert_eq!(a.complaints, 1);
    assert_eq!(
        a.opens,
        analytics::Engagement {
            unique: 2,
            total: 3,
            human_unique: 1,
            human_total: 2
        }
    );
    assert_eq!(
        a.clicks,
        analytics::Engagement {
            unique: 2,
            total: 4,
            human_unique: 1,
            human_total: 3
        }
    );
    assert_eq!(a.unsubscribes, 1);
    assert_eq!(a.rates.delivery, Some(0.8));
    assert_eq!(a.rates.open, Some(0.5));
    assert_eq!(a.rates.human_open, Some(0.25));
    assert_eq!(a.rates.click_to_open, Some(1.0));
    assert_eq!(a.rates.bounce, Some(0.2));
    assert_eq!(a.rates.complaint, Some(0.2));
    let kinds: Vec<_> = a.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(
        kinds,
        [
            analytics::WarningKind::BounceRate,
            analytics::WarningKind::ComplaintRate
        ]
    );
    assert_eq!(a.links.len(), 2);
    assert_eq!(a.links[0].url, "https://acme.example/offer");
    assert_eq!(
        a.links[0].clicks,
        analytics::Engagement {
            unique: 2,
            total: 3,
            human_unique: 1,
            human_total: 2
        }
    );

    assert_eq!(
        contact_status(&conn, "reader3@example.com"),
        ContactStatus::Bounced.as_str()
    );
    assert_eq!(contact_status(&conn, "reader1@example.com"), "complained");
    assert_eq!(contact_status(&conn, "reader0@example.com"), "unsubscribed");
    assert_eq!(
        contact_status(&conn, "reader2@example.com"),
        "subscribed",
        "soft bounce"
    );
    let suppressed: Vec<(String, String)> = conn
        .prepare("SELECT email_key, reason FROM suppressions ORDER BY email_key")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        suppressed,
        [
            ("reader1@example.com".to_owned(), "complaint".to_owned()),
            ("reader3@example.com".to_owned(), "hard_bounce".to_owned())
        ]
    );

    // The same events again change nothing.
    let before = analytics::campaign(&conn, cid).unwrap();
    let again = ingest(&mut conn, WS, &events, BounceGuard::default()).unwrap();
    assert_eq!((again.stored, again.duplicates), (0, 15));
    assert_eq!(analytics::campaign(&conn, cid).unwrap(), before);

    // Activity: hourly buckets from the start of sending.
    let points = analytics::activity(&conn, cid).unwrap();
    let opens: u64 = points.iter().map(|p| p.opens).sum();
    let clicks: u64 = points.iter().map(|p| p.clicks).sum();
    assert_eq!((opens, clicks), (3, 4));
}

#[test]
fn events_map_by_message_id_and_skip_other_workspaces_and_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
    let (cid, _) = sent_campaign(&mut conn, "Spring", 2);
    let untagged = serde_json::json!({
        "eventType": "Delivery",
        "mail": {"timestamp": SENT, "messageId": format!("msg{cid}-1"), "destination": ["reader1@example.com"]},
        "delivery": {"timestamp": at(0)}
    })
    .to_string();
    let other_ws = serde_json::json!({
        "eventType": "Delivery",
        "mail": {"timestamp": SENT, "messageId": format!("msg{cid}-0"), "destination": ["reader0@example.com"],
                 "tags": {"herald_workspace": ["another"]}},
    })
    .to_string();
    let test_send = serde_json::json!({
        "eventType": "Bounce",
        "mail": {"timestamp": SENT, "messageId": "unknown", "destination": ["someone@example.com"]},
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "someone@example.com"}]}
    })
    .to_string();
    let report = ingest(
        &mut conn,
        WS,
        &[
            ev("a", untagged),
            ev("b", other_ws),
            ev("c", "not json".into()),
            ev(
                "d",
                r#"{"eventType":"Mystery","mail":{"timestamp":"x","messageId":"y"}}"#.into(),
            ),
            ev("e", test_send),
        ],
        BounceGuard::default(),
    )
    .unwrap();
    assert_eq!((report.stored, report.skipped, report.unmatched), (2, 3, 1));
    assert_eq!(
        report.suppressed, 1,
        "a hard bounce suppresses even without a recipient"
    );
    assert_eq!(analytics::campaign(&conn, cid).unwrap().delivered, 1);
}

#[test]
fn the_bounce_guard_pauses_a_sending_campaign() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
    let (cid, r) = sent_campaign(&mut conn, "Spring", 20);
    let guard = BounceGuard {
        max_percent: 10.0,
        min_sent: 10,
    };
    let bounce = |i: usize| {
        ev(
            &format!("b{i}"),
            ses_event(
                "Bounce",
                cid,
                r[i],
                i,
                SENT,
                serde_json::json!({"bounce": {"bounceType": "Permanent",
                    "bouncedRecipients": [{"emailAddress": format!("reader{i}@example.com")}]}}),
            ),
        )
    };
    let report = ingest(&mut conn, WS, &[bounce(0), bounce(1)], guard).unwrap();
    assert!(report.paused_campaigns.is_empty(), "10% is not past 10%");
    let report = ingest(&mut conn, WS, &[bounce(2)], guard).unwrap();
    assert_eq!(report.paused_campaigns, [cid]);
    let c = campaigns::get(&conn, cid).unwrap();
    assert_eq!(c.status, CampaignStatus::Paused);
    assert!(c.pause_reason.unwrap().contains("3 of 20"));
}

#[test]
fn machine_opens_and_scanner_clicks() {
    assert!(is_machine_open(
        Some("Mozilla/5.0"),
        Some("192.0.2.1"),
        Some(3600)
    ));
    assert!(is_machine_open(
        Some(HUMAN_UA),
        Some("17.1.2.3"),
        Some(3600)
    ));
    assert!(is_machine_open(Some(HUMAN_UA), None, Some(1)));
    assert!(!is_machine_open(
        Some(HUMAN_UA),
        Some("192.0.2.1"),
        Some(3600)
    ));
    assert!(!is_machine_open(None, None, None));
    assert!(is_machine_click(Some(HUMAN_UA), Some(4)));
    assert!(is_machine_click(Some("python-requests/2.31"), Some(3600)));
    assert!(is_machine_click(
        Some("Mozilla/5.0 HeadlessChrome/120"),
        None
    ));
    assert!(!is_machine_click(Some(HUMAN_UA), Some(60)));
}

#[test]
fn a_dedupe_key_collision_is_not_taken_for_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
    let (cid, r) = sent_campaign(&mut conn, "Spring", 2);
    // Another event already holds the key "d1" hashes to (a made-up collision).
    let hour = hour_of(parse_time(&at(0)).unwrap());
    let k = source_key("d1", Some(hour));
    conn.execute(
        "INSERT INTO events (source_key, source_id, kind, occurred_at)
         VALUES (?1, 'someone-else', 'send', 0)",
        [k],
    )
    .unwrap();
    let delivery = ses_event(
        "Delivery",
        cid,
        r[1],
        1,
        SENT,
        serde_json::json!({"delivery": {"timestamp": at(0)}}),
    );
    let events = vec![ev("d1", delivery)];
    let first = ingest(&mut conn, WS, &events, BounceGuard::default()).unwrap();
    assert_eq!((first.stored, first.duplicates), (1, 0));
    let again = ingest(&mut conn, WS, &events, BounceGuard::default()).unwrap();
    assert_eq!((again.stored, again.duplicates), (0, 1));
    let keys: Vec<(i64, String)> = conn
        .prepare("SELECT source_key, source_id FROM events ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        keys,
        vec![
            (k, "someone-else".to_owned()),
            (k.wrapping_add(1), "d1".to_owned())
        ]
    );
    let delivered: i64 = conn
        .query_row(
            "SELECT delivered FROM campaign_stats WHERE campaign_id = ?1",
            [cid],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(delivered, 1);
}

#[test]
fn source_keys_are_stable() {
    // Stored in every workspace: the hash must never change between versions.
    assert_eq!(source_key("", None), source_key("", None));
    assert_ne!(source_key("a", None), source_key("b", None));
    // FNV-1a 64 + SplitMix64's finaliser (checked against an independent implementation),
    // its low 40 bits under the hour.
    let id = "00000000-0000-0000-0000-000000000001";
    assert_eq!(source_key(id, None), STABLE_KEY_BITS);
    assert_eq!(source_key(id, Some(0)), STABLE_KEY_BITS);
    assert_eq!(
        source_key(id, Some(493_000)),
        (493_000 << 40) | STABLE_KEY_BITS
    );
    // Out of range hours share hour 0 rather than wrapping into another hour's keys.
    assert_eq!(source_key(id, Some(-5)), STABLE_KEY_BITS);
    assert_eq!(source_key(id, Some(1 << 23)), STABLE_KEY_BITS);
}

#[test]
fn dedupe_keys_of_later_hours_sort_after_earlier_ones() {
    // Relay pages arrive in the order events happen: their keys must land at the end of
    // the index, whatever the hash.
    let ids: Vec<String> = (0..1000).map(|i| format!("id-{i}")).collect();
    let earlier = ids.iter().map(|id| source_key(id, Some(493_000))).max();
    let later = ids.iter().map(|id| source_key(id, Some(493_001))).min();
    assert!(earlier < later);
}

/// The low 40 bits of the FNV-1a + SplitMix64 hash of the id above (3892224339496422136).
const STABLE_KEY_BITS: i64 = 456_169_376_504;

/// A relay page of SES events as `(SNS MessageId, SES JSON)`, with cursors from `first`.
fn relay_page(
    first: u64,
    events: &[(&str, String)],
    has_more: bool,
) -> herald_protocol::api::EventPage {
    use herald_protocol::api::{EventBody, EventPage, RelayEvent, SesNotification};
    let events: Vec<RelayEvent> = events
        .iter()
        .enumerate()
        .map(|(i, (id, json))| RelayEvent {
            cursor: first + i as u64,
            received_at: SENT.into(),
            event: EventBody::Ses(SesNotification {
                sns_message_id: (*id).into(),
                topic_arn: "arn:aws:sns:eu-west-1:123456789012:herald".into(),
                sns_timestamp: SENT.into(),
                subject: None,
                message: json.clone(),
            }),
        })
        .collect();
    EventPage {
        next_cursor: first + events.len() as u64 - 1,
        events,
        has_more,
    }
}

#[test]
fn pages_applied_together_again_or_from_another_relay_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
    let (cid, r) = sent_campaign(&mut conn, "Spring", 3);
    let open = |i: usize, minutes: i64| {
        ses_event(
            "Open",
            cid,
            r[i],
            i,
            SENT,
            serde_json::json!({"open": {"timestamp": at(minutes), "userAgent": HUMAN_UA}}),
        )
    };
    let delivery = |i: usize| {
        ses_event(
            "Delivery",
            cid,
            r[i],
            i,
            SENT,
            serde_json::json!({"delivery": {"timestamp": at(0)}}),
        )
    };
    let pages = vec![
        relay_page(
            1,
            &[
                ("m1", delivery(0)),
                ("m2", delivery(1)),
                ("m3", delivery(2)),
            ],
            true,
        ),
        // reader0 opens in two pages: one transaction must count one unique open.
        relay_page(4, &[("m4", open(0, 60)), ("m5", open(1, 61))], true),
        relay_page(6, &[("m6", open(0, 120))], false),
    ];
    let report = poll::apply_pages(&mut conn, WS, &pages, BounceGuard::default()).unwrap();
    assert_eq!((report.stored, report.duplicates), (6, 0));
    assert_eq!(poll::cursor(&conn).unwrap(), Some(6));
    let a = analytics::campaign(&conn, cid).unwrap();
    assert_eq!(a.delivered, 3);
    assert_eq!((a.opens.unique, a.opens.total), (2, 3));

    // Re-polled after a crash before the cursor moved: the same pages again.
    let again = poll::apply_pages(&mut conn, WS, &pages, BounceGuard::default()).unwrap();
    assert_eq!((again.stored, again.duplicates), (0, 6));
    assert_eq!(analytics::campaign(&conn, cid).unwrap(), a);

    // The workspace pointed at a new relay (or a restored one): the same SNS messages come
    // back under other cursors, one page at a time; only the new one counts.
    let moved = vec![
        relay_page(101, &[("m2", delivery(1)), ("m4", open(0, 60))], true),
        relay_page(103, &[("m6", open(0, 120)), ("m7", open(2, 180))], false),
    ];
    let mut report = IngestReport::default();
    for page in &moved {
        report.add(poll::apply_page(&mut conn, WS, page, BounceGuard::default()).unwrap());
    }
    assert_eq!((report.stored, report.duplicates), (1, 3));
    assert_eq!(poll::cursor(&conn).unwrap(), Some(104));
    let after = analytics::campaign(&conn, cid).unwrap();
    assert_eq!(after.delivered, 3);
    assert_eq!((after.opens.unique, after.opens.total), (3, 4));
    let (opens, last_open): (i64, i64) = conn
        .query_row(
            "SELECT opens, last_open_at FROM recipient_activity WHERE recipient_id = ?1",
            [r[0]],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(opens, 2);
    assert_eq!(
        last_open,
        unix_ms(parse_time(&at(120)).unwrap()),
        "the latest open, in Unix ms"
    );
}

#[test]
fn repeated_events_of_one_recipient_in_one_batch_count_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
    let (cid, r) = sent_campaign(&mut conn, "Spring", 2);
    let j = |t: &str, extra: serde_json::Value| ses_event(t, cid, r[0], 0, SENT, extra);
    let soft = |m: i64| {
        j(
            "Bounce",
            serde_json::json!({"bounce": {"bounceType": "Transient", "bounceSubType": "MailboxFull",
                "bouncedRecipients": [{"emailAddress": "reader0@example.com"}], "timestamp": at(m)}}),
        )
    };
    let open = |m: i64, ua: &str| {
        j(
            "Open",
            serde_json::json!({"open": {"timestamp": at(m), "userAgent": ua}}),
        )
    };
    let click = |m: i64| {
        j(
            "Click",
            serde_json::json!({"click": {"timestamp": at(m), "userAgent": HUMAN_UA, "link": "https://acme.example/a"}}),
        )
    };
    let events = vec![
        ev("s1", soft(1)),
        ev("s2", soft(2)),
        // A machine open first, then human ones: one unique open, one unique human open.
        ev("o1", open(30, "Mozilla/5.0")),
        ev("o2", open(40, HUMAN_UA)),
        ev("o3", open(50, HUMAN_UA)),
        ev("k1", click(60)),
        ev("k2", click(70)),
    ];
    ingest(&mut conn, WS, &events, BounceGuard::default()).unwrap();
    let a = analytics::campaign(&conn, cid).unwrap();
    assert_eq!((a.soft_bounces, a.soft_bounced_recipients), (2, 1));
    assert_eq!(
        a.opens,
        analytics::Engagement {
            unique: 1,
            total: 3,
            human_unique: 1,
            human_total: 2
        }
    );
    assert_eq!((a.clicks.unique, a.clicks.total), (1, 2));
    // And in the next batch they are still the same recipient.
    ingest(
        &mut conn,
        WS,
        &[ev("o4", open(90, HUMAN_UA))],
        BounceGuard::default(),
    )
    .unwrap();
    let a = analytics::campaign(&conn, cid).unwrap();
    assert_eq!(
        (a.opens.unique, a.opens.total, a.opens.human_unique),
        (1, 4, 1)
    );
}
