//! Unsubscribe links against a real relay: RFC 8058 one-click POSTs, the confirmation
//! page, and tokens that must be refused.

mod common;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::TestRelay;
use herald_protocol::api::{EventBody, UnsubscribeMethod, WorkspaceStatus};
use herald_protocol::unsubscribe;
use reqwest::Method;
use serde_json::json;

const KEY: [u8; 32] = [42; 32];
const OTHER_KEY: [u8; 32] = [7; 32];

async fn relay_with_key() -> (TestRelay, String) {
    let relay = TestRelay::start().await;
    let token = relay.add_workspace("acme");
    let (status, body) = relay
        .api(
            Method::PUT,
            "/v1/unsubscribe-key",
            &token,
            Some(json!({"workspace_id": "ws-acme", "key": STANDARD.encode(KEY)})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let status: WorkspaceStatus = serde_json::from_value(body).unwrap();
    assert_eq!(status.unsubscribe_keys.len(), 1);
    assert_eq!(
        status.unsubscribe_keys[0].fingerprint,
        unsubscribe::key_fingerprint(&KEY)
    );
    assert_eq!(status.unsubscribe_base_url, "https://relay.example.com/u/");
    (relay, token)
}

#[tokio::test]
async fn a_get_shows_a_confirmation_page_and_never_unsubscribes() {
    let (relay, token) = relay_with_key().await;
    let link = unsubscribe::token(&KEY, "ws-acme", 7, "Jane@Example.com");
    for _ in 0..3 {
        let response = relay
            .http
            .get(format!("{}/u/{link}", relay.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["referrer-policy"], "no-referrer");
        let html = response.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("<form method=\"post\">"), "{html}");
        assert!(html.contains("<button type=\"submit\""), "{html}");
        assert!(html.contains("jane@example.com"));
    }
    let head = relay
        .http
        .head(format!("{}/u/{link}", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert!(
        relay.poll(&token, 0, 10).await.events.is_empty(),
        "fetching the link changes nothing"
    );
    relay.stop().await;
}

#[tokio::test]
async fn one_click_posts_unsubscribe_once_per_recipient_without_redirect() {
    let (relay, token) = relay_with_key().await;
    let link = unsubscribe::token(&KEY, "ws-acme", 7, "jane@example.com");
    let url = format!("{}/u/{link}", relay.url);

    // RFC 8058 says multipart/form-data SHOULD be used; urlencoded MAY.
    let form = reqwest::multipart::Form::new().text("List-Unsubscribe", "One-Click");
    let response = relay.http.post(&url).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("location").is_none(), "no redirect");
    assert!(response.headers().get("set-cookie").is_none());
    let response = relay
        .http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(!response.status().is_redirection());

    // The page's button after the one-click: still one event for this recipient.
    let response = relay
        .http
        .post(&url)
        .form(&[("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("You are unsubscribed"));

    // Opening the link again says so instead of offering the button.
    let again = relay
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(again.contains("already unsubscribed"), "{again}");
    assert!(!again.contains("<form"));

    let page = relay.poll(&token, 0, 10).await;
    assert_eq!(page.events.len(), 1, "{page:?}");
    let EventBody::Unsubscribe(event) = &page.events[0].event else {
        panic!("an unsubscribe")
    };
    assert_eq!(
        (
            event.workspace_id.as_str(),
            event.campaign_id,
            event.email.as_str()
        ),
        ("ws-acme", 7, "jane@example.com")
    );
    assert_eq!(event.method, UnsubscribeMethod::OneClick);

    // Another campaign's link is another event; the page's button records "page".
    let second = unsubscribe::token(&KEY, "ws-acme", 8, "jane@example.com");
    let response = relay
        .http
        .post(format!("{}/u/{second}", relay.url))
        .form(&[("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = relay.poll(&token, page.next_cursor, 10).await;
    assert_eq!(page.events.len(), 1);
    let EventBody::Unsubscribe(event) = &page.events[0].event else {
        panic!("an unsubscribe")
    };
    assert_eq!(
        (event.campaign_id, event.method),
        (8, UnsubscribeMethod::Page)
    );
    relay.stop().await;
}

#[tokio::test]
async fn forged_edited_and_foreign_tokens_are_refused() {
    let (relay, token) = relay_with_key().await;
    let other_token = relay.add_workspace("globex");
    let (status, _) = relay
        .api(
            Method::PUT,
            "/v1/unsubscribe-key",
            &other_token,
            Some(json!({"workspace_id": "ws-globex", "key": STANDARD.encode(OTHER_KEY)})),
        )
        .await;
    assert_eq!(status, 200);

    let genuine = unsubscribe::token(&KEY, "ws-acme", 7, "jane@example.com");
    let (_, mac) = genuine.split_once('.').unwrap();
    let edited = format!(
        "{}.{mac}",
        URL_SAFE_NO_PAD.encode("ws-acme\n7\nsomeone@example.com")
    );
    let wrong_key = unsubscribe::token(&OTHER_KEY, "ws-acme", 7, "jane@example.com");
    let unknown_workspace = unsubscribe::token(&KEY, "ws-nobody", 7, "jane@example.com");
    for bad in [
        edited.as_str(),
        wrong_key.as_str(),
        unknown_workspace.as_str(),
        "garbage",
        "a.b",
    ] {
        let url = format!("{}/u/{bad}", relay.url);
        assert_eq!(
            relay.http.get(&url).send().await.unwrap().status(),
            404,
            "GET {bad}"
        );
        let one_click = relay
            .http
            .post(&url)
            .form(&[("List-Unsubscribe", "One-Click")])
            .send()
            .await
            .unwrap();
        assert_eq!(one_click.status(), 404, "POST {bad}");
        let button = relay
            .http
            .post(&url)
            .form(&[("confirm", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(button.status(), 404);
    }
    // A POST that is neither the one-click body nor the button changes nothing.
    let url = format!("{}/u/{genuine}", relay.url);
    assert_eq!(
        relay
            .http
            .post(&url)
            .form(&[("something", "else")])
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(relay.count_events(), 0);

    // Globex's genuine token lands in Globex's events, never in Acme's.
    let globex = unsubscribe::token(&OTHER_KEY, "ws-globex", 3, "bob@example.com");
    let response = relay
        .http
        .post(format!("{}/u/{globex}", relay.url))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(relay.poll(&token, 0, 10).await.events.is_empty());
    assert_eq!(relay.poll(&other_token, 0, 10).await.events.len(), 1);
    relay.stop().await;
}

#[tokio::test]
async fn keys_are_added_not_replaced_so_old_links_keep_working() {
    let (relay, token) = relay_with_key().await;
    let newer = [9u8; 32];
    for _ in 0..2 {
        let (status, _) = relay
            .api(
                Method::PUT,
                "/v1/unsubscribe-key",
                &token,
                Some(json!({"workspace_id": "ws-acme", "key": STANDARD.encode(newer)})),
            )
            .await;
        assert_eq!(status, 200);
    }
    let (_, body) = relay.api(Method::GET, "/v1/workspace", &token, None).await;
    let status: WorkspaceStatus = serde_json::from_value(body).unwrap();
    assert_eq!(
        status.unsubscribe_keys.len(),
        2,
        "the same key twice is kept once"
    );
    for key in [KEY, newer] {
        let link = unsubscribe::token(&key, "ws-acme", 1, "jane@example.com");
        assert_eq!(
            relay
                .http
                .get(format!("{}/u/{link}", relay.url))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    let (status, body) = relay
        .api(
            Method::PUT,
            "/v1/unsubscribe-key",
            &token,
            Some(json!({"workspace_id": "ws-acme", "key": STANDARD.encode([1u8; 8])})),
        )
        .await;
    assert_eq!(status, 400, "short keys are refused");
    assert_eq!(body["error"]["code"], "invalid_request");
    relay.stop().await;
}

#[tokio::test]
async fn unsubscribe_pages_are_rate_limited_per_address() {
    let relay = TestRelay::start_with(|c| {
        c.rate_limits.pages.per_minute = 1;
        c.rate_limits.pages.burst = 2;
    })
    .await;
    let url = format!("{}/u/garbage", relay.url);
    assert_eq!(relay.http.get(&url).send().await.unwrap().status(), 404);
    assert_eq!(relay.http.get(&url).send().await.unwrap().status(), 404);
    let limited = relay.http.get(&url).send().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(
        relay
            .http
            .get(format!("{}/health", relay.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    relay.stop().await;
}
