//! Relay intake throughput: starts the real relay on loopback (its own SQLite in a temp
//! folder, FULL sync, the loopback test certificate), pre-signs N SNS Notifications
//! carrying SES events with a 2048-bit RSA key (SignatureVersion 2, as SNS topics are
//! advised to use), then posts them with C concurrent HTTP/1.1 clients and reports
//! verified-and-stored notifications per second. Run with `bench/relay.sh`.
//!
//! Environment: RELAY_BENCH_MESSAGES (default 10000), RELAY_BENCH_CONCURRENCY (64),
//! RELAY_BENCH_WORKERS (tokio worker threads, default 2).

use std::sync::Arc;
use std::time::Instant;

use herald_relay::{config::Config, store, Relay};
use herald_test_support::sns::{ses::Mail, topic_arn, SnsTestServer};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let messages = env_or("RELAY_BENCH_MESSAGES", 10_000);
    let concurrency = env_or("RELAY_BENCH_CONCURRENCY", 64);
    let workers = env_or("RELAY_BENCH_WORKERS", 2);

    let sns = SnsTestServer::start();
    let topic = topic_arn("bench");
    let started = Instant::now();
    let bodies: Vec<(String, String)> = std::thread::scope(|scope| {
        let per = messages.div_ceil(2);
        let handles: Vec<_> = (0..2)
            .map(|part| {
                let (sns, topic) = (&sns, &topic);
                scope.spawn(move || {
                    (part * per..((part + 1) * per).min(messages))
                        .map(|i| {
                            let mail =
                                Mail::new(&format!("bench-{i:08}"), &format!("r{i}@example.com"))
                                    .tag("herald_campaign", "1");
                            let event = match i % 3 {
                                0 => mail.delivery("2026-11-27T10:00:02.000Z"),
                                1 => mail.open(
                                    "2026-11-27T10:05:00.000Z",
                                    "Mozilla/5.0",
                                    "192.0.2.1",
                                ),
                                _ => mail.click(
                                    "2026-11-27T10:06:00.000Z",
                                    "https://example.com/a",
                                    "Mozilla/5.0",
                                    "192.0.2.1",
                                ),
                            };
                            let message = sns.notification(topic, &event);
                            (message.message_id().to_owned(), message.body())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("signing thread"))
            .collect()
    });
    eprintln!(
        "signed {} messages in {:.1} s (not measured)",
        bodies.len(),
        started.elapsed().as_secs_f64()
    );

    let dir = tempfile::tempdir().expect("a temp folder");
    let mut config = Config {
        database: dir.path().join("relay.db"),
        public_url: "https://relay.example.com".into(),
        ..Config::default()
    };
    config.testing.allow_loopback_certificates = true;
    config.validate().expect("a valid configuration");
    let conn = store::open(&config.database).expect("the database");
    let token = store::add_workspace(&conn, "bench").expect("a workspace");
    let id = store::authenticate(&conn, &token)
        .expect("auth")
        .expect("the workspace")
        .id;
    let mut conn = conn;
    store::set_topics(&mut conn, id, std::slice::from_ref(&topic)).expect("the topic");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a runtime");
    let (elapsed, failures) = runtime.block_on(async {
        let relay = Relay::open(config).expect("the relay");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let url = format!("http://{}/sns", listener.local_addr().expect("an address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(herald_relay::serve(relay, listener, async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency)
            .build()
            .expect("a client");

        // Warm the certificate cache and the connections with one message.
        let (warm_id, warm_body) = &bodies[0];
        let warm = client
            .post(&url)
            .header("x-amz-sns-message-type", "Notification")
            .header("x-amz-sns-message-id", warm_id.as_str())
            .body(warm_body.clone())
            .send()
            .await
            .expect("the relay answers");
        assert_eq!(
            warm.status(),
            200,
            "{}",
            warm.text().await.unwrap_or_default()
        );

        let queue = Arc::new(std::sync::Mutex::new(bodies[1..].to_vec()));
        let started = Instant::now();
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let (queue, client, url) = (queue.clone(), client.clone(), url.clone());
                tokio::spawn(async move {
                    let mut failures = 0usize;
                    loop {
                        let next = queue.lock().expect("the queue").pop();
                        let Some((message_id, body)) = next else {
                            break;
                        };
                        let response = client
                            .post(&url)
                            .header("x-amz-sns-message-type", "Notification")
                            .header("x-amz-sns-message-id", message_id)
                            .body(body)
                            .send()
                            .await;
                        if !matches!(response, Ok(r) if r.status() == 200) {
                            failures += 1;
                        }
                    }
                    failures
                })
            })
            .collect();
        let mut failures = 0;
        for task in tasks {
            failures += task.await.expect("a client task");
        }
        let elapsed = started.elapsed();
        let _ = stop.send(());
        let _ = server.await;
        (elapsed, failures)
    });

    let stored: i64 = conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("a count");
    let measured = bodies.len() - 1;
    let rate = measured as f64 / elapsed.as_secs_f64();
    println!(
        "relay intake: {measured} signed notifications (SignatureVersion 2, RSA-2048) verified and stored in {:.2} s = {rate:.0}/s \
         (concurrency {concurrency}, {workers} runtime workers, client in the same process); stored {stored}, failures {failures}",
        elapsed.as_secs_f64()
    );
    assert_eq!(failures, 0, "every notification answered 200");
    assert_eq!(
        stored as usize,
        bodies.len(),
        "every notification stored exactly once"
    );
}
