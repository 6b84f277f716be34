//! The app's API against a real relay: authentication, cursor pagination, registration,
//! retention; plus health, graceful shutdown and the admin commands of the binary.

mod common;

use common::TestRelay;
use herald_protocol::api::EventBody;
use herald_relay::store;
use herald_test_support::sns::{ses::Mail, topic_arn, SnsTestServer};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn the_poll_api_pages_by_cursor_and_only_shows_the_callers_events() {
    let sns = SnsTestServer::start();
    let relay = TestRelay::start().await;
    let acme = relay.add_workspace("acme");
    let globex = relay.add_workspace("globex");
    relay.register_topic(&acme, &topic_arn("acme")).await;
    relay.register_topic(&globex, &topic_arn("globex")).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let message = sns.notification(
            &topic_arn("acme"),
            &Mail::new(&format!("ses-{i}"), "a@example.com").send(),
        );
        ids.push(message.message_id().to_owned());
        assert_eq!(relay.post_sns(&message).await.0, 200);
        let theirs = sns.notification(
            &topic_arn("globex"),
            &Mail::new(&format!("g-{i}"), "b@example.com").send(),
        );
        assert_eq!(relay.post_sns(&theirs).await.0, 200);
    }

    let mut seen = Vec::new();
    let mut after = 0;
    let mut pages = 0;
    loop {
        let page = relay.poll(&acme, after, 2).await;
        pages += 1;
        assert!(page.events.len() <= 2);
        seen.extend(page.events.iter().map(|e| match &e.event {
            EventBody::Ses(ses) => ses.sns_message_id.clone(),
            other => panic!("{other:?}"),
        }));
        after = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen, ids, "every event once, in order, none of globex's");
    assert_eq!(pages, 3);
    let empty = relay.poll(&acme, after, 2).await;
    assert!(empty.events.is_empty());
    assert_eq!(empty.next_cursor, after, "an empty page keeps the cursor");

    for (path, expected) in [
        ("/v1/events?limit=0", 400),
        ("/v1/events?limit=5000", 400),
        ("/v1/events?after=-1", 400),
        ("/v1/events?after=abc", 400),
    ] {
        let (status, body) = relay.api(Method::GET, path, &acme, None).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert_eq!(body["error"]["code"], "invalid_request");
    }
    relay.stop().await;
}

#[tokio::test]
async fn the_api_needs_a_valid_token_and_a_rotated_token_stops_working() {
    let relay = TestRelay::start().await;
    let token = relay.add_workspace("acme");
    let no_token = relay
        .http
        .get(format!("{}/v1/events", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 401);
    assert_eq!(no_token.headers()["www-authenticate"], "Bearer");
    let body: serde_json::Value = no_token.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");

    let (id_part, _) = token.rsplit_once('_').unwrap();
    for wrong in [
        format!("{id_part}_AAAA"),
        "hrt_nothing".to_owned(),
        token.to_uppercase(),
        String::new(),
    ] {
        assert_eq!(
            relay.api(Method::GET, "/v1/events", &wrong, None).await.0,
            401,
            "{wrong}"
        );
    }
    assert_eq!(
        relay.api(Method::GET, "/v1/events", &token, None).await.0,
        200
    );

    let conn = store::open(&relay.database).unwrap();
    let rotated = store::rotate_token(&conn, "acme").unwrap();
    assert_eq!(
        relay.api(Method::GET, "/v1/events", &token, None).await.0,
        401
    );
    assert_eq!(
        relay
            .api(Method::GET, "/v1/workspace", &rotated, None)
            .await
            .0,
        200
    );
    let stored: Vec<u8> = conn
        .query_row("SELECT token_hash FROM workspaces", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored.len(), 32, "only a hash is stored");
    assert!(!String::from_utf8_lossy(&stored).contains(rotated.rsplit_once('_').unwrap().1));
    relay.stop().await;
}

#[tokio::test]
async fn topics_belong_to_one_workspace_and_a_static_list_is_enforced() {
    let allowed = topic_arn("allowed");
    let relay = TestRelay::start_with(|c| {
        c.allowed_topic_arns = vec![topic_arn("allowed"), topic_arn("also")]
    })
    .await;
    let acme = relay.add_workspace("acme");
    let globex = relay.add_workspace("globex");
    relay.register_topic(&acme, &allowed).await;
    relay.register_topic(&acme, &allowed).await;

    let (status, body) = relay
        .api(
            Method::PUT,
            "/v1/topics",
            &globex,
            Some(json!({"topic_arns": [allowed]})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("conflict"))
    );
    let (status, body) = relay
        .api(
            Method::PUT,
            "/v1/topics",
            &globex,
            Some(json!({"topic_arns": [topic_arn("elsewhere")]})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("not_allowed"))
    );
    let (status, _) = relay
        .api(
            Method::PUT,
            "/v1/topics",
            &globex,
            Some(json!({"topic_arns": ["not-an-arn"]})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = relay
        .api(
            Method::PUT,
            "/v1/topics",
            &globex,
            Some(json!({"wrong": 1})),
        )
        .await;
    assert_eq!(status, 400);

    // Replacing the list frees the old topic for someone else.
    let (status, _) = relay
        .api(
            Method::PUT,
            "/v1/topics",
            &acme,
            Some(json!({"topic_arns": [topic_arn("also")]})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = relay
        .api(
            Method::PUT,
            "/v1/topics",
            &globex,
            Some(json!({"topic_arns": [allowed]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["topics"][0]["topic_arn"], allowed);
    relay.stop().await;
}

#[tokio::test]
async fn events_past_the_retention_period_are_purged() {
    let sns = SnsTestServer::start();
    let relay = TestRelay::start_with(|c| c.retention_days = 7).await;
    let token = relay.add_workspace("acme");
    relay.register_topic(&token, &topic_arn("acme")).await;
    for i in 0..3 {
        let message = sns.notification(
            &topic_arn("acme"),
            &Mail::new(&format!("ses-{i}"), "a@example.com").send(),
        );
        assert_eq!(relay.post_sns(&message).await.0, 200);
    }
    let page = relay.poll(&token, 0, 10).await;
    // Age the first two: one 8 days old (past retention), one 6 days (kept).
    let conn = store::open(&relay.database).unwrap();
    let now: i64 = conn
        .query_row("SELECT unixepoch()", [], |r| r.get(0))
        .unwrap();
    conn.execute(
        "UPDATE events SET received_unix = ?1 WHERE cursor = ?2",
        (now - 8 * 86_400, page.events[0].cursor as i64),
    )
    .unwrap();
    conn.execute(
        "UPDATE events SET received_unix = ?1 WHERE cursor = ?2",
        (now - 6 * 86_400, page.events[1].cursor as i64),
    )
    .unwrap();

    assert_eq!(relay.relay.purge().await.unwrap(), 1);
    let after = relay.poll(&token, 0, 10).await;
    let cursors: Vec<u64> = after.events.iter().map(|e| e.cursor).collect();
    assert_eq!(cursors, vec![page.events[1].cursor, page.events[2].cursor]);

    // A cursor pointing at a purged event still works, and cursors are never reused.
    let next = sns.notification(
        &topic_arn("acme"),
        &Mail::new("ses-new", "a@example.com").send(),
    );
    assert_eq!(relay.post_sns(&next).await.0, 200);
    let latest = relay.poll(&token, page.events[0].cursor, 10).await;
    assert_eq!(latest.events.len(), 3);
    assert!(latest.events[2].cursor > page.events[2].cursor);
    relay.stop().await;
}

#[tokio::test]
async fn health_answers_on_port_zero_and_shutdown_is_graceful() {
    let relay = TestRelay::start().await;
    let url = relay.url.clone();
    let body: serde_json::Value = reqwest::get(format!("{url}/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        reqwest::get(format!("{url}/nope")).await.unwrap().status(),
        404
    );
    relay.stop().await;
    assert!(
        reqwest::get(format!("{url}/health")).await.is_err(),
        "the port is closed after shutdown"
    );
}

#[test]
fn the_admin_commands_print_a_token_once_and_manage_workspaces() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_herald-relay"))
            .args(args)
            .env("HERALD_RELAY_DATABASE", dir.path().join("relay.db"))
            .env("HERALD_RELAY_PUBLIC_URL", "https://relay.example.com")
            .env_remove("HERALD_RELAY_CONFIG")
            .output()
            .unwrap()
    };
    let added = run(&["workspace", "add", "acme"]);
    assert!(added.status.success(), "{added:?}");
    let token = String::from_utf8(added.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("hrt_"), "{token}");
    let conn = store::open(&dir.path().join("relay.db")).unwrap();
    assert_eq!(
        store::authenticate(&conn, &token).unwrap().unwrap().name,
        "acme"
    );

    let again = run(&["workspace", "add", "acme"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    let list = run(&["workspace", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list[0]["name"], "acme");

    let rotated = run(&["workspace", "rotate", "acme"]);
    let new_token = String::from_utf8(rotated.stdout).unwrap().trim().to_owned();
    assert!(store::authenticate(&conn, &token).unwrap().is_none());
    assert!(store::authenticate(&conn, &new_token).unwrap().is_some());

    assert!(run(&["workspace", "remove", "acme"]).status.success());
    assert!(!run(&["workspace", "remove", "acme"]).status.success());

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_herald-relay"))
        .args(["workspace", "list"])
        .env("HERALD_RELAY_DATABASE", dir.path().join("relay.db"))
        .env("HERALD_RELAY_PUBLIC_URL", "")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("public_url"));
}

#[test]
fn the_binary_logs_json_serves_on_port_zero_and_stops_cleanly_on_sigterm() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_herald-relay"))
        .arg("serve")
        .env("HERALD_RELAY_DATABASE", dir.path().join("relay.db"))
        .env("HERALD_RELAY_PUBLIC_URL", "https://relay.example.com")
        .env("HERALD_RELAY_LISTEN", "127.0.0.1:0")
        .env("HERALD_RELAY_LOG_FORMAT", "json")
        .env_remove("HERALD_RELAY_CONFIG")
        .env_remove("HERALD_RELAY_LOG")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel::<serde_json::Value>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let parsed =
                serde_json::from_str(&line).unwrap_or_else(|_| panic!("a JSON log line: {line}"));
            if lines_tx.send(parsed).is_err() {
                break;
            }
        }
    });
    let timeout = std::time::Duration::from_secs(20);
    let listening = loop {
        let line = lines.recv_timeout(timeout).expect("the relay starts");
        if line["fields"]["message"] == "herald-relay listening" {
            break line;
        }
    };
    let address = listening["fields"]["address"].as_str().unwrap().to_owned();
    assert!(
        !address.ends_with(":0"),
        "the real port is logged: {address}"
    );

    let health = herald_test_support::http_get(&format!("http://{address}"), "/health");
    assert!(health.contains("\"ok\""), "{health}");
    let token_path = "/u/c2VjcmV0.dG9rZW4";
    let _ = std::net::TcpStream::connect(&address).map(|mut s| {
        use std::io::{Read, Write};
        write!(s, "GET {token_path} HTTP/1.0\r\n\r\n").unwrap();
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    });

    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "a clean exit after SIGTERM: {exit:?}");

    // Every line up to the end of stderr (the reader stops at EOF, after the exit).
    let rest: Vec<serde_json::Value> = lines.iter().collect();
    let requests: Vec<&serde_json::Value> = rest
        .iter()
        .filter(|l| l["fields"]["message"] == "request")
        .collect();
    assert!(
        requests
            .iter()
            .any(|l| l["fields"]["path"] == "/health" && l["fields"]["status"] == 200),
        "{rest:?}"
    );
    assert!(
        requests.iter().any(|l| l["fields"]["path"] == "/u/<token>"),
        "{rest:?}"
    );
    let all = serde_json::to_string(&rest).unwrap();
    assert!(!all.contains("c2VjcmV0"), "tokens are never logged");
    assert!(rest
        .iter()
        .any(|l| l["fields"]["message"] == "herald-relay stopped"));
}
