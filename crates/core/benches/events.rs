//! Events and analytics timings (not a pass/fail test; see bench/events.sh and
//! docs/PERFORMANCE.md):
//!
//!     cargo bench -p herald-core --bench events -- [RECIPIENTS] [EVENTS]
//!
//! Builds a workspace with one campaign sent to RECIPIENTS (default 1,000,000), then ingests
//! EVENTS (default 3,000,000) SES events for it as the poller does: relay pages of 1,000,
//! applied [`poll::EVENTS_PER_TRANSACTION`] events at a time with [`poll::apply_pages`] (one
//! delivery per recipient, 1% hard bounces, then opens and clicks on random recipients over
//! five days, in the order they happen, as the relay hands them over), and reports events
//! per second (JSON parsing included, generation excluded). Then times the analytics page's
//! data: the numbers, the activity series, the trend, both charts as SVG (medians of 10
//! runs).
//!
//! Environment, for experiments: `EVENTS_BENCH_PER_TX=N` applies N events per transaction
//! instead; `EVENTS_BENCH_ORDER=random` gives the opens and clicks random times over the
//! five days, so pages are not in time order (no relay does that).

use std::time::{Duration, Instant};

use herald_core::analytics::{self, charts};
use herald_core::campaigns::{self, CampaignStatus, NewCampaign};
use herald_core::events::{poll, BounceGuard};
use herald_core::workspaces::Home;
use herald_protocol::api::{EventBody, EventPage, RelayEvent, SesNotification, MAX_PAGE_LIMIT};

const WS: &str = "bench-workspace";
const PAGE: usize = MAX_PAGE_LIMIT as usize;

fn event(kind: &str, cid: i64, rid: i64, _n: u64, detail: String) -> String {
    format!(
        r#"{{"eventType":"{kind}","mail":{{"timestamp":"2026-11-20T10:00:00.000Z","source":"news@acme.example","sourceArn":"arn:aws:ses:eu-west-1:123456789012:identity/acme.example","sendingAccountId":"123456789012","messageId":"m-{rid}","destination":["reader{rid}@example.com"],"headersTruncated":false,"headers":[{{"name":"From","value":"news@acme.example"}},{{"name":"To","value":"reader{rid}@example.com"}},{{"name":"Subject","value":"Autumn news"}}],"commonHeaders":{{"from":["news@acme.example"],"to":["reader{rid}@example.com"],"messageId":"m-{rid}","subject":"Autumn news"}},"tags":{{"ses:configuration-set":["herald"],"ses:source-ip":["192.0.2.1"],"ses:from-domain":["acme.example"],"ses:caller-identity":["herald"],"herald_workspace":["{WS}"],"herald_campaign":["{cid}"],"herald_recipient":["{rid}"]}}}},{detail}}}"#
    )
}

/// Sending started 2026-11-20 10:00 UTC; `minutes` after that.
fn at(minutes: u64) -> String {
    let start = time::macros::datetime!(2026-11-20 10:00 UTC);
    herald_core::time::timestamp(start + time::Duration::minutes(minutes as i64))
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let recipients: i64 = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let total: u64 = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3_000_000);

    // EVENTS_BENCH_KEEP=DIR keeps the workspace in DIR (a Herald home) to open in the app
    // afterwards; otherwise it lives in a temporary folder.
    let dir = tempfile::tempdir().unwrap();
    let keep = std::env::var_os("EVENTS_BENCH_KEEP").map(std::path::PathBuf::from);
    let home = keep.clone().unwrap_or_else(|| dir.path().to_owned());
    let workspace = Home::at(&home).create("Bench").unwrap();
    let path = workspace.dir().join("herald.db");
    drop(workspace);
    let mut conn = herald_core::db::open(&path, herald_core::db::OpenMode::Existing).unwrap();
    let c = campaigns::create(
        &conn,
        &NewCampaign {
            name: "Autumn news".into(),
            subject: "Autumn news".into(),
            ..NewCampaign::default()
        },
    )
    .unwrap();
    campaigns::set_status(&conn, c.id, CampaignStatus::Sending, None).unwrap();
    conn.execute(
        "UPDATE campaigns SET started_at = '2026-11-20T10:00:00Z' WHERE id = ?1",
        [c.id],
    )
    .unwrap();
    let start = Instant::now();
    conn.execute_batch("BEGIN").unwrap();
    {
        let mut insert = conn
            .prepare(
                "INSERT INTO campaign_recipients (id, campaign_id, email, state, ses_message_id,
                        created_at, updated_at, sent_at)
                 VALUES (?1, ?2, 'reader' || ?1 || '@example.com', 'sent', 'm-' || ?1,
                         '2026-11-20T10:00:00.000Z', '2026-11-20T10:00:00.000Z',
                         '2026-11-20T10:00:00.000Z')",
            )
            .unwrap();
        for id in 1..=recipients {
            insert.execute((id, c.id)).unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    println!(
        "setup: {recipients} sent recipients in {:.1} s",
        start.elapsed().as_secs_f64()
    );

    // Deterministic pseudo-random spread.
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let ua =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36";
    let per_tx: usize = std::env::var("EVENTS_BENCH_PER_TX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(poll::EVENTS_PER_TRANSACTION)
        .max(1);
    let random_times = std::env::var("EVENTS_BENCH_ORDER").is_ok_and(|v| v == "random");
    let engagements = total.saturating_sub(recipients as u64).max(1);
    let mut ingest_time = Duration::ZERO;
    let mut made = 0u64;
    while made < total {
        let mut pages = Vec::new();
        let mut in_tx = 0;
        while in_tx < per_tx && made < total {
            let mut page = Vec::with_capacity(PAGE);
            while page.len() < PAGE.min(per_tx - in_tx) && made < total {
                let json = if (made as i64) < recipients {
                    let rid = made as i64 + 1;
                    match made % 100 {
                        0 => event(
                            "Bounce",
                            c.id,
                            rid,
                            made,
                            format!(
                                r#""bounce":{{"bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{{"emailAddress":"reader{rid}@example.com","diagnosticCode":"smtp; 550 5.1.1 user unknown"}}],"timestamp":"{}"}}"#,
                                at(1)
                            ),
                        ),
                        _ => event(
                            "Delivery",
                            c.id,
                            rid,
                            made,
                            format!(
                                r#""delivery":{{"timestamp":"{}","processingTimeMillis":900,"recipients":["reader{rid}@example.com"],"smtpResponse":"250 ok","reportingMTA":"a.example"}}"#,
                                at(0)
                            ),
                        ),
                    }
                } else {
                    let rid = (next() % recipients as u64) as i64 + 1;
                    let minutes = if random_times {
                        next() % (5 * 1440)
                    } else {
                        (made - recipients as u64) * (5 * 1440) / engagements
                    };
                    if next() % 4 == 0 {
                        let link = next() % 5;
                        event(
                            "Click",
                            c.id,
                            rid,
                            made,
                            format!(
                                r#""click":{{"ipAddress":"192.0.2.9","timestamp":"{}","userAgent":"{ua}","link":"https://acme.example/l/{link}","linkTags":{{}}}}"#,
                                at(minutes)
                            ),
                        )
                    } else {
                        event(
                            "Open",
                            c.id,
                            rid,
                            made,
                            format!(
                                r#""open":{{"ipAddress":"192.0.2.9","timestamp":"{}","userAgent":"{ua}"}}"#,
                                at(minutes)
                            ),
                        )
                    }
                };
                // SNS MessageIds are random UUIDs.
                let (a, b) = (next(), next());
                let sns_message_id = format!(
                    "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                    a >> 32,
                    (a >> 16) & 0xffff,
                    a & 0xfff,
                    b >> 52,
                    b & 0xffff_ffff_ffff
                );
                made += 1;
                page.push(RelayEvent {
                    cursor: made,
                    received_at: "2026-11-25T10:00:00Z".into(),
                    event: EventBody::Ses(SesNotification {
                        sns_message_id,
                        topic_arn: "arn:aws:sns:eu-west-1:123456789012:herald-events".into(),
                        sns_timestamp: "2026-11-25T10:00:00.000Z".into(),
                        subject: None,
                        message: json,
                    }),
                });
            }
            in_tx += page.len();
            pages.push(EventPage {
                events: page,
                next_cursor: made,
                has_more: made < total,
            });
        }
        let start = Instant::now();
        poll::apply_pages(
            &mut conn,
            WS,
            &pages,
            BounceGuard {
                max_percent: 100.0,
                min_sent: u64::MAX,
            },
        )
        .unwrap();
        ingest_time += start.elapsed();
    }
    println!(
        "ingest: {total} events in {:.1} s = {:.0} events/s (relay pages of {PAGE}, {per_tx} events per transaction, {} times)",
        ingest_time.as_secs_f64(),
        total as f64 / ingest_time.as_secs_f64(),
        if random_times { "random" } else { "ordered" }
    );

    let runs = 10;
    let mut samples = Vec::new();
    let mut sizes = (0, 0);
    for i in 0..=runs {
        let start = Instant::now();
        let a = analytics::campaign(&conn, c.id).unwrap();
        let activity = analytics::activity(&conn, c.id).unwrap();
        let trend = analytics::trend(&conn, 20).unwrap();
        let svg1 = charts::activity_svg(&activity, "Opens and clicks").unwrap();
        let svg2 = charts::trend_svg(&trend, "Trend").unwrap();
        if i > 0 {
            samples.push(start.elapsed());
        }
        sizes = (svg1.len() + svg2.len(), a.opens.total + a.clicks.total);
    }
    samples.sort();
    println!(
        "analytics page data (numbers + activity + trend + both SVG charts): median {:.1} ms, max {:.1} ms ({} opens+clicks, {} bytes of SVG)",
        samples[samples.len() / 2].as_secs_f64() * 1000.0,
        samples[samples.len() - 1].as_secs_f64() * 1000.0,
        sizes.1,
        sizes.0
    );
    let db_size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("database: {:.0} MiB", db_size as f64 / 1048576.0);
    if let Some(keep) = keep {
        // As the app would leave it: sent, with nothing left to resume.
        conn.execute(
            "UPDATE campaigns SET status = 'sent', finished_at = '2026-11-20T11:00:00Z' WHERE id = ?1",
            [c.id],
        )
        .unwrap();
        println!("workspace kept: HERALD_HOME={}", keep.display());
    }
}
