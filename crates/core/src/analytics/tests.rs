use super::*;
use crate::db::{open, OpenMode};
use crate::events::tests::{sent_campaign, ses_event, WS};
use crate::events::{ingest, BounceGuard, InboundBody, InboundEvent};
use crate::segments::{self, EventName, EventOp, Rule};

fn open_event(cid: i64, rid: i64, i: usize, sent: &str, at: &str) -> InboundEvent {
    InboundEvent {
        source_id: format!("open-{cid}-{i}-{at}"),
        body: InboundBody::Ses(ses_event(
            "Open",
            cid,
            rid,
            i,
            sent,
            serde_json::json!({"open": {"timestamp": at, "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120", "ipAddress": "192.0.2.9"}}),
        )),
    }
}

#[test]
fn activity_is_hourly_for_three_days_then_daily() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
    let (cid, r) = sent_campaign(&mut conn, "Spring", 3);
    conn.execute(
        "UPDATE campaigns SET started_at = '2026-11-20T10:15:00Z' WHERE id = ?1",
        [cid],
    )
    .unwrap();
    let sent = "2026-11-20T10:15:00.000Z";
    let events = [
        open_event(cid, r[0], 0, sent, "2026-11-20T10:45:00.000Z"), // hour 0
        open_event(cid, r[1], 1, sent, "2026-11-20T12:05:00.000Z"), // hour 2
        open_event(cid, r[2], 2, sent, "2026-11-23T11:00:00.000Z"), // hour 73: day 4
        open_event(cid, r[2], 2, sent, "2026-11-24T09:00:00.000Z"), // hour 95: day 4
        open_event(cid, r[0], 0, sent, "2026-11-25T10:00:00.000Z"), // hour 120: day 5
    ];
    ingest(&mut conn, WS, &events, BounceGuard::default()).unwrap();
    let points = activity(&conn, cid).unwrap();
    assert_eq!(points.len(), 72 + 3, "72 hours, then days 4, 5 and 6");
    assert_eq!(points[0].start, "2026-11-20T10:00:00.000Z");
    assert_eq!((points[0].opens, points[2].opens), (1, 1));
    assert_eq!(points[72].hours, 24);
    assert_eq!(points[72].hours_since_start, 72);
    assert_eq!(points[72].opens, 2);
    assert_eq!((points[73].opens, points[74].opens), (0, 1));
    assert_eq!(points[74].hours_since_start, 120);
    assert_eq!(points.iter().map(|p| p.opens).sum::<u64>(), 5);

    let svg = charts::activity_svg(&points, "Opens and clicks — Spring").unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
    assert!(svg.contains("Human opens"));
    assert!(svg.contains("+0h") && svg.contains("+60h") && svg.contains("day 5"));
    let png = charts::to_png(&svg).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    let a = campaign(&conn, cid).unwrap();
    let csv = report_csv(&a).unwrap();
    assert!(csv.starts_with("metric,count,rate_percent,human_count,human_rate_percent\n"));
    assert!(csv.contains("opens_unique,3,,3,\n"), "{csv}");
}

#[test]
fn activity_in_the_first_hour_alone_still_shows_on_the_chart() {
    // One bucket: a line needs two points, so the values are also drawn as dots.
    let points = vec![ActivityPoint {
        start: "2026-11-27T10:00:00Z".into(),
        hours_since_start: 0,
        hours: 1,
        opens: 4,
        human_opens: 3,
        clicks: 2,
        human_clicks: 0,
    }];
    let svg = charts::activity_svg(&points, "First hour").unwrap();
    // The legend (upper right) has a marker per series too.
    assert_eq!(dot_positions(&svg, f64::from(charts::WIDTH)).len(), 3 + 4);
    assert_eq!(
        dot_positions(&svg, f64::from(charts::WIDTH) / 2.0).len(),
        3,
        "a dot for opens, human opens and clicks, none for zero human clicks"
    );
}

#[test]
fn the_trend_covers_campaigns_with_deliveries_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
    let mut events = Vec::new();
    for (n, name) in ["First", "Second"].iter().enumerate() {
        let (cid, r) = sent_campaign(&mut conn, name, 4);
        conn.execute(
            "UPDATE campaigns SET started_at = ?2 WHERE id = ?1",
            (cid, format!("2026-11-2{n}T10:00:00Z")),
        )
        .unwrap();
        for (i, rid) in r.iter().enumerate() {
            events.push(InboundEvent {
                source_id: format!("d-{cid}-{i}"),
                body: InboundBody::Ses(ses_event(
                    "Delivery",
                    cid,
                    *rid,
                    i,
                    "2026-11-20T10:00:00.000Z",
                    serde_json::json!({}),
                )),
            });
        }
        for (i, rid) in r.iter().enumerate().take(n + 1) {
            events.push(open_event(
                cid,
                *rid,
                i,
                "2026-11-20T10:00:00.000Z",
                "2026-11-20T11:00:00.000Z",
            ));
        }
    }
    ingest(&mut conn, WS, &events, BounceGuard::default()).unwrap();
    let trend = trend(&conn, 10).unwrap();
    let names: Vec<&str> = trend.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["First", "Second"]);
    assert_eq!(trend[0].open_rate, Some(0.25));
    assert_eq!(trend[1].open_rate, Some(0.5));
    assert_eq!(trend[1].click_rate, Some(0.0));
    let svg = charts::trend_svg(&trend, "Trend").unwrap();
    assert!(
        svg.contains("<desc>First: open 25.0%, click 0.0%; Second: open 50.0%, click 0.0%</desc>")
    );
    assert_eq!(campaigns(&conn).unwrap().len(), 2);
}

#[test]
fn segments_pick_contacts_by_their_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
    let (cid, r) = sent_campaign(&mut conn, "Spring", 3);
    conn.execute(
        "UPDATE campaign_recipients SET contact_id =
            (SELECT id FROM contacts WHERE email_key = campaign_recipients.email)",
        [],
    )
    .unwrap();
    let now = crate::time::now_timestamp();
    let old = "2020-01-01T00:00:00.000Z";
    ingest(
        &mut conn,
        WS,
        &[
            open_event(cid, r[0], 0, old, &now),
            open_event(cid, r[1], 1, old, old),
        ],
        BounceGuard::default(),
    )
    .unwrap();
    let count = |rule: Rule| segments::count(&conn, &rule).unwrap();
    let opened = |campaign_id, days, op| Rule::Event {
        event: EventName::Opened,
        op,
        campaign_id,
        days,
    };
    assert_eq!(count(opened(Some(cid), None, EventOp::Did)), 2);
    assert_eq!(count(opened(None, Some(30), EventOp::Did)), 1);
    assert_eq!(count(opened(Some(cid), None, EventOp::DidNot)), 1);
    assert_eq!(
        count(Rule::Event {
            event: EventName::Clicked,
            op: EventOp::Did,
            campaign_id: None,
            days: None
        }),
        0
    );
}

#[test]
fn a_single_campaign_sits_in_the_middle_of_the_trend_chart() {
    let point = TrendPoint {
        campaign_id: 1,
        name: "Only one".into(),
        started_at: None,
        delivered: 100,
        open_rate: Some(0.4),
        human_open_rate: Some(0.3),
        click_rate: Some(0.1),
        human_click_rate: Some(0.05),
    };
    let svg = charts::trend_svg(std::slice::from_ref(&point), "Trend").unwrap();
    if let Some(dir) = std::env::var_os("HERALD_CHART_SAMPLES") {
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join("trend-one.svg"), &svg).unwrap();
        std::fs::write(dir.join("trend-one.png"), charts::to_png(&svg).unwrap()).unwrap();
    }
    let xs = dot_positions(&svg, TREND_PLOT_RIGHT);
    assert_eq!(xs.len(), 4, "one dot per series");
    // The plot runs from the y axis (the first vertical line) to the legend column.
    let axis: f64 = svg.split("points=\"").nth(1).unwrap()[..2].parse().unwrap();
    let right = f64::from(charts::WIDTH - 150);
    let middle = (axis + right) / 2.0;
    for x in xs {
        assert!(
            (x - middle).abs() < 15.0,
            "the dot is at {x}, the middle at {middle}"
        );
    }
    assert!(
        svg.contains("Only one"),
        "the campaign is named under its dot"
    );

    // Three campaigns share the width evenly, oldest on the left.
    let three: Vec<TrendPoint> = ["A", "B", "C"]
        .iter()
        .enumerate()
        .map(|(i, name)| TrendPoint {
            campaign_id: i as i64,
            name: (*name).into(),
            open_rate: Some(0.2 + 0.1 * i as f64),
            click_rate: None,
            human_open_rate: None,
            human_click_rate: None,
            ..point.clone()
        })
        .collect();
    let svg = charts::trend_svg(&three, "Trend").unwrap();
    if let Some(dir) = std::env::var_os("HERALD_CHART_SAMPLES") {
        let png = charts::to_png(&svg).unwrap();
        std::fs::write(std::path::Path::new(&dir).join("trend-three.png"), png).unwrap();
    }
    let xs = dot_positions(&svg, TREND_PLOT_RIGHT);
    assert_eq!(xs.len(), 3, "one dot per campaign with an open rate");
    assert!(xs[0] < xs[1] && xs[1] < xs[2], "{xs:?}");
    let (left, right) = (xs[1] - xs[0], xs[2] - xs[1]);
    assert!((left - right).abs() <= 2.0, "{xs:?}");
}

/// Where the trend chart's plot ends and its legend column (with markers) begins.
const TREND_PLOT_RIGHT: f64 = (charts::WIDTH - 150) as f64;

/// The x of every dot or ring (circle) in a chart left of `right`.
fn dot_positions(svg: &str, right: f64) -> Vec<f64> {
    svg.split("<circle cx=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
        .filter(|x| *x < right)
        .collect()
}

#[test]
fn a_contacts_history_lists_each_campaign_with_what_they_did_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
    let (spring, r1) = sent_campaign(&mut conn, "Spring", 2);
    let (summer, r2) = sent_campaign(&mut conn, "Summer", 2);
    conn.execute(
        "UPDATE campaign_recipients SET contact_id =
            (SELECT id FROM contacts WHERE email_key = campaign_recipients.email)",
        [],
    )
    .unwrap();
    // Spring went out first.
    conn.execute(
        "UPDATE campaign_recipients SET sent_at = ?2 WHERE campaign_id = ?1",
        (spring, "2026-11-01T09:00:00.000Z"),
    )
    .unwrap();
    conn.execute(
        "UPDATE campaign_recipients SET sent_at = ?2 WHERE campaign_id = ?1",
        (summer, "2026-11-20T09:00:00.000Z"),
    )
    .unwrap();
    let sent = "2026-11-01T09:00:00.000Z";
    let delivery = |cid, rid, i, at: &str| InboundEvent {
        source_id: format!("d-{cid}-{i}"),
        body: InboundBody::Ses(ses_event(
            "Delivery",
            cid,
            rid,
            i,
            sent,
            serde_json::json!({"delivery": {"timestamp": at}}),
        )),
    };
    ingest(
        &mut conn,
        WS,
        &[
            delivery(spring, r1[0], 0, "2026-11-01T09:00:05.000Z"),
            open_event(spring, r1[0], 0, sent, "2026-11-01T10:00:00.000Z"),
            open_event(spring, r1[0], 0, sent, "2026-11-02T08:30:00.000Z"),
            InboundEvent {
                source_id: "bounce".into(),
                body: InboundBody::Ses(ses_event(
                    "Bounce",
                    summer,
                    r2[0],
                    0,
                    sent,
                    serde_json::json!({"bounce": {"bounceType": "Permanent", "bounceSubType": "General",
                        "timestamp": "2026-11-20T09:00:03.000Z",
                        "bouncedRecipients": [{"emailAddress": "reader0@example.com"}]}}),
                )),
            },
        ],
        BounceGuard::default(),
    )
    .unwrap();
    let contact_id = |email: &str| -> i64 {
        conn.query_row(
            "SELECT id FROM contacts WHERE email_key = ?1",
            [email],
            |r| r.get(0),
        )
        .unwrap()
    };
    let contact = contact_id("reader0@example.com");

    let history = contact_history(&conn, contact).unwrap();
    let names: Vec<&str> = history.iter().map(|h| h.campaign_name.as_str()).collect();
    assert_eq!(names, ["Summer", "Spring"], "newest first");
    let (summer_row, spring_row) = (&history[0], &history[1]);
    assert_eq!(summer_row.campaign_id, summer);
    assert_eq!(summer_row.state, campaigns::RecipientState::Sent);
    assert_eq!(summer_row.bounce_type.as_deref(), Some("hard"));
    assert_eq!(summer_row.outcome, MessageOutcome::HardBounce);
    assert_eq!(
        summer_row.bounced_at.as_deref(),
        Some("2026-11-20T09:00:03.000Z")
    );
    assert_eq!(summer_row.delivered_at, None);
    assert_eq!(summer_row.opens, 0);
    assert_eq!(
        spring_row.delivered_at.as_deref(),
        Some("2026-11-01T09:00:05.000Z")
    );
    assert_eq!(spring_row.outcome, MessageOutcome::Delivered);
    assert_eq!(spring_row.opens, 2);
    assert_eq!(
        spring_row.last_open_at.as_deref(),
        Some("2026-11-02T08:30:00.000Z")
    );
    assert_eq!(spring_row.bounce_type, None);
    assert_eq!(spring_row.sent_at.as_deref(), Some(sent));

    // The other reader got both campaigns and did nothing yet; a stranger has no history.
    let other = contact_id("reader1@example.com");
    let quiet = contact_history(&conn, other).unwrap();
    assert_eq!(quiet.len(), 2);
    assert!(quiet
        .iter()
        .all(|h| h.opens == 0 && h.delivered_at.is_none()));
    assert!(contact_history(&conn, 9_999).unwrap().is_empty());
}

#[test]
fn a_long_activity_chart_reads_per_hour_without_dots() {
    // Three days of hours, then a day with 240 opens: 10 an hour, like the hours before it.
    let mut points: Vec<ActivityPoint> = (0..72)
        .map(|h| ActivityPoint {
            start: String::new(),
            hours_since_start: h,
            hours: 1,
            opens: 10,
            human_opens: 8,
            clicks: 2,
            human_clicks: 1,
        })
        .collect();
    points.push(ActivityPoint {
        hours_since_start: 72,
        hours: 24,
        opens: 240,
        human_opens: 192,
        clicks: 48,
        human_clicks: 24,
        ..points[0].clone()
    });
    let svg = charts::activity_svg(&points, "Long").unwrap();
    assert!(
        svg.contains("Per hour (after 72 h, the day"),
        "the axis says how days count"
    );
    assert!(
        !svg.contains(">240<") && !svg.contains(">200<"),
        "the day is drawn as 10 an hour, so the axis stays near 10"
    );
    assert!(
        dot_positions(&svg, f64::from(charts::WIDTH) / 2.0).is_empty(),
        "73 buckets: lines only"
    );
}
